//! In-process delivery to one MQTT session (no MQTT client of our own), and closing one.
//!
//! A downlink is addressed to the session itself (rmqtt `target_clientid`), not routed by
//! topic: exactly one copy reaches exactly that connection, at the QoS asked for, whether or
//! not the device subscribed.

use bytes::Bytes;
use rmqtt::codec::v5::PublishProperties;
use rmqtt::context::ServerContext;
use rmqtt::session::SessionState;
use rmqtt::types::{ClientId, CodecPublish, From, Id, Publish, QoS, TopicName, UserName};
use rmqtt::utils::timestamp_millis;

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

/// Close one MQTT session now, if it is still the one connected under its clientId.
pub async fn kick_session(scx: &ServerContext, id: &Id) {
    let mut entry = scx.extends.shared().await.entry(id.clone());
    if entry.id_same() == Some(true) {
        if let Err(e) = entry.kick(true, true, true).await {
            tracing::warn!(error = %e, client_id = %id.client_id, "kick failed");
        }
    }
}
