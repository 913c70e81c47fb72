//! Downlinks through the gateway: to the device's own session, or for a sub-device without a
//! connection of its own to the session of the gateway it is attached to; the downlink rate
//! limit applies.

use bytes::Bytes;
use model::alink::DeviceRef;

use super::deliver::{deliver, qos_of};
use super::limits::Kind;
use super::service::Gateway;
use super::{Downlink, DownlinkError};

impl Gateway {
    /// The session that serves (pk, dn): its own, or its gateway's.
    fn route(&self, pk: &str, dn: &str) -> Option<DeviceRef> {
        let key = DeviceRef::new(pk, dn);
        if self.sessions.is_online(&key) {
            return Some(key);
        }
        self.topo.gateway_of(pk, dn).filter(|gw| self.sessions.is_online(gw))
    }
}

#[async_trait::async_trait]
impl Downlink for Gateway {
    async fn publish(&self, pk: &str, dn: &str, topic: &str, payload: Bytes, qos: u8) -> Result<(), DownlinkError> {
        let key = self.route(pk, dn).ok_or(DownlinkError::Offline)?;
        if !self.guard.allow(Kind::Downlink, pk, dn).await {
            return Err(DownlinkError::Throttled);
        }
        let id = self.sessions.target(&key).ok_or(DownlinkError::Offline)?;
        deliver(&self.scx, &id.client_id, topic, payload, qos_of(qos))
            .await
            .map_err(|e| DownlinkError::Failed(e.to_string()))
    }

    fn is_online(&self, pk: &str, dn: &str) -> bool {
        self.route(pk, dn).is_some()
    }
}
