//! Per-device rate limits: connects per minute, uplink and downlink messages per second.
//!
//! Fixed windows on the injected clock (so tests move time instead of sleeping). Only the
//! first refusal in a window is reported (`Verdict::Exceeded`), the rest are `Dropped`
//! without a run-log row or a fact: a device flooding at 10 kHz must not turn into 10 k rows
//! per second. Every refusal is still counted, one by one, per product and kind
//! ([`Limits::throttled`], `fleetdeck_throttled_total` on `/metrics`).

use std::collections::HashMap;
use std::sync::Mutex;

use model::alink::DeviceRef;

use crate::clock::SharedClock;
use crate::config::DeviceLimits;
use crate::hub::{Fact, Hub};
use crate::store::{self, Db};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Connect,
    Uplink,
    Downlink,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Connect, Kind::Uplink, Kind::Downlink];

    /// The limit event name the monitoring issue reads (`limit_events.name`).
    pub fn event_name(self) -> &'static str {
        match self {
            Kind::Connect => "Device_Connect_QPM_Limit",
            Kind::Uplink => "Device_Uplink_QPS_Limit",
            Kind::Downlink => "Device_Downlink_QPS_Limit",
        }
    }

    /// The seed code for the run log: 1942 for a throttled connect, 9324 for messages.
    pub fn code(self) -> u32 {
        match self {
            Kind::Connect => 1942,
            Kind::Uplink | Kind::Downlink => 9324,
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn window_ms(self) -> i64 {
        match self {
            Kind::Connect => 60_000,
            Kind::Uplink | Kind::Downlink => 1_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Over the limit, first time in this window: log it and record a limit event.
    Exceeded,
    /// Over the limit again in the same window: drop quietly.
    Dropped,
}

struct Window {
    start: i64,
    count: u32,
}

struct Windows {
    map: HashMap<(Kind, String, String), Window>,
    /// Size at which finished windows are swept next.
    sweep_at: usize,
    /// Refusals since start per product, by [`Kind::ALL`]'s order (keys allocated once per
    /// product: a flood counts without allocating).
    throttled: hashbrown::HashMap<String, [u64; 3]>,
}

pub struct Limits {
    clock: SharedClock,
    cfg: DeviceLimits,
    windows: Mutex<Windows>,
}

impl Limits {
    pub fn new(clock: SharedClock, cfg: DeviceLimits) -> Self {
        Limits {
            clock,
            cfg,
            windows: Mutex::new(Windows { map: HashMap::new(), sweep_at: 4096, throttled: Default::default() }),
        }
    }

    pub fn limit(&self, kind: Kind) -> u32 {
        match kind {
            Kind::Connect => self.cfg.connects_per_minute,
            Kind::Uplink => self.cfg.uplink_qps,
            Kind::Downlink => self.cfg.downlink_qps,
        }
    }

    /// Count one event of `kind` for the device and say whether it may pass.
    pub fn check(&self, kind: Kind, pk: &str, dn: &str) -> Verdict {
        let limit = self.limit(kind);
        if limit == 0 {
            return Verdict::Allowed;
        }
        let now = self.clock.now_ms();
        let start = now - now.rem_euclid(kind.window_ms());
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        // Keep the map from growing with every device ever seen: when it is large, drop the
        // windows that are over (they would restart at zero anyway). Amortised O(1).
        if windows.map.len() >= windows.sweep_at {
            windows.map.retain(|(k, _, _), w| now - w.start < k.window_ms());
            windows.sweep_at = (windows.map.len() * 2).max(4096);
        }
        let w = windows.map.entry((kind, pk.to_string(), dn.to_string())).or_insert(Window { start, count: 0 });
        if w.start != start {
            *w = Window { start, count: 0 };
        }
        w.count = w.count.saturating_add(1);
        let count = w.count;
        if count <= limit {
            return Verdict::Allowed;
        }
        windows.throttled.entry_ref(pk).or_default()[kind.index()] += 1;
        if count == limit + 1 {
            Verdict::Exceeded
        } else {
            Verdict::Dropped
        }
    }

    /// Refusals by a limit since start, every one: (kind, product, count).
    pub fn throttled(&self) -> Vec<(Kind, String, u64)> {
        let windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::new();
        for (pk, counts) in &windows.throttled {
            for kind in Kind::ALL {
                out.push((kind, pk.clone(), counts[kind.index()]));
            }
        }
        out
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// The limits with their consequences: the first refusal in a window is stored as a limit event
/// and published as a fact (seed 1942/9324).
pub struct Guard {
    pub limits: Limits,
    pub db: Db,
    pub hub: Hub,
}

impl Guard {
    /// Count one event against a device limit; `false` = refuse.
    pub async fn allow(&self, kind: Kind, pk: &str, dn: &str) -> bool {
        match self.limits.check(kind, pk, dn) {
            Verdict::Allowed => true,
            Verdict::Dropped => false,
            Verdict::Exceeded => {
                let limit = self.limits.limit(kind);
                record_event(&self.db, self.limits.now(), pk, dn, kind, limit).await;
                self.hub.emit(&DeviceRef::new(pk, dn), None, Fact::LimitHit { kind, limit }).await;
                false
            }
        }
    }
}

/// Store one limit event for the monitoring views.
pub async fn record_event(db: &Db, at: i64, pk: &str, dn: &str, kind: Kind, limit: u32) {
    let e = LimitEvent {
        at,
        product_key: pk.into(),
        device_name: dn.into(),
        name: kind.event_name().into(),
        limit_value: i64::from(limit),
    };
    if let Err(e) = store::gateway::insert_limit_event(db, &e).await {
        tracing::warn!(error = %e, pk, dn, "cannot store limit event");
    }
}

pub use store::gateway::{limit_events as device_events, LimitEvent};

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::FakeClock;

    fn limits(clock: &FakeClock, c: u32, up: u32, down: u32) -> Limits {
        Limits::new(
            Arc::new(clock.clone()),
            DeviceLimits { connects_per_minute: c, uplink_qps: up, downlink_qps: down, ..Default::default() },
        )
    }

    #[test]
    fn connects_per_minute_reset_with_the_next_minute() {
        let clock = FakeClock::new(1_700_000_000_000);
        let l = limits(&clock, 3, 0, 0);
        for _ in 0..3 {
            assert_eq!(l.check(Kind::Connect, "pk", "d1"), Verdict::Allowed);
        }
        assert_eq!(l.check(Kind::Connect, "pk", "d1"), Verdict::Exceeded);
        assert_eq!(l.check(Kind::Connect, "pk", "d1"), Verdict::Dropped);
        // Other devices have their own budget.
        assert_eq!(l.check(Kind::Connect, "pk", "d2"), Verdict::Allowed);
        clock.advance_ms(60_000);
        assert_eq!(l.check(Kind::Connect, "pk", "d1"), Verdict::Allowed);
    }

    #[test]
    fn message_limits_are_per_second_and_per_direction() {
        let clock = FakeClock::new(1_000);
        let l = limits(&clock, 0, 2, 1);
        assert_eq!(l.check(Kind::Uplink, "pk", "d"), Verdict::Allowed);
        assert_eq!(l.check(Kind::Uplink, "pk", "d"), Verdict::Allowed);
        assert_eq!(l.check(Kind::Downlink, "pk", "d"), Verdict::Allowed);
        assert_eq!(l.check(Kind::Uplink, "pk", "d"), Verdict::Exceeded);
        assert_eq!(l.check(Kind::Downlink, "pk", "d"), Verdict::Exceeded);
        clock.advance_ms(999);
        assert_eq!(l.check(Kind::Uplink, "pk", "d"), Verdict::Dropped, "1999 ms is still the same second");
        clock.advance_ms(1);
        assert_eq!(l.check(Kind::Uplink, "pk", "d"), Verdict::Allowed, "a new second starts at 2000 ms");
        assert_eq!(l.check(Kind::Uplink, "pk", "d"), Verdict::Allowed);
        assert_eq!(l.check(Kind::Uplink, "pk", "d"), Verdict::Exceeded);
    }

    #[test]
    fn every_refusal_is_counted_not_only_the_first_of_a_window() {
        let clock = FakeClock::new(1_000);
        let l = limits(&clock, 1, 2, 0);
        for _ in 0..7 {
            l.check(Kind::Uplink, "pk", "d");
        }
        l.check(Kind::Uplink, "pk", "e");
        clock.advance_ms(1_000);
        for _ in 0..3 {
            l.check(Kind::Uplink, "pk", "d");
        }
        l.check(Kind::Connect, "pk2", "x");
        l.check(Kind::Connect, "pk2", "x");
        let mut t: Vec<_> = l.throttled().into_iter().filter(|(_, _, n)| *n > 0).collect();
        t.sort_by(|a, b| a.1.cmp(&b.1));
        // 5 over the limit in the first second, 1 in the next; the other device stayed within.
        assert_eq!(t, [(Kind::Uplink, "pk".to_string(), 6), (Kind::Connect, "pk2".to_string(), 1)]);
    }

    #[test]
    fn zero_means_unlimited() {
        let clock = FakeClock::new(0);
        let l = limits(&clock, 0, 0, 0);
        for _ in 0..10_000 {
            assert_eq!(l.check(Kind::Uplink, "pk", "d"), Verdict::Allowed);
        }
        assert_eq!(Kind::Connect.code(), 1942);
        assert_eq!(Kind::Downlink.event_name(), "Device_Downlink_QPS_Limit");
    }
}
