//! PostgreSQL's migrations.

use sqlx::migrate::Migrator;

/// The PostgreSQL schema: the same tables as SQLite's, every integer BIGINT.
pub static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");
