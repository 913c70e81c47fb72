//! Dynamic registration (ALINK.md 1.4): the MQTT CONNECT that asks for credentials, the pushes
//! that answer it, and the HTTPS form.

use serde::{Deserialize, Serialize};

use super::client_id::{parse_username, AuthType, ClientId};
use super::sign::{verify_dynreg_sign, SignMethod};

/// Which answer the device asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DynregMode {
    /// Answer on `/ext/register` with the deviceSecret.
    Register,
    /// Answer on `/ext/regnwl` with a deviceToken for a later `connwl` login.
    Regnwl,
}

/// A dynamic-registration CONNECT, recognised from its clientId and username.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynregConnect {
    pub pk: String,
    pub dn: String,
    pub random: String,
    pub mode: DynregMode,
    pub instance_id: Option<String>,
}

impl DynregConnect {
    /// `Some` if the clientId says `authType=register|regnwl` with a `random` and the username
    /// names a device. The signature is checked separately with [`DynregConnect::verify`]
    /// (it needs the productSecret from the store).
    pub fn from_connect(client_id: &ClientId, username: &str) -> Option<DynregConnect> {
        let mode = match client_id.auth_type.as_ref()? {
            AuthType::Register => DynregMode::Register,
            AuthType::Regnwl => DynregMode::Regnwl,
            _ => return None,
        };
        let random = client_id.param("random").filter(|r| !r.is_empty())?.to_string();
        let (pk, dn) = parse_username(username).ok()?;
        Some(DynregConnect {
            pk: pk.to_string(),
            dn: dn.to_string(),
            random,
            mode,
            instance_id: client_id.param("instanceId").map(str::to_string),
        })
    }

    /// HMAC-SHA256(productSecret, `deviceName..productKey..random..`), any hex case. The clientId
    /// must say `hmacsha256` (or nothing): no SDK signs dynreg any other way.
    pub fn verify(&self, client_id: &ClientId, product_secret: &str, password: &str) -> bool {
        matches!(client_id.signmethod, None | Some(SignMethod::HmacSha256))
            && verify_dynreg_sign(product_secret, &self.pk, &self.dn, &self.random, password)
    }
}

/// ↓ `/ext/register`: the answer to `authType=register`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterPush {
    pub product_key: String,
    pub device_name: String,
    pub device_secret: String,
}

/// ↓ `/ext/regnwl`: the answer to `authType=regnwl`; `client_id` is the prefix to log in with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegnwlPush {
    pub client_id: String,
    pub product_key: String,
    pub device_name: String,
    pub device_token: String,
}

/// The form of `POST /auth/register/device` (HTTPS dynamic registration, Py).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpsRegisterForm {
    pub product_key: String,
    pub device_name: String,
    pub random: String,
    pub sign: String,
    #[serde(default = "hmacsha256")]
    pub sign_method: String,
}

fn hmacsha256() -> String {
    "hmacsha256".into()
}

impl HttpsRegisterForm {
    pub fn verify(&self, product_secret: &str) -> bool {
        SignMethod::parse(&self.sign_method) == Some(SignMethod::HmacSha256)
            && verify_dynreg_sign(product_secret, &self.product_key, &self.device_name, &self.random, &self.sign)
    }
}

/// The HTTPS answer: `{"code":200,"data":{"deviceSecret":..}}` (or another code and a message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpsRegisterReply {
    pub code: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<HttpsRegisterData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpsRegisterData {
    pub device_secret: String,
}

impl HttpsRegisterReply {
    pub fn ok(device_secret: impl Into<String>) -> Self {
        HttpsRegisterReply {
            code: 200,
            data: Some(HttpsRegisterData { device_secret: device_secret.into() }),
            message: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alink::client_id::Sdk;
    use crate::alink::sign::dynreg_credentials;

    #[test]
    fn mqtt_dynreg() {
        let c = dynreg_credentials(
            Sdk::C4,
            "a1FakePK001",
            "dev-001",
            "fakeProductSecret0123",
            "abc123XYZ456def",
            &AuthType::Regnwl,
        );
        let cid = ClientId::parse(&c.client_id).unwrap();
        let d = DynregConnect::from_connect(&cid, &c.username).unwrap();
        assert_eq!(d.mode, DynregMode::Regnwl);
        assert_eq!((d.pk.as_str(), d.dn.as_str(), d.random.as_str()), ("a1FakePK001", "dev-001", "abc123XYZ456def"));
        assert!(d.verify(&cid, "fakeProductSecret0123", &c.password));
        assert!(!d.verify(&cid, "otherSecret", &c.password));
        let normal = ClientId::parse("pk.dn|signmethod=hmacsha1|").unwrap();
        assert!(DynregConnect::from_connect(&normal, "dn&pk").is_none());
        let no_random = ClientId::parse("dn.pk|authType=register|").unwrap();
        assert!(DynregConnect::from_connect(&no_random, "dn&pk").is_none());
    }

    #[test]
    fn https_form_and_pushes() {
        let f = HttpsRegisterForm {
            product_key: "a1FakePK001".into(),
            device_name: "dev-001".into(),
            random: "abc123XYZ456def".into(),
            sign: "ec3b738cb69e1b23aa01f397b3262f7ec5a5fbecc2f242b71f4667ee04bace96".into(),
            sign_method: "hmacsha256".into(),
        };
        assert!(f.verify("fakeProductSecret0123"));
        assert!(!HttpsRegisterForm { sign_method: "hmacsha1".into(), ..f.clone() }.verify("fakeProductSecret0123"));
        let j = serde_json::to_string(&RegisterPush {
            product_key: "p".into(),
            device_name: "d".into(),
            device_secret: "s".into(),
        })
        .unwrap();
        assert_eq!(j, r#"{"productKey":"p","deviceName":"d","deviceSecret":"s"}"#);
        let j = serde_json::to_string(&HttpsRegisterReply::ok("s")).unwrap();
        assert_eq!(j, r#"{"code":200,"data":{"deviceSecret":"s"}}"#);
    }
}
