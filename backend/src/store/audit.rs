//! The audit log of mutating actions.

use model::audit::{AuditEntry, AuditQuery};
use model::error::Page;

use super::{sql, Db, Result, Row, Sql};

pub struct NewAudit<'a> {
    pub at: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub result: &'a str,
    pub details: Option<serde_json::Value>,
}

pub async fn insert(db: &Db, e: NewAudit<'_>) -> Result<()> {
    db.execute(
        sql("INSERT INTO audit_log (at, actor, action, target, result, details) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(e.at)
            .bind(e.actor)
            .bind(e.action)
            .bind(e.target)
            .bind(e.result)
            .bind(e.details.map(|d| d.to_string())),
    )
    .await?;
    Ok(())
}

/// Prefix matches compare lower-case on both stores (SQLite's LIKE ignores ASCII case,
/// PostgreSQL's does not).
fn filter(qb: &mut Sql, q: &AuditQuery) {
    qb.push(" WHERE 1=1");
    if let Some(v) = &q.actor {
        qb.push(" AND actor = ").push_bind(v);
    }
    if let Some(v) = &q.action {
        qb.push(" AND lower(action) LIKE ").push_bind(format!("{}%", v.replace('%', "").to_lowercase()));
    }
    if let Some(v) = &q.target {
        qb.push(" AND lower(target) LIKE ").push_bind(format!("{}%", v.replace('%', "").to_lowercase()));
    }
    if let Some(v) = q.since {
        qb.push(" AND at >= ").push_bind(v);
    }
    if let Some(v) = q.until {
        qb.push(" AND at < ").push_bind(v);
    }
}

fn entry(r: &Row) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.get("id")?,
        at: r.get("at")?,
        actor: r.get("actor")?,
        action: r.get("action")?,
        target: r.get("target")?,
        result: r.get("result")?,
        details: r.get::<Option<String>>("details")?.and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok()),
    })
}

pub async fn query(db: &Db, q: &AuditQuery) -> Result<Page<AuditEntry>> {
    let page = q.page.unwrap_or(1).max(1);
    let size = q.page_size.unwrap_or(50).clamp(1, 500);
    let mut count = sql("SELECT COUNT(*) FROM audit_log");
    filter(&mut count, q);
    let total: i64 = db.scalar(count).await?;
    let mut qb = sql("SELECT * FROM audit_log");
    filter(&mut qb, q);
    qb.push(" ORDER BY id DESC LIMIT ").push_bind(size as i64).push(" OFFSET ").push_bind(((page - 1) * size) as i64);
    let items = db.fetch_all(qb).await?.iter().map(entry).collect::<Result<_>>()?;
    Ok(Page { items, total: total as u64, page, page_size: size })
}
