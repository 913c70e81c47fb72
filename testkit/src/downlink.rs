//! The recording downlink of `.recording_downlink()`: what the router publishes is kept in
//! memory instead of going to a broker, and a device is online when the test says so.

use std::collections::HashSet;
use std::sync::Mutex;

use backend::gateway::{Downlink, DownlinkError};
use bytes::Bytes;
use serde_json::Value;

use crate::wait::{until, DEADLINE};

/// One publish the router made.
#[derive(Debug, Clone)]
pub struct Published {
    pub pk: String,
    pub dn: String,
    pub topic: String,
    pub payload: Bytes,
    pub qos: u8,
}

impl Published {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.payload).unwrap_or(Value::Null)
    }
}

/// Records publishes; a device is online when a test says so.
#[derive(Default)]
pub struct RecordingDownlink {
    sent: Mutex<Vec<Published>>,
    online: Mutex<HashSet<(String, String)>>,
}

impl RecordingDownlink {
    pub fn set_online(&self, pk: &str, dn: &str, on: bool) {
        let mut o = self.online.lock().unwrap();
        if on {
            o.insert((pk.into(), dn.into()));
        } else {
            o.remove(&(pk.to_string(), dn.to_string()));
        }
    }

    pub fn sent(&self) -> Vec<Published> {
        self.sent.lock().unwrap().clone()
    }

    pub fn clear(&self) {
        self.sent.lock().unwrap().clear();
    }

    /// The only publish so far (panics otherwise).
    pub fn only(&self) -> Published {
        let s = self.sent();
        assert_eq!(s.len(), 1, "expected exactly one publish, got {s:#?}");
        s[0].clone()
    }

    /// Waits for a publish matching `f`.
    pub async fn wait_for(&self, f: impl Fn(&Published) -> bool) -> Published {
        match until(DEADLINE, || async { self.sent().into_iter().find(|p| f(p)) }).await {
            Some(p) => p,
            None => panic!("no matching publish within {DEADLINE:?}; sent: {:#?}", self.sent()),
        }
    }
}

#[async_trait::async_trait]
impl Downlink for RecordingDownlink {
    async fn publish(&self, pk: &str, dn: &str, topic: &str, payload: Bytes, qos: u8) -> Result<(), DownlinkError> {
        if !self.is_online(pk, dn) {
            return Err(DownlinkError::Offline);
        }
        self.sent.lock().unwrap().push(Published { pk: pk.into(), dn: dn.into(), topic: topic.into(), payload, qos });
        Ok(())
    }

    fn is_online(&self, pk: &str, dn: &str) -> bool {
        self.online.lock().unwrap().contains(&(pk.to_string(), dn.to_string()))
    }
}
