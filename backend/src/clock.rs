//! Time, injected: every scheduler, retry, timeout and lock runs on a [`Clock`], so tests move
//! time with [`FakeClock`] instead of sleeping.
//!
//! Why not `tokio::time::pause`: the embedded MQTT broker's keepalives share the runtime's clock, so
//! pausing it would make every connected device time out (or never), and a test could not run a
//! 100-minute OTA rollout next to a live broker. Instead timers are asked of the clock itself:
//! - [`Clock::sleep_until`] is the one primitive; [`Clock::sleep`], [`ClockExt::timeout`] and
//!   [`Interval`] are built on it, so a new clock only implements `now_ms` and `sleep_until`.
//! - [`SystemClock`] sleeps on tokio timers but measures in wall-clock milliseconds and re-checks
//!   the wall clock on every wake: a wall-clock jump backwards never fires a timer early.
//! - [`FakeClock`] wakes sleepers exactly when `advance_ms`/`set_ms` moves time past their
//!   deadline, and counts parked sleepers so a test can wait until a task is parked before it
//!   moves time (no real sleeps, no races).
//!
//! Deadlines are absolute milliseconds since the Unix epoch, like [`Clock::now_ms`]: what a
//! scheduler stores ("retry at", "lock until") is what it sleeps until.

mod fake;
mod interval;
#[cfg(test)]
mod tests;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

pub use fake::FakeClock;
pub use interval::Interval;

pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;

    /// A future that completes once `now_ms() >= deadline_ms` (at once if that is already so).
    /// It never completes early; dropping it cancels it.
    fn sleep_until(&self, deadline_ms: i64) -> Sleep;

    /// [`Clock::sleep_until`] `ms` from now (a negative `ms` is treated as 0).
    fn sleep(&self, ms: i64) -> Sleep {
        self.sleep_until(self.now_ms().saturating_add(ms.max(0)))
    }
}

/// A pending timer from [`Clock::sleep_until`]. Boxed so `Clock` stays usable as `dyn Clock`;
/// `Unpin`, so it can be polled by `&mut` in a `select!` without pinning.
#[must_use = "a Sleep does nothing unless awaited"]
pub struct Sleep {
    deadline_ms: i64,
    inner: Pin<Box<dyn Future<Output = ()> + Send + 'static>>,
}

impl Sleep {
    /// Wrap a clock's own timer future (for [`Clock`] implementations).
    pub fn new(deadline_ms: i64, inner: impl Future<Output = ()> + Send + 'static) -> Self {
        Sleep { deadline_ms, inner: Box::pin(inner) }
    }

    /// When this timer fires, in the clock's milliseconds.
    pub fn deadline_ms(&self) -> i64 {
        self.deadline_ms
    }
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.inner.as_mut().poll(cx)
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep").field("deadline_ms", &self.deadline_ms).finish()
    }
}

/// What [`ClockExt::timeout`] returns when the deadline came first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("deadline elapsed")]
pub struct Elapsed;

pin_project_lite::pin_project! {
    /// [`ClockExt::timeout`]'s future.
    #[must_use = "a Timeout does nothing unless awaited"]
    pub struct Timeout<F> {
        #[pin]
        fut: F,
        sleep: Sleep,
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // The work first: a result that is ready when the deadline passes still counts.
        if let Poll::Ready(out) = this.fut.poll(cx) {
            return Poll::Ready(Ok(out));
        }
        Pin::new(this.sleep).poll(cx).map(|()| Err(Elapsed))
    }
}

/// The generic helpers (a generic method would make `Clock` unusable as `dyn Clock`).
pub trait ClockExt: Clock {
    /// Run `fut` for at most `ms` milliseconds of this clock.
    fn timeout<F: Future>(&self, ms: i64, fut: F) -> Timeout<F> {
        Timeout { fut, sleep: self.sleep(ms) }
    }

    /// Run `fut` until `deadline_ms` of this clock at the latest.
    fn timeout_at<F: Future>(&self, deadline_ms: i64, fut: F) -> Timeout<F> {
        Timeout { fut, sleep: self.sleep_until(deadline_ms) }
    }

    /// Ticks every `period_ms`, the first at once; see [`Interval`] for missed ticks.
    fn interval(&self, period_ms: i64) -> Interval
    where
        Self: Clone + Sized,
    {
        Interval::new(Arc::new(self.clone()), period_ms)
    }
}

impl<C: Clock + ?Sized> ClockExt for C {}

/// So a [`SharedClock`] is itself a `Clock` (and `shared.interval(..)` works).
impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now_ms(&self) -> i64 {
        (**self).now_ms()
    }
    fn sleep_until(&self, deadline_ms: i64) -> Sleep {
        (**self).sleep_until(deadline_ms)
    }
}

/// The wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

/// The longest single tokio sleep: a wall-clock jump *forward* (NTP step) is noticed within this
/// long instead of after the whole remaining time. Backward jumps are handled by re-checking.
const SYSTEM_RECHECK_MS: i64 = 30_000;

fn system_now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        system_now_ms()
    }

    fn sleep_until(&self, deadline_ms: i64) -> Sleep {
        Sleep::new(deadline_ms, async move {
            loop {
                let left = deadline_ms.saturating_sub(system_now_ms());
                if left <= 0 {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(left.min(SYSTEM_RECHECK_MS) as u64)).await;
            }
        })
    }
}

pub type SharedClock = Arc<dyn Clock>;
