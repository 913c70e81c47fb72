//! Alibaba's C Link SDKs as the devices (built from their sources by `fleetdeck_tests::c_sdk`,
//! driven by the small C harnesses in `tests/c/`): the claim that devices built on them connect
//! unchanged rests on the SDKs themselves, not on clients that imitate them.
//!
//! - C 4.x (`aiot_mqtt_*`): connects with the SDK's own signature, subscribes, posts properties,
//!   gets a property set and answers a sync service over RRPC, both called over REST; each reply
//!   returns to the REST caller (code 200, the service's output) and the run log shows the flow
//!   under the call's trace.
//! - C 3.x (`iotkit-embedded`, `IOT_MQTT_*`): answers a classic RRPC
//!   (`/sys/{pk}/{dn}/rrpc/request/{msgId}` → `rrpc/response/{msgId}`), which fleetdeck picks
//!   for a C 3.x device by itself.
//!
//! The first run builds the SDKs (about 10 s for C 4.x, 20–30 s for C 3.x on two busy cores);
//! later runs reuse the build under the target directory.

use std::path::PathBuf;
use std::time::Duration;

use fleetdeck_tests::c_sdk::{field, CDevice, Sdk};
use model::debug::CallResult;
use model::registry::DeviceStatus;
use model::runlog::BizType;
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

/// `POST /api/v1/devices/{pk}/{dn}/properties/set` (SetDeviceProperty) as an operator would.
async fn set_properties(api: &Client, pk: &str, dn: &str, params: Value) -> CallResult {
    let body = api.post(&format!("/api/v1/devices/{pk}/{dn}/properties/set"), json!({ "params": params })).await.ok();
    serde_json::from_value(body).expect("a CallResult")
}

/// `POST /api/v1/devices/{pk}/{dn}/services/{identifier}` (InvokeThingService).
async fn invoke(api: &Client, pk: &str, dn: &str, identifier: &str, params: Value) -> CallResult {
    let path = format!("/api/v1/devices/{pk}/{dn}/services/{identifier}");
    let body = api.post(&path, json!({ "params": params, "timeout_ms": 8000 })).await.ok();
    serde_json::from_value(body).expect("a CallResult")
}

/// The run log shows the call's flow under its trace: the API call (`api`, 200), the downlink
/// on `down_topic` and the device's answer on `up_topic` (200).
async fn flow(app: &TestApp, pk: &str, dn: &str, r: &CallResult, api: &str, down_topic: &str, up_topic: &str) {
    let t = r.trace_id.as_str();
    let call = app.log_where(pk, dn, |e| e.trace_id == t && e.biz_type == BizType::ApiService).await;
    assert_eq!((call.operation.as_str(), call.status), (api, 200), "{call:?}");
    app.log_where(pk, dn, |e| e.trace_id == t && e.biz_type == BizType::Downlink && e.operation == down_topic).await;
    let up =
        app.log_where(pk, dn, |e| e.trace_id == t && e.biz_type == BizType::Uplink && e.operation == up_topic).await;
    assert_eq!(up.status, 200, "{up:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_c4_device_takes_a_property_set_and_answers_a_sync_service() {
    const PK: &str = "a1C4Lamp001";
    const DN: &str = "c4-lamp-01";
    let app = TestApp::builder().gateway().build().await;
    let api = app.client(Role::Admin).await;
    let operator = app.client(Role::Operator).await;
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
    assert!(d["sdk"].as_str().unwrap_or("").contains("sdk-c-4"), "the SDK is recognised from its client id: {d}");

    // A property post, acknowledged on post_reply.
    dev.send(r#"post {"LightSwitch":1,"Brightness":42}"#).await;
    assert_eq!(field(&dev.expect("post_reply").await, "code"), "200");

    // A property set: the device applies it (reports the new value) and replies 200.
    let r = set_properties(&operator, PK, DN, json!({"Brightness": 7})).await;
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
    flow(&app, PK, DN, &r, "SetDeviceProperty", &set_topic, &format!("{set_topic}_reply")).await;

    // A sync service over RRPC, answered on the RRPC topic with its output.
    let r = invoke(&operator, PK, DN, "Add", json!({"A": 2, "B": 3})).await;
    assert_eq!(r.code, 200, "{r:?}");
    assert_eq!(r.data, json!({"Sum": 5}));
    let svc = dev.expect("service").await;
    assert_eq!(field(&svc, "identifier"), "Add");
    let rrpc_topic = format!("/ext/rrpc/{}/sys/{PK}/{DN}/thing/service/Add", field(&svc, "rrpc_id"));
    flow(&app, PK, DN, &r, "InvokeThingService", &rrpc_topic, &rrpc_topic).await;

    dev.quit().await;
    // The device subscribed to its RRPC topic and answered on it: its answer is not echoed back.
    let services = dev.seen.iter().filter(|l| l.starts_with("service ")).count();
    assert_eq!(services, 1, "{:?}", dev.seen);
    app.wait_device(PK, DN, "offline after DISCONNECT", |r| r.device.status == DeviceStatus::Offline).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_c3_device_answers_a_classic_rrpc() {
    const PK: &str = "a1C3Lamp001";
    const DN: &str = "c3-lamp-01";
    let app = TestApp::builder().gateway().build().await;
    let api = app.client(Role::Admin).await;
    let operator = app.client(Role::Operator).await;
    let secret = lamp(&api, PK, DN).await;
    let mut dev = CDevice::start(Sdk::C3, app.mqtt_addr(), PK, DN, &secret).await;
    dev.expect("connected").await;
    dev.expect("subscribed").await;
    let d = api.get(&format!("/api/v1/devices/{PK}/{DN}")).await.ok();
    assert_eq!(d["status"], "online", "{d}");
    assert!(d["sdk"].as_str().unwrap_or("").contains("sdk-c-3"), "the SDK is recognised from its client id: {d}");

    // `Add` is a sync service: for a C 3.x device fleetdeck sends it as classic RRPC.
    let r = invoke(&operator, PK, DN, "Add", json!({"A": 20, "B": 22})).await;
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
        &r,
        "InvokeThingService",
        &format!("/sys/{PK}/{DN}/rrpc/request/{msg_id}"),
        &format!("/sys/{PK}/{DN}/rrpc/response/{msg_id}"),
    )
    .await;

    dev.quit().await;
}
