use super::*;

fn dev() -> DeviceRef {
    DeviceRef::new("pkA", "devA")
}

#[test]
fn every_kind_has_one_row_and_round_trips() {
    for &k in TopicKind::ALL {
        assert_eq!(TOPIC_TABLE.iter().filter(|s| s.kind == k).count(), 1, "{k:?}");
        let t = sample_topic(k);
        let s = t.to_string();
        assert_eq!(Topic::parse(&s), Ok(t.clone()), "{s} must parse back as {k:?}");
        assert!(t.is_valid());
        assert_eq!(s.parse::<Topic>().unwrap().kind(), k);
    }
    assert_eq!(TOPIC_TABLE.len(), TopicKind::ALL.len());
}

#[test]
fn examples() {
    let cases: &[(&str, Topic)] = &[
        ("/sys/pkA/devA/thing/event/property/post", Topic::PropertyPost(dev())),
        ("/sys/pkA/devA/thing/event/Alarm/post", Topic::EventPost(dev(), "Alarm".into())),
        ("/sys/pkA/devA/thing/event/Alarm/post_reply", Topic::EventPostReply(dev(), "Alarm".into())),
        ("/sys/pkA/devA/thing/service/Reboot", Topic::ServiceCall(dev(), "Reboot".into())),
        ("/sys/pkA/devA/thing/service/Reboot_reply", Topic::ServiceReply(dev(), "Reboot".into())),
        ("/sys/pkA/devA/thing/service/property/set", Topic::PropertySet(dev())),
        ("/sys/pkA/devA/thing/service/property/set_reply", Topic::PropertySetReply(dev())),
        ("/sys/pkA/devA/thing/service/property_reply", Topic::ServiceReply(dev(), "property".into())),
        ("/sys/pkA/devA/thing/service/lamp:Reboot", Topic::ServiceCall(dev(), "lamp:Reboot".into())),
        ("/sys/pkA/devA/thing/service/_reply", Topic::ServiceCall(dev(), "_reply".into())),
        ("/sys/pkA/dev.A:1@x/thing/event/property/post", Topic::PropertyPost(DeviceRef::new("pkA", "dev.A:1@x"))),
        (
            "/ext/rrpc/1234/sys/pkA/devA/thing/service/Add",
            Topic::RrpcService { rrpc_id: "1234".into(), device: dev(), service: "Add".into() },
        ),
        (
            "/ext/rrpc/1234/sys/pkA/devA/thing/model/down_raw",
            Topic::RrpcDownRaw { rrpc_id: "1234".into(), device: dev() },
        ),
        (
            "/ext/rrpc/77/pkA/devA/user/cmd",
            Topic::RrpcCustom {
                rrpc_id: "77".into(),
                inner: Box::new(Topic::Custom { device: dev(), path: "cmd".into() }),
            },
        ),
        (
            "/ext/rrpc/77/sys/pkA/devA/thing/service/property/set",
            Topic::RrpcCustom { rrpc_id: "77".into(), inner: Box::new(Topic::PropertySet(dev())) },
        ),
        ("/sys/pkA/devA/rrpc/request/99", Topic::RrpcRequest(dev(), "99".into())),
        ("/sys/pkA/devA/rrpc/response/99", Topic::RrpcResponse(dev(), "99".into())),
        ("/shadow/update/pkA/devA", Topic::ShadowUpdate(dev())),
        ("/ota/device/upgrade/pkA/devA", Topic::OtaUpgrade(dev())),
        ("/sys/pkA/devA/_thing/diag/post", Topic::DiagPost(dev())),
        ("/ext/ntp/pkA/devA/request", Topic::NtpRequest(dev())),
        ("/ext/register", Topic::Register),
        ("/ext/regnwl", Topic::Regnwl),
        ("/ext/session/pkA/devA/combine/batch_login_reply", Topic::CombineBatchLoginReply(dev())),
        ("/ext/error/pkA/devA", Topic::Error(dev())),
        ("/pkA/devA/user/a/b.c/d-e", Topic::Custom { device: dev(), path: "a/b.c/d-e".into() }),
    ];
    for (s, t) in cases {
        assert_eq!(Topic::parse(s).as_ref(), Ok(t), "{s}");
        assert_eq!(&t.to_string(), s);
    }
}

#[test]
fn rejects() {
    use TopicError::*;
    let cases: &[(&str, TopicError)] = &[
        ("", Empty),
        ("sys/pkA/devA/thing/event/property/post", NotAbsolute),
        ("/sys/pkA/devA/thing/event/property/post/", EmptyLevel),
        ("/sys/pkA//thing/event/property/post", EmptyLevel),
        ("/sys/pkA/devA/../", EmptyLevel),
        ("/sys/pkA/+/thing/event/property/post", Wildcard),
        ("/sys/pkA/devA/#", Wildcard),
        ("/sys/pkA/devA/thing/service/a+b", Wildcard),
        ("/sys/pkA/devA/../devB/thing/event/property/post", Unknown),
        ("/sys/pkA/devA/thing/event/property/postx", Unknown),
        ("/sys/pkA/devA/thing/event/property/post/extra", Unknown),
        ("/sys/pkA/devA/thing/event/Al arm/post", Unknown),
        ("/sys/pk-A/devA/thing/event/property/post", Unknown),
        ("/sys/pkA/de/vA/thing/event/property/post", Unknown),
        ("/sys/pkA/devA/thing/service/Re-boot", Unknown),
        ("/sys/pkA/devA/thing/event/:/post?", Unknown),
        ("/sys/pkA/devA/thing", Unknown),
        ("/ext/rrpc/1/ext/rrpc/2/pkA/devA/user/x", Unknown),
        ("/ext/rrpc/1/ext/register", Unknown),
        ("/ext/rrpc/1", Unknown),
        ("/sys/devA/user/x", Unknown),
        ("/pkA/devA/user", Unknown),
        ("/pkA/devA/user/..", Unknown),
        ("/pkA/devA/system/x", Unknown),
        ("/ext/register/x", Unknown),
        ("/SYS/pkA/devA/thing/event/property/post", Unknown),
        ("/sys/pkA/dévA/thing/event/property/post", Unknown),
    ];
    for (s, e) in cases {
        assert_eq!(Topic::parse(s).as_ref(), Err(e), "{s}");
    }
    let long = format!("/pkA/devA/user/{}", "a/".repeat(130));
    assert_eq!(Topic::parse(&long), Err(TooLong));
    // Reserved first levels cannot be a ProductKey of a custom topic.
    assert_eq!(Topic::parse("/ext/ntp/user/x"), Err(Unknown));
    assert_eq!(Topic::parse("/ext/ntp/user/devX/request"), Ok(Topic::NtpRequest(DeviceRef::new("user", "devX"))));
}

#[test]
fn directions_operations_replies() {
    let p = Topic::PropertyPost(dev());
    assert_eq!(p.direction(), Direction::Up);
    assert_eq!(p.operation(), "thing.event.property.post");
    assert_eq!(p.reply_topic(), Some(Topic::PropertyPostReply(dev())));
    let e = Topic::EventPost(dev(), "Alarm".into());
    assert_eq!(e.operation(), "thing.event.Alarm.post");
    assert_eq!(e.reply_topic(), Some(Topic::EventPostReply(dev(), "Alarm".into())));
    let s = Topic::ServiceCall(dev(), "Reboot".into());
    assert_eq!(s.direction(), Direction::Down);
    assert_eq!(s.operation(), "thing.service.Reboot");
    assert_eq!(s.reply_topic(), Some(Topic::ServiceReply(dev(), "Reboot".into())));
    assert_eq!(Topic::RrpcRequest(dev(), "5".into()).reply_topic(), Some(Topic::RrpcResponse(dev(), "5".into())));
    let r = Topic::RrpcService { rrpc_id: "1".into(), device: dev(), service: "Add".into() };
    assert_eq!(r.reply_topic().as_ref(), Some(&r));
    assert_eq!(r.direction(), Direction::Both);
    assert_eq!(Topic::NtpRequest(dev()).reply_topic(), Some(Topic::NtpResponse(dev())));
    assert_eq!(Topic::ShadowUpdate(dev()).reply_topic(), Some(Topic::ShadowGet(dev())));
    assert_eq!(Topic::ConfigPush(dev()).reply_topic(), Some(Topic::ConfigPushReply(dev())));
    assert_eq!(Topic::CombineLogin(dev()).reply_topic(), Some(Topic::CombineLoginReply(dev())));
    assert_eq!(Topic::OtaInform(dev()).reply_topic(), None);
    assert_eq!(Topic::PropertyPostReply(dev()).reply_topic(), None);
    assert_eq!(Topic::Register.device(), None);
    let rc = Topic::parse("/ext/rrpc/9/pkA/devA/user/x").unwrap();
    assert_eq!(rc.device(), Some(&dev()));
    assert_eq!(rc.rrpc_id(), Some("9"));
}

#[test]
fn hand_built_invalid_topics_are_detected() {
    assert!(!Topic::PropertyPost(DeviceRef::new("pkA", "a/b")).is_valid());
    assert!(!Topic::EventPost(dev(), "".into()).is_valid());
    // An event named "property" formats to the property topic: not a valid EventPost.
    assert!(!Topic::EventPost(dev(), "property".into()).is_valid());
}

#[test]
fn serde_as_string() {
    let t = Topic::PropertyPost(dev());
    let j = serde_json::to_string(&t).unwrap();
    assert_eq!(j, "\"/sys/pkA/devA/thing/event/property/post\"");
    assert_eq!(serde_json::from_str::<Topic>(&j).unwrap(), t);
    assert!(serde_json::from_str::<Topic>("\"/nope\"").is_err());
}
