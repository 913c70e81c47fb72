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

/// The kinds of [`LiveEvent`], so that the server builds an event only while some subscription
/// may want one of its kind (a busy fleet makes several events per message; most pages want one
/// kind of them, and nobody the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Status,
    Properties,
    Message,
    Log,
    Removed,
    Metrics,
}

impl EventKind {
    pub const ALL: [EventKind; 6] = [
        EventKind::Status,
        EventKind::Properties,
        EventKind::Message,
        EventKind::Log,
        EventKind::Removed,
        EventKind::Metrics,
    ];

    /// Its place in [`EventKind::ALL`] (a counter per kind).
    pub fn index(self) -> usize {
        self as usize
    }
}

impl LiveEvent {
    pub fn kind(&self) -> EventKind {
        match self {
            LiveEvent::Status { .. } => EventKind::Status,
            LiveEvent::Properties { .. } => EventKind::Properties,
            LiveEvent::Message { .. } => EventKind::Message,
            LiveEvent::Log { .. } => EventKind::Log,
            LiveEvent::Removed { .. } => EventKind::Removed,
            LiveEvent::Metrics { .. } => EventKind::Metrics,
        }
    }

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
    /// Every kind of event [`Stream::wants`] can take (the test below holds the two together).
    pub fn kinds(&self) -> &'static [EventKind] {
        match self {
            Stream::Device { .. } => {
                &[EventKind::Status, EventKind::Properties, EventKind::Message, EventKind::Removed]
            }
            Stream::Product { .. } => &[EventKind::Message],
            Stream::Status => &[EventKind::Status],
            Stream::RunLog { .. } => &[EventKind::Log],
            Stream::Metrics { .. } => &[EventKind::Metrics],
        }
    }

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

    /// One event of every kind, each about pk1/dev1 (the metrics of the instance).
    fn one_of_each_kind() -> Vec<LiveEvent> {
        let (product_key, device_name) = (String::from("pk1"), String::from("dev1"));
        let entry = LogEntry {
            id: 1,
            at: 0,
            trace_id: "t".into(),
            message_id: None,
            product_key: product_key.clone(),
            device_name: device_name.clone(),
            biz_type: crate::runlog::BizType::Uplink,
            operation: "op".into(),
            content: "{}".into(),
            status: 200,
        };
        let events = vec![
            LiveEvent::Status {
                product_key: product_key.clone(),
                device_name: device_name.clone(),
                status: DeviceStatus::Online,
                reason: None,
                at: 0,
            },
            LiveEvent::Properties {
                product_key: product_key.clone(),
                device_name: device_name.clone(),
                values: vec![],
            },
            msg("pk1", "dev1"),
            LiveEvent::Log { entry },
            LiveEvent::Removed { product_key, device_name, at: 0 },
            LiveEvent::Metrics { sample: MinuteSample { product_key: None, t: 0, partial: true, values: vec![] } },
        ];
        let kinds: Vec<EventKind> = events.iter().map(LiveEvent::kind).collect();
        assert_eq!(kinds, EventKind::ALL);
        events
    }

    /// A producer that skips the kinds no subscription lists must never skip an event that a
    /// subscription wants; and each listed kind is wanted by some stream of that shape.
    #[test]
    fn a_stream_lists_exactly_the_kinds_it_can_want() {
        let streams = [
            Stream::Device { product_key: "pk1".into(), device_name: "dev1".into() },
            Stream::Product { product_key: "pk1".into() },
            Stream::Status,
            Stream::RunLog { filter: LogQuery::default() },
            Stream::Metrics { product_key: None },
        ];
        let events = one_of_each_kind();
        for s in &streams {
            let wanted: Vec<EventKind> = events.iter().filter(|e| s.wants(e)).map(LiveEvent::kind).collect();
            assert_eq!(wanted, s.kinds(), "{s:?}");
        }
        assert_eq!(EventKind::ALL.iter().map(|k| k.index()).collect::<Vec<_>>(), [0, 1, 2, 3, 4, 5]);
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
