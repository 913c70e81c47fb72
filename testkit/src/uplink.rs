//! Uplinks straight into the router of a `.recording_downlink()` app, as if the broker had
//! received them from a device's session.

use backend::clock::Clock;
use backend::gateway::Uplink;
use bytes::Bytes;

use crate::app::TestApp;
use crate::registry::{DN, PK};

impl TestApp {
    /// An uplink from session (pk, dn), received now.
    pub fn uplink_from(&self, pk: &str, dn: &str, topic: &str, payload: impl Into<Bytes>) -> Uplink {
        Uplink {
            product_key: pk.into(),
            device_name: dn.into(),
            topic: topic.into(),
            payload: payload.into(),
            qos: 1,
            at: self.clock().now_ms(),
        }
    }

    /// Dispatch from the fleet's direct device DN.
    pub async fn up(&self, topic: &str, payload: &str) {
        self.up_from(PK, DN, topic, payload).await;
    }

    /// Dispatch from session (pk, dn).
    pub async fn up_from(&self, pk: &str, dn: &str, topic: &str, payload: &str) {
        self.router().dispatch(self.uplink_from(pk, dn, topic, payload.to_string())).await;
    }
}
