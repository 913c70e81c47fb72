//! Wiring: store → state → run log → gateway (broker + router) → admin bootstrap → (demo) → HTTP,
//! with graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::auth::bootstrap::{self, Bootstrap};
use crate::clock::{SharedClock, SystemClock};
use crate::config::Settings;
use crate::gateway::router::RouterHandle;
use crate::gateway::{Downlink, Gateway};
use crate::runlog::{RunLog, WriterHandle};
use crate::state::AppState;
use axum::serve::ListenerExt;

use crate::{app, demo, gateway, http, runlog, store};

/// How long shutdown waits for the router and the run-log writer to drain.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(15);

/// A running server; dropping it does not stop it, call [`Running::shutdown`].
pub struct Running {
    /// Where the HTTP server listens (the real port when 0 was asked for).
    pub http_addr: SocketAddr,
    /// Where the embedded MQTT broker listens for devices (plain TCP; the real port when 0 was asked for).
    pub mqtt_addr: SocketAddr,
    /// The MQTT-over-TLS listener, when `--mqtt-tls` is set.
    pub mqtts_addr: Option<SocketAddr>,
    /// Everything that goes to a device goes through this.
    pub downlink: Arc<dyn Downlink>,
    /// The device gateway (sessions, topo cache, shutdown).
    pub gateway: Gateway,
    /// Downlink requests with replies (property set/get, services, RRPC): what features and tests call.
    pub commands: gateway::router::Commands,
    /// The run log, for producers outside the gateway and for tests.
    pub runlog: RunLog,
    /// The shared state, for tests that look behind the API.
    pub state: AppState,
    /// How the admin user came to be on this start.
    pub bootstrap: Bootstrap,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    router: RouterHandle,
    offline_watch: tokio::task::JoinHandle<()>,
    writer: WriterHandle,
}

impl Running {
    /// Stop accepting, finish in-flight requests, flush pending writes, close the database.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        // Devices next: stop accepting, close sessions (their offline entries still reach the
        // run log), then let the router finish what it received, then flush the run log.
        self.gateway.shutdown().await;
        // The watcher holds a router handle: it must go before the router can drain.
        self.offline_watch.abort();
        let _ = self.offline_watch.await;
        if tokio::time::timeout(DRAIN_TIMEOUT, self.router.closed()).await.is_err() {
            tracing::warn!("the router did not drain in time");
        }
        // Every run-log handle must be gone before the writer can finish its last batch.
        drop(self.commands);
        drop(self.runlog);
        if tokio::time::timeout(DRAIN_TIMEOUT, self.writer.close()).await.is_err() {
            tracing::warn!("the run log did not flush in time (a producer still holds it)");
        }
        self.state.db.close().await;
    }
}

/// When a gateway goes offline its logged-in sub-devices go offline with it (seed 9389 for their
/// traffic until it is back). Driven by the status events on the bus: a lagging watcher can miss
/// one, which then only leaves sub-devices marked logged in until the gateway's next login.
fn spawn_gateway_offline_watch(state: &AppState, router: gateway::router::Router) -> tokio::task::JoinHandle<()> {
    let mut bus = state.bus.subscribe_internal();
    tokio::spawn(async move {
        loop {
            match bus.recv().await.as_deref() {
                Ok(model::ws::LiveEvent::Status { product_key, device_name, status, .. })
                    if *status == model::registry::DeviceStatus::Offline
                        || *status == model::registry::DeviceStatus::Disabled =>
                {
                    router.gateway_offline(product_key, device_name).await;
                }
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    })
}

/// Live frames are small: without TCP_NODELAY, Nagle holds each one until the browser's delayed
/// ACK arrives (measured ~10 ms added to every device → browser event at 1k msg/s).
fn no_delay(stream: &mut tokio::net::TcpStream) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "TCP_NODELAY not set");
    }
}

pub async fn start(settings: Settings) -> anyhow::Result<Running> {
    start_with_clock(settings, Arc::new(SystemClock)).await
}

pub async fn start_with_clock(settings: Settings, clock: SharedClock) -> anyhow::Result<Running> {
    std::fs::create_dir_all(&settings.data_dir)
        .map_err(|e| anyhow::anyhow!("cannot create data directory {}: {e}", settings.data_dir.display()))?;
    let db = store::connect(&settings.database_url).await?;
    let reset = store::devices::reset_online(&db, clock.now_ms()).await?;
    if reset > 0 {
        tracing::info!(devices = reset, "marked devices offline after restart");
    }
    let mut state = AppState::new(db.clone(), clock.clone(), settings.clone());
    let (runlog, writer) = runlog::spawn_writer(state.ingest.clone(), clock);
    let (gateway, uplinks) = gateway::start(&state, runlog.clone()).await?;
    state.devices = Arc::new(gateway.clone());
    // With `--mqtt …:0` the real port is only known now; `/api/v1/info` tells the browser this one.
    let mut bound = settings.clone();
    bound.mqtt = gateway.mqtt_addr;
    state.settings = Arc::new(bound);
    let downlink: Arc<dyn Downlink> = Arc::new(gateway.clone());
    let uplink_router = gateway::router::spawn(state.clone(), runlog.clone(), downlink.clone(), uplinks);
    // topo/add and topo/delete change what a gateway may publish for: the broker's ACL cache follows.
    uplink_router.router.set_topo_listener(Arc::new(gateway.clone()));
    let offline_watch = spawn_gateway_offline_watch(&state, uplink_router.router.clone());
    let bootstrap = bootstrap::ensure_admin(&state, settings.admin_password.as_deref()).await?;
    if settings.demo {
        demo::seed(&state).await?;
    }
    let dist = http::spa::locate_dist(settings.dist.as_deref());
    match &dist {
        Some(d) => tracing::info!(dist = %d.display(), "serving the web UI"),
        None => tracing::warn!("no built web UI found (dist/index.html); the API still works"),
    }
    let router = app(state.clone(), dist.as_deref());
    let listener = tokio::net::TcpListener::bind(settings.http)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.http))?;
    let http_addr = listener.local_addr()?;
    tracing::info!(%http_addr, "HTTP listening");
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.wait_for(|s| *s).await;
        };
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        if let Err(e) = axum::serve(listener.tap_io(no_delay), service).with_graceful_shutdown(shutdown).await {
            tracing::error!(error = %e, "HTTP server failed");
        }
    });
    Ok(Running {
        http_addr,
        mqtt_addr: gateway.mqtt_addr,
        mqtts_addr: gateway.mqtts_addr,
        downlink,
        gateway,
        runlog,
        state,
        bootstrap,
        stop,
        task,
        commands: uplink_router.commands.clone(),
        router: uplink_router,
        offline_watch,
        writer,
    })
}
