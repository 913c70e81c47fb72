//! The processes under test: fleetdeck (release binary) and the Mosquitto baseline, each on
//! free loopback ports with a fresh data directory / generated config; RSS from /proc; the
//! open-files limit.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::process::{Child, Command};

/// A free TCP port on 127.0.0.1 (bound, read, released; the tiny race is acceptable here).
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Raise the soft RLIMIT_NOFILE to the hard limit (children inherit it); returns the new soft
/// limit. Only root outside a container can raise the hard limit itself (`ulimit -Hn`).
pub fn raise_nofile() -> u64 {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        if soft < hard {
            let _ = setrlimit(Resource::RLIMIT_NOFILE, hard, hard);
        }
    }
    getrlimit(Resource::RLIMIT_NOFILE).map(|(soft, _)| soft).unwrap_or(0)
}

/// Resident set size of a process, bytes (`VmRSS` of /proc/PID/status).
pub fn rss_bytes(pid: u32) -> anyhow::Result<u64> {
    status_kb(pid, "VmRSS:").map(|kb| kb * 1024)
}

/// Peak resident set size (`VmHWM`), bytes.
pub fn rss_peak_bytes(pid: u32) -> anyhow::Result<u64> {
    status_kb(pid, "VmHWM:").map(|kb| kb * 1024)
}

fn status_kb(pid: u32, key: &str) -> anyhow::Result<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).with_context(|| format!("process {pid} is gone"))?;
    parse_status_kb(&s, key).with_context(|| format!("no {key} in /proc/{pid}/status"))
}

/// `VmRSS:    12345 kB` → 12345.
pub fn parse_status_kb(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

/// CPU time (user + system) a process used so far, seconds (`/proc/PID/stat`, 100 ticks/s).
pub fn cpu_secs(pid: u32) -> Option<f64> {
    parse_stat_cpu(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// utime + stime of a `/proc/PID/stat` line, seconds. The command name may contain spaces and
/// parentheses, so fields are counted from the last `)`.
pub fn parse_stat_cpu(stat: &str) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // rest[0] is field 3 (state): utime is field 14, stime field 15.
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / CLOCK_TICKS)
}

/// `sysconf(_SC_CLK_TCK)`: 100 on every Linux architecture we run on.
const CLOCK_TICKS: f64 = 100.0;

/// Cores a process and loadgen itself kept busy while `f` ran.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub struct CpuUse {
    pub broker_cores: f64,
    pub loadgen_cores: f64,
}

pub async fn measure_cpu<T>(pid: u32, f: impl std::future::Future<Output = T>) -> (T, Option<CpuUse>) {
    let me = std::process::id();
    let (b0, l0, t0) = (cpu_secs(pid), cpu_secs(me), std::time::Instant::now());
    let out = f.await;
    let wall = t0.elapsed().as_secs_f64();
    let cpu = match (b0, cpu_secs(pid), l0, cpu_secs(me)) {
        (Some(b0), Some(b1), Some(l0), Some(l1)) if wall > 0.0 => {
            Some(CpuUse { broker_cores: (b1 - b0) / wall, loadgen_cores: (l1 - l0) / wall })
        }
        _ => None,
    };
    (out, cpu)
}

/// The 1-minute load average (how busy the shared machine was).
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// A scratch directory, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> anyhow::Result<Scratch> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("loadgen-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p)?;
        Ok(Scratch(p))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A broker process under test.
pub struct Proc {
    pub child: Child,
    pub pid: u32,
    pub mqtt: SocketAddr,
    /// `http://127.0.0.1:PORT` (fleetdeck only).
    pub http: Option<String>,
    pub dir: Scratch,
}

impl Proc {
    pub fn db_path(&self) -> PathBuf {
        self.dir.0.join("data").join("fleetdeck.db")
    }

    /// SIGKILL and reap (measurements are taken before; nothing of its state is needed).
    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(20), self.child.wait()).await;
    }
}

/// Start `fleetdeck serve` on free loopback ports with a fresh data directory, on its SQLite
/// database there or, with `database_url`, on that (fresh) PostgreSQL database. The per-device
/// rate limits are switched off (`0`): a benchmark device posts far more than 100 messages/s.
pub async fn start_fleetdeck(bin: &Path, admin_password: &str, database_url: Option<&str>) -> anyhow::Result<Proc> {
    start_fleetdeck_with(bin, admin_password, database_url, &[]).await
}

/// [`start_fleetdeck`] with extra environment (`FLEETDECK_DEMO=true` for the simulated fleet).
pub async fn start_fleetdeck_with(
    bin: &Path,
    admin_password: &str,
    database_url: Option<&str>,
    env: &[(&str, &str)],
) -> anyhow::Result<Proc> {
    let dir = Scratch::new("fleetdeck")?;
    let http_port = free_port()?;
    let mqtt_port = free_port()?;
    let log = std::fs::File::create(dir.0.join("fleetdeck.log"))?;
    let mut cmd = Command::new(bin);
    cmd.arg("serve");
    if let Some(url) = database_url {
        cmd.args(["--database-url", url]);
    }
    let child = cmd
        .args(["--http", &format!("127.0.0.1:{http_port}")])
        .args(["--mqtt", &format!("127.0.0.1:{mqtt_port}")])
        .arg("--data-dir")
        .arg(dir.0.join("data"))
        .args(["--admin-password", admin_password])
        .args(fleetdeck_limit_flags())
        // Default log filter, as shipped.
        .env_remove("RUST_LOG")
        .env_remove("FLEETDECK_CONFIG")
        .env_remove("FLEETDECK_DATABASE_URL")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", bin.display()))?;
    let pid = child.id().context("fleetdeck exited at once")?;
    let http = format!("http://127.0.0.1:{http_port}");
    let mqtt: SocketAddr = ([127, 0, 0, 1], mqtt_port).into();
    let mut p = Proc { child, pid, mqtt, http: Some(http.clone()), dir };
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(5)).build()?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Some(status)) = p.child.try_wait() {
            let log = std::fs::read_to_string(p.dir.0.join("fleetdeck.log")).unwrap_or_default();
            bail!("fleetdeck exited ({status}) during start-up:\n{log}");
        }
        let ready = matches!(client.get(format!("{http}/readyz")).send().await, Ok(r) if r.status().is_success());
        if ready && tokio::net::TcpStream::connect(mqtt).await.is_ok() {
            return Ok(p);
        }
        if tokio::time::Instant::now() > deadline {
            p.stop().await;
            bail!("fleetdeck did not become ready within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The flags that lift fleetdeck's per-device limits for the benchmark (documented in
/// BENCHMARKS.md).
pub fn fleetdeck_limit_flags() -> [&'static str; 6] {
    ["--limit-connects-per-minute", "0", "--limit-uplink-qps", "0", "--limit-downlink-qps", "0"]
}

/// The generated Mosquitto configuration (see BENCHMARKS.md for why each line is there).
pub fn mosquitto_config(port: u16) -> String {
    format!(
        "# generated by loadgen: a private instance for the baseline, never the system service\n\
         listener {port} 127.0.0.1\n\
         allow_anonymous true\n\
         persistence false\n\
         # QoS1: no in-flight cap and a deep queue, so the baseline never drops a message\n\
         max_inflight_messages 0\n\
         max_queued_messages 1000000\n\
         max_connections -1\n\
         set_tcp_nodelay true\n\
         log_dest stderr\n\
         log_type error\n\
         log_type warning\n"
    )
}

/// Start a private Mosquitto on a free loopback port.
pub async fn start_mosquitto(bin: &Path) -> anyhow::Result<Proc> {
    let dir = Scratch::new("mosquitto")?;
    let port = free_port()?;
    let conf = dir.0.join("mosquitto.conf");
    std::fs::write(&conf, mosquitto_config(port))?;
    let log = std::fs::File::create(dir.0.join("mosquitto.log"))?;
    let child = Command::new(bin)
        .arg("-c")
        .arg(&conf)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", bin.display()))?;
    let pid = child.id().context("mosquitto exited at once")?;
    let mqtt: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut p = Proc { child, pid, mqtt, http: None, dir };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(Some(status)) = p.child.try_wait() {
            let log = std::fs::read_to_string(p.dir.0.join("mosquitto.log")).unwrap_or_default();
            bail!("mosquitto exited ({status}):\n{log}");
        }
        if tokio::net::TcpStream::connect(mqtt).await.is_ok() {
            return Ok(p);
        }
        if tokio::time::Instant::now() > deadline {
            p.stop().await;
            bail!("mosquitto did not listen within 20 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        let s = "Name:\tfleetdeck\nVmHWM:\t   20480 kB\nVmRSS:\t   18432 kB\nThreads:\t3\n";
        assert_eq!(parse_status_kb(s, "VmRSS:"), Some(18432));
        assert_eq!(parse_status_kb(s, "VmHWM:"), Some(20480));
        assert_eq!(parse_status_kb(s, "VmSwap:"), None);
        let own = rss_bytes(std::process::id()).unwrap();
        assert!(own > 1 << 20, "{own}");
        let stat = "1234 (my (odd) name) S 1 1234 1234 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 3 0 1 0 0";
        assert_eq!(parse_stat_cpu(stat), Some(3.0));
        assert!(cpu_secs(std::process::id()).is_some());
    }
}
