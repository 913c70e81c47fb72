//! Alibaba's C Link SDKs as test devices: each SDK is built from its source archive, once per
//! archive content, under the target directory (never in the repository), and a small harness in
//! C (`tests/c/`) is linked against it using only the SDK's public API. The harness prints one
//! line per thing it saw; [`CDevice`] reads them.
//!
//! The archives come from `FLEETDECK_C_SDK_DIR` (default `/work/shared/sdk`, see its README);
//! without them the tests fail, saying so — they are not skipped.
//!
//! Layout under `<target>/c-sdk/`: `<archive stem>-<sha256 prefix>/` holds the extracted, built
//! SDK and `bin-<harness hash>/` the harness built against it. Both are made in a temporary
//! directory and renamed into place, so parallel test processes never see half a build.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Which SDK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sdk {
    /// `iotkit-embedded` 3.x: IOT_MQTT_* + the harness's HAL, answers classic RRPC.
    C3,
    /// Link SDK C 4.2.0: aiot_mqtt_*, answers property set and sync services over RRPC.
    C4,
}

impl Sdk {
    fn archive(self) -> &'static str {
        match self {
            Sdk::C3 => "link-sdk-c-3.x.tar.gz",
            Sdk::C4 => "link-sdk-c-4.x.tar.gz",
        }
    }

    /// The archive's top-level directory.
    fn top(self) -> &'static str {
        match self {
            Sdk::C3 => "link-sdk-c-3.x",
            Sdk::C4 => "link-sdk-c-4.x",
        }
    }

    /// The SDK's own build, in its default configuration. C 4.x: the library only (its demos are
    /// not needed); `-w` because its bundled mbedtls fails newer gcc's warnings-as-errors.
    fn make_args(self) -> &'static [&'static str] {
        match self {
            Sdk::C3 => &["-j2"],
            Sdk::C4 => &["-j2", "CFLAGS=-w", "prepare", "libaiot"],
        }
    }

    fn harness_sources(self) -> &'static [&'static str] {
        match self {
            Sdk::C3 => &["c3_device.c", "c3_hal.c"],
            Sdk::C4 => &["c4_device.c"],
        }
    }

    fn binary(self) -> &'static str {
        match self {
            Sdk::C3 => "c3_device",
            Sdk::C4 => "c4_device",
        }
    }

    /// Include paths and libraries, relative to the built SDK. C 3.x: the SDK's MQTT client and
    /// only the TCP half of its Linux wrappers (`c3_hal.c` is the OS half, with the triple).
    fn link(self, sdk: &Path) -> Vec<String> {
        let p = |s: &str| sdk.join(s).display().to_string();
        match self {
            Sdk::C3 => vec![
                "-DPLATFORM_HAS_STDINT".into(),
                "-DPLATFORM_HAS_DYNMEM".into(),
                format!("-I{}", p("src/infra")),
                format!("-I{}", p("src/mqtt")),
                p("output/release/lib/libiot_sdk.a"),
                p("output/release/lib/libiot_hal.a"),
            ],
            Sdk::C4 => vec![format!("-I{}", p("output/include")), p("output/lib/libaiot.a")],
        }
    }
}

/// Where the SDK archives are.
pub fn archives_dir() -> PathBuf {
    std::env::var_os("FLEETDECK_C_SDK_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/work/shared/sdk"))
}

/// The cargo target directory: `CARGO_TARGET_DIR`, else the one this test binary runs from
/// (`<target>/<profile>/deps/<test>`).
fn target_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(d);
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors().nth(3).expect("the test binary lives in <target>/<profile>/deps").to_path_buf()
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    hex::encode(h.finalize())[..16].to_string()
}

/// Makes `dir` by running `make_it` on a fresh temporary sibling and renaming it into place;
/// nothing to do when `dir` exists (another process may have won the race: fine).
fn build_once(dir: &Path, make_it: impl FnOnce(&Path)) {
    if dir.is_dir() {
        return;
    }
    let parent = dir.parent().unwrap();
    std::fs::create_dir_all(parent).unwrap();
    let tmp = tempfile::Builder::new().prefix("building-").tempdir_in(parent).unwrap();
    make_it(tmp.path());
    let tmp = tmp.keep();
    if std::fs::rename(&tmp, dir).is_err() {
        // Lost a race to a parallel build of the same thing.
        let _ = std::fs::remove_dir_all(&tmp);
        assert!(dir.is_dir(), "could not move the build to {}", dir.display());
    }
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: cannot run {cmd:?}: {e}"));
    if !out.status.success() {
        let tail = |b: &[u8]| {
            let s = String::from_utf8_lossy(b);
            s.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n")
        };
        panic!("{what} failed ({}):\n{}\n{}", out.status, tail(&out.stdout), tail(&out.stderr));
    }
}

/// The SDK extracted and built (cached by the archive's content): its source root.
pub fn built_sdk(sdk: Sdk) -> PathBuf {
    let archive = archives_dir().join(sdk.archive());
    let bytes = std::fs::read(&archive).unwrap_or_else(|e| {
        panic!(
            "{}: {e}. The C SDK tests build Alibaba's C Link SDKs from their source archives \
             ({} and {}); put them there or set FLEETDECK_C_SDK_DIR (see /work/shared/sdk/README.md).",
            archive.display(),
            Sdk::C3.archive(),
            Sdk::C4.archive(),
        )
    });
    let key = sha256_hex(&[&bytes, sdk.make_args().join(" ").as_bytes()]);
    let dir = target_dir().join("c-sdk").join(format!("{}-{key}", sdk.top()));
    build_once(&dir, |tmp| {
        let started = Instant::now();
        run(Command::new("tar").arg("-xzf").arg(&archive).arg("-C").arg(tmp), "extracting the SDK");
        let src = tmp.join(sdk.top());
        run(Command::new("make").args(sdk.make_args()).current_dir(&src), &format!("building {}", sdk.top()));
        eprintln!("built {} in {:.1} s", sdk.top(), started.elapsed().as_secs_f64());
    });
    dir.join(sdk.top())
}

/// The harness for `sdk`, compiled against the built SDK (cached by its sources).
pub fn harness(sdk: Sdk) -> PathBuf {
    let root = built_sdk(sdk);
    let c_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("c");
    let sources: Vec<PathBuf> = sdk.harness_sources().iter().map(|s| c_dir.join(s)).collect();
    let mut texts = Vec::new();
    for s in sources.iter().chain([&c_dir.join("alink_json.h")]) {
        texts.push(std::fs::read(s).unwrap_or_else(|e| panic!("{}: {e}", s.display())));
    }
    let key = sha256_hex(&texts.iter().map(Vec::as_slice).collect::<Vec<_>>());
    let dir = root.parent().unwrap().join(format!("bin-{key}"));
    build_once(&dir, |tmp| {
        run(
            Command::new("gcc")
                .args(["-O1", "-Wall", "-Wextra", "-o"])
                .arg(tmp.join(sdk.binary()))
                .arg(format!("-I{}", c_dir.display()))
                .args(&sources)
                .args(sdk.link(&root))
                .arg("-lpthread"),
            &format!("compiling the {} harness", sdk.binary()),
        );
    });
    dir.join(sdk.binary())
}

/// A running harness: a device built on the SDK.
pub struct CDevice {
    pub name: &'static str,
    child: tokio::process::Child,
    stdin: Option<tokio::process::ChildStdin>,
    /// The SDK's log (stderr), drained as it comes so the pipe never fills.
    log: tokio::task::JoinHandle<String>,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    /// Every stdout line so far.
    pub seen: Vec<String>,
}

impl CDevice {
    /// Builds (if needed) and starts the `sdk` device for `pk/dn` against fleetdeck's broker.
    pub async fn start(sdk: Sdk, mqtt: std::net::SocketAddr, pk: &str, dn: &str, secret: &str) -> CDevice {
        let built = tokio::task::spawn_blocking(move || harness(sdk)).await;
        // A failed build panics with its reason; say that, not "JoinError".
        let bin = built.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        let mut child = tokio::process::Command::new(&bin)
            .args([&mqtt.ip().to_string(), &mqtt.port().to_string(), pk, dn, secret])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
        let stdin = child.stdin.take();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut stderr = child.stderr.take().unwrap();
        let log = tokio::spawn(async move {
            let mut buf = Vec::new();
            let _ = tokio::io::AsyncReadExt::read_to_end(&mut stderr, &mut buf).await;
            String::from_utf8_lossy(&buf).into_owned()
        });
        CDevice { name: sdk.binary(), child, stdin, log, lines, seen: Vec::new() }
    }

    /// The next line that starts with `prefix` (earlier ones are kept in `seen`), within 20 s.
    pub async fn expect(&mut self, prefix: &str) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let next = tokio::time::timeout_at(deadline, self.lines.next_line()).await;
            let line = match next {
                Ok(Ok(Some(l))) => l,
                Ok(_) => self.fail(&format!("{} ended before `{prefix}`", self.name)).await,
                Err(_) => self.fail(&format!("no `{prefix}` from {} within 20 s", self.name)).await,
            };
            self.seen.push(line.clone());
            if line.starts_with(prefix) {
                return line;
            }
        }
    }

    /// Stops the device and panics with what it printed and the end of the SDK's log.
    async fn fail(&mut self, what: &str) -> ! {
        let _ = self.child.start_kill();
        let log = tokio::time::timeout(Duration::from_secs(5), &mut self.log).await;
        let log = log.ok().and_then(Result::ok).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        panic!("{what}; it printed {:?}\nthe SDK's log ends:\n{}", self.seen, tail.join("\n"));
    }

    /// A command line on the harness's stdin (`post {…}`, `quit`).
    pub async fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(format!("{line}\n").as_bytes()).await.unwrap();
        stdin.flush().await.unwrap();
    }

    /// Asks the device to disconnect and waits for it to exit; its stderr (the SDK's log).
    pub async fn quit(&mut self) -> String {
        self.send("quit").await;
        self.expect("bye").await;
        self.stdin = None;
        let status = tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .expect("the harness exits after quit")
            .unwrap();
        assert!(status.success(), "{} exited with {status}", self.name);
        (&mut self.log).await.unwrap_or_default()
    }
}

/// The value after `key=` in a harness line (up to the next space; the last key takes the rest).
pub fn field<'a>(line: &'a str, key: &str) -> &'a str {
    let start = line.find(&format!("{key}=")).unwrap_or_else(|| panic!("no {key}= in {line:?}")) + key.len() + 1;
    let rest = &line[start..];
    if key == "params" || key == "payload" {
        return rest;
    }
    rest.split(' ').next().unwrap_or("")
}
