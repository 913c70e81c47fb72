//! The shared application state every handler and background task gets.

use std::sync::Arc;

use crate::auth::rate_limit::LoginLimiter;
use crate::clock::SharedClock;
use crate::config::Settings;
use crate::live_bus::LiveBus;
use crate::store::ingest::Ingest;
use crate::store::Db;

/// What the registry needs from the device side: to cut a device off when it is disabled or
/// deleted. The gateway implements it; handler tests use [`NoDeviceLink`].
#[async_trait::async_trait]
pub trait DeviceLink: Send + Sync + 'static {
    /// Close the device's MQTT session at once, if it has one.
    async fn disconnect(&self, product_key: &str, device_name: &str);
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
    /// The merged configuration.
    pub settings: Arc<Settings>,
    /// Failed-login counters per user and per IP.
    pub login_limiter: Arc<LoginLimiter>,
    /// Live facts for browsers; lagging readers lose events, the sender never waits.
    pub bus: LiveBus,
    /// The device side (gateway), for disconnects.
    pub devices: Arc<dyn DeviceLink>,
    /// The writer of the high-volume rows (run log, property values).
    pub ingest: Ingest,
}

impl AppState {
    /// State with no device side yet; `main` plugs the gateway in with [`AppState::devices`].
    pub fn new(db: Db, clock: SharedClock, settings: Settings) -> Self {
        let bus = LiveBus::default();
        let ingest = Ingest::spawn(db.connect_options().get_filename(), bus.clone());
        AppState {
            ingest,
            db,
            login_limiter: Arc::new(LoginLimiter::new(clock.clone())),
            clock,
            settings: Arc::new(settings),
            bus,
            devices: Arc::new(NoDeviceLink),
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }
}
