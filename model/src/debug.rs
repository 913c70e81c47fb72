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

// ---- Checks shared by the server and the Online Debug page (same code both sides) ----------

/// The wait a call uses: the default when none is given, else 1,000–8,000 ms.
pub fn check_timeout(timeout_ms: Option<u64>) -> Result<u64, String> {
    match timeout_ms {
        None => Ok(DEFAULT_TIMEOUT_MS),
        Some(t) if (MIN_TIMEOUT_MS..=MAX_TIMEOUT_MS).contains(&t) => Ok(t),
        Some(t) => Err(format!("timeout_ms must be {MIN_TIMEOUT_MS}–{MAX_TIMEOUT_MS} ms, not {t}")),
    }
}

/// A property set or a desired value (Set expectations) against the thing model: unknown
/// property 5092, read-only property 6332, a value outside its type 63xx. The page checks a
/// form with this before sending; the server checks every request with it again.
pub fn check_set<F: crate::tsl::Features + ?Sized>(
    model: &F,
    params: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), Vec<crate::tsl::TslError>> {
    crate::tsl::validate_property_set(model, params)
}

/// The longest payload `publish` takes (Alibaba's Pub: 256 KB).
pub const MAX_PUBLISH_PAYLOAD: usize = 256 * 1024;

/// A custom-topic publish: the topic is one of this device's `/{pk}/{dn}/user/…` topics (no
/// wildcards), QoS 0 or 1, payload at most [`MAX_PUBLISH_PAYLOAD`] bytes.
pub fn check_publish(pk: &str, dn: &str, req: &PublishRequest) -> Result<(), String> {
    let prefix = format!("/{pk}/{dn}/user/");
    let Some(path) = req.topic.strip_prefix(&prefix) else {
        return Err(format!("the topic must be under {prefix}"));
    };
    let topic = crate::alink::Topic::Custom { device: crate::alink::DeviceRef::new(pk, dn), path: path.to_string() };
    if path.is_empty() || !topic.is_valid() {
        return Err(format!(
            "{} is not a valid custom topic (levels of letters, digits, _ - .; no wildcards)",
            req.topic
        ));
    }
    if req.qos > 1 {
        return Err(format!("qos must be 0 or 1, not {}", req.qos));
    }
    if req.payload.len() > MAX_PUBLISH_PAYLOAD {
        return Err(format!("the payload is {} bytes; at most {MAX_PUBLISH_PAYLOAD}", req.payload.len()));
    }
    Ok(())
}

/// The log switch's mode: 0 off, 1 on.
pub fn check_log_mode(mode: u8) -> Result<bool, String> {
    match mode {
        0 => Ok(false),
        1 => Ok(true),
        m => Err(format!("mode must be 0 or 1, not {m}")),
    }
}

/// Whether a reported value equals a desired one (a desired value is cleared when the device
/// posts it): numbers compare by value (`1` equals `1.0`), everything else structurally.
pub fn same_value(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsl::{DataType, Property, ThingModel};
    use serde_json::json;

    #[test]
    fn timeouts_default_and_bounds() {
        assert_eq!(check_timeout(None), Ok(5_000));
        assert_eq!(check_timeout(Some(1_000)), Ok(1_000));
        assert_eq!(check_timeout(Some(8_000)), Ok(8_000));
        assert!(check_timeout(Some(999)).is_err());
        assert!(check_timeout(Some(8_001)).is_err());
    }

    #[test]
    fn read_only_properties_are_refused_with_6332() {
        let m = ThingModel::new_empty("pk")
            .with_property(Property::new("T", "T", DataType::float(-40.0, 120.0)).read_only())
            .with_property(Property::new("B", "B", DataType::int(0, 100)));
        let params = |v: serde_json::Value| v.as_object().unwrap().clone();
        assert_eq!(check_set(&m, &params(json!({"T": 3.0}))).unwrap_err()[0].code, 6332);
        assert!(check_set(&m, &params(json!({"B": 4}))).is_ok());
        let out_of_range = check_set(&m, &params(json!({"B": 400}))).unwrap_err()[0].code;
        assert!((6300..6400).contains(&out_of_range), "{out_of_range}");
        assert_eq!(check_set(&m, &params(json!({"X": 1}))).unwrap_err()[0].code, 5092);
    }

    #[test]
    fn publish_only_under_the_devices_user_topics() {
        let req = |topic: &str, qos| PublishRequest { topic: topic.into(), payload: "x".into(), qos };
        assert!(check_publish("pk", "dn", &req("/pk/dn/user/cmd", 0)).is_ok());
        assert!(check_publish("pk", "dn", &req("/pk/dn/user/a/b", 1)).is_ok());
        assert!(check_publish("pk", "dn", &req("/sys/pk/dn/thing/service/property/set", 0)).is_err());
        assert!(check_publish("pk", "dn", &req("/pk/other/user/cmd", 0)).is_err());
        assert!(check_publish("pk", "dn", &req("/pk/dn/user/#", 0)).is_err());
        assert!(check_publish("pk", "dn", &req("/pk/dn/user/", 0)).is_err());
        assert!(check_publish("pk", "dn", &req("/pk/dn/user/cmd", 2)).is_err());
    }

    #[test]
    fn values_compare_numerically() {
        assert!(same_value(&json!(1), &json!(1.0)));
        assert!(same_value(&json!({"a": [1, 2.0]}), &json!({"a": [1.0, 2]})));
        assert!(!same_value(&json!(1), &json!("1")));
        assert!(!same_value(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
    }
}
