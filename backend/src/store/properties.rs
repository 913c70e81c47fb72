//! Property values (latest + time series) and device events.

use model::registry::PropertyValue;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::Db;

/// One accepted property value, ready to store.
#[derive(Debug, Clone)]
pub struct PropertyWrite {
    pub device_id: i64,
    pub identifier: String,
    pub value: serde_json::Value,
    pub time: i64,
}

/// Store a batch in one transaction: the latest table keeps the newest by time, history keeps all.
///
/// Multi-row statements: a batch of thousands of values costs a handful of statements instead of
/// two per value (each statement is a round trip to SQLite's worker thread).
pub async fn write_batch(db: &Db, batch: &[PropertyWrite]) -> sqlx::Result<()> {
    // Within one statement a (device, identifier) may appear once for the upsert: keep the newest.
    let mut newest: std::collections::HashMap<(i64, &str), &PropertyWrite> = std::collections::HashMap::new();
    for w in batch {
        let e = newest.entry((w.device_id, w.identifier.as_str())).or_insert(w);
        if w.time >= e.time {
            *e = w;
        }
    }
    let latest: Vec<&PropertyWrite> = newest.into_values().collect();
    let values: Vec<String> = batch.iter().map(|w| w.value.to_string()).collect();
    let mut tx = db.begin().await?;
    // 4 binds per row; SQLite allows 32766 per statement.
    for chunk in latest.chunks(2_000) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO property_latest (device_id, identifier, value, time) ");
        qb.push_values(chunk, |mut b, w| {
            b.push_bind(w.device_id).push_bind(&w.identifier).push_bind(w.value.to_string()).push_bind(w.time);
        });
        qb.push(
            " ON CONFLICT (device_id, identifier) DO UPDATE SET value = excluded.value, time = excluded.time \
             WHERE excluded.time >= property_latest.time",
        );
        qb.build().execute(&mut *tx).await?;
    }
    let rows: Vec<(&PropertyWrite, &String)> = batch.iter().zip(values.iter()).collect();
    for chunk in rows.chunks(2_000) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO property_history (device_id, identifier, value, time) ");
        qb.push_values(chunk, |mut b, (w, v)| {
            b.push_bind(w.device_id).push_bind(&w.identifier).push_bind(v.as_str()).push_bind(w.time);
        });
        qb.build().execute(&mut *tx).await?;
    }
    tx.commit().await
}

pub async fn latest(db: &Db, device_id: i64) -> sqlx::Result<Vec<PropertyValue>> {
    let rows =
        sqlx::query("SELECT identifier, value, time FROM property_latest WHERE device_id = $1 ORDER BY identifier")
            .bind(device_id)
            .fetch_all(db)
            .await?;
    Ok(rows
        .iter()
        .map(|r| PropertyValue {
            identifier: r.get(0),
            value: serde_json::from_str(r.get::<&str, _>(1)).unwrap_or(serde_json::Value::Null),
            time: r.get(2),
        })
        .collect())
}

pub async fn history(
    db: &Db,
    device_id: i64,
    identifier: &str,
    since: i64,
    until: i64,
    limit: i64,
) -> sqlx::Result<Vec<(i64, serde_json::Value)>> {
    let rows = sqlx::query(
        "SELECT time, value FROM property_history WHERE device_id = $1 AND identifier = $2 AND time >= $3 AND time < $4 ORDER BY time LIMIT $5",
    )
    .bind(device_id)
    .bind(identifier)
    .bind(since)
    .bind(until)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), serde_json::from_str(r.get::<&str, _>(1)).unwrap_or_default())).collect())
}

pub async fn insert_event(
    db: &Db,
    device_id: i64,
    identifier: &str,
    event_type: &str,
    params: &serde_json::Value,
    time: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO device_events (device_id, identifier, event_type, params, time) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(device_id)
    .bind(identifier)
    .bind(event_type)
    .bind(params.to_string())
    .bind(time)
    .execute(db)
    .await?;
    Ok(())
}
