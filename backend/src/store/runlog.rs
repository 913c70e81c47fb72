//! The cloud run log's filtered reads (writes: [`super::ingest`]).

use model::runlog::{BizType, LogEntry, LogQuery};

use super::{sql, Db, Error, Result, Row};

fn entry(r: &Row) -> Result<LogEntry> {
    let biz: String = r.get("biz_type")?;
    Ok(LogEntry {
        id: r.get("id")?,
        at: r.get("at")?,
        trace_id: r.get("trace_id")?,
        message_id: r.get("message_id")?,
        product_key: r.get("product_key")?,
        device_name: r.get("device_name")?,
        biz_type: BizType::parse(&biz).ok_or_else(|| Error::corrupt(format!("business type {biz:?}")))?,
        operation: r.get("operation")?,
        content: r.get("content")?,
        status: r.get::<i64>("status")? as u32,
    })
}

pub async fn query(db: &Db, q: &LogQuery) -> Result<Vec<LogEntry>> {
    let mut qb = sql("SELECT * FROM run_log WHERE 1=1");
    if let Some(v) = &q.product_key {
        qb.push(" AND product_key = ").push_bind(v);
    }
    if let Some(v) = &q.device_name {
        qb.push(" AND device_name = ").push_bind(v);
    }
    if let Some(v) = &q.trace_id {
        qb.push(" AND trace_id = ").push_bind(v);
    }
    if let Some(v) = q.biz_type {
        qb.push(" AND biz_type = ").push_bind(v.as_str());
    }
    if let Some(v) = q.status {
        qb.push(" AND status = ").push_bind(v as i64);
    }
    if let Some(v) = q.since {
        qb.push(" AND at >= ").push_bind(v);
    }
    if let Some(v) = q.until {
        qb.push(" AND at < ").push_bind(v);
    }
    qb.push(" ORDER BY id DESC LIMIT ").push_bind(q.limit.unwrap_or(100).clamp(1, 1000) as i64);
    db.fetch_all(qb).await?.iter().map(entry).collect()
}
