use std::collections::BTreeMap;

use model::monitor::{bucket_ms, MAX_RANGE_MS};

use super::*;

const T0: i64 = 1_700_000_040_000 - 1_700_000_040_000 % HOUR_MS; // an hour boundary
const MIN: i64 = MINUTE_MS;

#[test]
fn an_hour_of_minutes_is_one_point_per_minute_with_zeros_and_the_partial_marked() {
    let minutes = BTreeMap::from([(T0, 3.0), (T0 + 2 * MIN, 5.0)]);
    let now = T0 + 2 * MIN + 10_000;
    let pts = from_minutes(Agg::Sum, T0, T0 + HOUR_MS, MIN, now, &minutes, None, Some(T0 + 2 * MIN));
    let got: Vec<(i64, f64, bool)> = pts.iter().map(|p| (p.t, p.v, p.partial)).collect();
    assert_eq!(got, [(T0, 3.0, false), (T0 + MIN, 0.0, false), (T0 + 2 * MIN, 5.0, true)], "no future points");
    assert!(pts.iter().all(|p| p.min.is_none() && p.max.is_none()), "one-minute buckets carry no range");
}

#[test]
fn a_week_of_minutes_keeps_under_the_point_limit_with_spikes_and_dips() {
    let from = T0;
    let to = T0 + MAX_RANGE_MS;
    let step = bucket_ms(from, to);
    let mut counts = BTreeMap::new();
    let mut levels = BTreeMap::new();
    for i in 0..MAX_RANGE_MS / MIN {
        counts.insert(from + i * MIN, 10.0);
        levels.insert(from + i * MIN, 50.0);
    }
    counts.insert(from + 5_000 * MIN, 999.0);
    levels.insert(from + 7_000 * MIN, 3.0);
    levels.insert(from + 7_001 * MIN, 50.0);
    let now = to + MIN;
    let c = from_minutes(Agg::Sum, from, to, step, now, &counts, None, None);
    assert!(c.len() as i64 <= MAX_POINTS && c.len() > 1_000, "{}", c.len());
    let spike = c.iter().find(|p| p.max == Some(999.0)).expect("the spike survives");
    assert_eq!(spike.v, 999.0 + 10.0 * (step / MIN - 1) as f64, "counts are summed");
    assert_eq!(c.iter().map(|p| p.v).sum::<f64>(), counts.values().sum::<f64>(), "nothing lost or doubled");
    let l = from_minutes(Agg::Last, from, to, step, now, &levels, None, None);
    assert!(l.len() as i64 <= MAX_POINTS);
    let dip = l.iter().find(|p| p.min == Some(3.0)).expect("the dip survives");
    assert_eq!(dip.v, 50.0, "a level's bucket is its last value");
    let r = from_minutes(Agg::Rate, from, to, step, now, &counts, None, None);
    assert_eq!(r[0].v, 10.0 / 60.0, "a rate is per second");
}

#[test]
fn levels_hold_between_rows_for_an_hour_then_are_unknown() {
    let minutes = BTreeMap::from([(T0 + 10 * MIN, 7.0)]);
    let now = T0 + 3 * HOUR_MS;
    let pts = from_minutes(Agg::Last, T0, T0 + 3 * HOUR_MS, MIN, now, &minutes, Some((T0 - MIN, 4.0)), None);
    assert_eq!(pts[0].v, 4.0, "the seed holds from the start");
    assert_eq!(pts.iter().find(|p| p.t == T0 + 10 * MIN).unwrap().v, 7.0);
    assert_eq!(pts.iter().find(|p| p.t == T0 + 70 * MIN).unwrap().v, 7.0);
    assert!(pts.iter().all(|p| p.t <= T0 + 71 * MIN), "past an hour and a minute without a row: unknown");
}

#[test]
fn hours_sum_counts_and_keep_the_newest_level() {
    let hours = [
        HourRow { t: T0, value: 120.0, min: 1.0, max: 9.0, minutes: 60 },
        HourRow { t: T0 + HOUR_MS, value: 30.0, min: 2.0, max: 4.0, minutes: 10 },
    ];
    let to = T0 + 2 * HOUR_MS;
    let pts = from_hours(Agg::Sum, T0, to, 2 * HOUR_MS, to, &hours, None, None);
    assert_eq!(pts.len(), 1);
    assert_eq!((pts[0].v, pts[0].min, pts[0].max), (150.0, Some(0.0), Some(9.0)), "50 minutes counted nothing");
    let pts = from_hours(Agg::Last, T0, to, HOUR_MS, to, &hours, None, Some((T0 + HOUR_MS + 5 * MIN, 8.0)));
    let got: Vec<(f64, bool)> = pts.iter().map(|p| (p.v, p.partial)).collect();
    assert_eq!(got, [(120.0, false), (8.0, true)], "the minute still counting is the newest level");
}

#[test]
fn buckets_align_to_the_step_and_never_exceed_the_limit() {
    let b = buckets(T0 + 30_000, T0 + 2_000 * MIN + 30_000, MIN, i64::MAX);
    assert_eq!(b.len() as i64, MAX_POINTS);
    assert!(b.iter().all(|t| t % MIN == 0));
    assert_eq!(*b.last().unwrap(), T0 + 2_000 * MIN);
    assert!(buckets(T0, T0 + HOUR_MS, MIN, T0 - 1).is_empty(), "a range in the future has no points yet");
}
