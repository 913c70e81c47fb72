use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};

use super::*;
use crate::clock::{Clock, FakeClock};

/// Real time a test may wait on observable state before it fails.
const BOUND: Duration = Duration::from_secs(10);

fn supervisor(clock: &FakeClock) -> Supervisor {
    Supervisor::new(Arc::new(clock.clone()))
}

fn job(sup: &Supervisor, name: &str) -> JobStatus {
    sup.status().into_iter().find(|s| s.name == name).expect("job listed")
}

/// Let the other tasks run until `ok` holds (bounded in real time, never a sleep).
async fn eventually(what: &str, mut ok: impl FnMut() -> bool) {
    let give_up = Instant::now() + BOUND;
    while !ok() {
        assert!(Instant::now() < give_up, "timed out waiting for {what}");
        tokio::task::yield_now().await;
    }
}

const QUICK: Restart =
    Restart { max_restarts: 2, first_backoff_ms: 1_000, max_backoff_ms: 60_000, healthy_after_ms: 60_000 };

#[test]
fn backoff_doubles_up_to_its_cap() {
    let r = Restart { max_backoff_ms: 5_000, ..QUICK };
    assert_eq!([1, 2, 3, 4, 99].map(|n| r.backoff_ms(n)), [1_000, 2_000, 4_000, 5_000, 5_000]);
}

#[tokio::test]
async fn a_panicking_job_is_reported_and_restarted_after_its_backoff() {
    let clock = FakeClock::new(0);
    let sup = supervisor(&clock);
    let (started, mut starts) = mpsc::unbounded_channel::<u32>();
    let attempts = Arc::new(AtomicU32::new(0));
    sup.spawn("router-worker", Stage::Processing, QUICK, move |cancel| {
        let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
        let started = started.clone();
        async move {
            let _ = started.send(n);
            if n <= 2 {
                panic!("boom {n}");
            }
            cancel.cancelled().await;
            Ok(())
        }
    })
    .expect("spawned");

    clock.wait_for_sleepers(1).await;
    let s = job(&sup, "router-worker");
    assert_eq!(s.state, JobState::Restarting { at_ms: 1_000 });
    assert_eq!(s.last_failure.as_deref(), Some("panicked: boom 1"));
    assert_eq!(s.restarts, 0);
    assert!(s.is_alive());

    // Not a millisecond before its backoff.
    clock.advance_ms(999);
    tokio::task::yield_now().await;
    assert_eq!(clock.sleepers(), 1);
    clock.advance_ms(1);
    clock.wait_for_sleepers(1).await;
    let s = job(&sup, "router-worker");
    assert_eq!(s.state, JobState::Restarting { at_ms: 1_000 + 2_000 }, "the backoff doubles");
    assert_eq!(s.last_failure.as_deref(), Some("panicked: boom 2"));
    assert_eq!(s.restarts, 1);

    clock.advance_ms(2_000);
    let mut seen = Vec::new();
    while seen.len() < 3 {
        seen.push(tokio::time::timeout(BOUND, starts.recv()).await.expect("bounded").expect("open"));
    }
    assert_eq!(seen, [1, 2, 3]);
    eventually("the third start to run", || job(&sup, "router-worker").state == JobState::Running).await;
    assert_eq!(job(&sup, "router-worker").restarts, 2);

    assert_eq!(sup.shutdown(1_000).await, ShutdownReport::default());
    assert_eq!(job(&sup, "router-worker").state, JobState::Stopped);
}

#[tokio::test]
async fn a_job_past_its_restart_budget_is_reported_failed() {
    let clock = FakeClock::new(0);
    let sup = supervisor(&clock);
    let runs = Arc::new(AtomicU32::new(0));
    let counted = runs.clone();
    sup.spawn("purge", Stage::Consumers, QUICK, move |_| {
        counted.fetch_add(1, Ordering::SeqCst);
        async { Err(anyhow::anyhow!("database is gone")) }
    })
    .expect("spawned");
    for _ in 0..QUICK.max_restarts {
        clock.wait_for_sleepers(1).await;
        let at = clock.next_deadline().expect("a backoff is parked");
        clock.set_ms(at);
    }
    eventually("the job to be given up", || !job(&sup, "purge").is_alive()).await;
    let s = job(&sup, "purge");
    assert_eq!(s.state, JobState::Failed { message: "database is gone (given up after 3 failures in a row)".into() });
    assert_eq!((s.restarts, runs.load(Ordering::SeqCst)), (2, 3));
    assert_eq!(clock.sleepers(), 0, "nothing left waiting to restart it");
}

#[tokio::test]
async fn a_healthy_run_clears_the_failures_in_a_row() {
    let clock = FakeClock::new(0);
    let sup = supervisor(&clock);
    let budget = Restart { max_restarts: 1, ..QUICK };
    let (crash_tx, crash_rx) = mpsc::unbounded_channel::<()>();
    let crash_rx = Arc::new(tokio::sync::Mutex::new(crash_rx));
    let (started, mut starts) = mpsc::unbounded_channel::<()>();
    sup.spawn("rules", Stage::Consumers, budget, move |_| {
        let (crash_rx, started) = (crash_rx.clone(), started.clone());
        async move {
            let _ = started.send(());
            // Runs until the test says crash: state kept outside the future survives restarts.
            crash_rx.lock().await.recv().await;
            panic!("bad input");
        }
    })
    .expect("spawned");
    for round in 0..3 {
        tokio::time::timeout(BOUND, starts.recv()).await.expect("bounded").expect("open");
        // A minute of healthy running before each crash: never a crash loop.
        clock.advance_ms(60_000);
        crash_tx.send(()).expect("job alive");
        clock.wait_for_sleepers(1).await;
        assert!(matches!(job(&sup, "rules").state, JobState::Restarting { .. }), "round {round}");
        clock.advance_ms(1_000);
    }
    tokio::time::timeout(BOUND, starts.recv()).await.expect("bounded").expect("open");
    assert_eq!(job(&sup, "rules").state, JobState::Running);
    assert_eq!(job(&sup, "rules").restarts, 3);
}

#[tokio::test]
async fn a_one_shot_runs_once_and_its_failure_is_reported() {
    let clock = FakeClock::new(0);
    let sup = supervisor(&clock);
    let (go, wait) = oneshot::channel::<()>();
    sup.spawn_once("import", Stage::Processing, move |_| async move {
        let _ = wait.await;
        Ok(())
    })
    .expect("spawned");
    assert_eq!(
        sup.spawn_once("import", Stage::Processing, |_| async { Ok(()) }),
        Err(JobError::AlreadyRunning("import".into()))
    );
    go.send(()).expect("job waiting");
    eventually("the import to end", || job(&sup, "import").state == JobState::Stopped).await;
    assert!(!job(&sup, "import").restartable);

    // Its name is free again once it has ended; a panic is reported, not retried.
    sup.spawn_once("import", Stage::Processing, |_| async { panic!("bad row {}", 7) }).expect("spawned again");
    eventually("the import to fail", || !job(&sup, "import").is_alive()).await;
    let s = job(&sup, "import");
    assert_eq!(s.state, JobState::Failed { message: "panicked: bad row 7".into() });
    assert_eq!((s.restarts, clock.sleepers(), sup.status().len()), (0, 0, 1));
}

#[tokio::test]
async fn shutdown_stops_stage_by_stage_and_writers_drain_what_processing_sent() {
    let clock = FakeClock::new(0);
    let sup = supervisor(&clock);
    let stopped = Arc::new(Mutex::new(Vec::<&str>::new()));
    let written = Arc::new(Mutex::new(Vec::<u32>::new()));
    let (in_tx, mut in_rx) = mpsc::unbounded_channel::<u32>();
    // Small, so the processing stage's drain depends on the writer still consuming.
    let (out_tx, mut out_rx) = mpsc::channel::<u32>(4);

    let log = stopped.clone();
    sup.spawn_once("listener", Stage::Intake, move |cancel| async move {
        cancel.cancelled().await;
        log.lock().unwrap().push("intake");
        Ok(())
    })
    .expect("spawned");
    let log = stopped.clone();
    sup.spawn_once("router", Stage::Processing, move |cancel| async move {
        loop {
            tokio::select! {
                biased;
                _ = cancel.cancelled() => break,
                Some(n) = in_rx.recv() => out_tx.send(n).await?,
            }
        }
        // Drain what was received before the stop, then let go of the writer's channel.
        in_rx.close();
        while let Some(n) = in_rx.recv().await {
            out_tx.send(n).await?;
        }
        log.lock().unwrap().push("processing");
        Ok(())
    })
    .expect("spawned");
    let (log, sink) = (stopped.clone(), written.clone());
    sup.spawn_once("ingest-writer", Stage::Writers, move |cancel| async move {
        loop {
            tokio::select! {
                n = out_rx.recv() => match n {
                    Some(n) => sink.lock().unwrap().push(n),
                    None => break,
                },
                _ = cancel.cancelled() => {
                    out_rx.close();
                    while let Some(n) = out_rx.recv().await {
                        sink.lock().unwrap().push(n);
                    }
                    break;
                }
            }
        }
        log.lock().unwrap().push("writers");
        Ok(())
    })
    .expect("spawned");

    // Queued but not yet processed when the stop comes.
    for n in 0..10_000 {
        in_tx.send(n).expect("router alive");
    }
    let report = tokio::time::timeout(BOUND, sup.shutdown(5_000)).await.expect("bounded");
    assert_eq!(report, ShutdownReport::default());
    assert_eq!(*stopped.lock().unwrap(), ["intake", "processing", "writers"]);
    assert_eq!(*written.lock().unwrap(), (0..10_000).collect::<Vec<_>>(), "every item written, in order");
    assert!(sup.status().iter().all(|s| s.state == JobState::Stopped));

    assert_eq!(
        sup.spawn_once("late", Stage::Writers, |_| async { Ok(()) }),
        Err(JobError::ShuttingDown("late".into()))
    );
}

#[tokio::test]
async fn a_job_that_ignores_cancellation_is_aborted_and_the_next_stages_still_stop() {
    let clock = FakeClock::new(0);
    let sup = supervisor(&clock);
    sup.spawn("stuck", Stage::Processing, QUICK, |_| std::future::pending()).expect("spawned");
    sup.spawn("writer", Stage::Writers, QUICK, |cancel| async move {
        cancel.cancelled().await;
        Ok(())
    })
    .expect("spawned");

    let shutdown = tokio::spawn({
        let sup = sup.clone();
        async move { sup.shutdown(2_000).await }
    });
    // The shutdown parks on the clock for the stuck stage's deadline.
    clock.wait_for_sleepers(1).await;
    assert_eq!(clock.next_deadline(), Some(2_000));
    clock.advance_ms(2_000);
    let report = tokio::time::timeout(BOUND, shutdown).await.expect("bounded").expect("ran");
    assert_eq!(report.aborted, ["stuck"]);
    assert_eq!(
        job(&sup, "stuck").state,
        JobState::Failed { message: "did not stop within 2000 ms of shutdown; aborted".into() }
    );
    assert_eq!(job(&sup, "writer").state, JobState::Stopped);
    assert_eq!(clock.now_ms(), 2_000);
}
