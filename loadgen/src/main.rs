//! `loadgen`: load generator for fleetdeck and the driver of its benchmark (BENCHMARKS.md).
//!
//! Everything targets 127.0.0.1 only (devices connect from 127.0.0.2–127.0.0.251; other
//! addresses are refused), and every loop is bounded in count and in time.
//!
//! - `bench`: the full benchmark (what `scripts/bench.sh` runs): starts fleetdeck and a private
//!   Mosquitto itself (and with `--pg-url` fleetdeck on PostgreSQL too), runs the measurements a
//!   few times each, writes BENCHMARKS.md.
//! - `metrics`: what issue 14's monitoring costs (ingest with metrics on/off, the 7-day overview
//!   query, the `/metrics` scrape); writes its own BENCHMARKS.md section.
//! - `setup`, `ingest`, `latency`, `idle`: one measurement against a server you started, for
//!   investigating; each prints its result as JSON.

mod api;
mod bench;
mod db;
mod fleet;
mod idle;
mod ingest;
mod latency;
// The monitoring metrics' cost (issue 14).
mod metrics;
mod payload;
mod pg;
mod procs;
mod registry;
mod report;
// The simulated demo fleet's cost (issue 13).
mod simulate;
mod stats;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
// A flag given again overrides the earlier one: `scripts/bench.sh` passes its defaults first and
// the caller's arguments after them (e.g. `--out /tmp/b.md`).
#[command(
    name = "loadgen",
    about = "Load generator and benchmark driver for fleetdeck (loopback only)",
    args_override_self = true
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Run the whole benchmark and write the report.
    Bench(bench::Opts),
    /// Create the benchmark product, its thing model and devices (CSV import) on a running server.
    Setup {
        #[command(flatten)]
        server: Server,
        /// Devices lg000000.. to create.
        #[arg(long, default_value_t = 100)]
        devices: usize,
    },
    /// Ingest rate against a running broker (fleetdeck, or Mosquitto with --mosquitto).
    Ingest {
        #[arg(long)]
        mqtt: SocketAddr,
        /// Baseline mode: 1 publisher → 1 subscriber through a plain broker.
        #[arg(long)]
        mosquitto: bool,
        #[arg(long, default_value_t = 100)]
        devices: usize,
        #[arg(long, default_value_t = 500)]
        per_device: u64,
        #[arg(long, default_value_t = 32)]
        window: usize,
        /// fleetdeck's SQLite database, to check that every message was stored.
        #[arg(long)]
        db: Option<PathBuf>,
        /// fleetdeck's PostgreSQL database (its `--database-url`), for the same check.
        #[arg(long, conflicts_with = "db")]
        database_url: Option<String>,
        #[arg(long, default_value_t = 120)]
        max_secs: u64,
        /// Properties per post, 1..=3 (fleetdeck stores each as a row).
        #[arg(long, default_value_t = 3)]
        props: usize,
    },
    /// Device → browser (or → subscriber with --mosquitto) latency at a fixed rate.
    Latency {
        #[arg(long)]
        mqtt: SocketAddr,
        #[command(flatten)]
        server: Option<Server>,
        #[arg(long)]
        mosquitto: bool,
        #[arg(long, default_value_t = 10_000)]
        rate: u64,
        #[arg(long, default_value_t = 10)]
        secs: u64,
        #[arg(long, default_value_t = 100)]
        devices: usize,
    },
    /// Connect N idle devices and report the RSS of process PID.
    Idle {
        #[arg(long)]
        mqtt: SocketAddr,
        #[arg(long)]
        pid: u32,
        #[arg(long, default_value_t = 10_000)]
        devices: usize,
        #[arg(long, default_value_t = 5)]
        settle_secs: u64,
    },
    /// What N simulated demo devices cost inside `fleetdeck serve --demo` (CPU, RSS).
    Simulate(simulate::Opts),
    /// What the monitoring metrics cost: ingest on/off, the 7-day overview query, the scrape.
    Metrics(metrics::Opts),
    /// Print a free TCP port on 127.0.0.1.
    FreePort,
    /// Write the report again from a `bench --json` file (the options must match the run's).
    Render {
        #[arg(long)]
        results: PathBuf,
        #[command(flatten)]
        opts: bench::Opts,
    },
}

#[derive(Debug, Clone, Args)]
struct Server {
    /// fleetdeck's HTTP base URL, e.g. http://127.0.0.1:8080
    #[arg(long)]
    http: String,
    #[arg(long, default_value = "admin")]
    user: String,
    #[arg(long, env = "LOADGEN_PASSWORD", hide_env_values = true)]
    password: String,
}

impl Server {
    async fn login(&self) -> anyhow::Result<api::Api> {
        loopback_url(&self.http)?;
        api::Api::login(&self.http, &self.user, &self.password).await
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let nofile = procs::raise_nofile();
    // Two workers: the machine the numbers are for has two cores, and the brokers need them too.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(run(cli.command, nofile))
}

fn print<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

/// The load generator only ever talks to this machine.
fn loopback(addr: SocketAddr) -> anyhow::Result<SocketAddr> {
    anyhow::ensure!(addr.ip().is_loopback(), "{addr}: loadgen only targets loopback addresses (127.0.0.0/8)");
    Ok(addr)
}

fn loopback_url(url: &str) -> anyhow::Result<()> {
    let u = reqwest::Url::parse(url).with_context(|| format!("not a URL: {url}"))?;
    let host = u.host_str().unwrap_or("");
    let ok = host == "localhost" || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback());
    anyhow::ensure!(ok && u.scheme() == "http", "{url}: loadgen only targets http://127.0.0.x or localhost");
    Ok(())
}

async fn run(cmd: Cmd, nofile: u64) -> anyhow::Result<()> {
    let pk = payload::PRODUCT_KEY;
    match cmd {
        Cmd::Bench(o) => bench::run(o, nofile).await,
        Cmd::Setup { server, devices } => {
            let api = server.login().await?;
            api.ensure_product(pk).await?;
            let created = api.import_devices(pk, 0..devices).await?;
            println!("product {pk}: {devices} devices ({created} new)");
            Ok(())
        }
        Cmd::Ingest { mqtt, mosquitto, devices, per_device, window, db, database_url, max_secs, props } => {
            let mqtt = loopback(mqtt)?;
            if mosquitto {
                return print(&ingest::mosquitto(mqtt, pk, devices as u64 * per_device, window, max_secs, 0).await);
            }
            let o = ingest::Opts { devices, per_device, window, max_secs, lane: 0, props };
            let (r, t0) = ingest::fleetdeck(mqtt, pk, &o).await;
            print(&r)?;
            let target = match (db, database_url) {
                (Some(path), _) => Some(db::Target::Sqlite(path)),
                (None, Some(url)) => {
                    pg::check_url(&url)?;
                    Some(db::Target::Postgres(url))
                }
                (None, None) => None,
            };
            if let Some(target) = target {
                let (stored, at) = db::wait_stored(
                    &target,
                    pk,
                    r.sent * props.clamp(1, 3) as u64,
                    std::time::Duration::from_secs(10),
                    std::time::Duration::from_secs(120),
                )
                .await?;
                print(&stored)?;
                println!("stored after {:.2} s", (at - t0).as_secs_f64());
            }
            Ok(())
        }
        Cmd::Latency { mqtt, server, mosquitto, rate, secs, devices } => {
            let mqtt = loopback(mqtt)?;
            let o = latency::Opts { devices, rate, secs, warmup_secs: 1, drain_secs: 5, lane: 0 };
            if mosquitto {
                return print(&latency::mosquitto(mqtt, pk, &o).await);
            }
            let api = server.context("--http and --password are needed for the WebSocket")?.login().await?;
            print(&latency::fleetdeck(mqtt, &api, pk, &o).await)
        }
        Cmd::Idle { mqtt, pid, devices, settle_secs } => {
            let mqtt = loopback(mqtt)?;
            let o =
                idle::Opts { devices, concurrency: 200, settle_secs, samples: 3, connect_deadline_secs: 300, lane: 0 };
            print(&idle::run(mqtt, pk, pid, &o).await)
        }
        Cmd::Render { results, opts } => {
            let res: bench::Results = serde_json::from_str(&std::fs::read_to_string(&results)?)?;
            let old = std::fs::read_to_string(&opts.out).unwrap_or_default();
            let new = report::simulate::carry_over(&old, report::render(&res, &opts));
            std::fs::write(&opts.out, report::metrics::carry_over(&old, new))?;
            Ok(())
        }
        Cmd::Simulate(o) => print(&simulate::run(o).await?),
        Cmd::Metrics(o) => print(&metrics::run(o).await?),
        Cmd::FreePort => {
            println!("{}", procs::free_port()?);
            Ok(())
        }
    }
}
