//! Monitoring metrics in the store (issue 14, migration 0008): the closed minutes the ingest
//! writer stores in its rounds ([`MinuteQueue`], written by `ingest`), the series queries, the
//! retention purge, and the device counts the gauges and the home page read.
//!
//! Rows are keyed `(product_key, metric, protocol, t)`: `product_key` '' is the instance,
//! `protocol` '' a metric not split by protocol. Count metrics store only minutes that counted
//! something (a missing minute is zero); levels (gauges) only when they change, and once in every
//! hour so an hour's rollup and a query starting inside it always find the level it started with.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use model::monitor::Metric;

use super::{sql, Db, Result};

/// The levels' codes as an SQL list (`'OnlineDevicesCount', …`): the writers' upserts replace
/// these and add up the others.
pub static GAUGES: LazyLock<String> = LazyLock::new(|| {
    Metric::ALL.iter().filter(|m| m.is_gauge()).map(|m| format!("'{}'", m.base_code())).collect::<Vec<_>>().join(", ")
});

/// One minute of one metric, as the writer stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricRow {
    /// '' for the instance.
    pub product_key: String,
    /// The seed code without protocol suffix ([`model::monitor::Metric::base_code`]).
    pub metric: &'static str,
    /// '' when the metric is not split by protocol.
    pub protocol: &'static str,
    pub t: i64,
    pub value: f64,
}

/// Closed minutes waiting for the ingest writer's next round, and how long its rounds take
/// (for `/metrics`). Shared by the metrics job (which fills it) and the writer (which takes it);
/// cheap to clone.
#[derive(Clone)]
pub struct MinuteQueue {
    rows: Arc<Mutex<Vec<MetricRow>>>,
    /// Seconds per committed round that wrote anything.
    pub round_seconds: prometheus::Histogram,
}

impl Default for MinuteQueue {
    fn default() -> Self {
        let opts = prometheus::HistogramOpts::new(
            "fleetdeck_store_writer_round_seconds",
            "Time of one ingest writer transaction (run log, properties, metric minutes), commit included",
        )
        .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5]);
        // The options are constant and valid: `new` only fails on a bad name or buckets.
        let round_seconds = prometheus::Histogram::with_opts(opts).expect("a valid histogram");
        MinuteQueue { rows: Arc::default(), round_seconds }
    }
}

impl MinuteQueue {
    pub fn push(&self, rows: Vec<MetricRow>) {
        if rows.is_empty() {
            return;
        }
        self.rows.lock().unwrap_or_else(|e| e.into_inner()).extend(rows);
    }

    /// Everything waiting (the writer's round takes it).
    pub fn take(&self) -> Vec<MetricRow> {
        std::mem::take(&mut *self.rows.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// A copy of what is waiting (a query that must not miss a minute closed but not yet stored).
    pub fn waiting(&self) -> Vec<MetricRow> {
        self.rows.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Minute rows of one scope for the given metrics in `[from, to)`: (metric, protocol, t, value),
/// ordered by time.
pub async fn minutes(
    db: &Db,
    product_key: &str,
    metrics: &[&'static str],
    from: i64,
    to: i64,
) -> Result<Vec<(String, String, i64, f64)>> {
    let mut q = sql("SELECT metric, protocol, t, value FROM metric_minutes WHERE product_key = ");
    q.push_bind(product_key).push(" AND metric IN ").push_list(metrics.iter().copied());
    q.push(" AND t >= ").push_bind(from).push(" AND t < ").push_bind(to).push(" ORDER BY t");
    db.fetch_all(q)
        .await?
        .iter()
        .map(|r| Ok((r.get("metric")?, r.get("protocol")?, r.get("t")?, r.get("value")?)))
        .collect()
}

/// A bucket of minutes of one count, summed by the store: a week's overview moves ~1,700 rows
/// per series instead of 10,080.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub sum: f64,
    pub min: f64,
    pub max: f64,
    /// Minutes stored in the bucket.
    pub minutes: i64,
    /// The newest of them.
    pub last_t: i64,
}

/// Minute rows of one scope in `[from, to)` summed per bucket of `step` ms (aligned to the
/// epoch): (metric, protocol, bucket start, bucket).
pub async fn minute_buckets(
    db: &Db,
    product_key: &str,
    metrics: &[&'static str],
    from: i64,
    to: i64,
    step: i64,
) -> Result<Vec<(String, String, i64, Bucket)>> {
    let mut q = sql("SELECT metric, protocol, t / ");
    q.push_bind(step);
    q.push(" AS b, SUM(value) AS s, MIN(value) AS lo, MAX(value) AS hi, COUNT(*) AS n, MAX(t) AS mt FROM metric_minutes WHERE product_key = ");
    q.push_bind(product_key).push(" AND metric IN ").push_list(metrics.iter().copied());
    q.push(" AND t >= ").push_bind(from).push(" AND t < ").push_bind(to);
    q.push(" GROUP BY metric, protocol, b");
    db.fetch_all(q)
        .await?
        .iter()
        .map(|r| {
            let b = Bucket {
                sum: r.get("s")?,
                min: r.get("lo")?,
                max: r.get("hi")?,
                minutes: r.get("n")?,
                last_t: r.get("mt")?,
            };
            Ok((r.get("metric")?, r.get("protocol")?, r.get::<i64>("b")? * step, b))
        })
        .collect()
}

/// An hour's rollup row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HourRow {
    pub t: i64,
    pub value: f64,
    pub min: f64,
    pub max: f64,
    /// Minutes stored in the hour.
    pub minutes: i64,
}

/// Hour rows of one scope in `[from, to)`: (metric, protocol, row), ordered by time.
pub async fn hours(
    db: &Db,
    product_key: &str,
    metrics: &[&'static str],
    from: i64,
    to: i64,
) -> Result<Vec<(String, String, HourRow)>> {
    let mut q = sql("SELECT metric, protocol, t, value, min, max, minutes FROM metric_hours WHERE product_key = ");
    q.push_bind(product_key).push(" AND metric IN ").push_list(metrics.iter().copied());
    q.push(" AND t >= ").push_bind(from).push(" AND t < ").push_bind(to).push(" ORDER BY t");
    db.fetch_all(q)
        .await?
        .iter()
        .map(|r| {
            let row = HourRow {
                t: r.get("t")?,
                value: r.get("value")?,
                min: r.get("min")?,
                max: r.get("max")?,
                minutes: r.get("minutes")?,
            };
            Ok((r.get("metric")?, r.get("protocol")?, row))
        })
        .collect()
}

/// The newest stored value of a level before `before` and not older than `since` (the level a
/// range starts with), from the minutes or the hours table.
pub async fn level_before(
    db: &Db,
    hours: bool,
    product_key: &str,
    metric: &'static str,
    protocol: &'static str,
    since: i64,
    before: i64,
) -> Result<Option<f64>> {
    let table = if hours { "metric_hours" } else { "metric_minutes" };
    let q = sql(format!(
        "SELECT value FROM {table} WHERE product_key = $1 AND metric = $2 AND protocol = $3 \
         AND t >= $4 AND t < $5 ORDER BY t DESC LIMIT 1"
    ))
    .bind(product_key)
    .bind(metric)
    .bind(protocol)
    .bind(since)
    .bind(before);
    db.scalar_optional(q).await
}

/// Delete up to `batch` minute rows older than `before`; how many went.
pub async fn purge_minutes(db: &Db, before: i64, batch: u32) -> Result<u64> {
    purge(db, "metric_minutes", before, batch).await
}

/// Delete up to `batch` hour rows older than `before`; how many went.
pub async fn purge_hours(db: &Db, before: i64, batch: u32) -> Result<u64> {
    purge(db, "metric_hours", before, batch).await
}

async fn purge(db: &Db, table: &'static str, before: i64, batch: u32) -> Result<u64> {
    // By key, in one statement both stores take (neither has DELETE … LIMIT everywhere); the
    // sub-select walks the `t` index from the oldest.
    let q = sql(format!(
        "DELETE FROM {table} WHERE (product_key, metric, protocol, t) IN \
         (SELECT product_key, metric, protocol, t FROM {table} WHERE t < $1 ORDER BY t LIMIT $2)"
    ))
    .bind(before)
    .bind(i64::from(batch));
    db.execute(q).await
}

/// Registered devices per product (every product, zero when it has none).
pub async fn device_counts(db: &Db) -> Result<HashMap<String, u64>> {
    let q = sql("SELECT p.product_key, (SELECT COUNT(*) FROM devices d WHERE d.product_key = p.product_key) AS n \
         FROM products p");
    db.fetch_all(q).await?.iter().map(|r| Ok((r.get("product_key")?, r.get::<i64>("n")? as u64))).collect()
}

/// Registered devices of a product, or of all with `None`.
pub async fn device_count(db: &Db, product_key: Option<&str>) -> Result<u64> {
    let q = match product_key {
        Some(pk) => sql("SELECT COUNT(*) FROM devices WHERE product_key = $1").bind(pk),
        None => sql("SELECT COUNT(*) FROM devices"),
    };
    Ok(db.scalar::<i64>(q).await? as u64)
}

/// Devices per product and status, with the products' names (products without devices too):
/// (product_key, name, status or None, count).
pub async fn status_counts(db: &Db, product_key: Option<&str>) -> Result<Vec<(String, String, Option<String>, u64)>> {
    let mut q = sql("SELECT p.product_key, p.name, d.status, COUNT(d.id) AS n FROM products p \
         LEFT JOIN devices d ON d.product_key = p.product_key");
    if let Some(pk) = product_key {
        q.push(" WHERE p.product_key = ").push_bind(pk);
    }
    q.push(" GROUP BY p.product_key, p.name, d.status ORDER BY p.product_key");
    db.fetch_all(q)
        .await?
        .iter()
        .map(|r| Ok((r.get("product_key")?, r.get("name")?, r.get("status")?, r.get::<i64>("n")? as u64)))
        .collect()
}
