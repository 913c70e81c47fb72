//! What the platform sends a device, and how the device answers. Pure: topic + payload in,
//! answer out, so routing and reply topics are unit-tested without a broker. Topics are parsed
//! by `model::alink::Topic` (THE topic table), never matched by hand.

use bytes::Bytes;
use model::alink::ota::OtaUpgrade;
use model::alink::{DeviceRef, Reply, Request, Topic, TopicKind};
use rumqttc::mqttbytes::QoS;
use serde_json::Value;

use crate::client::Outgoing;

/// The kind of a platform → device request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallKind {
    /// `thing/service/property/set` (Py auto-replies 200; C4 leaves it to the app).
    PropertySet,
    /// `thing/service/property/get` (no SDK answers it by itself).
    PropertyGet,
    /// Async service `thing/service/{id}` → `{id}_reply`.
    Service { id: String },
    /// Sync service over RRPC `/ext/rrpc/{rrpcId}/sys/…/thing/service/{id}`, answered on the
    /// same topic.
    SyncService { id: String, rrpc_id: String },
    /// Classic RRPC `rrpc/request/{msgId}` → `rrpc/response/{msgId}`.
    Rrpc { msg_id: String },
}

/// A request the device is asked to answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub kind: CallKind,
    pub request: Request,
    /// The topic the request came on (what a device log shows).
    pub topic: String,
    /// Where the answer goes (from the topic table's reply rules).
    pub reply_topic: String,
}

/// What the device answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// `code` 200 = success; `data` is the service output / property values.
    Reply { code: u32, data: Value },
    /// Say nothing (the platform's call then times out).
    Silence,
}

impl Answer {
    pub fn ok(data: Value) -> Answer {
        Answer::Reply { code: 200, data }
    }

    pub fn err(code: u32) -> Answer {
        Answer::Reply { code, data: Value::Object(Default::default()) }
    }
}

/// A received message, sorted.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    /// A `_reply` to one of the device's own requests.
    Reply(Reply),
    /// A request to answer.
    Call(Call),
    /// The device's own same-topic RRPC answer coming back (a plain broker such as Mosquitto
    /// echoes it; fleetdeck does not).
    Echo,
    /// Seam for OTA: `/ota/device/upgrade/{pk}/{dn}` (see [`super::Handler::ota_upgrade`]).
    OtaUpgrade(OtaUpgrade),
    /// Seam for remote config: `thing/config/push` (see [`super::Handler::config_push`]).
    ConfigPush(Request),
    /// Anything else: custom topics, other devices' topics (a gateway's sub-devices), NTP,
    /// shadow, payloads that do not parse. Goes to the inbox.
    Other,
}

/// Sort a message received by device `me`. Never panics on bad input.
pub fn classify(me: &DeviceRef, topic: &str, payload: &[u8]) -> Inbound {
    let Ok(t) = Topic::parse(topic) else { return Inbound::Other };
    if t.device() != Some(me) {
        return Inbound::Other;
    }
    let kind = t.kind();
    let call = |kind: CallKind| {
        let Ok(request) = Request::parse(payload) else { return Inbound::Other };
        match t.reply_topic() {
            Some(reply) => {
                Inbound::Call(Call { kind, request, topic: topic.to_string(), reply_topic: reply.to_string() })
            }
            None => Inbound::Other,
        }
    };
    match kind {
        TopicKind::PropertySet => call(CallKind::PropertySet),
        TopicKind::PropertyGet => call(CallKind::PropertyGet),
        TopicKind::ServiceCall => call(CallKind::Service { id: t.identifier().unwrap_or_default().to_string() }),
        TopicKind::RrpcRequest => call(CallKind::Rrpc { msg_id: t.identifier().unwrap_or_default().to_string() }),
        TopicKind::RrpcService => {
            // Request and answer share the topic: an answer has a `code`, a request does not.
            if Reply::parse(payload).is_ok() {
                return Inbound::Echo;
            }
            call(CallKind::SyncService {
                id: t.identifier().unwrap_or_default().to_string(),
                rrpc_id: t.rrpc_id().unwrap_or_default().to_string(),
            })
        }
        TopicKind::OtaUpgrade => OtaUpgrade::parse(payload).map(Inbound::OtaUpgrade).unwrap_or(Inbound::Other),
        TopicKind::ConfigPush => Request::parse(payload).map(Inbound::ConfigPush).unwrap_or(Inbound::Other),
        _ if t.direction() == model::alink::Direction::Down && topic.ends_with("_reply") => {
            Reply::parse(payload).map(Inbound::Reply).unwrap_or(Inbound::Other)
        }
        _ => Inbound::Other,
    }
}

/// The PUBLISH answering `call`, if any: nothing for [`Answer::Silence`] or a C4 request with
/// `"sys":{"ack":0}`. `set_reply` goes at QoS 1 like Py's, the rest at QoS 0.
pub fn answer(call: &Call, a: Answer) -> Option<Outgoing> {
    let Answer::Reply { code, data } = a else { return None };
    if !call.request.needs_reply() {
        return None;
    }
    let reply = Reply { code, data, ..Reply::ok(&call.request, Value::Null) };
    let reply = if code == 200 { reply } else { Reply { message: "error".into(), ..reply } };
    let qos = if call.kind == CallKind::PropertySet { QoS::AtLeastOnce } else { QoS::AtMostOnce };
    Some(Outgoing { topic: call.reply_topic.clone(), qos, payload: Bytes::from(reply.to_json()) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn me() -> DeviceRef {
        DeviceRef::new("a1FakePK001", "dev-001")
    }

    const P: &str = "/sys/a1FakePK001/dev-001";

    fn req(id: &str) -> Vec<u8> {
        json!({"id": id, "version": "1.0", "params": {"a": 2, "b": 3}, "method": "thing.service.Add"})
            .to_string()
            .into_bytes()
    }

    fn call_of(i: Inbound) -> Call {
        match i {
            Inbound::Call(c) => c,
            other => panic!("expected a call, got {other:?}"),
        }
    }

    #[test]
    fn requests_are_routed_by_topic_with_their_reply_topics() {
        let c = call_of(classify(&me(), &format!("{P}/thing/service/property/set"), &req("1")));
        assert_eq!(
            (c.kind, c.reply_topic.as_str()),
            (CallKind::PropertySet, &*format!("{P}/thing/service/property/set_reply"))
        );
        let c = call_of(classify(&me(), &format!("{P}/thing/service/property/get"), &req("2")));
        assert_eq!(c.kind, CallKind::PropertyGet);
        let c = call_of(classify(&me(), &format!("{P}/thing/service/Reboot"), &req("3")));
        assert_eq!(c.kind, CallKind::Service { id: "Reboot".into() });
        assert_eq!(c.reply_topic, format!("{P}/thing/service/Reboot_reply"));
        assert_eq!(c.topic, format!("{P}/thing/service/Reboot"), "the topic it came on");
        assert_eq!(c.request.id, "3");
    }

    #[test]
    fn sync_services_answer_on_the_same_topic() {
        let topic = format!("/ext/rrpc/777{P}/thing/service/Add");
        let c = call_of(classify(&me(), &topic, &req("1003")));
        assert_eq!(c.kind, CallKind::SyncService { id: "Add".into(), rrpc_id: "777".into() });
        assert_eq!(c.reply_topic, topic);
        let out = answer(&c, Answer::ok(json!({"sum": 5}))).unwrap();
        assert_eq!(out.topic, topic);
        let back: Value = serde_json::from_slice(&out.payload).unwrap();
        assert_eq!(
            (back["id"].as_str(), back["code"].as_u64(), &back["data"]),
            (Some("1003"), Some(200), &json!({"sum": 5}))
        );
        // The broker echoing that answer back is recognised, not taken for a new request.
        assert_eq!(classify(&me(), &topic, &out.payload), Inbound::Echo);
    }

    #[test]
    fn classic_rrpc_answers_on_the_response_topic() {
        let c = call_of(classify(&me(), &format!("{P}/rrpc/request/1234567"), &req("1005")));
        assert_eq!(c.kind, CallKind::Rrpc { msg_id: "1234567".into() });
        let out = answer(&c, Answer::err(9201)).unwrap();
        assert_eq!(out.topic, format!("{P}/rrpc/response/1234567"));
        assert_eq!(serde_json::from_slice::<Value>(&out.payload).unwrap()["code"], 9201);
    }

    #[test]
    fn replies_to_own_posts_are_recognised() {
        let body = br#"{"code":6306,"data":{},"id":"7","message":"bad","version":"1.0"}"#;
        match classify(&me(), &format!("{P}/thing/event/property/post_reply"), body) {
            Inbound::Reply(r) => assert_eq!((r.id.as_str(), r.code), ("7", 6306)),
            other => panic!("{other:?}"),
        }
        let ev = classify(&me(), &format!("{P}/thing/event/Alarm/post_reply"), br#"{"code":200,"id":"8"}"#);
        assert!(matches!(ev, Inbound::Reply(r) if r.id == "8"));
    }

    #[test]
    fn set_reply_goes_at_qos1_and_ack_0_gets_no_reply() {
        let c = call_of(classify(&me(), &format!("{P}/thing/service/property/set"), &req("1")));
        assert_eq!(answer(&c, Answer::ok(json!({}))).unwrap().qos, QoS::AtLeastOnce);
        assert_eq!(answer(&c, Answer::Silence), None);
        let quiet = br#"{"id":"9","version":"1.0","params":{},"sys":{"ack":0}}"#;
        let c = call_of(classify(&me(), &format!("{P}/thing/service/property/set"), quiet));
        assert_eq!(answer(&c, Answer::ok(json!({}))), None);
    }

    #[test]
    fn seams_and_everything_else() {
        let push = json!({"id":"1006","version":"1.0","method":"thing.config.push","params":{"configId":"c"}});
        let got = classify(&me(), &format!("{P}/thing/config/push"), push.to_string().as_bytes());
        assert!(matches!(got, Inbound::ConfigPush(r) if r.id == "1006"));
        let ota = br#"{"code":"1000","id":1,"message":"success","data":{"size":1,"version":"1.1","url":"http://h/f","md5":"00112233445566778899aabbccddeeff","sign":"00112233445566778899aabbccddeeff","signMethod":"Md5","module":"default"}}"#;
        assert!(matches!(classify(&me(), "/ota/device/upgrade/a1FakePK001/dev-001", ota), Inbound::OtaUpgrade(_)));
        // Another device's topic (a gateway's sub-device), junk, unknown topics, custom topics.
        assert_eq!(classify(&me(), "/sys/a1FakePK001/other/thing/service/property/set", &req("1")), Inbound::Other);
        assert_eq!(classify(&me(), &format!("{P}/thing/service/property/set"), b"not json"), Inbound::Other);
        assert_eq!(classify(&me(), "/no/such/topic", b"{}"), Inbound::Other);
        assert_eq!(classify(&me(), "/a1FakePK001/dev-001/user/x", b"{}"), Inbound::Other);
        assert_eq!(classify(&me(), "", b""), Inbound::Other);
    }
}
