//! What the Alink router keeps per device besides properties and events (migration 0003):
//! shadow document, desired properties, network status, uploaded local logs, log switch.

use serde_json::{Map, Value};
use sqlx::Row;

use super::Db;

/// A device shadow: `reported`/`desired`/`metadata` are JSON objects.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Shadow {
    pub reported: Map<String, Value>,
    pub desired: Map<String, Value>,
    pub metadata: Map<String, Value>,
    pub version: i64,
    pub updated_at: i64,
}

fn object(text: &str) -> Map<String, Value> {
    match serde_json::from_str(text) {
        Ok(Value::Object(o)) => o,
        _ => Map::new(),
    }
}

/// The shadow of a device; an empty one at version 0 if it never had one.
pub async fn get_shadow(db: &Db, device_id: i64) -> sqlx::Result<Shadow> {
    let row =
        sqlx::query("SELECT reported, desired, metadata, version, updated_at FROM device_shadows WHERE device_id = $1")
            .bind(device_id)
            .fetch_optional(db)
            .await?;
    Ok(row
        .map(|r| Shadow {
            reported: object(r.get(0)),
            desired: object(r.get(1)),
            metadata: object(r.get(2)),
            version: r.get(3),
            updated_at: r.get(4),
        })
        .unwrap_or_default())
}

/// Store a shadow only if the stored version is still `expected_version` (optimistic: two
/// concurrent updates cannot both win). Returns whether it was stored.
pub async fn put_shadow(db: &Db, device_id: i64, expected_version: i64, s: &Shadow) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO device_shadows (device_id, reported, desired, metadata, version, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (device_id) DO UPDATE SET reported = excluded.reported, desired = excluded.desired,
           metadata = excluded.metadata, version = excluded.version, updated_at = excluded.updated_at
         WHERE device_shadows.version = $7",
    )
    .bind(device_id)
    .bind(Value::Object(s.reported.clone()).to_string())
    .bind(Value::Object(s.desired.clone()).to_string())
    .bind(Value::Object(s.metadata.clone()).to_string())
    .bind(s.version)
    .bind(s.updated_at)
    .bind(expected_version)
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// One desired property value with its version.
#[derive(Debug, Clone, PartialEq)]
pub struct Desired {
    pub identifier: String,
    pub value: Value,
    pub version: i64,
    pub time: i64,
}

/// Set a desired value (the console's side); the version goes up by one per identifier.
pub async fn set_desired(db: &Db, device_id: i64, identifier: &str, value: &Value, now: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO desired_properties (device_id, identifier, value, version, time) VALUES ($1, $2, $3, 1, $4)
         ON CONFLICT (device_id, identifier) DO UPDATE SET value = excluded.value,
           version = desired_properties.version + 1, time = excluded.time
         RETURNING version",
    )
    .bind(device_id)
    .bind(identifier)
    .bind(value.to_string())
    .bind(now)
    .fetch_one(db)
    .await
}

/// Desired values of a device; all of them when `identifiers` is empty.
pub async fn get_desired(db: &Db, device_id: i64, identifiers: &[String]) -> sqlx::Result<Vec<Desired>> {
    let rows = sqlx::query(
        "SELECT identifier, value, version, time FROM desired_properties WHERE device_id = $1 ORDER BY identifier",
    )
    .bind(device_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Desired {
            identifier: r.get(0),
            value: serde_json::from_str(r.get::<&str, _>(1)).unwrap_or(Value::Null),
            version: r.get(2),
            time: r.get(3),
        })
        .filter(|d| identifiers.is_empty() || identifiers.contains(&d.identifier))
        .collect())
}

/// Delete a desired value; with `version`, only if it is still that version (the device cleared
/// what it saw, not a newer value set since). Returns whether a row went.
pub async fn delete_desired(db: &Db, device_id: i64, identifier: &str, version: Option<i64>) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "DELETE FROM desired_properties WHERE device_id = $1 AND identifier = $2 AND ($3 IS NULL OR version = $3)",
    )
    .bind(device_id)
    .bind(identifier)
    .bind(version)
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// One network status sample (`_thing/diag/post`).
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkStatus {
    pub rssi: Option<f64>,
    pub snr: Option<f64>,
    pub per: Option<f64>,
    pub err_stats: Option<String>,
    /// The sample as posted.
    pub raw: Value,
    /// The device's `_time` (ms), else the receive time.
    pub time: i64,
    pub received_at: i64,
}

pub async fn insert_network_status(db: &Db, device_id: i64, samples: &[NetworkStatus]) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    for s in samples {
        sqlx::query(
            "INSERT INTO device_network_status (device_id, rssi, snr, per, err_stats, raw, time, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(device_id)
        .bind(s.rssi)
        .bind(s.snr)
        .bind(s.per)
        .bind(&s.err_stats)
        .bind(s.raw.to_string())
        .bind(s.time)
        .bind(s.received_at)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// Newest first.
pub async fn network_status(db: &Db, device_id: i64, limit: i64) -> sqlx::Result<Vec<NetworkStatus>> {
    let rows = sqlx::query(
        "SELECT rssi, snr, per, err_stats, raw, time, received_at FROM device_network_status WHERE device_id = $1
         ORDER BY time DESC, id DESC LIMIT $2",
    )
    .bind(device_id)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| NetworkStatus {
            rssi: r.get(0),
            snr: r.get(1),
            per: r.get(2),
            err_stats: r.get(3),
            raw: serde_json::from_str(r.get::<&str, _>(4)).unwrap_or(Value::Null),
            time: r.get(5),
            received_at: r.get(6),
        })
        .collect())
}

/// One uploaded local log line (`thing/log/post`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeviceLog {
    pub utc_time: String,
    pub log_level: String,
    pub module: String,
    pub code: String,
    pub trace_context: String,
    pub content: String,
    pub received_at: i64,
}

pub async fn insert_logs(db: &Db, device_id: i64, logs: &[DeviceLog]) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    for l in logs {
        sqlx::query(
            "INSERT INTO device_logs (device_id, utc_time, log_level, module, code, trace_context, content, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(device_id)
        .bind(&l.utc_time)
        .bind(&l.log_level)
        .bind(&l.module)
        .bind(&l.code)
        .bind(&l.trace_context)
        .bind(&l.content)
        .bind(l.received_at)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// Newest first.
pub async fn logs(db: &Db, device_id: i64, limit: i64) -> sqlx::Result<Vec<DeviceLog>> {
    let rows = sqlx::query(
        "SELECT utc_time, log_level, module, code, trace_context, content, received_at FROM device_logs WHERE device_id = $1
         ORDER BY id DESC LIMIT $2",
    )
    .bind(device_id)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| DeviceLog {
            utc_time: r.get(0),
            log_level: r.get(1),
            module: r.get(2),
            code: r.get(3),
            trace_context: r.get(4),
            content: r.get(5),
            received_at: r.get(6),
        })
        .collect())
}

/// The device log switch: 1 = upload logs, 0 = off (also when never set).
pub async fn log_mode(db: &Db, device_id: i64) -> sqlx::Result<u8> {
    let mode: Option<i64> = sqlx::query_scalar("SELECT mode FROM device_log_switch WHERE device_id = $1")
        .bind(device_id)
        .fetch_optional(db)
        .await?;
    Ok(u8::from(mode.unwrap_or(0) != 0))
}

pub async fn set_log_mode(db: &Db, device_id: i64, on: bool, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO device_log_switch (device_id, mode, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (device_id) DO UPDATE SET mode = excluded.mode, updated_at = excluded.updated_at",
    )
    .bind(device_id)
    .bind(i64::from(on))
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}
