//! The WebSocket protocol between browser and server (`/api/v1/ws`).
//!
//! A browser sends [`ClientMsg`] to subscribe to streams; the server filters on its side, so a
//! browser never receives what it did not ask for, and answers with [`ServerMsg`] frames. The
//! server may batch several frames into one [`ServerMsg::Batch`] so a busy stream costs one socket
//! write per batch rather than per message.

use serde::{Deserialize, Serialize};

use crate::monitor::MinuteSample;
use crate::registry::{DeviceStatus, PropertyValue};
use crate::runlog::{LogEntry, LogQuery};

/// What a browser can listen to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Stream {
    /// Every message to and from one device, its property updates and status changes.
    Device { product_key: String, device_name: String },
    /// Every message of every device of one product.
    Product { product_key: String },
    /// Status changes (online/offline/disabled) of all devices.
    Status,
    /// New run-log entries that match the filter.
    RunLog { filter: LogQuery },
    /// The monitoring minute of one product (`Some`) or of the whole instance (`None`): the
    /// current minute so far every few seconds, then its final figures.
    Metrics { product_key: Option<String> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    /// `id` is chosen by the browser and echoed on every event of this subscription.
    Subscribe {
        id: u32,
        stream: Stream,
    },
    Unsubscribe {
        id: u32,
    },
    Ping,
}

/// Direction of a device message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
}

/// One live fact, as the browser sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LiveEvent {
    Status {
        product_key: String,
        device_name: String,
        status: DeviceStatus,
        /// Seed code of the disconnect (1910, 1911, 427, 200) when going offline.
        reason: Option<u32>,
        at: i64,
    },
    /// Latest property values; consecutive updates of one device are coalesced for slow clients.
    Properties {
        product_key: String,
        device_name: String,
        values: Vec<PropertyValue>,
    },
    Message {
        product_key: String,
        device_name: String,
        direction: Direction,
        topic: String,
        payload: String,
        at: i64,
    },
    Log {
        entry: LogEntry,
    },
    /// The device was deleted; its subscriptions end after this event.
    Removed {
        product_key: String,
        device_name: String,
        at: i64,
    },
    /// A monitoring minute (issue 14).
    Metrics {
        sample: MinuteSample,
    },
}

impl LiveEvent {
    /// The device this event concerns, if any.
    pub fn device(&self) -> Option<(&str, &str)> {
        match self {
            LiveEvent::Status { product_key, device_name, .. }
            | LiveEvent::Properties { product_key, device_name, .. }
            | LiveEvent::Message { product_key, device_name, .. }
            | LiveEvent::Removed { product_key, device_name, .. } => Some((product_key.as_str(), device_name.as_str())),
            LiveEvent::Log { entry } => Some((&entry.product_key, &entry.device_name)),
            LiveEvent::Metrics { .. } => None,
        }
    }
}

impl Stream {
    /// Server-side filter: does this subscription want the event?
    pub fn wants(&self, ev: &LiveEvent) -> bool {
        match (self, ev) {
            (Stream::Status, LiveEvent::Status { .. }) => true,
            (Stream::Device { product_key, device_name }, ev) if !matches!(ev, LiveEvent::Log { .. }) => {
                ev.device() == Some((product_key.as_str(), device_name.as_str()))
            }
            (Stream::Product { product_key }, LiveEvent::Message { product_key: pk, .. }) => pk == product_key,
            (Stream::RunLog { filter }, LiveEvent::Log { entry }) => log_matches(filter, entry),
            (Stream::Metrics { product_key }, LiveEvent::Metrics { sample }) => *product_key == sample.product_key,
            _ => false,
        }
    }
}

/// Whether a run-log entry passes a filter (used for live tails; the store does the same in SQL).
pub fn log_matches(f: &LogQuery, e: &LogEntry) -> bool {
    f.product_key.as_ref().is_none_or(|v| *v == e.product_key)
        && f.device_name.as_ref().is_none_or(|v| *v == e.device_name)
        && f.trace_id.as_ref().is_none_or(|v| *v == e.trace_id)
        && f.biz_type.is_none_or(|v| v == e.biz_type)
        && f.status.is_none_or(|v| v == e.status)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    Subscribed {
        id: u32,
    },
    Unsubscribed {
        id: u32,
    },
    Event {
        id: u32,
        event: LiveEvent,
    },
    /// The client was too slow; this many older events were dropped for it.
    Dropped {
        count: u64,
    },
    Batch {
        frames: Vec<ServerMsg>,
    },
    Error {
        code: String,
        message: String,
    },
    /// Subscription `id` is refused (`not_found`: its device or product does not exist) or has
    /// ended (`device_deleted`); nothing more comes for it.
    Ended {
        id: u32,
        code: String,
        message: String,
    },
    Pong,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(pk: &str, dn: &str) -> LiveEvent {
        LiveEvent::Message {
            product_key: pk.into(),
            device_name: dn.into(),
            direction: Direction::Up,
            topic: "t".into(),
            payload: "{}".into(),
            at: 0,
        }
    }

    #[test]
    fn filters_are_server_side() {
        let s = Stream::Device { product_key: "pk1".into(), device_name: "dev1".into() };
        assert!(s.wants(&msg("pk1", "dev1")));
        assert!(!s.wants(&msg("pk1", "dev2")));
        assert!(!s.wants(&msg("pk2", "dev1")));
        let p = Stream::Product { product_key: "pk1".into() };
        assert!(p.wants(&msg("pk1", "devX")));
        assert!(!p.wants(&msg("pk2", "devX")));
        assert!(!Stream::Status.wants(&msg("pk1", "dev1")));
    }

    #[test]
    fn messages_are_tagged() {
        let m: ClientMsg = serde_json::from_str(
            r#"{"type":"subscribe","id":3,"stream":{"kind":"device","product_key":"a","device_name":"b"}}"#,
        )
        .unwrap();
        assert_eq!(
            m,
            ClientMsg::Subscribe { id: 3, stream: Stream::Device { product_key: "a".into(), device_name: "b".into() } }
        );
        assert!(serde_json::from_str::<ClientMsg>(r#"{"type":"nope"}"#).is_err());
    }
}
