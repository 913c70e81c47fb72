//! The SQLite ingest writer (the default store): rusqlite on a thread of its own.
//!
//! Why a thread of its own with its own SQLite connection, instead of the sqlx pool:
//! - SQLite has one writer at a time. Two writer tasks (run log, properties) on pool connections
//!   fought for that lock, and a loser sleeps in SQLite's busy handler (1 ms, 2 ms, 5 ms …)
//!   while messages queue up. One writer never waits for itself.
//! - Every sqlx statement is a round trip to a worker thread, so batches had to be multi-row
//!   statements whose SQL (and so whose prepared statement) changed with every batch size. Here a
//!   batch is a few cached single-row statements in one transaction: no parsing, no hand-offs.
//! - One transaction per round for everything queued: one commit instead of one per producer.

use std::path::Path;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use rusqlite::{params, Connection, Transaction};
use tokio::sync::mpsc;

use super::{lower_priority, PropRow, Round, Rows, ROUND};
use crate::hub::{Delivery, DeviceEvent};
use crate::live_bus::LiveBus;
use crate::runlog::line::Line;
use crate::store::checkpoint::{Checkpointer, BACKSTOP_PAGES};
use crate::store::metrics::{MetricRow, MinuteQueue, GAUGES};

/// The writer's page cache in KiB (SQLite's default is 2,000): the index pages it touches on
/// every round (run log by device, property history) stay in memory instead of being read back.
const CACHE_KIB: u32 = 65_536;

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    // The same durability as the pool (WAL + NORMAL survives a process crash).
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
         PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}; PRAGMA cache_size = -{CACHE_KIB};"
    ))?;
    conn.busy_timeout(Duration::from_secs(10))?;
    Ok(conn)
}

/// The writer's loop on the calling (blocking) thread, until the lane ends. A restarted writer
/// runs this again on the same lane: nothing queued is lost with the failed one but the round
/// it held.
pub fn run(path: &Path, rx: &mut mpsc::Receiver<Delivery>, bus: &LiveBus, minutes: &MinuteQueue) {
    lower_priority();
    let mut conn = loop {
        match open(path) {
            Ok(c) => break c,
            Err(e) => {
                tracing::error!(error = %e, path = %path.display(), "ingest writer cannot open the database; retrying");
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    };
    // Checkpoints run beside the writer, never inside one of its commits (see `checkpoint`).
    let mut checkpoints = Checkpointer::start(path);
    let mut cmds = Vec::with_capacity(ROUND);
    while rx.blocking_recv_many(&mut cmds, ROUND) > 0 {
        let round = Round::take(&mut cmds, minutes.take());
        let rows = round.rows();
        let ids = if round.writes(&rows) {
            let started = std::time::Instant::now();
            let ids = write_round(&mut conn, &round.events, &rows, &round.minutes);
            minutes.round_seconds.observe(started.elapsed().as_secs_f64());
            ids
        } else {
            Vec::new()
        };
        checkpoints.committed(round.events.len() as u64);
        let lines = rows.into_lines();
        round.committed(lines, ids, bus);
    }
}

/// One transaction for the round, retried until it commits: these rows must not be lost.
/// Returns the run-log ids in the order of the lines.
fn write_round(conn: &mut Connection, events: &[Arc<DeviceEvent>], rows: &Rows, minutes: &[MetricRow]) -> Vec<i64> {
    let mut attempt = 0u64;
    loop {
        match try_round(conn, events, rows, minutes) {
            Ok(ids) => return ids,
            Err(e) => {
                attempt += 1;
                tracing::error!(error = %e, attempt, "ingest transaction failed; retrying");
                std::thread::sleep(Duration::from_millis(100 * attempt.min(50)));
            }
        }
    }
}

fn try_round(
    conn: &mut Connection,
    events: &[Arc<DeviceEvent>],
    rows: &Rows,
    minutes: &[MetricRow],
) -> rusqlite::Result<Vec<i64>> {
    let tx = conn.transaction()?;
    let ids = insert_logs(&tx, events, &rows.lines)?;
    insert_properties(&tx, rows)?;
    insert_minutes(&tx, minutes)?;
    tx.commit()?;
    Ok(ids)
}

fn insert_logs(tx: &Transaction, events: &[Arc<DeviceEvent>], lines: &[(usize, Line)]) -> rusqlite::Result<Vec<i64>> {
    let mut st = tx.prepare_cached(
        "INSERT INTO run_log (at, trace_id, message_id, product_key, device_name, biz_type, operation, content, status) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut ids = Vec::with_capacity(lines.len());
    for (i, l) in lines {
        let e = &events[*i];
        ids.push(st.insert(params![
            e.at,
            e.trace,
            l.message_id,
            e.device.pk,
            e.device.dn,
            l.biz.as_str(),
            l.operation,
            l.content,
            i64::from(l.status),
        ])?);
    }
    Ok(ids)
}

/// History keeps every value; latest keeps the newest by time (one row per property per round,
/// see [`Rows`]) and never goes back. A row that fails on its own (its device was deleted since
/// the post: foreign key) is skipped; SQLite undoes only that statement, so the rest of the
/// round stays.
fn insert_properties(tx: &Transaction, rows: &Rows) -> rusqlite::Result<()> {
    let mut history =
        tx.prepare_cached("INSERT INTO property_history (device_id, identifier, value, time) VALUES (?1, ?2, ?3, ?4)")?;
    for r in &rows.history {
        skip_gone(r, history.execute(params![r.device_id, r.value.identifier, r.text, r.value.time]))?;
    }
    let mut latest = tx.prepare_cached(
        "INSERT INTO property_latest (device_id, identifier, value, time) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (device_id, identifier) DO UPDATE SET value = excluded.value, time = excluded.time \
         WHERE excluded.time >= property_latest.time",
    )?;
    for r in rows.latest.iter().map(|&i| &rows.history[i]) {
        skip_gone(r, latest.execute(params![r.device_id, r.value.identifier, r.text, r.value.time]))?;
    }
    Ok(())
}

/// A count's minute adds up, a level's is replaced (`metric IN (levels)`: the table holds no flag).
static UPSERT_MINUTE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO metric_minutes (product_key, metric, protocol, t, value) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (product_key, metric, protocol, t) DO UPDATE SET value = CASE \
           WHEN excluded.metric IN ({g}) THEN excluded.value ELSE metric_minutes.value + excluded.value END",
        g = &*GAUGES
    )
});

/// An hour: a count's value sums its minutes, a level's is its newest minute's.
static UPSERT_HOUR: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO metric_hours (product_key, metric, protocol, t, value, min, max, last_t, minutes) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5, ?6, 1) \
         ON CONFLICT (product_key, metric, protocol, t) DO UPDATE SET \
           value = CASE WHEN excluded.metric NOT IN ({g}) THEN metric_hours.value + excluded.value \
             WHEN excluded.last_t >= metric_hours.last_t THEN excluded.value ELSE metric_hours.value END, \
           min = min(metric_hours.min, excluded.min), max = max(metric_hours.max, excluded.max), \
           last_t = max(metric_hours.last_t, excluded.last_t), minutes = metric_hours.minutes + 1",
        g = &*GAUGES
    )
});

/// Closed metric minutes and their hourly rollups. A minute stored again (a restart within the
/// minute a shutdown had flushed) adds its counts and replaces its levels, never fails the round.
fn insert_minutes(tx: &Transaction, minutes: &[MetricRow]) -> rusqlite::Result<()> {
    if minutes.is_empty() {
        return Ok(());
    }
    let mut minute = tx.prepare_cached(&UPSERT_MINUTE)?;
    let mut hour = tx.prepare_cached(&UPSERT_HOUR)?;
    for m in minutes {
        minute.execute(params![m.product_key, m.metric, m.protocol, m.t, m.value])?;
        let h = model::monitor::hour_floor(m.t);
        hour.execute(params![m.product_key, m.metric, m.protocol, h, m.value, m.t])?;
    }
    Ok(())
}

/// A row refused by a constraint is logged and skipped; other errors fail the round.
fn skip_gone(r: &PropRow, result: rusqlite::Result<usize>) -> rusqlite::Result<()> {
    match result {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(f, msg)) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            tracing::warn!(device_id = r.device_id, identifier = %r.value.identifier, error = ?msg, "property value not stored (device gone)");
            Ok(())
        }
        Err(e) => Err(e),
    }
}
