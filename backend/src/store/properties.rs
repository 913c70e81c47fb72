//! Property values (latest + time series) and device events.

use model::registry::PropertyValue;

use super::{sql, Db, Result};

pub async fn latest(db: &Db, device_id: i64) -> Result<Vec<PropertyValue>> {
    let rows = db
        .fetch_all(
            sql("SELECT identifier, value, time FROM property_latest WHERE device_id = $1 ORDER BY identifier")
                .bind(device_id),
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(PropertyValue {
                identifier: r.get("identifier")?,
                value: serde_json::from_str(&r.get::<String>("value")?).unwrap_or(serde_json::Value::Null),
                time: r.get("time")?,
            })
        })
        .collect()
}

pub async fn history(
    db: &Db,
    device_id: i64,
    identifier: &str,
    since: i64,
    until: i64,
    limit: i64,
) -> Result<Vec<(i64, serde_json::Value)>> {
    let rows = db
        .fetch_all(
            sql("SELECT time, value FROM property_history WHERE device_id = $1 AND identifier = $2 AND time >= $3 AND time < $4 ORDER BY time LIMIT $5")
                .bind(device_id)
                .bind(identifier)
                .bind(since)
                .bind(until)
                .bind(limit),
        )
        .await?;
    rows.iter()
        .map(|r| Ok((r.get("time")?, serde_json::from_str(&r.get::<String>("value")?).unwrap_or_default())))
        .collect()
}

pub async fn insert_event(
    db: &Db,
    device_id: i64,
    identifier: &str,
    event_type: &str,
    params: &serde_json::Value,
    time: i64,
) -> Result<()> {
    db.execute(
        sql("INSERT INTO device_events (device_id, identifier, event_type, params, time) VALUES ($1, $2, $3, $4, $5)")
            .bind(device_id)
            .bind(identifier)
            .bind(event_type)
            .bind(params.to_string())
            .bind(time),
    )
    .await?;
    Ok(())
}
