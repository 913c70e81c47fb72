//! The device side: the embedded MQTT broker, device sessions, and the Alink topic router.
//!
//! ```text
//! device ──MQTT──► broker (rmqtt, embedded)        [broker.rs, hooks: auth, ACL, connect/disconnect]
//!                    │ every accepted uplink as an `Uplink`
//!                    ▼
//!                  router (parse envelope → validate against the thing model → store, bus, run log → reply)
//!                    │ replies and console commands as downlinks through `Downlink`
//!                    ▼
//!                  broker ──MQTT──► device
//! ```
//!
//! The broker is behind two seams so the scale-out issue can put an external or clustered
//! broker there without touching the router or features: uplinks arrive on an mpsc channel of
//! [`Uplink`], and everything that goes to a device goes through the [`Downlink`] trait.

pub mod auth;
mod broker;
mod deliver;
mod downlink;
mod hooks;
pub mod limits;
mod link;
mod refusals;
pub mod router;
mod service;
pub mod sessions;
mod tls;
mod topo;

pub use service::{start, Deps, Gateway, UPLINK_QUEUE};

use bytes::Bytes;

/// One message a device published that passed authentication and ACL.
#[derive(Debug, Clone)]
pub struct Uplink {
    /// The publishing session's device (for a gateway acting for a sub-device, the gateway).
    pub product_key: String,
    pub device_name: String,
    pub topic: String,
    pub payload: Bytes,
    pub qos: u8,
    /// Receive time, ms.
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DownlinkError {
    /// The device has no session (seed 9201).
    #[error("device is offline")]
    Offline,
    /// The device's downlink rate limit is exhausted (seed 9324 / Device_Downlink_QPS_Limit).
    #[error("downlink rate limit exceeded")]
    Throttled,
    #[error("delivery failed: {0}")]
    Failed(String),
}

/// How anything reaches a device: the router's replies, console commands, OTA, config pushes.
#[async_trait::async_trait]
pub trait Downlink: Send + Sync + 'static {
    /// Deliver `payload` on `topic` to the session of (pk, dn).
    async fn publish(
        &self,
        product_key: &str,
        device_name: &str,
        topic: &str,
        payload: Bytes,
        qos: u8,
    ) -> Result<(), DownlinkError>;
    /// Whether (pk, dn) has a live session now.
    fn is_online(&self, product_key: &str, device_name: &str) -> bool;
}

/// A device side where no device is ever reachable (handler tests, tools without a broker).
pub struct Unreachable;

#[async_trait::async_trait]
impl Downlink for Unreachable {
    async fn publish(&self, _: &str, _: &str, _: &str, _: Bytes, _: u8) -> Result<(), DownlinkError> {
        Err(DownlinkError::Offline)
    }

    fn is_online(&self, _: &str, _: &str) -> bool {
        false
    }
}
