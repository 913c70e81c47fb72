//! Users and their password hashes.

use model::auth::{Role, User};
use sqlx::Row;

use super::Db;

/// A user row including the hash, for login.
pub struct UserRecord {
    pub user: User,
    pub password_hash: String,
}

fn record(r: &sqlx::sqlite::SqliteRow) -> UserRecord {
    UserRecord {
        user: User {
            username: r.get("username"),
            role: Role::parse(r.get::<&str, _>("role")).unwrap_or(Role::Viewer),
            created_at: r.get("created_at"),
            disabled: r.get("disabled"),
        },
        password_hash: r.get("password_hash"),
    }
}

pub async fn count(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(db).await
}

pub async fn insert(db: &Db, username: &str, hash: &str, role: Role, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO users (username, password_hash, role, disabled, created_at) VALUES ($1, $2, $3, FALSE, $4)",
    )
    .bind(username)
    .bind(hash)
    .bind(role.as_str())
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn get(db: &Db, username: &str) -> sqlx::Result<Option<UserRecord>> {
    let row = sqlx::query("SELECT * FROM users WHERE username = $1").bind(username).fetch_optional(db).await?;
    Ok(row.as_ref().map(record))
}

pub async fn list(db: &Db) -> sqlx::Result<Vec<User>> {
    let rows = sqlx::query("SELECT * FROM users ORDER BY username").fetch_all(db).await?;
    Ok(rows.iter().map(|r| record(r).user).collect())
}

pub async fn set_password(db: &Db, username: &str, hash: &str) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
        .bind(hash)
        .bind(username)
        .execute(db)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_role(db: &Db, username: &str, role: Role) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE users SET role = $1 WHERE username = $2")
        .bind(role.as_str())
        .bind(username)
        .execute(db)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_disabled(db: &Db, username: &str, disabled: bool) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE users SET disabled = $1 WHERE username = $2")
        .bind(disabled)
        .bind(username)
        .execute(db)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn delete(db: &Db, username: &str) -> sqlx::Result<bool> {
    let r = sqlx::query("DELETE FROM users WHERE username = $1").bind(username).execute(db).await?;
    Ok(r.rows_affected() == 1)
}

/// Admins that can still log in; the last one may not be demoted, disabled or deleted.
pub async fn active_admins(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = FALSE").fetch_one(db).await
}
