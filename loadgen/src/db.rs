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

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh database with only what the check reads: product PK has 3 posts stored (one more
    /// answered 400), 2 replies and 6 values; product OTHER 1 post and 2 values.
    const SCHEMA: [&str; 6] = [
        "CREATE TABLE devices (id BIGINT PRIMARY KEY, product_key TEXT NOT NULL)",
        "CREATE TABLE run_log (id BIGINT PRIMARY KEY, product_key TEXT NOT NULL, biz_type TEXT NOT NULL, \
         operation TEXT NOT NULL, status BIGINT NOT NULL)",
        "CREATE TABLE property_history (device_id BIGINT NOT NULL, identifier TEXT NOT NULL, value TEXT NOT NULL, \
         time BIGINT NOT NULL)",
        "INSERT INTO devices VALUES (1, 'PK'), (2, 'OTHER')",
        "INSERT INTO run_log VALUES \
         (1, 'PK', 'uplink', '/sys/PK/d/thing/event/property/post', 200), \
         (2, 'PK', 'uplink', '/sys/PK/d/thing/event/property/post', 200), \
         (3, 'PK', 'uplink', '/sys/PK/d/thing/event/property/post', 200), \
         (4, 'PK', 'uplink', '/sys/PK/d/thing/event/property/post', 400), \
         (5, 'PK', 'downlink', '/sys/PK/d/thing/event/property/post_reply', 200), \
         (6, 'PK', 'downlink', '/sys/PK/d/thing/event/property/post_reply', 200), \
         (7, 'OTHER', 'uplink', '/sys/OTHER/d/thing/event/property/post', 200)",
        "INSERT INTO property_history VALUES (1, 'a', '1', 1), (1, 'b', '1', 1), (1, 'c', '1', 1), \
         (1, 'a', '2', 2), (1, 'b', '2', 2), (1, 'c', '2', 2), (2, 'a', '1', 1), (2, 'b', '1', 1)",
    ];

    async fn check(t: &Target) {
        let want = Stored { uplinks: 3, replies: 2, values: 6 };
        assert_eq!(count(t, "PK").await.unwrap(), want);
        // Every row is there (8 values in the table): done after three quiet polls, not the limit.
        let t0 = Instant::now();
        let (stored, _) = wait_stored(t, "PK", 8, Duration::from_secs(5), Duration::from_secs(20)).await.unwrap();
        assert_eq!(stored, want);
        assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
    }

    #[tokio::test]
    async fn the_check_counts_sqlite_rows() {
        let path = std::env::temp_dir().join(format!("loadgen-db-test-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let mut c = SqliteConnectOptions::new().filename(&path).create_if_missing(true).connect().await.unwrap();
        for stmt in SCHEMA {
            sqlx::query(stmt).execute(&mut c).await.unwrap();
        }
        c.close().await.unwrap();
        check(&Target::Sqlite(path.clone())).await;
        let _ = std::fs::remove_file(&path);
    }

    /// The same on PostgreSQL, on the test cluster `scripts/test.sh` starts
    /// (`FLEETDECK_TEST_PG_URL`); without one there is nothing to run it on.
    #[tokio::test]
    async fn the_check_counts_postgres_rows() {
        let Ok(admin) = std::env::var("FLEETDECK_TEST_PG_URL") else {
            eprintln!("FLEETDECK_TEST_PG_URL is not set: the PostgreSQL database check was not tested");
            return;
        };
        let cluster = crate::pg::Cluster::new(&admin).unwrap();
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let db = cluster.fresh_named(&format!("loadgen_t_{}_{nanos}", std::process::id())).await.unwrap();
        let mut c = PgConnection::connect(&db.url).await.unwrap();
        for stmt in SCHEMA {
            sqlx::query(stmt).execute(&mut c).await.unwrap();
        }
        c.close().await.unwrap();
        check(&Target::Postgres(db.url.clone())).await;
        cluster.drop_db(&db).await.unwrap();
    }
}
