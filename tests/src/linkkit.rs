//! The unmodified Python Link SDK (aliyun-iot-linkkit, in the venv scripts/setup.sh makes) run
//! as a device by `tests/python/linkkit_device.py`: it prints one JSON line per SDK callback and
//! takes commands (`post {...}`, `answer Id`, `quit`) on stdin.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// How long one expected SDK callback may take.
const WITHIN: Duration = Duration::from_secs(20);

/// The venv's python (`FLEETDECK_TEST_PYTHON`, default `.venv-linkkit` at the workspace root).
pub fn python() -> PathBuf {
    std::env::var("FLEETDECK_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv-linkkit/bin/python"))
}

/// The lamp thing model the script's device implements (`Add` sync, `Blink` async, …).
pub fn lamp_tsl_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/linkkit_lamp_tsl.json")
}

/// One SDK process and what it reported so far.
#[derive(Debug)]
pub struct SdkDevice {
    pub child: Child,
    stdin: ChildStdin,
    lines: tokio::io::Lines<BufReader<ChildStdout>>,
    /// Every callback report read so far, in order.
    pub seen: Vec<Value>,
}

impl SdkDevice {
    /// Runs the script as `pk/dn` against the broker on `port`; `extra` goes after the script's
    /// positional arguments (e.g. `"report"`: post back every property set).
    pub fn spawn(pk: &str, dn: &str, secret: &str, port: u16, tsl: &Path, extra: &[&str]) -> SdkDevice {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/linkkit_device.py");
        let mut child = Command::new(python())
            .arg(&script)
            .args([pk, dn, secret, &port.to_string(), tsl.to_str().expect("a UTF-8 path")])
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python venv with aliyun-iot-linkkit (scripts/setup.sh makes it)");
        let stdin = child.stdin.take().expect("piped stdin");
        let lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        SdkDevice { child, stdin, lines, seen: Vec::new() }
    }

    /// The next SDK callback report with `event == name` (others are kept in `seen`).
    pub async fn expect(&mut self, name: &str) -> Value {
        let deadline = tokio::time::Instant::now() + WITHIN;
        loop {
            let line = tokio::time::timeout_at(deadline, self.lines.next_line())
                .await
                .unwrap_or_else(|_| panic!("no `{name}` from the SDK within 20 s; saw {:?}", self.seen))
                .expect("reading the SDK's output")
                .unwrap_or_else(|| panic!("the SDK process ended before `{name}`; saw {:?}", self.seen));
            let Ok(v) = serde_json::from_str::<Value>(&line) else { continue };
            self.seen.push(v.clone());
            if v["event"] == name {
                return v;
            }
        }
    }

    /// One command line to the script.
    pub async fn send(&mut self, line: &str) {
        self.stdin.write_all(format!("{line}\n").as_bytes()).await.expect("the SDK's stdin");
        self.stdin.flush().await.expect("the SDK's stdin");
    }

    /// Asks the script to quit and returns its stderr; fails if the SDK hit an exception on
    /// the way (an echoed reply, a malformed request).
    pub async fn quit_cleanly(mut self) -> Vec<Value> {
        self.send("quit").await;
        self.expect("bye").await;
        let out = self.child.wait_with_output().await.expect("the SDK process");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("raise exception"), "the SDK hit an exception:\n{stderr}");
        self.seen
    }
}
