//! Browser sessions. Only a hash of the cookie value is stored, so a leaked database holds no
//! usable session.

use super::{sql, Db, Result};

pub struct SessionRecord {
    pub username: String,
    pub csrf_token: String,
    pub expires_at: i64,
}

pub async fn insert(db: &Db, token_hash: &str, username: &str, csrf: &str, now: i64, expires_at: i64) -> Result<()> {
    db.execute(
        sql("INSERT INTO sessions (token_hash, username, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(username)
            .bind(csrf)
            .bind(now)
            .bind(expires_at),
    )
    .await?;
    Ok(())
}

pub async fn get(db: &Db, token_hash: &str) -> Result<Option<SessionRecord>> {
    let row = db
        .fetch_optional(
            sql("SELECT username, csrf_token, expires_at FROM sessions WHERE token_hash = $1").bind(token_hash),
        )
        .await?;
    row.map(|r| {
        Ok(SessionRecord {
            username: r.get("username")?,
            csrf_token: r.get("csrf_token")?,
            expires_at: r.get("expires_at")?,
        })
    })
    .transpose()
}

pub async fn delete(db: &Db, token_hash: &str) -> Result<()> {
    db.execute(sql("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash)).await?;
    Ok(())
}

/// Log a user out everywhere (password change, disable).
pub async fn delete_for_user(db: &Db, username: &str) -> Result<()> {
    db.execute(sql("DELETE FROM sessions WHERE username = $1").bind(username)).await?;
    Ok(())
}

pub async fn delete_expired(db: &Db, now: i64) -> Result<u64> {
    db.execute(sql("DELETE FROM sessions WHERE expires_at <= $1").bind(now)).await
}
