//! Persistence: the pool, migrations, and one repository module per feature.
//!
//! Two stores behind one seam: SQLite (WAL, the zero-setup default) and PostgreSQL (scale-out).
//! The seam is an enum over the two sqlx pools, not a trait with two implementations: the SQL is
//! the same text for both (the subset they share, `$n` placeholders), so each repository
//! function is written once against [`Db`]'s few methods ([`sql::Sql`] in, [`sql::Row`] out),
//! and only this file knows there are two drivers. A trait would have made every repository
//! twice as long for no difference in behaviour. Where the dialects differ, [`Db::kind`] says
//! which one runs. Nothing outside `store/` names a pool, a row or `sqlx::Error`.

pub mod audit;
pub(crate) mod checkpoint;
pub mod device_state;
pub mod devices;
mod error;
pub mod gateway;
pub mod groups;
pub mod history;
pub mod ingest;
pub mod metrics;
pub mod migrate;
pub mod products;
pub mod properties;
pub mod runlog;
pub mod sessions;
pub mod sql;
pub mod tokens;
pub mod users;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::mpsc;

pub use error::{Error, Result};
pub use sql::{sql, Arg, Row, Sql};

use crate::hub::Delivery;
use crate::live_bus::LiveBus;

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database: a pool of either store. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    url: std::sync::Arc<str>,
}

/// Where the ingest writer writes: it keeps a connection of its own (see [`ingest`]).
#[derive(Debug, Clone)]
pub enum WriterTarget {
    SqliteFile(PathBuf),
    Postgres(String),
}

/// Open (creating if needed) the database named by `url` (`sqlite://…` or `postgres://…`) and
/// run its pending migrations — upgrades happen on start.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    let pool = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Pool::Postgres(connect_postgres(url).await?)
    } else if url.starts_with("sqlite:") {
        Pool::Sqlite(connect_sqlite(url).await?)
    } else {
        anyhow::bail!("unsupported database URL (expected sqlite://… or postgres://…): {}", redact(url));
    };
    Ok(Db { pool, url: url.into() })
}

async fn connect_sqlite(url: &str) -> anyhow::Result<SqlitePool> {
    let opts = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // WAL + NORMAL is durable across process crashes; only an OS crash can lose the last commits.
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        // The WAL is checkpointed beside the ingest writer (see `checkpoint`); a pool connection
        // only steps in far past that, so a request or a device connect never pays for it.
        .pragma("wal_autocheckpoint", "32000")
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new().max_connections(8).connect_with(opts).await?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    Ok(pool)
}

async fn connect_postgres(url: &str) -> anyhow::Result<PgPool> {
    let opts = PgConnectOptions::from_str(url)?;
    // Commits wait for the WAL flush (PostgreSQL's default `synchronous_commit = on`): a reply
    // sent after a commit survives a crash of either process, as with SQLite's WAL.
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(opts)
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to {}: {e}", redact(url)))?;
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(pool)
}

/// A URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// `$body` once per driver: `$p` is the pool, `$row` the matching [`Row`] constructor. The same
/// text compiles against each driver's types, so a statement is written once.
macro_rules! on_pool {
    ($db:expr, $p:ident, $row:ident => $body:expr) => {
        match &$db.pool {
            Pool::Sqlite($p) => {
                let $row = Row::Sqlite;
                $body
            }
            Pool::Postgres($p) => {
                let $row = Row::Postgres;
                $body
            }
        }
    };
}

/// A [`Sql`] as a sqlx query with its arguments bound (the driver follows from where it runs).
macro_rules! query {
    ($q:expr) => {
        sql::bind_all!(sqlx::query(sqlx::AssertSqlSafe($q.text)), $q.args)
    };
}

impl Db {
    pub fn kind(&self) -> Kind {
        match self.pool {
            Pool::Sqlite(_) => Kind::Sqlite,
            Pool::Postgres(_) => Kind::Postgres,
        }
    }

    /// Where the ingest writer connects.
    pub fn writer_target(&self) -> WriterTarget {
        match &self.pool {
            Pool::Sqlite(p) => WriterTarget::SqliteFile(p.connect_options().get_filename().to_path_buf()),
            Pool::Postgres(_) => WriterTarget::Postgres(self.url.to_string()),
        }
    }

    /// Rows changed.
    pub async fn execute(&self, q: Sql) -> Result<u64> {
        Ok(on_pool!(self, p, _row => query!(q).execute(p).await?.rows_affected()))
    }

    pub async fn fetch_all(&self, q: Sql) -> Result<Vec<Row>> {
        Ok(on_pool!(self, p, row => query!(q).fetch_all(p).await?.into_iter().map(row).collect()))
    }

    pub async fn fetch_optional(&self, q: Sql) -> Result<Option<Row>> {
        Ok(on_pool!(self, p, row => query!(q).fetch_optional(p).await?.map(row)))
    }

    /// Exactly one row (none is an error).
    pub async fn fetch_one(&self, q: Sql) -> Result<Row> {
        self.fetch_optional(q).await?.ok_or(Error::Failed(sqlx::Error::RowNotFound))
    }

    /// The first column of the one row the statement returns.
    pub async fn scalar<T: sql::Value>(&self, q: Sql) -> Result<T> {
        self.fetch_one(q).await?.get(0)
    }

    /// The first column of the row, if there is one.
    pub async fn scalar_optional<T: sql::Value>(&self, q: Sql) -> Result<Option<T>> {
        self.fetch_optional(q).await?.map(|r| r.get(0)).transpose()
    }

    /// The first column of every row.
    pub async fn scalars<T: sql::Value>(&self, q: Sql) -> Result<Vec<T>> {
        self.fetch_all(q).await?.iter().map(|r| r.get(0)).collect()
    }

    /// Run the statements in one transaction, in order: all or none. Rows changed by each.
    pub async fn transaction(&self, statements: Vec<Sql>) -> Result<Vec<u64>> {
        let mut changed = Vec::with_capacity(statements.len());
        on_pool!(self, p, _row => {
            let mut tx = p.begin().await?;
            for q in statements {
                changed.push(query!(q).execute(&mut *tx).await?.rows_affected());
            }
            tx.commit().await?;
        });
        Ok(changed)
    }

    /// Whether the database answers (`/readyz`).
    pub async fn ping(&self) -> bool {
        self.scalar::<i64>(sql("SELECT CAST(1 AS BIGINT)")).await.is_ok()
    }

    /// Close the pool (tests that reopen the same database).
    pub async fn close(&self) {
        on_pool!(self, p, _row => p.close().await)
    }
}

/// Start the ingest writer for `target` on a thread of its own; it ends when its lane ends.
pub fn spawn_writer(
    target: WriterTarget,
    rx: mpsc::Receiver<Delivery>,
    bus: LiveBus,
    minutes: metrics::MinuteQueue,
) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name("ingest-writer".into())
        .spawn(move || {
            let mut rx = rx;
            run_writer(&target, &mut rx, &bus, &minutes)
        })
        .expect("spawn the ingest writer thread")
}

/// Run the ingest writer for `target` on the calling thread until its lane ends; closed metric
/// minutes are taken from `minutes` into its rounds.
pub fn run_writer(
    target: &WriterTarget,
    rx: &mut mpsc::Receiver<Delivery>,
    bus: &LiveBus,
    minutes: &metrics::MinuteQueue,
) {
    match target {
        WriterTarget::SqliteFile(path) => ingest::run(path, rx, bus, minutes),
        WriterTarget::Postgres(url) => ingest::run_postgres(url, rx, bus, minutes),
    }
}
