//! `loadgen metrics`: what issue 14's monitoring costs (BENCHMARKS.md section
//! [`crate::report::metrics`]). Three measurements, each repeated `--reps` times (medians):
//!
//! 1. ingest with metrics on against `--metrics off` (goal: ≤ 5 % fewer messages/s), the two
//!    interleaved and their order swapped every repetition (the baseline is measured in the same
//!    run, on the same machine);
//! 2. a 7-day overview query (`GET /api/v1/monitoring/series`, six metrics) with `--products`
//!    products' worth of minute points seeded straight into the store, on SQLite and (with
//!    `--pg-url`) PostgreSQL (goal ≤ 50 ms);
//! 3. a `/metrics` scrape with `--scrape-devices` registered devices (goal ≤ 100 ms).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde::{Deserialize, Serialize};
use sqlx::{Connection, Executor};

use crate::api::Api;
use crate::ingest;
use crate::payload::PRODUCT_KEY;
use crate::pg::Cluster;
use crate::procs::{self, Proc};
use crate::stats::Spread;

#[derive(Debug, Clone, Args)]
pub struct Opts {
    /// The fleetdeck binary.
    #[arg(long, default_value = "target/release/fleetdeck")]
    pub bin: PathBuf,
    /// Repetitions of each measurement (medians are reported).
    #[arg(long, default_value_t = 3)]
    pub reps: usize,
    /// Ingest: devices posting at once.
    #[arg(long, default_value_t = 100)]
    pub devices: usize,
    /// Ingest: posts per device.
    #[arg(long, default_value_t = 500)]
    pub per_device: u64,
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

async fn ingest_once(o: &Opts, metrics: bool) -> anyhow::Result<f64> {
    let (p, api) = start(o, None, metrics).await?;
    api.ensure_product(PRODUCT_KEY).await?;
    api.import_devices(PRODUCT_KEY, 0..o.devices).await?;
    let io =
        ingest::Opts { devices: o.devices, per_device: o.per_device, window: 32, max_secs: 120, lane: 0, props: 3 };
    let (r, _) = ingest::fleetdeck(p.mqtt, PRODUCT_KEY, &io).await;
    p.stop().await;
    anyhow::ensure!(r.error.is_none() && !r.timed_out, "ingest run failed: {:?}", r.error);
    Ok(r.rate)
}

/// Seed 7 days of minutes for the instance and `products` products (four counts every minute,
/// the two levels once an hour), in the server's own store, in one statement per scope batch.
async fn seed(url: &str, pg: bool, products: usize, now: i64) -> anyhow::Result<u64> {
    let end = now - now.rem_euclid(MINUTE);
    let start = end - 7 * DAY;
    let scopes = format!(
        "SELECT '' AS pk UNION ALL SELECT '{PRODUCT_KEY}' UNION ALL SELECT 'lgm' || CAST(n AS TEXT) FROM ({}) AS p",
        if pg {
            format!("SELECT generate_series(1, {products}) AS n")
        } else {
            format!(
                "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {products}) SELECT n FROM s"
            )
        }
    );
    let minutes = if pg {
        format!("SELECT generate_series({start}::bigint, {}::bigint, {MINUTE}::bigint) AS t", end - MINUTE)
    } else {
        format!(
            "WITH RECURSIVE m(t) AS (SELECT {start} UNION ALL SELECT t + {MINUTE} FROM m WHERE t < {}) SELECT t FROM m",
            end - MINUTE
        )
    };
    let counts = "SELECT 'MessageCountSentToIoT' AS metric, 'MQTT' AS protocol UNION ALL \
        SELECT 'MessageCountSentFromIoT', 'MQTT' UNION ALL SELECT 'MessageCountPerMinute', '' UNION ALL \
        SELECT 'ConnectCountPerMinute', ''";
    let insert_minutes = format!(
        "INSERT INTO metric_minutes (product_key, metric, protocol, t, value) \
         SELECT s.pk, c.metric, c.protocol, m.t, CAST((m.t / {MINUTE}) % 97 AS DOUBLE PRECISION) \
         FROM ({scopes}) AS s, ({minutes}) AS m, ({counts}) AS c"
    );
    let insert_levels = format!(
        "INSERT INTO metric_minutes (product_key, metric, protocol, t, value) \
         SELECT s.pk, l.metric, l.protocol, m.t, 50 FROM ({scopes}) AS s, ({minutes}) AS m, \
         (SELECT 'OnlineDevicesCount' AS metric, 'MQTT' AS protocol UNION ALL SELECT 'DeviceCount_Product', '') AS l \
         WHERE m.t % {} = 0",
        60 * MINUTE
    );
    let rows = if pg {
        let mut c = sqlx::PgConnection::connect(url).await?;
        let a = c.execute(sqlx::AssertSqlSafe(insert_minutes)).await?.rows_affected();
        let b = c.execute(sqlx::AssertSqlSafe(insert_levels)).await?.rows_affected();
        c.execute("ANALYZE metric_minutes").await?;
        a + b
    } else {
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{url}")).await?;
        let mut tx = c.begin().await?;
        let a = tx.execute(sqlx::AssertSqlSafe(insert_minutes)).await?.rows_affected();
        let b = tx.execute(sqlx::AssertSqlSafe(insert_levels)).await?.rows_affected();
        tx.commit().await?;
        c.execute("ANALYZE").await?;
        a + b
    };
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

/// The overview at the instance and at one product; (instance ms, product ms, points, rows).
async fn query_once(o: &Opts, cluster: Option<&Cluster>) -> anyhow::Result<(f64, f64, usize, u64)> {
    let fresh = match cluster {
        Some(c) => Some(c.fresh().await?),
        None => None,
    };
    let url = fresh.as_ref().map(|f| f.url.clone());
    let (p, api) = start(o, url.as_deref(), true).await?;
    api.ensure_product(PRODUCT_KEY).await?;
    let now = now_ms();
    let rows = match &url {
        Some(u) => seed(u, true, o.products, now).await?,
        None => seed(&p.db_path().display().to_string(), false, o.products, now).await?,
    };
    let range = format!("from={}&to={}", now - 7 * DAY, now);
    let path = format!("/api/v1/monitoring/series?metrics={OVERVIEW}&{range}");
    let (instance, body) = timed(&api, &path, o.queries).await?;
    let v: serde_json::Value = serde_json::from_str(&body)?;
    let points =
        v["series"].as_array().map_or(0, |s| s.iter().map(|s| s["points"].as_array().map_or(0, Vec::len)).sum());
    let path = format!("/api/v1/monitoring/series?metrics={OVERVIEW}&product={PRODUCT_KEY}&{range}");
    let (product, _) = timed(&api, &path, o.queries).await?;
    p.stop().await;
    if let (Some(c), Some(f)) = (cluster, fresh) {
        let _ = c.drop_db(&f).await;
    }
    Ok((instance, product, points, rows))
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
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut out = Outcome {
        devices: o.devices,
        per_device: o.per_device,
        products: o.products,
        scrape_devices: o.scrape_devices,
        cpus,
        ..Default::default()
    };
    for rep in 0..o.reps {
        // Interleaved, the order swapped every repetition.
        for metrics in if rep % 2 == 0 { [true, false] } else { [false, true] } {
            let rate = ingest_once(&o, metrics).await?;
            if metrics {
                out.ingest_on.push(rate)
            } else {
                out.ingest_off.push(rate)
            }
        }
    }
    let cluster = match &o.pg_url {
        Some(url) => {
            crate::pg::check_url(url)?;
            Some(Cluster::new(url)?)
        }
        None => None,
    };
    for _ in 0..o.reps {
        let (i, p, points, rows) = query_once(&o, None).await?;
        out.query_sqlite.push(i);
        out.query_product_sqlite.push(p);
        out.points = points;
        out.seeded_rows = rows;
        if let Some(c) = &cluster {
            let (i, p, _, _) = query_once(&o, Some(c)).await?;
            out.query_pg.push(i);
            out.query_product_pg.push(p);
        }
    }
    for _ in 0..o.reps {
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
