//! The writer tests' stores: one test body runs on SQLite or on PostgreSQL ([`on_both_stores!`]).
//!
//! Which one runs follows `FLEETDECK_TEST_STORE`, as for the rest of the suite
//! (`testkit::store`): SQLite unless it is `postgres`; then PostgreSQL, on a fresh database per
//! test in the cluster at `FLEETDECK_TEST_PG_URL`, failing with how to start one when that is
//! unset (a PostgreSQL run that silently tested nothing would look green). The variant that
//! does not run says so.

use std::sync::Arc;

use sqlx::postgres::{PgPool, PgRow};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::FromRow;
use tokio::sync::mpsc;

use crate::clock::FakeClock;
use crate::hub::{everything, Delivery, Hub, HubBuilder};
use crate::live_bus::LiveBus;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Store {
    Sqlite,
    Postgres,
}

/// One `#[tokio::test]` per store for each named `async fn(Store)`: `<name>::sqlite` and
/// `<name>::postgres`.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                if super::store::selected(super::store::Store::Sqlite) {
                    super::$name(super::store::Store::Sqlite).await
                }
            }
            #[tokio::test]
            async fn postgres() {
                if super::store::selected(super::store::Store::Postgres) {
                    super::$name(super::store::Store::Postgres).await
                }
            }
        }
    )*};
}
pub(super) use on_both_stores;

/// Whether this run tests `store` (`FLEETDECK_TEST_STORE`); says so when it does not.
pub fn selected(store: Store) -> bool {
    let run = match std::env::var("FLEETDECK_TEST_STORE").as_deref() {
        Ok("postgres") => Store::Postgres,
        Ok("sqlite") | Err(_) => Store::Sqlite,
        Ok(other) => panic!("FLEETDECK_TEST_STORE={other:?}: expected `sqlite` or `postgres`"),
    };
    if run != store {
        eprintln!("NOT RUN on {store:?}: FLEETDECK_TEST_STORE selects {run:?}");
    }
    run == store
}

/// A new, migrated database in the test cluster; its URL. Panics with how to start a cluster
/// when `FLEETDECK_TEST_PG_URL` is unset.
pub async fn fresh_pg_database() -> String {
    let url = testkit::store::fresh_postgres_database().await.unwrap_or_else(|e| panic!("{e:#}"));
    crate::store::connect(&url).await.unwrap().close().await;
    url
}

/// The test's view of the store: the same calls on both.
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A transaction that holds what the writer needs to write (released by dropping or `release`).
pub enum Held {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Held {
    pub async fn release(self) {
        match self {
            Held::Sqlite(tx) => tx.rollback().await.unwrap(),
            Held::Postgres(tx) => tx.rollback().await.unwrap(),
        }
    }
}

impl Db {
    pub async fn exec(&self, sql: &'static str) {
        match self {
            Db::Sqlite(p) => drop(sqlx::query(sql).execute(p).await.unwrap()),
            Db::Postgres(p) => drop(sqlx::query(sql).execute(p).await.unwrap()),
        }
    }

    pub async fn all<T>(&self, sql: &'static str) -> Vec<T>
    where
        T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        match self {
            Db::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
            Db::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
        }
    }

    pub async fn one<T>(&self, sql: &'static str) -> T
    where
        T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        let mut rows = self.all(sql).await;
        assert_eq!(rows.len(), 1, "one row from {sql}");
        rows.remove(0)
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        self.one::<(i64,)>(sql).await.0
    }

    /// Take the lock the writer's run-log insert needs, in another transaction.
    pub async fn hold_writes(&self) -> Held {
        match self {
            // SQLite's one write lock (the writer's busy handler waits for it).
            Db::Sqlite(p) => {
                let mut tx = p.begin().await.unwrap();
                sqlx::query("UPDATE products SET name = name").execute(&mut *tx).await.unwrap();
                Held::Sqlite(tx)
            }
            // EXCLUSIVE lets readers in, no writer.
            Db::Postgres(p) => {
                let mut tx = p.begin().await.unwrap();
                sqlx::query("LOCK TABLE run_log IN EXCLUSIVE MODE").execute(&mut *tx).await.unwrap();
                Held::Postgres(tx)
            }
        }
    }
}

/// A store with product `pk` and device `dn` (id 1), a hub with the writer's lane, and the
/// writer once [`Fixture::start`]ed (events emitted before that make one round).
pub struct Fixture {
    pub db: Db,
    pub hub: Hub,
    target: crate::store::WriterTarget,
    bus: LiveBus,
    rx: Option<mpsc::Receiver<Delivery>>,
    _dir: Option<tempfile::TempDir>,
    /// Closed metric minutes the writer takes into its rounds.
    pub minutes: crate::store::metrics::MinuteQueue,
}

impl Fixture {
    /// A hub lane of `capacity`; the writer not started yet.
    pub async fn new(store: Store, capacity: usize, bus: LiveBus) -> Fixture {
        let (db, target, dir) = match store {
            Store::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("t.db");
                let url = format!("sqlite://{}", path.display());
                // The store's own connect runs the migrations; the test reads through a plain pool.
                crate::store::connect(&url).await.unwrap().close().await;
                (
                    Db::Sqlite(SqlitePool::connect(&url).await.unwrap()),
                    crate::store::WriterTarget::SqliteFile(path),
                    Some(dir),
                )
            }
            Store::Postgres => {
                let url = fresh_pg_database().await;
                let db = PgPool::connect(&url).await.unwrap();
                (Db::Postgres(db), crate::store::WriterTarget::Postgres(url), None)
            }
        };
        db.exec(
            "INSERT INTO products (product_key, name, product_secret, node_type, data_format, tsl, created_at) \
             VALUES ('pk', 'p', 's', 'direct', 'alink_json', '{}', 0)",
        )
        .await;
        db.exec(
            "INSERT INTO devices (id, product_key, device_name, device_secret, status, created_at) \
             VALUES (1, 'pk', 'dn', 's', 'inactive', 0)",
        )
        .await;
        let mut b = HubBuilder::default();
        let rx = b.lane("store", capacity, everything);
        let hub = b.build(Arc::new(FakeClock::new(5)), bus.clone());
        Fixture { db, hub, target, bus, rx: Some(rx), _dir: dir, minutes: Default::default() }
    }

    /// A started writer on a lane of `capacity`.
    pub async fn started(store: Store, capacity: usize, bus: LiveBus) -> (Fixture, std::thread::JoinHandle<()>) {
        let mut f = Fixture::new(store, capacity, bus).await;
        let thread = f.start();
        (f, thread)
    }

    pub fn start(&mut self) -> std::thread::JoinHandle<()> {
        let rx = self.rx.take().expect("started once");
        crate::store::spawn_writer(self.target.clone(), rx, self.bus.clone(), self.minutes.clone())
    }
}
