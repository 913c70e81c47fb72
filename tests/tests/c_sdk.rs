//! Alibaba's C Link SDKs as the devices (built from their sources by `fleetdeck_tests::c_sdk`,
//! driven by the small C harnesses in `tests/c/`): the claim that devices built on them connect
//! unchanged rests on the SDKs themselves, not on clients that imitate them.
//!
//! - C 4.x (`aiot_mqtt_*`): connects with the SDK's own signature, subscribes, posts properties,
//!   gets a property set and answers a sync service over RRPC; each reply returns to the caller.
//! - C 3.x (`iotkit-embedded`, `IOT_MQTT_*`): answers a classic RRPC
//!   (`/sys/{pk}/{dn}/rrpc/request/{msgId}` → `rrpc/response/{msgId}`), which fleetdeck picks
//!   for a C 3.x device by itself.
//!
//! The first run builds the SDKs (about 10 s for C 4.x, 20–30 s for C 3.x on two busy cores);
//! later runs reuse the build under the target directory.

use std::path::PathBuf;
use std::time::Duration;

use backend::commands::DeviceCall;
use fleetdeck_tests::c_sdk::{field, CDevice, Sdk};
use model::alink::{DeviceRef, Reply};
use model::registry::DeviceStatus;
use model::runlog::{BizType, LogEntry};
use serde_json::{json, Value};
use testkit::{eventually, Client, Role, TestApp};

/// The Python SDK test's lamp (LightSwitch, Brightness; `Add` is a sync service), under `pk`.
fn lamp_tsl(pk: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/linkkit_lamp_tsl.json");
    let mut tsl: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    tsl["profile"]["productKey"] = json!(pk);
    tsl
}

/// A product with the lamp model and one device; its secret.
async fn lamp(api: &Client, pk: &str, dn: &str) -> String {
    api.product_named(pk, "C SDK lamp").await;
    api.put(&format!("/api/v1/products/{pk}/tsl"), lamp_tsl(pk)).await.ok();
    api.device(pk, dn).await
}

/// A device call as the server makes it for a REST caller (the transport chosen by fleetdeck).
async fn call(app: &TestApp, pk: &str, dn: &str, call: DeviceCall) -> Reply {
    let device = DeviceRef { pk: pk.into(), dn: dn.into() };
    app.running().commands.call(&device, call, Duration::from_secs(8)).await.expect("the device's reply")
}

/// The uplink `up_topic` answering the downlink `down_topic` of the same flow, both in the run
/// log under one trace.
async fn flow(app: &TestApp, pk: &str, dn: &str, down_topic: &str, up_topic: &str) -> (LogEntry, LogEntry) {
    let down = app.log_where(pk, dn, |e| e.biz_type == BizType::Downlink && e.operation == down_topic).await;
    let up = app
        .log_where(pk, dn, |e| e.biz_type == BizType::Uplink && e.operation == up_topic && e.trace_id == down.trace_id)
        .await;
    assert_eq!(up.status, 200, "{up:?}");
    (down, up)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_c4_device_takes_a_property_set_and_answers_a_sync_service() {
    const PK: &str = "a1C4Lamp001";
    const DN: &str = "c4-lamp-01";
    let app = TestApp::builder().gateway().build().await;
    let api = app.client(Role::Admin).await;
    let secret = lamp(&api, PK, DN).await;
    let mut dev = CDevice::start(Sdk::C4, app.mqtt_addr(), PK, DN, &secret).await;

    // CONNECT signed by the SDK (hmacsha256, securemode=3 over plain TCP), then its subscriptions.
    dev.expect("connected").await;
    for _ in 0..3 {
        let ack = dev.expect("suback").await;
        assert!(field(&ack, "res").parse::<i64>().unwrap() >= 0, "a subscription was refused: {ack}");
    }
    let d = api.get(&format!("/api/v1/devices/{PK}/{DN}")).await.ok();
    assert_eq!(d["status"], "online", "{d}");
    assert!(d["sdk"].as_str().unwrap_or("").starts_with('C'), "the SDK is recognised as a C SDK: {d}");

    // A property post, acknowledged on post_reply.
    dev.send(r#"post {"LightSwitch":1,"Brightness":42}"#).await;
    assert_eq!(field(&dev.expect("post_reply").await, "code"), "200");

    // A property set: the device applies it (reports the new value) and replies 200.
    let r = call(&app, PK, DN, DeviceCall::SetProperties(json!({"Brightness": 7}))).await;
    assert_eq!(r.code, 200, "{r:?}");
    let set = dev.expect("property_set").await;
    let params: Value = serde_json::from_str(field(&set, "params")).unwrap();
    assert_eq!(params, json!({"Brightness": 7}));
    eventually(Duration::from_secs(10), "Brightness 7 stored from the device's post", || async {
        let p = api.get(&format!("/api/v1/devices/{PK}/{DN}/properties")).await.success()?;
        p.as_array()?.iter().any(|p| p["identifier"] == "Brightness" && p["value"] == 7).then_some(())
    })
    .await;
    let set_topic = format!("/sys/{PK}/{DN}/thing/service/property/set");
    flow(&app, PK, DN, &set_topic, &format!("{set_topic}_reply")).await;

    // A sync service over RRPC, answered on the RRPC topic with its output.
    let add = DeviceCall::InvokeService { identifier: "Add".into(), params: json!({"A": 2, "B": 3}) };
    let r = call(&app, PK, DN, add).await;
    assert_eq!(r.code, 200, "{r:?}");
    assert_eq!(r.data, json!({"Sum": 5}));
    let svc = dev.expect("service").await;
    assert_eq!(field(&svc, "identifier"), "Add");
    let rrpc_topic = format!("/ext/rrpc/{}/sys/{PK}/{DN}/thing/service/Add", field(&svc, "rrpc_id"));
    flow(&app, PK, DN, &rrpc_topic, &rrpc_topic).await;

    dev.quit().await;
    app.wait_device(PK, DN, "offline after DISCONNECT", |r| r.device.status == DeviceStatus::Offline).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_c3_device_answers_a_classic_rrpc() {
    const PK: &str = "a1C3Lamp001";
    const DN: &str = "c3-lamp-01";
    let app = TestApp::builder().gateway().build().await;
    let api = app.client(Role::Admin).await;
    let secret = lamp(&api, PK, DN).await;
    let mut dev = CDevice::start(Sdk::C3, app.mqtt_addr(), PK, DN, &secret).await;
    dev.expect("connected").await;
    dev.expect("subscribed").await;
    let d = api.get(&format!("/api/v1/devices/{PK}/{DN}")).await.ok();
    assert_eq!(d["status"], "online", "{d}");

    // `Add` is a sync service: for a C 3.x device fleetdeck sends it as classic RRPC.
    let add = DeviceCall::InvokeService { identifier: "Add".into(), params: json!({"A": 20, "B": 22}) };
    let r = call(&app, PK, DN, add).await;
    assert_eq!(r.code, 200, "{r:?}");
    assert_eq!(r.data, json!({"Sum": 42}));
    let req = dev.expect("rrpc_request").await;
    let msg_id = field(&req, "msg_id").to_string();
    let payload: Value = serde_json::from_str(field(&req, "payload")).unwrap();
    assert_eq!(payload["method"], "thing.service.Add", "{payload}");
    flow(
        &app,
        PK,
        DN,
        &format!("/sys/{PK}/{DN}/rrpc/request/{msg_id}"),
        &format!("/sys/{PK}/{DN}/rrpc/response/{msg_id}"),
    )
    .await;

    dev.quit().await;
}
