//! Network status retention: samples older than `--network-status-retention-days` (default 7,
//! as the seed's console shows a week) are deleted every few minutes on the injected clock, in
//! batches of [`BATCH`] rows so a large backlog never holds the store for long.

use tokio_util::sync::CancellationToken;

use crate::clock::{Interval, SharedClock};
use crate::store::{self, Db};

/// Rows per DELETE statement.
pub const BATCH: u32 = 1000;
/// How often the purge runs.
pub const EVERY_MS: i64 = 10 * 60 * 1000;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// The oldest receive time kept at `now`.
pub fn cutoff(now: i64, retention_days: u32) -> i64 {
    now.saturating_sub(i64::from(retention_days) * DAY_MS)
}

/// Delete everything older than the cutoff, `batch` rows at a time; returns how many went.
pub async fn purge_once(db: &Db, now: i64, retention_days: u32, batch: u32) -> store::Result<u64> {
    let before = cutoff(now, retention_days);
    let mut total = 0;
    loop {
        let n = store::history::purge_network_status(db, before, batch).await?;
        total += n;
        if n < u64::from(batch) {
            return Ok(total);
        }
        // Let ingest and requests in between batches.
        tokio::task::yield_now().await;
    }
}

/// The job's body: a purge at once, then every [`EVERY_MS`], until cancelled.
pub async fn run(db: Db, clock: SharedClock, retention_days: u32, cancel: CancellationToken) -> anyhow::Result<()> {
    let mut every = Interval::new(clock.clone(), EVERY_MS);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return Ok(()),
            _ = every.tick() => {}
        }
        let n = purge_once(&db, clock.now_ms(), retention_days, BATCH).await?;
        if n > 0 {
            tracing::debug!(rows = n, "network status samples purged");
        }
    }
}
