//! SQLite's WAL checkpoints, off the ingest writer's thread, and the WAL's restart.
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
//!
//! The restart: SQLite writes the WAL from its start again only when a write begins with every
//! frame copied back. Under steady load that never happens by itself — the writer appends while
//! this thread copies, so a copy always leaves the frames of its own duration behind — and the
//! WAL grew to the backstop, whose checkpoint then ran inside one of the writer's commits (the
//! 60–104 ms commits behind reply p99 ~110 ms at 10,000 msg/s). So this thread copies in passes
//! until one leaves only a short tail ([`TAIL_PAGES`]), then the writer copies that tail itself
//! between two rounds ([`Checkpointer::committed`]): a few milliseconds, after which its next
//! commit restarts the WAL.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::Arc;

use rusqlite::Connection;

/// Device facts the writer commits between checkpoint requests. A post is about three rows
/// (two run-log entries, its values), so this is some 8,000 WAL pages: the writer's old
/// auto-checkpoint size, large enough that hot pages are written back once, not many times.
pub const FACTS_PER_CHECKPOINT: u64 = 16_384;
/// The writer's own auto-checkpoint, only if this thread falls far behind (pages of 4 KiB).
pub const BACKSTOP_PAGES: u32 = 64_000;
/// A pass that copied at most this many pages was short, so the writer appended little during
/// it: the writer may copy that tail itself (about 2 MiB, two small fsyncs).
pub const TAIL_PAGES: i64 = 512;
/// Passes per request at most: under a write burst they may never get short, and the next
/// request tries again.
const MAX_PASSES: usize = 4;

/// The writer's handle: ask for a checkpoint; dropping it ends the thread.
pub struct Checkpointer {
    tx: Option<SyncSender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    since: u64,
    /// Set by the thread when only a short tail of the WAL is left to copy (see the module doc).
    tail: Arc<AtomicBool>,
}

impl Checkpointer {
    /// Start the checkpoint thread on the database file at `path`.
    pub fn start(path: &Path) -> Checkpointer {
        let (tx, rx) = sync_channel(1);
        let path = path.to_path_buf();
        let tail = Arc::new(AtomicBool::new(false));
        let thread_tail = tail.clone();
        let thread =
            std::thread::Builder::new().name("wal-checkpoint".into()).spawn(move || run(&path, &rx, &thread_tail));
        match thread {
            Ok(t) => Checkpointer { tx: Some(tx), thread: Some(t), since: 0, tail },
            Err(e) => {
                // The backstop auto-checkpoint still bounds the WAL; only latency suffers.
                tracing::warn!(error = %e, "no WAL checkpoint thread; the writer checkpoints itself");
                Checkpointer { tx: None, thread: None, since: 0, tail }
            }
        }
    }

    /// `facts` more are committed on `conn` (the writer's connection, between two rounds): copies
    /// the WAL's tail when the thread left only that, and asks for a checkpoint once enough facts
    /// have been committed. Never waits for the thread.
    pub fn committed(&mut self, conn: &Connection, facts: u64) {
        if self.tail.swap(false, Ordering::AcqRel) {
            // Nothing else writes meanwhile, so this copies every frame and the next commit
            // restarts the WAL. Busy (the thread began another pass): the next tail will do.
            match passive(conn) {
                Ok(p) => tracing::trace!(wal_pages = p.log, copied = p.copied, "WAL tail copied by the writer"),
                Err(e) => tracing::debug!(error = %e, "WAL tail not copied"),
            }
        }
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

/// What `PRAGMA wal_checkpoint` reports.
struct Pass {
    /// Another checkpoint held the lock: nothing was done.
    busy: bool,
    /// Frames in the WAL when the pass began.
    log: i64,
    /// Frames copied back so far (of `log`).
    copied: i64,
}

/// PASSIVE: copy what no reader still needs, never wait for the writer or readers.
fn passive(conn: &Connection) -> rusqlite::Result<Pass> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok(Pass { busy: r.get::<_, i64>(0)? != 0, log: r.get(1)?, copied: r.get(2)? })
    })
}

fn run(path: &PathBuf, rx: &Receiver<()>, tail: &AtomicBool) {
    let conn = match Connection::open(path) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "WAL checkpoint thread cannot open the database");
            return;
        }
    };
    while rx.recv().is_ok() {
        if copy_to_tail(&conn) {
            tail.store(true, Ordering::Release);
        }
    }
}

/// Copy in passes until one was short (true: only a short tail is left for the writer).
fn copy_to_tail(conn: &Connection) -> bool {
    let mut before: Option<i64> = None;
    for _ in 0..MAX_PASSES {
        let p = match passive(conn) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "WAL checkpoint failed; the next one retries");
                return false;
            }
        };
        tracing::trace!(wal_pages = p.log, copied = p.copied, "WAL checkpoint pass");
        // Busy, or a reader still needs old frames: the writer could not restart either.
        if p.busy || p.copied < p.log {
            return false;
        }
        match before {
            // The WAL restarted meanwhile: nothing to hand over.
            Some(b) if p.log < b => return false,
            Some(b) if p.log - b <= TAIL_PAGES => return true,
            _ => before = Some(p.log),
        }
    }
    false
}

#[cfg(test)]
mod tests;
