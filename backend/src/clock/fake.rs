//! A clock that only moves when a test says so, with timers that fire when it does.
//!
//! Sleepers sit in one ordered map keyed by (deadline, id). Moving time takes every entry whose
//! deadline is reached out of the map and wakes it; a woken sleeper re-checks the time when
//! polled, so even a clock set backwards in between never lets one complete early. The time is
//! stored before the map is locked and read under the lock, so a sleeper registering while time
//! moves either sees the new time or is found by the drain: no wake-up is lost.
//!
//! [`FakeClock::sleepers`] counts the parked sleepers. A test waits for a task to park
//! ([`FakeClock::wait_for_sleepers`]) before it moves time, instead of sleeping and hoping.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::sync::Notify;

use super::{Clock, Sleep};

/// How long [`FakeClock::wait_for_sleepers`] waits (real time) before it fails the test: a bound,
/// so a broken test reports instead of hanging the suite.
const WAIT_FOR_SLEEPERS: Duration = Duration::from_secs(10);

/// A clock that only moves when a test says so. Clones share the time and the sleepers.
#[derive(Clone, Default)]
pub struct FakeClock(Arc<Shared>);

#[derive(Default)]
struct Shared {
    now: AtomicI64,
    next_id: AtomicU64,
    sleepers: Mutex<BTreeMap<(i64, u64), Waker>>,
    /// Signalled whenever a sleeper parks or leaves, for `wait_for_sleepers`.
    changed: Notify,
}

impl Shared {
    fn sleepers(&self) -> MutexGuard<'_, BTreeMap<(i64, u64), Waker>> {
        // A panic while holding this lock cannot leave the map half-changed (single inserts and
        // removes), so a poisoned lock is still a good map.
        self.sleepers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl FakeClock {
    pub fn new(start_ms: i64) -> Self {
        let clock = FakeClock::default();
        clock.0.now.store(start_ms, Ordering::SeqCst);
        clock
    }

    /// Move time by `ms` and fire every timer whose deadline is now reached.
    pub fn advance_ms(&self, ms: i64) {
        self.0.now.fetch_add(ms, Ordering::SeqCst);
        self.fire_due();
    }

    /// Set the time (also backwards: sleepers then keep waiting for their deadline).
    pub fn set_ms(&self, now_ms: i64) {
        self.0.now.store(now_ms, Ordering::SeqCst);
        self.fire_due();
    }

    /// How many timers are parked on this clock (created, polled and not yet due or dropped).
    pub fn sleepers(&self) -> usize {
        self.0.sleepers().len()
    }

    /// The earliest parked deadline, if any: lets a test jump straight to the next event.
    pub fn next_deadline(&self) -> Option<i64> {
        self.0.sleepers().keys().next().map(|(deadline, _)| *deadline)
    }

    /// Wait until at least `n` timers are parked.
    ///
    /// # Panics
    /// After 10 s of real time: a test helper, where failing loudly beats hanging.
    pub async fn wait_for_sleepers(&self, n: usize) {
        let parked = async {
            loop {
                let changed = self.0.changed.notified();
                tokio::pin!(changed);
                // Register interest before looking, so a change in between is not missed.
                changed.as_mut().enable();
                if self.sleepers() >= n {
                    return;
                }
                changed.await;
            }
        };
        if tokio::time::timeout(WAIT_FOR_SLEEPERS, parked).await.is_err() {
            panic!("FakeClock: {} sleeper(s) parked, waited for {n}", self.sleepers());
        }
    }

    fn fire_due(&self) {
        let due = {
            let mut map = self.0.sleepers();
            let now = self.0.now.load(Ordering::SeqCst);
            match now.checked_add(1) {
                Some(after) => {
                    let later = map.split_off(&(after, 0));
                    std::mem::replace(&mut *map, later)
                }
                None => std::mem::take(&mut *map),
            }
        };
        if due.is_empty() {
            return;
        }
        // Wake outside the lock: a waker may poll inline and register again.
        for waker in due.into_values() {
            waker.wake();
        }
        self.0.changed.notify_waiters();
    }
}

impl Clock for FakeClock {
    fn now_ms(&self) -> i64 {
        self.0.now.load(Ordering::SeqCst)
    }

    fn sleep_until(&self, deadline_ms: i64) -> Sleep {
        let id = self.0.next_id.fetch_add(1, Ordering::Relaxed);
        Sleep::new(deadline_ms, FakeSleep { clock: self.0.clone(), key: (deadline_ms, id), parked: false })
    }
}

struct FakeSleep {
    clock: Arc<Shared>,
    key: (i64, u64),
    /// Whether this sleeper may have an entry in the map (cleared once it has fired).
    parked: bool,
}

impl Future for FakeSleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut map = self.clock.sleepers();
        if self.clock.now.load(Ordering::SeqCst) >= self.key.0 {
            let was_parked = self.parked && map.remove(&self.key).is_some();
            drop(map);
            self.parked = false;
            if was_parked {
                self.clock.changed.notify_waiters();
            }
            return Poll::Ready(());
        }
        let newly = match map.get_mut(&self.key) {
            Some(waker) => {
                waker.clone_from(cx.waker());
                false
            }
            None => {
                map.insert(self.key, cx.waker().clone());
                true
            }
        };
        drop(map);
        self.parked = true;
        if newly {
            self.clock.changed.notify_waiters();
        }
        Poll::Pending
    }
}

impl Drop for FakeSleep {
    fn drop(&mut self) {
        // A dropped timer must not stay in the map (it would leak and count as parked).
        if self.parked && self.clock.sleepers().remove(&self.key).is_some() {
            self.clock.changed.notify_waiters();
        }
    }
}
