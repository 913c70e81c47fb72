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
//! Nothing is dropped: producers wait when the queue is full (backpressure), a failed
//! transaction is retried, and a row that can never be stored (its device was deleted
//! meanwhile) is logged and skipped without sinking the rows around it.

use std::collections::hash_map::{Entry, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use model::runlog::LogEntry;
use model::ws::LiveEvent;
use rusqlite::{params, Connection, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::properties::PropertyWrite;
use crate::live_bus::LiveBus;

/// Commands queued at most before producers wait.
pub const QUEUE_CAPACITY: usize = 65_536;
/// Commands taken per transaction at most.
const ROUND: usize = 4_096;
/// Rounds start at most this often (unless full or a flush waits). Every commit writes each page
/// it dirtied to the WAL again (the ends of four run-log b-trees, property history and latest):
/// at 10k msg/s, committing whatever had arrived — a few dozen messages — spent a quarter of
/// the process's CPU rewriting the same pages. Only stored-entry notices to browsers wait.
const ROUND_INTERVAL: Duration = Duration::from_millis(100);
/// The writer's nice value: it is throughput work, and must not hold a core while a device's
/// reply or a browser's live event waits to be scheduled (2-core machines).
const NICE: i32 = 10;
/// WAL pages before the writer checkpoints (SQLite's default is 1,000). A larger WAL lets the
/// same hot pages (the ends of the append-only tables) be written back once instead of many
/// times: the checkpoint was a sixth of ingest CPU at the default.
const AUTOCHECKPOINT_PAGES: u32 = 8_000;
/// The writer's page cache in KiB (SQLite's default is 2,000): the index pages it touches on
/// every round (run log by device, property history) stay in memory instead of being read back.
const CACHE_KIB: u32 = 65_536;

enum Cmd {
    Log(Box<LogEntry>),
    Properties(Vec<PropertyWrite>),
    Flush(oneshot::Sender<()>),
}

/// Cheap to clone; every producer holds one. The thread ends when the last handle is dropped.
#[derive(Clone)]
pub struct Ingest {
    tx: mpsc::Sender<Cmd>,
}

impl Ingest {
    /// Start the writer on the database file `path` (migrations must have run). Stored run-log
    /// entries are announced on `bus` with their ids, when a browser listens.
    pub fn spawn(path: &Path, bus: LiveBus) -> Ingest {
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        let path = path.to_path_buf();
        std::thread::Builder::new()
            .name("ingest-writer".into())
            .spawn(move || run(path, rx, bus))
            .expect("spawn the ingest writer thread");
        Ingest { tx }
    }

    /// Queue a run-log entry; waits while the writer is a full queue behind, never drops.
    pub async fn log(&self, e: LogEntry) {
        if self.tx.send(Cmd::Log(Box::new(e))).await.is_err() {
            tracing::error!("ingest writer is gone; run-log entry lost");
        }
    }

    /// Queue property values (latest + history); waits while the writer is behind.
    pub async fn properties(&self, batch: Vec<PropertyWrite>) {
        if batch.is_empty() {
            return;
        }
        if self.tx.send(Cmd::Properties(batch)).await.is_err() {
            tracing::error!("ingest writer is gone; property values lost");
        }
    }

    /// Wait until everything queued before this call is stored.
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Cmd::Flush(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }
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

fn run(path: PathBuf, mut rx: mpsc::Receiver<Cmd>, bus: LiveBus) {
    // On Linux, PRIO_PROCESS with 0 is the calling thread only. Failure only costs latency.
    // SAFETY: a plain syscall with no pointers.
    #[allow(unsafe_code)]
    let niced = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, NICE) };
    if niced != 0 {
        tracing::debug!("ingest writer: nice value not set");
    }
    let mut conn = loop {
        match open(&path) {
            Ok(c) => break c,
            Err(e) => {
                tracing::error!(error = %e, path = %path.display(), "ingest writer cannot open the database; retrying");
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    };
    let mut cmds = Vec::with_capacity(ROUND);
    let mut last_round = Instant::now();
    while rx.blocking_recv_many(&mut cmds, ROUND) > 0 {
        linger(&mut rx, &mut cmds, last_round);
        last_round = Instant::now();
        let mut logs = Vec::new();
        let mut props = Vec::new();
        let mut acks = Vec::new();
        for c in cmds.drain(..) {
            match c {
                Cmd::Log(e) => logs.push(*e),
                Cmd::Properties(p) => props.extend(p),
                Cmd::Flush(ack) => acks.push(ack),
            }
        }
        if !logs.is_empty() || !props.is_empty() {
            write_round(&mut conn, &mut logs, &props);
            if bus.has_listeners() {
                for entry in logs {
                    bus.send(LiveEvent::Log { entry });
                }
            }
        }
        // Everything queued before a flush is stored now.
        for ack in acks {
            let _ = ack.send(());
        }
    }
}

/// Wait for the rest of [`ROUND_INTERVAL`] and take what arrived meanwhile, unless the round is
/// full already or somebody waits for a flush.
fn linger(rx: &mut mpsc::Receiver<Cmd>, cmds: &mut Vec<Cmd>, last_round: Instant) {
    let waited = last_round.elapsed();
    if waited >= ROUND_INTERVAL || cmds.len() >= ROUND || cmds.iter().any(|c| matches!(c, Cmd::Flush(_))) {
        return;
    }
    std::thread::sleep(ROUND_INTERVAL - waited);
    while cmds.len() < ROUND {
        match rx.try_recv() {
            Ok(c) => cmds.push(c),
            Err(_) => break,
        }
    }
}

/// One transaction for the round, retried until it commits: these rows must not be lost.
fn write_round(conn: &mut Connection, logs: &mut [LogEntry], props: &[PropertyWrite]) {
    let mut attempt = 0u64;
    loop {
        match try_round(conn, logs, props) {
            Ok(()) => return,
            Err(e) => {
                attempt += 1;
                tracing::error!(error = %e, attempt, "ingest transaction failed; retrying");
                std::thread::sleep(Duration::from_millis(100 * attempt.min(50)));
            }
        }
    }
}

fn try_round(conn: &mut Connection, logs: &mut [LogEntry], props: &[PropertyWrite]) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    insert_logs(&tx, logs)?;
    insert_properties(&tx, props)?;
    tx.commit()
}

fn insert_logs(tx: &Transaction, logs: &mut [LogEntry]) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT INTO run_log (at, trace_id, message_id, product_key, device_name, biz_type, operation, content, status) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for e in logs.iter_mut() {
        e.id = st.insert(params![
            e.at,
            e.trace_id,
            e.message_id,
            e.product_key,
            e.device_name,
            e.biz_type.as_str(),
            e.operation,
            e.content,
            i64::from(e.status),
        ])?;
    }
    Ok(())
}

/// History keeps every value; latest keeps the newest by time, written once per property per
/// round (a device posting every 100 ms would otherwise rewrite the same row ten times). A row
/// that fails on its own (its device was deleted since the post: foreign key) is skipped; SQLite
/// undoes only that statement, so the rest of the round stays.
fn insert_properties(tx: &Transaction, props: &[PropertyWrite]) -> rusqlite::Result<()> {
    let mut history =
        tx.prepare_cached("INSERT INTO property_history (device_id, identifier, value, time) VALUES (?1, ?2, ?3, ?4)")?;
    let mut newest: HashMap<(i64, &str), (&PropertyWrite, String)> = HashMap::new();
    for w in props {
        let value = w.value.to_string();
        if skip_gone(w, history.execute(params![w.device_id, w.identifier, value, w.time]))? {
            continue;
        }
        match newest.entry((w.device_id, w.identifier.as_str())) {
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
    for (w, value) in newest.into_values() {
        skip_gone(w, latest.execute(params![w.device_id, w.identifier, value, w.time]))?;
    }
    Ok(())
}

/// `Ok(true)`: the row was refused by a constraint (logged, skipped); other errors fail the round.
fn skip_gone(w: &PropertyWrite, r: rusqlite::Result<usize>) -> rusqlite::Result<bool> {
    match r {
        Ok(_) => Ok(false),
        Err(rusqlite::Error::SqliteFailure(f, msg)) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            tracing::warn!(device_id = w.device_id, identifier = %w.identifier, error = ?msg, "property value not stored (device gone)");
            Ok(true)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(device_id: i64, identifier: &str, value: i64, time: i64) -> PropertyWrite {
        PropertyWrite { device_id, identifier: identifier.into(), value: value.into(), time }
    }

    #[tokio::test]
    async fn a_value_of_a_missing_device_is_skipped_and_the_rest_of_the_round_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let db = super::super::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        sqlx::query(
            "INSERT INTO products (product_key, name, product_secret, node_type, data_format, tsl, created_at) \
             VALUES ('pk', 'p', 's', 'direct', 'alink', '{}', 0)",
        )
        .execute(&db)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO devices (id, product_key, device_name, device_secret, status, created_at) \
             VALUES (1, 'pk', 'dn', 's', 'inactive', 0)",
        )
        .execute(&db)
        .await
        .unwrap();
        let ingest = Ingest::spawn(&path, LiveBus::default());
        // Device 2 does not exist: its row fails the foreign key, alone.
        ingest.properties(vec![write(1, "a", 1, 10), write(2, "a", 5, 10), write(1, "a", 3, 30)]).await;
        // An older value after a newer one: history keeps it, latest does not go back.
        ingest.properties(vec![write(1, "a", 2, 20)]).await;
        ingest.flush().await;
        let history: Vec<(i64, String)> =
            sqlx::query_as("SELECT time, value FROM property_history WHERE device_id = 1 ORDER BY time")
                .fetch_all(&db)
                .await
                .unwrap();
        assert_eq!(history, vec![(10, "1".into()), (20, "2".into()), (30, "3".into())]);
        let latest: (i64, String) =
            sqlx::query_as("SELECT time, value FROM property_latest WHERE device_id = 1").fetch_one(&db).await.unwrap();
        assert_eq!(latest, (30, "3".into()));
        let orphans: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM property_history WHERE device_id = 2")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(orphans, 0);
    }
}
