//! Downlinks: in-process delivery to one device session (no MQTT client of our own).
//!
//! A downlink is addressed to the session itself (rmqtt `target_clientid`), not routed by
//! topic: exactly one copy reaches exactly that connection, at the QoS asked for, whether or
//! not the device subscribed. For a sub-device without its own connection the message goes to
//! the session of the gateway it is attached to.

use bytes::Bytes;
use rmqtt::codec::v5::PublishProperties;
use rmqtt::context::ServerContext;
use rmqtt::session::SessionState;
use rmqtt::types::{ClientId, CodecPublish, From, Id, Publish, QoS, TopicName, UserName};
use rmqtt::utils::timestamp_millis;

use super::limits::Kind;
use super::service::Gateway;
use super::sessions::Key;
use super::{Downlink, DownlinkError};

/// The sender identity of every downlink (shows as `fleetdeck` in rmqtt's own logs).
fn system_from(scx: &ServerContext) -> From {
    From::from_system(Id::new(
        scx.node.id(),
        0,
        None,
        None,
        ClientId::from_static("fleetdeck"),
        Some(UserName::from("fleetdeck")),
    ))
}

pub fn qos_of(qos: u8) -> QoS {
    match qos {
        0 => QoS::AtMostOnce,
        1 => QoS::AtLeastOnce,
        _ => QoS::ExactlyOnce,
    }
}

/// Queue `payload` on `topic` for the session with MQTT clientId `client_id`.
pub async fn deliver(scx: &ServerContext, client_id: &str, topic: &str, payload: Bytes, qos: QoS) -> rmqtt::Result<()> {
    let p = CodecPublish {
        dup: false,
        retain: false,
        qos,
        topic: TopicName::from(topic),
        packet_id: None,
        payload,
        properties: Some(PublishProperties::default()),
    };
    let p = Publish::from(p).target_clientid(ClientId::from(client_id)).create_time(timestamp_millis());
    SessionState::forwards(scx, system_from(scx), p, false, None).await
}

impl Gateway {
    /// The session that serves (pk, dn): its own, or its gateway's.
    fn route(&self, pk: &str, dn: &str) -> Option<Key> {
        let key = (pk.to_string(), dn.to_string());
        if self.inner.sessions.is_online(&key) {
            return Some(key);
        }
        self.inner.topo.gateway_of(pk, dn).filter(|gw| self.inner.sessions.is_online(gw))
    }
}

#[async_trait::async_trait]
impl Downlink for Gateway {
    async fn publish(&self, pk: &str, dn: &str, topic: &str, payload: Bytes, qos: u8) -> Result<(), DownlinkError> {
        let key = self.route(pk, dn).ok_or(DownlinkError::Offline)?;
        if !self.inner.within_limit(Kind::Downlink, pk, dn).await {
            return Err(DownlinkError::Throttled);
        }
        let id = self.inner.sessions.target(&key).ok_or(DownlinkError::Offline)?;
        deliver(&self.inner.scx, &id.client_id, topic, payload, qos_of(qos))
            .await
            .map_err(|e| DownlinkError::Failed(e.to_string()))
    }

    fn is_online(&self, pk: &str, dn: &str) -> bool {
        self.route(pk, dn).is_some()
    }
}
