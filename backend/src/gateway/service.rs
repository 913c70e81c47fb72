//! The gateway as one value: the embedded broker, the parts its hooks use (session table,
//! sub-device cache, limits, the uplink channel), and the handle the rest of the server holds
//! ([`Gateway`]: `Downlink` + `DeviceLink`). Data flows one way: broker → hooks →
//! sessions / router → hub; nothing here calls back into the hooks.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rmqtt::context::ServerContext;
use tokio::sync::mpsc;

use super::hooks::{Hooks, UplinkTx};
use super::limits::{Guard, Limits};
use super::refusals::RefusalBudget;
use super::sessions::Sessions;
use super::topo::Topo;
use super::{broker, Uplink};
use crate::clock::SharedClock;
use crate::config::Settings;
use crate::hub::Hub;
use crate::store::Db;

/// Uplinks waiting for the router at most; past this the publishing device's session waits
/// (backpressure on its TCP connection) instead of memory growing.
pub const UPLINK_QUEUE: usize = 8_192;

/// What the gateway needs from the rest of the server, and no more: it starts before the
/// [`crate::state::AppState`] that holds it exists.
#[derive(Clone)]
pub struct Deps {
    /// The registry (devices, products, tokens).
    pub db: Db,
    pub clock: SharedClock,
    pub settings: Arc<Settings>,
    /// Where every device fact goes.
    pub hub: Hub,
}

impl Deps {
    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// The running gateway. Cheap to clone.
#[derive(Clone)]
pub struct Gateway {
    pub(super) deps: Deps,
    pub(super) scx: ServerContext,
    pub(super) sessions: Arc<Sessions>,
    pub(super) topo: Arc<Topo>,
    pub(super) guard: Arc<Guard>,
    /// Shared with the hooks, which count every refusal into it (`/metrics` reads it).
    pub(super) refusals: Arc<RefusalBudget>,
    uplinks: UplinkTx,
    /// The plain MQTT listener (the real port when 0 was asked for).
    pub mqtt_addr: SocketAddr,
    /// The MQTT-over-TLS listener, when configured.
    pub mqtts_addr: Option<SocketAddr>,
    broker: Arc<broker::Listeners>,
}

/// Start the broker with the device hooks. Returns the gateway and the receiving end of the
/// uplink channel, which belongs to the router.
pub async fn start(deps: Deps) -> anyhow::Result<(Gateway, mpsc::Receiver<Uplink>)> {
    let scx = broker::context().await;
    let (tx, rx) = mpsc::channel(UPLINK_QUEUE);
    let topo = Arc::new(Topo::default());
    let sessions = Arc::new(Sessions::new(deps.clone(), topo.clone(), scx.clone()));
    let limits = Limits::new(deps.clock.clone(), deps.settings.limits);
    let guard = Arc::new(Guard { limits, db: deps.db.clone(), hub: deps.hub.clone() });
    let uplinks = UplinkTx::new(tx);
    let refusals = Arc::new(RefusalBudget::new(deps.clock.clone()));
    let hooks = Hooks {
        deps: deps.clone(),
        sessions: sessions.clone(),
        topo: topo.clone(),
        guard: guard.clone(),
        uplinks: uplinks.clone(),
        auth_failures: Arc::new(crate::auth::rate_limit::FailureLimiter::with_limits(
            deps.clock.clone(),
            deps.settings.limits.auth_failures_per_minute as usize,
            60_000,
        )),
        refusals: refusals.clone(),
    };
    broker::install(&scx, hooks).await;
    let listeners = broker::listen(&scx, &deps.settings).await?;
    let gateway = Gateway {
        deps,
        scx,
        sessions,
        topo,
        guard,
        refusals,
        uplinks,
        mqtt_addr: listeners.mqtt_addr,
        mqtts_addr: listeners.mqtts_addr,
        broker: Arc::new(listeners),
    };
    Ok((gateway, rx))
}

impl Gateway {
    /// Reload which sub-devices a gateway device may act for; the router calls this after a
    /// `thing/topo/add` or `thing/topo/delete` changed `devices.gateway_id`.
    pub async fn refresh_topo(&self, gw_pk: &str, gw_dn: &str) -> anyhow::Result<()> {
        self.topo.refresh(&self.deps.db, gw_pk, gw_dn).await?;
        Ok(())
    }

    /// Number of live device sessions.
    pub fn online_count(&self) -> usize {
        self.sessions.count()
    }

    /// Stop accepting connections, close every device session (each logged as kicked), and
    /// let go of the uplink channel so the router can finish.
    pub async fn shutdown(&self) {
        self.broker.stop();
        for d in self.sessions.devices() {
            self.sessions.kick(&d.pk, &d.dn).await;
        }
        // Disconnect hooks run in the sessions' own tasks: give them a moment to write the
        // offline status and publish their facts before the hub is closed.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while self.sessions.count() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.uplinks.close();
    }
}
