//! `loadgen metrics`: what issue 14's monitoring costs (BENCHMARKS.md section
//! [`crate::report::metrics`]). Three measurements, repeated (medians):
//!
//! 1. ingest with metrics on against `--metrics off` (goal: ≤ 5 % fewer messages/s), the two
//!    interleaved and their order swapped every repetition (the baseline is measured in the same
//!    run, on the same machine), `--ingest-reps` times;
//! 2. a 7-day overview query (`GET /api/v1/monitoring/series`, six metrics) with `--products`
//!    products' worth of minute points seeded straight into the store, on SQLite and (with
//!    `--pg-url`) PostgreSQL (goal ≤ 50 ms): seeded once per store (40 M rows at 1,000 products
//!    take minutes), then `--reps` repetitions against that data, each with a fresh server process;
//! 3. a `/metrics` scrape with `--scrape-devices` registered devices (goal ≤ 100 ms), `--reps`
//!    times.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde::{Deserialize, Serialize};
use sqlx::{Connection, Executor};

use crate::api::Api;
use crate::ingest;
use crate::payload::PRODUCT_KEY;
use crate::pg::{Cluster, FreshDb};
use crate::procs::{self, Proc, Scratch};
use crate::stats::Spread;

#[derive(Debug, Clone, Args)]
pub struct Opts {
    /// The fleetdeck binary.
    #[arg(long, default_value = "target/release/fleetdeck")]
    pub bin: PathBuf,
    /// Repetitions of the overview query and the scrape (medians are reported).
    #[arg(long, default_value_t = 3)]
    pub reps: usize,
    /// Repetitions of the ingest pair (cheap, and the noisiest measurement).
    #[arg(long, default_value_t = 5)]
    pub ingest_reps: usize,
    /// Ingest: devices posting at once.
    #[arg(long, default_value_t = 100)]
    pub devices: usize,
    /// Ingest: posts per device (2,000: a run of ~8 s, long enough to average out the noise).
    #[arg(long, default_value_t = 2_000)]
    pub per_device: u64,
    /// Leave out the ingest measurement (developing the query; a report needs all three).
    #[arg(long)]
    pub skip_ingest: bool,
    /// Leave out the scrape measurement.
    #[arg(long)]
    pub skip_scrape: bool,
    /// Overview query: products whose 7 days of minutes are seeded (plus the instance's).
    #[arg(long, default_value_t = 1_000)]
    pub products: usize,
    /// Overview query: timed queries per repetition (after one warm-up).
    #[arg(long, default_value_t = 5)]
    pub queries: usize,
    /// Scrape: registered devices.
    #[arg(long, default_value_t = 100_000)]
    pub scrape_devices: usize,
    /// A PostgreSQL cluster's admin URL (loopback): the overview query on PostgreSQL too.
    #[arg(long)]
    pub pg_url: Option<String>,
    /// BENCHMARKS.md to update (its metrics section only); print JSON only if absent.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Outcome {
    pub devices: usize,
    pub per_device: u64,
    /// Messages/s per repetition.
    pub ingest_on: Vec<f64>,
    pub ingest_off: Vec<f64>,
    /// The server's CPU time per message (µs) per repetition: what counting costs, read from
    /// `/proc` and so far less disturbed by other work on a shared box than the rate.
    #[serde(default)]
    pub cpu_us_on: Vec<f64>,
    #[serde(default)]
    pub cpu_us_off: Vec<f64>,
    pub products: usize,
    /// Rows seeded (minutes table) per store.
    pub seeded_rows: u64,
    /// Median ms per repetition of the instance's and one product's 7-day overview.
    pub query_sqlite: Vec<f64>,
    pub query_product_sqlite: Vec<f64>,
    pub query_pg: Vec<f64>,
    pub query_product_pg: Vec<f64>,
    pub points: usize,
    pub scrape_devices: usize,
    /// Median ms per repetition.
    pub scrape: Vec<f64>,
    pub scrape_bytes: usize,
    pub loadavg: String,
    pub cpus: usize,
}

const PASSWORD: &str = "loadgen-metrics-pw";
const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;
/// The overview's metrics: what the Monitoring page opens with.
pub const OVERVIEW: &str = "OnlineDevicesCount_MQTT,MessageCountSentToIoT_MQTT,MessageCountSentFromIoT_MQTT,\
MessageCountPerMinute,DevicePropertyReportError,ConnectCountPerMinute";

async fn start(o: &Opts, database_url: Option<&str>, metrics: bool) -> anyhow::Result<(Proc, Api)> {
    let env = [("FLEETDECK_METRICS", if metrics { "on" } else { "off" })];
    let p = procs::start_fleetdeck_with(&o.bin, PASSWORD, database_url, &env).await?;
    let api = Api::login(p.http.as_deref().unwrap_or_default(), "admin", PASSWORD).await?;
    Ok((p, api))
}

/// One ingest run: (messages/s, server CPU µs per message).
async fn ingest_once(o: &Opts, metrics: bool) -> anyhow::Result<(f64, f64)> {
    let (p, api) = start(o, None, metrics).await?;
    api.ensure_product(PRODUCT_KEY).await?;
    api.import_devices(PRODUCT_KEY, 0..o.devices).await?;
    let io =
        ingest::Opts { devices: o.devices, per_device: o.per_device, window: 32, max_secs: 120, lane: 0, props: 3 };
    let cpu0 = procs::cpu_secs(p.pid);
    let ((r, _), cpu1) = (ingest::fleetdeck(p.mqtt, PRODUCT_KEY, &io).await, procs::cpu_secs(p.pid));
    p.stop().await;
    anyhow::ensure!(r.error.is_none() && !r.timed_out, "ingest run failed: {:?}", r.error);
    let messages = (o.devices as u64 * o.per_device) as f64;
    let cpu_us = cpu0.zip(cpu1).map_or(f64::NAN, |(a, b)| (b - a) * 1e6 / messages);
    Ok((r.rate, cpu_us))
}

/// Seed the 7 days of minutes before `end` for the instance and `products` products (four
/// counts every minute, the two levels once an hour) into the store at `url` (fleetdeck has
/// migrated it and is not running). In time order, as the ingest writer stores them — every
/// minute the rows of all scopes — so a scope's rows lie spread over the table as in a real
/// store: one statement per hour, ordered by minute. Then the statistics, as in steady state:
/// `ANALYZE` on SQLite, `VACUUM (ANALYZE)` on PostgreSQL (what autovacuum does there after
/// inserts; the visibility map lets index-only scans skip the heap).
async fn seed(url: &str, pg: bool, products: usize, end: i64) -> anyhow::Result<u64> {
    let start = end - 7 * DAY;
    let temp = [
        "CREATE TEMP TABLE lg_scopes (pk TEXT NOT NULL)".to_string(),
        format!("INSERT INTO lg_scopes (pk) VALUES ('') , ('{PRODUCT_KEY}')"),
        "CREATE TEMP TABLE lg_series (metric TEXT NOT NULL, protocol TEXT NOT NULL, level INTEGER NOT NULL)".into(),
        "INSERT INTO lg_series (metric, protocol, level) VALUES ('MessageCountSentToIoT', 'MQTT', 0), \
         ('MessageCountSentFromIoT', 'MQTT', 0), ('MessageCountPerMinute', '', 0), ('ConnectCountPerMinute', '', 0), \
         ('OnlineDevicesCount', 'MQTT', 1), ('DeviceCount_Product', '', 1)"
            .into(),
        if pg {
            format!(
                "INSERT INTO lg_scopes (pk) SELECT 'lgm' || CAST(n AS TEXT) FROM generate_series(1, {products}) AS n"
            )
        } else {
            format!(
                "INSERT INTO lg_scopes (pk) WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s \
                 WHERE n < {products}) SELECT 'lgm' || CAST(n AS TEXT) FROM s"
            )
        },
    ];
    let hour = |h: i64| {
        let (from, last) = (start + h * 60 * MINUTE, (start + (h + 1) * 60 * MINUTE).min(end) - MINUTE);
        let minutes = if pg {
            format!("SELECT generate_series({from}::bigint, {last}::bigint, {MINUTE}::bigint) AS t")
        } else {
            format!(
                "WITH RECURSIVE m(t) AS (SELECT {from} UNION ALL SELECT t + {MINUTE} FROM m WHERE t < {last}) \
                 SELECT t FROM m"
            )
        };
        format!(
            "INSERT INTO metric_minutes (product_key, metric, protocol, t, value) \
             SELECT s.pk, c.metric, c.protocol, m.t, CAST((m.t / {MINUTE}) % 97 AS DOUBLE PRECISION) \
             FROM ({minutes}) AS m, lg_scopes AS s, lg_series AS c WHERE c.level = 0 OR m.t % {} = 0 \
             ORDER BY m.t, s.pk, c.metric, c.protocol",
            60 * MINUTE
        )
    };
    let hours = (end - start + 60 * MINUTE - 1) / (60 * MINUTE);
    let mut rows = 0;
    if pg {
        let mut c = sqlx::PgConnection::connect(url).await?;
        // Each hour's rows sorted in memory.
        c.execute("SET work_mem = '256MB'").await?;
        for stmt in temp {
            c.execute(sqlx::AssertSqlSafe(stmt)).await?;
        }
        for h in 0..hours {
            rows += c.execute(sqlx::AssertSqlSafe(hour(h))).await?.rows_affected();
        }
        c.execute("VACUUM (ANALYZE) metric_minutes").await?;
    } else {
        let mut c = sqlx::SqliteConnection::connect(url).await?;
        // Every minute adds a row at each scope's end of the key order: with the default 2 MB
        // page cache each of those inserts would read and write a leaf page again.
        c.execute("PRAGMA cache_size = -2097152").await?;
        // A bulk load into a scratch database: no journal (the pages go straight to the file
        // instead of through the WAL and a checkpoint); WAL again afterwards, as fleetdeck runs.
        c.execute("PRAGMA journal_mode = OFF").await?;
        c.execute("PRAGMA synchronous = OFF").await?;
        for stmt in temp {
            c.execute(sqlx::AssertSqlSafe(stmt)).await?;
        }
        let mut tx = c.begin().await?;
        for h in 0..hours {
            rows += tx.execute(sqlx::AssertSqlSafe(hour(h))).await?.rows_affected();
        }
        tx.commit().await?;
        c.execute("ANALYZE").await?;
        c.execute("PRAGMA journal_mode = WAL").await?;
    }
    Ok(rows)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Median ms of `n` timed GETs of `path` after one warm-up; the body of the last.
async fn timed(api: &Api, path: &str, n: usize) -> anyhow::Result<(f64, String)> {
    let (s, mut body) = api.get_text(path).await?;
    anyhow::ensure!(s.is_success(), "GET {path}: {s} {body}");
    let mut ms = Vec::with_capacity(n);
    for _ in 0..n.max(1) {
        let t = Instant::now();
        let (s, b) = api.get_text(path).await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(s.is_success(), "GET {path}: {s}");
        body = b;
    }
    Ok((Spread::of(&ms).map_or(f64::NAN, |s| s.median), body))
}

/// The overview at the instance and at one product on the store at `url`, from a freshly
/// started server: (instance ms, product ms, points).
async fn query_once(o: &Opts, url: &str) -> anyhow::Result<(f64, f64, usize)> {
    let (p, api) = start(o, Some(url), true).await?;
    let now = now_ms();
    let range = format!("from={}&to={}", now - 7 * DAY, now);
    let path = format!("/api/v1/monitoring/series?metrics={OVERVIEW}&{range}");
    let (instance, body) = timed(&api, &path, o.queries).await?;
    let v: serde_json::Value = serde_json::from_str(&body)?;
    let points =
        v["series"].as_array().map_or(0, |s| s.iter().map(|s| s["points"].as_array().map_or(0, Vec::len)).sum());
    let path = format!("/api/v1/monitoring/series?metrics={OVERVIEW}&product={PRODUCT_KEY}&{range}");
    let (product, _) = timed(&api, &path, o.queries).await?;
    p.stop().await;
    Ok((instance, product, points))
}

/// A store seeded for the overview: its URL, what keeps it (the SQLite file's directory, the
/// PostgreSQL database), the rows seeded.
struct Seeded {
    store: &'static str,
    url: String,
    _scratch: Scratch,
    fresh: Option<FreshDb>,
    rows: u64,
}

/// Migrate a new store (a server started once) and seed it.
async fn prepare(o: &Opts, cluster: Option<&Cluster>) -> anyhow::Result<Seeded> {
    let scratch = Scratch::new("metrics-store")?;
    let fresh = match cluster {
        Some(c) => Some(c.fresh().await?),
        None => None,
    };
    let url = match &fresh {
        Some(f) => f.url.clone(),
        None => format!("sqlite://{}", scratch.0.join("fleetdeck.db").display()),
    };
    let (p, api) = start(o, Some(&url), true).await?;
    api.ensure_product(PRODUCT_KEY).await?;
    p.stop().await;
    let store = if cluster.is_some() { "PostgreSQL" } else { "SQLite" };
    let t = Instant::now();
    let now = now_ms();
    let rows = seed(&url, cluster.is_some(), o.products, now - now.rem_euclid(MINUTE)).await?;
    eprintln!("{store}: {rows} rows seeded in {:.0} s", t.elapsed().as_secs_f64());
    Ok(Seeded { store, url, _scratch: scratch, fresh, rows })
}

/// `--reps` overview runs against a seeded store: (instance ms, product ms) per run, points.
async fn query_runs(o: &Opts, s: &Seeded) -> anyhow::Result<(Vec<f64>, Vec<f64>, usize)> {
    let (mut instance, mut product, mut points) = (Vec::new(), Vec::new(), 0);
    for rep in 0..o.reps.max(1) {
        let (i, p, n) = query_once(o, &s.url).await?;
        eprintln!("{}: overview run {}: instance {i:.1} ms, product {p:.1} ms", s.store, rep + 1);
        instance.push(i);
        product.push(p);
        points = n;
    }
    Ok((instance, product, points))
}

async fn scrape_once(o: &Opts) -> anyhow::Result<(f64, usize)> {
    let (p, api) = start(o, None, true).await?;
    api.ensure_product(PRODUCT_KEY).await?;
    api.import_devices(PRODUCT_KEY, 0..o.scrape_devices).await.context("registering the devices")?;
    let (ms, body) = timed(&api, "/metrics", 5).await?;
    p.stop().await;
    Ok((ms, body.len()))
}

pub async fn run(o: Opts) -> anyhow::Result<Outcome> {
    anyhow::ensure!(
        o.out.is_none() || !(o.skip_ingest || o.skip_scrape),
        "--out writes the whole section: run all three measurements (no --skip-*)"
    );
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut out = Outcome {
        devices: o.devices,
        per_device: o.per_device,
        products: o.products,
        scrape_devices: o.scrape_devices,
        cpus,
        ..Default::default()
    };
    let cluster = match &o.pg_url {
        Some(url) => {
            crate::pg::check_url(url)?;
            Some(Cluster::new(url)?)
        }
        None => None,
    };
    // The long seeding first, so that the timed parts run together. Both stores seeded at once
    // (minutes each, on different processes' cores), then queried one after the other.
    let pg = async {
        match &cluster {
            Some(c) => prepare(&o, Some(c)).await.map(Some),
            None => Ok(None),
        }
    };
    let (sqlite, pg) = tokio::join!(prepare(&o, None), pg);
    let (sqlite, pg) = (sqlite?, pg?);
    (out.query_sqlite, out.query_product_sqlite, out.points) = query_runs(&o, &sqlite).await?;
    out.seeded_rows = sqlite.rows;
    drop(sqlite);
    if let (Some(c), Some(pg)) = (&cluster, pg) {
        anyhow::ensure!(pg.rows == out.seeded_rows, "both stores seeded alike");
        (out.query_pg, out.query_product_pg, _) = query_runs(&o, &pg).await?;
        if let Some(f) = &pg.fresh {
            let _ = c.drop_db(f).await;
        }
    }
    for rep in 0..if o.skip_ingest { 0 } else { o.ingest_reps } {
        // Interleaved, the order swapped every repetition.
        for metrics in if rep % 2 == 0 { [true, false] } else { [false, true] } {
            let (rate, cpu_us) = ingest_once(&o, metrics).await?;
            let on = if metrics { "on" } else { "off" };
            eprintln!("ingest run {}, metrics {on}: {rate:.0} messages/s, {cpu_us:.1} µs CPU per message", rep + 1);
            if metrics {
                out.ingest_on.push(rate);
                out.cpu_us_on.push(cpu_us);
            } else {
                out.ingest_off.push(rate);
                out.cpu_us_off.push(cpu_us);
            }
        }
    }
    for _ in 0..if o.skip_scrape { 0 } else { o.reps } {
        let (ms, bytes) = scrape_once(&o).await?;
        out.scrape.push(ms);
        out.scrape_bytes = bytes;
    }
    out.loadavg = procs::loadavg();
    if let Some(path) = &o.out {
        let old = std::fs::read_to_string(path).unwrap_or_default();
        let section = crate::report::metrics::render(&out);
        std::fs::write(path, crate::report::metrics::splice(&old, &section))?;
    }
    Ok(out)
}
