//! Waiting for what happens asynchronously (a device online, a run-log entry stored, a value on
//! a page): poll until it is there, and fail at a deadline instead of sleeping a fixed time.
//! Every wait of the harness goes through [`until`].

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

/// How long the harness waits for anything before failing.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// The first pause between polls; it doubles up to [`MAX_PAUSE`], so what is quick is seen
/// quickly and what is slow (a browser, a keepalive timeout) is not polled a thousand times.
const FIRST_PAUSE: Duration = Duration::from_millis(5);
const MAX_PAUSE: Duration = Duration::from_millis(100);

/// Poll `f` until it returns `Some`; `None` once `within` has passed (the last poll is made
/// at the deadline, so a condition met just in time is still seen).
pub async fn until<T, F, Fut>(within: Duration, mut f: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    let mut pause = FIRST_PAUSE;
    loop {
        let last = Instant::now() >= deadline;
        if let Some(v) = f().await {
            return Some(v);
        }
        if last {
            return None;
        }
        tokio::time::sleep_until((Instant::now() + pause).min(deadline)).await;
        pause = (pause * 2).min(MAX_PAUSE);
    }
}

/// Poll `f` until it returns `Some`, or fail after `within` naming `what`.
pub async fn eventually<T, F, Fut>(within: Duration, what: &str, f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    match until(within, f).await {
        Some(v) => v,
        None => panic!("timed out after {within:?} waiting for {what}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[tokio::test]
    async fn polls_until_some_and_gives_up_at_the_deadline() {
        let polls = Cell::new(0);
        let v = until(Duration::from_secs(1), || async {
            polls.set(polls.get() + 1);
            (polls.get() == 3).then_some("there")
        })
        .await;
        assert_eq!((v, polls.get()), (Some("there"), 3));

        let start = Instant::now();
        let never = until(Duration::from_millis(200), || async { None::<()> }).await;
        assert_eq!(never, None);
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(200), "gave up early: {took:?}");
    }

    #[tokio::test]
    #[should_panic(expected = "timed out after 10ms waiting for the lamp")]
    async fn eventually_names_what_it_waited_for() {
        eventually(Duration::from_millis(10), "the lamp", || async { None::<()> }).await;
    }
}
