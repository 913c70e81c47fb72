//! Closed minutes → the rows the store keeps. A count is stored when it is not zero (a missing
//! minute reads as zero). A level (online devices, device count, the instance's percentages) is
//! stored when it changed, and at the first closed minute of every hour: a quiet fleet of 1,000
//! products then stores 2,000 rows an hour instead of 120,000, and a series (or an hour's
//! rollup) always finds the level it starts with within the hour before.

use std::collections::HashMap;

use model::monitor::{hour_floor, Metric, Protocol};

use super::counter::{Capacity, ClosedMinute};
use crate::store::metrics::MetricRow;

/// The protocol column: '' for a metric not split by protocol.
pub fn protocol_column(p: Option<Protocol>) -> &'static str {
    p.map_or("", Protocol::code)
}

/// Remembers the last stored level per key, to store only changes.
#[derive(Debug, Default)]
pub struct LevelFilter {
    /// (scope, metric) → (minute, value) last stored.
    stored: HashMap<(String, Metric), (i64, f64)>,
}

impl LevelFilter {
    /// The rows to store for these closed minutes (in their order).
    pub fn rows(&mut self, closed: &[ClosedMinute], cap: Capacity) -> Vec<MetricRow> {
        let mut out = Vec::new();
        for m in closed {
            for (metric, protocol, value) in m.values(cap) {
                if !super::series::stored(metric) {
                    continue;
                }
                if metric.is_gauge() {
                    let key = (m.scope.clone(), metric);
                    let unchanged = self
                        .stored
                        .get(&key)
                        .is_some_and(|(t, v)| *v == value && hour_floor(*t) == hour_floor(m.t) && *t < m.t);
                    if unchanged {
                        continue;
                    }
                    self.stored.insert(key, (m.t, value));
                } else if value == 0.0 {
                    continue;
                }
                out.push(MetricRow {
                    product_key: m.scope.clone(),
                    metric: metric.base_code(),
                    protocol: protocol_column(protocol),
                    t: m.t,
                    value,
                });
            }
        }
        out
    }

    /// Forget products that are gone (their levels are stored once more if they come back).
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.stored.retain(|(scope, _), _| keep(scope));
    }
}
