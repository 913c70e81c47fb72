//! The batching writer task behind [`RunLog`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use model::runlog::{BizType, LogEntry};
use model::ws::LiveEvent;
use tokio::sync::{broadcast, mpsc};

use crate::clock::SharedClock;
use crate::store::{self, Db};

/// Entries waiting for the store at most; past this, producers wait.
pub const QUEUE_CAPACITY: usize = 65_536;
/// Entries per transaction at most.
const BATCH: usize = 2_000;

/// One entry as a producer describes it; id and (if unset) time are filled in by the writer.
#[derive(Debug, Clone)]
pub struct NewLog {
    /// Milliseconds; 0 = now.
    pub at: i64,
    pub trace_id: String,
    pub message_id: Option<String>,
    pub product_key: String,
    pub device_name: String,
    pub biz_type: BizType,
    pub operation: String,
    pub content: String,
    pub status: u32,
}

/// Cheap to clone; hand one to every producer.
#[derive(Clone)]
pub struct RunLog {
    tx: mpsc::Sender<NewLog>,
    clock: SharedClock,
    /// Source of trace ids unique within this process start (prefixed by the start time).
    trace_seq: Arc<AtomicU64>,
    trace_prefix: Arc<str>,
}

impl RunLog {
    /// Queue an entry; waits (backpressure) when the writer is behind, never drops.
    pub async fn log(&self, mut e: NewLog) {
        if e.at == 0 {
            e.at = self.clock.now_ms();
        }
        if self.tx.send(e).await.is_err() {
            tracing::error!("run log writer is gone; entry lost at shutdown");
        }
    }

    /// A new trace id: one per flow (a request and its reply share it).
    pub fn new_trace(&self) -> String {
        format!("{}{:08x}", self.trace_prefix, self.trace_seq.fetch_add(1, Ordering::Relaxed))
    }
}

/// Owns the writer task; `close()` flushes everything queued before returning.
pub struct WriterHandle {
    task: tokio::task::JoinHandle<()>,
}

impl WriterHandle {
    /// Wait until every entry queued so far is stored. Call after dropping all `RunLog`s.
    pub async fn close(self) {
        let _ = self.task.await;
    }
}

pub fn spawn_writer(db: Db, bus: broadcast::Sender<LiveEvent>, clock: SharedClock) -> (RunLog, WriterHandle) {
    let (tx, mut rx) = mpsc::channel::<NewLog>(QUEUE_CAPACITY);
    let prefix: Arc<str> = format!("{:x}", clock.now_ms()).into();
    let task = tokio::spawn(async move {
        let mut buf = Vec::with_capacity(BATCH);
        // recv_many takes what is queued (up to BATCH) in one go: batches grow under load and
        // stay at one entry when idle, so latency is low either way.
        while rx.recv_many(&mut buf, BATCH).await > 0 {
            let entries: Vec<LogEntry> = buf
                .drain(..)
                .map(|e| LogEntry {
                    id: 0,
                    at: e.at,
                    trace_id: e.trace_id,
                    message_id: e.message_id,
                    product_key: e.product_key,
                    device_name: e.device_name,
                    biz_type: e.biz_type,
                    operation: e.operation,
                    content: e.content,
                    status: e.status,
                })
                .collect();
            let mut attempt = 0u32;
            // The store must keep these: retry with backoff rather than drop on a transient error.
            while let Err(e) = store::runlog::insert_batch(&db, &entries).await {
                attempt += 1;
                tracing::error!(error = %e, attempt, "run log batch write failed; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(100 * u64::from(attempt.min(50)))).await;
            }
            if bus.receiver_count() > 0 {
                for entry in entries {
                    let _ = bus.send(LiveEvent::Log { entry });
                }
            }
        }
    });
    (RunLog { tx, clock, trace_seq: Arc::new(AtomicU64::new(0)), trace_prefix: prefix }, WriterHandle { task })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::FakeClock;

    #[tokio::test]
    async fn every_entry_reaches_the_store_even_past_the_queue_size() {
        let dir = tempfile::tempdir().unwrap();
        let db = store::connect(&format!("sqlite://{}", dir.path().join("t.db").display())).await.unwrap();
        let (bus, mut live) = broadcast::channel(16);
        let (log, handle) = spawn_writer(db.clone(), bus, Arc::new(FakeClock::new(5)));
        let n = 3 * BATCH + 7;
        for i in 0..n {
            log.log(NewLog {
                at: 0,
                trace_id: log.new_trace(),
                message_id: Some(i.to_string()),
                product_key: "pk".into(),
                device_name: "dn".into(),
                biz_type: BizType::Uplink,
                operation: "t".into(),
                content: "{}".into(),
                status: 200,
            })
            .await;
        }
        drop(log);
        handle.close().await;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM run_log").fetch_one(&db).await.unwrap();
        assert_eq!(count as usize, n);
        let at: i64 = sqlx::query_scalar("SELECT MIN(at) FROM run_log").fetch_one(&db).await.unwrap();
        assert_eq!(at, 5, "time comes from the injected clock");
        assert!(matches!(live.try_recv(), Ok(LiveEvent::Log { .. }) | Err(broadcast::error::TryRecvError::Lagged(_))));
    }
}
