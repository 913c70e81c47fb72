//! Device authentication signatures (ALINK.md 1.3, 1.4) and the credentials each SDK sends.
//!
//! All comparisons decode the presented hex (any case: Py sends lowercase, C uppercase) and let
//! `hmac` compare the bytes in constant time, so a wrong password leaks nothing through timing.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};

use super::client_id::{format_username, AuthType, ClientId, Sdk};

/// The timestamp the C SDKs always put into their clientId and signature (ms, year 2050).
pub const C_SDK_TIMESTAMP: u64 = 2_524_608_000_000;

/// An HMAC algorithm named by `signmethod=` / `signMethod`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignMethod {
    HmacMd5,
    HmacSha1,
    HmacSha256,
}

impl SignMethod {
    /// Case-insensitive: the clientId says `hmacsha256`, gateway requests say `hmacSha256`.
    pub fn parse(s: &str) -> Option<SignMethod> {
        match s.to_ascii_lowercase().as_str() {
            "hmacmd5" => Some(SignMethod::HmacMd5),
            "hmacsha1" => Some(SignMethod::HmacSha1),
            "hmacsha256" => Some(SignMethod::HmacSha256),
            _ => None,
        }
    }

    /// The clientId spelling (`hmacsha1`).
    pub fn as_str(self) -> &'static str {
        match self {
            SignMethod::HmacMd5 => "hmacmd5",
            SignMethod::HmacSha1 => "hmacsha1",
            SignMethod::HmacSha256 => "hmacsha256",
        }
    }

    /// The spelling in gateway request bodies (`hmacSha256`).
    pub fn camel_case(self) -> &'static str {
        match self {
            SignMethod::HmacMd5 => "hmacMd5",
            SignMethod::HmacSha1 => "hmacSha1",
            SignMethod::HmacSha256 => "hmacSha256",
        }
    }
}

fn mac_bytes(method: SignMethod, secret: &str, content: &str) -> Vec<u8> {
    fn run<M: Mac + KeyInit>(secret: &str, content: &str) -> Vec<u8> {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
        let mut m = <M as KeyInit>::new_from_slice(secret.as_bytes()).expect("hmac takes any key");
        m.update(content.as_bytes());
        m.finalize().into_bytes().to_vec()
    }
    match method {
        SignMethod::HmacMd5 => run::<Hmac<md5::Md5>>(secret, content),
        SignMethod::HmacSha1 => run::<Hmac<sha1::Sha1>>(secret, content),
        SignMethod::HmacSha256 => run::<Hmac<sha2::Sha256>>(secret, content),
    }
}

/// `HMAC_method(secret, content)` as **lowercase** hex (what Py sends; C uppercases it).
pub fn sign(method: SignMethod, secret: &str, content: &str) -> String {
    hex::encode(mac_bytes(method, secret, content))
}

/// Checks a hex signature of any case in constant time; non-hex input is simply wrong.
pub fn verify(method: SignMethod, secret: &str, content: &str, presented_hex: &str) -> bool {
    let Ok(presented) = hex::decode(presented_hex) else { return false };
    fn run<M: Mac + KeyInit>(secret: &str, content: &str, presented: &[u8]) -> bool {
        let Ok(mut m) = <M as KeyInit>::new_from_slice(secret.as_bytes()) else { return false };
        m.update(content.as_bytes());
        m.verify_slice(presented).is_ok()
    }
    match method {
        SignMethod::HmacMd5 => run::<Hmac<md5::Md5>>(secret, content, &presented),
        SignMethod::HmacSha1 => run::<Hmac<sha1::Sha1>>(secret, content, &presented),
        SignMethod::HmacSha256 => run::<Hmac<sha2::Sha256>>(secret, content, &presented),
    }
}

/// ALINK.md 1.3 steps 2–3: the sorted `key+value` concatenation of `clientId`, `deviceName`,
/// `productKey` and, only if the clientId carried one, `timestamp`.
pub fn device_sign_content(client_id_prefix: &str, pk: &str, dn: &str, ts: Option<&str>) -> String {
    let mut s = format!("clientId{client_id_prefix}deviceName{dn}productKey{pk}");
    if let Some(ts) = ts {
        s.push_str("timestamp");
        s.push_str(ts);
    }
    s
}

/// ALINK.md 1.3: verifies the CONNECT password of a deviceSecret login. `pk`/`dn` come from the
/// username (the authority). No timestamp freshness check: the C SDKs send a fixed value.
/// Returns `false` for token/dynreg logins (`authType` set) and unknown sign methods.
pub fn verify_device_sign(client_id: &ClientId, pk: &str, dn: &str, device_secret: &str, password: &str) -> bool {
    if client_id.auth_type.is_some() {
        return false;
    }
    let Some(method) = client_id.signmethod else { return false };
    let content = device_sign_content(&client_id.prefix, pk, dn, client_id.timestamp.as_deref());
    verify(method, device_secret, &content, password)
}

/// The dynamic-registration sign content `deviceName{dn}productKey{pk}random{r}` (MQTT, HTTPS,
/// and gateway `proxy/provisioning/product_register` all use it).
pub fn dynreg_sign_content(pk: &str, dn: &str, random: &str) -> String {
    format!("deviceName{dn}productKey{pk}random{random}")
}

/// Verifies a dynamic-registration password: HMAC-SHA256(productSecret, …), any hex case.
pub fn verify_dynreg_sign(product_secret: &str, pk: &str, dn: &str, random: &str, password: &str) -> bool {
    verify(SignMethod::HmacSha256, product_secret, &dynreg_sign_content(pk, dn, random), password)
}

/// The sub-device sign content of `thing/topo/add` and `combine/(batch_)login`:
/// `clientId{cid}deviceName{dn}productKey{pk}timestamp{ts}`.
pub fn sub_device_sign_content(client_id: &str, pk: &str, dn: &str, timestamp: &str) -> String {
    device_sign_content(client_id, pk, dn, Some(timestamp))
}

/// Verifies a sub-device `sign`; `sign_method` is `hmacSha256`/`hmacSha1`/`hmacMd5` in any case.
pub fn verify_sub_device_sign(
    sign_method: &str,
    device_secret: &str,
    client_id: &str,
    pk: &str,
    dn: &str,
    timestamp: &str,
    sign_hex: &str,
) -> bool {
    let Some(method) = SignMethod::parse(sign_method) else { return false };
    verify(method, device_secret, &sub_device_sign_content(client_id, pk, dn, timestamp), sign_hex)
}

/// What a device puts into CONNECT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub client_id: String,
    pub username: String,
    pub password: String,
}

impl Credentials {
    /// `(client_id, username, password)`.
    pub fn into_tuple(self) -> (String, String, String) {
        (self.client_id, self.username, self.password)
    }
}

/// The CONNECT credentials `sdk` would send for a deviceSecret login, byte for byte
/// (securemode 3 = plain TCP; `ts` is used as given — the C SDKs always use
/// [`C_SDK_TIMESTAMP`], Py uses unix seconds). For the simulator, load generator and tests.
pub fn device_credentials(sdk: Sdk, pk: &str, dn: &str, device_secret: &str, ts: u64) -> Credentials {
    let (prefix, params, method, upper) = match sdk {
        Sdk::Python => (
            format!("{pk}&{dn}"),
            format!("securemode=3,signmethod=hmacsha1,ext=1,_ss=1,lan=Python,_v=1.2.13,timestamp={ts}"),
            SignMethod::HmacSha1,
            false,
        ),
        Sdk::C3 => (
            format!("{pk}.{dn}"),
            format!("timestamp={ts},_v=sdk-c-3.x,securemode=3,signmethod=hmacsha256,lan=C,gw=0,ext=0"),
            SignMethod::HmacSha256,
            true,
        ),
        Sdk::C4 => (
            format!("{pk}.{dn}"),
            format!("timestamp={ts},_ss=1,_v=sdk-c-4.x,securemode=3,signmethod=hmacsha256,ext=3"),
            SignMethod::HmacSha256,
            true,
        ),
    };
    let ts = ts.to_string();
    let mut password = sign(method, device_secret, &device_sign_content(&prefix, pk, dn, Some(&ts)));
    if upper {
        password.make_ascii_uppercase();
    }
    Credentials { client_id: format!("{prefix}|{params}|"), username: format_username(pk, dn), password }
}

/// The CONNECT credentials of a dynamic registration over MQTT (`register` or `regnwl`).
/// Py sends a lowercase password, C4 uppercase. Panics never; `mode` other than
/// `Register`/`Regnwl` is treated as `Register`.
pub fn dynreg_credentials(
    sdk: Sdk,
    pk: &str,
    dn: &str,
    product_secret: &str,
    random: &str,
    mode: &AuthType,
) -> Credentials {
    let auth = if *mode == AuthType::Regnwl { "regnwl" } else { "register" };
    let mut password = sign(SignMethod::HmacSha256, product_secret, &dynreg_sign_content(pk, dn, random));
    if sdk != Sdk::Python {
        password.make_ascii_uppercase();
    }
    Credentials {
        client_id: format!("{dn}.{pk}|random={random},authType={auth},securemode=2,signmethod=hmacsha256|"),
        username: format_username(pk, dn),
        password,
    }
}

/// The CONNECT credentials of a token login after `regnwl` (Py's form).
pub fn token_credentials(issued_client_id: &str, pk: &str, dn: &str, device_token: &str) -> Credentials {
    Credentials {
        client_id: format!("{issued_client_id}|authType=connwl,securemode=-2,_ss=1,ext=3,lan=Python,_v=1.2.13|"),
        username: format_username(pk, dn),
        password: device_token.to_string(),
    }
}

/// Constant-time equality for token logins (password = deviceToken as issued).
pub fn verify_token(expected: &str, presented: &str) -> bool {
    let (a, b) = (expected.as_bytes(), presented.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `sign` a gateway puts into `topo/add` / `batch_login` for a sub-device (lowercase hex).
pub fn sub_device_sign(
    method: SignMethod,
    device_secret: &str,
    client_id: &str,
    pk: &str,
    dn: &str,
    timestamp: &str,
) -> String {
    sign(method, device_secret, &sub_device_sign_content(client_id, pk, dn, timestamp))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PK: &str = "a1FakePK001";
    const DN: &str = "dev-001";
    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn python_worked_example() {
        let c = device_credentials(Sdk::Python, PK, DN, SECRET, 1_700_000_000);
        assert_eq!(
            c.client_id,
            "a1FakePK001&dev-001|securemode=3,signmethod=hmacsha1,ext=1,_ss=1,lan=Python,_v=1.2.13,timestamp=1700000000|"
        );
        assert_eq!(c.username, "dev-001&a1FakePK001");
        assert_eq!(c.password, "e1a7cf71a05d4685173b43d9a7c4318280a24757");
        assert_eq!(
            device_sign_content("a1FakePK001&dev-001", PK, DN, Some("1700000000")),
            "clientIda1FakePK001&dev-001deviceNamedev-001productKeya1FakePK001timestamp1700000000"
        );
        let parsed = ClientId::parse(&c.client_id).unwrap();
        assert!(verify_device_sign(&parsed, PK, DN, SECRET, &c.password));
        assert!(verify_device_sign(&parsed, PK, DN, SECRET, &c.password.to_uppercase()));
        assert!(!verify_device_sign(&parsed, PK, DN, "wrong", &c.password));
        assert!(!verify_device_sign(&parsed, PK, "dev-002", SECRET, &c.password));
        assert!(!verify_device_sign(&parsed, PK, DN, SECRET, "zz"));
        assert!(!verify_device_sign(&parsed, PK, DN, SECRET, ""));
        assert!(!verify_device_sign(&parsed, PK, DN, SECRET, &c.password[..38]));
    }

    #[test]
    fn c4_worked_example() {
        let c = device_credentials(Sdk::C4, PK, DN, SECRET, C_SDK_TIMESTAMP);
        assert_eq!(c.password, "C34D3960ED38FC79361977F7746558D17D11DEBF188A5875F025D1D56E65208D");
        let parsed = ClientId::parse(&c.client_id).unwrap();
        assert!(verify_device_sign(&parsed, PK, DN, SECRET, &c.password));
        assert!(verify_device_sign(&parsed, PK, DN, SECRET, &c.password.to_lowercase()));
        let c3 = device_credentials(Sdk::C3, PK, DN, SECRET, C_SDK_TIMESTAMP);
        assert_eq!(c3.password, c.password, "C3 signs the same content");
        assert!(verify_device_sign(&ClientId::parse(&c3.client_id).unwrap(), PK, DN, SECRET, &c3.password));
    }

    #[test]
    fn no_timestamp_and_md5() {
        let cid = ClientId::parse("pk.dn01|securemode=3,signmethod=hmacmd5|").unwrap();
        let pw = sign(SignMethod::HmacMd5, SECRET, "clientIdpk.dn01deviceNamedn01productKeypk");
        assert_eq!(pw.len(), 32);
        assert!(verify_device_sign(&cid, "pk", "dn01", SECRET, &pw));
        let no_method = ClientId::parse("pk.dn01|securemode=3|").unwrap();
        assert!(!verify_device_sign(&no_method, "pk", "dn01", SECRET, &pw));
        let token = ClientId::parse("pk.dn01|authType=connwl,signmethod=hmacmd5|").unwrap();
        assert!(!verify_device_sign(&token, "pk", "dn01", SECRET, &pw));
    }

    #[test]
    fn dynreg_worked_example() {
        let expected = "ec3b738cb69e1b23aa01f397b3262f7ec5a5fbecc2f242b71f4667ee04bace96";
        let c =
            dynreg_credentials(Sdk::Python, PK, DN, "fakeProductSecret0123", "abc123XYZ456def", &AuthType::Register);
        assert_eq!(c.password, expected);
        assert_eq!(
            c.client_id,
            "dev-001.a1FakePK001|random=abc123XYZ456def,authType=register,securemode=2,signmethod=hmacsha256|"
        );
        assert!(verify_dynreg_sign("fakeProductSecret0123", PK, DN, "abc123XYZ456def", expected));
        assert!(verify_dynreg_sign("fakeProductSecret0123", PK, DN, "abc123XYZ456def", &expected.to_uppercase()));
        assert!(!verify_dynreg_sign("fakeProductSecret0123", PK, DN, "abc123XYZ456deg", expected));
        let c4 = dynreg_credentials(Sdk::C4, PK, DN, "fakeProductSecret0123", "abc123XYZ456def", &AuthType::Regnwl);
        assert_eq!(c4.password, expected.to_uppercase());
        assert_eq!(ClientId::parse(&c4.client_id).unwrap().auth_type, Some(AuthType::Regnwl));
    }

    #[test]
    fn sub_device_signs() {
        let cid = "spk.sdn1|lan=Python,_v=2.2.1,_ss=1|";
        for m in [SignMethod::HmacSha256, SignMethod::HmacSha1, SignMethod::HmacMd5] {
            let s = sub_device_sign(m, "subsecret", cid, "spk", "sdn1", "1700000000123");
            for name in [m.camel_case(), m.as_str(), &m.camel_case().to_uppercase()] {
                assert!(verify_sub_device_sign(name, "subsecret", cid, "spk", "sdn1", "1700000000123", &s));
            }
            assert!(!verify_sub_device_sign(m.camel_case(), "subsecret", cid, "spk", "sdn1", "1700000000124", &s));
        }
        assert!(!verify_sub_device_sign("rsa", "s", cid, "spk", "sdn1", "1", "00"));
    }

    #[test]
    fn tokens() {
        let c = token_credentials("issued123", PK, DN, "tok-abc");
        assert_eq!(c.password, "tok-abc");
        let parsed = ClientId::parse(&c.client_id).unwrap();
        assert_eq!(parsed.auth_type, Some(AuthType::Connwl));
        assert!(verify_token("tok-abc", "tok-abc"));
        assert!(!verify_token("tok-abc", "tok-abd"));
        assert!(!verify_token("tok-abc", "tok-ab"));
        assert_eq!(c.clone().into_tuple().2, "tok-abc");
    }
}
