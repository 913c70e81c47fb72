//! Wiring: store → hub and its lossless consumers (store writer, gateway-offline watch) →
//! gateway (broker + router) → commands → state → admin bootstrap → (demo) → HTTP, with
//! graceful shutdown in the reverse order.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::auth::bootstrap::{self, Bootstrap};
use crate::clock::{SharedClock, SystemClock};
use crate::commands::Commands;
use crate::config::Settings;
use crate::gateway::router::RouterHandle;
use crate::gateway::{Downlink, Gateway};
use crate::hub::{everything, Delivery, DeviceEvent, Fact, Hub, HubBuilder};
use crate::live_bus::LiveBus;
use crate::state::AppState;
use axum::serve::ListenerExt;

use crate::{app, demo, gateway, http, store};

/// How long shutdown waits for the router and the store writer to drain.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(15);
/// Gateway disconnects queued for the sub-device watch at most.
const OFFLINE_LANE: usize = 1_024;

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
    pub commands: Commands,
    /// Device facts; `hub.flush()` waits until everything so far is stored.
    pub hub: Hub,
    /// The shared state, for tests that look behind the API.
    pub state: AppState,
    /// How the admin user came to be on this start.
    pub bootstrap: Bootstrap,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    router: RouterHandle,
    offline_watch: tokio::task::JoinHandle<()>,
    writer: std::thread::JoinHandle<()>,
}

impl Running {
    /// Stop accepting, finish in-flight requests, store every fact received, close the database.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        // Devices next: stop accepting, close sessions (their offline facts are published),
        // then let the router finish what it received.
        self.gateway.shutdown().await;
        if tokio::time::timeout(DRAIN_TIMEOUT, self.router.closed()).await.is_err() {
            tracing::warn!("the router did not drain in time");
        }
        // The watch may still publish sub-devices' offline facts: let it finish, then close
        // the hub so every lane drains and ends.
        if tokio::time::timeout(DRAIN_TIMEOUT, self.hub.flush()).await.is_err() {
            tracing::warn!("the hub's consumers did not catch up in time");
        }
        self.hub.close();
        let _ = self.offline_watch.await;
        let writer = tokio::task::spawn_blocking(move || self.writer.join());
        if tokio::time::timeout(DRAIN_TIMEOUT, writer).await.is_err() {
            tracing::warn!("the store writer did not finish in time");
        }
        self.state.db.close().await;
    }
}

/// A gateway's own session ended (not a sub-device: the watch publishes those itself, and a
/// lane must not want what its consumer publishes).
fn session_ended(ev: &DeviceEvent) -> bool {
    matches!(ev.fact, Fact::Disconnected { device_id: Some(_), .. })
}

/// When a gateway goes offline its logged-in sub-devices go offline with it (seed 1913 for
/// their traffic until it is back). A lossless lane: no disconnect is ever missed.
fn spawn_gateway_offline_watch(
    mut lane: mpsc::Receiver<Delivery>,
    router: gateway::router::Router,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(d) = lane.recv().await {
            match d {
                Delivery::Event(ev) => router.gateway_offline(&ev.device.pk, &ev.device.dn).await,
                Delivery::Barrier(ack) => {
                    let _ = ack.send(());
                }
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
    // The hub and its lossless consumers first: everything after them produces facts.
    let bus = LiveBus::default();
    let mut lanes = HubBuilder::default();
    let store_lane = lanes.lane("store", store::ingest::QUEUE_CAPACITY, everything);
    let offline_lane = lanes.lane("gateway-offline", OFFLINE_LANE, session_ended);
    let hub = lanes.build(clock.clone(), bus.clone());
    let writer = store::ingest::spawn(db.connect_options().get_filename(), store_lane, bus);
    let deps =
        gateway::Deps { db: db.clone(), clock: clock.clone(), settings: Arc::new(settings.clone()), hub: hub.clone() };
    let (gateway, uplinks) = gateway::start(deps).await?;
    let downlink: Arc<dyn Downlink> = Arc::new(gateway.clone());
    let uplink_router = gateway::router::spawn(db.clone(), clock.clone(), hub.clone(), downlink.clone(), uplinks);
    // topo/add and topo/delete change what a gateway may publish for: the broker's ACL cache follows.
    uplink_router.router.set_topo_listener(Arc::new(gateway.clone()));
    let offline_watch = spawn_gateway_offline_watch(offline_lane, uplink_router.router.clone());
    // With `--mqtt …:0` the real port is only known now; `/api/v1/info` tells the browser this one.
    let mut bound = settings.clone();
    bound.mqtt = gateway.mqtt_addr;
    let state = AppState::builder(db, clock, bound)
        .hub(hub.clone())
        .devices(Arc::new(gateway.clone()))
        .commands(uplink_router.commands.clone())
        .build();
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
        hub,
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
