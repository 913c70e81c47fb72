//! [`RunLog`]: the producers' handle on the run log (trace ids, time, backpressure).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use model::runlog::LogEntry;

use crate::clock::SharedClock;
use crate::store::ingest::Ingest;

/// Cheap to clone; hand one to every producer. Entries go to the ingest writer
/// ([`crate::store::ingest`]), which stores them in batches and announces them to browsers.
#[derive(Clone)]
pub struct RunLog {
    ingest: Ingest,
    clock: SharedClock,
    /// Source of trace ids unique within this process start (prefixed by the start time).
    trace_seq: Arc<AtomicU64>,
    trace_prefix: Arc<str>,
}

impl RunLog {
    /// Queue an entry (`id` is assigned on insert; `at` 0 = now); waits (backpressure) when the
    /// writer is behind, never drops.
    pub async fn log(&self, mut e: LogEntry) {
        if e.at == 0 {
            e.at = self.clock.now_ms();
        }
        self.ingest.log(e).await;
    }

    /// A new trace id: one per flow (a request and its reply share it).
    pub fn new_trace(&self) -> String {
        format!("{}{:08x}", self.trace_prefix, self.trace_seq.fetch_add(1, Ordering::Relaxed))
    }
}

/// `close()` waits until everything queued before it is stored.
pub struct WriterHandle {
    ingest: Ingest,
}

impl WriterHandle {
    /// Wait until every entry queued so far is stored.
    pub async fn close(self) {
        self.ingest.flush().await;
    }
}

pub fn spawn_writer(ingest: Ingest, clock: SharedClock) -> (RunLog, WriterHandle) {
    let prefix: Arc<str> = format!("{:x}", clock.now_ms()).into();
    let handle = WriterHandle { ingest: ingest.clone() };
    (RunLog { ingest, clock, trace_seq: Arc::new(AtomicU64::new(0)), trace_prefix: prefix }, handle)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use model::runlog::BizType;
    use model::ws::LiveEvent;
    use tokio::sync::broadcast;

    use super::*;
    use crate::clock::FakeClock;
    use crate::store;

    #[tokio::test]
    async fn every_entry_reaches_the_store_even_past_the_queue_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let db = store::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        let bus = crate::live_bus::LiveBus::default();
        let mut live = bus.subscribe();
        let (log, handle) = spawn_writer(Ingest::spawn(&path, bus.clone()), Arc::new(FakeClock::new(5)));
        let n = store::ingest::QUEUE_CAPACITY + 7;
        for i in 0..n {
            log.log(LogEntry {
                id: 0,
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
        handle.close().await;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM run_log").fetch_one(&db).await.unwrap();
        assert_eq!(count as usize, n);
        let at: i64 = sqlx::query_scalar("SELECT MIN(at) FROM run_log").fetch_one(&db).await.unwrap();
        assert_eq!(at, 5, "time comes from the injected clock");
        let last: String =
            sqlx::query_scalar("SELECT message_id FROM run_log ORDER BY id DESC LIMIT 1").fetch_one(&db).await.unwrap();
        assert_eq!(last, (n - 1).to_string(), "stored in the order logged");
        match live.try_recv().as_deref() {
            Ok(LiveEvent::Log { entry }) => assert!(entry.id > 0, "announced with its id"),
            Err(broadcast::error::TryRecvError::Lagged(_)) => {}
            other => panic!("expected stored entries on the bus, got {other:?}"),
        }
    }
}
