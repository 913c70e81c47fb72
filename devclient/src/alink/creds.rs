//! Who a device is and how it signs in. The signing itself is `model::alink::sign` (the same
//! code the broker verifies with); this only picks the scheme.

use std::net::IpAddr;
use std::time::Duration;

use model::alink::sign::{device_credentials, device_sign_content, sign, Credentials, SignMethod, C_SDK_TIMESTAMP};
use model::alink::{format_username, Sdk};

use crate::connect::{ConnectOptions, Protocol};

/// A device triple.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub pk: String,
    pub dn: String,
    pub secret: String,
}

impl Identity {
    pub fn new(pk: impl Into<String>, dn: impl Into<String>, secret: impl Into<String>) -> Self {
        Identity { pk: pk.into(), dn: dn.into(), secret: secret.into() }
    }
}

/// How the CONNECT is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// Byte for byte what an SDK sends: Py (hmacsha1, timestamp in seconds), C3 / C4
    /// (hmacsha256 uppercase, fixed far-future ms timestamp).
    Sdk(Sdk),
    /// Any sign method, with or without a timestamp, clientId `{pk}.{dn}|securemode=3,…|`:
    /// the server's rule accepts every combination (ALINK.md 1.3).
    Custom { method: SignMethod, timestamp: Option<u64> },
}

/// The credentials `scheme` gives `id`; `now_secs` is Py's timestamp (the C SDKs ignore it).
pub fn credentials(id: &Identity, scheme: &Scheme, now_secs: u64) -> Credentials {
    match scheme {
        Scheme::Sdk(sdk) => {
            let ts = if *sdk == Sdk::Python { now_secs } else { C_SDK_TIMESTAMP };
            device_credentials(*sdk, &id.pk, &id.dn, &id.secret, ts)
        }
        Scheme::Custom { method, timestamp } => {
            let prefix = format!("{}.{}", id.pk, id.dn);
            let ts = timestamp.map(|t| t.to_string());
            let content = device_sign_content(&prefix, &id.pk, &id.dn, ts.as_deref());
            let mut params = format!("securemode=3,signmethod={}", method.as_str());
            if let Some(ts) = &ts {
                params.push_str(&format!(",timestamp={ts}"));
            }
            Credentials {
                client_id: format!("{prefix}|{params}|"),
                username: format_username(&id.pk, &id.dn),
                password: sign(*method, &id.secret, &content),
            }
        }
    }
}

/// The SDK's own keepalive: Py and C3 60 s, C4 1200 s.
pub fn sdk_keep_alive(scheme: &Scheme) -> u16 {
    match scheme {
        Scheme::Sdk(Sdk::C4) => 1200,
        _ => 60,
    }
}

/// Unix seconds now (Py's clientId timestamp).
pub fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// CONNECT options for `creds`, as the SDK of `scheme` would set them (C3 keeps its session).
pub fn connect_options(creds: &Credentials, scheme: &Scheme, source: Option<IpAddr>) -> ConnectOptions {
    ConnectOptions {
        keep_alive: sdk_keep_alive(scheme),
        clean_session: *scheme != Scheme::Sdk(Sdk::C3),
        protocol: Protocol::V311,
        source,
        connack_timeout: Duration::from_secs(10),
        ..ConnectOptions::new(creds.client_id.clone()).login(creds.username.clone(), creds.password.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::alink::sign::verify_device_sign;
    use model::alink::ClientId;

    fn verifies(c: &Credentials, id: &Identity) -> bool {
        let cid = ClientId::parse(&c.client_id).unwrap();
        verify_device_sign(&cid, &id.pk, &id.dn, &id.secret, &c.password)
    }

    #[test]
    fn the_worked_example_of_the_python_sdk() {
        let id = Identity::new("a1FakePK001", "dev-001", "0123456789abcdef0123456789abcdef");
        let c = credentials(&id, &Scheme::Sdk(Sdk::Python), 1_700_000_000);
        assert_eq!(c.password, "e1a7cf71a05d4685173b43d9a7c4318280a24757");
        assert_eq!(c.username, "dev-001&a1FakePK001");
    }

    #[test]
    fn every_scheme_verifies_with_the_brokers_rule() {
        let id = Identity::new("a1FakePK001", "dev-001", "0123456789abcdef0123456789abcdef");
        let mut schemes = vec![Scheme::Sdk(Sdk::Python), Scheme::Sdk(Sdk::C3), Scheme::Sdk(Sdk::C4)];
        for method in [SignMethod::HmacMd5, SignMethod::HmacSha1, SignMethod::HmacSha256] {
            schemes.push(Scheme::Custom { method, timestamp: None });
            schemes.push(Scheme::Custom { method, timestamp: Some(1_700_000_000_000) });
        }
        for s in &schemes {
            let c = credentials(&id, s, 1_700_000_000);
            assert!(verifies(&c, &id), "{s:?}: {c:?}");
            let wrong = Identity { secret: "wrong".into(), ..id.clone() };
            assert!(!verifies(&credentials(&wrong, s, 1_700_000_000), &id), "{s:?}");
        }
        let c4 = credentials(&id, &Scheme::Sdk(Sdk::C4), 0);
        assert_eq!(c4.password, "C34D3960ED38FC79361977F7746558D17D11DEBF188A5875F025D1D56E65208D");
    }

    #[test]
    fn options_follow_the_sdk() {
        let id = Identity::new("pk", "dn", "s");
        let c3 = Scheme::Sdk(Sdk::C3);
        let o = connect_options(&credentials(&id, &c3, 0), &c3, None);
        assert_eq!((o.keep_alive, o.clean_session), (60, false));
        let c4 = Scheme::Sdk(Sdk::C4);
        let o = connect_options(&credentials(&id, &c4, 0), &c4, None);
        assert_eq!((o.keep_alive, o.clean_session), (1200, true));
        assert_eq!(o.username.as_deref(), Some("dn&pk"));
    }
}
