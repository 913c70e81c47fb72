//! Which store a test app runs on: SQLite in the app's temporary directory (default), or a
//! fresh database on the shared PostgreSQL test cluster when `FLEETDECK_TEST_STORE=postgres`
//! (`scripts/test.sh` starts the cluster and sets both variables; `scripts/pg-cluster.sh`
//! starts one by hand). One database per app keeps tests independent on one cluster.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::migrate::Migrator;
use sqlx::{Connection, PgConnection};

/// The store the suite runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Sqlite,
    Postgres,
}

/// `FLEETDECK_TEST_STORE`: `postgres`, else SQLite.
pub fn kind() -> StoreKind {
    match std::env::var("FLEETDECK_TEST_STORE").as_deref() {
        Ok("postgres") => StoreKind::Postgres,
        _ => StoreKind::Sqlite,
    }
}

/// A database URL for a new test app whose files live in `dir`.
pub async fn database_url(dir: &Path) -> anyhow::Result<String> {
    match kind() {
        StoreKind::Sqlite => Ok(format!("sqlite://{}", dir.join("fleetdeck.db").display())),
        StoreKind::Postgres => fresh_postgres_database().await,
    }
}

/// A new, empty database on the test cluster; its URL.
pub async fn fresh_postgres_database() -> anyhow::Result<String> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let admin = std::env::var("FLEETDECK_TEST_PG_URL").map_err(|_| {
        anyhow::anyhow!(
            "FLEETDECK_TEST_STORE=postgres needs FLEETDECK_TEST_PG_URL: start a cluster with \
             `bash scripts/pg-cluster.sh start target/pg-test` and export the URL it prints"
        )
    })?;
    // Unique across processes and across runs on a reused cluster.
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let name = format!("t_{}_{}_{nanos}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let mut conn = PgConnection::connect(&admin).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
    conn.close().await?;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    Ok(format!("{base}/{name}"))
}

/// A database at `url` as a deployment from before migration `version` left it: the migrations
/// before it applied, then `rows` written. The same migrations (same checksums), so the store's
/// own start later finds them applied and runs the rest — what a migration test upgrades.
/// Returns the versions applied.
pub async fn database_before(url: &str, version: i64, rows: &[&'static str]) -> Vec<i64> {
    let all = match kind() {
        StoreKind::Sqlite => sqlx::migrate!("../backend/migrations/sqlite"),
        StoreKind::Postgres => sqlx::migrate!("../backend/migrations/postgres"),
    };
    let migrator = Migrator::with_migrations(all.iter().filter(|m| m.version < version).cloned().collect());
    match kind() {
        StoreKind::Sqlite => {
            let opts = url.parse::<sqlx::sqlite::SqliteConnectOptions>().unwrap().create_if_missing(true);
            let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
            migrator.run(&pool).await.unwrap();
            for q in rows {
                sqlx::raw_sql(*q).execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
        StoreKind::Postgres => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            migrator.run(&pool).await.unwrap();
            for q in rows {
                sqlx::raw_sql(*q).execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
    }
    migrator.iter().map(|m| m.version).collect()
}
