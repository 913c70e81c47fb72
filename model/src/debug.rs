//! Online debugging (the seed's chapter 2): the REST request/response types the Online Debug page
//! and scripts use to read and change a device's state, call its services and publish on its
//! custom topics.
//!
//! Every device call answers with one shape, [`CallResult`], carrying the seed's code (200, 9201,
//! 1905, 6332, …) whatever the HTTP status, and the trace id of the flow so the caller can find the
//! device traffic it caused in the run log.

use serde::{Deserialize, Serialize};

/// The default wait for a device's answer (the seed's service call timeout).
pub const DEFAULT_TIMEOUT_MS: u64 = 5_000;
/// The shortest wait a caller may ask for.
pub const MIN_TIMEOUT_MS: u64 = 1_000;
/// The longest wait a caller may ask for (Alibaba's RRPC allows 8 s).
pub const MAX_TIMEOUT_MS: u64 = 8_000;

/// What every device call answers (set, get, service, publish, log switch).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallResult {
    /// The seed's code: 200 success; 9201 offline; 9389 gateway offline; 1905 no reply in time;
    /// 6208 disabled; 6100 unknown device; 63xx/5092/5094 thing-model refusals; a device's own
    /// reply code otherwise.
    pub code: u32,
    /// What the code means, for a person.
    pub message: String,
    /// The device's reply `data` (service output, property values), or `null`.
    #[serde(default)]
    pub data: serde_json::Value,
    /// The flow's trace id (run log search key).
    pub trace_id: String,
    /// The downlink's Alink message id, when one was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// True when the call was sent and its answer will arrive later (async service): the
    /// `_reply` shows in the run log and the debug log pane under `trace_id`.
    #[serde(default)]
    pub pending: bool,
}

/// `POST /api/v1/devices/{pk}/{dn}/properties/set` (SetDeviceProperty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetPropertiesRequest {
    /// `{identifier: value}`; validated against the thing model (read-only → 6332).
    pub params: serde_json::Map<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

/// `POST /api/v1/devices/{pk}/{dn}/properties/get` (the device's own `property/get`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GetPropertiesRequest {
    pub identifiers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

/// `POST /api/v1/devices/{pk}/{dn}/services/{identifier}` (InvokeThingService).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvokeServiceRequest {
    #[serde(default)]
    pub params: serde_json::Value,
    /// 1,000–8,000 ms, default 5,000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

/// `POST /api/v1/devices/{pk}/{dn}/publish` (Pub): a custom topic under `/{pk}/{dn}/user/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishRequest {
    pub topic: String,
    /// Sent as UTF-8 text.
    pub payload: String,
    /// 0 or 1.
    #[serde(default)]
    pub qos: u8,
}

/// `PUT /api/v1/devices/{pk}/{dn}/log-switch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogSwitchRequest {
    /// 0 off, 1 on (the device uploads its local logs).
    pub mode: u8,
}

/// One desired (expected) property value with its version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DesiredValue {
    pub identifier: String,
    pub value: serde_json::Value,
    /// Starts at 1; +1 per set.
    pub version: i64,
    /// When it was set (ms since the epoch).
    pub set_at: i64,
}

/// `GET /api/v1/devices/{pk}/{dn}/desired` (QueryDeviceDesiredProperty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DesiredList {
    pub items: Vec<DesiredValue>,
}

/// `PUT /api/v1/devices/{pk}/{dn}/desired` (SetDeviceDesiredProperty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetDesiredRequest {
    /// `{identifier: value}`; validated like a set (read-only → 6332).
    pub params: serde_json::Map<String, serde_json::Value>,
    /// Optimistic lock per identifier: refused when the stored version differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `DELETE /api/v1/devices/{pk}/{dn}/desired?identifiers=a,b` (ClearDeviceDesiredProperty);
/// none named = all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClearDesiredResult {
    pub cleared: Vec<String>,
}
