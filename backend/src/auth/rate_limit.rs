//! Failure limiting, for console logins and device authentications: after too many failures
//! within a window, a key (a user name, a client address) is refused until the window has
//! passed. Time comes from the injected clock.
//!
//! Check and count are one step ([`FailureLimiter::begin`]): an attempt is counted as a failure
//! *before* its password is verified and refunded only if it succeeds. Checking first and
//! counting after the (slow, deliberately) hash let 40 parallel guesses from one address all be
//! verified; now at most [`MAX_FAILURES`] guesses per key and window are ever verified, however
//! many arrive at once. Hand-written rather than a GCRA crate (governor): those spend a cell per
//! request and cannot refund one for a successful login, and a correct password must not lock
//! its owner out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::clock::SharedClock;

/// Console logins: failures allowed per key within [`WINDOW_MS`].
pub const MAX_FAILURES: usize = 5;
/// Console logins: length of the sliding window.
pub const WINDOW_MS: i64 = 5 * 60 * 1000;
/// Keys kept at most; beyond this the oldest-looking entries are pruned, so a flood of
/// random user names cannot grow memory without bound.
const MAX_KEYS: usize = 100_000;

type Failures = HashMap<String, Vec<i64>>;

pub struct FailureLimiter {
    clock: SharedClock,
    max: usize,
    window_ms: i64,
    /// Failure times per key (`user:NAME` or `ip:ADDR`), attempts in progress included.
    failures: Arc<Mutex<Failures>>,
}

/// An attempt let through by [`FailureLimiter::begin`]: it counts as a failure unless
/// [`Attempt::succeeded`] is called.
#[must_use = "an attempt counts as a failure unless it succeeds"]
pub struct Attempt {
    failures: Arc<Mutex<Failures>>,
    keys: Vec<String>,
    at: i64,
}

impl Attempt {
    /// It succeeded: it no longer counts against any of its keys.
    pub fn succeeded(self) {
        let mut map = lock(&self.failures);
        for k in &self.keys {
            if let Some(v) = map.get_mut(k) {
                if let Some(pos) = v.iter().position(|t| *t == self.at) {
                    v.swap_remove(pos);
                }
            }
        }
    }
}

fn lock(m: &Mutex<Failures>) -> std::sync::MutexGuard<'_, Failures> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl FailureLimiter {
    /// The console's login limiter: [`MAX_FAILURES`] per [`WINDOW_MS`].
    pub fn new(clock: SharedClock) -> Self {
        Self::with_limits(clock, MAX_FAILURES, WINDOW_MS)
    }

    /// `max` failures per key within `window_ms`; 0 = unlimited.
    pub fn with_limits(clock: SharedClock, max: usize, window_ms: i64) -> Self {
        let max = if max == 0 { usize::MAX } else { max };
        FailureLimiter { clock, max, window_ms, failures: Arc::default() }
    }

    /// Forget every failure of `key` (a user who just logged in starts again).
    pub fn forget(&self, key: &str) {
        lock(&self.failures).remove(key);
    }

    /// Let one attempt through, or the seconds to wait if any key is at its limit. The attempt
    /// counts as a failure from now on (refunded by [`Attempt::succeeded`]): for checks slow
    /// enough to be worth guessing in parallel (password hashes).
    pub fn begin(&self, keys: Vec<String>) -> Result<Attempt, u64> {
        let now = self.clock.now_ms();
        let mut map = lock(&self.failures);
        self.refuse(&mut map, &keys, now).map_or(Ok(()), Err)?;
        self.count(&mut map, &keys, now);
        Ok(Attempt { failures: self.failures.clone(), keys, at: now })
    }

    /// Whether an attempt may go ahead (or the seconds to wait), without counting it: for checks
    /// so cheap that a parallel burst gains a guesser little (device HMACs), where counting
    /// attempts in flight would refuse a whole fleet reconnecting at once from one NAT address.
    /// Count a failure with [`FailureLimiter::failed`].
    pub fn check(&self, keys: &[String]) -> Result<(), u64> {
        let now = self.clock.now_ms();
        self.refuse(&mut lock(&self.failures), keys, now).map_or(Ok(()), Err)
    }

    /// One failure for every key.
    pub fn failed(&self, keys: &[String]) {
        let now = self.clock.now_ms();
        self.count(&mut lock(&self.failures), keys, now);
    }

    /// The seconds to wait if any key is at its limit.
    fn refuse(&self, map: &mut Failures, keys: &[String], now: i64) -> Option<u64> {
        let window = self.window_ms;
        if map.len() > MAX_KEYS {
            map.retain(|_, v| v.iter().any(|t| now - t < window));
        }
        keys.iter()
            .filter_map(|k| map.get(k))
            .filter_map(|times| {
                let recent: Vec<i64> = times.iter().copied().filter(|t| now - t < window).collect();
                (recent.len() >= self.max).then(|| {
                    let oldest = recent.iter().copied().min().unwrap_or(now);
                    ((oldest + window - now).max(1000) / 1000) as u64
                })
            })
            .max()
    }

    fn count(&self, map: &mut Failures, keys: &[String], now: i64) {
        for k in keys {
            let v = map.entry(k.clone()).or_default();
            v.retain(|t| now - t < self.window_ms);
            v.push(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::FakeClock;

    fn keys(user: &str, ip: &str) -> Vec<String> {
        vec![format!("user:{user}"), format!("ip:{ip}")]
    }

    #[test]
    fn blocks_after_max_failures_until_the_window_passes() {
        let clock = FakeClock::new(1_000_000);
        let l = FailureLimiter::new(Arc::new(clock.clone()));
        for _ in 0..MAX_FAILURES {
            drop(l.begin(keys("a", "1")).expect("allowed"));
            clock.advance_ms(1000);
        }
        let wait = l.begin(keys("a", "1")).err().expect("blocked after the 5th failure");
        assert!(wait > 200 && wait <= 300, "{wait}");
        // Another user from the same IP is blocked too; the same user from elsewhere as well.
        assert!(l.begin(keys("b", "1")).is_err());
        assert!(l.begin(keys("a", "2")).is_err());
        assert!(l.begin(keys("b", "2")).is_ok());
        clock.advance_ms(WINDOW_MS);
        assert!(l.begin(keys("a", "1")).is_ok());
    }

    #[test]
    fn attempts_in_flight_count_so_parallel_guesses_stop_at_the_limit() {
        let l = FailureLimiter::new(Arc::new(FakeClock::new(0)));
        // 40 guesses arrive before any is verified: only MAX_FAILURES get through.
        let let_through: Vec<Attempt> = (0..40).filter_map(|_| l.begin(keys("a", "1")).ok()).collect();
        assert_eq!(let_through.len(), MAX_FAILURES);
    }

    #[test]
    fn check_does_not_count_attempts_in_flight_only_failures() {
        let clock = FakeClock::new(0);
        let l = FailureLimiter::with_limits(Arc::new(clock.clone()), 30, 60_000);
        let ip = vec!["ip:10.0.0.1".to_string()];
        // A fleet of 100 reconnecting at once: all checked, none refused.
        assert!((0..100).all(|_| l.check(&ip).is_ok()));
        for _ in 0..30 {
            l.failed(&ip);
        }
        assert_eq!(l.check(&ip), Err(60));
        clock.advance_ms(60_000);
        assert_eq!(l.check(&ip), Ok(()));
    }

    #[test]
    fn success_clears_the_user_counter_and_refunds_the_address() {
        let clock = FakeClock::new(0);
        let l = FailureLimiter::new(Arc::new(clock.clone()));
        for _ in 0..MAX_FAILURES - 1 {
            drop(l.begin(keys("a", "1")).unwrap());
        }
        l.begin(keys("a", "1")).unwrap().succeeded();
        l.forget("user:a");
        // The user starts again; the address still holds its 4 failures (not 5: the success
        // was refunded), so one more failure is allowed from it.
        drop(l.begin(keys("b", "1")).unwrap());
        assert!(l.begin(keys("c", "1")).is_err());
        assert!(l.begin(keys("a", "2")).is_ok());
    }
}
