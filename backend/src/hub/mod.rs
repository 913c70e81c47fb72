//! The event hub: every device fact ([`DeviceEvent`]) goes out on two lanes.
//!
//! ```text
//! gateway (sessions, hooks, router, commands) ──publish──► Hub
//!        ├─ lossy lane: the live bus (browsers). Offered first and never waits; a browser that
//!        │  lags is told how many events it missed (`bridge::queue`).
//!        └─ lossless lanes: one bounded queue per consumer (store writer, offline watch, and
//!           later counters, rules, OTA / config hooks). `publish` waits while a lane that wants
//!           the event is full: a slow consumer slows ingest (backpressure to the devices' TCP
//!           connections) but never loses a fact.
//!        └─ taps: cheap in-memory consumers (the per-minute counters) called by `publish` itself,
//!           before the lanes. Lossless without a queue: a fact is counted before its producer
//!           goes on, and no task is woken per fact.
//! ```
//!
//! Lanes are declared before the hub starts ([`HubBuilder::lane`]) with a filter, so a consumer
//! that only cares about disconnects is not woken for every property post. A consumer that
//! publishes itself must not want what it publishes (its own full lane would wait on itself).
//!
//! [`Hub::flush`] is a barrier: it returns once every lane has handled everything published
//! before it (the store writer: committed). [`Hub::receipt`] is the same for the durable lanes
//! only (the store), taken without waiting: the router answers a device once its receipt says
//! the post is committed ("a 200 means stored"). [`Hub::close`] lets the consumers finish: they
//! see their queue end after draining it.

mod event;
pub mod live;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use model::alink::DeviceRef;
use tokio::sync::{mpsc, oneshot};

pub use event::{DeviceEvent, Fact, Stage};

use crate::clock::SharedClock;
use crate::live_bus::LiveBus;

/// What a lossless lane carries.
#[derive(Debug)]
pub enum Delivery {
    Event(Arc<DeviceEvent>),
    /// Answer once everything before it is handled (for the store writer: committed).
    Barrier(oneshot::Sender<()>),
}

/// Which events a lane wants.
pub type Wants = fn(&DeviceEvent) -> bool;

/// A synchronous consumer ([`HubBuilder::tap`]). It runs on the producer's task: it must not
/// block (a short uncontended lock at most) and must not publish.
pub type Tap = Arc<dyn Fn(&DeviceEvent) + Send + Sync>;

/// Every event.
pub fn everything(_: &DeviceEvent) -> bool {
    true
}

struct Lane {
    name: &'static str,
    wants: Wants,
    /// Its consumer persists what it receives: [`Hub::receipt`] waits for it.
    durable: bool,
    tx: mpsc::Sender<Delivery>,
}

/// Declares the lanes, then builds the [`Hub`].
#[derive(Default)]
pub struct HubBuilder {
    lanes: Vec<Lane>,
    taps: Vec<(Wants, Tap)>,
}

impl HubBuilder {
    /// A lossless lane of `capacity` deliveries for the events `wants` selects. The receiver
    /// belongs to the consumer; it ends after [`Hub::close`] once drained.
    pub fn lane(&mut self, name: &'static str, capacity: usize, wants: Wants) -> mpsc::Receiver<Delivery> {
        self.add(name, capacity, wants, false)
    }

    /// A lane whose consumer persists (the store writer): it answers a barrier only once what
    /// came before it is committed, and [`Hub::receipt`] waits for it.
    pub fn durable_lane(&mut self, name: &'static str, capacity: usize, wants: Wants) -> mpsc::Receiver<Delivery> {
        self.add(name, capacity, wants, true)
    }

    /// A tap for the events `wants` selects: called by [`Hub::publish`] before the lanes.
    /// Why not a lane: counting a fact is a map update under an uncontended lock, while a lane
    /// adds a bounded send per fact and a consumer task to wake (measured with `loadgen metrics`,
    /// median of 5 on/off pairs: counting on a lane of its own cost +3.8 % server CPU per
    /// message, on this tap +0.6 %, within the pairs' noise).
    pub fn tap(&mut self, wants: Wants, tap: Tap) {
        self.taps.push((wants, tap));
    }

    fn add(&mut self, name: &'static str, capacity: usize, wants: Wants, durable: bool) -> mpsc::Receiver<Delivery> {
        let (tx, rx) = mpsc::channel(capacity);
        self.lanes.push(Lane { name, wants, durable, tx });
        rx
    }

    pub fn build(self, clock: SharedClock, live: LiveBus) -> Hub {
        // Trace ids are unique within this process start (prefixed by the start time).
        let prefix = format!("{:x}", clock.now_ms());
        Hub {
            inner: Arc::new(Inner {
                lanes: RwLock::new(Some(self.lanes.into())),
                taps: self.taps.into(),
                live,
                clock,
                trace_prefix: prefix.into(),
                trace_seq: AtomicU64::new(0),
            }),
        }
    }
}

struct Inner {
    /// Taken out by [`Hub::close`].
    lanes: RwLock<Option<Arc<[Lane]>>>,
    taps: Box<[(Wants, Tap)]>,
    live: LiveBus,
    clock: SharedClock,
    trace_prefix: Box<str>,
    trace_seq: AtomicU64,
}

/// The producers' handle. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

impl Hub {
    fn lanes(&self) -> Option<Arc<[Lane]>> {
        self.inner.lanes.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A new trace id: one per flow (a request and its reply share it).
    pub fn new_trace(&self) -> String {
        format!("{}{:08x}", self.inner.trace_prefix, self.inner.trace_seq.fetch_add(1, Ordering::Relaxed))
    }

    pub fn now(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    /// The browsers' lane (for the store writer's "entry stored" notices and the bridge).
    pub fn live(&self) -> &LiveBus {
        &self.inner.live
    }

    /// Publish a fact observed now, in flow `trace` (a new flow when `None`).
    pub async fn emit(&self, device: &DeviceRef, trace: Option<&str>, fact: Fact) {
        let trace = trace.map_or_else(|| self.new_trace(), str::to_string);
        self.publish(DeviceEvent { at: self.now(), device: device.clone(), trace, fact }).await;
    }

    /// Offer to browsers, call the taps, then hand to every lossless lane that wants it (waiting
    /// while one is full). After [`Hub::close`] facts only reach browsers (and a warning is logged).
    pub async fn publish(&self, ev: DeviceEvent) {
        live::offer(&self.inner.live, &ev);
        let Some(lanes) = self.lanes() else {
            tracing::warn!(device = ?ev.device, "event after the hub closed; not stored");
            return;
        };
        for (_, tap) in self.inner.taps.iter().filter(|(wants, _)| wants(&ev)) {
            tap(&ev);
        }
        let ev = Arc::new(ev);
        for lane in lanes.iter().filter(|l| (l.wants)(&ev)) {
            if lane.tx.send(Delivery::Event(ev.clone())).await.is_err() {
                tracing::error!(lane = lane.name, "a lossless consumer is gone; event not delivered to it");
            }
        }
    }

    /// Deliveries waiting in each lossless lane (`/metrics`: a growing store lane is a writer
    /// falling behind). Empty once the hub has closed.
    pub fn lane_depths(&self) -> Vec<(&'static str, usize)> {
        let Some(lanes) = self.lanes() else { return Vec::new() };
        lanes.iter().map(|l| (l.name, l.tx.max_capacity() - l.tx.capacity())).collect()
    }

    /// Wait until every lane has handled everything published before this call.
    pub async fn flush(&self) {
        let Some(lanes) = self.lanes() else { return };
        let mut acks = Vec::with_capacity(lanes.len());
        for lane in lanes.iter() {
            let (tx, rx) = oneshot::channel();
            if lane.tx.send(Delivery::Barrier(tx)).await.is_ok() {
                acks.push(rx);
            }
        }
        for ack in acks {
            let _ = ack.await;
        }
    }

    /// A receipt for everything published so far: [`Receipt::committed`] resolves once every
    /// durable lane has committed it. Taking it waits only while a durable lane is full; the
    /// caller goes on and awaits the receipt where the answer depends on it.
    pub async fn receipt(&self) -> Receipt {
        let Some(lanes) = self.lanes() else { return Receipt(Err(())) };
        let mut acks = Vec::new();
        for lane in lanes.iter().filter(|l| l.durable) {
            let (tx, rx) = oneshot::channel();
            if lane.tx.send(Delivery::Barrier(tx)).await.is_err() {
                return Receipt(Err(()));
            }
            acks.push(rx);
        }
        Receipt(Ok(acks))
    }

    /// No more events: each lane's receiver ends once drained. Call after the producers stopped.
    pub fn close(&self) {
        self.inner.lanes.write().unwrap_or_else(|e| e.into_inner()).take();
    }
}

/// See [`Hub::receipt`].
#[must_use = "a receipt says nothing unless awaited"]
pub struct Receipt(Result<Vec<oneshot::Receiver<()>>, ()>);

impl Receipt {
    /// Whether everything published before the receipt was taken is committed: `false` when the
    /// hub had closed or a durable consumer ended without committing it (the facts may be lost,
    /// so nothing may be acknowledged as stored).
    pub async fn committed(self) -> bool {
        let Ok(acks) = self.0 else { return false };
        for ack in acks {
            if ack.await.is_err() {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests;
