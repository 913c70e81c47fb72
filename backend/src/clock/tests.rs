use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::task::{waker, ArcWake};
use futures::FutureExt;

use super::*;

/// Counts wake-ups, to tell "woken" from "polled and still pending".
#[derive(Default)]
struct Wakes(AtomicUsize);
impl ArcWake for Wakes {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn poll_with<F: Future + Unpin>(fut: &mut F, wakes: &Arc<Wakes>) -> Poll<F::Output> {
    let w = waker(wakes.clone());
    Pin::new(fut).poll(&mut Context::from_waker(&w))
}

/// Real time a test may wait on observable state before it fails.
const BOUND: Duration = Duration::from_secs(10);

#[test]
fn sleep_fires_exactly_when_the_clock_reaches_its_deadline() {
    let clock = FakeClock::new(1_000);
    let wakes = Arc::new(Wakes::default());
    let mut sleep = clock.sleep_until(5_000);
    assert_eq!(sleep.deadline_ms(), 5_000);
    assert!(poll_with(&mut sleep, &wakes).is_pending());
    assert_eq!(clock.sleepers(), 1);
    assert_eq!(clock.next_deadline(), Some(5_000));

    clock.advance_ms(3_999);
    assert_eq!(wakes.0.load(Ordering::SeqCst), 0, "woken 1 ms early");
    assert!(poll_with(&mut sleep, &wakes).is_pending());

    clock.advance_ms(1);
    assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
    assert_eq!(clock.sleepers(), 0);
    assert!(poll_with(&mut sleep, &wakes).is_ready());
}

#[test]
fn a_deadline_already_past_completes_at_once_without_parking() {
    let clock = FakeClock::new(10_000);
    let wakes = Arc::new(Wakes::default());
    assert!(poll_with(&mut clock.sleep_until(9_000), &wakes).is_ready());
    assert!(poll_with(&mut clock.sleep_until(10_000), &wakes).is_ready());
    assert!(poll_with(&mut clock.sleep(-5), &wakes).is_ready());
    assert_eq!(clock.sleepers(), 0);
}

#[test]
fn a_dropped_sleep_unregisters() {
    let clock = FakeClock::new(0);
    let wakes = Arc::new(Wakes::default());
    let mut a = clock.sleep(100);
    let mut b = clock.sleep(100);
    assert!(poll_with(&mut a, &wakes).is_pending());
    assert!(poll_with(&mut b, &wakes).is_pending());
    // Polling again replaces the waker, it does not add an entry.
    assert!(poll_with(&mut a, &wakes).is_pending());
    assert_eq!(clock.sleepers(), 2);
    drop(a);
    assert_eq!(clock.sleepers(), 1);
    drop(b);
    assert_eq!(clock.sleepers(), 0);
    clock.advance_ms(1_000);
    assert_eq!(wakes.0.load(Ordering::SeqCst), 0);
}

#[test]
fn a_clock_set_back_before_the_sleeper_runs_keeps_it_waiting() {
    let clock = FakeClock::new(0);
    let wakes = Arc::new(Wakes::default());
    let mut sleep = clock.sleep_until(100);
    assert!(poll_with(&mut sleep, &wakes).is_pending());
    clock.set_ms(200);
    clock.set_ms(50);
    assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
    assert!(poll_with(&mut sleep, &wakes).is_pending(), "completed while the clock said 50");
    assert_eq!(clock.sleepers(), 1);
    clock.set_ms(100);
    assert!(poll_with(&mut sleep, &wakes).is_ready());
}

#[tokio::test]
async fn a_task_parked_on_the_clock_wakes_when_time_passes_its_deadline() {
    let clock = FakeClock::new(0);
    let shared: SharedClock = Arc::new(clock.clone());
    let task = tokio::spawn(async move {
        shared.sleep(60 * 60 * 1000).await;
        shared.now_ms()
    });
    clock.wait_for_sleepers(1).await;
    clock.advance_ms(60 * 60 * 1000 - 1);
    tokio::task::yield_now().await;
    assert!(!task.is_finished());
    assert_eq!(clock.sleepers(), 1);
    clock.advance_ms(1);
    let woke_at = tokio::time::timeout(BOUND, task).await.expect("task woke").expect("task ran");
    assert_eq!(woke_at, 60 * 60 * 1000);
}

#[tokio::test]
async fn timeout_returns_the_work_before_the_deadline_and_elapsed_after() {
    let clock = FakeClock::new(0);
    assert_eq!(clock.timeout(1_000, async { 7 }).await, Ok(7));

    let (tx, rx) = tokio::sync::oneshot::channel::<u32>();
    let c = clock.clone();
    let waiting = tokio::spawn(async move { c.timeout(1_000, rx).await.map(|r| r.ok()) });
    clock.wait_for_sleepers(1).await;
    clock.advance_ms(999);
    tx.send(3).expect("receiver alive");
    assert_eq!(tokio::time::timeout(BOUND, waiting).await.expect("bounded").expect("ran"), Ok(Some(3)));

    let c = clock.clone();
    let stuck = tokio::spawn(async move { c.timeout(1_000, std::future::pending::<()>()).await });
    clock.wait_for_sleepers(1).await;
    clock.advance_ms(999);
    tokio::task::yield_now().await;
    assert!(!stuck.is_finished());
    clock.advance_ms(1);
    assert_eq!(tokio::time::timeout(BOUND, stuck).await.expect("bounded").expect("ran"), Err(Elapsed));
    assert_eq!(clock.sleepers(), 0);
}

#[tokio::test]
async fn an_interval_ticks_once_per_period_over_100_simulated_minutes() {
    let clock = FakeClock::new(1_700_000_000_000);
    let start = clock.now_ms();
    let ticks = Arc::new(AtomicU64::new(0));
    let counted = ticks.clone();
    let shared: SharedClock = Arc::new(clock.clone());
    let task = tokio::spawn(async move {
        let mut every_second = shared.interval(1_000);
        loop {
            let at = every_second.tick().await;
            // Every tick is on the grid, and reported no earlier than it was due.
            assert_eq!((at - start) % 1_000, 0);
            assert!(shared.now_ms() >= at);
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });
    let real = Instant::now();
    for _ in 0..100 * 60 {
        clock.wait_for_sleepers(1).await;
        clock.advance_ms(1_000);
    }
    clock.wait_for_sleepers(1).await;
    let took = real.elapsed();
    // The first tick is at once, then one per simulated second.
    assert_eq!(ticks.load(Ordering::SeqCst), 100 * 60 + 1);
    assert!(!task.is_finished(), "the ticking task panicked");
    task.abort();
    eprintln!("100 simulated minutes of 1 s ticks took {took:?} of real time");
    assert!(took < BOUND, "took {took:?}");
}

#[tokio::test]
async fn an_interval_skips_missed_ticks_and_stays_on_its_grid() {
    let clock = FakeClock::new(0);
    let mut iv = clock.interval(1_000);
    assert_eq!(iv.tick().await, 0);

    // Late by a fraction of a period: the tick is still the scheduled one, nothing skipped.
    clock.advance_ms(1_700);
    assert_eq!(iv.tick().await, 1_000);
    assert_eq!(iv.next_tick_ms(), 2_000);

    // An hour at once: one tick, not 3 600 of them, and the next is back on the grid.
    clock.advance_ms(3_600_000);
    assert_eq!(iv.tick().await, 2_000);
    assert_eq!(iv.skipped(), 3_599);
    assert_eq!(iv.next_tick_ms(), 3_602_000);
    assert!(iv.tick().now_or_never().is_none());
    clock.advance_ms(299);
    assert!(iv.tick().now_or_never().is_none());
    clock.advance_ms(1);
    assert_eq!(iv.tick().now_or_never(), Some(3_602_000));
}

#[tokio::test]
async fn a_shared_clock_is_a_clock() {
    let clock = FakeClock::new(500);
    let shared: SharedClock = Arc::new(clock.clone());
    let mut iv = shared.interval(10);
    assert_eq!(iv.tick().await, 500);
    assert_eq!(iv.period_ms(), 10);
    assert_eq!(shared.timeout(0, async { 1 }).await, Ok(1));
    assert_eq!(shared.timeout(0, std::future::pending::<()>()).await, Err(Elapsed));
}

#[tokio::test]
async fn the_system_clock_never_wakes_before_its_deadline() {
    let clock = SystemClock;
    let deadline = clock.now_ms() + 5;
    clock.sleep_until(deadline).await;
    assert!(clock.now_ms() >= deadline);
    // Already past: at once, no timer needed.
    assert!(clock.sleep_until(deadline - 1_000).now_or_never().is_some());
    assert_eq!(SystemClock.timeout(1_000, async { 2 }).await, Ok(2));
}
