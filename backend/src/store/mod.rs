//! Persistence: the pool, migrations, and one repository module per feature.
//!
//! SQLite (WAL) is the default; the SQL is kept to what PostgreSQL also takes so the scale-out
//! issue can add a Postgres pool behind the same functions.

pub mod audit;
pub mod device_state;
pub mod devices;
pub mod ingest;
pub mod products;
pub mod properties;
pub mod runlog;
pub mod sessions;
pub mod tokens;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub type Db = sqlx::SqlitePool;

/// Open (creating if needed) the database and run pending migrations — upgrades happen on start.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    let opts = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // WAL + NORMAL is durable across process crashes; only an OS crash can lose the last commits.
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        // The ingest writer checkpoints the WAL (at 8,000 pages, see `ingest`); a pool connection
        // only steps in far past that, so a request or a device connect never pays for it.
        .pragma("wal_autocheckpoint", "32000")
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new().max_connections(8).connect_with(opts).await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}
