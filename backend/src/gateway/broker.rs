//! The embedded rmqtt broker: context, hooks, listeners. MQTT 3.1, 3.1.1 and 5.
//!
//! `MqttServer::start()` would `process::exit(1)` when the server fails, so the server is
//! spawned here and binding happens before, where a failure is an ordinary error.

use std::net::SocketAddr;

use rmqtt::context::ServerContext;
use rmqtt::net::{Builder, Listener};
use rmqtt::server::MqttServer;
use tokio::task::AbortHandle;

use super::hooks::{AutoSubscribe, Hooks, HOOK_TYPES};
use crate::config::Settings;

/// Listener ids (rmqtt keys listener configs by them; the port is not unique with port 0).
const PLAIN_ID: u16 = 1;
const TLS_BACKEND_ID: u16 = 2;

pub async fn context() -> ServerContext {
    // Busy checks would refuse connects under CPU load measured process-wide, i.e. because
    // of the HTTP side or parallel tests; the per-device limits are ours.
    ServerContext::new().busy_check_enable(false).build().await
}

pub async fn install(scx: &ServerContext, hooks: Hooks) {
    let reg = scx.extends.hook_mgr().register();
    for t in HOOK_TYPES {
        reg.add(t, Box::new(hooks.clone())).await;
    }
    reg.start().await;
    *scx.extends.auto_subscription_mut().await = Box::new(AutoSubscribe);
}

/// The running listeners; [`Listeners::stop`] closes them.
pub struct Listeners {
    pub mqtt_addr: SocketAddr,
    pub mqtts_addr: Option<SocketAddr>,
    tasks: Vec<AbortHandle>,
}

impl Listeners {
    /// Stop accepting. rmqtt has no graceful-shutdown API; dropping the server future closes
    /// its listening sockets (established sessions run on, the caller kicks them).
    pub fn stop(&self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Drop for Listeners {
    fn drop(&mut self) {
        self.stop();
    }
}

fn builder(name: &str, laddr: SocketAddr) -> Builder {
    Builder::new()
        .name(name)
        .laddr(laddr)
        .allow_anonymous(false)
        // Without it a restart fails to bind while old connections sit in TIME_WAIT.
        .reuseaddr(Some(true))
        .nodelay(true)
}

fn bind(b: Builder) -> anyhow::Result<(Listener, SocketAddr)> {
    let laddr = b.laddr;
    let l = b.bind().map_err(|e| anyhow::anyhow!("cannot listen for MQTT on {laddr}: {e}"))?;
    let l = l.tcp().map_err(|e| anyhow::anyhow!("MQTT listener on {laddr}: {e}"))?;
    let addr = l.local_addr().map_err(|e| anyhow::anyhow!("MQTT listener on {laddr}: {e}"))?;
    Ok((l, addr))
}

pub async fn listen(scx: &ServerContext, settings: &Settings) -> anyhow::Result<Listeners> {
    let (plain, mqtt_addr) = bind(builder("external/tcp", settings.mqtt))?;
    let mut server = MqttServer::new(scx.clone()).listener_by_id(plain, PLAIN_ID);
    let mut tasks = Vec::new();
    let mut mqtts_addr = None;
    if let Some(tls) = &settings.mqtt_tls {
        // TLS is terminated in front of a loopback listener that takes the PROXY protocol
        // header, so rmqtt still sees (and we log) the device's real address.
        let (backend, backend_addr) =
            bind(builder("internal/tls-backend", SocketAddr::from(([127, 0, 0, 1], 0))).proxy_protocol(true))?;
        server = server.listener_by_id(backend, TLS_BACKEND_ID);
        let (addr, task) = super::tls::spawn(tls, backend_addr).await?;
        mqtts_addr = Some(addr);
        tasks.push(task);
    }
    let server = server.build();
    tasks.push(
        tokio::spawn(async move {
            if let Err(e) = server.run().await {
                tracing::error!(error = %e, "MQTT broker stopped");
            }
        })
        .abort_handle(),
    );
    tracing::info!(%mqtt_addr, ?mqtts_addr, "MQTT listening");
    Ok(Listeners { mqtt_addr, mqtts_addr, tasks })
}
