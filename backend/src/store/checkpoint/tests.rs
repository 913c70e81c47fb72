use std::time::{Duration, Instant};

use super::*;

fn db_file_len(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

/// The WAL header's checkpoint sequence number: SQLite adds one each time the WAL restarts.
fn wal_restarts(path: &Path) -> u32 {
    let wal = std::fs::read(path.with_extension("db-wal")).unwrap();
    u32::from_be_bytes(wal[12..16].try_into().unwrap())
}

/// A WAL database with auto-checkpoint off (only what the test does copies frames back).
fn wal_db(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (x TEXT);").unwrap();
    conn
}

fn write(conn: &Connection, rows: usize) {
    let tx = conn.unchecked_transaction().unwrap();
    for _ in 0..rows {
        tx.execute("INSERT INTO t VALUES (?1)", [&"x".repeat(2_000)]).unwrap();
    }
    tx.commit().unwrap();
}

#[test]
fn asks_once_per_threshold_and_the_thread_copies_the_wal_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let conn = wal_db(&path);
    let mut cp = Checkpointer::start(&path);
    write(&conn, 200);
    cp.committed(&conn, FACTS_PER_CHECKPOINT - 1);
    assert_eq!(cp.since, FACTS_PER_CHECKPOINT - 1, "below the threshold nothing is asked");
    assert!(db_file_len(&path) < 100_000, "the rows are only in the WAL so far");
    cp.committed(&conn, 1);
    assert_eq!(cp.since, 0, "at the threshold a checkpoint is asked and the count restarts");
    // Dropping ends the thread after the checkpoint it was asked for; `conn` stays open, so
    // nothing else checkpoints (auto-checkpoint is off, and no last connection closes).
    drop(cp);
    assert!(db_file_len(&path) > 400_000, "the 400 kB of rows were copied into the database file");
}

#[test]
fn the_thread_hands_over_a_short_tail_but_not_frames_a_reader_still_needs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let conn = wal_db(&path);
    let other = Connection::open(&path).unwrap();
    write(&conn, 200);
    assert!(copy_to_tail(&other), "nothing was appended during the passes: only a (empty) tail is left");

    write(&conn, 10);
    let reader = Connection::open(&path).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    let _: i64 = reader.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).unwrap();
    write(&conn, 10);
    assert!(!copy_to_tail(&other), "a reader holds a snapshot: its frames cannot be copied, the WAL cannot restart");
    reader.execute_batch("COMMIT").unwrap();
    assert!(copy_to_tail(&other), "the reader is gone");
}

#[test]
fn the_writer_copies_the_tail_and_its_next_commit_restarts_the_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let conn = wal_db(&path);
    let mut cp = Checkpointer::start(&path);
    write(&conn, 200);
    // What steady load leaves: a checkpoint copied the older frames while the writer appended
    // newer ones (a reader's snapshot stands in for "the pass began before them").
    let reader = Connection::open(&path).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    let _: i64 = reader.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).unwrap();
    write(&conn, 10);
    let p = passive(&Connection::open(&path).unwrap()).unwrap();
    assert!(p.copied < p.log, "the newest frames were not copied");
    reader.execute_batch("COMMIT").unwrap();
    let restarts = wal_restarts(&path);
    write(&conn, 1);
    assert_eq!(wal_restarts(&path), restarts, "with frames left to copy the WAL only grows");

    // The thread would set this after a short pass; then the writer copies the rest itself.
    cp.tail.store(true, Ordering::Release);
    cp.committed(&conn, 1);
    assert!(!cp.tail.load(Ordering::Acquire), "the tail is taken once");
    write(&conn, 1);
    assert_eq!(wal_restarts(&path), restarts + 1, "the writer's next commit restarted the WAL");
}

#[test]
fn after_a_request_the_thread_tells_the_writer_the_tail_is_short() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let conn = wal_db(&path);
    let mut cp = Checkpointer::start(&path);
    write(&conn, 200);
    cp.committed(&conn, FACTS_PER_CHECKPOINT);
    // Waiting for the thread's answer (a condition, not a duration).
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cp.tail.load(Ordering::Acquire) {
        assert!(Instant::now() < deadline, "the thread never handed over the tail");
        std::thread::yield_now();
    }
    let restarts = wal_restarts(&path);
    cp.committed(&conn, 1);
    write(&conn, 1);
    assert_eq!(wal_restarts(&path), restarts + 1);
}
