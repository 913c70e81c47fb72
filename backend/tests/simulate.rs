//! Device simulation (seed chapter 3) over REST against the whole server: a simulator is a real
//! MQTT device on the broker; it answers the console from its thing model, publishes what the
//! operator submits, follows push policies on the injected clock, and is refused where the seed
//! says so.

use std::time::Duration;

use backend::clock::{Clock, FakeClock};
use backend::commands::DeviceCall;
use model::alink::DeviceRef;
use model::auth::Role;
use model::registry::{DataFormat, DeviceStatus, NewProduct, NodeType};
use model::simulate::MAX_PERIOD_MS;
use serde_json::{json, Value};
use testkit::registry::*;
use testkit::wait::eventually;
use testkit::{TestApp, T0};

const T: Duration = Duration::from_secs(10);

fn base() -> String {
    format!("/api/v1/simulate/{PK}/{DN}")
}

async fn app_with(clock: Option<FakeClock>) -> TestApp {
    let mut b = TestApp::builder().gateway();
    if let Some(c) = clock {
        b = b.clock(c);
    }
    let app = b.build().await;
    app.product_with(PK, NodeType::Direct, false, Some(&model(PK))).await;
    app.device_with_secret(PK, DN, SECRET).await;
    app
}

async fn online(app: &TestApp, pk: &str, dn: &str) {
    eventually(T, "the simulated device is online", || async {
        let r = app.record(pk, dn).await?;
        (r.device.status == DeviceStatus::Online).then_some(())
    })
    .await;
}

async fn status(c: &testkit::Client) -> Value {
    c.get(&base()).await.ok()
}

#[tokio::test]
async fn a_simulator_answers_the_console_from_its_model() {
    let app = app_with(None).await;
    let op = app.client(Role::Operator).await;
    let s = op.post(&format!("{}/start", base()), json!({})).await.ok();
    assert_eq!(s["running"], true);
    online(&app, PK, DN).await;
    let cmd = &app.running().commands;
    let dev = DeviceRef::new(PK, DN);

    // Property set: the value sticks and is answered by property get.
    let r = cmd.call(&dev, DeviceCall::SetProperties(json!({"Brightness": 42})), T).await.unwrap();
    assert_eq!(r.code, 200);
    let r =
        cmd.call(&dev, DeviceCall::GetProperties(vec!["Brightness".into(), "Temperature".into()]), T).await.unwrap();
    assert_eq!(r.data["Brightness"], 42);
    let t = r.data["Temperature"].as_f64().expect("a generated temperature");
    assert!((-40.0..=120.0).contains(&t), "{t}");
    // The simulator keeps its own check too: the model's rules, with the seed's codes.
    let bad = devclient::Call {
        kind: devclient::CallKind::PropertySet,
        request: model::alink::Request::new("1", "thing.service.property.set", json!({"Brightness": 1000})),
        topic: String::new(),
        reply_topic: String::new(),
    };
    let brain = backend::simulate::answers::Brain::new(std::sync::Arc::new(model(PK)), 1, app.state().clock.clone());
    assert_eq!(brain.answer(&bad).0, devclient::Answer::err(model::tsl::codes::INT_MISMATCH));
    // Async and sync services: outputs generated from the model's output params.
    let reboot = DeviceCall::InvokeService { identifier: "Reboot".into(), params: json!({"delay": 1}) };
    assert_eq!(cmd.call(&dev, reboot, T).await.unwrap().code, 200);
    let add = DeviceCall::InvokeService { identifier: "Add".into(), params: json!({"a": 1, "b": 2}) };
    let r = cmd.call(&dev, add, T).await.unwrap();
    assert_eq!(r.code, 200);
    let sum = r.data["sum"].as_i64().expect("an output sum");
    assert!((0..=2000).contains(&sum));

    // The set value was re-reported: the platform's latest value is 42.
    eventually(T, "the set value reported back", || async {
        let p = op.get(&format!("/api/v1/devices/{PK}/{DN}/properties")).await.ok();
        let v = p.as_array()?.iter().find(|p| p["identifier"] == "Brightness")?["value"].clone();
        (v == json!(42)).then_some(())
    })
    .await;

    // Downstream: subscribe, and what the console publishes shows in the pane.
    let topic = format!("/{PK}/{DN}/user/get");
    op.post(&format!("{}/subscribe", base()), json!({"topic": topic})).await.ok();
    cmd.publish(&dev, &topic, bytes::Bytes::from_static(b"{\"hello\":1}")).await.unwrap();
    // Upstream: a custom topic.
    let up = format!("/{PK}/{DN}/user/update");
    let r = op.post(&format!("{}/publish", base()), json!({"topic": up, "payload": "{\"n\":1}", "qos": 1})).await;
    assert_eq!(r.status, 202);
    let lines = eventually(T, "the pane shows the round trips", || async {
        let s = status(&op).await;
        let lines = s["lines"].as_array()?.clone();
        let got = |dir: &str, t: &str| lines.iter().any(|l| l["dir"] == dir && l["topic"].as_str() == Some(t));
        (got("down", &topic) && got("up", &up)).then_some(lines)
    })
    .await;
    let set = lines
        .iter()
        .find(|l| l["dir"] == "down" && l["topic"].as_str().is_some_and(|t| t.ends_with("thing/service/property/set")))
        .expect("the console's set with the simulator's answer");
    assert_eq!(set["reply"]["code"], 200);

    // Stop: the device goes offline.
    assert_eq!(op.post(&format!("{}/stop", base()), json!({})).await.status, 204);
    eventually(T, "offline after stop", || async {
        let r = app.record(PK, DN).await?;
        (r.device.status == DeviceStatus::Offline).then_some(())
    })
    .await;
    app.shutdown().await;
}

#[tokio::test]
async fn the_seeds_refusals() {
    let app = app_with(None).await;
    let op = app.client(Role::Operator).await;
    // A viewer may not start one.
    let viewer = app.client(Role::Viewer).await;
    assert_eq!(viewer.post(&format!("{}/start", base()), json!({})).await.status, 403);
    // A custom data format.
    let req = NewProduct {
        name: "raw".into(),
        product_key: Some("a1RawPK0001".into()),
        product_secret: None,
        node_type: NodeType::Direct,
        data_format: DataFormat::Custom,
        dynamic_registration: false,
        description: String::new(),
    };
    backend::registry::create_product(app.state(), &req).await.unwrap();
    app.device("a1RawPK0001", "raw-1").await;
    let r = op.post("/api/v1/simulate/a1RawPK0001/raw-1/start", json!({})).await;
    assert_eq!(r.status, 409);
    assert!(r.body.to_string().contains("custom"), "{}", r.body);
    // A disabled device.
    let admin = app.client(Role::Admin).await;
    admin.patch(&format!("/api/v1/devices/{PK}/{DN}"), json!({"enabled": false})).await.ok();
    let r = op.post(&format!("{}/start", base()), json!({})).await;
    assert_eq!(r.status, 409);
    assert!(r.body.to_string().contains("disabled"), "{}", r.body);
    admin.patch(&format!("/api/v1/devices/{PK}/{DN}"), json!({"enabled": true})).await.ok();
    // A physical device online.
    let id = devclient::Identity::new(PK, DN, SECRET);
    let real = devclient::Device::connect(app.mqtt_addr(), &id, &devclient::DeviceOptions::python()).await.unwrap();
    online(&app, PK, DN).await;
    let r = op.post(&format!("{}/start", base()), json!({})).await;
    assert_eq!(r.status, 409);
    assert!(r.body.to_string().contains("online"), "{}", r.body);
    real.disconnect().await;
    eventually(T, "offline", || async {
        (app.record(PK, DN).await?.device.status == DeviceStatus::Offline).then_some(())
    })
    .await;
    // Not running yet: nothing to push.
    let r = op.post(&format!("{}/properties", base()), json!({"values": {"Brightness": 1}})).await;
    assert_eq!(r.status, 404);

    op.post(&format!("{}/start", base()), json!({})).await.ok();
    // Values are checked against the model, with the seed's codes.
    let r = op.post(&format!("{}/properties", base()), json!({"values": {"Brightness": 1000}})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["code"], model::tsl::codes::INT_MISMATCH.to_string(), "{}", r.body);
    let r = op.post(&format!("{}/properties", base()), json!({"values": {"Nope": 1}})).await;
    assert_eq!(r.body["code"], model::tsl::codes::PROPERTY_NOT_FOUND.to_string(), "{}", r.body);
    let r = op.post(&format!("{}/event", base()), json!({"event": "Nope", "params": {}})).await;
    assert_eq!(r.body["code"], model::tsl::codes::EVENT_NOT_IN_MODEL.to_string(), "{}", r.body);
    // Custom topics live under /user/ of this device.
    let r = op.post(&format!("{}/publish", base()), json!({"topic": "/sys/x/y/z", "payload": "", "qos": 0})).await;
    assert_eq!(r.status, 400);
    let r = op
        .post(&format!("{}/publish", base()), json!({"topic": format!("/{PK}/{DN}/user/a"), "payload": "", "qos": 2}))
        .await;
    assert_eq!(r.status, 400);
    // Push policies within the seed's limits.
    let now = app.state().now();
    let fast = json!({"kind": "interval", "interval_s": 0, "start_ms": now, "end_ms": now + 10_000});
    let r = op.post(&format!("{}/properties", base()), json!({"values": {"Brightness": 1}, "policy": fast})).await;
    assert_eq!(r.status, 400);
    assert!(r.body.to_string().contains("1 second"), "{}", r.body);
    let long = json!({"kind": "interval", "interval_s": 5, "start_ms": now, "end_ms": now + MAX_PERIOD_MS + 1000});
    let r = op.post(&format!("{}/properties", base()), json!({"values": {"Brightness": 1}, "policy": long})).await;
    assert!(r.body.to_string().contains("3 hours"), "{}", r.body);
    // Every write is audited.
    let audit = admin.get("/api/v1/audit?limit=50").await.ok().to_string();
    for action in ["simulate.start", "simulate.properties", "simulate.publish"] {
        assert!(audit.contains(action), "{action} in {audit}");
    }
    app.shutdown().await;
}

/// The pushes of the current policy, once they reach `n`.
async fn pushes(op: &testkit::Client, n: u64) -> Value {
    eventually(T, &format!("{n} pushes"), || async {
        let s = status(op).await;
        (s["pushes"].as_u64() == Some(n)).then_some(s)
    })
    .await
}

#[tokio::test]
async fn push_policies_run_on_the_injected_clock() {
    let clock = FakeClock::new(T0);
    let app = app_with(Some(clock.clone())).await;
    let op = app.client(Role::Operator).await;
    op.post(&format!("{}/start", base()), json!({"pinned": true})).await.ok();
    online(&app, PK, DN).await;

    // Every 2 s for 10 s: 6 pushes (at 0, 2, …, 10 s), then nothing.
    let start = clock.now_ms();
    let every = json!({"kind": "interval", "interval_s": 2, "start_ms": start + 1000, "end_ms": start + 11_000});
    let r = op.post(&format!("{}/properties", base()), json!({"values": {"Brightness": 7}, "policy": every})).await;
    assert_eq!(r.status, 202);
    for i in 1..=6u64 {
        clock.set_ms(start + 1000 + (i as i64 - 1) * 2000);
        pushes(&op, i).await;
    }
    clock.advance_ms(60_000);
    let s = pushes(&op, 6).await;
    assert_eq!(s["pushes_left"], 0);
    eventually(T, "the pushed value reached the platform", || async {
        let p = op.get(&format!("/api/v1/devices/{PK}/{DN}/properties")).await.ok();
        let v = p.as_array()?.iter().find(|p| p["identifier"] == "Brightness")?["value"].clone();
        (v == json!(7)).then_some(())
    })
    .await;

    // Only the last policy takes effect: an interval replaced by a one-off.
    let now = clock.now_ms();
    let every = json!({"kind": "interval", "interval_s": 1, "start_ms": now + 1000, "end_ms": now + 100_000});
    op.post(&format!("{}/properties", base()), json!({"values": {"Brightness": 8}, "policy": every})).await;
    clock.set_ms(now + 1000);
    pushes(&op, 1).await;
    let once = json!({"kind": "once", "at_ms": now + 5000});
    let r = op
        .post(&format!("{}/event", base()), json!({"event": "Alarm", "params": {"ErrorCode": 3}, "policy": once}))
        .await;
    assert_eq!(r.status, 202);
    let s = status(&op).await;
    assert_eq!((s["policy"]["kind"].as_str(), s["pushes"].as_u64()), (Some("once"), Some(0)), "{s}");
    clock.set_ms(now + 4999);
    clock.set_ms(now + 5000);
    pushes(&op, 1).await;
    clock.advance_ms(10_000);
    let s = pushes(&op, 1).await;
    assert_eq!(s["pushes_left"], 0);
    let lines = s["lines"].as_array().unwrap();
    assert_eq!(
        lines.iter().filter(|l| l["topic"].as_str().is_some_and(|t| t.ends_with("event/Alarm/post"))).count(),
        1
    );
    // The replaced interval pushed once and never again.
    let posts =
        lines.iter().filter(|l| l["dir"] == "up" && l["payload"].as_str() == Some("{\"Brightness\":8}")).count();
    assert_eq!(posts, 1, "{lines:?}");
    app.shutdown().await;
}

#[tokio::test]
async fn leaving_the_page_stops_an_unpinned_simulator() {
    let clock = FakeClock::new(T0);
    let app = app_with(Some(clock.clone())).await;
    let op = app.client(Role::Operator).await;
    op.post(&format!("{}/start", base()), json!({})).await.ok();
    online(&app, PK, DN).await;
    clock.advance_ms(20_000);
    assert_eq!(status(&op).await["running"], true, "the page looked: the lease is renewed");
    clock.advance_ms(29_000);
    assert_eq!(app.record(PK, DN).await.unwrap().device.status, DeviceStatus::Online);
    clock.advance_ms(2_000);
    // Only the store is looked at now: asking the simulator's status would renew its lease.
    eventually(T, "offline without its page", || async {
        (app.record(PK, DN).await?.device.status == DeviceStatus::Offline).then_some(())
    })
    .await;
    assert_eq!(status(&op).await["running"], false);
    app.shutdown().await;
}
