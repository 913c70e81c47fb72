//! `loadgen simulate`: what the demo fleet's simulated devices cost next to the server. The
//! fleet runs inside `fleetdeck serve --demo` (one process), so the measurement is that process
//! twice: with `--demo-devices 0` (the demo products, no devices) and with N devices once 95 %
//! are online. CPU is the process's user+system time over a window of steady reporting, RSS
//! the median of three `VmRSS` reads. Writes its own BENCHMARKS.md section
//! ([`crate::report::simulate`]).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use serde::{Deserialize, Serialize};

use crate::api::Api;
use crate::procs::{self, Proc};

#[derive(Debug, Clone, Args)]
pub struct Opts {
    /// The fleetdeck binary.
    #[arg(long, default_value = "target/release/fleetdeck")]
    pub bin: PathBuf,
    /// Simulated devices.
    #[arg(long, default_value_t = 10_000)]
    pub devices: usize,
    /// Seconds of steady reporting over which CPU is measured.
    #[arg(long, default_value_t = 60)]
    pub window_secs: u64,
    /// Give up waiting for 95 % online after this long.
    #[arg(long, default_value_t = 600)]
    pub max_secs: u64,
    /// BENCHMARKS.md to update (its simulated-fleet section only); print JSON only if absent.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// One process measured.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Point {
    pub devices: usize,
    pub online: u64,
    /// Seconds from the server's start until 95 % were online (`None`: not reached).
    pub online_95_secs: Option<f64>,
    /// Cores the process kept busy over the window.
    pub cores: Option<f64>,
    pub rss: u64,
    pub rss_peak: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Outcome {
    pub baseline: Point,
    pub fleet: Point,
    pub window_secs: u64,
    pub loadavg: String,
    pub cpus: usize,
}

const PASSWORD: &str = "loadgen-simulate-pw";

async fn online(api: &Api) -> u64 {
    match api.get_text("/api/v1/devices?status=online&page_size=1").await {
        Ok((s, body)) if s.is_success() => {
            serde_json::from_str::<serde_json::Value>(&body).ok().and_then(|v| v["total"].as_u64()).unwrap_or(0)
        }
        _ => 0,
    }
}

fn median_rss(pid: u32) -> u64 {
    let mut v: Vec<u64> = (0..3)
        .map(|i| {
            if i > 0 {
                std::thread::sleep(Duration::from_secs(1));
            }
            procs::rss_bytes(pid).unwrap_or(0)
        })
        .collect();
    v.sort_unstable();
    v[1]
}

async fn measure(o: &Opts, devices: usize) -> anyhow::Result<Point> {
    let n = devices.to_string();
    let env = [("FLEETDECK_DEMO", "true"), ("FLEETDECK_DEMO_DEVICES", n.as_str())];
    let started = Instant::now();
    let p: Proc = procs::start_fleetdeck_with(&o.bin, PASSWORD, None, &env).await?;
    let api = Api::login(p.http.as_deref().unwrap_or_default(), "admin", PASSWORD).await?;
    let want = (devices as u64 * 95).div_ceil(100);
    let deadline = started + Duration::from_secs(o.max_secs);
    let mut reached = None;
    let mut now_online = 0;
    while Instant::now() < deadline {
        now_online = online(&api).await;
        if now_online >= want {
            reached = Some(started.elapsed().as_secs_f64());
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let ((), cpu) = procs::measure_cpu(p.pid, tokio::time::sleep(Duration::from_secs(o.window_secs))).await;
    let rss = median_rss(p.pid);
    let rss_peak = procs::rss_peak_bytes(p.pid).unwrap_or(0);
    let online_end = online(&api).await.max(now_online);
    p.stop().await;
    Ok(Point {
        devices,
        online: online_end,
        online_95_secs: reached,
        cores: cpu.map(|c| c.broker_cores),
        rss,
        rss_peak,
    })
}

pub async fn run(o: Opts) -> anyhow::Result<Outcome> {
    let baseline = measure(&o, 0).await?;
    let fleet = measure(&o, o.devices).await?;
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let out = Outcome { baseline, fleet, window_secs: o.window_secs, loadavg: procs::loadavg(), cpus };
    if let Some(path) = &o.out {
        let old = std::fs::read_to_string(path).unwrap_or_default();
        let section = crate::report::simulate::render(&out);
        std::fs::write(path, crate::report::simulate::splice(&old, &section))?;
    }
    Ok(out)
}
