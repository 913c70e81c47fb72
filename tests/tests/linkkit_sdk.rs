//! The unmodified Python Link SDK (aliyun-iot-linkkit 1.2.13, paho-mqtt 1.x) as the device:
//! only host and port differ from a device talking to Alibaba Cloud.
//!
//! Needs the venv made by scripts/setup.sh (`FLEETDECK_TEST_PYTHON`, default `.venv-linkkit`).

use std::time::Duration;

use backend::commands::DeviceCall;
use fleetdeck_tests::linkkit::{lamp_tsl_path, SdkDevice};
use model::alink::DeviceRef;
use serde_json::{json, Value};
use testkit::{eventually, Role, TestApp};

const PK: &str = "a1PyLamp001";
const DN: &str = "py-lamp-01";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_link_sdk_connects_posts_and_answers_unchanged() {
    let app = TestApp::builder().gateway().build().await;
    let api = app.client(Role::Admin).await;
    api.product_named(PK, "Python lamp").await;
    let tsl_path = lamp_tsl_path();
    let tsl: Value = serde_json::from_str(&std::fs::read_to_string(&tsl_path).unwrap()).unwrap();
    api.put(&format!("/api/v1/products/{PK}/tsl"), tsl).await.ok();
    let secret = api.device(PK, DN).await;

    let mut dev = SdkDevice::spawn(PK, DN, &secret, app.mqtt_addr().port(), &tsl_path, &[]);

    // 1. CONNECT with the SDK's own hmacsha1 signature.
    let c = dev.expect("connect").await;
    assert_eq!(c["rc"], 0, "the SDK's signature is accepted");
    let d = api.get(&format!("/api/v1/devices/{PK}/{DN}")).await.ok();
    assert_eq!(d["status"], "online");
    assert!(d["sdk"].as_str().unwrap_or("").contains("Python"), "{d}");

    // 2. Property post and its reply callback (the SDK needs id, code, data and message).
    dev.send(r#"post {"LightSwitch": 1, "Brightness": 42}"#).await;
    let reply = dev.expect("prop_post_reply").await;
    assert_eq!(reply["code"], 200, "{reply}");
    let props = eventually(Duration::from_secs(10), "stored properties", || async {
        let p = api.get(&format!("/api/v1/devices/{PK}/{DN}/properties")).await.success()?;
        (p.as_array()?.len() == 2).then_some(p)
    })
    .await;
    let brightness = props.as_array().unwrap().iter().find(|p| p["identifier"] == "Brightness").unwrap();
    assert_eq!(brightness["value"], 42);

    // 3. property/set arrives although the SDK never subscribed; it auto-replies 200.
    let device = DeviceRef { pk: PK.into(), dn: DN.into() };
    let commands = &app.running().commands;
    let set = DeviceCall::SetProperties(json!({"Brightness": 7}));
    let r = commands.call(&device, set, Duration::from_secs(10)).await.expect("set_reply");
    assert_eq!(r.code, 200);
    let changed = dev.expect("prop_set").await;
    assert_eq!(changed["params"]["Brightness"], 7);

    // 4. A sync service over RRPC, answered on the same topic — and not echoed back to the SDK
    //    (an echo makes it log "on_thing_call_service raise exception: 'params'").
    let add = DeviceCall::InvokeService { identifier: "Add".into(), params: json!({"A": 2, "B": 3}) };
    let r = commands.call_via(&device, add, model_via_rrpc(), Duration::from_secs(10)).await.expect("RRPC reply");
    assert_eq!(r.code, 200);
    assert_eq!(r.data["Sum"], 5);
    let svc = dev.expect("service").await;
    assert_eq!(svc["identifier"], "Add");

    let seen = dev.quit_cleanly().await;
    let services = seen.iter().filter(|v| v["event"] == "service").count();
    assert_eq!(services, 1, "the service was delivered once and its reply not echoed: {seen:?}");
}

fn model_via_rrpc() -> backend::commands::Via {
    backend::commands::Via::Rrpc
}
