//! Personal API tokens, stored hashed; the secret is shown once at creation.

use model::auth::ApiToken;
use sqlx::Row;

use super::Db;

pub async fn insert(db: &Db, username: &str, name: &str, token_hash: &str, now: i64) -> sqlx::Result<ApiToken> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (username, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(username)
    .bind(name)
    .bind(token_hash)
    .bind(now)
    .fetch_one(db)
    .await?;
    Ok(ApiToken { id, name: name.to_string(), created_at: now, last_used_at: None })
}

pub async fn list(db: &Db, username: &str) -> sqlx::Result<Vec<ApiToken>> {
    let rows = sqlx::query("SELECT id, name, created_at, last_used_at FROM api_tokens WHERE username = $1 ORDER BY id")
        .bind(username)
        .fetch_all(db)
        .await?;
    Ok(rows
        .iter()
        .map(|r| ApiToken { id: r.get(0), name: r.get(1), created_at: r.get(2), last_used_at: r.get(3) })
        .collect())
}

pub async fn delete(db: &Db, username: &str, id: i64) -> sqlx::Result<bool> {
    let r = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND username = $2")
        .bind(id)
        .bind(username)
        .execute(db)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// The owner of a token, marking it used.
pub async fn owner(db: &Db, token_hash: &str, now: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 RETURNING username")
        .bind(now)
        .bind(token_hash)
        .fetch_optional(db)
        .await
}
