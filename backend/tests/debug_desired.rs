//! Desired property values over REST with a real server and real MQTT devices: versioned sets,
//! delivery to an offline device on **every** connect, clearing once the device reports the
//! value, the device's own `desired/delete`, and the REST clear.

use std::time::Duration;

use axum::http::StatusCode;
use devclient::{Client, QoS};
use model::alink::sign::{device_credentials, C_SDK_TIMESTAMP};
use model::alink::Sdk;
use model::registry::{DeviceStatus, NodeType};
use model::runlog::{BizType, LogQuery};
use serde_json::{json, Value};
use testkit::{eventually, Inbox, Role, TestApp, DEADLINE};

const PK: &str = "a1DebugDes01";

async fn start() -> TestApp {
    let app = TestApp::builder().gateway().build().await;
    app.product_with(PK, NodeType::Direct, false, Some(&testkit::registry::model(PK))).await;
    app
}

async fn connect(app: &TestApp, dn: &str, secret: &str) -> Client {
    let d = app.connect(&device_credentials(Sdk::C4, PK, dn, secret, C_SDK_TIMESTAMP)).await.unwrap();
    app.wait_device(PK, dn, "online", |r| r.device.status == DeviceStatus::Online).await;
    d
}

async fn offline(app: &TestApp, d: Client, dn: &str) {
    d.disconnect().await;
    app.wait_device(PK, dn, "offline", |r| r.device.status == DeviceStatus::Offline).await;
}

fn url(dn: &str) -> String {
    format!("/api/v1/devices/{PK}/{dn}/desired")
}

/// The next message on `property/set`: its params.
async fn next_set(d: &mut Client) -> Value {
    let m = d.next_message().await;
    assert!(m.topic.ends_with("/thing/service/property/set"), "{}", m.topic);
    let reply = json!({"id": m.json()["id"], "code": 200, "data": {}});
    d.publish(&format!("{}_reply", m.topic), QoS::AtLeastOnce, reply.to_string()).await.unwrap();
    m.json()["params"].clone()
}

async fn desired(api: &testkit::Client, dn: &str) -> Vec<Value> {
    api.get(&url(dn)).await.ok()["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_value_set_while_offline_arrives_on_every_connect_until_the_device_reports_it() {
    let app = start().await;
    let secret = app.device(PK, "dev1").await;
    let api = app.client(Role::Operator).await;

    // Offline: stored, version 1, then 2; nothing sent.
    let r = api.put(&url("dev1"), json!({"params": {"Brightness": 55}})).await.ok();
    assert_eq!((r["code"].as_u64(), r["pending"].as_bool()), (Some(200), Some(false)), "{r}");
    assert_eq!(r["data"]["items"][0]["version"], 1, "{r}");
    let r = api.put(&url("dev1"), json!({"params": {"Brightness": 56, "LightSwitch": 1}})).await.ok();
    let versions: Vec<(String, i64)> = r["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["identifier"].as_str().unwrap().to_string(), i["version"].as_i64().unwrap()))
        .collect();
    assert!(versions.contains(&("Brightness".into(), 2)) && versions.contains(&("LightSwitch".into(), 1)), "{r}");
    let trace = r["trace_id"].as_str().unwrap().to_string();
    let q = LogQuery { trace_id: Some(trace), ..Default::default() };
    let logs = app.stored_logs(&q).await;
    assert!(logs.iter().any(|e| e.biz_type == BizType::ApiService && e.operation == "SetDeviceDesiredProperty"));

    // The optimistic lock: a stale version is a conflict; the right one goes through.
    let r = api.put(&url("dev1"), json!({"params": {"Brightness": 57}, "versions": {"Brightness": 1}})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    let r = api.put(&url("dev1"), json!({"params": {"Brightness": 57}, "versions": {"Brightness": 2}})).await.ok();
    assert_eq!(r["data"]["items"][0]["version"], 3, "{r}");

    // Connect: both values arrive as one property/set.
    let mut d = connect(&app, "dev1", &secret).await;
    assert_eq!(next_set(&mut d).await, json!({"Brightness": 57, "LightSwitch": 1}));
    // It does not report them: the next connect sends them again.
    offline(&app, d, "dev1").await;
    let mut d = connect(&app, "dev1", &secret).await;
    assert_eq!(next_set(&mut d).await, json!({"Brightness": 57, "LightSwitch": 1}));

    // Reporting a value clears it; the other stays.
    let post =
        json!({"id": "1", "version": "1.0", "params": {"Brightness": 57}, "method": "thing.event.property.post"});
    let post_topic = format!("/sys/{PK}/dev1/thing/event/property/post");
    d.publish(&post_topic, QoS::AtLeastOnce, post.to_string()).await.unwrap();
    let left = eventually(DEADLINE, "Brightness cleared", || async {
        let items = desired(&api, "dev1").await;
        (items.len() == 1).then_some(items)
    })
    .await;
    assert_eq!(left[0]["identifier"], "LightSwitch");

    // The device deletes the other itself (C4 `desired/delete`).
    let del = json!({"id": "2", "version": "1.0", "params": {"LightSwitch": {"version": 1}}});
    d.publish(&format!("/sys/{PK}/dev1/thing/property/desired/delete"), QoS::AtLeastOnce, del.to_string())
        .await
        .unwrap();
    eventually(DEADLINE, "all cleared", || async { desired(&api, "dev1").await.is_empty().then_some(()) }).await;
    // Both replies reach this connection (the post's once it is committed) before it goes.
    let mut replies = Vec::new();
    while replies.len() < 2 {
        let m = d.next_message().await;
        if m.topic.ends_with("property/post_reply") || m.topic.ends_with("desired/delete_reply") {
            replies.push(m.topic);
        }
    }

    // Nothing left: a reconnect brings no property/set.
    offline(&app, d, "dev1").await;
    let mut d = connect(&app, "dev1", &secret).await;
    let extra = d.recv_within(Duration::from_millis(500)).await;
    assert!(extra.is_none(), "nothing to push: {:?}", extra.map(|m| m.topic));
}

#[tokio::test]
async fn an_online_device_gets_the_value_at_once_and_clear_removes_values() {
    let app = start().await;
    let secret = app.device(PK, "dev2").await;
    let api = app.client(Role::Operator).await;
    let mut d = connect(&app, "dev2", &secret).await;

    let r = api.put(&url("dev2"), json!({"params": {"Label": "hello"}})).await.ok();
    assert_eq!((r["code"].as_u64(), r["pending"].as_bool()), (Some(200), Some(true)), "{r}");
    assert_eq!(next_set(&mut d).await, json!({"Label": "hello"}));
    let trace = r["trace_id"].as_str().unwrap().to_string();
    let q = LogQuery { trace_id: Some(trace), ..Default::default() };
    eventually(DEADLINE, "the set_reply in the trace", || async {
        let logs = app.stored_logs(&q).await;
        logs.iter().any(|e| e.biz_type == BizType::Uplink && e.operation.ends_with("property/set_reply")).then_some(())
    })
    .await;

    api.put(&url("dev2"), json!({"params": {"Brightness": 3}})).await.ok();
    next_set(&mut d).await;
    assert_eq!(desired(&api, "dev2").await.len(), 2);
    let r = api.delete(&format!("{}?identifiers=Label,Nope", url("dev2"))).await.ok();
    assert_eq!(r["cleared"], json!(["Label"]));
    let r = api.delete(&url("dev2")).await.ok();
    assert_eq!(r["cleared"], json!(["Brightness"]));
    assert!(desired(&api, "dev2").await.is_empty());
    let r = api.delete(&format!("/api/v1/devices/{PK}/ghost/desired")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
