//! Module-wide tests: the spec's topic lists as fixtures, and property tests that nothing
//! panics on hostile input.

use proptest::prelude::*;

use super::acl::{may_publish, may_subscribe};
use super::client_id::{parse_username, ClientId};
use super::envelope::{Reply, Request};
use super::filter::{filter_matches, validate_filter};
use super::sign::verify_device_sign;
use super::subscriptions::{dynreg_session_filters, server_side_filters};
use super::topic::{DeviceRef, Topic, TopicKind};

/// ALINK.md section 2, the bullet list of downlink topics, copied verbatim.
const SECTION_2_LIST: &str = r#"
  - `/sys/{pk}/{dn}/thing/service/+`
  - `/sys/{pk}/{dn}/thing/event/+/post_reply`
  - `/sys/{pk}/{dn}/thing/event/property/batch/post_reply`
  - `…/thing/deviceinfo/update_reply`, `…/delete_reply`
  - `…/thing/model/down_raw`, `…/up_raw_reply`
  - `…/rrpc/request/+`
  - `/ext/rrpc/+/sys/{pk}/{dn}/thing/service/+`, `/ext/rrpc/+/sys/{pk}/{dn}/thing/model/down_raw`
  - `/ota/device/upgrade/{pk}/{dn}`
  - `…/thing/ota/firmware/get_reply`
  - `…/thing/config/push`, `…/get_reply`
  - `…/thing/config/log/push`, `…/get_reply`
  - `…/thing/property/desired/get_reply`, `…/delete_reply`
  - `/shadow/get/{pk}/{dn}`
  - `/ext/ntp/{pk}/{dn}/response`
  - `/ext/error/{pk}/{dn}`
  - `…/_thing/diag/post_reply`, `…/thing/log/post_reply`
  - Gateway topics: `…/thing/topo/{add,delete,get}_reply`, `…/thing/topo/change`, `…/thing/sub/register_reply`, `…/thing/proxy/provisioning/product_register_reply`, `/ext/session/{pk}/{dn}/combine/+_reply`, `…/thing/{enable,disable,delete}`
  - Dynreg: `/ext/register`, `/ext/regnwl`
"#;

/// Expands the list's shorthand: `…/a/b` is under `/sys/{pk}/{dn}`, `…/x` (one level) is a
/// sibling of the previous item, `{a,b}` is alternatives, and `combine/+_reply` (not a legal
/// MQTT filter) stands for the four combine replies.
fn expand_section_2(pk: &str, dn: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in SECTION_2_LIST.lines() {
        let mut prev: Option<String> = None;
        for item in line.split('`').skip(1).step_by(2) {
            let full = match item.strip_prefix("…/") {
                Some(rest) if !rest.contains('/') => {
                    let p = prev.clone().expect("a sibling follows an item");
                    format!("{}/{rest}", &p[..p.rfind('/').unwrap()])
                }
                Some(rest) => format!("/sys/{{pk}}/{{dn}}/{rest}"),
                None => item.to_string(),
            };
            let full = full.replace("{pk}", pk).replace("{dn}", dn);
            prev = Some(full.clone());
            let alts: Vec<String> = match (full.find('{'), full.find('}')) {
                (Some(a), Some(b)) => {
                    full[a + 1..b].split(',').map(|x| format!("{}{x}{}", &full[..a], &full[b + 1..])).collect()
                }
                _ => vec![full],
            };
            for a in alts {
                if let Some(base) = a.strip_suffix("/+_reply") {
                    for op in ["login", "logout", "batch_login", "batch_logout"] {
                        out.push(format!("{base}/{op}_reply"));
                    }
                } else {
                    out.push(a);
                }
            }
        }
    }
    out
}

#[test]
fn section_2_topics_are_all_auto_subscribed() {
    let expected = expand_section_2("pkA", "devA");
    assert_eq!(expected.len(), 38, "{expected:#?}");
    let device = server_side_filters("pkA", "devA");
    let dynreg = dynreg_session_filters();
    for f in &expected {
        if f.starts_with("/ext/reg") {
            assert!(dynreg.contains(f), "{f} missing from dynreg_session_filters");
            assert!(!device.iter().any(|d| filter_matches(d, f)), "{f} must not reach device sessions");
        } else {
            assert!(device.iter().any(|d| filter_matches(d, f)), "{f} matched by no server_side_filters: {device:#?}");
        }
    }
    // Py receives `property/set` without subscribing (ALINK.md 2), though `thing/service/+` is one level.
    for f in ["/sys/pkA/devA/thing/service/property/set", "/sys/pkA/devA/thing/service/property/get"] {
        assert!(device.iter().any(|d| filter_matches(d, f)), "{f}");
    }
    // Every filter stays inside the device's own namespace: subscribable by the device, by no
    // other device (not even one whose name extends ours), and matching no platform topic.
    for d in &device {
        assert!(validate_filter(d).is_ok(), "{d}");
        assert!(may_subscribe("pkA", "devA", d), "{d}");
        for (p, n) in [("pkA", "devA2"), ("pkA", "devB"), ("pkB", "devA"), ("pkAx", "devA"), ("pk", "Adev")] {
            assert!(!may_subscribe(p, n, d), "{p}/{n} may subscribe {d}");
            let other = expand_section_2(p, n);
            assert!(!other.iter().any(|t| filter_matches(d, t)), "{d} reaches a topic of {p}/{n}");
        }
        for t in
            ["/ext/register", "/ext/regnwl", "/sys/pkA/devA2/thing/service/property/set", "/ext/ntp/pkA/devA2/response"]
        {
            assert!(!filter_matches(d, t), "{d} matches {t}");
        }
    }
}

/// Every topic with an arrow in ALINK.md section 4 (shorthand expanded; `↕` = request ↓ and
/// reply ↑ on the same topic). `{p}` = `/sys/{pk}/{dn}`.
const SECTION_4_TOPICS: &str = r#"
↑ {p}/thing/event/property/post
↓ {p}/thing/event/property/post_reply
↑ {p}/thing/event/property/batch/post
↓ {p}/thing/event/property/batch/post_reply
↑ {p}/thing/event/{Id}/post
↓ {p}/thing/event/{Id}/post_reply
↓ {p}/thing/service/property/set
↑ {p}/thing/service/property/set_reply
↓ {p}/thing/service/property/get
↓ {p}/thing/service/{Id}
↑ {p}/thing/service/{Id}_reply
↕ /ext/rrpc/{rrpcId}/sys/{pk}/{dn}/thing/service/{Id}
↕ /ext/rrpc/{rrpcId}/sys/{pk}/{dn}/thing/model/down_raw
↕ /ext/rrpc/{rrpcId}{anyTopic}
↓ {p}/rrpc/request/{msgId}
↑ {p}/rrpc/response/{msgId}
↑ {p}/thing/deviceinfo/update
↓ {p}/thing/deviceinfo/update_reply
↑ {p}/thing/deviceinfo/delete
↓ {p}/thing/deviceinfo/delete_reply
↑ {p}/thing/model/up_raw
↓ {p}/thing/model/up_raw_reply
↓ {p}/thing/model/down_raw
↑ {p}/thing/model/down_raw_reply
↑ {p}/thing/property/desired/get
↓ {p}/thing/property/desired/get_reply
↑ {p}/thing/property/desired/delete
↓ {p}/thing/property/desired/delete_reply
↑ /shadow/update/{pk}/{dn}
↓ /shadow/get/{pk}/{dn}
↑ /ota/device/inform/{pk}/{dn}
↓ /ota/device/upgrade/{pk}/{dn}
↑ {p}/thing/ota/firmware/get
↓ {p}/thing/ota/firmware/get_reply
↑ /ota/device/progress/{pk}/{dn}
↕ /ota/device/request/{pk}/{dn}
↓ {p}/thing/config/push
↑ {p}/thing/config/push_reply
↑ {p}/thing/config/get
↓ {p}/thing/config/get_reply
↑ {p}/thing/config/log/get
↓ {p}/thing/config/log/get_reply
↓ {p}/thing/config/log/push
↑ {p}/thing/log/post
↓ {p}/thing/log/post_reply
↑ {p}/_thing/diag/post
↓ {p}/_thing/diag/post_reply
↑ /ext/ntp/{pk}/{dn}/request
↓ /ext/ntp/{pk}/{dn}/response
↓ /ext/register
↓ /ext/regnwl
↑ {p}/thing/topo/add
↓ {p}/thing/topo/add_reply
↑ {p}/thing/topo/delete
↓ {p}/thing/topo/delete_reply
↑ /ext/session/{pk}/{dn}/combine/batch_login
↓ /ext/session/{pk}/{dn}/combine/batch_login_reply
↑ /ext/session/{pk}/{dn}/combine/batch_logout
↓ /ext/session/{pk}/{dn}/combine/batch_logout_reply
↑ /ext/session/{pk}/{dn}/combine/login
↓ /ext/session/{pk}/{dn}/combine/login_reply
↑ /ext/session/{pk}/{dn}/combine/logout
↓ /ext/session/{pk}/{dn}/combine/logout_reply
↑ {p}/thing/sub/register
↓ {p}/thing/sub/register_reply
↑ {p}/thing/proxy/provisioning/product_register
↓ {p}/thing/proxy/provisioning/product_register_reply
↓ {p}/thing/topo/change
"#;

#[test]
fn section_4_directions_hold_for_the_device() {
    let mut n = 0;
    for line in SECTION_4_TOPICS.lines().filter(|l| !l.trim().is_empty()) {
        let (arrow, t) = line.split_once(' ').unwrap();
        let t = t
            .replace("{anyTopic}", "/{pk}/{dn}/user/cmd")
            .replace("{p}", "/sys/{pk}/{dn}")
            .replace("{pk}", "pkA")
            .replace("{dn}", "devA")
            .replace("{Id}", "Alarm")
            .replace("{rrpcId}", "1234")
            .replace("{msgId}", "99");
        let parsed = Topic::parse(&t).unwrap_or_else(|e| panic!("{t}: {e}"));
        assert_eq!(parsed.to_string(), t);
        let dynreg = parsed.device().is_none();
        let (up, down) = match arrow {
            "↑" => (true, false),
            "↓" => (false, true),
            "↕" => (true, true),
            other => panic!("bad arrow {other}"),
        };
        assert_eq!(may_publish("pkA", "devA", &t), up, "publish {t}");
        assert_eq!(may_subscribe("pkA", "devA", &t), down && !dynreg, "subscribe {t}");
        assert!(!may_publish("pkA", "devA2", &t) && !may_subscribe("pkA", "devA2", &t), "{t}");
        n += 1;
    }
    assert_eq!(n, 68);
}

fn level() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("sys".to_string()),
        Just("ext".to_string()),
        Just("rrpc".to_string()),
        Just("pkA".to_string()),
        Just("devA".to_string()),
        Just("thing".to_string()),
        Just("event".to_string()),
        Just("service".to_string()),
        Just("property".to_string()),
        Just("post".to_string()),
        Just("post_reply".to_string()),
        Just("user".to_string()),
        Just("+".to_string()),
        Just("#".to_string()),
        Just("..".to_string()),
        Just(String::new()),
        Just("é".to_string()),
        "[a-zA-Z0-9_.:@-]{1,12}",
        "\\PC{1,8}",
        "a{120,140}",
    ]
}

fn topicish() -> impl Strategy<Value = String> {
    (any::<bool>(), proptest::collection::vec(level(), 0..12))
        .prop_map(|(slash, ls)| format!("{}{}", if slash { "/" } else { "" }, ls.join("/")))
}

proptest! {
    // No regression files: failures print the minimal input; keep new ones as unit tests.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn topic_parse_never_panics_and_round_trips(s in prop_oneof![topicish(), any::<String>(), "\\PC{0,300}"]) {
        if let Ok(t) = Topic::parse(&s) {
            prop_assert_eq!(t.to_string(), s.clone());
            prop_assert!(t.is_valid());
            let _ = (t.operation(), t.reply_topic(), t.direction());
        }
        let p = may_publish("pkA", "devA", &s);
        let sub = may_subscribe("pkA", "devA", &s);
        if p {
            let t = Topic::parse(&s).unwrap();
            prop_assert_eq!(t.device(), Some(&DeviceRef::new("pkA", "devA")));
        }
        if sub {
            // Whatever it matches of devB's topics must be nothing.
            for &k in TopicKind::ALL {
                let theirs = super::topic::sample_topic(k).to_string().replace("pkA", "pkB");
                prop_assert!(!filter_matches(&s, &theirs), "{} matches {}", s, theirs);
            }
        }
        let _ = validate_filter(&s);
    }

    #[test]
    fn generated_topics_round_trip(
        kind in 0..TopicKind::ALL.len(),
        pk in "[A-Za-z0-9]{1,32}",
        dn in "[A-Za-z0-9_@.:-]{1,32}",
        id in "[A-Za-z0-9_]{1,40}",
        rrpc in "[A-Za-z0-9_-]{1,30}",
        path in proptest::collection::vec("[A-Za-z0-9_-]{1,10}", 1..4),
    ) {
        let s = super::topic::sample_topic(TopicKind::ALL[kind])
            .to_string()
            .replace("/pkA/devA", &format!("/{pk}/{dn}"))
            .replace("Reboot", &id)
            .replace("123456", &rrpc)
            .replace("/a/b", &format!("/{}", path.join("/")));
        if let Ok(t) = Topic::parse(&s) {
            prop_assert_eq!(t.to_string(), s.clone());
            let d = t.device().cloned();
            if let Some(d) = d {
                prop_assert_eq!(may_publish(&d.pk, &d.dn, &s), t.direction() != super::table::Direction::Down);
                let other = format!("{}x", d.dn);
                prop_assert!(!may_publish(&d.pk, &other, &s));
            }
        } else {
            // Only reserved ProductKeys or over-long topics may fail.
            prop_assert!(super::topic::RESERVED_FIRST_LEVELS.iter().any(|r| r.eq_ignore_ascii_case(&pk)) || s.len() > super::topic::MAX_TOPIC_LEN, "{}", s);
        }
    }

    #[test]
    fn client_id_and_username_never_panic(s in prop_oneof![any::<String>(), "[a-z0-9.&|=,_-]{0,200}", "\\PC{0,1100}"], pw in any::<String>()) {
        if let Ok(c) = ClientId::parse(&s) {
            let _ = (c.sdk(), c.sdk_display(), c.server_subscribe(), c.to_string());
            let _ = verify_device_sign(&c, "pkA", "devA", "secret", &pw);
        }
        let _ = parse_username(&s);
    }

    #[test]
    fn envelopes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), s in "\\PC{0,300}") {
        let _ = Request::parse(&bytes);
        let _ = Reply::parse(&bytes);
        let _ = Request::parse(s.as_bytes());
        let _ = Reply::parse(s.as_bytes());
        let _ = super::shadow::ShadowUp::parse(&bytes);
        let _ = super::ntp::NtpRequest::parse(&bytes);
        let _ = super::ota::OtaProgress::parse(&bytes);
    }

    #[test]
    fn json_shaped_envelopes(id in prop_oneof![Just("\"1\"".to_string()), Just("1".to_string()), Just("-1".to_string()), Just("1e3".to_string()), Just("null".to_string()), "\"\\PC{0,30}\"", "[0-9]{1,25}"],
                             code in prop_oneof![Just("200".to_string()), Just("\"400\"".to_string()), Just("-5".to_string()), Just("{}".to_string()), "[0-9]{1,12}"],
                             ack in prop_oneof![Just("0".to_string()), Just("1".to_string()), Just("\"0\"".to_string()), Just("300".to_string())]) {
        let req = format!(r#"{{"id":{id},"version":"1.0","params":{{}},"sys":{{"ack":{ack}}}}}"#);
        if let Ok(r) = Request::parse(req.as_bytes()) {
            prop_assert!(r.id.bytes().all(|b| b.is_ascii_digit()) && !r.id.is_empty());
            prop_assert_eq!(r.needs_reply(), ack != "0");
            let out = Reply::ok(&r, serde_json::json!({})).to_json();
            prop_assert!(Reply::parse(out.as_bytes()).is_ok());
        }
        let rep = format!(r#"{{"id":{id},"code":{code},"data":{{}}}}"#);
        let _ = Reply::parse(rep.as_bytes());
    }
}
