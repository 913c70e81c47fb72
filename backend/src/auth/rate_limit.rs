//! Login rate limiting: after too many failures within a window, a user name or a client IP is
//! refused until the window has passed. Time comes from the injected clock.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::clock::SharedClock;

/// Failures allowed per key within [`WINDOW_MS`].
pub const MAX_FAILURES: usize = 5;
/// Length of the sliding window.
pub const WINDOW_MS: i64 = 5 * 60 * 1000;
/// Keys kept at most; beyond this the oldest-looking entries are pruned, so a flood of
/// random user names cannot grow memory without bound.
const MAX_KEYS: usize = 100_000;

pub struct LoginLimiter {
    clock: SharedClock,
    /// Failure times per key (`user:NAME` or `ip:ADDR`).
    failures: Mutex<HashMap<String, Vec<i64>>>,
}

impl LoginLimiter {
    pub fn new(clock: SharedClock) -> Self {
        LoginLimiter { clock, failures: Mutex::new(HashMap::new()) }
    }

    /// Seconds to wait if any of the keys is over the limit.
    pub fn blocked(&self, keys: &[String]) -> Option<u64> {
        let now = self.clock.now_ms();
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter()
            .filter_map(|k| map.get(k))
            .filter_map(|times| {
                let recent: Vec<_> = times.iter().filter(|t| now - **t < WINDOW_MS).collect();
                (recent.len() >= MAX_FAILURES).then(|| {
                    let oldest = recent.iter().map(|t| **t).min().unwrap_or(now);
                    ((oldest + WINDOW_MS - now).max(1000) / 1000) as u64
                })
            })
            .max()
    }

    pub fn failed(&self, keys: &[String]) {
        let now = self.clock.now_ms();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > MAX_KEYS {
            map.retain(|_, v| v.iter().any(|t| now - t < WINDOW_MS));
        }
        for k in keys {
            let v = map.entry(k.clone()).or_default();
            v.retain(|t| now - t < WINDOW_MS);
            v.push(now);
        }
    }

    pub fn succeeded(&self, user_key: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(user_key);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::FakeClock;

    #[test]
    fn blocks_after_max_failures_until_the_window_passes() {
        let clock = FakeClock::new(1_000_000);
        let l = LoginLimiter::new(Arc::new(clock.clone()));
        let keys = vec!["user:a".to_string(), "ip:1".to_string()];
        for _ in 0..MAX_FAILURES - 1 {
            l.failed(&keys);
            clock.advance_ms(1000);
        }
        assert_eq!(l.blocked(&keys), None);
        l.failed(&keys);
        let wait = l.blocked(&keys).expect("blocked after the 5th failure");
        assert!(wait > 200 && wait <= 300, "{wait}");
        // Another user from the same IP is blocked too; the same user from elsewhere as well.
        assert!(l.blocked(&["user:b".into(), "ip:1".into()]).is_some());
        assert!(l.blocked(&["user:a".into(), "ip:2".into()]).is_some());
        assert!(l.blocked(&["user:b".into(), "ip:2".into()]).is_none());
        clock.advance_ms(WINDOW_MS);
        assert_eq!(l.blocked(&keys), None);
    }

    #[test]
    fn success_clears_the_user_counter() {
        let clock = FakeClock::new(0);
        let l = LoginLimiter::new(Arc::new(clock));
        let keys = vec!["user:a".to_string()];
        for _ in 0..MAX_FAILURES - 1 {
            l.failed(&keys);
        }
        l.succeeded("user:a");
        l.failed(&keys);
        assert_eq!(l.blocked(&keys), None);
    }
}
