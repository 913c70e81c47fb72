//! The audit log of mutating actions.

use model::audit::{AuditEntry, AuditQuery};
use model::error::Page;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::Db;

pub struct NewAudit<'a> {
    pub at: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub result: &'a str,
    pub details: Option<serde_json::Value>,
}

pub async fn insert(db: &Db, e: NewAudit<'_>) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO audit_log (at, actor, action, target, result, details) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(e.at)
        .bind(e.actor)
        .bind(e.action)
        .bind(e.target)
        .bind(e.result)
        .bind(e.details.map(|d| d.to_string()))
        .execute(db)
        .await?;
    Ok(())
}

fn filter(qb: &mut QueryBuilder<Sqlite>, q: &AuditQuery) {
    qb.push(" WHERE 1=1");
    if let Some(v) = &q.actor {
        qb.push(" AND actor = ").push_bind(v);
    }
    if let Some(v) = &q.action {
        qb.push(" AND action LIKE ").push_bind(format!("{}%", v.replace('%', "")));
    }
    if let Some(v) = &q.target {
        qb.push(" AND target LIKE ").push_bind(format!("{}%", v.replace('%', "")));
    }
    if let Some(v) = q.since {
        qb.push(" AND at >= ").push_bind(v);
    }
    if let Some(v) = q.until {
        qb.push(" AND at < ").push_bind(v);
    }
}

pub async fn query(db: &Db, q: &AuditQuery) -> sqlx::Result<Page<AuditEntry>> {
    let page = q.page.unwrap_or(1).max(1);
    let size = q.page_size.unwrap_or(50).clamp(1, 500);
    let mut count = QueryBuilder::new("SELECT COUNT(*) FROM audit_log");
    filter(&mut count, q);
    let total: i64 = count.build_query_scalar().fetch_one(db).await?;
    let mut qb = QueryBuilder::new("SELECT * FROM audit_log");
    filter(&mut qb, q);
    qb.push(" ORDER BY id DESC LIMIT ").push_bind(size as i64).push(" OFFSET ").push_bind(((page - 1) * size) as i64);
    let rows = qb.build().fetch_all(db).await?;
    let items = rows
        .iter()
        .map(|r| AuditEntry {
            id: r.get("id"),
            at: r.get("at"),
            actor: r.get("actor"),
            action: r.get("action"),
            target: r.get("target"),
            result: r.get("result"),
            details: r
                .get::<Option<String>, _>("details")
                .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok()),
        })
        .collect();
    Ok(Page { items, total: total as u64, page, page_size: size })
}
