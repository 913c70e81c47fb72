//! Real-time monitoring (issue 14 §1, §4): exact per-minute metrics and `/metrics`.
//!
//! ```text
//! gateway facts ──hub, tap (counted as published)──► counter.rs (in memory, per minute)
//!                                                   │ job, every 5 s (injected clock):
//!                                                   ├─ partial minute ──► live bus (LiveEvent::Metrics)
//!                                                   └─ minute closed ──► MinuteQueue ──► store writer's
//!                                                      (final sample too)   next round (same transaction
//!                                                                            as the run log; hour rollup)
//! REST series/stats ◄── store (metric_minutes / metric_hours) + the minutes not yet stored
//! GET /metrics ◄── counters (live, this minute included) + process, broker, writer, HTTP
//! ```
//!
//! - `counter`: what counts as what (pure; tested with facts).
//! - `rows`: closed minutes → the rows stored (levels only when they change).
//! - `series`: minute/hour rows → at most 2,000 points per series with min/max (pure).
//! - `job`: the minute clock, the live samples, and the retention purge.
//! - `handlers`: `GET /api/v1/monitoring/series` and `/stats` (viewers may read).
//! - `scrape`: `GET /metrics` in the Prometheus text format, and the HTTP request figures.
//!
//! Counting is a hub tap ([`crate::hub::HubBuilder::tap`]): every fact is counted by `publish`
//! itself, never from the browsers' bus (which drops under load) nor the run log (a GROUP BY
//! over millions of rows per chart). It was a lossless lane of its own until measured: that
//! cost +3.8 % server CPU per message, the tap +0.6 % (BENCHMARKS.md, monitoring section).
//! `--metrics off` builds no tap and no job: nothing is counted, and the routes answer 404.

pub mod counter;
mod handlers;
pub mod job;
pub mod rows;
pub mod scrape;
pub mod series;

use std::sync::{Arc, Mutex, MutexGuard};

use crate::config::MetricsSettings;
use crate::http::openapi::ApiRouter;
use crate::hub::{DeviceEvent, Fact, Tap};
use crate::store::metrics::MinuteQueue;

pub use counter::{Capacity, Counters};

/// The monitoring's shared parts. Cheap to clone.
#[derive(Clone)]
pub struct Monitor {
    inner: Arc<Inner>,
}

struct Inner {
    settings: MetricsSettings,
    counters: Mutex<Counters>,
    minutes: MinuteQueue,
    telemetry: scrape::Telemetry,
}

impl Monitor {
    /// Counters whose first minute holds `now`.
    pub fn new(settings: MetricsSettings, now: i64) -> Monitor {
        let minutes = MinuteQueue::default();
        let telemetry = scrape::Telemetry::new(&minutes);
        Monitor { inner: Arc::new(Inner { settings, counters: Mutex::new(Counters::new(now)), minutes, telemetry }) }
    }

    /// `--metrics on`.
    pub fn enabled(&self) -> bool {
        self.inner.settings.enabled
    }

    pub fn settings(&self) -> &MetricsSettings {
        &self.inner.settings
    }

    pub fn capacity(&self) -> Capacity {
        Capacity { devices: self.inner.settings.capacity_devices, tps: self.inner.settings.capacity_tps }
    }

    /// Closed minutes on their way to the store writer (which takes them into its rounds).
    pub fn minutes(&self) -> &MinuteQueue {
        &self.inner.minutes
    }

    pub fn counters(&self) -> MutexGuard<'_, Counters> {
        self.inner.counters.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn telemetry(&self) -> &scrape::Telemetry {
        &self.inner.telemetry
    }

    /// The hub tap that counts every fact [`wants`] selects as it is published.
    pub fn tap(&self) -> Tap {
        let monitor = self.clone();
        Arc::new(move |ev: &DeviceEvent| monitor.counters().count(ev))
    }
}

/// The metrics tap's filter: the facts [`Counters::count`] reads.
pub fn wants(ev: &DeviceEvent) -> bool {
    matches!(
        ev.fact,
        Fact::Connected { .. }
            | Fact::Disconnected { device_id: Some(_), .. }
            | Fact::SubDeviceOnline { .. }
            | Fact::SubDeviceOffline { .. }
            | Fact::Removed
            | Fact::Message { .. }
            | Fact::Dropped { .. }
            | Fact::CallReplied { .. }
            | Fact::CallTimedOut { .. }
            | Fact::LimitHit { .. }
    )
}

/// The REST routes (the `/metrics` route is not part of the API document: see [`scrape`]).
pub fn router() -> ApiRouter {
    handlers::router()
}
