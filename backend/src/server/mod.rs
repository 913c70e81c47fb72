//! Wiring: store → hub and its lossless consumers (store writer, gateway-offline watch) →
//! gateway (broker + router) → commands → state → admin bootstrap → (demo) → HTTP. Every
//! long-lived part runs as a supervised job ([`jobs`]); shutdown is the supervisor's, stage by
//! stage.

mod jobs;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::bootstrap::{self, Bootstrap};
use crate::clock::{SharedClock, SystemClock};
use crate::commands::Commands;
use crate::config::Settings;
use crate::gateway::{Downlink, Gateway};
use crate::hub::{everything, DeviceEvent, Fact, Hub, HubBuilder};
use crate::jobs::{ShutdownReport, Supervisor};
use crate::live_bus::LiveBus;
use crate::state::AppState;

use crate::{app, demo, gateway, http, store};

/// How long shutdown waits for each stage of jobs to stop (on the server's clock).
const STAGE_DEADLINE: Duration = Duration::from_secs(15);
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
    /// Every background job; `/readyz` reports them.
    pub jobs: Supervisor,
    /// The shared state, for tests that look behind the API.
    pub state: AppState,
    /// How the admin user came to be on this start.
    pub bootstrap: Bootstrap,
}

impl Running {
    /// Stop accepting, finish in-flight requests, store every fact received, close the
    /// database: the supervisor stops intake (HTTP, broker), then the router, then the hub's
    /// consumers, then the store writer, each stage once the one before has stopped.
    pub async fn shutdown(self) -> ShutdownReport {
        let report = self.jobs.shutdown(STAGE_DEADLINE.as_millis() as i64).await;
        if !report.aborted.is_empty() {
            tracing::warn!(aborted = ?report.aborted, "jobs did not stop in time");
        }
        self.state.db.close().await;
        report
    }
}

/// A gateway's own session ended (not a sub-device: the watch publishes those itself, and a
/// lane must not want what its consumer publishes).
fn session_ended(ev: &DeviceEvent) -> bool {
    matches!(ev.fact, Fact::Disconnected { device_id: Some(_), .. })
}

/// Where a simulated device on this host reaches the broker (0.0.0.0 is not an address to
/// connect to). `settings.mqtt` is the bound address once the server has started.
pub fn device_broker(settings: &Settings) -> SocketAddr {
    let addr = settings.mqtt;
    if addr.ip().is_unspecified() {
        SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
    } else {
        addr
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
    let store_lane = lanes.durable_lane("store", store::ingest::QUEUE_CAPACITY, everything);
    let offline_lane = lanes.lane("gateway-offline", OFFLINE_LANE, session_ended);
    let desired_lane = lanes.lane("desired-sync", crate::debug::sync::LANE, crate::debug::sync::wants);
    // Monitoring (issue 14): every fact counted by a hub tap as it is published; none with
    // `--metrics off`.
    let monitor = crate::monitor::Monitor::new(settings.metrics.clone(), clock.now_ms());
    if monitor.enabled() {
        lanes.tap(crate::monitor::wants, monitor.tap());
    }
    let hub = lanes.build(clock.clone(), bus.clone());
    let supervisor = Supervisor::new(clock.clone());
    jobs::store_writer(&supervisor, db.writer_target(), store_lane, hub.clone(), bus, monitor.minutes().clone())?;
    if monitor.enabled() {
        jobs::metrics(&supervisor, monitor.clone(), db.clone(), hub.clone(), clock.clone())?;
        jobs::metrics_purge(&supervisor, monitor.clone(), db.clone(), clock.clone())?;
    }
    let deps =
        gateway::Deps { db: db.clone(), clock: clock.clone(), settings: Arc::new(settings.clone()), hub: hub.clone() };
    let (gateway, uplinks) = gateway::start(deps).await?;
    let downlink: Arc<dyn Downlink> = Arc::new(gateway.clone());
    let router = gateway::router::Router::new(db.clone(), clock.clone(), hub.clone(), downlink.clone());
    let commands = router.commands();
    // topo/add and topo/delete change what a gateway may publish for: the broker's ACL cache follows.
    router.set_topo_listener(Arc::new(gateway.clone()));
    jobs::gateway(&supervisor, gateway.clone())?;
    jobs::router(&supervisor, router.clone(), uplinks)?;
    jobs::gateway_offline_watch(&supervisor, router, offline_lane)?;
    let desired = crate::debug::sync::DesiredSync::load(db.clone(), commands.clone()).await?;
    jobs::desired_sync(&supervisor, desired, desired_lane)?;
    // history (issue 14): network status retention.
    jobs::network_status_purge(&supervisor, db.clone(), clock.clone(), settings.network_status_retention_days)?;
    // With `--mqtt …:0` the real port is only known now; `/api/v1/info` tells the browser this one.
    let mut bound = settings.clone();
    bound.mqtt = gateway.mqtt_addr;
    // Likewise the TLS port, which the Connection parameters panel shows.
    if let (Some(tls), Some(addr)) = (bound.mqtt_tls.as_mut(), gateway.mqtts_addr) {
        tls.addr = addr;
    }
    let state = AppState::builder(db, clock, bound)
        .hub(hub.clone())
        .devices(Arc::new(gateway.clone()))
        .commands(commands.clone())
        .jobs(supervisor.clone())
        .monitor(monitor)
        .build();
    let bootstrap = bootstrap::ensure_admin(&state, settings.admin_password.as_deref()).await?;
    if settings.demo {
        let catalogue = demo::seed(&state, settings.demo_devices).await?;
        crate::simulate::fleet::start(&supervisor, state.clone(), catalogue, device_broker(&state.settings))?;
    }
    let dist = http::spa::locate_dist(settings.dist.as_deref());
    match &dist {
        Some(d) => tracing::info!(dist = %d.display(), "serving the web UI"),
        None => tracing::warn!("no built web UI found (dist/index.html); the API still works"),
    }
    let listener = tokio::net::TcpListener::bind(settings.http)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.http))?;
    let http_addr = listener.local_addr()?;
    tracing::info!(%http_addr, "HTTP listening");
    jobs::http(&supervisor, listener, app(state.clone(), dist.as_deref()), state.clock.clone())?;
    Ok(Running {
        http_addr,
        mqtt_addr: gateway.mqtt_addr,
        mqtts_addr: gateway.mqtts_addr,
        downlink,
        gateway,
        hub,
        state,
        bootstrap,
        commands,
        jobs: supervisor,
    })
}
