//! The per-minute counters: every fact of the metrics lane is counted here, in memory, into the
//! minute it happened in (by the injected clock's `at`), per product and for the instance.
//!
//! Pure bookkeeping, no I/O and no clock: the job ([`super::job`]) feeds facts in, closes
//! minutes at the clock's minute boundaries ([`Counters::close`]) and hands the closed rows to
//! the store writer. Besides the minutes it keeps what `/metrics` reads: totals since start
//! (Prometheus counters are monotonic, minutes are not) and the online devices.
//!
//! What counts (issue 14):
//! - up: every PUBLISH the ACL accepted (a `Message` up, replies included); refused and
//!   throttled publishes never become one, so they count only as refusals / limit hits;
//! - down: every PUBLISH the broker took for a device's session (`Message` down with
//!   `delivered`), less the ones it dropped before delivery in the same minute;
//! - TSL errors: a property / event post answered ≠ 200; a property set or a service call
//!   answered ≠ 200 or timed out (1905);
//! - connects: a device's own MQTT session established (not a sub-device login);
//! - online: devices with a live session or a gateway login; the minute keeps the last value.

use std::collections::{BTreeMap, HashMap, HashSet};

use model::alink::{Topic, TopicKind};
use model::monitor::{minute_floor, Metric, MinuteFigures, Protocol};
use model::ws::Direction;

use crate::hub::{DeviceEvent, Fact};

/// The instance's scope key (products are keyed by their ProductKey, never empty).
pub const INSTANCE: &str = "";

/// What one scope (a product or the instance) counted in one minute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Acc {
    pub up: u64,
    pub down: u64,
    pub property_report_errors: u64,
    pub event_report_errors: u64,
    pub property_setting_errors: u64,
    pub service_call_errors: u64,
    pub connects: u64,
    /// The minute's busiest second, both directions (instance only).
    pub peak_tps: u64,
}

impl Acc {
    pub fn tsl_errors(&self) -> u64 {
        self.property_report_errors + self.event_report_errors + self.property_setting_errors + self.service_call_errors
    }

    pub fn figures(&self) -> MinuteFigures {
        MinuteFigures { up: self.up, down: self.down, tsl_errors: self.tsl_errors(), connects: self.connects }
    }

    fn is_empty(&self) -> bool {
        *self == Acc::default()
    }
}

/// The kind of TSL error (`fleetdeck_tsl_errors_total{kind}`), one per seed metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TslError {
    PropertyReport,
    EventReport,
    PropertySetting,
    ServiceCall,
}

impl TslError {
    pub const ALL: [TslError; 4] =
        [TslError::PropertyReport, TslError::EventReport, TslError::PropertySetting, TslError::ServiceCall];

    pub fn label(self) -> &'static str {
        match self {
            TslError::PropertyReport => "property_report",
            TslError::EventReport => "event_report",
            TslError::PropertySetting => "property_setting",
            TslError::ServiceCall => "service_call",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn add(self, acc: &mut Acc) {
        match self {
            TslError::PropertyReport => acc.property_report_errors += 1,
            TslError::EventReport => acc.event_report_errors += 1,
            TslError::PropertySetting => acc.property_setting_errors += 1,
            TslError::ServiceCall => acc.service_call_errors += 1,
        }
    }
}

/// A post answered ≠ 200: which report failed, from its topic.
fn report_error(topic: &str) -> Option<TslError> {
    match Topic::parse(topic).ok()?.kind() {
        TopicKind::PropertyPost | TopicKind::PropertyBatchPost => Some(TslError::PropertyReport),
        TopicKind::EventPost => Some(TslError::EventReport),
        _ => None,
    }
}

/// A call that failed, by the TSL service it called (`set`, `get` or a service identifier;
/// `None` for a custom RRPC, which is no TSL call).
fn call_error(service: Option<&str>) -> Option<TslError> {
    match service? {
        "set" => Some(TslError::PropertySetting),
        "get" => None,
        _ => Some(TslError::ServiceCall),
    }
}

/// A map keyed by ProductKey that looks up by `&str` and allocates the key only on first
/// insert (hashbrown's `entry_ref`, foldhash): counting runs once per message, so the hot path
/// must not allocate.
pub type ByProduct<V> = hashbrown::HashMap<String, V>;

/// One product's totals since the server started.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ProductTotals {
    /// Messages up (accepted from devices) and down (delivered to devices).
    pub up: u64,
    pub down: u64,
    /// Their payload bytes.
    pub up_bytes: u64,
    pub down_bytes: u64,
    /// By [`TslError::ALL`]'s order.
    pub tsl_errors: [u64; 4],
    pub connects: u64,
}

/// Totals since the server started, per label set: what `/metrics` exposes.
#[derive(Debug, Default, Clone)]
pub struct Totals {
    pub products: ByProduct<ProductTotals>,
    /// Limit kind (seed event name) → windows in which a per-device limit was exceeded.
    pub limit_hits: HashMap<&'static str, u64>,
    /// Downlinks the broker dropped before delivery.
    pub dropped: u64,
}

impl Totals {
    fn product(&mut self, pk: &str) -> &mut ProductTotals {
        self.products.entry_ref(pk).or_default()
    }
}

/// One closed minute of one scope: the counts and the gauges read when it closed.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosedMinute {
    pub t: i64,
    /// [`INSTANCE`] or a ProductKey.
    pub scope: String,
    pub acc: Acc,
    pub online: u64,
    pub devices: u64,
}

/// Capacities the instance's percentages are taken of (`--capacity-devices`, `--capacity-tps`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    pub devices: u64,
    pub tps: u64,
}

impl ClosedMinute {
    /// Every metric of the minute with its protocol, as stored and pushed. Count metrics that
    /// are zero are left out of the store (see [`ClosedMinute::rows`]); here they are all.
    pub fn values(&self, cap: Capacity) -> Vec<(Metric, Option<Protocol>, f64)> {
        values(&self.acc, self.online, self.devices, self.scope == INSTANCE, cap)
    }
}

/// The metric values of a minute's figures (the current minute's too, with the gauges as now).
pub fn values(
    acc: &Acc,
    online: u64,
    devices: u64,
    instance: bool,
    cap: Capacity,
) -> Vec<(Metric, Option<Protocol>, f64)> {
    let mqtt = Some(Protocol::Mqtt);
    let mut v = vec![
        (Metric::OnlineDevicesCount, mqtt, online as f64),
        (Metric::DeviceCountProduct, None, devices as f64),
        (Metric::MessageCountSentToIoT, mqtt, acc.up as f64),
        (Metric::MessageCountSentFromIoT, mqtt, acc.down as f64),
        (Metric::MessageCountPerMinute, None, (acc.up + acc.down) as f64),
        (Metric::DevicePropertyReportError, None, acc.property_report_errors as f64),
        (Metric::DeviceEventReportError, None, acc.event_report_errors as f64),
        (Metric::DevicePropertySettingError, None, acc.property_setting_errors as f64),
        (Metric::DeviceServiceCallError, None, acc.service_call_errors as f64),
        (Metric::UpstreamQps, None, acc.up as f64 / 60.0),
        (Metric::DownstreamQps, None, acc.down as f64 / 60.0),
        (Metric::ConnectCountPerMinute, None, acc.connects as f64),
    ];
    if instance {
        v.push((Metric::DeviceNumInstance, None, percent(online, cap.devices)));
        v.push((Metric::MessageWatermarkTpsInstance, None, percent(acc.peak_tps, cap.tps)));
    }
    v
}

fn percent(n: u64, of: u64) -> f64 {
    if of == 0 {
        return 0.0;
    }
    // Two decimals are all a chart or an alert threshold reads.
    (n as f64 * 10_000.0 / of as f64).round() / 100.0
}

/// The busiest second so far: facts arrive in about the order they happened, so one running
/// second per minute is enough.
#[derive(Debug, Default, Clone, Copy)]
struct Second {
    at: i64,
    count: u64,
}

impl Second {
    fn tick(&mut self, at: i64) {
        let s = at.div_euclid(1000);
        if self.at != s {
            *self = Second { at: s, count: 0 };
        }
        self.count += 1;
    }
}

fn t_error(totals: &mut Totals, pk: &str, e: TslError) {
    totals.product(pk).tsl_errors[e.index()] += 1;
}

#[derive(Debug, Default)]
struct Minute {
    instance: Acc,
    products: ByProduct<Acc>,
    second: Second,
}

impl Minute {
    /// Every scope's figures, the instance's under [`INSTANCE`].
    fn into_scopes(self) -> HashMap<String, Acc> {
        let mut scopes: HashMap<String, Acc> = self.products.into_iter().collect();
        scopes.insert(INSTANCE.to_owned(), self.instance);
        scopes
    }
}

/// See the module documentation.
#[derive(Debug, Default)]
pub struct Counters {
    /// Minutes not yet closed, by start.
    open: BTreeMap<i64, Minute>,
    /// The first minute not yet closed: a fact stamped before it (it raced the close) is
    /// counted in it instead, so nothing is lost and a closed minute never changes.
    floor: i64,
    online: HashMap<String, HashSet<String>>,
    pub totals: Totals,
    /// The last closed minute per scope (the home page's "last minute").
    last: HashMap<String, Acc>,
}

impl Counters {
    /// Counters whose first minute is the one holding `now`.
    pub fn new(now: i64) -> Self {
        Counters { floor: minute_floor(now), ..Counters::default() }
    }

    /// Count one fact.
    pub fn count(&mut self, ev: &DeviceEvent) {
        let pk = ev.device.pk.as_str();
        match &ev.fact {
            Fact::Connected { .. } => {
                self.set_online(pk, &ev.device.dn, true);
                self.add(ev.at, pk, |a| a.connects += 1);
                self.totals.product(pk).connects += 1;
            }
            Fact::SubDeviceOnline { .. } => self.set_online(pk, &ev.device.dn, true),
            Fact::Disconnected { device_id: Some(_), .. } | Fact::SubDeviceOffline { .. } | Fact::Removed => {
                self.set_online(pk, &ev.device.dn, false)
            }
            Fact::Message { direction, topic, payload, code, delivered, .. } => {
                let up = *direction == Direction::Up;
                if !up && !delivered {
                    return;
                }
                let t = self.totals.product(pk);
                let bytes = payload.len() as u64;
                if up {
                    t.up += 1;
                    t.up_bytes += bytes;
                } else {
                    t.down += 1;
                    t.down_bytes += bytes;
                }
                // Only a refused post is parsed again (to tell property from event reports).
                let error = (up && *code != 200).then(|| report_error(topic)).flatten();
                let m = self.minute(ev.at);
                m.second.tick(ev.at);
                let peak = m.second.count;
                let bump = |a: &mut Acc| {
                    if up {
                        a.up += 1
                    } else {
                        a.down += 1
                    }
                    if let Some(e) = error {
                        e.add(a);
                    }
                };
                bump(&mut m.instance);
                m.instance.peak_tps = m.instance.peak_tps.max(peak);
                if !pk.is_empty() {
                    bump(m.products.entry_ref(pk).or_default());
                }
                if let Some(e) = error {
                    t_error(&mut self.totals, pk, e);
                }
            }
            Fact::Dropped { .. } => {
                self.totals.dropped += 1;
                self.add(ev.at, pk, |a| a.down = a.down.saturating_sub(1));
            }
            Fact::CallReplied { code, service, .. } if *code != 200 => {
                if let Some(e) = call_error(service.as_deref()) {
                    self.tsl_error(ev.at, pk, e);
                }
            }
            Fact::CallTimedOut { service, .. } => {
                if let Some(e) = call_error(service.as_deref()) {
                    self.tsl_error(ev.at, pk, e);
                }
            }
            Fact::LimitHit { kind, .. } => *self.totals.limit_hits.entry(kind.event_name()).or_default() += 1,
            _ => {}
        }
    }

    fn tsl_error(&mut self, at: i64, pk: &str, e: TslError) {
        t_error(&mut self.totals, pk, e);
        self.add(at, pk, |a| e.add(a));
    }

    fn minute(&mut self, at: i64) -> &mut Minute {
        self.open.entry(minute_floor(at).max(self.floor)).or_default()
    }

    /// Apply `f` to the product's and the instance's figures of `at`'s minute. A fact without
    /// a device (a refused connect) counts for the instance only.
    fn add(&mut self, at: i64, pk: &str, f: impl Fn(&mut Acc)) {
        let m = self.minute(at);
        f(&mut m.instance);
        if !pk.is_empty() {
            f(m.products.entry_ref(pk).or_default());
        }
    }

    fn set_online(&mut self, pk: &str, dn: &str, online: bool) {
        if online {
            self.online.entry(pk.to_owned()).or_default().insert(dn.to_owned());
        } else if let Some(set) = self.online.get_mut(pk) {
            set.remove(dn);
            if set.is_empty() {
                self.online.remove(pk);
            }
        }
    }

    /// The first minute not yet closed.
    pub fn floor(&self) -> i64 {
        self.floor
    }

    /// Online devices of a product (or, with [`INSTANCE`], of all).
    pub fn online(&self, scope: &str) -> u64 {
        if scope == INSTANCE {
            self.online.values().map(|s| s.len() as u64).sum()
        } else {
            self.online.get(scope).map_or(0, |s| s.len() as u64)
        }
    }

    /// Online devices per product.
    pub fn online_by_product(&self) -> impl Iterator<Item = (&str, u64)> {
        self.online.iter().map(|(pk, s)| (pk.as_str(), s.len() as u64))
    }

    /// The figures of the minute holding `now` so far, per scope that counted anything.
    pub fn current(&self, now: i64) -> (i64, Vec<(String, Acc)>) {
        let t = minute_floor(now).max(self.floor);
        let scopes = self.open.get(&t).map(|m| {
            let products = m.products.iter().map(|(k, a)| (k.clone(), *a));
            std::iter::once((INSTANCE.to_owned(), m.instance)).chain(products).collect()
        });
        (t, scopes.unwrap_or_default())
    }

    /// The last closed minute of a scope, if one was counted since the start.
    pub fn last_closed(&self, scope: &str) -> Option<Acc> {
        self.last.get(scope).copied()
    }

    /// Close every minute before the one holding `now`. Each closed minute yields one row per
    /// scope that counted something, plus one for the instance and for every product in
    /// `devices` (registered devices per product, read by the caller) so the gauges have a
    /// value every minute. Minutes in which nothing happened at all in between yield gauge rows
    /// only for the newest of them (a server that idled for an hour writes one minute, not 60).
    pub fn close(&mut self, now: i64, devices: &HashMap<String, u64>) -> Vec<ClosedMinute> {
        let until = minute_floor(now);
        if until <= self.floor {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut minutes: Vec<(i64, Minute)> = Vec::new();
        while let Some(entry) = self.open.first_entry() {
            if *entry.key() >= until {
                break;
            }
            let (t, m) = entry.remove_entry();
            minutes.push((t, m));
        }
        // The gauges hold for the last closed minute; earlier minutes in one close (the
        // server was busy or asleep) get their counts only.
        let last_t = until - model::monitor::MINUTE_MS;
        if minutes.last().is_none_or(|(t, _)| *t != last_t) {
            minutes.push((last_t, Minute::default()));
        }
        self.last.clear();
        for (t, m) in minutes {
            let gauges = t == last_t;
            let mut scopes = m.into_scopes();
            if gauges {
                scopes.entry(INSTANCE.to_owned()).or_default();
                for pk in devices.keys().chain(self.online.keys()) {
                    scopes.entry(pk.clone()).or_default();
                }
            }
            for (scope, acc) in scopes {
                if !gauges && acc.is_empty() {
                    continue;
                }
                let (online, devices) = if scope == INSTANCE {
                    (self.online(INSTANCE), devices.values().sum())
                } else {
                    (self.online(&scope), devices.get(&scope).copied().unwrap_or(0))
                };
                if gauges {
                    self.last.insert(scope.clone(), acc);
                }
                out.push(ClosedMinute { t, scope, acc, online, devices });
            }
        }
        self.floor = until;
        out.sort_by(|a, b| (a.t, &a.scope).cmp(&(b.t, &b.scope)));
        out
    }
}

#[cfg(test)]
mod tests;
