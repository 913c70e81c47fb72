//! SQLite's WAL checkpoints, off the ingest writer's thread.
//!
//! Why: a checkpoint copies the WAL's pages back into the database file and fsyncs both. Run
//! by the writer (SQLite's auto-checkpoint runs inside the commit that crosses the threshold),
//! it stalled one round in every few seconds for tens of milliseconds at 10,000 msg/s — every
//! device waiting for that round waited with it (reply p99 66 ms against a 20 ms goal). Here a
//! thread of its own with its own connection runs PASSIVE checkpoints, which never block the
//! writer: the writer keeps appending to the WAL while older frames are copied back.
//!
//! When: the writer says so after committing [`FACTS_PER_CHECKPOINT`] device facts (no timer): the
//! checkpoint follows the write volume, and an idle server does no work. A request that arrives
//! while one runs is folded into the next (the channel holds one). The writer keeps SQLite's
//! auto-checkpoint as a backstop at a larger size ([`BACKSTOP_PAGES`]), so the WAL stays
//! bounded even if this thread cannot keep up.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};

use rusqlite::Connection;

/// Device facts the writer commits between checkpoint requests (a post is about three: its
/// uplink, its values, its reply).
///
/// Why this few: a commit writes every page it touched again, and posts from many devices touch
/// several index pages each, so the WAL grows by 3-6 pages (12-25 KB) per post. With a
/// checkpoint only every 16,384 facts the WAL reached 200-300 MB between restarts, and the
/// kernel's writeback of that much stalled a writer round for 50-250 ms every few seconds even
/// at 3,000 msg/s (none on tmpfs): reply p99 53-194 ms. Every 2,048 facts (a few MB, SQLite's
/// own auto-checkpoint size) the same runs gave reply p99 5-38 ms at 3,000 msg/s (3 runs
/// interleaved with the old setting, `loadgen latency`); at 10,000 msg/s 34 ms against 73 ms in
/// the one run where the shared box was quiet (the other two were too noisy to tell).
pub const FACTS_PER_CHECKPOINT: u64 = 2_048;
/// The writer's own auto-checkpoint, only if this thread falls far behind (pages of 4 KiB).
pub const BACKSTOP_PAGES: u32 = 64_000;

/// The writer's handle: ask for a checkpoint; dropping it ends the thread.
pub struct Checkpointer {
    tx: Option<SyncSender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    since: u64,
}

impl Checkpointer {
    /// Start the checkpoint thread on the database file at `path`.
    pub fn start(path: &Path) -> Checkpointer {
        let (tx, rx) = sync_channel(1);
        let path = path.to_path_buf();
        let thread = std::thread::Builder::new().name("wal-checkpoint".into()).spawn(move || run(&path, &rx));
        match thread {
            Ok(t) => Checkpointer { tx: Some(tx), thread: Some(t), since: 0 },
            Err(e) => {
                // The backstop auto-checkpoint still bounds the WAL; only latency suffers.
                tracing::warn!(error = %e, "no WAL checkpoint thread; the writer checkpoints itself");
                Checkpointer { tx: None, thread: None, since: 0 }
            }
        }
    }

    /// `facts` more are committed; asks for a checkpoint once enough have been. Never waits.
    pub fn committed(&mut self, facts: u64) {
        self.since += facts;
        if self.since < FACTS_PER_CHECKPOINT {
            return;
        }
        if let Some(tx) = &self.tx {
            match tx.try_send(()) {
                Ok(()) | Err(TrySendError::Full(())) => self.since = 0,
                Err(TrySendError::Disconnected(())) => self.tx = None,
            }
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(path: &PathBuf, rx: &Receiver<()>) {
    let conn = match Connection::open(path) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "WAL checkpoint thread cannot open the database");
            return;
        }
    };
    while rx.recv().is_ok() {
        // PASSIVE: copy what no reader still needs, never wait for the writer or readers.
        let r = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        });
        match r {
            Ok((_, wal_pages, copied)) => tracing::trace!(wal_pages, copied, "WAL checkpoint"),
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed; the next one retries"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_file_len(path: &Path) -> u64 {
        std::fs::metadata(path).unwrap().len()
    }

    #[test]
    fn asks_once_per_threshold_and_the_thread_copies_the_wal_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (x TEXT);")
            .unwrap();
        let mut cp = Checkpointer::start(&path);
        for _ in 0..200 {
            conn.execute("INSERT INTO t VALUES (?1)", [&"x".repeat(2_000)]).unwrap();
        }
        cp.committed(FACTS_PER_CHECKPOINT - 1);
        assert_eq!(cp.since, FACTS_PER_CHECKPOINT - 1, "below the threshold nothing is asked");
        assert!(db_file_len(&path) < 100_000, "the rows are only in the WAL so far");
        cp.committed(1);
        assert_eq!(cp.since, 0, "at the threshold a checkpoint is asked and the count restarts");
        // Dropping ends the thread after the checkpoint it was asked for; `conn` stays open, so
        // nothing else checkpoints (auto-checkpoint is off, and no last connection closes).
        drop(cp);
        assert!(db_file_len(&path) > 400_000, "the 400 kB of rows were copied into the database file");
    }
}
