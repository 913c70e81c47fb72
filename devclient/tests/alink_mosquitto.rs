//! The Alink device layer end to end through a plain Mosquitto, with a test client playing the
//! platform: posts await their `_reply`, and property set/get, async and sync services and
//! classic RRPC are answered on the right topics. (Mosquitto has no server-side
//! subscriptions, so the device subscribes its downlink topics itself, as C3 does.)

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use devclient::{Answer, Call, CallKind, Client, ConnectOptions, Device, DeviceOptions, Error, Handler, Identity, QoS};
use serde_json::{json, Value};
use support::{Mosquitto, DEADLINE};

const PK: &str = "a1FakePK001";
const DN: &str = "dev-001";
const P: &str = "/sys/a1FakePK001/dev-001";

/// A lamp: set/get a brightness, Reboot (async), Add (sync); counts calls.
#[derive(Default)]
struct Lamp {
    brightness: std::sync::Mutex<i64>,
    calls: AtomicUsize,
}

impl Handler for Lamp {
    fn call(&self, c: &Call) -> Answer {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let p = &c.request.params;
        match &c.kind {
            CallKind::PropertySet => match p["Brightness"].as_i64() {
                Some(b) => {
                    *self.brightness.lock().unwrap() = b;
                    Answer::ok(json!({}))
                }
                None => Answer::err(460),
            },
            CallKind::PropertyGet => Answer::ok(json!({"Brightness": *self.brightness.lock().unwrap()})),
            CallKind::Service { id } if id == "Reboot" => Answer::ok(json!({})),
            CallKind::SyncService { id, .. } if id == "Add" => {
                Answer::ok(json!({"sum": p["a"].as_i64().unwrap_or(0) + p["b"].as_i64().unwrap_or(0)}))
            }
            CallKind::Rrpc { .. } => Answer::ok(json!({"pong": true})),
            _ => Answer::err(9201),
        }
    }
}

async fn lamp_device(m: &Mosquitto, lamp: Arc<Lamp>) -> Device {
    let id = Identity::new(PK, DN, "0123456789abcdef0123456789abcdef");
    let o = DeviceOptions { reply_timeout: Duration::from_secs(5), ..DeviceOptions::python().handler(lamp) };
    let d = Device::connect(m.addr, &id, &o).await.unwrap();
    for f in [format!("{P}/#"), format!("/ext/rrpc/+{P}/#")] {
        d.client.subscribe(&f, QoS::AtLeastOnce).await.unwrap();
    }
    d
}

async fn platform(m: &Mosquitto) -> Client {
    let c = Client::connect(m.addr, &ConnectOptions::new("platform")).await.unwrap();
    c.subscribe(&format!("{P}/#"), QoS::AtLeastOnce).await.unwrap();
    c.subscribe(&format!("/ext/rrpc/+{P}/#"), QoS::AtLeastOnce).await.unwrap();
    c
}

/// The platform sends `body` on `topic` and returns the device's answer on `reply_topic`.
async fn ask(p: &mut Client, topic: &str, body: Value, reply_topic: &str) -> Value {
    p.publish(topic, QoS::AtLeastOnce, body.to_string()).await.unwrap();
    loop {
        let m = p.recv_within(DEADLINE).await.unwrap_or_else(|| panic!("no answer on {reply_topic}"));
        // The platform also sees its own request (and Mosquitto echoes same-topic requests).
        if m.topic == reply_topic && m.json().get("code").is_some() {
            return m.json();
        }
    }
}

#[tokio::test]
async fn posts_await_their_reply_by_alink_id() {
    let m = Mosquitto::start().await;
    let dev = lamp_device(&m, Arc::default()).await;
    let mut p = platform(&m).await;
    // The platform answers two posts in reverse order: each reaches its own waiter.
    let posts = async {
        let (a, b) = tokio::join!(
            dev.post_properties(json!({"Brightness": 1})),
            dev.post_event("Alarm", json!({"value": {"ErrorCode": 3}}))
        );
        (a.unwrap(), b.unwrap())
    };
    let answer = async {
        let mut got = Vec::new();
        while got.len() < 2 {
            let m = p.recv_within(DEADLINE).await.expect("the posts");
            if m.topic.ends_with("/post") {
                got.push((m.topic.clone(), m.json()));
            }
        }
        for (topic, body) in got.iter().rev() {
            let code = if topic.contains("Alarm") { 6306 } else { 200 };
            let reply = json!({"code": code, "data": {}, "id": body["id"], "message": "m", "version": "1.0"});
            p.publish(&format!("{topic}_reply"), QoS::AtMostOnce, reply.to_string()).await.unwrap();
        }
        got
    };
    let ((prop, event), got) = tokio::join!(posts, answer);
    assert_eq!((prop.code, event.code), (200, 6306));
    let methods: Vec<_> = got.iter().map(|(_, b)| b["method"].as_str().unwrap_or("").to_string()).collect();
    assert!(
        methods.contains(&"thing.event.property.post".to_string())
            && methods.contains(&"thing.event.Alarm.post".to_string())
    );
    assert_eq!(dev.in_flight(), 0);
}

#[tokio::test]
async fn a_post_nobody_answers_times_out_and_is_forgotten() {
    let m = Mosquitto::start().await;
    let id = Identity::new(PK, DN, "s");
    let o = DeviceOptions { reply_timeout: Duration::from_millis(300), ..DeviceOptions::python() };
    let dev = Device::connect(m.addr, &id, &o).await.unwrap();
    let r = dev.post_properties(json!({"Brightness": 1})).await;
    assert!(matches!(r, Err(Error::Timeout(_))), "{r:?}");
    assert_eq!(dev.in_flight(), 0);
}

#[tokio::test]
async fn downlinks_are_answered_on_the_right_topics() {
    let m = Mosquitto::start().await;
    let lamp = Arc::new(Lamp::default());
    let _dev = lamp_device(&m, lamp.clone()).await;
    let mut p = platform(&m).await;

    let set =
        json!({"id": "1001", "version": "1.0", "params": {"Brightness": 7}, "method": "thing.service.property.set"});
    let r =
        ask(&mut p, &format!("{P}/thing/service/property/set"), set, &format!("{P}/thing/service/property/set_reply"))
            .await;
    assert_eq!((r["id"].as_str(), r["code"].as_u64()), (Some("1001"), Some(200)));
    let bad = json!({"id": "1002", "version": "1.0", "params": {"Brightness": "x"}});
    let r =
        ask(&mut p, &format!("{P}/thing/service/property/set"), bad, &format!("{P}/thing/service/property/set_reply"))
            .await;
    assert_eq!(r["code"], 460);

    let get = json!({"id": "1003", "version": "1.0", "params": ["Brightness"]});
    let r =
        ask(&mut p, &format!("{P}/thing/service/property/get"), get, &format!("{P}/thing/service/property/get_reply"))
            .await;
    assert_eq!(r["data"]["Brightness"], 7);

    let reboot = json!({"id": "1004", "version": "1.0", "params": {}, "method": "thing.service.Reboot"});
    let r = ask(&mut p, &format!("{P}/thing/service/Reboot"), reboot, &format!("{P}/thing/service/Reboot_reply")).await;
    assert_eq!((r["id"].as_str(), r["code"].as_u64()), (Some("1004"), Some(200)));

    // Sync service over RRPC: the answer goes on the request's own topic; Mosquitto echoes
    // it back to the device, which must not take it for a second call.
    let rrpc = format!("/ext/rrpc/5551{P}/thing/service/Add");
    let add = json!({"id": "1005", "version": "1.0", "params": {"a": 2, "b": 3}});
    let r = ask(&mut p, &rrpc, add, &rrpc).await;
    assert_eq!((r["id"].as_str(), r["data"]["sum"].as_i64()), (Some("1005"), Some(5)));

    let classic = json!({"id": "1006", "version": "1.0", "params": {}});
    let r = ask(&mut p, &format!("{P}/rrpc/request/987654"), classic, &format!("{P}/rrpc/response/987654")).await;
    assert_eq!(r["data"]["pong"], true);

    // Unknown service: an error code, not silence.
    let nope = json!({"id": "1007", "version": "1.0", "params": {}});
    let r = ask(&mut p, &format!("{P}/thing/service/Nope"), nope, &format!("{P}/thing/service/Nope_reply")).await;
    assert_eq!(r["code"], 9201);

    assert_eq!(lamp.calls.load(Ordering::SeqCst), 7, "one call each; the echoed RRPC answer was not a call");
}

#[tokio::test]
async fn without_a_handler_downlinks_reach_the_inbox() {
    let m = Mosquitto::start().await;
    let id = Identity::new(PK, DN, "s");
    let mut dev = Device::connect(m.addr, &id, &DeviceOptions::python()).await.unwrap();
    dev.client.subscribe(&format!("{P}/#"), QoS::AtLeastOnce).await.unwrap();
    let p = Client::connect(m.addr, &ConnectOptions::new("platform")).await.unwrap();
    let set = format!("{P}/thing/service/property/set");
    p.publish(&set, QoS::AtLeastOnce, r#"{"id":"1","params":{"Brightness":3}}"#).await.unwrap();
    let got = dev.recv_within(DEADLINE).await.expect("in the inbox");
    assert_eq!((got.topic.as_str(), &got.json()["params"]["Brightness"]), (set.as_str(), &json!(3)));
    // A post sent without waiting: its reply is found in the inbox by id.
    let pid = dev.post_properties_nowait(json!({"Brightness": 3})).await.unwrap();
    p.publish(
        &format!("{P}/thing/event/property/post_reply"),
        QoS::AtMostOnce,
        json!({"code": 200, "id": pid, "data": {}}).to_string(),
    )
    .await
    .unwrap();
    assert_eq!(dev.reply_to(&pid, DEADLINE).await.expect("reply").code, 200);
}
