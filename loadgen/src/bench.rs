//! `loadgen bench`: every measurement, each next to its baseline measured in the same run,
//! repeated `--reps` times with baseline and fleetdeck interleaved (the machine is noisy), each
//! fleetdeck run on a fresh process and data directory. Writes BENCHMARKS.md (and JSON).
//!
//! With `--fleetdeck-before`, a second fleetdeck (the previous commit's) runs in the same
//! repetitions of the ingest and latency measurements, so that what a change costs is a ratio to
//! the same Mosquitto runs on the same machine, never a comparison across runs or machines.
//!
//! With `--pg-url`, fleetdeck on PostgreSQL (a fresh database per run on that cluster) is a
//! further contender in the same ingest repetitions, and the registry measurement runs on both
//! stores (see [`crate::registry`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::api::Api;
use crate::payload::{PRODUCT_KEY, PROPERTIES_PER_POST};
use crate::procs::{self, measure_cpu, CpuUse, Proc};
use crate::{db, fleet, idle, ingest, latency, pg, registry, report};

pub const ADMIN_PASSWORD: &str = "loadgen-benchmark-password";

#[derive(Debug, Clone, Args, Serialize)]
pub struct Opts {
    /// The fleetdeck release binary.
    #[arg(long, default_value = "target/release/fleetdeck")]
    pub fleetdeck: PathBuf,
    /// A second fleetdeck binary (e.g. the previous commit's) measured in the same repetitions of
    /// the ingest and latency measurements; the report gets a "Change against" section.
    #[arg(long)]
    pub fleetdeck_before: Option<PathBuf>,
    /// What `--fleetdeck-before` is, for the report (e.g. its short commit).
    #[arg(long, requires = "fleetdeck_before")]
    pub before_label: Option<String>,
    /// The Mosquitto binary (a private instance is started; the system service is never used).
    #[arg(long, default_value = "/usr/sbin/mosquitto")]
    pub mosquitto: PathBuf,
    /// The report.
    #[arg(long, default_value = "BENCHMARKS.md")]
    pub out: PathBuf,
    /// All raw results as JSON.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Repetitions of each measurement.
    #[arg(long, default_value_t = 3)]
    pub reps: usize,
    /// Which measurements: ingest, latency, idle, registry.
    #[arg(long, value_delimiter = ',', default_value = "ingest,latency,idle,registry")]
    pub only: Vec<String>,
    /// Admin URL of a private PostgreSQL cluster on this machine (e.g. what
    /// `scripts/pg-cluster.sh start DIR` prints). Adds fleetdeck on PostgreSQL to the ingest
    /// repetitions and the registry measurement, each run on a fresh database `bench_<n>`.
    #[arg(long)]
    pub pg_url: Option<String>,
    /// Ingest: devices, each on its own TCP connection.
    #[arg(long, default_value_t = 100)]
    pub ingest_devices: usize,
    /// Ingest: posts per device.
    #[arg(long, default_value_t = 500)]
    pub ingest_per_device: u64,
    /// Ingest: posts per device waiting for `post_reply` at most (the Python SDK allows 40).
    #[arg(long, default_value_t = 32)]
    pub window: usize,
    /// Ingest, supplementary: also run fleetdeck with one property per post (where does time go?).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub one_property: bool,
    /// Ingest baseline: un-acked PUBLISHes of Mosquitto's single publisher at most.
    #[arg(long, default_value_t = 256)]
    pub baseline_window: usize,
    /// Latency: total publish rate, msg/s.
    #[arg(long, default_value_t = 10_000)]
    pub rate: u64,
    /// Latency, supplementary: a second rate below fleetdeck's ingest rate (0 = skip), to show
    /// the pipeline's latency without a backlog. Not the goal.
    #[arg(long, default_value_t = 1_000)]
    pub low_rate: u64,
    /// Latency: seconds of publishing per run (the first is warm-up, not measured).
    #[arg(long, default_value_t = 10)]
    pub latency_secs: u64,
    /// Latency: publishing devices.
    #[arg(long, default_value_t = 100)]
    pub latency_devices: usize,
    /// Idle memory: numbers of connected devices (capped by the open-files limit; see the report).
    #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
    pub idle: Vec<usize>,
    /// Idle memory: repetitions per point (default: --reps).
    #[arg(long)]
    pub idle_reps: Option<usize>,
    /// Registry: devices created (REST CSV import) before the list and search requests are timed.
    #[arg(long, default_value_t = 100_000)]
    pub registry_devices: usize,
    /// Registry: timed requests of each kind per run (after a warm-up); the median is reported.
    #[arg(long, default_value_t = 20)]
    pub registry_requests: usize,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Results {
    pub meta: report::Meta,
    pub ingest: Vec<IngestRep>,
    pub latency: Vec<LatencyRep>,
    pub latency_low: Vec<LatencyRep>,
    pub idle: Vec<IdlePoint>,
    pub registry: Vec<registry::RegistryRep>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IngestRep {
    /// 1/5/15-min load average when the run started (the machine is shared).
    pub load: String,
    /// In which order the brokers ran in this repetition.
    pub order: Vec<Side>,
    pub mosquitto: Option<ingest::Outcome>,
    pub fleetdeck: Option<ingest::Outcome>,
    /// What fleetdeck's database holds after the run.
    pub stored: Option<db::Stored>,
    /// From the first post until the last row was visible in the database.
    pub stored_secs: Option<f64>,
    pub cpu_mosquitto: Option<CpuUse>,
    pub cpu_fleetdeck: Option<CpuUse>,
    /// Supplementary: the same with one property per post.
    pub one_property: Option<FleetIngest>,
    /// `--fleetdeck-before`, the same run as `fleetdeck`.
    pub before: Option<FleetIngest>,
    /// `--pg-url`: `--fleetdeck` on a fresh PostgreSQL database, the same run as `fleetdeck`.
    pub postgres: Option<FleetIngest>,
    pub errors: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FleetIngest {
    pub out: ingest::Outcome,
    pub props: usize,
    pub stored: Option<db::Stored>,
    pub stored_secs: Option<f64>,
    pub cpu: Option<CpuUse>,
    pub errors: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LatencyRep {
    pub load: String,
    pub order: Vec<Side>,
    pub mosquitto: Option<latency::Outcome>,
    pub fleetdeck: Option<latency::Outcome>,
    pub cpu_mosquitto: Option<CpuUse>,
    pub cpu_fleetdeck: Option<CpuUse>,
    /// `--fleetdeck-before`, the same run as `fleetdeck`.
    pub before: Option<latency::Outcome>,
    pub cpu_before: Option<CpuUse>,
    pub errors: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IdlePoint {
    pub requested: usize,
    pub devices: usize,
    pub mosquitto: Vec<idle::Outcome>,
    pub fleetdeck: Vec<idle::Outcome>,
    /// Load average when each run started.
    pub loads: Vec<String>,
    pub errors: Vec<String>,
}

/// One broker run within a repetition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Mosquitto,
    /// `--fleetdeck-before`.
    Before,
    /// `--fleetdeck`.
    Fleetdeck,
    /// `--fleetdeck` on PostgreSQL (`--pg-url`); `Fleetdeck` is then the SQLite run.
    Postgres,
}

/// The order of the runs in repetition `rep` (0-based). With Mosquitto and fleetdeck only:
/// Mosquitto, then fleetdeck, as always. With a before-binary and/or fleetdeck on PostgreSQL, the
/// sides (M B F P, whichever are there) rotate by one place per repetition (M B F, B F M, F M B,
/// …): every one of them takes every position once in each N repetitions of N sides, so whatever
/// favours a position (the machine's other jobs settling, sockets of the previous run still in
/// TIME_WAIT, the page cache) does not favour one contender, and each fleetdeck's ratio is still
/// to the Mosquitto run of its own repetition.
pub fn run_order(rep: usize, with_before: bool, with_pg: bool) -> Vec<Side> {
    let mut v = vec![Side::Mosquitto];
    if with_before {
        v.push(Side::Before);
    }
    v.push(Side::Fleetdeck);
    if with_pg {
        v.push(Side::Postgres);
    }
    if v.len() > 2 {
        let n = v.len();
        v.rotate_left(rep % n);
    }
    v
}

/// Source addresses: each run starts after the addresses the previous run used.
struct Lanes(usize);

impl Lanes {
    fn next(&mut self, devices: usize) -> usize {
        let first = self.0;
        self.0 = (self.0 + devices.div_ceil(fleet::PER_SOURCE_IP).max(1)) % fleet::SOURCE_IPS;
        first
    }
}

/// Connections left for everything but the devices (database, listeners, HTTP, epoll…).
const FD_MARGIN: u64 = 1_000;

pub async fn run(o: Opts, nofile: u64) -> anyhow::Result<()> {
    let started = Instant::now();
    anyhow::ensure!(o.fleetdeck.exists(), "{} does not exist: cargo build --release -p backend", o.fleetdeck.display());
    anyhow::ensure!(o.mosquitto.exists(), "{} does not exist: apt-get install mosquitto", o.mosquitto.display());
    if let Some(b) = &o.fleetdeck_before {
        anyhow::ensure!(b.exists(), "{} does not exist (--fleetdeck-before)", b.display());
    }
    let cluster = o.pg_url.as_deref().map(pg::Cluster::new).transpose()?;
    let mut res = Results { meta: report::Meta::collect(&o, nofile), ..Default::default() };
    if let Some(c) = &cluster {
        // Fails early (and names the URL) when the cluster is not running.
        res.meta.postgres = c.describe().await?;
    }
    let pg = cluster.as_ref();
    let mut lanes = Lanes(0);
    let wants = |m: &str| o.only.iter().any(|x| x == m);
    let reps = o.reps.max(1);
    for rep in 0..reps {
        if wants("ingest") {
            eprintln!("[{:>4}s] ingest, run {}/{reps}", started.elapsed().as_secs(), rep + 1);
            let r = ingest_rep(&o, rep, &mut lanes, pg).await;
            eprintln!("        {}", report::ingest_line(&r));
            res.ingest.push(r);
        }
        if wants("latency") {
            eprintln!("[{:>4}s] latency, run {}/{reps}", started.elapsed().as_secs(), rep + 1);
            let r = latency_rep(&o, o.rate, rep, &mut lanes).await;
            eprintln!("        {}", report::latency_line(&r));
            res.latency.push(r);
            if o.low_rate > 0 {
                eprintln!(
                    "[{:>4}s] latency at {} msg/s, run {}/{reps}",
                    started.elapsed().as_secs(),
                    o.low_rate,
                    rep + 1
                );
                let r = latency_rep(&o, o.low_rate, rep, &mut lanes).await;
                eprintln!("        {}", report::latency_line(&r));
                res.latency_low.push(r);
            }
        }
        if wants("registry") {
            eprintln!("[{:>4}s] registry, run {}/{reps}", started.elapsed().as_secs(), rep + 1);
            let r = registry::rep(&o, rep, pg).await;
            eprintln!("        {}", report::registry_line(&r));
            res.registry.push(r);
        }
    }
    if wants("idle") {
        let cap = nofile.saturating_sub(FD_MARGIN) as usize;
        for &requested in &o.idle {
            let n = requested.min(cap);
            let mut point = IdlePoint { requested, devices: n, ..Default::default() };
            if res.idle.iter().any(|p| p.devices == n) {
                // Capped to a point already measured.
                res.idle.push(point);
                continue;
            }
            for rep in 0..o.idle_reps.unwrap_or(reps).max(1) {
                eprintln!(
                    "[{:>4}s] idle {n} devices, run {}/{}",
                    started.elapsed().as_secs(),
                    rep + 1,
                    o.idle_reps.unwrap_or(reps)
                );
                idle_rep(&o, n, &mut lanes, &mut point).await;
                if let (Some(m), Some(f)) = (point.mosquitto.last(), point.fleetdeck.last()) {
                    eprintln!(
                        "        mosquitto {} ({} connected)  fleetdeck {} ({} connected)",
                        report::mib(m.rss),
                        m.connected,
                        report::mib(f.rss),
                        f.connected
                    );
                }
            }
            res.idle.push(point);
        }
    }
    res.meta.duration_secs = started.elapsed().as_secs();
    res.meta.loadavg_end = procs::loadavg();
    let md = report::render(&res, &o);
    let old = std::fs::read_to_string(&o.out).unwrap_or_default();
    let md = crate::report::simulate::carry_over(&old, md);
    std::fs::write(&o.out, crate::report::metrics::carry_over(&old, md))?;
    eprintln!("wrote {} ({} s)", o.out.display(), started.elapsed().as_secs());
    if let Some(j) = &o.json {
        std::fs::write(j, serde_json::to_string_pretty(&res)?)?;
    }
    Ok(())
}

/// A fresh fleetdeck (on its SQLite file, or on the database `url`) with the product, its thing
/// model and `devices` devices.
async fn fleetdeck_with_fleet(bin: &Path, devices: usize, url: Option<&str>) -> anyhow::Result<(Proc, Api)> {
    let p = procs::start_fleetdeck(bin, ADMIN_PASSWORD, url).await?;
    let setup = async {
        let api = Api::login(p.http.as_deref().unwrap_or_default(), "admin", ADMIN_PASSWORD).await?;
        api.ensure_product(PRODUCT_KEY).await?;
        api.import_devices(PRODUCT_KEY, 0..devices).await?;
        anyhow::Ok(api)
    };
    match tokio::time::timeout(Duration::from_secs(300), setup).await {
        Ok(Ok(api)) => Ok((p, api)),
        Ok(Err(e)) => {
            p.stop().await;
            Err(e)
        }
        Err(_) => {
            p.stop().await;
            anyhow::bail!("set-up of {devices} devices took over 300 s")
        }
    }
}

async fn ingest_rep(o: &Opts, rep: usize, lanes: &mut Lanes, pg: Option<&pg::Cluster>) -> IngestRep {
    let order = run_order(rep, o.fleetdeck_before.is_some(), pg.is_some());
    let mut r = IngestRep { load: procs::loadavg(), order: order.clone(), ..Default::default() };
    let count = o.ingest_devices as u64 * o.ingest_per_device;
    let props = PROPERTIES_PER_POST as usize;
    for side in order {
        match (side, &o.fleetdeck_before) {
            (Side::Mosquitto, _) => match procs::start_mosquitto(&o.mosquitto).await {
                Ok(m) => {
                    let run = ingest::mosquitto(m.mqtt, PRODUCT_KEY, count, o.baseline_window, 120, lanes.next(1));
                    let (out, cpu) = measure_cpu(m.pid, run).await;
                    (r.mosquitto, r.cpu_mosquitto) = (Some(out), cpu);
                    m.stop().await;
                }
                Err(e) => r.errors.push(format!("mosquitto: {e:#}")),
            },
            (Side::Fleetdeck, _) => match fleet_ingest(o, &o.fleetdeck, props, lanes, None).await {
                Ok(f) => {
                    (r.fleetdeck, r.stored, r.stored_secs, r.cpu_fleetdeck) =
                        (Some(f.out), f.stored, f.stored_secs, f.cpu);
                    r.errors.extend(f.errors);
                }
                Err(e) => r.errors.push(format!("fleetdeck: {e:#}")),
            },
            (Side::Before, Some(bin)) => match fleet_ingest(o, bin, props, lanes, None).await {
                Ok(f) => r.before = Some(f),
                Err(e) => r.errors.push(format!("fleetdeck before: {e:#}")),
            },
            (Side::Before, None) => {}
            (Side::Postgres, _) => match fleet_ingest(o, &o.fleetdeck, props, lanes, pg).await {
                Ok(f) => r.postgres = Some(f),
                Err(e) => r.errors.push(format!("fleetdeck (PostgreSQL): {e:#}")),
            },
        }
    }
    // Supplementary, not part of the comparison: after the interleaved runs.
    if o.one_property {
        match fleet_ingest(o, &o.fleetdeck, 1, lanes, None).await {
            Ok(f) => r.one_property = Some(f),
            Err(e) => r.errors.push(format!("fleetdeck, 1 property per post: {e:#}")),
        }
    }
    r
}

/// One fleetdeck ingest run on a fresh server, with the database check: on SQLite, or with `pg`
/// on a fresh database of that cluster (dropped afterwards).
async fn fleet_ingest(
    o: &Opts,
    bin: &Path,
    props: usize,
    lanes: &mut Lanes,
    pg: Option<&pg::Cluster>,
) -> anyhow::Result<FleetIngest> {
    let Some(cluster) = pg else { return fleet_ingest_on(o, bin, props, lanes, None).await };
    let fresh = cluster.fresh().await?;
    let r = fleet_ingest_on(o, bin, props, lanes, Some(&fresh.url)).await;
    if let Err(e) = cluster.drop_db(&fresh).await {
        eprintln!("        (could not drop database {}: {e:#})", fresh.name);
    }
    r
}

async fn fleet_ingest_on(
    o: &Opts,
    bin: &Path,
    props: usize,
    lanes: &mut Lanes,
    url: Option<&str>,
) -> anyhow::Result<FleetIngest> {
    let (p, _api) = fleetdeck_with_fleet(bin, o.ingest_devices, url).await?;
    let io = ingest::Opts {
        devices: o.ingest_devices,
        per_device: o.ingest_per_device,
        window: o.window,
        max_secs: 180,
        lane: lanes.next(o.ingest_devices),
        props,
    };
    let ((out, t0), cpu) = measure_cpu(p.pid, ingest::fleetdeck(p.mqtt, PRODUCT_KEY, &io)).await;
    let mut f = FleetIngest { out, props, stored: None, stored_secs: None, cpu, errors: Vec::new() };
    let want = f.out.sent * props as u64;
    let target = match url {
        Some(u) => db::Target::Postgres(u.to_string()),
        None => db::Target::Sqlite(p.db_path()),
    };
    match db::wait_stored(&target, PRODUCT_KEY, want, Duration::from_secs(10), Duration::from_secs(180)).await {
        Ok((stored, at)) => {
            f.stored = Some(stored);
            f.stored_secs = Some((at - t0).as_secs_f64());
        }
        Err(e) => f.errors.push(format!("database check: {e:#}")),
    }
    p.stop().await;
    Ok(f)
}

async fn latency_rep(o: &Opts, rate: u64, rep: usize, lanes: &mut Lanes) -> LatencyRep {
    let order = run_order(rep, o.fleetdeck_before.is_some(), false);
    let mut r = LatencyRep { load: procs::loadavg(), order: order.clone(), ..Default::default() };
    let lo = |lane| latency::Opts {
        devices: o.latency_devices,
        rate,
        secs: o.latency_secs,
        warmup_secs: 1,
        drain_secs: 5,
        lane,
    };
    for side in order {
        match (side, &o.fleetdeck_before) {
            (Side::Mosquitto, _) => match procs::start_mosquitto(&o.mosquitto).await {
                Ok(m) => {
                    let lo = lo(lanes.next(o.latency_devices));
                    let (out, cpu) = measure_cpu(m.pid, latency::mosquitto(m.mqtt, PRODUCT_KEY, &lo)).await;
                    (r.mosquitto, r.cpu_mosquitto) = (Some(out), cpu);
                    m.stop().await;
                }
                Err(e) => r.errors.push(format!("mosquitto: {e:#}")),
            },
            (Side::Fleetdeck, _) => match fleet_latency(o, &o.fleetdeck, &lo(lanes.next(o.latency_devices))).await {
                Ok((out, cpu)) => (r.fleetdeck, r.cpu_fleetdeck) = (Some(out), cpu),
                Err(e) => r.errors.push(format!("fleetdeck: {e:#}")),
            },
            (Side::Before, Some(bin)) => match fleet_latency(o, bin, &lo(lanes.next(o.latency_devices))).await {
                Ok((out, cpu)) => (r.before, r.cpu_before) = (Some(out), cpu),
                Err(e) => r.errors.push(format!("fleetdeck before: {e:#}")),
            },
            (Side::Before, None) | (Side::Postgres, _) => {}
        }
    }
    r
}

/// One fleetdeck latency run on a fresh server.
async fn fleet_latency(o: &Opts, bin: &Path, lo: &latency::Opts) -> anyhow::Result<(latency::Outcome, Option<CpuUse>)> {
    let (p, api) = fleetdeck_with_fleet(bin, o.latency_devices, None).await?;
    let res = measure_cpu(p.pid, latency::fleetdeck(p.mqtt, &api, PRODUCT_KEY, lo)).await;
    p.stop().await;
    Ok(res)
}

async fn idle_rep(o: &Opts, n: usize, lanes: &mut Lanes, point: &mut IdlePoint) {
    point.loads.push(procs::loadavg());
    let io = |lane| idle::Opts {
        devices: n,
        concurrency: 200,
        settle_secs: 5,
        samples: 3,
        connect_deadline_secs: 300,
        lane,
    };
    match procs::start_mosquitto(&o.mosquitto).await {
        Ok(m) => {
            point.mosquitto.push(idle::run(m.mqtt, PRODUCT_KEY, m.pid, &io(lanes.next(n))).await);
            m.stop().await;
        }
        Err(e) => point.errors.push(format!("mosquitto: {e:#}")),
    }
    match fleetdeck_with_fleet(&o.fleetdeck, n, None).await {
        Ok((p, _api)) => {
            point.fleetdeck.push(idle::run(p.mqtt, PRODUCT_KEY, p.pid, &io(lanes.next(n))).await);
            p.stop().await;
        }
        Err(e) => point.errors.push(format!("fleetdeck: {e:#}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_unchanged_without_a_before_binary() {
        for rep in 0..4 {
            assert_eq!(run_order(rep, false, false), [Side::Mosquitto, Side::Fleetdeck]);
        }
    }

    /// Every side takes every position once in each `n` repetitions.
    fn each_takes_each_position(with_before: bool, with_pg: bool, sides: &[Side]) {
        let n = sides.len();
        for side in sides {
            for start in [0, n] {
                let mut positions: Vec<usize> = (start..start + n)
                    .map(|rep| run_order(rep, with_before, with_pg).iter().position(|s| s == side).unwrap())
                    .collect();
                positions.sort_unstable();
                assert_eq!(positions, (0..n).collect::<Vec<_>>(), "{side:?}");
            }
        }
    }

    #[test]
    fn order_rotates_so_each_takes_each_position_once_in_three_reps() {
        use Side::*;
        assert_eq!(run_order(0, true, false), [Mosquitto, Before, Fleetdeck]);
        assert_eq!(run_order(1, true, false), [Before, Fleetdeck, Mosquitto]);
        assert_eq!(run_order(2, true, false), [Fleetdeck, Mosquitto, Before]);
        assert_eq!(run_order(3, true, false), run_order(0, true, false));
        each_takes_each_position(true, false, &[Mosquitto, Before, Fleetdeck]);
    }

    #[test]
    fn postgres_is_a_third_side_in_the_rotation() {
        use Side::*;
        assert_eq!(run_order(0, false, true), [Mosquitto, Fleetdeck, Postgres]);
        assert_eq!(run_order(1, false, true), [Fleetdeck, Postgres, Mosquitto]);
        assert_eq!(run_order(2, false, true), [Postgres, Mosquitto, Fleetdeck]);
        assert_eq!(run_order(3, false, true), run_order(0, false, true));
        each_takes_each_position(false, true, &[Mosquitto, Fleetdeck, Postgres]);
        // With a before-binary too: four sides, each in each position once in four repetitions.
        assert_eq!(run_order(1, true, true), [Before, Fleetdeck, Postgres, Mosquitto]);
        each_takes_each_position(true, true, &[Mosquitto, Before, Fleetdeck, Postgres]);
    }
}
