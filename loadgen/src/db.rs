//! Zero-loss check: after an ingest run, fleetdeck's database must hold every message: one
//! `uplink` run-log entry per post (status 200), one `downlink` entry per `post_reply`, and every
//! posted property value in `property_history`. SQLite is opened read-only while the server runs;
//! PostgreSQL is read through the run's database URL. The same three counts on both.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use tokio::time::Instant;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub uplinks: u64,
    pub replies: u64,
    pub values: u64,
}

/// Where a fleetdeck run's rows are.
#[derive(Debug, Clone)]
pub enum Target {
    /// The SQLite file in its data directory.
    Sqlite(PathBuf),
    /// A PostgreSQL database URL (the run's own database).
    Postgres(String),
}

// `$1` placeholders: both drivers take them (as fleetdeck's own SQL does).
const UPLINKS: &str = "SELECT COUNT(*) FROM run_log WHERE product_key = $1 AND biz_type = 'uplink' \
     AND operation LIKE '%/thing/event/property/post' AND status = 200";
const REPLIES: &str = "SELECT COUNT(*) FROM run_log WHERE product_key = $1 AND biz_type = 'downlink' \
     AND operation LIKE '%/thing/event/property/post_reply' AND status = 200";
const VALUES: &str =
    "SELECT COUNT(*) FROM property_history h JOIN devices d ON d.id = h.device_id WHERE d.product_key = $1";
/// Growth of the run log: an index lookup on both stores.
const RUN_LOG_MAX: &str = "SELECT MAX(id) FROM run_log";
/// SQLite: the rowid of an append-only table on a fresh database is its row count (cheap).
const SQLITE_VALUES_MAX: &str = "SELECT MAX(rowid) FROM property_history";
/// PostgreSQL has no rowid: the exact count (a scan), so it is only taken while the run log is
/// quiet (see [`wait_stored`]).
const PG_VALUES_COUNT: &str = "SELECT COUNT(*) FROM property_history";

enum Conn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Conn {
    async fn open(t: &Target) -> anyhow::Result<Conn> {
        Ok(match t {
            Target::Sqlite(path) => {
                let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
                    .read_only(true)
                    .busy_timeout(Duration::from_secs(5));
                Conn::Sqlite(opts.connect().await?)
            }
            Target::Postgres(url) => Conn::Postgres(PgConnection::connect(url).await?),
        })
    }

    /// A query returning one nullable integer, with an optional text argument.
    async fn scalar(&mut self, sql: &'static str, arg: Option<&str>) -> anyhow::Result<i64> {
        let v: Option<i64> = match self {
            Conn::Sqlite(c) => {
                let q = sqlx::query_scalar(sql);
                let q = if let Some(a) = arg { q.bind(a.to_string()) } else { q };
                q.fetch_one(c).await?
            }
            Conn::Postgres(c) => {
                let q = sqlx::query_scalar(sql);
                let q = if let Some(a) = arg { q.bind(a.to_string()) } else { q };
                q.fetch_one(c).await?
            }
        };
        Ok(v.unwrap_or(0))
    }

    async fn close(self) {
        let _ = match self {
            Conn::Sqlite(c) => c.close().await,
            Conn::Postgres(c) => c.close().await,
        };
    }
}

pub async fn count(t: &Target, pk: &str) -> anyhow::Result<Stored> {
    let mut c = Conn::open(t).await?;
    let s = Stored {
        uplinks: c.scalar(UPLINKS, Some(pk)).await? as u64,
        replies: c.scalar(REPLIES, Some(pk)).await? as u64,
        values: c.scalar(VALUES, Some(pk)).await? as u64,
    };
    c.close().await;
    Ok(s)
}

/// Wait until the writers are done, then count exactly. Polling is cheap (every 100 ms, one
/// connection: the run log's `MAX(id)`, and on SQLite `MAX(rowid)` of `property_history`; on
/// PostgreSQL that table is counted only while the run log stands still) so it does not slow the
/// server it watches; done = `property_history` holds `want_values` rows (fresh database) and the
/// run log stopped growing, or nothing moved for `quiet`, or `limit` passed. Returns the exact
/// counts and the instant of the last change seen (the time the last row became visible).
pub async fn wait_stored(
    t: &Target,
    pk: &str,
    want_values: u64,
    quiet: Duration,
    limit: Duration,
) -> anyhow::Result<(Stored, Instant)> {
    let mut c = Conn::open(t).await?;
    let pg = matches!(t, Target::Postgres(_));
    let start = Instant::now();
    let mut last = (-1i64, -1i64);
    let mut changed = start;
    let mut still = 0;
    // PostgreSQL: the run log moved since `property_history` was last counted.
    let mut values_stale = false;
    loop {
        let rl = c.scalar(RUN_LOG_MAX, None).await?;
        let now = Instant::now();
        let (ph, counted) = if !pg {
            (c.scalar(SQLITE_VALUES_MAX, None).await?, true)
        } else if rl != last.0 {
            (last.1, false)
        } else {
            (c.scalar(PG_VALUES_COUNT, None).await?, true)
        };
        if rl != last.0 {
            changed = now;
            values_stale = !counted;
        } else if ph != last.1 && !values_stale {
            changed = now;
        }
        // Values first counted after the run log stopped keep the run log's instant: the writer
        // commits both in the same rounds (a later change of the values is seen as one).
        if counted {
            values_stale = false;
        }
        still = if (rl, ph) == last { still + 1 } else { 0 };
        last = (rl, ph);
        let values_done = last.1.max(0) as u64 >= want_values;
        if (values_done && still >= 3) || now - changed > quiet || now - start > limit {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    c.close().await;
    Ok((count(t, pk).await?, changed))
}
