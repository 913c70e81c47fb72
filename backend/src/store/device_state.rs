//! What the Alink router keeps per device besides properties and events (migration 0003):
//! shadow document, desired properties, network status, uploaded local logs, log switch.

use super::{sql, Db, Result, Sql};
use serde_json::{Map, Value};

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
pub async fn get_shadow(db: &Db, device_id: i64) -> Result<Shadow> {
    let row = db
        .fetch_optional(
            sql("SELECT reported, desired, metadata, version, updated_at FROM device_shadows WHERE device_id = $1")
                .bind(device_id),
        )
        .await?;
    let Some(r) = row else { return Ok(Shadow::default()) };
    Ok(Shadow {
        reported: object(&r.get::<String>("reported")?),
        desired: object(&r.get::<String>("desired")?),
        metadata: object(&r.get::<String>("metadata")?),
        version: r.get("version")?,
        updated_at: r.get("updated_at")?,
    })
}

/// Store a shadow only if the stored version is still `expected_version` (optimistic: two
/// concurrent updates cannot both win). Returns whether it was stored.
pub async fn put_shadow(db: &Db, device_id: i64, expected_version: i64, s: &Shadow) -> Result<bool> {
    let q = sql(
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
    .bind(expected_version);
    Ok(db.execute(q).await? == 1)
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
pub async fn set_desired(db: &Db, device_id: i64, identifier: &str, value: &Value, now: i64) -> Result<i64> {
    let q =
        sql("INSERT INTO desired_properties (device_id, identifier, value, version, time) VALUES ($1, $2, $3, 1, $4)
         ON CONFLICT (device_id, identifier) DO UPDATE SET value = excluded.value,
           version = desired_properties.version + 1, time = excluded.time
         RETURNING version")
        .bind(device_id)
        .bind(identifier)
        .bind(value.to_string())
        .bind(now);
    db.scalar(q).await
}

/// Desired values of a device; all of them when `identifiers` is empty.
pub async fn get_desired(db: &Db, device_id: i64, identifiers: &[String]) -> Result<Vec<Desired>> {
    let rows = db
        .fetch_all(
            sql("SELECT identifier, value, version, time FROM desired_properties WHERE device_id = $1 ORDER BY identifier")
                .bind(device_id),
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let d = Desired {
            identifier: r.get("identifier")?,
            value: serde_json::from_str(&r.get::<String>("value")?).unwrap_or(Value::Null),
            version: r.get("version")?,
            time: r.get("time")?,
        };
        if identifiers.is_empty() || identifiers.contains(&d.identifier) {
            out.push(d);
        }
    }
    Ok(out)
}

/// Delete a desired value; with `version`, only if it is still that version (the device cleared
/// what it saw, not a newer value set since). Returns whether a row went.
pub async fn delete_desired(db: &Db, device_id: i64, identifier: &str, version: Option<i64>) -> Result<bool> {
    let q =
        sql("DELETE FROM desired_properties WHERE device_id = $1 AND identifier = $2 AND ($3 IS NULL OR version = $3)")
            .bind(device_id)
            .bind(identifier)
            .bind(version);
    Ok(db.execute(q).await? == 1)
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
    /// The device's `_time` (ms); `None` when it sent none (migration 0007).
    pub collected_at: Option<i64>,
    /// The link the sample describes (`wifi`, …).
    pub connection: Option<String>,
}

pub async fn insert_network_status(db: &Db, device_id: i64, samples: &[NetworkStatus]) -> Result<()> {
    let rows = samples.iter().map(|s| {
        sql("INSERT INTO device_network_status (device_id, rssi, snr, per, err_stats, raw, time, received_at, collected_at, connection)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(device_id)
        .bind(s.rssi)
        .bind(s.snr)
        .bind(s.per)
        .bind(&s.err_stats)
        .bind(s.raw.to_string())
        .bind(s.time)
        .bind(s.received_at)
        .bind(s.collected_at)
        .bind(&s.connection)
    });
    db.transaction(rows.collect::<Vec<Sql>>()).await?;
    Ok(())
}

/// Newest first.
pub async fn network_status(db: &Db, device_id: i64, limit: i64) -> Result<Vec<NetworkStatus>> {
    let q =
        sql("SELECT rssi, snr, per, err_stats, raw, time, received_at, collected_at, connection FROM device_network_status WHERE device_id = $1
         ORDER BY time DESC, id DESC LIMIT $2")
        .bind(device_id)
        .bind(limit);
    db.fetch_all(q)
        .await?
        .iter()
        .map(|r| {
            Ok(NetworkStatus {
                rssi: r.get("rssi")?,
                snr: r.get("snr")?,
                per: r.get("per")?,
                err_stats: r.get("err_stats")?,
                raw: serde_json::from_str(&r.get::<String>("raw")?).unwrap_or(Value::Null),
                time: r.get("time")?,
                received_at: r.get("received_at")?,
                collected_at: r.get("collected_at")?,
                connection: r.get("connection")?,
            })
        })
        .collect()
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

pub async fn insert_logs(db: &Db, device_id: i64, logs: &[DeviceLog]) -> Result<()> {
    let rows = logs.iter().map(|l| {
        sql(
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
    });
    db.transaction(rows.collect::<Vec<Sql>>()).await?;
    Ok(())
}

/// Newest first.
pub async fn logs(db: &Db, device_id: i64, limit: i64) -> Result<Vec<DeviceLog>> {
    let q = sql(
        "SELECT utc_time, log_level, module, code, trace_context, content, received_at FROM device_logs WHERE device_id = $1
         ORDER BY id DESC LIMIT $2",
    )
    .bind(device_id)
    .bind(limit);
    db.fetch_all(q)
        .await?
        .iter()
        .map(|r| {
            Ok(DeviceLog {
                utc_time: r.get("utc_time")?,
                log_level: r.get("log_level")?,
                module: r.get("module")?,
                code: r.get("code")?,
                trace_context: r.get("trace_context")?,
                content: r.get("content")?,
                received_at: r.get("received_at")?,
            })
        })
        .collect()
}

/// The device log switch: 1 = upload logs, 0 = off (also when never set).
pub async fn log_mode(db: &Db, device_id: i64) -> Result<u8> {
    let mode: Option<i64> =
        db.scalar_optional(sql("SELECT mode FROM device_log_switch WHERE device_id = $1").bind(device_id)).await?;
    Ok(u8::from(mode.unwrap_or(0) != 0))
}

pub async fn set_log_mode(db: &Db, device_id: i64, on: bool, now: i64) -> Result<()> {
    let q = sql("INSERT INTO device_log_switch (device_id, mode, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (device_id) DO UPDATE SET mode = excluded.mode, updated_at = excluded.updated_at")
    .bind(device_id)
    .bind(i64::from(on))
    .bind(now);
    db.execute(q).await?;
    Ok(())
}

// ---- Online debugging (desired sync) ----------------------------------------------------------

/// The devices that have desired values waiting (the desired sync job watches only these).
pub async fn desired_device_ids(db: &Db) -> Result<Vec<i64>> {
    let rows = db.fetch_all(sql("SELECT DISTINCT device_id FROM desired_properties")).await?;
    rows.iter().map(|r| r.get("device_id")).collect()
}
