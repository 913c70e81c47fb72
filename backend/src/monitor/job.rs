//! The monitoring's background work, on the injected clock:
//! - [`run`]: every [`LIVE_EVERY_MS`] (the facts are counted as published: the hub's tap) it
//!   closes the minutes that ended (their rows go to the store writer's next round, which this job
//!   nudges with a barrier) and pushes the minute to browsers: the current one so far
//!   (`partial`), and the final figures of a minute that closed. On shutdown (before the
//!   writer's stage) it closes the current minute too and waits until it is stored.
//! - [`purge`]: retention, minutes after 7 days and hours after a year by default, in batches.

use std::collections::HashMap;

use model::monitor::{minute_floor, MetricValue, MinuteSample, MINUTE_MS};
use model::ws::{EventKind, LiveEvent};
use tokio_util::sync::CancellationToken;

use super::counter::{self, Acc, ClosedMinute, INSTANCE};
use super::rows::LevelFilter;
use super::Monitor;
use crate::clock::{Interval, SharedClock};
use crate::hub::Hub;
use crate::store::{self, Db};

/// How often the current minute is pushed to browsers (and minutes are closed).
pub const LIVE_EVERY_MS: i64 = 5_000;

/// What the job keeps across restarts (the levels last stored, the device counts).
#[derive(Default)]
pub struct JobState {
    pub levels: LevelFilter,
    devices: HashMap<String, u64>,
}

/// The minute clock; see the module documentation.
pub async fn run(
    monitor: Monitor,
    db: Db,
    hub: Hub,
    clock: SharedClock,
    st: &mut JobState,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    let now = clock.now_ms();
    // On the 5-second grid, so a minute's close comes right at its end.
    let first = (now.div_euclid(LIVE_EVERY_MS) + 1) * LIVE_EVERY_MS;
    let mut tick = Interval::starting_at(clock.clone(), first, LIVE_EVERY_MS);
    st.devices = store::metrics::device_counts(&db).await.unwrap_or_default();
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let now = clock.now_ms();
                close(&monitor, &db, &hub, st, now, false).await;
                // Devices registered since the last close count in the live minute at once
                // (read only while a browser watches: one grouped count per 5 s).
                if hub.live().listens(EventKind::Metrics) {
                    if let Ok(d) = store::metrics::device_counts(&db).await {
                        st.devices = d;
                    }
                }
                push_current(&monitor, &hub, st, now);
            }
            _ = cancel.cancelled() => {
                // Producers have stopped (consumers are a later stage) and every fact they
                // published is counted: store everything, the current minute too, before the
                // writer stops.
                close(&monitor, &db, &hub, st, clock.now_ms(), true).await;
                if !hub.receipt().await.committed().await {
                    tracing::warn!("the last metric minutes may not be stored");
                }
                return Ok(());
            }
        }
    }
}

/// Close the minutes before `now`'s (with `all`, `now`'s too), queue their rows for the store
/// writer and nudge it, and push their final figures.
async fn close(monitor: &Monitor, db: &Db, hub: &Hub, st: &mut JobState, now: i64, all: bool) {
    let until = if all { minute_floor(now) + MINUTE_MS } else { now };
    if minute_floor(until) <= monitor.counters().floor() {
        return;
    }
    match store::metrics::device_counts(db).await {
        Ok(d) => st.devices = d,
        // The counts of the minute before are the best there is; the close must not wait.
        Err(e) => tracing::warn!(error = %e, "device counts not read; the last ones are used"),
    }
    let closed = monitor.counters().close(until, &st.devices);
    let cap = monitor.capacity();
    let rows = st.levels.rows(&closed, cap);
    let devices = &st.devices;
    st.levels.retain(|scope| scope == INSTANCE || devices.contains_key(scope));
    monitor.minutes().push(rows);
    // A barrier makes the writer run a round, which takes the rows (even with no traffic).
    drop(hub.receipt().await);
    let bus = hub.live();
    if bus.listens(EventKind::Metrics) {
        let newest = closed.iter().map(|m| m.t).max();
        for m in closed.iter().filter(|m| Some(m.t) == newest && shown(&m.scope, &m.acc)) {
            bus.send(LiveEvent::Metrics { sample: sample(m, cap, false) });
        }
    }
}

/// The instance always, a product when it counted something.
fn shown(scope: &str, acc: &Acc) -> bool {
    scope == INSTANCE || *acc != Acc::default()
}

fn sample(m: &ClosedMinute, cap: counter::Capacity, partial: bool) -> MinuteSample {
    MinuteSample {
        product_key: (m.scope != INSTANCE).then(|| m.scope.clone()),
        t: m.t,
        partial,
        values: m
            .values(cap)
            .into_iter()
            .map(|(metric, protocol, value)| MetricValue { metric, protocol, value })
            .collect(),
    }
}

/// The current minute so far, for the instance and every product with traffic in it.
fn push_current(monitor: &Monitor, hub: &Hub, st: &JobState, now: i64) {
    let bus = hub.live();
    if !bus.listens(EventKind::Metrics) {
        return;
    }
    let cap = monitor.capacity();
    let minutes: Vec<ClosedMinute> = {
        let c = monitor.counters();
        let (t, mut scopes) = c.current(now);
        if !scopes.iter().any(|(s, _)| s == INSTANCE) {
            scopes.push((INSTANCE.to_owned(), Acc::default()));
        }
        // The instance first, then products by key: browsers see a stable order.
        scopes.sort_by(|a, b| a.0.cmp(&b.0));
        scopes
            .into_iter()
            .filter(|(s, a)| shown(s, a))
            .map(|(scope, acc)| {
                let devices = if scope == INSTANCE {
                    st.devices.values().sum()
                } else {
                    st.devices.get(&scope).copied().unwrap_or(0)
                };
                ClosedMinute { t, online: c.online(&scope), devices, scope, acc }
            })
            .collect()
    };
    for m in &minutes {
        bus.send(LiveEvent::Metrics { sample: sample(m, cap, true) });
    }
}

/// Rows deleted per statement.
pub const PURGE_BATCH: u32 = 1_000;
/// How often retention runs.
pub const PURGE_EVERY_MS: i64 = 10 * 60 * 1000;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// Delete minutes older than `minute_days` and hours older than `hour_days` at `now`,
/// `batch` rows at a time; how many rows went.
pub async fn purge_once(db: &Db, now: i64, minute_days: u32, hour_days: u32, batch: u32) -> store::Result<u64> {
    let mut total = 0;
    for (hours, days) in [(false, minute_days), (true, hour_days)] {
        let before = now.saturating_sub(i64::from(days) * DAY_MS);
        loop {
            let n = if hours {
                store::metrics::purge_hours(db, before, batch).await?
            } else {
                store::metrics::purge_minutes(db, before, batch).await?
            };
            total += n;
            if n < u64::from(batch) {
                break;
            }
            // Let ingest and requests in between batches.
            tokio::task::yield_now().await;
        }
    }
    Ok(total)
}

/// The purge job's body: at once, then every [`PURGE_EVERY_MS`], until cancelled.
pub async fn purge(monitor: Monitor, db: Db, clock: SharedClock, cancel: CancellationToken) -> anyhow::Result<()> {
    let s = monitor.settings().clone();
    let mut every = Interval::new(clock.clone(), PURGE_EVERY_MS);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return Ok(()),
            _ = every.tick() => {}
        }
        let n = purge_once(&db, clock.now_ms(), s.minute_retention_days, s.hour_retention_days, PURGE_BATCH).await?;
        if n > 0 {
            tracing::debug!(rows = n, "metric rows purged");
        }
    }
}
