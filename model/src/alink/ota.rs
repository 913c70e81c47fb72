//! OTA payloads (ALINK.md 4 "OTA" and 5). Shapes follow what the SDKs check: Py drops a notice
//! without `url`, `version`, `size`, `signMethod` and `sign`; C3 needs `message: "success"` and a
//! lowercase `md5`; so those fields are required here and [`OtaFirmware::with_md5`] fills all.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::envelope::{de_text, parse_json, EnvelopeError};

/// `params` of ↑ `/ota/device/inform/{pk}/{dn}`; Py `{"id":1,"params":{"version","module"}}`.
/// No reply is expected; a changed version means "upgrade done".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtaInform {
    /// Py always sends the number 1; kept as sent.
    #[serde(default)]
    pub id: Value,
    pub params: OtaInformParams,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtaInformParams {
    pub version: String,
    /// C3 sends none: that means `"default"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
}

impl OtaInform {
    pub fn parse(payload: &[u8]) -> Result<OtaInform, EnvelopeError> {
        parse_json(payload)
    }
    /// The module, `"default"` if the device named none.
    pub fn module(&self) -> &str {
        self.params.module.as_deref().unwrap_or(DEFAULT_MODULE)
    }
}

/// The module name when a device names none.
pub const DEFAULT_MODULE: &str = "default";

/// ↑ `/ota/device/progress/{pk}/{dn}`: `{"id","params":{"step":"50","desc","module"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtaProgress {
    #[serde(default)]
    pub id: Value,
    pub params: OtaProgressParams,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtaProgressParams {
    /// A string on the wire; a number is accepted.
    #[serde(deserialize_with = "de_text")]
    pub step: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
}

/// The meaning of `step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtaStep {
    /// 1–100 percent.
    Percent(u8),
    /// -1
    Failed,
    /// -2
    DownloadFailed,
    /// -3
    VerifyFailed,
    /// -4
    BurnFailed,
}

impl OtaStep {
    pub fn parse(step: &str) -> Option<OtaStep> {
        match step.trim().parse::<i32>().ok()? {
            p @ 1..=100 => Some(OtaStep::Percent(p as u8)),
            -1 => Some(OtaStep::Failed),
            -2 => Some(OtaStep::DownloadFailed),
            -3 => Some(OtaStep::VerifyFailed),
            -4 => Some(OtaStep::BurnFailed),
            _ => None,
        }
    }
    pub fn is_failure(self) -> bool {
        !matches!(self, OtaStep::Percent(_))
    }
}

impl OtaProgress {
    pub fn parse(payload: &[u8]) -> Result<OtaProgress, EnvelopeError> {
        parse_json(payload)
    }
    pub fn step(&self) -> Option<OtaStep> {
        OtaStep::parse(&self.params.step)
    }
}

/// `params` of ↑ `{p}/thing/ota/firmware/get` (Py `{"module":"default"}`, C4 `{}`) and of C3's
/// legacy `/ota/device/request` (`{"version":..}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OtaFirmwareGetParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// One file of a multi-file package (C4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtaFile {
    pub file_size: u64,
    pub file_url: String,
    pub file_sign: String,
    pub file_name: String,
}

/// The firmware description: `data` of the ↓ upgrade push and of `firmware/get_reply`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtaFirmware {
    pub size: u64,
    pub version: String,
    pub url: String,
    /// C3 verifies only this (32 lowercase hex chars).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    /// Lowercase hex: Py compares `hexdigest() == sign`.
    pub sign: String,
    /// `"Md5"` or `"SHA256"` (Py accepts only these two spellings).
    pub sign_method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_diff: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d_protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext_data: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<OtaFile>>,
}

impl OtaFirmware {
    /// The recommended shape (ALINK.md 5): `signMethod "Md5"`, `sign` = `md5` = lowercase MD5,
    /// which every SDK verifies.
    pub fn with_md5(
        size: u64,
        version: impl Into<String>,
        url: impl Into<String>,
        md5_hex: &str,
        module: impl Into<String>,
    ) -> OtaFirmware {
        let md5 = md5_hex.to_ascii_lowercase();
        OtaFirmware {
            size,
            version: version.into(),
            url: url.into(),
            md5: Some(md5.clone()),
            sign: md5,
            sign_method: "Md5".to_string(),
            module: Some(module.into()),
            is_diff: Some(0),
            d_protocol: None,
            ext_data: None,
            files: None,
        }
    }
}

/// ↓ `/ota/device/upgrade/{pk}/{dn}`: `{"code":"1000","id":<number>,"message":"success","data":{…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtaUpgrade {
    pub code: String,
    /// A number on this topic (unlike Alink requests).
    pub id: u64,
    pub message: String,
    pub data: OtaFirmware,
}

impl OtaUpgrade {
    pub fn new(id: u64, data: OtaFirmware) -> OtaUpgrade {
        OtaUpgrade { code: "1000".into(), id, message: "success".into(), data }
    }
    pub fn parse(payload: &[u8]) -> Result<OtaUpgrade, EnvelopeError> {
        parse_json(payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn device_messages() {
        let i = OtaInform::parse(br#"{"id": 1,"params": {"version":"1.0.0","module": "default"}}"#).unwrap();
        assert_eq!((i.params.version.as_str(), i.module()), ("1.0.0", "default"));
        let c3 = OtaInform::parse(br#"{"id":1,"params":{"version":"2.0"}}"#).unwrap();
        assert_eq!(c3.module(), "default");
        let p = OtaProgress::parse(br#"{"id":"5","params":{"step":"50","desc":"downloading","module":"default"}}"#)
            .unwrap();
        assert_eq!(p.step(), Some(OtaStep::Percent(50)));
        let n = OtaProgress::parse(br#"{"id":"5","params":{"step":-3}}"#).unwrap();
        assert_eq!(n.step(), Some(OtaStep::VerifyFailed));
        assert!(n.step().unwrap().is_failure());
        assert_eq!(OtaStep::parse("0"), None);
        assert_eq!(OtaStep::parse("101"), None);
        assert!(OtaInform::parse(b"{}").is_err());
    }

    #[test]
    fn push_has_what_every_sdk_needs() {
        let fw =
            OtaFirmware::with_md5(50019, "1.1.0", "http://h/fw.bin", "ABCDEF0123456789ABCDEF0123456789", "default");
        let v = serde_json::to_value(OtaUpgrade::new(1717000000001, fw)).unwrap();
        assert_eq!(v["code"], json!("1000"));
        assert_eq!(v["message"], json!("success"));
        assert_eq!(v["id"], json!(1717000000001u64));
        let d = &v["data"];
        for k in ["url", "version", "size", "signMethod", "sign", "md5", "module"] {
            assert!(d.get(k).is_some(), "{k}");
        }
        assert_eq!(d["sign"], json!("abcdef0123456789abcdef0123456789"));
        assert_eq!(d["signMethod"], json!("Md5"));
        let back = OtaUpgrade::parse(serde_json::to_string(&v).unwrap().as_bytes()).unwrap();
        assert_eq!(back.data.size, 50019);
    }
}
