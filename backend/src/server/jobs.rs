//! The server's background work as supervised jobs ([`crate::jobs`]): each part is started
//! here with its stage, so shutdown order is the stages' order, not a hand-written list.
//!
//! | job | stage | ends when |
//! |---|---|---|
//! | `http` | Intake | cancelled: stops accepting, finishes in-flight requests |
//! | `mqtt-gateway` | Intake | cancelled: stops the broker, closes every session (their offline facts are published), closes the uplink channel |
//! | `uplink-router` | Processing | the uplink channel is closed and routed (so after the gateway) |
//! | `gateway-offline-watch` | Consumers | cancelled: handles what its lane holds, then returns |
//! | `desired-sync` | Consumers | cancelled: handles what its lane holds, then returns |
//! | `network-status-purge` | Consumers | cancelled: between two purge runs |
//! | `metrics` | Consumers | cancelled: counts what its lane holds, closes the current minute and waits until the writer stored it |
//! | `metrics-purge` | Consumers | cancelled: between two purge runs |
//! | `store-writer` | Writers | cancelled: closes the hub, so every lane drains; returns once its last round is committed |
//!
//! State that must outlive a restart (channel receivers) sits outside the job's future, behind
//! a mutex that only the one running attempt holds.

use std::sync::Arc;

use tokio::sync::{mpsc, Mutex};
use tokio_util::sync::CancellationToken;

use crate::clock::SharedClock;
use crate::gateway::router::Router;
use crate::gateway::{Gateway, Uplink};
use crate::hub::{Delivery, Hub};
use crate::jobs::{panic_message, JobError, Restart, Stage, Supervisor};
use crate::live_bus::LiveBus;
use crate::{http, store};

/// The HTTP server ([`http::serve`]). Not restartable: the listener is moved into it.
pub(super) fn http(
    jobs: &Supervisor,
    listener: tokio::net::TcpListener,
    app: axum::Router,
    clock: SharedClock,
) -> Result<(), JobError> {
    jobs.spawn_once("http", Stage::Intake, move |cancel| async move {
        http::serve::serve(listener, app, clock, cancel).await;
        Ok(())
    })
}

/// The broker runs on its own runtime tasks; this job owns its shutdown.
pub(super) fn gateway(jobs: &Supervisor, gateway: Gateway) -> Result<(), JobError> {
    jobs.spawn_once("mqtt-gateway", Stage::Intake, move |cancel| async move {
        cancel.cancelled().await;
        gateway.shutdown().await;
        Ok(())
    })
}

/// The uplink router on the broker's channel. It does not watch its token: it runs until the
/// gateway (an earlier stage) has closed the channel, so nothing received is left unrouted.
pub(super) fn router(jobs: &Supervisor, router: Router, uplinks: mpsc::Receiver<Uplink>) -> Result<(), JobError> {
    let rx = Arc::new(Mutex::new(uplinks));
    jobs.spawn("uplink-router", Stage::Processing, Restart::default(), move |_cancel| {
        let (router, rx) = (router.clone(), rx.clone());
        async move { router.run(&mut *rx.lock().await).await }
    })
}

/// When a gateway goes offline its logged-in sub-devices go offline with it (seed 1913 for
/// their traffic until it is back). A lossless lane: no disconnect is ever missed.
pub(super) fn gateway_offline_watch(
    jobs: &Supervisor,
    router: Router,
    lane: mpsc::Receiver<Delivery>,
) -> Result<(), JobError> {
    let lane = Arc::new(Mutex::new(lane));
    jobs.spawn("gateway-offline-watch", Stage::Consumers, Restart::default(), move |cancel| {
        let (router, lane) = (router.clone(), lane.clone());
        async move {
            let mut lane = lane.lock().await;
            consume(&mut lane, &cancel, |ev| {
                let router = router.clone();
                async move { router.gateway_offline(&ev.device.pk, &ev.device.dn).await }
            })
            .await;
            Ok(())
        }
    })
}

/// Desired property values pushed on every (re)connect and cleared once reported
/// ([`crate::debug::sync`]). A lossless lane: no connect is missed.
pub(super) fn desired_sync(
    jobs: &Supervisor,
    sync: crate::debug::sync::DesiredSync,
    lane: mpsc::Receiver<Delivery>,
) -> Result<(), JobError> {
    let state = Arc::new(Mutex::new((sync, lane)));
    jobs.spawn("desired-sync", Stage::Consumers, Restart::default(), move |cancel| {
        let state = state.clone();
        async move {
            let mut guard = state.lock().await;
            let (sync, lane) = &mut *guard;
            let sync = Mutex::new(sync);
            consume(lane, &cancel, |ev| {
                let sync = &sync;
                async move { sync.lock().await.handle(ev).await }
            })
            .await;
            Ok(())
        }
    })
}

/// Network status retention (issue 14): purges old samples every few minutes on the clock.
pub(super) fn network_status_purge(
    jobs: &Supervisor,
    db: store::Db,
    clock: SharedClock,
    retention_days: u32,
) -> Result<(), JobError> {
    jobs.spawn("network-status-purge", Stage::Consumers, Restart::default(), move |cancel| {
        crate::history::purge::run(db.clone(), clock.clone(), retention_days, cancel)
    })
}

/// Monitoring (issue 14): the minute clock and the live minute ([`crate::monitor::job`]; the
/// counting is the hub's tap). A restart keeps the levels last stored.
pub(super) fn metrics(
    jobs: &Supervisor,
    monitor: crate::monitor::Monitor,
    db: store::Db,
    hub: Hub,
    clock: SharedClock,
) -> Result<(), JobError> {
    let state = Arc::new(Mutex::new(crate::monitor::job::JobState::default()));
    jobs.spawn("metrics", Stage::Consumers, Restart::default(), move |cancel| {
        let (monitor, db, hub, clock, state) = (monitor.clone(), db.clone(), hub.clone(), clock.clone(), state.clone());
        async move { crate::monitor::job::run(monitor, db, hub, clock, &mut *state.lock().await, cancel).await }
    })
}

/// Metric retention (issue 14): minutes after 7 days, hours after a year, in batches.
pub(super) fn metrics_purge(
    jobs: &Supervisor,
    monitor: crate::monitor::Monitor,
    db: store::Db,
    clock: SharedClock,
) -> Result<(), JobError> {
    jobs.spawn("metrics-purge", Stage::Consumers, Restart::default(), move |cancel| {
        crate::monitor::job::purge(monitor.clone(), db.clone(), clock.clone(), cancel)
    })
}

/// A lossless lane consumer's loop: every fact to `handle`, every barrier answered. On cancel
/// (producers upstream have stopped by then: consumers are a later stage) it handles what the
/// lane still holds and returns, instead of waiting for the hub to close, which happens only
/// once consumers have stopped.
pub(crate) async fn consume<F, Fut>(lane: &mut mpsc::Receiver<Delivery>, cancel: &CancellationToken, mut handle: F)
where
    F: FnMut(Arc<crate::hub::DeviceEvent>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    loop {
        let d = tokio::select! {
            d = lane.recv() => d,
            _ = cancel.cancelled() => lane.try_recv().ok(),
        };
        match d {
            Some(Delivery::Event(ev)) => handle(ev).await,
            Some(Delivery::Barrier(ack)) => {
                let _ = ack.send(());
            }
            None => return,
        }
    }
}

/// The store writer's thread, under a job: a panic in it is reported and the writer started
/// again on the same lane. Cancelling it closes the hub (every producer has stopped by then),
/// so the writer commits what its lane holds and ends.
pub(super) fn store_writer(
    jobs: &Supervisor,
    target: store::WriterTarget,
    lane: mpsc::Receiver<Delivery>,
    hub: Hub,
    bus: LiveBus,
    minutes: store::metrics::MinuteQueue,
) -> Result<(), JobError> {
    let lane = Arc::new(Mutex::new(lane));
    jobs.spawn("store-writer", Stage::Writers, Restart::default(), move |cancel| {
        let (target, lane, hub, bus, minutes) =
            (target.clone(), lane.clone(), hub.clone(), bus.clone(), minutes.clone());
        async move {
            // A thread of its own, not `spawn_blocking`: a runtime waits for its blocking tasks
            // when dropped, and a server that is dropped without `shutdown` (a failed test)
            // would then never let its runtime end.
            let (done, ended) = tokio::sync::oneshot::channel();
            std::thread::Builder::new().name("ingest-writer".into()).spawn(move || {
                let run = std::panic::AssertUnwindSafe(|| {
                    store::run_writer(&target, &mut lane.blocking_lock(), &bus, &minutes)
                });
                let _ = done.send(std::panic::catch_unwind(run).map_err(|p| panic_message(p.as_ref()).to_owned()));
            })?;
            tokio::pin!(ended);
            tokio::select! {
                r = &mut ended => return thread_result(r),
                _ = cancel.cancelled() => hub.close(),
            }
            thread_result(ended.await)
        }
    })
}

/// How the writer thread ended: by itself (its lane closed), or by a panic (then restarted).
fn thread_result(r: Result<Result<(), String>, tokio::sync::oneshot::error::RecvError>) -> anyhow::Result<()> {
    match r {
        Ok(Ok(())) => Ok(()),
        Ok(Err(panic)) => anyhow::bail!("store writer panicked: {panic}"),
        Err(_) => anyhow::bail!("store writer thread ended without a word"),
    }
}
