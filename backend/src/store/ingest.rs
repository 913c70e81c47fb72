//! The ingest writer: the one place the high-volume rows (run log entries and property values)
//! are written.
//!
//! Why a thread of its own with its own SQLite connection, instead of the sqlx pool:
//! - SQLite has one writer at a time. Two writer tasks (run log, properties) on pool connections
//!   fought for that lock, and a loser sleeps in SQLite's busy handler (1 ms, 2 ms, 5 ms …)
//!   while messages queue up. One writer never waits for itself.
//! - Every sqlx statement is a round trip to a worker thread, so batches had to be multi-row
//!   statements whose SQL (and so whose prepared statement) changed with every batch size. Here a
//!   batch is a few cached single-row statements in one transaction: no parsing, no hand-offs.
//! - One transaction per round for everything queued: one commit instead of one per producer.
//!
//! It is the hub's main lossless consumer ([`crate::hub`]): it reads device facts from its lane,
//! turns them into run-log rows ([`crate::runlog::line`]) and property rows, and answers the
//! hub's barriers ([`crate::hub::Hub::flush`]) once everything before them is committed.
//!
//! Nothing is dropped: producers wait when the lane is full (backpressure), a failed
//! transaction is retried, and a row that can never be stored (its device was deleted
//! meanwhile) is logged and skipped without sinking the rows around it.

use std::collections::hash_map::{Entry, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use model::registry::PropertyValue;
use model::ws::LiveEvent;
use rusqlite::{params, Connection, Transaction};
use tokio::sync::mpsc;

use crate::hub::{Delivery, DeviceEvent, Fact};
use crate::live_bus::LiveBus;
use crate::runlog::line::{line_of, Line};

/// Facts queued at most before producers wait (the capacity of the writer's hub lane).
pub const QUEUE_CAPACITY: usize = 65_536;
/// Facts taken per transaction at most.
const ROUND: usize = 4_096;
/// The writer's nice value: it must not hold a core while a browser's live event waits to be
/// scheduled (2-core machines). Replies wait for its commits now, but measured at 10,000 msg/s
/// normal priority did not shorten them (p99 ~62 ms either way) and cost the browsers' live p99
/// (9.2 → 12.7 ms, over its goal).
const NICE: i32 = 10;
/// WAL pages before the writer checkpoints (SQLite's default is 1,000). A larger WAL lets the
/// same hot pages (the ends of the append-only tables) be written back once instead of many
/// times: the checkpoint was a sixth of ingest CPU at the default.
const AUTOCHECKPOINT_PAGES: u32 = 8_000;
/// The writer's page cache in KiB (SQLite's default is 2,000): the index pages it touches on
/// every round (run log by device, property history) stay in memory instead of being read back.
const CACHE_KIB: u32 = 65_536;

/// Start the writer thread on the database file `path` (migrations must have run), reading the
/// hub lane `rx`. Stored run-log entries are announced on `bus` with their ids, when a browser
/// listens. The thread ends when the lane ends ([`crate::hub::Hub::close`]), after its last
/// round; `done` is answered then.
pub fn spawn(path: &Path, rx: mpsc::Receiver<Delivery>, bus: LiveBus) -> std::thread::JoinHandle<()> {
    let path = path.to_path_buf();
    std::thread::Builder::new()
        .name("ingest-writer".into())
        .spawn(move || {
            let mut rx = rx;
            run(&path, &mut rx, &bus)
        })
        .expect("spawn the ingest writer thread")
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    // The same durability as the pool (WAL + NORMAL survives a process crash).
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
         PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}; PRAGMA cache_size = -{CACHE_KIB};"
    ))?;
    conn.busy_timeout(Duration::from_secs(10))?;
    Ok(conn)
}

/// The writer's loop on the calling (blocking) thread, until the lane ends. A restarted writer
/// runs this again on the same lane: nothing queued is lost with the failed one but the round
/// it held.
pub fn run(path: &Path, rx: &mut mpsc::Receiver<Delivery>, bus: &LiveBus) {
    // On Linux, PRIO_PROCESS with 0 is the calling thread only. Failure only costs latency.
    // SAFETY: a plain syscall with no pointers.
    #[allow(unsafe_code)]
    let niced = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, NICE) };
    if niced != 0 {
        tracing::debug!("ingest writer: nice value not set");
    }
    let mut conn = loop {
        match open(path) {
            Ok(c) => break c,
            Err(e) => {
                tracing::error!(error = %e, path = %path.display(), "ingest writer cannot open the database; retrying");
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    };
    let mut cmds = Vec::with_capacity(ROUND);
    // Group commit: a round takes everything queued and starts as soon as the previous one has
    // committed — no timer. Devices wait for their reply until their post is committed, so
    // latency is one commit; under load more arrives during each commit, rounds grow and the
    // cost per message falls (the reason a timer once batched them: every commit rewrites the
    // pages it dirtied to the WAL).
    while rx.blocking_recv_many(&mut cmds, ROUND) > 0 {
        let mut events = Vec::with_capacity(cmds.len());
        let mut acks = Vec::new();
        for c in cmds.drain(..) {
            match c {
                Delivery::Event(e) => events.push(e),
                Delivery::Barrier(ack) => acks.push(ack),
            }
        }
        let stored = if events.is_empty() { Vec::new() } else { write_round(&mut conn, &events) };
        // Everything queued before a barrier is committed now: devices get their replies
        // before browsers get their "stored" notices (building those is the slower part).
        for ack in acks {
            let _ = ack.send(());
        }
        if bus.has_listeners() {
            for (i, id, line) in stored {
                bus.send(LiveEvent::Log { entry: line.into_entry(id, &events[i]) });
            }
        }
    }
}

/// A stored run-log line: (index of its event in the round, its id, the line).
type Stored = (usize, i64, Line);

/// One transaction for the round, retried until it commits: these rows must not be lost.
fn write_round(conn: &mut Connection, events: &[Arc<DeviceEvent>]) -> Vec<Stored> {
    let lines: Vec<(usize, Line)> = events.iter().enumerate().filter_map(|(i, e)| Some((i, line_of(e)?))).collect();
    let props: Vec<(i64, &PropertyValue)> = events
        .iter()
        .filter_map(|e| match &e.fact {
            Fact::PropertiesPosted { device_id, values } => Some(values.iter().map(move |v| (*device_id, v))),
            _ => None,
        })
        .flatten()
        .collect();
    let mut attempt = 0u64;
    loop {
        match try_round(conn, events, &lines, &props) {
            Ok(ids) => return lines.into_iter().zip(ids).map(|((i, line), id)| (i, id, line)).collect(),
            Err(e) => {
                attempt += 1;
                tracing::error!(error = %e, attempt, "ingest transaction failed; retrying");
                std::thread::sleep(Duration::from_millis(100 * attempt.min(50)));
            }
        }
    }
}

/// The ids of the run-log rows, in the order of `lines`.
fn try_round(
    conn: &mut Connection,
    events: &[Arc<DeviceEvent>],
    lines: &[(usize, Line)],
    props: &[(i64, &PropertyValue)],
) -> rusqlite::Result<Vec<i64>> {
    let tx = conn.transaction()?;
    let ids = insert_logs(&tx, events, lines)?;
    insert_properties(&tx, props)?;
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

/// History keeps every value; latest keeps the newest by time, written once per property per
/// round (a device posting every 100 ms would otherwise rewrite the same row ten times). A row
/// that fails on its own (its device was deleted since the post: foreign key) is skipped; SQLite
/// undoes only that statement, so the rest of the round stays.
fn insert_properties(tx: &Transaction, props: &[(i64, &PropertyValue)]) -> rusqlite::Result<()> {
    let mut history =
        tx.prepare_cached("INSERT INTO property_history (device_id, identifier, value, time) VALUES (?1, ?2, ?3, ?4)")?;
    let mut newest: HashMap<(i64, &str), (&PropertyValue, String)> = HashMap::new();
    for &(device_id, w) in props {
        let value = w.value.to_string();
        if skip_gone(device_id, w, history.execute(params![device_id, w.identifier, value, w.time]))? {
            continue;
        }
        match newest.entry((device_id, w.identifier.as_str())) {
            Entry::Occupied(mut e) if e.get().0.time <= w.time => {
                e.insert((w, value));
            }
            Entry::Occupied(_) => {}
            Entry::Vacant(e) => {
                e.insert((w, value));
            }
        }
    }
    let mut latest = tx.prepare_cached(
        "INSERT INTO property_latest (device_id, identifier, value, time) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (device_id, identifier) DO UPDATE SET value = excluded.value, time = excluded.time \
         WHERE excluded.time >= property_latest.time",
    )?;
    for ((device_id, _), (w, value)) in newest {
        skip_gone(device_id, w, latest.execute(params![device_id, w.identifier, value, w.time]))?;
    }
    Ok(())
}

/// `Ok(true)`: the row was refused by a constraint (logged, skipped); other errors fail the round.
fn skip_gone(device_id: i64, w: &PropertyValue, r: rusqlite::Result<usize>) -> rusqlite::Result<bool> {
    match r {
        Ok(_) => Ok(false),
        Err(rusqlite::Error::SqliteFailure(f, msg)) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            tracing::warn!(device_id, identifier = %w.identifier, error = ?msg, "property value not stored (device gone)");
            Ok(true)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests;
