//! Zero-loss check: after an ingest run, fleetdeck's SQLite database (opened read-only while the
//! server runs) must hold every message: one `uplink` run-log entry per post (status 200), one
//! `downlink` entry per `post_reply`, and every posted property value in `property_history`.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, SqliteConnection};
use tokio::time::Instant;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub uplinks: u64,
    pub replies: u64,
    pub values: u64,
}

const UPLINKS: &str = "SELECT COUNT(*) FROM run_log WHERE product_key = ? AND biz_type = 'uplink' \
     AND operation LIKE '%/thing/event/property/post' AND status = 200";
const REPLIES: &str = "SELECT COUNT(*) FROM run_log WHERE product_key = ? AND biz_type = 'downlink' \
     AND operation LIKE '%/thing/event/property/post_reply' AND status = 200";
const VALUES: &str =
    "SELECT COUNT(*) FROM property_history h JOIN devices d ON d.id = h.device_id WHERE d.product_key = ?";

async fn open(path: &Path) -> anyhow::Result<SqliteConnection> {
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .read_only(true)
        .busy_timeout(Duration::from_secs(5));
    Ok(opts.connect().await?)
}

pub async fn count(path: &Path, pk: &str) -> anyhow::Result<Stored> {
    let mut c = open(path).await?;
    Ok(Stored {
        uplinks: scalar(&mut c, UPLINKS, pk).await?,
        replies: scalar(&mut c, REPLIES, pk).await?,
        values: scalar(&mut c, VALUES, pk).await?,
    })
}

async fn scalar(c: &mut SqliteConnection, sql: &'static str, pk: &str) -> anyhow::Result<u64> {
    let n: i64 = sqlx::query_scalar(sql).bind(pk).fetch_one(c).await?;
    Ok(n as u64)
}

/// Wait until the writers are done, then count exactly. Polling is cheap (`MAX(rowid)` of both
/// tables, every 100 ms, one read-only connection) so it does not slow the server it watches;
/// done = `property_history` holds `want_values` rows (fresh database: rowid = count) and the
/// run log stopped growing, or nothing moved for `quiet`, or `limit` passed. Returns the exact
/// counts and the instant of the last change seen (the time the last row became visible).
pub async fn wait_stored(
    path: &Path,
    pk: &str,
    want_values: u64,
    quiet: Duration,
    limit: Duration,
) -> anyhow::Result<(Stored, Instant)> {
    let mut c = open(path).await?;
    let start = Instant::now();
    let mut last = (-1i64, -1i64);
    let mut changed = start;
    let mut still = 0;
    loop {
        let rl: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM run_log").fetch_one(&mut c).await?;
        let ph: Option<i64> = sqlx::query_scalar("SELECT MAX(rowid) FROM property_history").fetch_one(&mut c).await?;
        let now_max = (rl.unwrap_or(0), ph.unwrap_or(0));
        let now = Instant::now();
        if now_max != last {
            last = now_max;
            changed = now;
            still = 0;
        } else {
            still += 1;
        }
        let values_done = now_max.1 as u64 >= want_values;
        if (values_done && still >= 3) || now - changed > quiet || now - start > limit {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(c);
    Ok((count(path, pk).await?, changed))
}
