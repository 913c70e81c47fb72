//! The unmodified Python Link SDK (aliyun-iot-linkkit 1.2.13, paho-mqtt 1.x) as the device:
//! only host and port differ from a device talking to Alibaba Cloud.
//!
//! Needs the venv made by scripts/setup.sh (`FLEETDECK_TEST_PYTHON`, default `.venv-linkkit`).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use backend::commands::DeviceCall;
use model::alink::DeviceRef;
use serde_json::{json, Value};
use testkit::{eventually, Role, TestApp};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

const PK: &str = "a1PyLamp001";
const DN: &str = "py-lamp-01";

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
    /// The next SDK callback report with `event == name` (others are kept in `seen`).
    async fn expect(&mut self, name: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
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
async fn the_python_link_sdk_connects_posts_and_answers_unchanged() {
    let app = TestApp::builder().gateway().build().await;
    let api = app.client(Role::Admin).await;
    api.product_named(PK, "Python lamp").await;
    let tsl_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/linkkit_lamp_tsl.json");
    let tsl: Value = serde_json::from_str(&std::fs::read_to_string(&tsl_path).unwrap()).unwrap();
    api.put(&format!("/api/v1/products/{PK}/tsl"), tsl).await.ok();
    let secret = api.device(PK, DN).await;

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/linkkit_device.py");
    let mut child = Command::new(python())
        .arg(&script)
        .args([PK, DN, &secret, &app.mqtt_addr().port().to_string(), tsl_path.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python venv with aliyun-iot-linkkit (scripts/setup.sh makes it)");
    let stdin = child.stdin.take().unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut dev = SdkDevice { child, stdin, lines, seen: Vec::new() };

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

    dev.send("quit").await;
    dev.expect("bye").await;
    let out = dev.child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("raise exception"), "the SDK hit an exception:\n{stderr}");
    let services = dev.seen.iter().filter(|v| v["event"] == "service").count();
    assert_eq!(services, 1, "the service was delivered once and its reply not echoed: {:?}", dev.seen);
}

fn model_via_rrpc() -> backend::commands::Via {
    backend::commands::Via::Rrpc
}
