//! A periodic timer on the injected clock.
//!
//! Ticks lie on a fixed grid, `start + k × period`; the first is at `start` (at once for
//! [`ClockExt::interval`](super::ClockExt::interval)). **Missed ticks are skipped, not replayed**: when
//! the task comes back late (a stall, a slow tick body, a fake clock moved by an hour at once) it
//! gets one tick, and the next is the first grid point after now. Why skip:
//! - an OTA push rate ("N devices per minute") must not push a minute's worth of devices several
//!   times over after a stall, which is what a burst would do;
//! - a simulator sending "every N s for at most 3 h" must not flood a device's topic to catch up,
//!   and its message count must stay within 3 h / N;
//! - staying on the grid (rather than delaying the whole schedule by the stall) keeps the long-run
//!   rate exact and per-minute work aligned to the minute.
//!
//! How many ticks were skipped is counted ([`Interval::skipped`]) so a caller can log it.

use super::{Clock, SharedClock};

pub struct Interval {
    clock: SharedClock,
    period_ms: i64,
    next_ms: i64,
    skipped: u64,
}

impl Interval {
    /// Ticks every `period_ms` (at least 1), the first at once.
    pub fn new(clock: SharedClock, period_ms: i64) -> Self {
        let start = clock.now_ms();
        Interval::starting_at(clock, start, period_ms)
    }

    /// Ticks at `start_ms`, `start_ms + period_ms`, … (a start in the past ticks at once).
    pub fn starting_at(clock: SharedClock, start_ms: i64, period_ms: i64) -> Self {
        Interval { clock, period_ms: period_ms.max(1), next_ms: start_ms, skipped: 0 }
    }

    /// Wait for the next tick; returns the grid time it was scheduled for.
    ///
    /// Cancel-safe: dropping the future before it completes loses no tick (the schedule only
    /// moves on when a tick is returned), so it can sit in a `select!` loop.
    pub async fn tick(&mut self) -> i64 {
        self.clock.sleep_until(self.next_ms).await;
        let scheduled = self.next_ms;
        let now = self.clock.now_ms();
        // Whole periods that passed after this tick's time: those ticks are skipped.
        let behind = now.saturating_sub(scheduled).max(0) / self.period_ms;
        self.skipped = self.skipped.saturating_add(behind as u64);
        self.next_ms = scheduled.saturating_add(behind.saturating_add(1).saturating_mul(self.period_ms));
        scheduled
    }

    /// The grid time of the next tick.
    pub fn next_tick_ms(&self) -> i64 {
        self.next_ms
    }

    pub fn period_ms(&self) -> i64 {
        self.period_ms
    }

    /// Ticks skipped so far because the task came back more than a period late.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }
}
