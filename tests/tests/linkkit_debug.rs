//! Online debugging through the REST API with the unmodified Python Link SDK (aliyun-iot-linkkit
//! 1.2.13) as the device: a desired value set while it is offline arrives once it connects (the
//! SDK has no desired-property support: it receives the set) and is cleared when it reports it;
//! a set reaches its callback and its reply returns to the caller; a sync service over RRPC; an
//! async service whose reply arrives later, in the call's trace.
//!
//! Needs the venv made by scripts/setup.sh (`FLEETDECK_TEST_PYTHON`, default `.venv-linkkit`).

use std::time::Duration;

use fleetdeck_tests::linkkit::{lamp_tsl_path, SdkDevice};
use model::runlog::{BizType, LogQuery};
use serde_json::{json, Value};
use testkit::{eventually, Role, TestApp};

const PK: &str = "a1PyLamp001";
const DN: &str = "py-debug-01";
const WITHIN: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_link_sdk_is_debugged_through_the_rest_api() {
    let app = TestApp::builder().gateway().build().await;
    let admin = app.client(Role::Admin).await;
    admin.product_named(PK, "Python lamp").await;
    let tsl_path = lamp_tsl_path();
    let tsl: Value = serde_json::from_str(&std::fs::read_to_string(&tsl_path).unwrap()).unwrap();
    admin.put(&format!("/api/v1/products/{PK}/tsl"), tsl).await.ok();
    let secret = admin.device(PK, DN).await;
    let api = app.client(Role::Operator).await;
    let dev_url = |rest: &str| format!("/api/v1/devices/{PK}/{DN}/{rest}");

    // 1. A desired value set while the device is offline …
    let r = api.put(&dev_url("desired"), json!({"params": {"Brightness": 33}})).await.ok();
    assert_eq!((r["code"].as_u64(), r["pending"].as_bool()), (Some(200), Some(false)), "{r}");

    // … arrives once it connects (as a property set: the SDK has no desired support), and is
    // cleared when the device reports the value.
    let mut dev = SdkDevice::spawn(PK, DN, &secret, app.mqtt_addr().port(), &tsl_path, &["report"]);
    assert_eq!(dev.expect("connect").await["rc"], 0);
    let set = dev.expect("prop_set").await;
    assert_eq!(set["params"], json!({"Brightness": 33}), "{set}");
    eventually(WITHIN, "the desired value cleared once reported", || async {
        let items = api.get(&dev_url("desired")).await.ok()["items"].clone();
        (items == json!([])).then_some(())
    })
    .await;

    // 2. A set from REST reaches the SDK's callback; its set_reply is the REST answer.
    let r = api.post(&dev_url("properties/set"), json!({"params": {"LightSwitch": 1}})).await.ok();
    assert_eq!(r["code"], 200, "{r}");
    let set = dev.expect("prop_set").await;
    assert_eq!(set["params"], json!({"LightSwitch": 1}));

    // 3. A sync service over RRPC.
    let r = api.post(&dev_url("services/Add"), json!({"params": {"A": 20, "B": 22}})).await.ok();
    assert_eq!((r["code"].as_u64(), &r["data"]), (Some(200), &json!({"Sum": 42})), "{r}");
    assert_eq!(dev.expect("service").await["identifier"], "Add");

    // 4. An async service: REST answers at once; the device answers when it is done, and that
    //    reply lands in the call's trace with its code.
    let r = api.post(&dev_url("services/Blink"), json!({"params": {"Times": 3}})).await.ok();
    assert_eq!((r["code"].as_u64(), r["pending"].as_bool()), (Some(200), Some(true)), "{r}");
    let trace = r["trace_id"].as_str().unwrap().to_string();
    let svc = dev.expect("service").await;
    assert_eq!((svc["identifier"].as_str(), &svc["params"]), (Some("Blink"), &json!({"Times": 3})));
    dev.send("answer Blink").await;
    dev.expect("answered").await;
    let q = LogQuery { trace_id: Some(trace), limit: Some(50), ..Default::default() };
    let logs = eventually(WITHIN, "the late Blink_reply in the trace", || async {
        let logs = app.stored_logs(&q).await;
        logs.iter().any(|e| e.operation.ends_with("/thing/service/Blink_reply") && e.status == 200).then_some(logs)
    })
    .await;
    assert!(logs.iter().any(|e| e.biz_type == BizType::ApiService && e.operation == "InvokeThingService"));

    let seen = dev.quit_cleanly().await;
    let services = seen.iter().filter(|v| v["event"] == "service").count();
    assert_eq!(services, 2, "each service call delivered once, no reply echoed: {seen:?}");
}
