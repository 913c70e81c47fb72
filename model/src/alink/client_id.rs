//! MQTT CONNECT identity of a Link SDK device: the clientId `X|k=v,k=v,...|` and the username
//! `{dn}&{pk}` (ALINK.md 1.1–1.4).
//!
//! The three SDKs disagree about the clientId prefix `X` (`{pk}&{dn}` in Py, `{pk}.{dn}` in C3/C4,
//! `{dn}.{pk}` for dynamic registration, a server-issued id for token login). Since a DeviceName
//! may itself contain `.`, the prefix cannot be split reliably, so **the username is the authority
//! for productKey/deviceName** and `X` is only used verbatim inside the signature.

use std::fmt;

use super::sign::SignMethod;

/// Longest clientId we parse. MQTT allows 65535 bytes; the longest real one (Py with `sii=`)
/// is well under 1 KiB, and bounding it bounds the work and the size of every log line.
pub const MAX_CLIENT_ID_LEN: usize = 1024;

/// Why a clientId or username was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientIdError {
    #[error("clientId is empty")]
    Empty,
    #[error("clientId is longer than {MAX_CLIENT_ID_LEN} bytes")]
    TooLong,
    #[error("clientId prefix before '|' is empty")]
    EmptyPrefix,
    #[error("clientId parameter `{0}` appears twice")]
    DuplicateKey(String),
    #[error("clientId parameter `{key}` has an invalid value")]
    InvalidValue { key: String },
    #[error("username must be `deviceName&productKey`")]
    BadUsername,
}

/// The SDK family, for display and for [`super::sign::device_credentials`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sdk {
    /// Python SDK 1.2.x (`{pk}&{dn}`, HMAC-SHA1 lowercase, timestamp in seconds).
    Python,
    /// C SDK 3.x, iotkit-embedded (`{pk}.{dn}`, HMAC-SHA256 uppercase, fixed ms timestamp).
    C3,
    /// C SDK 4.x, LinkSDK (like C3 plus `_ss=1`, `ext=3`).
    C4,
}

/// How the device authenticates (`authType=` in the clientId; absent = HMAC with deviceSecret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthType {
    /// Dynamic registration, answered on `/ext/register` with the deviceSecret.
    Register,
    /// Dynamic registration without pre-registration, answered on `/ext/regnwl` with a token.
    Regnwl,
    /// Login with the token obtained through `regnwl` (password = token, no HMAC).
    Connwl,
    /// Anything else; kept so the log can show it, always refused by the auth hook.
    Other(String),
}

impl AuthType {
    fn parse(s: &str) -> Self {
        match s {
            "register" => AuthType::Register,
            "regnwl" => AuthType::Regnwl,
            "connwl" => AuthType::Connwl,
            other => AuthType::Other(other.to_string()),
        }
    }
}

/// A parsed Alink clientId. Unknown keys (`_v`, `lan`, `ext`, `sii`, `_conn`, `gw`, …) are kept
/// in [`ClientId::params`] and otherwise ignored, as ALINK.md 1.3 requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientId {
    /// The part before the first `|`; signed verbatim as `clientId{X}`.
    pub prefix: String,
    /// Every `k=v` pair in wire order (a bare `k` gets an empty value).
    pub params: Vec<(String, String)>,
    /// `signmethod=` if it names a method we support; `None` makes HMAC verification fail.
    pub signmethod: Option<SignMethod>,
    /// `timestamp=` verbatim (seconds in Py, a fixed ms value in C); never checked for freshness.
    pub timestamp: Option<String>,
    /// `securemode=` (2 TLS, 3 plain, -2 token login); informative only, not tied to transport.
    pub securemode: Option<i32>,
    /// `authType=`; `None` means the normal deviceSecret HMAC login.
    pub auth_type: Option<AuthType>,
    /// `lan=` (SDK language), for display.
    pub lan: Option<String>,
    /// `_v=` (SDK version), for display.
    pub sdk_version: Option<String>,
}

/// Keys whose duplicates would make the signature ambiguous; other duplicates: last one wins.
const SIGNIFICANT_KEYS: &[&str] = &["timestamp", "signmethod", "securemode", "authType", "random"];

impl ClientId {
    /// Parses `X|k=v,...|`. Lenient where the SDKs vary (missing trailing `|`, bare keys, empty
    /// items); strict where the signature depends on it (duplicate `timestamp`/`signmethod`/…).
    /// A value may contain `|`: the parameter section runs from the first to the **last** `|`.
    pub fn parse(s: &str) -> Result<ClientId, ClientIdError> {
        if s.is_empty() {
            return Err(ClientIdError::Empty);
        }
        if s.len() > MAX_CLIENT_ID_LEN {
            return Err(ClientIdError::TooLong);
        }
        let (prefix, rest) = match s.find('|') {
            Some(i) => (&s[..i], &s[i + 1..]),
            None => (s, ""),
        };
        if prefix.is_empty() {
            return Err(ClientIdError::EmptyPrefix);
        }
        let section = match rest.rfind('|') {
            Some(i) => &rest[..i],
            None => rest,
        };
        let mut params: Vec<(String, String)> = Vec::new();
        for item in section.split(',').filter(|i| !i.is_empty()) {
            let (k, v) = item.split_once('=').unwrap_or((item, ""));
            if let Some(pos) = params.iter().position(|(pk, _)| pk == k) {
                if SIGNIFICANT_KEYS.contains(&k) {
                    return Err(ClientIdError::DuplicateKey(k.to_string()));
                }
                params.remove(pos);
            }
            params.push((k.to_string(), v.to_string()));
        }
        let get = |k: &str| params.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.as_str());
        let securemode = match get("securemode") {
            None => None,
            Some(v) => Some(v.parse::<i32>().map_err(|_| ClientIdError::InvalidValue { key: "securemode".into() })?),
        };
        let nonempty = |v: Option<&str>| v.filter(|v| !v.is_empty()).map(str::to_string);
        Ok(ClientId {
            prefix: prefix.to_string(),
            signmethod: get("signmethod").and_then(SignMethod::parse),
            timestamp: get("timestamp").map(str::to_string),
            securemode,
            auth_type: get("authType").map(AuthType::parse),
            lan: nonempty(get("lan")),
            sdk_version: nonempty(get("_v")),
            params,
        })
    }

    /// The value of any clientId parameter.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// `true` when the session asks the broker to subscribe its system topics (`_ss=1`).
    /// fleetdeck auto-subscribes every session anyway (C3 sends no `_ss` but subscribes itself).
    pub fn server_subscribe(&self) -> bool {
        self.param("_ss") == Some("1")
    }

    /// The SDK family guessed from `lan`/`_v` (C4 sends no `lan`, only `_v=sdk-c-4.x`).
    pub fn sdk(&self) -> Option<Sdk> {
        let v = self.sdk_version.as_deref().unwrap_or("");
        match self.lan.as_deref() {
            Some("Python") => Some(Sdk::Python),
            _ if v.starts_with("sdk-c-3") => Some(Sdk::C3),
            _ if v.starts_with("sdk-c-4") => Some(Sdk::C4),
            _ => None,
        }
    }

    /// "Python 1.2.13", "C sdk-c-4.x", "C", … for the device detail page; `None` if unknown.
    pub fn sdk_display(&self) -> Option<String> {
        let lan = self
            .lan
            .clone()
            .or_else(|| self.sdk_version.as_deref().filter(|v| v.starts_with("sdk-c")).map(|_| "C".to_string()));
        match (lan, &self.sdk_version) {
            (Some(l), Some(v)) => Some(format!("{l} {v}")),
            (Some(l), None) => Some(l),
            (None, Some(v)) => Some(v.clone()),
            (None, None) => None,
        }
    }

    /// Whether `X` is one of the forms an SDK builds for this device (`{pk}&{dn}`, `{pk}.{dn}`,
    /// `{dn}.{pk}`). Informative: the signature already covers `X`, and token login uses a
    /// server-issued `X`.
    pub fn prefix_names(&self, pk: &str, dn: &str) -> bool {
        let x = self.prefix.as_str();
        [format!("{pk}&{dn}"), format!("{pk}.{dn}"), format!("{dn}.{pk}")].iter().any(|f| f == x)
    }
}

impl fmt::Display for ClientId {
    /// Re-creates the wire form `X|k=v,...|` (the order of `params` is preserved).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}|", self.prefix)?;
        for (i, (k, v)) in self.params.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{k}={v}")?;
        }
        f.write_str("|")
    }
}

/// Splits the MQTT username `{dn}&{pk}` into `(pk, dn)`.
///
/// Splits at the first `&`: a DeviceName never contains `&`, and the ProductKey is alphanumeric.
/// Both parts are checked with the topic-segment rules so that a name accepted here can always
/// be placed into a topic.
pub fn parse_username(username: &str) -> Result<(&str, &str), ClientIdError> {
    let (dn, pk) = username.split_once('&').ok_or(ClientIdError::BadUsername)?;
    if !super::topic::is_product_key(pk) || !super::topic::is_device_name(dn) {
        return Err(ClientIdError::BadUsername);
    }
    Ok((pk, dn))
}

/// The username every SDK sends: `{dn}&{pk}`.
pub fn format_username(pk: &str, dn: &str) -> String {
    format!("{dn}&{pk}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python() {
        let c = ClientId::parse("a1FakePK001&dev-001|securemode=3,signmethod=hmacsha1,ext=1,_ss=1,lan=Python,_v=1.2.13,timestamp=1700000000|").unwrap();
        assert_eq!(c.prefix, "a1FakePK001&dev-001");
        assert_eq!(c.signmethod, Some(SignMethod::HmacSha1));
        assert_eq!(c.timestamp.as_deref(), Some("1700000000"));
        assert_eq!(c.securemode, Some(3));
        assert_eq!(c.auth_type, None);
        assert!(c.server_subscribe());
        assert_eq!(c.sdk(), Some(Sdk::Python));
        assert_eq!(c.sdk_display().as_deref(), Some("Python 1.2.13"));
        assert!(c.prefix_names("a1FakePK001", "dev-001"));
        assert_eq!(ClientId::parse(&c.to_string()).unwrap(), c);
    }

    #[test]
    fn c3_and_c4() {
        let c3 = ClientId::parse("pk1.dev.with.dots|timestamp=2524608000000,_v=sdk-c-3.x,securemode=2,signmethod=hmacsha256,lan=C,gw=0,ext=0|").unwrap();
        assert_eq!(c3.prefix, "pk1.dev.with.dots");
        assert_eq!(c3.signmethod, Some(SignMethod::HmacSha256));
        assert_eq!(c3.sdk(), Some(Sdk::C3));
        assert_eq!(c3.sdk_display().as_deref(), Some("C sdk-c-3.x"));
        assert!(!c3.server_subscribe());
        let c4 = ClientId::parse("pk1.dev1|timestamp=2524608000000,_ss=1,_v=sdk-c-4.x,securemode=2,signmethod=hmacsha256,ext=3,extend,_conn=tcp_ab12|").unwrap();
        assert_eq!(c4.sdk(), Some(Sdk::C4));
        assert_eq!(c4.sdk_display().as_deref(), Some("C sdk-c-4.x"));
        assert_eq!(c4.param("extend"), Some(""));
        assert_eq!(c4.param("_conn"), Some("tcp_ab12"));
    }

    #[test]
    fn dynreg_token_and_subdevice() {
        let d = ClientId::parse("dev1.pk1|random=abc,authType=regnwl,securemode=2,signmethod=hmacsha256|").unwrap();
        assert_eq!(d.auth_type, Some(AuthType::Regnwl));
        assert_eq!(d.param("random"), Some("abc"));
        assert_eq!(d.timestamp, None);
        assert!(d.prefix_names("pk1", "dev1"));
        let t = ClientId::parse("server-issued-id|authType=connwl,securemode=-2,_ss=1,ext=3,lan=Python,_v=1.2.13|")
            .unwrap();
        assert_eq!(t.auth_type, Some(AuthType::Connwl));
        assert_eq!(t.securemode, Some(-2));
        let s = ClientId::parse("spk.sdn|lan=Python,_v=2.2.1,_ss=1|").unwrap();
        assert_eq!(s.sdk_display().as_deref(), Some("Python 2.2.1"));
        assert_eq!(s.signmethod, None);
    }

    #[test]
    fn edge_cases() {
        assert_eq!(ClientId::parse(""), Err(ClientIdError::Empty));
        assert_eq!(ClientId::parse("|a=b|"), Err(ClientIdError::EmptyPrefix));
        assert!(matches!(ClientId::parse("x|timestamp=1,timestamp=2|"), Err(ClientIdError::DuplicateKey(_))));
        assert!(ClientId::parse("x|securemode=abc|").is_err());
        assert!(ClientId::parse(&"x".repeat(MAX_CLIENT_ID_LEN + 1)).is_err());
        // No parameter section at all (e.g. a plain MQTT tool): parses, cannot be verified.
        let p = ClientId::parse("mosquitto_sub").unwrap();
        assert!(p.params.is_empty() && p.signmethod.is_none());
        // A `|` inside a value stays in the value.
        let a = ClientId::parse("x|authType=register|regnwl,securemode=2|").unwrap();
        assert_eq!(a.param("authType"), Some("register|regnwl"));
        // Unknown signmethod: parsed, but no method.
        assert_eq!(ClientId::parse("x|signmethod=rsa|").unwrap().signmethod, None);
    }

    #[test]
    fn usernames() {
        assert_eq!(parse_username("dev-001&a1FakePK001"), Ok(("a1FakePK001", "dev-001")));
        assert_eq!(parse_username("d.e:v@1&pk"), Ok(("pk", "d.e:v@1")));
        assert!(parse_username("dev-001").is_err());
        assert!(parse_username("&pk").is_err());
        assert!(parse_username("dev&").is_err());
        assert!(parse_username("dev&pk&x").is_err());
        assert!(parse_username("de/v&pk").is_err());
        assert!(parse_username("dev&p-k").is_err());
        assert_eq!(format_username("pk", "dev"), "dev&pk");
    }
}
