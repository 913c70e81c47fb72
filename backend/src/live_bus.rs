//! The live bus: facts for browsers (device status, messages, property values, run-log entries).
//!
//! A broadcast channel: lagging readers lose events and the sender never waits. Building an
//! event costs allocations on the ingest path, so producers ask [`LiveBus::has_listeners`] first;
//! fleetdeck's own watchers subscribe with [`LiveBus::subscribe_internal`] and do not count,
//! or every message would build events that nobody shows. Events travel as `Arc`s: every
//! receiver gets every event, and most receivers look at an event only to skip it.
//!
//! Browser sockets go one step further ([`LiveBus::interest`]): they say which kinds of event
//! their subscriptions want, and a kind nobody wants is not built at all. At 10,000 posts a
//! second a socket tailing one product's messages would otherwise have every post's property
//! update and run-log entries built, broadcast and skipped (three of five events per post).

use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use model::ws::{LiveEvent, Stream};
use tokio::sync::broadcast;

/// Capacity of the bus. A browser bridge that falls this far behind is told how many events it
/// missed instead of slowing the gateway.
pub const BUS_CAPACITY: usize = 16_384;

/// The kinds of [`LiveEvent`], for [`LiveBus::wants`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Status = 0,
    Properties,
    Message,
    Log,
    Removed,
}

const KINDS: usize = 5;

impl Kind {
    pub fn of(ev: &LiveEvent) -> Kind {
        match ev {
            LiveEvent::Status { .. } => Kind::Status,
            LiveEvent::Properties { .. } => Kind::Properties,
            LiveEvent::Message { .. } => Kind::Message,
            LiveEvent::Log { .. } => Kind::Log,
            LiveEvent::Removed { .. } => Kind::Removed,
        }
    }

    /// What a browser stream can want (see `model::ws::Stream::wants`).
    pub fn wanted_by(stream: &Stream) -> &'static [Kind] {
        match stream {
            Stream::Device { .. } => &[Kind::Status, Kind::Properties, Kind::Message, Kind::Removed],
            Stream::Product { .. } => &[Kind::Message],
            Stream::Status => &[Kind::Status],
            Stream::RunLog { .. } => &[Kind::Log],
        }
    }
}

/// Receivers that declared their kinds, and how many of their streams want each kind.
#[derive(Default)]
struct Declared {
    receivers: AtomicUsize,
    kinds: [AtomicUsize; KINDS],
}

/// Cheap to clone. Derefs to the broadcast sender (`subscribe`, `receiver_count`).
#[derive(Clone)]
pub struct LiveBus {
    tx: broadcast::Sender<Arc<LiveEvent>>,
    internal: Arc<AtomicUsize>,
    declared: Arc<Declared>,
}

impl Default for LiveBus {
    fn default() -> Self {
        LiveBus::with_capacity(BUS_CAPACITY)
    }
}

impl LiveBus {
    /// A bus that keeps `capacity` events for its slowest reader (tests use small ones).
    pub fn with_capacity(capacity: usize) -> Self {
        LiveBus { tx: broadcast::channel(capacity).0, internal: Arc::default(), declared: Arc::default() }
    }

    /// Publish; nobody listening is normal.
    pub fn send(&self, ev: LiveEvent) {
        let _ = self.tx.send(Arc::new(ev));
    }

    /// Whether a browser (or a test) listens; fleetdeck's own watchers do not count.
    pub fn has_listeners(&self) -> bool {
        self.tx.receiver_count() > self.internal.load(Ordering::Relaxed)
    }

    /// Whether anyone listens for events of `kind`: a receiver that declared nothing (a test, a
    /// tool) wants every kind; a browser socket only what its streams want.
    pub fn wants(&self, kind: Kind) -> bool {
        let d = &self.declared;
        let others = self.internal.load(Ordering::Relaxed) + d.receivers.load(Ordering::Relaxed);
        // Declared receivers register after subscribing and leave before their receiver drops,
        // so a race only ever counts too many undeclared listeners (an event built for nobody).
        self.tx.receiver_count() > others || d.kinds[kind as usize].load(Ordering::Relaxed) > 0
    }

    /// For a receiver from [`broadcast::Sender::subscribe`] that will say which kinds it wants
    /// ([`Interest::add`]); dropping the interest (before the receiver) withdraws them.
    pub fn interest(&self) -> Interest {
        self.declared.receivers.fetch_add(1, Ordering::Relaxed);
        Interest { declared: self.declared.clone(), kinds: [0; KINDS] }
    }

    /// A receiver for a watcher inside fleetdeck that lives as long as the process.
    pub fn subscribe_internal(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.internal.fetch_add(1, Ordering::Relaxed);
        self.tx.subscribe()
    }
}

/// One declared receiver's wanted kinds (see [`LiveBus::interest`]).
pub struct Interest {
    declared: Arc<Declared>,
    kinds: [usize; KINDS],
}

impl Interest {
    /// A stream was subscribed.
    pub fn add(&mut self, stream: &Stream) {
        for k in Kind::wanted_by(stream) {
            self.kinds[*k as usize] += 1;
            self.declared.kinds[*k as usize].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A stream added before was unsubscribed (or replaced).
    pub fn remove(&mut self, stream: &Stream) {
        for k in Kind::wanted_by(stream) {
            if self.kinds[*k as usize] > 0 {
                self.kinds[*k as usize] -= 1;
                self.declared.kinds[*k as usize].fetch_sub(1, Ordering::Relaxed);
            }
        }
    }
}

impl Drop for Interest {
    fn drop(&mut self) {
        for (k, n) in self.kinds.iter().enumerate() {
            self.declared.kinds[k].fetch_sub(*n, Ordering::Relaxed);
        }
        self.declared.receivers.fetch_sub(1, Ordering::Relaxed);
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

    #[test]
    fn a_kind_no_declared_stream_wants_is_not_wanted() {
        let bus = LiveBus::default();
        let _watcher = bus.subscribe_internal();
        assert!(!bus.wants(Kind::Message));
        let socket = bus.subscribe();
        let mut interest = bus.interest();
        assert!(!bus.wants(Kind::Message), "a socket without streams wants nothing");
        let product = Stream::Product { product_key: "pk".into() };
        interest.add(&product);
        assert!(bus.wants(Kind::Message));
        assert!(!bus.wants(Kind::Log) && !bus.wants(Kind::Properties), "a product tail shows messages only");
        let tail = Stream::RunLog { filter: Default::default() };
        interest.add(&tail);
        assert!(bus.wants(Kind::Log));
        interest.remove(&tail);
        assert!(!bus.wants(Kind::Log));

        let undeclared = bus.subscribe();
        assert!(bus.wants(Kind::Log), "a receiver that declared nothing gets everything");
        drop(undeclared);
        drop(interest);
        drop(socket);
        assert!(!bus.wants(Kind::Message), "a closed socket's streams are withdrawn");
        assert_eq!(bus.declared.kinds.iter().map(|k| k.load(Ordering::Relaxed)).sum::<usize>(), 0);
    }
}
