//! The Monitoring overview's data, kept current: the loaded series plus the minutes pushed over
//! the WebSocket, and the KPI tiles. Pure functions, so the rules are tested without a browser.
//!
//! - A pushed minute replaces the point of the same minute (the partial one so far, or the
//!   REST answer's partial point) or is appended after the last one; an older point still
//!   marked partial is final by then.
//! - Only minute-wide series take pushed minutes: a downsampled range (a week) has buckets of
//!   several minutes whose parts the page does not know, so it is reloaded when a minute closes.
//! - A preset range slides: points that fell out of "the last hour" are dropped.

use model::monitor::{Metric, MinuteSample, Point, Protocol, SeriesResponse, Stats, MINUTE_MS};

use crate::components::series_chart::TPoint;

/// The value a sample carries for one series. Counters a sample leaves out counted nothing in
/// that minute; a gauge it leaves out keeps its last level (`None`).
pub fn sample_value(sample: &MinuteSample, metric: Metric, protocol: Option<Protocol>) -> Option<f64> {
    let found = sample.values.iter().find(|v| v.metric == metric && v.protocol == protocol).map(|v| v.value);
    match found {
        Some(v) => Some(v),
        None if metric.is_gauge() => None,
        None => Some(0.0),
    }
}

/// Put `sample` into minute-wide series. `keep_from` (a preset range: now − span) drops points
/// before it. Returns whether anything changed; `false` when the series are downsampled (the
/// caller reloads them) or the minute lies outside a fixed range.
pub fn apply_sample(resp: &mut SeriesResponse, sample: &MinuteSample, keep_from: Option<i64>) -> bool {
    if resp.step_ms != MINUTE_MS || resp.product_key != sample.product_key {
        return false;
    }
    match keep_from {
        Some(from) => {
            resp.from = resp.from.max(from);
            resp.to = resp.to.max(sample.t + MINUTE_MS);
        }
        // A fixed range: only minutes inside it.
        None if sample.t < resp.from || sample.t >= resp.to => return false,
        None => {}
    }
    let mut changed = false;
    for s in &mut resp.series {
        if let Some(from) = keep_from {
            let before = s.points.len();
            s.points.retain(|p| p.t + MINUTE_MS > from);
            changed |= s.points.len() != before;
        }
        let Some(v) = sample_value(sample, s.metric, s.protocol) else { continue };
        // Quiet minutes push nothing for a product: fill them as the server's answer would
        // (counts zero, levels unchanged), so the line does not ramp across them.
        let fill = |last: f64| if s.metric.is_gauge() { last } else { 0.0 };
        changed |= fill_gap(&mut s.points, sample.t, fill);
        changed |= upsert(&mut s.points, sample.t, v, sample.partial);
    }
    changed
}

/// Minutes between the last point and `t` that were never pushed, filled with `fill(last value)`.
fn fill_gap(points: &mut Vec<Point>, t: i64, fill: impl Fn(f64) -> f64) -> bool {
    let Some(last) = points.last().copied() else { return false };
    let mut m = last.t + MINUTE_MS;
    let filled = m < t;
    while m < t {
        points.push(Point { t: m, v: fill(last.v), min: None, max: None, partial: false });
        m += MINUTE_MS;
    }
    filled
}

/// Set the minute `t` to `v`, keeping the points ordered; earlier partial points become final.
fn upsert(points: &mut Vec<Point>, t: i64, v: f64, partial: bool) -> bool {
    for p in points.iter_mut().filter(|p| p.t < t && p.partial) {
        p.partial = false;
    }
    let new = Point { t, v, min: None, max: None, partial };
    match points.binary_search_by_key(&t, |p| p.t) {
        Ok(i) if points[i] == new => false,
        Ok(i) => {
            points[i] = new;
            true
        }
        Err(i) => {
            points.insert(i, new);
            true
        }
    }
}

/// Whether the server sums the metric's minutes into a bucket (counts); levels take the
/// bucket's last value and rates (QPS) are already per second.
pub fn summed(m: Metric) -> bool {
    !m.is_gauge() && !matches!(m, Metric::UpstreamQps | Metric::DownstreamQps)
}

/// A point as the chart draws it. Counts of a bucket wider than a minute are summed by the
/// server; the chart shows them per minute (the bucket's average), like its min–max band (the
/// quietest and busiest minute), so a week reads on the same scale as an hour.
pub fn per_minute(p: &Point, step_ms: i64, m: Metric) -> TPoint {
    let minutes = (step_ms / MINUTE_MS).max(1) as f64;
    let v = if summed(m) { p.v / minutes } else { p.v };
    TPoint { t: p.t, v, min: p.min, max: p.max, partial: p.partial }
}

/// What the KPI tiles show. `None`: not known (yet); the tile says so instead of guessing.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tiles {
    pub online: Option<f64>,
    /// Devices registered (in the scope): "3 of 5 devices".
    pub devices: Option<f64>,
    /// The last complete minute.
    pub up: Option<f64>,
    pub down: Option<f64>,
    pub tsl_errors: Option<f64>,
    pub connects: Option<f64>,
    /// The current minute so far (from the partial samples).
    pub now: Option<MinuteNow>,
}

/// The current minute's figures so far.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MinuteNow {
    pub t: i64,
    pub up: f64,
    pub down: f64,
    pub tsl_errors: f64,
    pub connects: f64,
}

/// The four TSL error metrics the "TSL errors" tile adds up.
pub const TSL_ERRORS: [Metric; 4] = [
    Metric::DevicePropertyReportError,
    Metric::DeviceEventReportError,
    Metric::DevicePropertySettingError,
    Metric::DeviceServiceCallError,
];

fn mqtt(sample: &MinuteSample, m: Metric) -> f64 {
    let protocol = m.per_protocol().then_some(Protocol::Mqtt);
    sample_value(sample, m, protocol).unwrap_or(0.0)
}

impl Tiles {
    /// From the stats answer (the registry's online count and the last complete minute).
    pub fn from_stats(s: &Stats) -> Tiles {
        let lm = s.last_minute;
        Tiles {
            online: Some(s.online as f64),
            devices: Some(s.devices as f64),
            // No complete minute counted yet (a fresh server): nothing happened, so zero.
            up: Some(lm.map_or(0.0, |m| m.up as f64)),
            down: Some(lm.map_or(0.0, |m| m.down as f64)),
            tsl_errors: Some(lm.map_or(0.0, |m| m.tsl_errors as f64)),
            connects: Some(lm.map_or(0.0, |m| m.connects as f64)),
            now: None,
        }
    }

    /// The current minute so far from a loaded answer's partial (dashed) minute, so the tiles
    /// say it as soon as the charts do, not only after the next pushed minute (seconds later;
    /// meanwhile a busy fleet's tile read "0, last complete minute" beside a chart counting
    /// hundreds). A newer pushed minute is kept.
    pub fn seed_now(&mut self, resp: &SeriesResponse) {
        if resp.step_ms != MINUTE_MS {
            return;
        }
        let partial = |m: Metric| {
            let protocol = m.per_protocol().then_some(Protocol::Mqtt);
            let s = resp.series.iter().find(|s| s.metric == m && s.protocol == protocol)?;
            s.points.last().filter(|p| p.partial).map(|p| (p.t, p.v))
        };
        let Some((t, up)) = partial(Metric::MessageCountSentToIoT) else { return };
        if self.now.is_some_and(|n| n.t >= t) {
            return;
        }
        let at = |m: Metric| partial(m).filter(|(pt, _)| *pt == t).map_or(0.0, |(_, v)| v);
        self.now = Some(MinuteNow {
            t,
            up,
            down: at(Metric::MessageCountSentFromIoT),
            tsl_errors: TSL_ERRORS.iter().map(|m| at(*m)).sum(),
            connects: at(Metric::ConnectCountPerMinute),
        });
    }

    /// A pushed minute: a final one becomes "the last minute", a partial one "so far".
    pub fn apply(&mut self, sample: &MinuteSample) {
        if let Some(v) = sample_value(sample, Metric::OnlineDevicesCount, Some(Protocol::Mqtt)) {
            self.online = Some(v);
        }
        // Counted when a minute closes: a partial minute's figure may not be read yet.
        if let (false, Some(v)) = (sample.partial, sample_value(sample, Metric::DeviceCountProduct, None)) {
            self.devices = Some(v);
        }
        let up = mqtt(sample, Metric::MessageCountSentToIoT);
        let down = mqtt(sample, Metric::MessageCountSentFromIoT);
        let tsl_errors = TSL_ERRORS.iter().map(|m| mqtt(sample, *m)).sum();
        let connects = mqtt(sample, Metric::ConnectCountPerMinute);
        if sample.partial {
            // An older partial minute never replaces a newer one (frames of two minutes may
            // arrive together).
            if self.now.is_none_or(|n| n.t <= sample.t) {
                self.now = Some(MinuteNow { t: sample.t, up, down, tsl_errors, connects });
            }
        } else {
            self.up = Some(up);
            self.down = Some(down);
            self.tsl_errors = Some(tsl_errors);
            self.connects = Some(connects);
            if self.now.is_some_and(|n| n.t <= sample.t) {
                self.now = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::monitor::{MetricValue, MinuteFigures, Series};

    fn resp(step_ms: i64, points: Vec<Point>) -> SeriesResponse {
        SeriesResponse {
            from: 0,
            to: 10 * MINUTE_MS,
            step_ms,
            product_key: None,
            series: vec![Series { metric: Metric::MessageCountSentToIoT, protocol: Some(Protocol::Mqtt), points }],
        }
    }

    fn pt(t: i64, v: f64, partial: bool) -> Point {
        Point { t: t * MINUTE_MS, v, min: None, max: None, partial }
    }

    fn sample(t: i64, up: f64, partial: bool) -> MinuteSample {
        MinuteSample {
            product_key: None,
            t: t * MINUTE_MS,
            partial,
            values: vec![
                MetricValue { metric: Metric::MessageCountSentToIoT, protocol: Some(Protocol::Mqtt), value: up },
                MetricValue { metric: Metric::OnlineDevicesCount, protocol: Some(Protocol::Mqtt), value: 3.0 },
            ],
        }
    }

    #[test]
    fn the_current_minute_rises_in_place_then_closes_and_the_next_one_is_appended() {
        let mut r = resp(MINUTE_MS, vec![pt(1, 4.0, false), pt(2, 1.0, true)]);
        assert!(apply_sample(&mut r, &sample(2, 3.0, true), None));
        assert_eq!(r.series[0].points, vec![pt(1, 4.0, false), pt(2, 3.0, true)]);
        assert!(!apply_sample(&mut r, &sample(2, 3.0, true), None), "the same figures twice");
        assert!(apply_sample(&mut r, &sample(3, 1.0, true), None));
        assert_eq!(r.series[0].points, vec![pt(1, 4.0, false), pt(2, 3.0, false), pt(3, 1.0, true)]);
        assert!(apply_sample(&mut r, &sample(3, 2.0, false), None));
        assert_eq!(r.series[0].points[2], pt(3, 2.0, false));
    }

    #[test]
    fn quiet_minutes_in_between_are_filled_as_the_server_would() {
        let mut r = resp(MINUTE_MS, vec![pt(1, 4.0, false)]);
        r.series.push(Series {
            metric: Metric::OnlineDevicesCount,
            protocol: Some(Protocol::Mqtt),
            points: vec![pt(1, 2.0, false)],
        });
        assert!(apply_sample(&mut r, &sample(4, 1.0, true), None));
        assert_eq!(r.series[0].points, vec![pt(1, 4.0, false), pt(2, 0.0, false), pt(3, 0.0, false), pt(4, 1.0, true)]);
        let online: Vec<f64> = r.series[1].points.iter().map(|p| p.v).collect();
        assert_eq!(online, vec![2.0, 2.0, 2.0, 3.0], "a level carries over");
    }

    #[test]
    fn counters_left_out_counted_zero_and_gauges_keep_their_level() {
        let s = sample(1, 2.0, false);
        assert_eq!(sample_value(&s, Metric::MessageCountSentFromIoT, Some(Protocol::Mqtt)), Some(0.0));
        assert_eq!(sample_value(&s, Metric::DeviceCountProduct, None), None);
        assert_eq!(sample_value(&s, Metric::OnlineDevicesCount, Some(Protocol::Mqtt)), Some(3.0));
    }

    #[test]
    fn fixed_ranges_downsampled_series_and_other_products_are_left_alone() {
        let mut r = resp(MINUTE_MS, vec![pt(1, 4.0, false)]);
        assert!(!apply_sample(&mut r, &sample(10, 1.0, true), None), "after a fixed range");
        let mut week = resp(6 * MINUTE_MS, vec![pt(0, 4.0, false)]);
        assert!(!apply_sample(&mut week, &sample(6, 1.0, false), Some(0)));
        let mut other = resp(MINUTE_MS, vec![]);
        other.product_key = Some("a1Other".into());
        assert!(!apply_sample(&mut other, &sample(2, 1.0, true), Some(0)));
    }

    #[test]
    fn a_sliding_range_drops_what_fell_out_and_extends_its_end() {
        let mut r = resp(MINUTE_MS, vec![pt(1, 4.0, false), pt(2, 5.0, false)]);
        assert!(apply_sample(&mut r, &sample(12, 1.0, true), Some(2 * MINUTE_MS)));
        let minutes: Vec<i64> = r.series[0].points.iter().map(|p| p.t / MINUTE_MS).collect();
        assert_eq!(minutes, (2..=12).collect::<Vec<_>>(), "minute 1 fell out; 3–11 were quiet");
        assert_eq!((r.from, r.to), (2 * MINUTE_MS, 13 * MINUTE_MS));
    }

    #[test]
    fn downsampled_counts_read_per_minute_and_gauges_as_they_are() {
        let p = Point { t: 0, v: 60.0, min: Some(2.0), max: Some(30.0), partial: false };
        let count = Metric::MessageCountSentToIoT;
        assert_eq!(per_minute(&p, 6 * MINUTE_MS, count).v, 10.0);
        assert_eq!(per_minute(&p, 6 * MINUTE_MS, Metric::OnlineDevicesCount).v, 60.0);
        assert_eq!(per_minute(&p, 6 * MINUTE_MS, Metric::UpstreamQps).v, 60.0, "a rate is per second already");
        assert_eq!(per_minute(&p, MINUTE_MS, count).v, 60.0);
        assert_eq!(per_minute(&p, 6 * MINUTE_MS, count).max, Some(30.0));
    }

    #[test]
    fn tiles_take_stats_then_live_minutes() {
        let stats = Stats {
            at: 0,
            product_key: None,
            devices: 5,
            online: 2,
            offline: 3,
            inactive: 0,
            disabled: 0,
            products: 1,
            per_product: vec![],
            last_minute: None,
        };
        let mut t = Tiles::from_stats(&stats);
        assert_eq!((t.online, t.devices, t.up), (Some(2.0), Some(5.0), Some(0.0)));
        t.apply(&sample(5, 7.0, true));
        assert_eq!(t.online, Some(3.0));
        assert_eq!(t.up, Some(0.0), "a partial minute is not the last minute");
        assert_eq!(t.now.map(|n| n.up), Some(7.0));
        t.apply(&sample(4, 1.0, true));
        assert_eq!(t.now.map(|n| n.t), Some(5 * MINUTE_MS), "an older partial minute is ignored");
        t.apply(&sample(5, 9.0, false));
        assert_eq!((t.up, t.now), (Some(9.0), None));
        let lm = MinuteFigures { up: 4, down: 2, tsl_errors: 1, connects: 1 };
        let t = Tiles::from_stats(&Stats { last_minute: Some(lm), ..stats });
        assert_eq!((t.up, t.down, t.tsl_errors, t.connects), (Some(4.0), Some(2.0), Some(1.0), Some(1.0)));
    }

    #[test]
    fn tiles_read_the_current_minute_from_the_loaded_series_until_a_newer_one_is_pushed() {
        let stats = Stats {
            at: 0,
            product_key: None,
            devices: 200,
            online: 200,
            offline: 0,
            inactive: 0,
            disabled: 0,
            products: 5,
            per_product: vec![],
            last_minute: None,
        };
        let mut r = resp(MINUTE_MS, vec![pt(4, 900.0, false), pt(5, 300.0, true)]);
        r.series.push(Series {
            metric: Metric::ConnectCountPerMinute,
            protocol: None,
            points: vec![pt(4, 180.0, false), pt(5, 2.0, true)],
        });
        let mut t = Tiles::from_stats(&stats);
        t.seed_now(&r);
        let now = t.now.expect("the partial minute so far");
        assert_eq!((now.t, now.up, now.connects, now.down), (5 * MINUTE_MS, 300.0, 2.0, 0.0));
        t.apply(&sample(5, 350.0, true));
        t.seed_now(&r);
        assert_eq!(t.now.map(|n| n.up), Some(350.0), "a pushed figure is not replaced by an older answer");
        let mut closed = Tiles::from_stats(&stats);
        closed.seed_now(&resp(MINUTE_MS, vec![pt(4, 900.0, false)]));
        assert_eq!(closed.now, None, "no partial minute, nothing so far");
        closed.seed_now(&resp(6 * MINUTE_MS, vec![pt(5, 300.0, true)]));
        assert_eq!(closed.now, None, "a multi-minute bucket is not this minute");
    }
}
