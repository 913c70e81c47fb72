//! A device's history on its page: property values over time (seed "View Data") and the events
//! it posted, with the time-range rules and the downsampling both share.
//!
//! Why downsample on the server: a property posted every second is 600,000 values a week; a
//! browser chart draws ~2,000 points well. Each time bucket keeps its first, last, smallest and
//! largest value (M4), so a spike or a dip inside a bucket is never averaged away and the line
//! still starts and ends where the data does.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::tsl::EventType;

/// The most points one history answer holds (and the default).
pub const MAX_POINTS: u32 = 2000;
/// The longest range one query may ask for.
pub const MAX_RANGE_MS: i64 = 31 * 24 * 3600 * 1000;
/// Range when none is given.
pub const DEFAULT_RANGE_MS: i64 = 3600 * 1000;

/// A `[from, to)` range from optional query values: `to` defaults to just after `now` (a value
/// stored this millisecond is included), `from` to an hour before `to`.
pub fn resolve_range(from: Option<i64>, to: Option<i64>, now: i64) -> Result<(i64, i64), String> {
    let to = to.unwrap_or(now.saturating_add(1));
    let from = from.unwrap_or(to.saturating_sub(DEFAULT_RANGE_MS));
    if from < 0 || to < 0 {
        return Err("from and to are milliseconds since 1970 and cannot be negative".into());
    }
    if from >= to {
        return Err(format!("from ({from}) must be before to ({to})"));
    }
    if to - from > MAX_RANGE_MS {
        return Err(format!("the range may span at most {} days", MAX_RANGE_MS / 86_400_000));
    }
    Ok((from, to))
}

/// `max_points` within 4..=[`MAX_POINTS`] (4: one bucket's first, min, max and last).
pub fn resolve_max_points(max_points: Option<u32>) -> Result<usize, String> {
    resolve_count("max_points", max_points, MAX_POINTS, 4..=MAX_POINTS).map(|n| n as usize)
}

/// A count parameter (`limit`, `max_points`): `default` when absent, else it must lie in `ok`.
pub fn resolve_count(
    name: &str,
    given: Option<u32>,
    default: u32,
    ok: std::ops::RangeInclusive<u32>,
) -> Result<u32, String> {
    match given.unwrap_or(default) {
        n if ok.contains(&n) => Ok(n),
        n => Err(format!("{name} must be {}-{}, not {n}", ok.start(), ok.end())),
    }
}

/// One stored value of a property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryPoint {
    /// Device time if the device sent one, else the receive time (ms).
    pub time: i64,
    pub value: Value,
}

/// `GET /api/v1/devices/{pk}/{dn}/properties/{identifier}/history`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct HistoryQuery {
    /// Start (ms, inclusive); default: an hour before `to`.
    pub from: Option<i64>,
    /// End (ms, exclusive); default: now.
    pub to: Option<i64>,
    /// Most points to return (4-2000, default 2000); more stored values are downsampled.
    pub max_points: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropertyHistory {
    pub identifier: String,
    pub from: i64,
    pub to: i64,
    /// Values stored in the range.
    pub total: u64,
    /// `points` is a downsampled subset of them (each bucket's first, min, max and last).
    pub downsampled: bool,
    /// Oldest first.
    pub points: Vec<HistoryPoint>,
}

/// A value as a number for min/max: numbers, and bools as 0/1 (the thing model's bool is 0/1).
pub fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

/// At most `max_points` of `points` (sorted by time, within `[from, to)`): all of them if they
/// fit, else per time bucket the first, the smallest, the largest and the last value (values
/// that are not numbers keep only first and last). Result is in time order without repeats.
pub fn downsample(points: Vec<HistoryPoint>, from: i64, to: i64, max_points: usize) -> Vec<HistoryPoint> {
    if points.len() <= max_points {
        return points;
    }
    let buckets = (max_points / 4).max(1) as i64;
    let span = (to - from).max(1);
    let bucket_of = |t: i64| (((t - from).clamp(0, span - 1) as i128 * buckets as i128) / span as i128) as i64;
    let mut keep = Vec::with_capacity(max_points);
    let mut start = 0;
    while start < points.len() {
        let b = bucket_of(points[start].time);
        let mut end = start + 1;
        while end < points.len() && bucket_of(points[end].time) == b {
            end += 1;
        }
        let (mut lo, mut hi) = (None::<(usize, f64)>, None::<(usize, f64)>);
        for (i, p) in points[start..end].iter().enumerate() {
            if let Some(x) = as_number(&p.value) {
                if lo.is_none_or(|(_, l)| x < l) {
                    lo = Some((start + i, x));
                }
                if hi.is_none_or(|(_, h)| x > h) {
                    hi = Some((start + i, x));
                }
            }
        }
        let mut idx = vec![start, end - 1];
        idx.extend(lo.map(|(i, _)| i));
        idx.extend(hi.map(|(i, _)| i));
        idx.sort_unstable();
        idx.dedup();
        keep.extend(idx);
        start = end;
    }
    let mut points: Vec<Option<HistoryPoint>> = points.into_iter().map(Some).collect();
    keep.into_iter().filter_map(|i| points[i].take()).collect()
}

/// `GET /api/v1/devices/{pk}/{dn}/events`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct EventQuery {
    /// Only this event (its identifier).
    pub identifier: Option<String>,
    /// Only this type: `info`, `alert` or `error`.
    #[serde(rename = "type")]
    pub event_type: Option<EventType>,
    /// Start (ms, inclusive); default: 7 days before `to`.
    pub from: Option<i64>,
    /// End (ms, exclusive); default: now.
    pub to: Option<i64>,
    /// Most events (1-1000, default 200); the newest are kept.
    pub limit: Option<u32>,
}

pub const MAX_EVENTS: u32 = 1000;
pub const DEFAULT_EVENTS: u32 = 200;
/// The events list looks back a week unless told otherwise.
pub const DEFAULT_EVENT_RANGE_MS: i64 = 7 * 24 * 3600 * 1000;

/// One event a device posted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceEventRow {
    pub id: i64,
    pub identifier: String,
    pub event_type: EventType,
    /// The event's output parameters as posted.
    pub params: Value,
    /// Device time if the device sent one, else the receive time (ms).
    pub time: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventPage {
    pub from: i64,
    pub to: i64,
    /// Newest first.
    pub items: Vec<DeviceEventRow>,
    /// More events matched than `limit`.
    pub truncated: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(time: i64, v: Value) -> HistoryPoint {
        HistoryPoint { time, value: v }
    }

    #[test]
    fn ranges() {
        assert_eq!(resolve_range(None, None, 10_000_000), Ok((10_000_001 - DEFAULT_RANGE_MS, 10_000_001)));
        assert_eq!(resolve_range(Some(5), Some(9), 0), Ok((5, 9)));
        assert!(resolve_range(Some(9), Some(9), 0).unwrap_err().contains("before"));
        assert!(resolve_range(Some(0), Some(MAX_RANGE_MS + 1), 0).unwrap_err().contains("31 days"));
        assert!(resolve_range(Some(-1), Some(5), 0).is_err());
        assert!(resolve_range(None, Some(i64::MIN), 0).is_err());
        assert_eq!(resolve_max_points(None), Ok(2000));
        assert!(resolve_max_points(Some(2001)).is_err());
        assert!(resolve_max_points(Some(3)).is_err());
    }

    #[test]
    fn few_points_pass_through() {
        let pts = vec![p(1, json!(1)), p(2, json!("x"))];
        assert_eq!(downsample(pts.clone(), 0, 10, 4), pts);
    }

    #[test]
    fn downsampling_keeps_min_max_first_and_last() {
        // 10,000 points of a slow sine with one spike and one dip hidden in the middle.
        let mut pts: Vec<HistoryPoint> = (0..10_000).map(|i| p(i, json!(((i as f64) / 500.0).sin() * 10.0))).collect();
        pts[4321].value = json!(1000.0);
        pts[7654].value = json!(-1000);
        let out = downsample(pts, 0, 10_000, 400);
        assert!(out.len() <= 400, "{} points", out.len());
        assert!(out.windows(2).all(|w| w[0].time < w[1].time), "in time order, no repeats");
        assert_eq!((out[0].time, out.last().unwrap().time), (0, 9_999));
        assert!(out.iter().any(|x| x.time == 4321 && x.value == json!(1000.0)));
        assert!(out.iter().any(|x| x.time == 7654 && x.value == json!(-1000)));
    }

    #[test]
    fn bools_and_text_downsample_without_panicking() {
        let pts: Vec<HistoryPoint> = (0..1000)
            .map(|i| {
                p(
                    i,
                    if i % 3 == 0 {
                        json!(true)
                    } else if i % 3 == 1 {
                        json!("t")
                    } else {
                        json!(null)
                    },
                )
            })
            .collect();
        let out = downsample(pts, 0, 1000, 8);
        assert!(out.len() <= 8 && !out.is_empty());
        // Points outside the range (a clock skew) land in the edge buckets, not out of bounds.
        let out = downsample((0..100).map(|i| p(i * 1000 - 50_000, json!(i))).collect(), 0, 10, 4);
        assert!(out.len() <= 8);
    }

    #[test]
    fn event_type_filter_parses_the_seed_names() {
        let q: EventQuery = serde_json::from_value(json!({"type": "alert", "identifier": "Alarm"})).unwrap();
        assert_eq!(q.event_type, Some(EventType::Alert));
        assert!(serde_json::from_value::<EventQuery>(json!({"type": "warning"})).is_err());
    }
}
