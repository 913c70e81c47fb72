//! NTP payloads (ALINK.md 4 "NTP"): ↑ `/ext/ntp/{pk}/{dn}/request`, ↓ `.../response`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::envelope::{parse_json, EnvelopeError};

/// `{"deviceSendTime":"<ms>"}`. Kept as the raw JSON value: C3 sends its uptime and expects it
/// back **unchanged**, so it is echoed verbatim, whatever its type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NtpRequest {
    pub device_send_time: Value,
}

impl NtpRequest {
    /// What a device sends (milliseconds as a string).
    pub fn new(device_send_ms: u64) -> Self {
        NtpRequest { device_send_time: Value::String(device_send_ms.to_string()) }
    }
    pub fn parse(payload: &[u8]) -> Result<NtpRequest, EnvelopeError> {
        parse_json(payload)
    }
}

/// `{"deviceSendTime":..,"serverRecvTime":"<ms>","serverSendTime":"<ms>"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NtpResponse {
    pub device_send_time: Value,
    pub server_recv_time: String,
    pub server_send_time: String,
}

impl NtpResponse {
    pub fn answer(req: &NtpRequest, server_recv_ms: u64, server_send_ms: u64) -> Self {
        NtpResponse {
            device_send_time: req.device_send_time.clone(),
            server_recv_time: server_recv_ms.to_string(),
            server_send_time: server_send_ms.to_string(),
        }
    }
    pub fn parse(payload: &[u8]) -> Result<NtpResponse, EnvelopeError> {
        parse_json(payload)
    }
    /// The device's corrected time: (serverRecv + serverSend + deviceRecv − deviceSend) / 2.
    /// `None` if a field is not a number.
    pub fn device_time(&self, device_recv_ms: u64) -> Option<i128> {
        let num = |v: &Value| match v {
            Value::String(s) => s.parse::<i128>().ok(),
            Value::Number(n) => n.as_u64().map(i128::from),
            _ => None,
        };
        let ds = num(&self.device_send_time)?;
        let sr = self.server_recv_time.parse::<i128>().ok()?;
        let ss = self.server_send_time.parse::<i128>().ok()?;
        Some((sr + ss + i128::from(device_recv_ms) - ds) / 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn echo_and_compute() {
        let req = NtpRequest::parse(br#"{"deviceSendTime":"1000"}"#).unwrap();
        let resp = NtpResponse::answer(&req, 5000, 5002);
        let v = serde_json::to_value(&resp).unwrap();
        assert_eq!(v, json!({"deviceSendTime":"1000","serverRecvTime":"5000","serverSendTime":"5002"}));
        assert_eq!(resp.device_time(1010), Some(5006));
        let c3 = NtpRequest::parse(br#"{"deviceSendTime":123}"#).unwrap();
        assert_eq!(serde_json::to_value(NtpResponse::answer(&c3, 1, 2)).unwrap()["deviceSendTime"], json!(123));
        assert!(NtpRequest::parse(b"{}").is_err());
        assert_eq!(serde_json::to_string(&NtpRequest::new(7)).unwrap(), r#"{"deviceSendTime":"7"}"#);
    }
}
