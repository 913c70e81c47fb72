//! The gateway as one value: the embedded broker, its hooks' shared state, and the handle the
//! rest of the server holds ([`Gateway`]: `Downlink` + `DeviceLink`).

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use model::runlog::BizType;
use rmqtt::context::ServerContext;
use tokio::sync::mpsc;

use super::limits::{self, Kind, Limits, Verdict};
use super::sessions::Sessions;
use super::topo::Topo;
use super::{broker, Uplink};
use crate::runlog::RunLog;
use crate::state::AppState;
use model::runlog::LogEntry;

/// Uplinks waiting for the router at most; past this the publishing device's session waits
/// (backpressure on its TCP connection) instead of memory growing.
pub const UPLINK_QUEUE: usize = 8_192;

/// What the broker hooks share. Reached through `Arc`; see [`Gateway`].
pub(super) struct Inner {
    pub state: AppState,
    pub scx: ServerContext,
    pub sessions: Sessions,
    pub topo: Topo,
    pub limits: Limits,
    /// Taken out at shutdown: the broker's hooks keep `Inner` alive for as long as the broker
    /// context lives, and the router and the run-log writer only finish once these are gone.
    runlog: RwLock<Option<RunLog>>,
    uplinks: RwLock<Option<mpsc::Sender<Uplink>>>,
}

impl Inner {
    /// A run-log entry about a device.
    pub async fn log(
        &self,
        biz: BizType,
        pk: &str,
        dn: &str,
        operation: &str,
        status: u32,
        content: serde_json::Value,
    ) {
        let Some(runlog) = self.runlog.read().unwrap_or_else(|e| e.into_inner()).clone() else { return };
        runlog
            .log(LogEntry {
                id: 0,
                at: 0,
                trace_id: runlog.new_trace(),
                message_id: None,
                product_key: pk.to_string(),
                device_name: dn.to_string(),
                biz_type: biz,
                operation: operation.to_string(),
                content: content.to_string(),
                status,
            })
            .await;
    }

    /// Hand an accepted uplink to the router; waits while the router is behind.
    pub async fn uplink(&self, u: Uplink) {
        let Some(tx) = self.uplinks.read().unwrap_or_else(|e| e.into_inner()).clone() else { return };
        if tx.send(u).await.is_err() {
            tracing::warn!("the uplink router is gone; uplink dropped");
        }
    }

    /// Count one event against a device limit; `false` = refuse. The first refusal in a window
    /// is logged (seed 1942/9324) and stored as a limit event.
    pub async fn within_limit(&self, kind: Kind, pk: &str, dn: &str) -> bool {
        match self.limits.check(kind, pk, dn) {
            Verdict::Allowed => true,
            Verdict::Dropped => false,
            Verdict::Exceeded => {
                let limit = self.limits.limit(kind);
                limits::record_event(&self.state.db, self.limits.now(), pk, dn, kind, limit).await;
                let (biz, op) = match kind {
                    Kind::Connect => (BizType::Device, "auth"),
                    Kind::Uplink => (BizType::Uplink, "limit"),
                    Kind::Downlink => (BizType::Downlink, "limit"),
                };
                let content = serde_json::json!({ "event": kind.event_name(), "limit": limit });
                self.log(biz, pk, dn, op, kind.code(), content).await;
                false
            }
        }
    }
}

/// The running gateway. Cheap to clone.
#[derive(Clone)]
pub struct Gateway {
    pub(super) inner: Arc<Inner>,
    /// The plain MQTT listener (the real port when 0 was asked for).
    pub mqtt_addr: SocketAddr,
    /// The MQTT-over-TLS listener, when configured.
    pub mqtts_addr: Option<SocketAddr>,
    broker: Arc<broker::Listeners>,
}

/// Start the broker with the device hooks. Returns the gateway and the receiving end of the
/// uplink channel, which belongs to the router.
pub async fn start(state: &AppState, runlog: RunLog) -> anyhow::Result<(Gateway, mpsc::Receiver<Uplink>)> {
    let scx = broker::context().await;
    let (tx, rx) = mpsc::channel(UPLINK_QUEUE);
    let inner = Arc::new(Inner {
        state: state.clone(),
        scx: scx.clone(),
        sessions: Sessions::default(),
        topo: Topo::default(),
        limits: Limits::new(state.clock.clone(), state.settings.limits),
        runlog: RwLock::new(Some(runlog)),
        uplinks: RwLock::new(Some(tx)),
    });
    broker::install(&scx, inner.clone()).await;
    let listeners = broker::listen(&scx, &state.settings).await?;
    let gateway = Gateway {
        inner,
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
        self.inner.topo.refresh(&self.inner.state.db, gw_pk, gw_dn).await?;
        Ok(())
    }

    /// Number of live device sessions.
    pub fn online_count(&self) -> usize {
        self.inner.sessions.count()
    }

    /// Stop accepting connections, close every device session (each logged as kicked), and
    /// let go of the run log and the uplink channel so the writer and the router can finish.
    pub async fn shutdown(&self) {
        self.broker.stop();
        for (pk, dn) in self.inner.sessions.devices() {
            self.inner.kick(&pk, &dn).await;
        }
        // Disconnect hooks run in the sessions' own tasks: give them a moment to write the
        // offline status and run-log entries before the run log is closed.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while self.inner.sessions.count() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.inner.runlog.write().unwrap_or_else(|e| e.into_inner()).take();
        self.inner.uplinks.write().unwrap_or_else(|e| e.into_inner()).take();
    }
}
