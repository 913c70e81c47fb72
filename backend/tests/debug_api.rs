//! Online debugging over REST against a real server and real MQTT devices: property set/get,
//! sync and async services, custom-topic publish, the log switch — every route with the seed's
//! codes (offline 9201, timeout 1905 on the fake clock, disabled 6208, read-only 6332, invalid
//! value 63xx, unknown service 5094), requests refused with 400, viewers with 403, the
//! `ApiService` run-log entry in the trace of the traffic it caused, late replies, no echo.

use axum::http::StatusCode;
use backend::clock::FakeClock;
use devclient::{Client, QoS};
use model::alink::sign::{device_credentials, C_SDK_TIMESTAMP};
use model::alink::Sdk;
use model::registry::{DeviceStatus, NodeType};
use model::runlog::{BizType, LogEntry, LogQuery};
use serde_json::{json, Value};
use testkit::{eventually, Inbox, Role, TestApp, DEADLINE, T0};

const PK: &str = "a1DebugApi01";

async fn app_with(clock: Option<FakeClock>) -> TestApp {
    let b = TestApp::builder().gateway();
    let app = match clock {
        Some(c) => b.clock(c).build().await,
        None => b.build().await,
    };
    app.product_with(PK, NodeType::Direct, false, Some(&testkit::registry::model(PK))).await;
    app
}

/// A device with C4 credentials, connected and online.
async fn online(app: &TestApp, dn: &str) -> Client {
    let secret = match app.record(PK, dn).await {
        Some(r) => r.device_secret,
        None => app.device(PK, dn).await,
    };
    let d = app.connect(&device_credentials(Sdk::C4, PK, dn, &secret, C_SDK_TIMESTAMP)).await.unwrap();
    app.wait_device(PK, dn, "online", |r| r.device.status == DeviceStatus::Online).await;
    d
}

/// A POST that owns its path (for `join!` with the device's side).
async fn post(api: &testkit::Client, path: String, body: Value) -> testkit::Resp {
    api.post(&path, body).await
}

fn url(dn: &str, rest: &str) -> String {
    format!("/api/v1/devices/{PK}/{dn}/{rest}")
}

/// The run log of one trace, once it has an entry that `done` accepts.
async fn trace_where(app: &TestApp, trace: &str, done: impl Fn(&[LogEntry]) -> bool) -> Vec<LogEntry> {
    let q = LogQuery { trace_id: Some(trace.into()), limit: Some(100), ..Default::default() };
    eventually(DEADLINE, &format!("trace {trace}"), || async {
        let logs = app.stored_logs(&q).await;
        done(&logs).then_some(logs)
    })
    .await
}

fn has(logs: &[LogEntry], biz: BizType, op: &str, status: u32) -> bool {
    logs.iter().any(|e| e.biz_type == biz && e.operation.contains(op) && e.status == status)
}

/// Answer the next request the device received with `code`/`data` on its reply topic.
async fn answer(d: &mut Client, code: u32, data: Value) -> (String, Value) {
    let m = d.next_message().await;
    let req = m.json();
    let id = req["id"].as_str().unwrap().to_string();
    let topic = if m.topic.starts_with("/ext/rrpc/") { m.topic.clone() } else { format!("{}_reply", m.topic) };
    let reply = json!({"id": id, "code": code, "data": data, "version": "1.0"});
    d.publish(&topic, QoS::AtLeastOnce, reply.to_string()).await.unwrap();
    (m.topic, req)
}

#[tokio::test]
async fn set_get_and_a_sync_service_reach_a_real_device_and_are_logged_in_one_trace() {
    let app = app_with(None).await;
    let mut d = online(&app, "dev1").await;
    let api = app.client(Role::Operator).await;

    // Set: the device's set_reply comes back as the result.
    let (r, (topic, req)) =
        tokio::join!(post(&api, url("dev1", "properties/set"), json!({"params": {"Brightness": 40}})), async {
            answer(&mut d, 200, json!({})).await
        });
    let r = r.ok();
    assert_eq!(topic, format!("/sys/{PK}/dev1/thing/service/property/set"));
    assert_eq!(req["params"], json!({"Brightness": 40}));
    assert_eq!((r["code"].as_u64(), r["pending"].as_bool()), (Some(200), Some(false)), "{r}");
    assert_eq!(r["message_id"], req["id"]);
    let trace = r["trace_id"].as_str().unwrap().to_string();
    let logs = trace_where(&app, &trace, |l| l.len() >= 4).await;
    assert!(has(&logs, BizType::ApiService, "SetDeviceProperty", 200), "{logs:#?}");
    assert!(has(&logs, BizType::Downlink, "property/set", 200), "{logs:#?}");
    assert!(has(&logs, BizType::Uplink, "property/set_reply", 200), "{logs:#?}");
    assert_eq!(logs.iter().filter(|e| e.biz_type == BizType::ApiService).count(), 1);

    // A device's own error code is the call's code (HTTP 200 all the same).
    let (r, _) =
        tokio::join!(post(&api, url("dev1", "properties/set"), json!({"params": {"LightSwitch": 1}})), async {
            answer(&mut d, 6813, json!({})).await
        });
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["code"], 6813, "{:?}", r.body);

    // Get: the device answers with its values.
    let (r, (topic, req)) =
        tokio::join!(post(&api, url("dev1", "properties/get"), json!({"identifiers": ["Brightness"]})), async {
            answer(&mut d, 200, json!({"Brightness": 40})).await
        });
    let r = r.ok();
    assert!(topic.ends_with("/thing/service/property/get"), "{topic}");
    assert_eq!(req["params"], json!(["Brightness"]));
    assert_eq!((r["code"].as_u64(), &r["data"]), (Some(200), &json!({"Brightness": 40})), "{r}");

    // A sync service goes over RRPC and the output comes back.
    let (r, (topic, _)) = tokio::join!(
        post(&api, url("dev1", "services/Add"), json!({"params": {"a": 2, "b": 3}, "timeout_ms": 8000})),
        async { answer(&mut d, 200, json!({"sum": 5})).await }
    );
    let r = r.ok();
    assert!(topic.starts_with("/ext/rrpc/") && topic.ends_with("/thing/service/Add"), "{topic}");
    assert_eq!((r["code"].as_u64(), &r["data"]), (Some(200), &json!({"sum": 5})), "{r}");
    let trace = r["trace_id"].as_str().unwrap().to_string();
    let logs = trace_where(&app, &trace, |l| has(l, BizType::Uplink, "/thing/service/Add", 200)).await;
    assert!(has(&logs, BizType::ApiService, "InvokeThingService", 200), "{logs:#?}");

    // Every call is audited.
    let admin = app.client(Role::Admin).await;
    let audit = admin.get("/api/v1/audit?page_size=100").await.ok();
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    for a in ["device.property.set", "device.property.get", "device.service.invoke"] {
        assert!(actions.contains(&a), "{a} not audited: {actions:?}");
    }
}

#[tokio::test]
async fn an_async_service_returns_at_once_and_its_late_reply_is_logged_in_the_trace() {
    let app = app_with(None).await;
    let mut d = online(&app, "dev1").await;
    let api = app.client(Role::Operator).await;

    let r = api.post(&url("dev1", "services/Reboot"), json!({"params": {"delay": 3}})).await.ok();
    assert_eq!((r["code"].as_u64(), r["pending"].as_bool()), (Some(200), Some(true)), "{r}");
    let trace = r["trace_id"].as_str().unwrap().to_string();
    let m = d.next_message().await;
    assert_eq!(m.topic, format!("/sys/{PK}/dev1/thing/service/Reboot"));
    assert_eq!(m.json()["id"], r["message_id"]);
    // The reply comes whenever the device is done, with its own code.
    let reply = json!({"id": m.json()["id"], "code": 9112, "data": {}});
    d.publish(&format!("{}_reply", m.topic), QoS::AtLeastOnce, reply.to_string()).await.unwrap();
    let logs = trace_where(&app, &trace, |l| has(l, BizType::Uplink, "Reboot_reply", 9112)).await;
    assert!(has(&logs, BizType::ApiService, "InvokeThingService", 200), "{logs:#?}");
    assert!(has(&logs, BizType::Downlink, "thing/service/Reboot", 200), "{logs:#?}");
    assert!(logs.iter().any(|e| e.content.contains("late reply")), "{logs:#?}");
}

#[tokio::test]
async fn no_reply_in_time_is_1905_on_the_fake_clock_and_a_late_reply_still_lands_in_the_trace() {
    let clock = FakeClock::new(T0);
    let app = app_with(Some(clock.clone())).await;
    let mut d = online(&app, "dev1").await;
    let api = app.client(Role::Operator).await;

    let body = json!({"params": {"Brightness": 9}, "timeout_ms": 2000});
    let answered = std::cell::Cell::new(false);
    let call = async {
        let r = post(&api, url("dev1", "properties/set"), body).await;
        answered.set(true);
        r
    };
    let (r, m) = tokio::join!(call, async {
        let m = d.next_message().await;
        // The device never answers; the call's 2 s pass on the fake clock, in steps, until
        // the call gives up (no real waiting for the timeout).
        let mut waited = 0;
        while !answered.get() {
            assert!(waited < 4000, "no timeout after {waited} ms of the fake clock");
            clock.advance_ms(250);
            waited += 250;
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(waited >= 2000, "timed out after {waited} ms, before its 2 s");
        m
    });
    let r = r.ok();
    assert_eq!(r["code"], 1905, "{r}");
    assert_eq!(r["message_id"], m.json()["id"], "the request went out");
    let trace = r["trace_id"].as_str().unwrap().to_string();

    // The device answers after all: recorded with its code, in the call's trace.
    let reply = json!({"id": m.json()["id"], "code": 200, "data": {}});
    d.publish(&format!("{}_reply", m.topic), QoS::AtLeastOnce, reply.to_string()).await.unwrap();
    let logs = trace_where(&app, &trace, |l| has(l, BizType::Uplink, "property/set_reply", 200)).await;
    assert!(has(&logs, BizType::ApiService, "SetDeviceProperty", 1905), "{logs:#?}");
    assert!(has(&logs, BizType::Downlink, "property/set", 1905), "the timeout itself: {logs:#?}");
    assert!(logs.iter().any(|e| e.content.contains("late reply")), "{logs:#?}");
}

#[tokio::test]
async fn the_seed_codes_for_offline_disabled_and_model_refusals() {
    let app = app_with(None).await;
    let api = app.client(Role::Operator).await;
    app.device(PK, "off1").await;
    let post = |dn: &'static str, rest: &'static str, body: Value| {
        let api = &api;
        async move { api.post(&url(dn, rest), body).await.ok() }
    };

    // Offline: 9201 at once, nothing sent (no message id).
    let r = post("off1", "properties/set", json!({"params": {"Brightness": 1}})).await;
    assert_eq!((r["code"].as_u64(), &r["message_id"]), (Some(9201), &Value::Null), "{r}");
    let r = post("off1", "services/Add", json!({"params": {"a": 1, "b": 1}})).await;
    assert_eq!(r["code"], 9201, "{r}");
    let r = post("off1", "publish", json!({"topic": format!("/{PK}/off1/user/cmd"), "payload": "hi"})).await;
    assert_eq!(r["code"], 9201, "{r}");
    let trace = r["trace_id"].as_str().unwrap().to_string();
    let logs = trace_where(&app, &trace, |l| has(l, BizType::ApiService, "Pub", 9201)).await;
    assert!(has(&logs, BizType::Downlink, "/user/cmd", 9201), "{logs:#?}");

    // The thing model refuses before anything else: read-only 6332, bad value 63xx, unknown
    // property 5092, unknown service 5094, a missing service parameter 6302.
    let r = post("off1", "properties/set", json!({"params": {"Temperature": 20.5}})).await;
    assert_eq!(r["code"], 6332, "{r}");
    let r = post("off1", "properties/set", json!({"params": {"Brightness": 400}})).await;
    let code = r["code"].as_u64().unwrap();
    assert!((6300..6400).contains(&code) && code != 6332, "{r}");
    let r = post("off1", "properties/set", json!({"params": {"Nope": 1}})).await;
    assert_eq!(r["code"], 5092, "{r}");
    let r = post("off1", "properties/get", json!({"identifiers": ["Nope"]})).await;
    assert_eq!(r["code"], 5092, "{r}");
    let r = post("off1", "services/Nope", json!({"params": {}})).await;
    assert_eq!(r["code"], 5094, "{r}");
    let r = post("off1", "services/Add", json!({"params": {"a": 1}})).await;
    assert_eq!(r["code"], 6302, "{r}");
    let r = api.put(&url("off1", "desired"), json!({"params": {"Temperature": 1.5}})).await.ok();
    assert_eq!(r["code"], 6332, "desired refuses read-only too: {r}");
    let desired = api.get(&url("off1", "desired")).await.ok();
    assert_eq!(desired["items"], json!([]), "nothing stored");

    // Disabled: 6208.
    let mut d = online(&app, "dis1").await;
    let admin = app.client(Role::Admin).await;
    admin.patch(&format!("/api/v1/devices/{PK}/dis1"), json!({"enabled": false})).await.ok();
    let _ = d.closed_within(DEADLINE).await;
    let r = post("dis1", "properties/set", json!({"params": {"Brightness": 1}})).await;
    assert_eq!(r["code"], 6208, "{r}");
    let r = post("dis1", "services/Reboot", json!({"params": {"delay": 1}})).await;
    assert_eq!(r["code"], 6208, "{r}");
}

#[tokio::test]
async fn malformed_requests_are_400_viewers_403_unknown_devices_404() {
    let app = app_with(None).await;
    let api = app.client(Role::Operator).await;
    app.device(PK, "dev1").await;
    let bad = [
        ("properties/set", json!({"params": {"Brightness": 1}, "timeout_ms": 999})),
        ("properties/set", json!({"params": {"Brightness": 1}, "timeout_ms": 8001})),
        ("properties/get", json!({"identifiers": []})),
        ("services/Add", json!({"params": {"a": 1, "b": 1}, "timeout_ms": 100000})),
        ("publish", json!({"topic": format!("/sys/{PK}/dev1/thing/service/property/set"), "payload": "x"})),
        ("publish", json!({"topic": format!("/{PK}/other/user/cmd"), "payload": "x"})),
        ("publish", json!({"topic": format!("/{PK}/dev1/user/#"), "payload": "x"})),
        ("publish", json!({"topic": format!("/{PK}/dev1/user/cmd"), "payload": "x", "qos": 2})),
    ];
    for (rest, body) in bad {
        let r = api.post(&url("dev1", rest), body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{rest} {body}: {:?}", r.body);
        assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()), "{:?}", r.body);
    }
    let r = api.put(&url("dev1", "log-switch"), json!({"mode": 2})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    let r = api.post(&url("dev1", "properties/set"), json!({"params": "not an object"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);

    let r = api.post(&format!("/api/v1/devices/{PK}/ghost/properties/set"), json!({"params": {"Brightness": 1}})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // A viewer may read desired values but change nothing.
    let viewer = app.client(Role::Viewer).await;
    assert_eq!(viewer.get(&url("dev1", "desired")).await.status, StatusCode::OK);
    let refused = [
        viewer.post(&url("dev1", "properties/set"), json!({"params": {"Brightness": 1}})).await,
        viewer.post(&url("dev1", "properties/get"), json!({"identifiers": ["Brightness"]})).await,
        viewer.post(&url("dev1", "services/Add"), json!({"params": {}})).await,
        viewer.put(&url("dev1", "desired"), json!({"params": {"Brightness": 1}})).await,
        viewer.delete(&url("dev1", "desired")).await,
        viewer.post(&url("dev1", "publish"), json!({"topic": format!("/{PK}/dev1/user/cmd"), "payload": "x"})).await,
        viewer.put(&url("dev1", "log-switch"), json!({"mode": 1})).await,
    ];
    for r in refused {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    }
    // The refused requests are audited too.
    let admin = app.client(Role::Admin).await;
    let audit = admin.get("/api/v1/audit?page_size=100").await.ok();
    assert!(
        audit["items"].as_array().unwrap().iter().any(|e| e["action"] == "device.publish" && e["result"] != "ok"),
        "{audit}"
    );
}

#[tokio::test]
async fn publish_and_log_switch_reach_the_device_and_nothing_is_echoed_back() {
    let app = app_with(None).await;
    let mut d = online(&app, "dev1").await;
    let api = app.client(Role::Operator).await;

    // A device subscribed to topics it publishes on (its RRPC topic, as Alibaba's RRPC example
    // does; its own user topics) must not get its own messages back.
    for f in [format!("/ext/rrpc/+/sys/{PK}/dev1/thing/service/+"), format!("/{PK}/dev1/user/#")] {
        let codes = d.subscribe(&f, QoS::AtLeastOnce).await.unwrap();
        assert!(matches!(codes[..], [devclient::SubscribeReasonCode::Success(_)]), "{f}: {codes:?}");
    }
    d.publish(&format!("/{PK}/dev1/user/update"), QoS::AtLeastOnce, "mine").await.unwrap();
    let rrpc = format!("/ext/rrpc/4242/sys/{PK}/dev1/thing/service/Add");
    d.publish(&rrpc, QoS::AtLeastOnce, r#"{"id":"4242","code":200,"data":{"sum":1}}"#).await.unwrap();

    let topic = format!("/{PK}/dev1/user/cmd");
    let r = api.post(&url("dev1", "publish"), json!({"topic": topic, "payload": "{\"on\":1}", "qos": 1})).await.ok();
    assert_eq!(r["code"], 200, "{r}");
    let m = d.next_message().await;
    assert_eq!((m.topic.as_str(), &m.payload[..]), (topic.as_str(), &b"{\"on\":1}"[..]), "an echo came first");
    let trace = r["trace_id"].as_str().unwrap().to_string();
    let logs = trace_where(&app, &trace, |l| has(l, BizType::Downlink, "/user/cmd", 200)).await;
    assert!(has(&logs, BizType::ApiService, "Pub", 200), "{logs:#?}");

    // The stored mode is readable (by a viewer too): off until switched.
    let viewer = app.client(Role::Viewer).await;
    assert_eq!(viewer.get(&url("dev1", "log-switch")).await.ok(), json!({"mode": 0}));
    let r = api.put(&url("dev1", "log-switch"), json!({"mode": 1})).await.ok();
    assert_eq!((r["code"].as_u64(), &r["data"]), (Some(200), &json!({"mode": 1, "pushed": true})), "{r}");
    assert_eq!(viewer.get(&url("dev1", "log-switch")).await.ok(), json!({"mode": 1}));
    assert_eq!(viewer.get(&url("ghost", "log-switch")).await.status, StatusCode::NOT_FOUND);
    let m = d.next_message().await;
    assert!(m.topic.ends_with("/thing/config/log/push"), "{}", m.topic);
    assert_eq!(m.json()["params"]["content"]["mode"], 1, "{}", m.json());
    assert!(d.recv_within(std::time::Duration::from_millis(300)).await.is_none(), "nothing else arrives");
}
