//! [`DeviceEvent`]: one typed fact about a device, as the gateway observed it.
//!
//! Every consumer — the store writer (run log, property values), the browser lane, per-minute
//! counters, rules, "device came online" hooks — reads these, never the router's internals. A new
//! kind of fact (OTA progress, config acks) is a new [`Fact`] variant; the hub does not change.

use bytes::Bytes;
use model::alink::DeviceRef;
use model::registry::PropertyValue;
use model::ws::Direction;

use crate::gateway::limits::Kind as LimitKind;

/// A fact, where and when it happened, and the flow (trace) it belongs to.
#[derive(Debug, Clone)]
pub struct DeviceEvent {
    /// When the gateway observed it (ms since the epoch, from the injected clock).
    pub at: i64,
    /// The device the fact is about (for a gateway acting for a sub-device: the sub-device).
    /// Empty names for a refusal of a connection that named no device.
    pub device: DeviceRef,
    /// One flow = one trace id: a request, its checks and its reply share it.
    pub trace: String,
    pub fact: Fact,
}

/// What happened.
#[derive(Debug, Clone)]
pub enum Fact {
    /// A device's own MQTT session is established.
    Connected { device_id: i64, client_id: String, ip: Option<String>, sdk: Option<String>, keepalive: Option<u16> },
    /// An MQTT session ended. `device_id` is set when it was the device's live session (the
    /// device is offline now); `None` for a session that a newer one had already replaced.
    Disconnected { device_id: Option<i64>, client_id: String, ip: Option<String>, code: u32, reason: String },
    /// A sub-device logged in through its gateway.
    SubDeviceOnline { device_id: i64, gateway: DeviceRef },
    /// A sub-device logged out, or its gateway went away (seed 1913).
    SubDeviceOffline { device_id: i64, code: u32 },
    /// A dynamic-registration session received its answer.
    Registered { client_id: String, topic: String },
    /// A CONNECT, SUBSCRIBE or PUBLISH was refused (`detail` says what and why).
    Refused { stage: Stage, code: u32, detail: serde_json::Value },
    /// A per-device limit was exceeded (the first refusal in its window).
    LimitHit { kind: LimitKind, limit: u32 },
    /// A message went over the wire: an uplink the ACL accepted (with the code it was answered
    /// with), or a downlink for the device's session. `delivered`: a downlink the broker took
    /// for the session (false: the publish failed, `code` says why; the monitoring counts only
    /// delivered ones); always true for an uplink.
    Message {
        direction: Direction,
        topic: String,
        payload: Bytes,
        message_id: Option<String>,
        code: u32,
        delivered: bool,
    },
    /// A downlink that was not sent (offline, throttled, invalid); `operation` is its topic or method.
    NotSent { operation: String, payload: Bytes, message_id: Option<String>, code: u32, reason: String },
    /// A downlink the broker dropped before delivery.
    Dropped { topic: String, reason: String },
    /// A thing-model check of a message's content.
    Checked { message_id: Option<String>, code: u32, content: String },
    /// Property values the device posted and the thing model accepted.
    PropertiesPosted { device_id: i64, values: Vec<PropertyValue> },
    /// A TSL event the device posted and the thing model accepted.
    EventPosted { identifier: String, event_type: &'static str },
    /// A device answered a call (property set/get, service, RRPC). `service` is the TSL service
    /// called (`set`, `get` or a service identifier; `None` for a custom RRPC or a reply nobody
    /// waited for): the monitoring tells setting errors from service call errors by it.
    CallReplied { message_id: String, code: u32, service: Option<String> },
    /// A call got no answer in time (seed 1905); `service` as in [`Fact::CallReplied`].
    CallTimedOut { topic: String, message_id: String, timeout_ms: u64, service: Option<String> },
    /// Network status (`_thing/diag/post`).
    DiagPosted { samples: usize },
    /// Local log lines the device uploaded.
    LogLinesPosted { count: usize },
    /// A gateway's sub-device list changed (topo add/delete).
    TopoChanged,
    /// An operator deleted the device from the registry (its session was closed first). Not a
    /// gateway fact: the registry publishes it, so features holding per-device state (live
    /// subscriptions, schedules) can let go.
    Removed,
    /// An operator's call through the REST API (online debugging): the Alibaba API's name, the
    /// request, and the code it answered with. In the trace of the device traffic it caused.
    ApiCalled { api: &'static str, request: String, code: u32, message: String },
    /// Desired property values were stored for the device (the desired sync job then watches
    /// its posts to clear them).
    DesiredSet { device_id: i64 },
}

/// Where a refusal happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    Auth,
    Acl,
}

impl DeviceEvent {
    /// The device went offline (its live session ended, or a sub-device lost its gateway).
    pub fn is_offline(&self) -> bool {
        matches!(self.fact, Fact::Disconnected { device_id: Some(_), .. } | Fact::SubDeviceOffline { .. })
    }
}
