//! The property writer: accepted property values go to one task that stores them in batches, so
//! a burst of posts costs a few transactions instead of one per message and ingest never waits
//! on the database longer than a full queue takes to drain.

use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::store::properties::{write_batch, PropertyWrite};
use crate::store::Db;

/// Batches queued at most before posts wait (backpressure, not loss).
const QUEUE: usize = 4_096;
/// Messages taken per round; their writes go into one transaction.
const ROUND: usize = 256;
/// Attempts per batch before it is given up (a device deleted meanwhile fails forever).
const ATTEMPTS: u32 = 5;

enum Cmd {
    Write(Vec<PropertyWrite>),
    Flush(oneshot::Sender<()>),
}

#[derive(Clone)]
pub struct PropertyWriter {
    tx: mpsc::Sender<Cmd>,
}

impl PropertyWriter {
    pub fn spawn(db: Db) -> PropertyWriter {
        let (tx, mut rx) = mpsc::channel::<Cmd>(QUEUE);
        tokio::spawn(async move {
            let mut cmds = Vec::with_capacity(ROUND);
            while rx.recv_many(&mut cmds, ROUND).await > 0 {
                let mut batch = Vec::new();
                let mut acks = Vec::new();
                for c in cmds.drain(..) {
                    match c {
                        Cmd::Write(w) => batch.extend(w),
                        Cmd::Flush(ack) => acks.push(ack),
                    }
                }
                if !batch.is_empty() {
                    store(&db, &batch).await;
                }
                // Everything queued before a flush is stored now.
                for ack in acks {
                    let _ = ack.send(());
                }
            }
        });
        PropertyWriter { tx }
    }

    /// Queue values; waits only when the writer is a full queue behind.
    pub async fn write(&self, batch: Vec<PropertyWrite>) {
        if batch.is_empty() {
            return;
        }
        if self.tx.send(Cmd::Write(batch)).await.is_err() {
            tracing::error!("property writer is gone; values lost");
        }
    }

    /// Wait until everything queued so far is stored (tests, shutdown).
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Cmd::Flush(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

async fn store(db: &Db, batch: &[PropertyWrite]) {
    for attempt in 1..=ATTEMPTS {
        match write_batch(db, batch).await {
            Ok(()) => return,
            Err(e) if attempt < ATTEMPTS => {
                tracing::warn!(error = %e, attempt, "property batch write failed; retrying");
                tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt))).await;
            }
            Err(e) => {
                // One bad row (e.g. its device was deleted) must not sink the others: store one by one.
                tracing::error!(error = %e, "property batch write failed; storing values one by one");
                for w in batch {
                    if let Err(e) = write_batch(db, std::slice::from_ref(w)).await {
                        tracing::error!(error = %e, device_id = w.device_id, identifier = %w.identifier, "property value dropped");
                    }
                }
            }
        }
    }
}
