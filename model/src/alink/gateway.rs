//! Gateway request params (ALINK.md 1.4, 4 "Gateway"): the signed sub-device entries of
//! `thing/topo/add` and `combine/(batch_)login`, and the dynreg-style `product_register`.

use serde::{Deserialize, Serialize};

use super::envelope::de_text;
use super::sign::{dynreg_sign_content, verify, verify_sub_device_sign, SignMethod};

/// A sub-device named by a gateway (`topo/delete`, `combine/logout`, `sub/register`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubDevice {
    pub product_key: String,
    pub device_name: String,
}

/// One entry of `thing/topo/add` params, or the params of C3's `combine/login`, or one
/// `deviceList` entry of Py's `combine/batch_login` (which has the method at the top level).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedSubDevice {
    pub product_key: String,
    pub device_name: String,
    pub client_id: String,
    /// Milliseconds; a number or a string on the wire, signed as its decimal text.
    #[serde(deserialize_with = "de_text")]
    pub timestamp: String,
    /// `topo/add` spells it `signmethod`, login `signMethod`.
    #[serde(default, alias = "signmethod", skip_serializing_if = "Option::is_none")]
    pub sign_method: Option<String>,
    pub sign: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clean_session: Option<serde_json::Value>,
}

impl SignedSubDevice {
    /// Checks `sign` with the entry's own method, else `default_method` (batch_login's top
    /// level); `hmacSha256`/`hmacSha1`/`hmacMd5` in any case.
    pub fn verify(&self, device_secret: &str, default_method: Option<&str>) -> bool {
        let Some(method) = self.sign_method.as_deref().or(default_method) else { return false };
        verify_sub_device_sign(
            method,
            device_secret,
            &self.client_id,
            &self.product_key,
            &self.device_name,
            &self.timestamp,
            &self.sign,
        )
    }
}

/// Params of `combine/batch_login`: `{"signMethod","deviceList":[…]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchLogin {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_method: Option<String>,
    pub device_list: Vec<SignedSubDevice>,
}

/// One entry of `thing/proxy/provisioning/product_register` `proxieds`: signed like dynamic
/// registration, with the productSecret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProxiedRegister {
    pub product_key: String,
    pub device_name: String,
    pub random: String,
    pub sign_method: String,
    pub sign: String,
}

impl ProxiedRegister {
    pub fn verify(&self, product_secret: &str) -> bool {
        let Some(m) = SignMethod::parse(&self.sign_method) else { return false };
        verify(m, product_secret, &dynreg_sign_content(&self.product_key, &self.device_name, &self.random), &self.sign)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alink::sign::{sign, sub_device_sign};

    #[test]
    fn topo_add_and_batch_login() {
        let cid = "spk001.sub1|lan=Python,_v=2.2.1,_ss=1|";
        let s = sub_device_sign(SignMethod::HmacSha256, "subsecret", cid, "spk001", "sub1", "1700000000000");
        let topo = format!(
            r#"[{{"productKey":"spk001","deviceName":"sub1","clientId":"{cid}","timestamp":1700000000000,"signmethod":"hmacSha256","sign":"{s}"}}]"#
        );
        let items: Vec<SignedSubDevice> = serde_json::from_str(&topo).unwrap();
        assert!(items[0].verify("subsecret", None));
        assert!(!items[0].verify("wrong", None));
        let login = format!(
            r#"{{"signMethod":"hmacSha256","deviceList":[{{"productKey":"spk001","deviceName":"sub1","clientId":"{cid}","timestamp":"1700000000000","cleanSession":"false","sign":"{}"}}]}}"#,
            s.to_uppercase()
        );
        let b: BatchLogin = serde_json::from_str(&login).unwrap();
        assert!(b.device_list[0].verify("subsecret", b.sign_method.as_deref()));
        assert!(!b.device_list[0].verify("subsecret", None), "no method anywhere");
    }

    #[test]
    fn product_register() {
        let content = dynreg_sign_content("spk001", "sub9", "r4nd");
        let p = ProxiedRegister {
            product_key: "spk001".into(),
            device_name: "sub9".into(),
            random: "r4nd".into(),
            sign_method: "hmacSha256".into(),
            sign: sign(SignMethod::HmacSha256, "psecret", &content),
        };
        assert!(p.verify("psecret"));
        assert!(!p.verify("other"));
    }
}
