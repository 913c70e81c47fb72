//! Personal API tokens, stored hashed; the secret is shown once at creation.

use model::auth::ApiToken;

use super::{sql, Db, Result};

pub async fn insert(db: &Db, username: &str, name: &str, token_hash: &str, now: i64) -> Result<ApiToken> {
    let id: i64 = db
        .scalar(
            sql("INSERT INTO api_tokens (username, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(username)
                .bind(name)
                .bind(token_hash)
                .bind(now),
        )
        .await?;
    Ok(ApiToken { id, name: name.to_string(), created_at: now, last_used_at: None })
}

pub async fn list(db: &Db, username: &str) -> Result<Vec<ApiToken>> {
    let rows = db
        .fetch_all(
            sql("SELECT id, name, created_at, last_used_at FROM api_tokens WHERE username = $1 ORDER BY id")
                .bind(username),
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ApiToken {
                id: r.get("id")?,
                name: r.get("name")?,
                created_at: r.get("created_at")?,
                last_used_at: r.get("last_used_at")?,
            })
        })
        .collect()
}

pub async fn delete(db: &Db, username: &str, id: i64) -> Result<bool> {
    Ok(db.execute(sql("DELETE FROM api_tokens WHERE id = $1 AND username = $2").bind(id).bind(username)).await? == 1)
}

/// The owner of a token, marking it used.
pub async fn owner(db: &Db, token_hash: &str, now: i64) -> Result<Option<String>> {
    db.scalar_optional(
        sql("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 RETURNING username")
            .bind(now)
            .bind(token_hash),
    )
    .await
}
