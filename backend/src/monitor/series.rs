//! Stored minutes (or hours) → the points of one series: at most [`MAX_POINTS`] buckets of
//! whole minutes, each carrying the min and max of the minutes inside it, so a week's chart
//! keeps every spike and every dip. Pure: the handler fetches, this arranges.
//!
//! How a bucket's value is made depends on the metric ([`agg`]):
//! - counts are summed (a minute without a row counted nothing);
//! - levels take the bucket's last value; a level is stored only when it changes (and once an
//!   hour, [`super::rows`]), so it holds until the next row, for at most an hour and a minute
//!   (longer gaps are the server being down: no point);
//! - rates (`UpstreamQPS`, `DownstreamQPS`) are their count over the bucket's elapsed seconds.

use std::collections::BTreeMap;

use model::monitor::{Metric, Point, HOUR_MS, MAX_POINTS, MINUTE_MS};

use crate::store::metrics::HourRow;

/// How a bucket's value is made from its minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    Sum,
    Last,
    /// Per second: the sum over the bucket's elapsed seconds.
    Rate,
}

pub fn agg(m: Metric) -> Agg {
    match m {
        Metric::UpstreamQps | Metric::DownstreamQps => Agg::Rate,
        m if m.is_gauge() => Agg::Last,
        _ => Agg::Sum,
    }
}

/// The stored metric a series is read from: a rate from its count.
pub fn source(m: Metric) -> Metric {
    match m {
        Metric::UpstreamQps => Metric::MessageCountSentToIoT,
        Metric::DownstreamQps => Metric::MessageCountSentFromIoT,
        m => m,
    }
}

/// The protocol column a series reads: a rate (not split by protocol) reads its count's MQTT
/// rows, the one protocol devices speak today.
pub fn source_protocol(m: Metric, protocol: Option<model::monitor::Protocol>) -> &'static str {
    if source(m).per_protocol() && !m.per_protocol() {
        return model::monitor::Protocol::Mqtt.code();
    }
    protocol.map_or("", model::monitor::Protocol::code)
}

/// Whether the store keeps rows of this metric (rates are derived, never stored).
pub fn stored(m: Metric) -> bool {
    source(m) == m
}

/// The longest a level holds without a row before it is taken for unknown.
const LEVEL_HOLDS_MS: i64 = HOUR_MS + MINUTE_MS;

/// The range's buckets: starts aligned to `step` from the epoch, the last one holding `to - 1`,
/// at most [`MAX_POINTS`] of them (the oldest dropped), none starting after `now`.
pub fn buckets(from: i64, to: i64, step: i64, now: i64) -> Vec<i64> {
    let first = from.div_euclid(step) * step;
    let last = (to - 1).min(now).div_euclid(step) * step;
    if last < first {
        return Vec::new();
    }
    let first = first.max(last - (MAX_POINTS - 1) * step);
    (0..=(last - first) / step).map(|i| first + i * step).collect()
}

/// Minutes of `[start, start + step)` inside `[from, min(to, now + 1))`, at least one.
fn elapsed_minutes(start: i64, step: i64, from: i64, to: i64, now: i64) -> i64 {
    let lo = start.max(model::monitor::minute_floor(from));
    let hi = (start + step).min(to).min(now + 1);
    ((hi - lo + MINUTE_MS - 1) / MINUTE_MS).max(1)
}

/// Per-minute values → points. `seed`: the level in force at `from` (levels only), with the
/// minute it was stored. `partial`: the minute still counting (its bucket is marked).
#[allow(clippy::too_many_arguments)] // one series' range, its inputs and how to fold them
pub fn from_minutes(
    agg: Agg,
    from: i64,
    to: i64,
    step: i64,
    now: i64,
    minutes: &BTreeMap<i64, f64>,
    seed: Option<(i64, f64)>,
    partial: Option<i64>,
) -> Vec<Point> {
    let downsampled = step > MINUTE_MS;
    let mut level = seed;
    let mut out = Vec::new();
    for start in buckets(from, to, step, now) {
        let inside: Vec<(i64, f64)> = minutes.range(start..start + step).map(|(t, v)| (*t, *v)).collect();
        let is_partial = partial.is_some_and(|p| p >= start && p < start + step);
        let point = match agg {
            Agg::Sum | Agg::Rate => {
                let n = elapsed_minutes(start, step, from, to, now);
                let sum = inside.iter().fold(0.0, |s, (_, v)| s + v);
                let mut min = inside.iter().map(|(_, v)| *v).fold(f64::INFINITY, f64::min);
                let max = inside.iter().map(|(_, v)| *v).fold(0.0, f64::max);
                if (inside.len() as i64) < n || min == f64::INFINITY {
                    // Minutes without a row counted nothing.
                    min = 0.0;
                }
                let (v, min, max) = match agg {
                    Agg::Rate => (sum / (n as f64 * 60.0), min / 60.0, max / 60.0),
                    _ => (sum, min, max),
                };
                Some(point(start, v, downsampled.then_some((min, max)), is_partial))
            }
            Agg::Last => {
                if level.is_some_and(|(t, _)| start - t > LEVEL_HOLDS_MS) {
                    level = None;
                }
                let mut range = level.map(|(_, v)| (v, v));
                for (t, v) in &inside {
                    level = Some((*t, *v));
                    range = Some(range.map_or((*v, *v), |(lo, hi)| (lo.min(*v), hi.max(*v))));
                }
                level.map(|(_, v)| point(start, v, downsampled.then(|| range.unwrap_or((v, v))), is_partial))
            }
        };
        out.extend(point);
    }
    out
}

/// Hour rollups → points (for ranges older than the minutes' retention): buckets of whole
/// hours. `extra`: minutes not in the rollups yet (the current one), folded in as they are.
#[allow(clippy::too_many_arguments)] // as `from_minutes`
pub fn from_hours(
    agg: Agg,
    from: i64,
    to: i64,
    step: i64,
    now: i64,
    hours: &[HourRow],
    seed: Option<(i64, f64)>,
    partial: Option<(i64, f64)>,
) -> Vec<Point> {
    let step = ((step + HOUR_MS - 1) / HOUR_MS).max(1) * HOUR_MS;
    let mut level = seed;
    let mut out = Vec::new();
    for start in buckets(from, to, step, now) {
        let mut inside: Vec<HourRow> = hours.iter().filter(|h| h.t >= start && h.t < start + step).copied().collect();
        let is_partial = partial.is_some_and(|(t, _)| t >= start && t < start + step);
        if let Some((t, v)) = partial.filter(|_| is_partial) {
            match inside.iter_mut().find(|h| h.t == model::monitor::hour_floor(t)) {
                Some(h) if agg == Agg::Last => {
                    h.value = v;
                    h.min = h.min.min(v);
                    h.max = h.max.max(v);
                }
                Some(h) => {
                    h.value += v;
                    h.max = h.max.max(v);
                    h.minutes += 1;
                }
                None => inside.push(HourRow { t, value: v, min: v, max: v, minutes: 1 }),
            }
        }
        let point = match agg {
            Agg::Sum | Agg::Rate => {
                let n = elapsed_minutes(start, step, from, to, now);
                let sum = inside.iter().fold(0.0, |s, h| s + h.value);
                let stored: i64 = inside.iter().map(|h| h.minutes).sum();
                let max = inside.iter().map(|h| h.max).fold(0.0, f64::max);
                let min = if stored < n { 0.0 } else { inside.iter().map(|h| h.min).fold(f64::INFINITY, f64::min) };
                let (v, min, max) = match agg {
                    Agg::Rate => (sum / (n as f64 * 60.0), min / 60.0, max / 60.0),
                    _ => (sum, min, max),
                };
                Some(point(start, v, Some((min, max)), is_partial))
            }
            Agg::Last => {
                if level.is_some_and(|(t, _)| start - t > LEVEL_HOLDS_MS) {
                    level = None;
                }
                let mut range = level.map(|(_, v)| (v, v));
                for h in &inside {
                    level = Some((h.t, h.value));
                    range = Some(range.map_or((h.min, h.max), |(lo, hi)| (lo.min(h.min), hi.max(h.max))));
                }
                level.map(|(_, v)| point(start, v, Some(range.unwrap_or((v, v))), is_partial))
            }
        };
        out.extend(point);
    }
    out
}

/// Buckets the store already summed (counts and rates of a downsampled range) → points; the
/// minutes not stored yet are already folded into `sums` by the caller.
#[allow(clippy::too_many_arguments)] // as `from_minutes`
pub fn from_buckets(
    agg: Agg,
    from: i64,
    to: i64,
    step: i64,
    now: i64,
    sums: &BTreeMap<i64, crate::store::metrics::Bucket>,
    partial: Option<i64>,
) -> Vec<Point> {
    buckets(from, to, step, now)
        .into_iter()
        .map(|start| {
            let n = elapsed_minutes(start, step, from, to, now);
            let is_partial = partial.is_some_and(|p| p >= start && p < start + step);
            let (sum, min, max) = match sums.get(&start) {
                // Minutes without a row counted nothing.
                Some(b) => (b.sum, if b.minutes < n { 0.0 } else { b.min }, b.max.max(0.0)),
                None => (0.0, 0.0, 0.0),
            };
            let (v, min, max) = match agg {
                Agg::Rate => (sum / (n as f64 * 60.0), min / 60.0, max / 60.0),
                _ => (sum, min, max),
            };
            point(start, v, (step > MINUTE_MS).then_some((min, max)), is_partial)
        })
        .collect()
}

fn point(t: i64, v: f64, range: Option<(f64, f64)>, partial: bool) -> Point {
    Point { t, v, min: range.map(|r| r.0), max: range.map(|r| r.1), partial }
}

#[cfg(test)]
mod tests;
