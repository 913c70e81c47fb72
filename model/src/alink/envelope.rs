//! Alink JSON envelopes (ALINK.md 3): requests `{id, version, params, method?, sys?}` and replies
//! `{code, data, id, message, version, method?}`.
//!
//! Input is lenient where the SDKs differ (numeric ids from C3 and Py's OTA calls, missing
//! `version`/`message`, `code` as a string) and never panics; output is what the strictest SDK
//! needs: ids as digit strings (Py prefixes RRPC ids, C4 parses them with `str2uint64`) and all
//! of `id`, `code`, `data`, `message` in every reply (Py's handlers `KeyError` otherwise).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::codes::{alink, tsl_data_post, tsl_device_reply};

/// Success ([`alink::SUCCESS`]).
pub const CODE_SUCCESS: u32 = alink::SUCCESS.code();
/// "One or more parameters are invalid" ([`tsl_device_reply::INVALID_PARAMS`]).
pub const CODE_INVALID_PARAMS: u32 = tsl_device_reply::INVALID_PARAMS.code();
/// "The data format is invalid" ([`tsl_data_post::DATA_FORMAT_INVALID`]): not JSON, or not an
/// Alink envelope.
pub const CODE_INVALID_FORMAT: u32 = tsl_data_post::DATA_FORMAT_INVALID.code();

/// The Alink version every SDK sends.
pub const ALINK_VERSION: &str = "1.0";

/// Why a payload is not an envelope. Both map to Alink code 6207.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("payload is not JSON: {0}")]
    NotJson(String),
    #[error("payload is not a valid Alink message: {0}")]
    InvalidFormat(String),
}

impl EnvelopeError {
    /// The Alink code to answer with: always [`CODE_INVALID_FORMAT`].
    pub fn code(&self) -> u32 {
        CODE_INVALID_FORMAT
    }
}

/// Parses any of this module's payload types, classifying serde's error.
pub fn parse_json<T: serde::de::DeserializeOwned>(payload: &[u8]) -> Result<T, EnvelopeError> {
    serde_json::from_slice(payload).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => EnvelopeError::InvalidFormat(e.to_string()),
        _ => EnvelopeError::NotJson(e.to_string()),
    })
}

/// Longest id accepted: u64 has 20 digits.
const MAX_ID_DIGITS: usize = 20;

/// Whether `s` is a legal message id: 1–20 ASCII digits.
pub fn is_message_id(s: &str) -> bool {
    (1..=MAX_ID_DIGITS).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Accepts `"123"` or `123`; refuses anything else (negative, fraction, letters).
pub(crate) fn de_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) if is_message_id(&s) => Ok(s),
        Value::Number(n) if n.is_u64() => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!("id must be decimal digits, got {other}"))),
    }
}

/// Accepts a string or a number, keeping its text (for `version`, `timestamp`, `step`).
pub(crate) fn de_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!("expected a string or number, got {other}"))),
    }
}

fn de_code<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    match Value::deserialize(d)? {
        Value::Number(n) => n.as_u64().and_then(|c| u32::try_from(c).ok()),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
    .ok_or_else(|| serde::de::Error::custom("code must be an unsigned number"))
}

fn default_version() -> String {
    ALINK_VERSION.to_string()
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

/// `"sys":{"ack":0|1}` (C4). `ack: 0` asks for no `_reply`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Sys {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack: Option<u8>,
}

/// An Alink request, either way. Route by topic, not by `method` (C4 omits it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    #[serde(deserialize_with = "de_id")]
    pub id: String,
    /// `"1.0"` when absent (Py's OTA messages send none).
    #[serde(default = "default_version", deserialize_with = "de_text")]
    pub version: String,
    /// `null` when absent.
    #[serde(default)]
    pub params: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sys: Option<Sys>,
}

impl Request {
    /// A downlink request with version 1.0 and a method (Py ignores it, C4 ignores it, logs show it).
    pub fn new(id: impl Into<String>, method: impl Into<String>, params: Value) -> Request {
        Request { id: id.into(), version: default_version(), params, method: Some(method.into()), sys: None }
    }

    /// Parses a payload; never panics. Errors carry Alink code 6207.
    pub fn parse(payload: &[u8]) -> Result<Request, EnvelopeError> {
        parse_json(payload)
    }

    /// `false` only for C4's `"sys":{"ack":0}`; everything else expects a `_reply`.
    pub fn needs_reply(&self) -> bool {
        !matches!(self.sys, Some(Sys { ack: Some(0) }))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a Request always serializes")
    }
}

/// An Alink reply. Field order follows ALINK.md (`code, data, id, message, version, method`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// 200 = success; a number or a numeric string on input (C3 sends `"400"`).
    #[serde(deserialize_with = "de_code")]
    pub code: u32,
    /// `{}` when absent.
    #[serde(default = "empty_object")]
    pub data: Value,
    #[serde(deserialize_with = "de_id")]
    pub id: String,
    /// Empty when absent (device replies such as Py's `set_reply` carry none).
    #[serde(default)]
    pub message: String,
    #[serde(default = "default_version", deserialize_with = "de_text")]
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

impl Reply {
    /// `code 200, message "success"`, echoing id, version and method.
    pub fn ok(req: &Request, data: Value) -> Reply {
        Reply {
            code: CODE_SUCCESS,
            data,
            id: req.id.clone(),
            message: "success".to_string(),
            version: req.version.clone(),
            method: req.method.clone(),
        }
    }

    /// An error reply with `data: {}`; Py passes `code` through unchanged.
    pub fn err(req: &Request, code: u32, message: impl Into<String>) -> Reply {
        Reply { code, data: empty_object(), message: message.into(), ..Reply::ok(req, Value::Null) }
    }

    /// A 6207 reply for a payload that did not parse, when its id can still be salvaged.
    /// `None` if there is no usable id (then there is nobody to answer).
    pub fn invalid_format(payload: &[u8], err: &EnvelopeError) -> Option<Reply> {
        #[derive(Deserialize)]
        struct IdOnly {
            #[serde(deserialize_with = "de_id")]
            id: String,
        }
        let id = serde_json::from_slice::<IdOnly>(payload).ok()?.id;
        Some(Reply {
            code: err.code(),
            data: empty_object(),
            id,
            message: "invalid format".to_string(),
            version: default_version(),
            method: None,
        })
    }

    /// Parses a payload; never panics. Errors carry Alink code 6207.
    pub fn parse(payload: &[u8]) -> Result<Reply, EnvelopeError> {
        parse_json(payload)
    }

    pub fn is_success(&self) -> bool {
        self.code == CODE_SUCCESS
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a Reply always serializes")
    }
}

/// Ids for downlinks: a pure counter giving digit strings `1, 2, …`, wrapping after `u32::MAX`
/// (Alibaba's documented id range) back to 1. The backend keeps one per device or per process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdGen {
    next: u64,
}

impl Default for IdGen {
    fn default() -> Self {
        IdGen { next: 1 }
    }
}

impl IdGen {
    pub const MAX: u64 = u32::MAX as u64;

    /// Starts at `first` (clamped into `1..=MAX`), e.g. from a clock to avoid reusing ids
    /// after a restart.
    pub fn starting_at(first: u64) -> IdGen {
        IdGen { next: first.clamp(1, Self::MAX) }
    }

    /// The next id.
    pub fn next_id(&mut self) -> String {
        let id = self.next;
        self.next = if id >= Self::MAX { 1 } else { id + 1 };
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_forms() {
        let py = Request::parse(
            br#"{"id":"1","version":"1.0","params":{"LightSwitch":0},"method":"thing.event.property.post"}"#,
        )
        .unwrap();
        assert_eq!(py.id, "1");
        assert!(py.needs_reply());
        let c4 = Request::parse(br#"{"id":"7","version":"1.0","params":["LightSwitch"],"sys":{"ack":0}}"#).unwrap();
        assert_eq!(c4.method, None);
        assert!(!c4.needs_reply());
        let ack1 = Request::parse(br#"{"id":"7","params":{},"sys":{"ack":1}}"#).unwrap();
        assert!(ack1.needs_reply());
        assert_eq!(ack1.version, "1.0");
        let ota = Request::parse(br#"{"id": 4, "params": {"module": "default"}}"#).unwrap();
        assert_eq!(ota.id, "4");
        let out: Value = serde_json::from_str(&ota.to_json()).unwrap();
        assert_eq!(out["id"], json!("4"), "ids always go out as strings");
        assert!(out.get("sys").is_none() && out.get("method").is_none());
        let no_params = Request::parse(br#"{"id":"1"}"#).unwrap();
        assert_eq!(no_params.params, Value::Null);
    }

    #[test]
    fn request_errors_are_6207() {
        for bad in [
            &b""[..],
            b"not json",
            b"{",
            b"[]",
            b"null",
            b"{}",
            br#"{"id":"abc"}"#,
            br#"{"id":-1}"#,
            br#"{"id":1.5}"#,
            br#"{"id":""}"#,
            br#"{"id":"123456789012345678901"}"#,
            br#"{"id":"1","method":5}"#,
            br#"{"id":"1","sys":{"ack":-1}}"#,
            b"\xff\xfe",
        ] {
            let e = Request::parse(bad).unwrap_err();
            assert_eq!(e.code(), CODE_INVALID_FORMAT, "{:?}", String::from_utf8_lossy(bad));
        }
        assert!(matches!(Request::parse(b"nope"), Err(EnvelopeError::NotJson(_))));
        assert!(matches!(Request::parse(b"{}"), Err(EnvelopeError::InvalidFormat(_))));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(Request::parse(deep.as_bytes()).is_err());
    }

    #[test]
    fn reply_has_every_key_py_reads() {
        let req =
            Request::parse(br#"{"id":"1","version":"1.0","params":{},"method":"thing.event.property.post"}"#).unwrap();
        let r = Reply::ok(&req, json!({}));
        assert_eq!(
            r.to_json(),
            r#"{"code":200,"data":{},"id":"1","message":"success","version":"1.0","method":"thing.event.property.post"}"#
        );
        let e = Reply::err(&req, 6321, "property not found");
        let v: Value = serde_json::from_str(&e.to_json()).unwrap();
        for k in ["id", "code", "data", "message"] {
            assert!(v.get(k).is_some(), "{k}");
        }
        assert_eq!(v["code"], json!(6321));
        assert_eq!(v["data"], json!({}));
        let c4 = Request::parse(br#"{"id":"2","params":{}}"#).unwrap();
        assert!(!Reply::ok(&c4, json!({})).to_json().contains("method"));
    }

    #[test]
    fn device_replies() {
        let py = Reply::parse(br#"{"id":"1001","code":200,"data":{}}"#).unwrap();
        assert!(py.is_success());
        assert_eq!(py.message, "");
        let c3 = Reply::parse(br#"{"id":1002,"code":"400","data":{}}"#).unwrap();
        assert_eq!((c3.id.as_str(), c3.code), ("1002", 400));
        let rrpc = Reply::parse(br#"{"id":"1003","code":200,"data":{"sum":5}}"#).unwrap();
        assert_eq!(rrpc.data["sum"], json!(5));
        // C3's malformed failure reply: not JSON → 6207.
        let bad = br#"{"id":1,"code":"400","data":{}"#;
        assert_eq!(Reply::parse(bad).unwrap_err().code(), 6207);
        assert!(Reply::parse(br#"{"id":"1","code":-1}"#).is_err());
        assert!(Reply::parse(br#"{"id":"1","code":5000000000}"#).is_err());
    }

    #[test]
    fn invalid_format_reply_salvages_id() {
        let payload = br#"{"id":"42","params":5,"method":7}"#;
        let err = Request::parse(payload).unwrap_err();
        let r = Reply::invalid_format(payload, &err).unwrap();
        assert_eq!((r.id.as_str(), r.code), ("42", 6207));
        assert!(Reply::invalid_format(b"garbage", &err).is_none());
    }

    #[test]
    fn id_gen() {
        let mut g = IdGen::default();
        assert_eq!(g.next_id(), "1");
        assert_eq!(g.next_id(), "2");
        let mut g = IdGen::starting_at(IdGen::MAX);
        assert_eq!(g.next_id(), IdGen::MAX.to_string());
        assert_eq!(g.next_id(), "1");
        assert_eq!(IdGen::starting_at(0).next_id(), "1");
        assert!(is_message_id(&IdGen::starting_at(u64::MAX).next_id()));
    }
}
