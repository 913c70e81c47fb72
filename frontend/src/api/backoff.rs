//! When to try again after a failure: the one retry policy of the console, used by the
//! WebSocket's reconnect loop and by failed page loads (`components::states::auto_retry`).
//!
//! Exponential from 1 s, doubling, capped at 10 s. The cap is short on purpose: the console is
//! an operator's screen, and after a network blip it must come back within seconds of the
//! network, not half a minute later; one request per 10 s per open page is nothing for the
//! server. No random jitter: one operator's browser does not stampede the server, and a fixed
//! schedule is what the "retrying in 4 s" countdown can show truthfully.

/// A capped exponential schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Delay before the first retry.
    pub first_ms: u32,
    /// Longest delay between two tries.
    pub cap_ms: u32,
}

/// The console's policy: 1 s, 2 s, 4 s, 8 s, 10 s, 10 s, …
pub const POLICY: Backoff = Backoff { first_ms: 1_000, cap_ms: 10_000 };

impl Backoff {
    /// Delay before retry number `attempt` (0 = the first retry after the first failure).
    pub fn delay_ms(self, attempt: u32) -> u32 {
        // 2^attempt overflows quickly; past 2^16 every delay is the cap anyway.
        let factor = 1u64 << attempt.min(16);
        (u64::from(self.first_ms) * factor).min(u64::from(self.cap_ms)) as u32
    }

    /// The same in whole seconds, rounded up (for the countdown the user sees).
    pub fn delay_secs(self, attempt: u32) -> u32 {
        self.delay_ms(attempt).div_ceil(1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_one_second_up_to_the_cap() {
        let d: Vec<u32> = (0..7).map(|a| POLICY.delay_ms(a)).collect();
        assert_eq!(d, vec![1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
    }

    #[test]
    fn never_overflows_and_never_exceeds_the_cap() {
        for a in [20, 31, 32, 64, u32::MAX] {
            assert_eq!(POLICY.delay_ms(a), 10_000);
        }
        let odd = Backoff { first_ms: 1_500, cap_ms: 5_000 };
        assert_eq!((0..4).map(|a| odd.delay_secs(a)).collect::<Vec<_>>(), vec![2, 3, 5, 5]);
    }
}
