//! Percentiles of latency samples and the median/spread of repeated runs. Exact (samples are
//! kept and sorted): a run holds at most a few hundred thousand samples.

use serde::Serialize;

/// Latency samples in microseconds.
#[derive(Debug, Default, Clone)]
pub struct Samples {
    values: Vec<u64>,
    sorted: bool,
}

impl Samples {
    pub fn with_capacity(n: usize) -> Self {
        Samples { values: Vec::with_capacity(n), sorted: true }
    }

    pub fn push(&mut self, us: u64) {
        self.values.push(us);
        self.sorted = false;
    }

    /// The `p`-th percentile (0 < p ≤ 100) by the nearest-rank method: the smallest sample such
    /// that at least p % of the samples are ≤ it. `None` without samples.
    pub fn percentile(&mut self, p: f64) -> Option<u64> {
        if !self.sorted {
            self.values.sort_unstable();
            self.sorted = true;
        }
        nearest_rank(&self.values, p)
    }
}

/// Nearest-rank percentile of sorted values.
pub fn nearest_rank(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let p = p.clamp(0.0, 100.0);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// Median and range of repeated measurements.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub n: usize,
}

impl Spread {
    /// `None` for no values. The median of an even count is the mean of the middle two.
    pub fn of(values: &[f64]) -> Option<Spread> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(|a, b| a.total_cmp(b));
        let n = v.len();
        let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
        Some(Spread { median, min: v[0], max: v[n - 1], n })
    }

    /// For values that may be +∞ (a latency percentile whose message never arrived): +∞ when more
    /// than half of them are, so that a median of mostly lost runs never looks fast; otherwise
    /// the spread of the finite ones.
    pub fn of_or_infinite(values: &[f64]) -> Option<Spread> {
        let lost = values.iter().filter(|x| x.is_infinite()).count();
        if lost * 2 > values.len() {
            let inf = f64::INFINITY;
            return Some(Spread { median: inf, min: inf, max: inf, n: values.len() });
        }
        Spread::of(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut s = Samples::with_capacity(100);
        // 100 ..= 1 (unsorted on purpose)
        for v in (1..=100).rev() {
            s.push(v);
        }
        assert_eq!(s.percentile(50.0), Some(50));
        assert_eq!(s.percentile(99.0), Some(99));
        assert_eq!(s.percentile(99.9), Some(100));
        assert_eq!(s.percentile(100.0), Some(100));
        assert_eq!(s.percentile(0.0), Some(1));
        assert_eq!(s.percentile(1.0), Some(1));
        assert_eq!(s.percentile(1.5), Some(2));
        assert_eq!(nearest_rank(&[], 50.0), None);
        assert_eq!(nearest_rank(&[7], 99.0), Some(7));
        // A single outlier in 1000 does not move p99, two in 100 do.
        let mut v = vec![10u64; 999];
        v.push(1_000_000);
        assert_eq!(nearest_rank(&v, 99.0), Some(10));
        let mut w = vec![10u64; 98];
        w.extend([500, 600]);
        assert_eq!(nearest_rank(&w, 99.0), Some(500));
    }

    #[test]
    fn spread_of_runs() {
        assert_eq!(Spread::of(&[]), None);
        assert_eq!(Spread::of(&[3.0, 1.0, 2.0]), Some(Spread { median: 2.0, min: 1.0, max: 3.0, n: 3 }));
        assert_eq!(Spread::of(&[4.0, 1.0, 2.0, 3.0]).unwrap().median, 2.5);
        assert_eq!(Spread::of(&[f64::NAN, 5.0]).unwrap().n, 1);
    }

    #[test]
    fn mostly_lost_runs_have_an_infinite_median() {
        let inf = f64::INFINITY;
        assert_eq!(Spread::of_or_infinite(&[]), None);
        assert_eq!(Spread::of_or_infinite(&[1.0, 3.0, inf]).unwrap().median, 2.0);
        assert_eq!(Spread::of_or_infinite(&[1.0, inf, inf]).unwrap().median, inf);
        assert_eq!(Spread::of_or_infinite(&[1.0, inf]).unwrap().median, 1.0);
    }
}
