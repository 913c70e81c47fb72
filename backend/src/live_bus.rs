//! The live bus: facts for browsers (device status, messages, property values, run-log entries).
//!
//! A broadcast channel: lagging readers lose events and the sender never waits. Building an
//! event costs allocations on the ingest path, so producers ask [`LiveBus::has_listeners`] first;
//! fleetdeck's own watchers subscribe with [`LiveBus::subscribe_internal`] and do not count,
//! or every message would build events that nobody shows. Events travel as `Arc`s: every
//! receiver gets every event, and most receivers look at an event only to skip it.

use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use model::ws::LiveEvent;
use tokio::sync::broadcast;

/// Capacity of the bus. A browser bridge that falls this far behind is told how many events it
/// missed instead of slowing the gateway.
pub const BUS_CAPACITY: usize = 16_384;

/// Cheap to clone. Derefs to the broadcast sender (`subscribe`, `receiver_count`).
#[derive(Clone)]
pub struct LiveBus {
    tx: broadcast::Sender<Arc<LiveEvent>>,
    internal: Arc<AtomicUsize>,
}

impl Default for LiveBus {
    fn default() -> Self {
        LiveBus::with_capacity(BUS_CAPACITY)
    }
}

impl LiveBus {
    /// A bus that keeps `capacity` events for its slowest reader (tests use small ones).
    pub fn with_capacity(capacity: usize) -> Self {
        LiveBus { tx: broadcast::channel(capacity).0, internal: Arc::default() }
    }

    /// Publish; nobody listening is normal.
    pub fn send(&self, ev: LiveEvent) {
        let _ = self.tx.send(Arc::new(ev));
    }

    /// Whether a browser (or a test) listens; fleetdeck's own watchers do not count.
    pub fn has_listeners(&self) -> bool {
        self.tx.receiver_count() > self.internal.load(Ordering::Relaxed)
    }

    /// A receiver for a watcher inside fleetdeck that lives as long as the process.
    pub fn subscribe_internal(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.internal.fetch_add(1, Ordering::Relaxed);
        self.tx.subscribe()
    }
}

impl Deref for LiveBus {
    type Target = broadcast::Sender<Arc<LiveEvent>>;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_watchers_are_not_listeners() {
        let bus = LiveBus::default();
        assert!(!bus.has_listeners());
        let _watcher = bus.subscribe_internal();
        assert!(!bus.has_listeners(), "a watcher alone builds no events");
        let browser = bus.subscribe();
        assert!(bus.has_listeners());
        drop(browser);
        assert!(!bus.has_listeners());
    }
}
