//! The PostgreSQL side of the benchmark: a fresh database per fleetdeck run on the private cluster
//! named by `--pg-url` (its admin URL, e.g. what `scripts/pg-cluster.sh start DIR` prints),
//! created through that URL and dropped again after the run.

use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::Context;
use sqlx::{Connection, PgConnection};

/// The cluster: its admin URL (`postgres://user@127.0.0.1:PORT/postgres`).
#[derive(Debug, Clone)]
pub struct Cluster {
    admin: String,
}

/// A database created for one run: its name and the URL fleetdeck gets.
#[derive(Debug, Clone)]
pub struct FreshDb {
    pub name: String,
    pub url: String,
}

impl Cluster {
    /// Checks the URL (PostgreSQL, loopback only) without connecting.
    pub fn new(admin: &str) -> anyhow::Result<Cluster> {
        check_url(admin)?;
        Ok(Cluster { admin: admin.to_string() })
    }

    /// `CREATE DATABASE bench_<n>` (dropped first if a crashed earlier run left it on a reused
    /// cluster), so every run starts on an empty database that fleetdeck migrates.
    pub async fn fresh(&self) -> anyhow::Result<FreshDb> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        self.fresh_named(&format!("bench_{}", NEXT.fetch_add(1, Ordering::Relaxed))).await
    }

    /// [`Cluster::fresh`] with a given name (letters, digits, `_`).
    pub async fn fresh_named(&self, name: &str) -> anyhow::Result<FreshDb> {
        anyhow::ensure!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "bad database name {name}");
        let name = name.to_string();
        let mut c = self.connect().await?;
        for stmt in [format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"), format!("CREATE DATABASE {name}")] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(stmt.clone()))
                .execute(&mut c)
                .await
                .with_context(|| format!("{stmt} on {}", self.admin))?;
        }
        c.close().await?;
        Ok(FreshDb { url: database_url(&self.admin, &name)?, name })
    }

    /// Drop a run's database (after its fleetdeck stopped): the cluster keeps no benchmark data.
    pub async fn drop_db(&self, db: &FreshDb) -> anyhow::Result<()> {
        let mut c = self.connect().await?;
        let stmt = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db.name);
        sqlx::raw_sql(sqlx::AssertSqlSafe(stmt)).execute(&mut c).await?;
        c.close().await?;
        Ok(())
    }

    /// The server's version and the settings that decide what a commit costs, for the report
    /// (`scripts/pg-cluster.sh` runs a throwaway cluster with fsync off).
    pub async fn describe(&self) -> anyhow::Result<String> {
        let mut c = self.connect().await?;
        let mut parts = Vec::new();
        for (name, sql) in [
            ("", "SHOW server_version"),
            ("fsync", "SHOW fsync"),
            ("synchronous_commit", "SHOW synchronous_commit"),
            ("full_page_writes", "SHOW full_page_writes"),
            ("shared_buffers", "SHOW shared_buffers"),
        ] {
            let v: String = sqlx::query_scalar(sql).fetch_one(&mut c).await?;
            parts.push(if name.is_empty() { format!("PostgreSQL {v}") } else { format!("{name}={v}") });
        }
        c.close().await?;
        Ok(parts.join(", "))
    }

    async fn connect(&self) -> anyhow::Result<PgConnection> {
        PgConnection::connect(&self.admin).await.with_context(|| format!("cannot connect to {}", self.admin))
    }
}

/// The admin URL with its database replaced by `name`.
pub fn database_url(admin: &str, name: &str) -> anyhow::Result<String> {
    let mut u = reqwest::Url::parse(admin).with_context(|| format!("not a URL: {admin}"))?;
    u.set_path(&format!("/{name}"));
    Ok(u.to_string())
}

/// A PostgreSQL URL on this machine: the benchmark only talks to loopback addresses.
pub fn check_url(url: &str) -> anyhow::Result<()> {
    let u = reqwest::Url::parse(url).with_context(|| format!("not a URL: {url}"))?;
    anyhow::ensure!(
        matches!(u.scheme(), "postgres" | "postgresql"),
        "{url}: --pg-url must be a postgres:// URL (e.g. what `scripts/pg-cluster.sh start DIR` prints)"
    );
    let host = u.host_str().unwrap_or("");
    let ok = host == "localhost" || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback());
    anyhow::ensure!(ok, "{url}: loadgen only targets PostgreSQL on 127.0.0.x or localhost");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let admin = "postgres://fleetdeck@127.0.0.1:5433/postgres";
        assert_eq!(database_url(admin, "bench_3").unwrap(), "postgres://fleetdeck@127.0.0.1:5433/bench_3");
        assert_eq!(
            database_url("postgres://u:p@localhost:1/postgres?sslmode=disable", "bench_0").unwrap(),
            "postgres://u:p@localhost:1/bench_0?sslmode=disable"
        );
        assert!(Cluster::new(admin).is_ok());
        assert!(check_url("postgres://u@db.example.com:5432/postgres").is_err());
        assert!(check_url("mysql://u@127.0.0.1/x").is_err());
        assert!(check_url("sqlite:///tmp/x.db").is_err());
    }
}
