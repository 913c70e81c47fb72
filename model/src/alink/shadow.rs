//! Device shadow payloads (ALINK.md 4 "Shadow"): ↑ `/shadow/update/{pk}/{dn}`,
//! ↓ `/shadow/get/{pk}/{dn}`. Not Alink envelopes: they are keyed by `method`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::envelope::{parse_json, EnvelopeError};

/// What a device sends on `/shadow/update`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum ShadowUp {
    /// `{"method":"update","state":{"reported":{…}},"version":6}`
    Update {
        state: ShadowState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        version: Option<u64>,
    },
    /// `{"method":"get"}`
    Get,
    /// `{"method":"delete","state":{"reported":{…}|"null"},"version":N}`
    Delete {
        #[serde(default)]
        state: Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        version: Option<u64>,
    },
}

impl ShadowUp {
    pub fn parse(payload: &[u8]) -> Result<ShadowUp, EnvelopeError> {
        parse_json(payload)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShadowState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired: Option<Value>,
}

/// What the platform sends on `/shadow/get` (`method` `reply`, or `control` for a desired push).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShadowDown {
    pub method: String,
    pub payload: ShadowPayload,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// Seconds (unix).
    pub timestamp: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShadowPayload {
    /// `success` or `error`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// `{"errorcode","errormessage"}` when `status` is `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Value>,
}

impl ShadowPayload {
    fn success() -> Self {
        ShadowPayload { status: "success".into(), version: None, state: None, metadata: None, content: None }
    }
}

impl ShadowDown {
    /// Answer to an update: `{"method":"reply","payload":{"status":"success","version":6},"timestamp":…}`.
    pub fn update_ok(version: u64, timestamp: u64) -> Self {
        ShadowDown {
            method: "reply".into(),
            payload: ShadowPayload { version: Some(version), ..ShadowPayload::success() },
            version: None,
            timestamp,
        }
    }
    /// Answer to a get: payload with `state` and `metadata`, `version` at the top level.
    pub fn get_ok(state: Value, metadata: Value, version: u64, timestamp: u64) -> Self {
        ShadowDown {
            method: "reply".into(),
            payload: ShadowPayload { state: Some(state), metadata: Some(metadata), ..ShadowPayload::success() },
            version: Some(version),
            timestamp,
        }
    }
    /// The platform pushes a desired state.
    pub fn control(state: Value, metadata: Value, version: u64, timestamp: u64) -> Self {
        ShadowDown { method: "control".into(), ..Self::get_ok(state, metadata, version, timestamp) }
    }
    /// A failed update/get.
    pub fn error(code: u32, message: &str, timestamp: u64) -> Self {
        ShadowDown {
            method: "reply".into(),
            payload: ShadowPayload {
                status: "error".into(),
                content: Some(json!({"errorcode": code.to_string(), "errormessage": message})),
                ..ShadowPayload::success()
            },
            version: None,
            timestamp,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn py_forms() {
        let u = ShadowUp::parse(br#"{"state":{"reported":{"a":1}},"method":"update","version":6}"#).unwrap();
        assert_eq!(
            u,
            ShadowUp::Update { state: ShadowState { reported: Some(json!({"a":1})), desired: None }, version: Some(6) }
        );
        assert_eq!(ShadowUp::parse(br#"{"method":"get"}"#).unwrap(), ShadowUp::Get);
        assert!(ShadowUp::parse(br#"{"method":"explode"}"#).is_err());
        let r = serde_json::to_value(ShadowDown::update_ok(6, 1700000000)).unwrap();
        assert_eq!(r, json!({"method":"reply","payload":{"status":"success","version":6},"timestamp":1700000000}));
        let g = serde_json::to_value(ShadowDown::get_ok(json!({"reported":{}}), json!({}), 7, 1)).unwrap();
        assert_eq!(g["version"], json!(7));
        assert_eq!(g["payload"]["status"], json!("success"));
        assert!(g["payload"].get("state").is_some());
        let e = serde_json::to_value(ShadowDown::error(407, "version conflict", 1)).unwrap();
        assert_eq!(e["payload"]["content"]["errorcode"], json!("407"));
    }
}
