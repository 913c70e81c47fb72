//! Browser sessions. Only a hash of the cookie value is stored, so a leaked database holds no
//! usable session.

use sqlx::Row;

use super::Db;

pub struct SessionRecord {
    pub username: String,
    pub csrf_token: String,
    pub expires_at: i64,
}

pub async fn insert(
    db: &Db,
    token_hash: &str,
    username: &str,
    csrf: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, username, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(username)
    .bind(csrf)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn get(db: &Db, token_hash: &str) -> sqlx::Result<Option<SessionRecord>> {
    let row = sqlx::query("SELECT username, csrf_token, expires_at FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| SessionRecord { username: r.get(0), csrf_token: r.get(1), expires_at: r.get(2) }))
}

pub async fn delete(db: &Db, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(db).await?;
    Ok(())
}

/// Log a user out everywhere (password change, disable).
pub async fn delete_for_user(db: &Db, username: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE username = $1").bind(username).execute(db).await?;
    Ok(())
}

pub async fn delete_expired(db: &Db, now: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(db).await?.rows_affected())
}
