//! How many refusals one source may write to the run log. A refusal is attacker-controlled
//! input turned into a row: 300 refused publishes with a 60 kB topic wrote 18 MB of run log in
//! 2 s. So (1) every attacker-controlled string in a refusal is cut to
//! [`crate::runlog::text::MAX_UNTRUSTED`] bytes, and (2) each source (an address before
//! authentication, the device after it) gets at most [`PER_MINUTE`] refusal entries per minute;
//! the rest are counted, and the next entry that is written says how many were suppressed.
//! Every refusal, written or not, is also counted at once by stage and code ([`RefusalBudget::totals`],
//! `fleetdeck_refused_total`), so `/metrics` is exact even when a flood stops mid-window.
//!
//! Fixed windows on the injected clock, like [`super::limits`].

use std::collections::HashMap;
use std::sync::Mutex;

use crate::clock::SharedClock;
use crate::hub::Stage;

/// Refusal entries one source may write per minute.
pub const PER_MINUTE: u32 = 20;
const WINDOW_MS: i64 = 60_000;
/// Sources tracked before finished windows are first swept.
const SWEEP_AT: usize = 4_096;

struct Window {
    start: i64,
    written: u32,
    /// Refusals not written since the last written one.
    suppressed: u64,
}

struct Windows {
    map: HashMap<String, Window>,
    /// Size at which the map is swept next: twice what survived the last sweep, so a fleet
    /// with more than [`SWEEP_AT`] sources refused in the same minute does not scan the whole
    /// map on every refusal (amortised O(1), as in [`super::limits`]).
    sweep_at: usize,
}

pub struct RefusalBudget {
    clock: SharedClock,
    windows: Mutex<Windows>,
    /// Every refusal since start by (stage, seed code).
    totals: Mutex<HashMap<(Stage, u32), u64>>,
}

impl RefusalBudget {
    pub fn new(clock: SharedClock) -> Self {
        RefusalBudget {
            clock,
            windows: Mutex::new(Windows { map: HashMap::new(), sweep_at: SWEEP_AT }),
            totals: Mutex::default(),
        }
    }

    /// Count one refusal, whether or not it is written.
    pub fn count(&self, stage: Stage, code: u32) {
        *self.totals.lock().unwrap_or_else(|e| e.into_inner()).entry((stage, code)).or_default() += 1;
    }

    /// Every refusal since start: (stage, seed code, count).
    pub fn totals(&self) -> Vec<(Stage, u32, u64)> {
        let totals = self.totals.lock().unwrap_or_else(|e| e.into_inner());
        totals.iter().map(|((s, c), n)| (*s, *c, *n)).collect()
    }

    /// One refusal from `source`: `Some(n)` = write it, saying that `n` were suppressed before
    /// it; `None` = over budget, only counted.
    pub fn admit(&self, source: &str) -> Option<u64> {
        let now = self.clock.now_ms();
        let start = now - now.rem_euclid(WINDOW_MS);
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.map.len() >= windows.sweep_at {
            // A window that is over and has nothing to report would restart at zero anyway.
            windows.map.retain(|_, w| w.start == start || w.suppressed > 0);
            windows.sweep_at = (windows.map.len() * 2).max(SWEEP_AT);
        }
        let w = windows.map.entry(source.to_owned()).or_insert(Window { start, written: 0, suppressed: 0 });
        if w.start != start {
            w.start = start;
            w.written = 0;
        }
        if w.written >= PER_MINUTE {
            w.suppressed = w.suppressed.saturating_add(1);
            return None;
        }
        w.written += 1;
        Some(std::mem::take(&mut w.suppressed))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::FakeClock;

    #[test]
    fn a_source_writes_its_budget_then_the_next_window_reports_what_was_suppressed() {
        let clock = FakeClock::new(1_700_000_000_000 - 1_700_000_000_000 % WINDOW_MS);
        let b = RefusalBudget::new(Arc::new(clock.clone()));
        for _ in 0..PER_MINUTE {
            assert_eq!(b.admit("ip:10.0.0.1"), Some(0));
        }
        for _ in 0..280 {
            assert_eq!(b.admit("ip:10.0.0.1"), None);
        }
        // Another source has its own budget.
        assert_eq!(b.admit("ip:10.0.0.2"), Some(0));
        clock.advance_ms(WINDOW_MS - 1);
        assert_eq!(b.admit("ip:10.0.0.1"), None, "still the same minute");
        clock.advance_ms(1);
        assert_eq!(b.admit("ip:10.0.0.1"), Some(281), "the first entry of the next minute counts the rest");
        assert_eq!(b.admit("ip:10.0.0.1"), Some(0));
    }

    #[test]
    fn many_live_sources_are_swept_now_and_then_not_on_every_refusal() {
        let clock = FakeClock::new(0);
        let b = RefusalBudget::new(Arc::new(clock.clone()));
        for i in 0..SWEEP_AT {
            assert_eq!(b.admit(&format!("dev:pk/d{i}")), Some(0));
        }
        // All live in this minute: the sweep keeps them and moves the next one out.
        assert_eq!(b.admit("dev:pk/one-more"), Some(0));
        let w = b.windows.lock().unwrap();
        assert_eq!((w.map.len(), w.sweep_at), (SWEEP_AT + 1, 2 * SWEEP_AT));
        drop(w);
        // A minute later the finished windows with nothing to report go at the next sweep.
        clock.advance_ms(WINDOW_MS);
        for i in 0..SWEEP_AT {
            b.admit(&format!("ip:10.0.{}.{}", i / 256, i % 256));
        }
        let w = b.windows.lock().unwrap();
        assert!(w.map.len() <= SWEEP_AT + 1, "{} sources kept", w.map.len());
    }
}
