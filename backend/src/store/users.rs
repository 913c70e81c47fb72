//! Users and their password hashes.

use model::auth::{Role, User};

use super::{sql, Db, Error, Result, Row};

/// A user row including the hash, for login.
pub struct UserRecord {
    pub user: User,
    pub password_hash: String,
}

/// A row as a record; a role the code does not know is corrupt data, never a guess.
fn record(r: &Row) -> Result<UserRecord> {
    let role: String = r.get("role")?;
    Ok(UserRecord {
        user: User {
            username: r.get("username")?,
            role: Role::parse(&role).ok_or_else(|| Error::corrupt(format!("role {role:?}")))?,
            created_at: r.get("created_at")?,
            disabled: r.get("disabled")?,
        },
        password_hash: r.get("password_hash")?,
    })
}

pub async fn count(db: &Db) -> Result<i64> {
    db.scalar(sql("SELECT COUNT(*) FROM users")).await
}

pub async fn insert(db: &Db, username: &str, hash: &str, role: Role, now: i64) -> Result<()> {
    db.execute(
        sql("INSERT INTO users (username, password_hash, role, disabled, created_at) VALUES ($1, $2, $3, FALSE, $4)")
            .bind(username)
            .bind(hash)
            .bind(role.as_str())
            .bind(now),
    )
    .await?;
    Ok(())
}

pub async fn get(db: &Db, username: &str) -> Result<Option<UserRecord>> {
    db.fetch_optional(sql("SELECT * FROM users WHERE username = $1").bind(username))
        .await?
        .as_ref()
        .map(record)
        .transpose()
}

pub async fn list(db: &Db) -> Result<Vec<User>> {
    let rows = db.fetch_all(sql("SELECT * FROM users ORDER BY username")).await?;
    rows.iter().map(|r| Ok(record(r)?.user)).collect()
}

pub async fn set_password(db: &Db, username: &str, hash: &str) -> Result<bool> {
    Ok(db.execute(sql("UPDATE users SET password_hash = $1 WHERE username = $2").bind(hash).bind(username)).await? == 1)
}

pub async fn set_role(db: &Db, username: &str, role: Role) -> Result<bool> {
    Ok(db.execute(sql("UPDATE users SET role = $1 WHERE username = $2").bind(role.as_str()).bind(username)).await? == 1)
}

pub async fn set_disabled(db: &Db, username: &str, disabled: bool) -> Result<bool> {
    Ok(db.execute(sql("UPDATE users SET disabled = $1 WHERE username = $2").bind(disabled).bind(username)).await? == 1)
}

pub async fn delete(db: &Db, username: &str) -> Result<bool> {
    Ok(db.execute(sql("DELETE FROM users WHERE username = $1").bind(username)).await? == 1)
}

/// Admins that can still log in; the last one may not be demoted, disabled or deleted.
pub async fn active_admins(db: &Db) -> Result<i64> {
    db.scalar(sql("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = FALSE")).await
}
