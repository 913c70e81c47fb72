//! The device page's history (issue 14): stored property values over a range, the events a
//! device posted, its network status samples, and the network status retention purge.
//!
//! Every query is bounded by device and time and served by an index (0010's
//! `property_history_by_time`, 0007's `device_events_identifier` and
//! `device_network_status_received`).

use model::history::{DeviceEventRow, HistoryPoint};
use model::network::NetworkStatusRow;
use model::tsl::EventType;
use serde_json::Value;

use super::{sql, Db, Result};

/// Every stored value of one property in `[from, to)`, oldest first. The caller downsamples
/// (the range is bounded by `model::history::MAX_RANGE_MS`).
pub async fn property_points(
    db: &Db,
    device_id: i64,
    identifier: &str,
    from: i64,
    to: i64,
) -> Result<Vec<HistoryPoint>> {
    let q = sql("SELECT time, value FROM property_history
         WHERE device_id = $1 AND identifier = $2 AND time >= $3 AND time < $4 ORDER BY time")
    .bind(device_id)
    .bind(identifier)
    .bind(from)
    .bind(to);
    db.fetch_all(q)
        .await?
        .iter()
        .map(|r| {
            Ok(HistoryPoint {
                time: r.get("time")?,
                value: serde_json::from_str(&r.get::<String>("value")?).unwrap_or(Value::Null),
            })
        })
        .collect()
}

/// Filters of [`events`].
pub struct EventFilter<'a> {
    pub identifier: Option<&'a str>,
    pub event_type: Option<EventType>,
    pub from: i64,
    pub to: i64,
    pub limit: u32,
}

fn event_type_name(t: EventType) -> &'static str {
    match t {
        EventType::Info => "info",
        EventType::Alert => "alert",
        EventType::Error => "error",
    }
}

fn event_type_of(s: &str) -> EventType {
    match s {
        "alert" => EventType::Alert,
        "error" => EventType::Error,
        _ => EventType::Info,
    }
}

/// A device's events, newest first; the flag says more than `limit` matched.
pub async fn events(db: &Db, device_id: i64, f: &EventFilter<'_>) -> Result<(Vec<DeviceEventRow>, bool)> {
    let mut q = sql("SELECT id, identifier, event_type, params, time FROM device_events WHERE device_id = ");
    q.push_bind(device_id);
    q.push(" AND time >= ").push_bind(f.from);
    q.push(" AND time < ").push_bind(f.to);
    if let Some(id) = f.identifier {
        q.push(" AND identifier = ").push_bind(id);
    }
    if let Some(t) = f.event_type {
        q.push(" AND event_type = ").push_bind(event_type_name(t));
    }
    q.push(" ORDER BY time DESC, id DESC LIMIT ").push_bind(i64::from(f.limit) + 1);
    let mut rows = db
        .fetch_all(q)
        .await?
        .iter()
        .map(|r| {
            Ok(DeviceEventRow {
                id: r.get("id")?,
                identifier: r.get("identifier")?,
                event_type: event_type_of(&r.get::<String>("event_type")?),
                params: serde_json::from_str(&r.get::<String>("params")?).unwrap_or(Value::Null),
                time: r.get("time")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let more = rows.len() > f.limit as usize;
    rows.truncate(f.limit as usize);
    Ok((rows, more))
}

/// A device's network status samples received in `[from, to)`, oldest first: the newest
/// `limit`, and whether older ones were left out.
pub async fn network_rows(
    db: &Db,
    device_id: i64,
    from: i64,
    to: i64,
    limit: u32,
) -> Result<(Vec<NetworkStatusRow>, bool)> {
    let q = sql("SELECT rssi, snr, per, err_stats, received_at, collected_at, connection FROM device_network_status
         WHERE device_id = $1 AND received_at >= $2 AND received_at < $3 ORDER BY received_at DESC, id DESC LIMIT $4")
    .bind(device_id)
    .bind(from)
    .bind(to)
    .bind(i64::from(limit) + 1);
    let mut rows = db
        .fetch_all(q)
        .await?
        .iter()
        .map(|r| {
            Ok(NetworkStatusRow {
                reported_at: r.get("received_at")?,
                collected_at: r.get("collected_at")?,
                rssi: r.get("rssi")?,
                snr: r.get("snr")?,
                packet_loss: r.get("per")?,
                connection: r.get("connection")?,
                err_stats: r.get("err_stats")?,
                errors: Vec::new(),
                err_stats_error: None,
            }
            .with_parsed_errors())
        })
        .collect::<Result<Vec<_>>>()?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    rows.reverse();
    Ok((rows, more))
}

/// Delete up to `batch` network status samples received before `before`; returns how many
/// went. Small batches keep each statement short, so ingest never waits long behind a purge.
pub async fn purge_network_status(db: &Db, before: i64, batch: u32) -> Result<u64> {
    let q = sql("DELETE FROM device_network_status WHERE id IN
         (SELECT id FROM device_network_status WHERE received_at < $1 ORDER BY received_at LIMIT $2)")
    .bind(before)
    .bind(i64::from(batch));
    db.execute(q).await
}
