//! Online debugging through the REST API with the unmodified Python Link SDK (aliyun-iot-linkkit
//! 1.2.13) as the device: a desired value set while it is offline arrives once it connects (the
//! SDK has no desired-property support: it receives the set) and is cleared when it reports it;
//! a set reaches its callback and its reply returns to the caller; a sync service over RRPC; an
//! async service whose reply arrives later, in the call's trace.
//!
//! Needs the venv made by scripts/setup.sh (`FLEETDECK_TEST_PYTHON`, default `.venv-linkkit`).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use model::runlog::{BizType, LogQuery};
use serde_json::{json, Value};
use testkit::{eventually, Role, TestApp};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

const PK: &str = "a1PyLamp001";
const DN: &str = "py-debug-01";
const WITHIN: Duration = Duration::from_secs(20);

fn python() -> PathBuf {
    std::env::var("FLEETDECK_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv-linkkit/bin/python"))
}

struct SdkDevice {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    seen: Vec<Value>,
}

impl SdkDevice {
    /// Run tests/python/linkkit_device.py as `PK/DN`, posting back every property set.
    fn spawn(secret: &str, port: u16, tsl_path: &std::path::Path) -> SdkDevice {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/linkkit_device.py");
        let mut child = Command::new(python())
            .arg(&script)
            .args([PK, DN, secret, &port.to_string(), tsl_path.to_str().unwrap(), "report"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python venv with aliyun-iot-linkkit (scripts/setup.sh makes it)");
        let stdin = child.stdin.take().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        SdkDevice { child, stdin, lines, seen: Vec::new() }
    }

    /// The next SDK callback report with `event == name` (others are kept in `seen`).
    async fn expect(&mut self, name: &str) -> Value {
        let deadline = tokio::time::Instant::now() + WITHIN;
        loop {
            let line = tokio::time::timeout_at(deadline, self.lines.next_line())
                .await
                .unwrap_or_else(|_| panic!("no `{name}` from the SDK within 20 s; saw {:?}", self.seen))
                .unwrap()
                .unwrap_or_else(|| panic!("the SDK process ended before `{name}`; saw {:?}", self.seen));
            let Ok(v) = serde_json::from_str::<Value>(&line) else { continue };
            self.seen.push(v.clone());
            if v["event"] == name {
                return v;
            }
        }
    }

    async fn send(&mut self, line: &str) {
        self.stdin.write_all(format!("{line}\n").as_bytes()).await.unwrap();
        self.stdin.flush().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_link_sdk_is_debugged_through_the_rest_api() {
    let app = TestApp::builder().gateway().build().await;
    let admin = app.client(Role::Admin).await;
    admin.product_named(PK, "Python lamp").await;
    let tsl_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/linkkit_lamp_tsl.json");
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
    let mut dev = SdkDevice::spawn(&secret, app.mqtt_addr().port(), &tsl_path);
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

    dev.send("quit").await;
    dev.expect("bye").await;
    let out = dev.child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("raise exception"), "the SDK hit an exception:\n{stderr}");
    let services = dev.seen.iter().filter(|v| v["event"] == "service").count();
    assert_eq!(services, 2, "each service call delivered once, no reply echoed: {:?}", dev.seen);
}
