//! The live bus: facts for browsers (device status, messages, property values, run-log entries).
//!
//! A broadcast channel: lagging readers lose events and the sender never waits. Building an
//! event costs allocations on the ingest path, so producers ask [`LiveBus::listens`] first
//! whether anybody may want one of that kind:
//! - a browser's bridge reads with [`LiveBus::subscribe_selective`] and declares, per stream,
//!   the kinds that stream can want ([`LiveBus::interest`]): a page on one product's messages
//!   does not have every message's run-log entries and property events built (a property post
//!   makes six events: the post and its reply, its values, three run-log entries; the latency
//!   benchmark's page wants the first two);
//! - a plain [`broadcast::Sender::subscribe`] (tests) listens to every kind;
//! - fleetdeck's own watchers subscribe with [`LiveBus::subscribe_internal`] and do not count.
//!
//! Events travel as `Arc`s: every receiver gets every event, and most receivers look at an event
//! only to skip it.

use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use model::ws::{EventKind, LiveEvent};
use tokio::sync::broadcast;

/// Capacity of the bus. A browser bridge that falls this far behind is told how many events it
/// missed instead of slowing the gateway.
pub const BUS_CAPACITY: usize = 16_384;

/// Cheap to clone. Derefs to the broadcast sender (`subscribe`, `receiver_count`).
#[derive(Clone)]
pub struct LiveBus {
    tx: broadcast::Sender<Arc<LiveEvent>>,
    /// Receivers that are not plain listeners: internal watchers and selective bridges.
    not_plain: Arc<AtomicUsize>,
    /// Per [`EventKind::index`]: open subscriptions that can want that kind.
    interest: Arc<[AtomicUsize; EventKind::ALL.len()]>,
}

impl Default for LiveBus {
    fn default() -> Self {
        LiveBus::with_capacity(BUS_CAPACITY)
    }
}

impl LiveBus {
    /// A bus that keeps `capacity` events for its slowest reader (tests use small ones).
    pub fn with_capacity(capacity: usize) -> Self {
        LiveBus { tx: broadcast::channel(capacity).0, not_plain: Arc::default(), interest: Arc::default() }
    }

    /// Publish; nobody listening is normal.
    pub fn send(&self, ev: LiveEvent) {
        let _ = self.tx.send(Arc::new(ev));
    }

    /// Whether anybody may want an event of `kind`: a subscription that can take it, or a plain
    /// listener. Fleetdeck's own watchers do not count.
    pub fn listens(&self, kind: EventKind) -> bool {
        self.interest[kind.index()].load(Ordering::Relaxed) > 0
            || self.tx.receiver_count() > self.not_plain.load(Ordering::Relaxed)
    }

    /// A receiver for a watcher inside fleetdeck that lives as long as the process.
    pub fn subscribe_internal(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.not_plain.fetch_add(1, Ordering::Relaxed);
        self.tx.subscribe()
    }

    /// A receiver that makes nothing be built by itself: its owner declares what it wants with
    /// [`LiveBus::interest`] for as long as it wants it.
    pub fn subscribe_selective(&self) -> Selective {
        self.not_plain.fetch_add(1, Ordering::Relaxed);
        Selective { rx: self.tx.subscribe(), not_plain: self.not_plain.clone() }
    }

    /// Events of `kinds` are built while the returned guard lives.
    pub fn interest(&self, kinds: &'static [EventKind]) -> Interest {
        for k in kinds {
            self.interest[k.index()].fetch_add(1, Ordering::Relaxed);
        }
        Interest { kinds, interest: self.interest.clone() }
    }
}

/// A receiver of [`LiveBus::subscribe_selective`]. (Dropping it may make events of every kind be
/// built for a moment, between the receiver's drop and the count's: harmless.)
pub struct Selective {
    pub rx: broadcast::Receiver<Arc<LiveEvent>>,
    not_plain: Arc<AtomicUsize>,
}

impl Drop for Selective {
    fn drop(&mut self) {
        self.not_plain.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One subscription's declared kinds (see [`LiveBus::interest`]); withdrawn when dropped.
pub struct Interest {
    kinds: &'static [EventKind],
    interest: Arc<[AtomicUsize; EventKind::ALL.len()]>,
}

impl Drop for Interest {
    fn drop(&mut self) {
        for k in self.kinds {
            self.interest[k.index()].fetch_sub(1, Ordering::Relaxed);
        }
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

    fn listened(bus: &LiveBus) -> Vec<EventKind> {
        EventKind::ALL.into_iter().filter(|k| bus.listens(*k)).collect()
    }

    #[test]
    fn internal_watchers_are_not_listeners() {
        let bus = LiveBus::default();
        assert!(listened(&bus).is_empty());
        let _watcher = bus.subscribe_internal();
        assert!(listened(&bus).is_empty(), "a watcher alone builds no events");
        let plain = bus.subscribe();
        assert_eq!(listened(&bus), EventKind::ALL, "a plain listener takes every kind");
        drop(plain);
        assert!(listened(&bus).is_empty());
    }

    #[test]
    fn a_selective_receiver_listens_to_what_its_subscriptions_can_want() {
        let bus = LiveBus::default();
        let mut browser = bus.subscribe_selective();
        assert!(listened(&bus).is_empty(), "an open socket without subscriptions builds nothing");
        let messages = bus.interest(&[EventKind::Message]);
        let device = bus.interest(&[EventKind::Status, EventKind::Message]);
        assert_eq!(listened(&bus), [EventKind::Status, EventKind::Message]);
        drop(messages);
        assert_eq!(listened(&bus), [EventKind::Status, EventKind::Message], "the device page still wants messages");
        drop(device);
        assert!(listened(&bus).is_empty());
        // The receiver itself still gets whatever a plain listener makes be built.
        let plain = bus.subscribe();
        bus.send(LiveEvent::Removed { product_key: "p".into(), device_name: "d".into(), at: 0 });
        assert!(matches!(*browser.rx.try_recv().unwrap(), LiveEvent::Removed { .. }));
        drop((plain, browser));
        assert!(listened(&bus).is_empty());
    }
}
