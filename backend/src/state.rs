//! The shared application state every handler gets, built once by [`AppStateBuilder`] after
//! the parts it holds exist (store, hub, gateway, commands) — nothing is patched in later.

use std::sync::Arc;

use crate::auth::rate_limit::FailureLimiter;
use crate::auth::revoke::Revocations;
use crate::clock::SharedClock;
use crate::commands::Commands;
use crate::config::Settings;
use crate::gateway::router::Router;
use crate::gateway::Unreachable;
use crate::hub::{Hub, HubBuilder};
use crate::jobs::Supervisor;
use crate::live_bus::LiveBus;
use crate::store::Db;

/// What the registry needs from the device side: to cut a device off when it is disabled or
/// deleted. The gateway implements it; handler tests use [`NoDeviceLink`].
#[async_trait::async_trait]
pub trait DeviceLink: Send + Sync + 'static {
    /// Close the device's MQTT session at once, if it has one.
    async fn disconnect(&self, product_key: &str, device_name: &str);

    /// The broker's figures for `/metrics` (none without a broker).
    fn broker_stats(&self) -> Option<BrokerStats> {
        None
    }
}

/// What the embedded broker reports of itself (`/metrics`): its own connection, session and
/// inflight counts (rmqtt's `stats` feature: atomic counters on its paths), the gateway's device
/// sessions, and every message or connect refused by a per-device limit. Drops are counted
/// from the broker's drop hook, on the metrics lane.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrokerStats {
    /// Device sessions the gateway serves.
    pub device_sessions: i64,
    /// MQTT connections open (devices and anything else that got past the handshake).
    pub connections: i64,
    /// Sessions the broker keeps, connected or not.
    pub sessions: i64,
    /// QoS 1/2 messages the broker has received and not yet completed.
    pub inflight_in: i64,
    /// QoS 1/2 messages sent to clients and not yet acknowledged.
    pub inflight_out: i64,
    /// Messages waiting in session queues for a free inflight slot.
    pub queued: i64,
    /// (limit kind's seed event name, ProductKey) → refusals, every one.
    pub throttled: Vec<(&'static str, String, u64)>,
    /// CONNECTs and PUBLISHes refused (stage, seed code, count), every one: the run log keeps
    /// at most a budget of them per source.
    pub refused: Vec<(crate::hub::Stage, u32, u64)>,
}

/// For tests and tools without a broker.
pub struct NoDeviceLink;

#[async_trait::async_trait]
impl DeviceLink for NoDeviceLink {
    async fn disconnect(&self, _: &str, _: &str) {}
}

/// Cheap to clone: every part is shared.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub db: Db,
    /// Wall clock in production, a fake one in tests.
    pub clock: SharedClock,
    /// The merged configuration (with the ports actually bound).
    pub settings: Arc<Settings>,
    /// Failed-login counters per user and per IP.
    pub login_limiter: Arc<FailureLimiter>,
    /// Tells live sockets that a credential ended.
    pub revocations: Revocations,
    /// Device facts: lossless lanes for features, the live bus for browsers ([`Hub::live`]).
    pub hub: Hub,
    /// The device side (gateway), for disconnects.
    pub devices: Arc<dyn DeviceLink>,
    /// Everything the platform sends to devices (property set/get, services, publish).
    pub commands: Commands,
    /// The background jobs, for `/readyz` and for features that start their own.
    pub jobs: Supervisor,
    /// Who runs which simulated device: the demo fleet or an operator's simulator.
    pub simulators: crate::simulate::Simulators,
    /// Monitoring metrics: the per-minute counters and `/metrics` (issue 14).
    pub monitor: crate::monitor::Monitor,
}

impl AppState {
    /// The parts a handler test needs; see [`AppStateBuilder`] for the rest.
    pub fn builder(db: Db, clock: SharedClock, settings: Settings) -> AppStateBuilder {
        AppStateBuilder { db, clock, settings, hub: None, devices: None, commands: None, jobs: None, monitor: None }
    }

    /// State without a device side: every device is unreachable (handler tests, tools).
    pub fn new(db: Db, clock: SharedClock, settings: Settings) -> Self {
        Self::builder(db, clock, settings).build()
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The browsers' lane.
    pub fn bus(&self) -> &LiveBus {
        self.hub.live()
    }
}

/// Builds [`AppState`]; parts not given are the "no device side" ones.
pub struct AppStateBuilder {
    db: Db,
    clock: SharedClock,
    settings: Settings,
    hub: Option<Hub>,
    devices: Option<Arc<dyn DeviceLink>>,
    commands: Option<Commands>,
    jobs: Option<Supervisor>,
    monitor: Option<crate::monitor::Monitor>,
}

impl AppStateBuilder {
    /// The counters the server's metrics lane feeds (without one: counters nothing feeds).
    pub fn monitor(mut self, monitor: crate::monitor::Monitor) -> Self {
        self.monitor = Some(monitor);
        self
    }

    pub fn hub(mut self, hub: Hub) -> Self {
        self.hub = Some(hub);
        self
    }

    pub fn devices(mut self, devices: Arc<dyn DeviceLink>) -> Self {
        self.devices = Some(devices);
        self
    }

    pub fn commands(mut self, commands: Commands) -> Self {
        self.commands = Some(commands);
        self
    }

    pub fn jobs(mut self, jobs: Supervisor) -> Self {
        self.jobs = Some(jobs);
        self
    }

    pub fn build(self) -> AppState {
        let AppStateBuilder { db, clock, settings, hub, devices, commands, jobs, monitor } = self;
        let monitor = monitor.unwrap_or_else(|| crate::monitor::Monitor::new(settings.metrics.clone(), clock.now_ms()));
        let jobs = jobs.unwrap_or_else(|| Supervisor::new(clock.clone()));
        // Without lanes, facts reach browsers only (nothing is stored): what a test without a
        // device side needs.
        let hub = hub.unwrap_or_else(|| HubBuilder::default().build(clock.clone(), LiveBus::default()));
        let commands = commands
            .unwrap_or_else(|| Router::new(db.clone(), clock.clone(), hub.clone(), Arc::new(Unreachable)).commands());
        AppState {
            login_limiter: Arc::new(FailureLimiter::new(clock.clone())),
            revocations: Revocations::default(),
            db,
            clock,
            settings: Arc::new(settings),
            hub,
            devices: devices.unwrap_or_else(|| Arc::new(NoDeviceLink)),
            commands,
            jobs,
            simulators: Default::default(),
            monitor,
        }
    }
}
