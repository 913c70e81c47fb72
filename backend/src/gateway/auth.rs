//! Device authentication on CONNECT against the registry (ALINK.md 1.3, 1.4).
//!
//! Three ways in: the deviceSecret HMAC (Py/C3/C4, any of hmacmd5/sha1/sha256, with or without a
//! timestamp), dynamic registration with the productSecret (`register`/`regnwl`, answered by a
//! push and a close), and the token login `connwl` after `regnwl`. The signing rules live in
//! `model::alink`; this file only looks things up and decides.

use bytes::Bytes;
use model::alink::sign::verify_token;
use model::alink::{
    parse_username, verify_device_sign, AuthType, ClientId, DynregConnect, DynregMode, RegisterPush, RegnwlPush,
};
use model::codes;
use model::registry::{validate_device_name, NewDevice};
use rand::RngCore;

use super::service::Deps;
use crate::store;
use crate::store::devices::DeviceRecord;

/// A device that does not exist (seed 6100).
pub const CODE_NO_DEVICE: u32 = codes::device_behavior::DEVICE_NOT_FOUND.code();
/// A disabled device (seed 522).
pub const CODE_DISABLED: u32 = codes::device_behavior::DEVICE_DISABLED.code();
/// The product does not exist (seed 5005).
pub const CODE_NO_PRODUCT: u32 = codes::topology::PRODUCT_NOT_FOUND.code();
/// Dynamic registration is switched off for the product (seed 6288).
pub const CODE_DYNREG_OFF: u32 = codes::device_behavior::DYNREG_DISABLED.code();
/// Wrong signature, token or malformed credentials; the seed has no finer code for it.
pub const CODE_BAD_CREDENTIALS: u32 = codes::device_behavior::NO_PERMISSION.code();
/// `register`/`regnwl` for a device that already connected: its secret is not handed out again
/// and no token replaces it (Aliyun refuses this too; it would give anyone with the
/// productSecret every device).
pub const CODE_ALREADY_ACTIVE: u32 = codes::fleetdeck::ALREADY_ACTIVATED.code();

/// Which CONNACK a refusal gets: 4 for credentials that do not verify, 5 for everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connack {
    BadCredentials,
    NotAuthorized,
}

#[derive(Debug, Clone)]
pub struct Refusal {
    pub connack: Connack,
    /// The run-log status.
    pub code: u32,
    pub reason: String,
}

fn refuse(connack: Connack, code: u32, reason: impl Into<String>) -> Refusal {
    Refusal { connack, code, reason: reason.into() }
}

/// What an accepted CONNECT is.
#[derive(Debug, Clone)]
pub enum Admitted {
    /// A device session (deviceSecret or token login).
    Device { device_id: i64, sdk: Option<String> },
    /// A dynamic registration: push `payload` on `topic` to this session, then close it.
    Dynreg { topic: &'static str, payload: Bytes },
}

/// Decide a CONNECT. `pk`/`dn` come from the username, already parsed by the caller.
pub async fn authenticate(
    st: &Deps,
    raw_client_id: &str,
    pk: &str,
    dn: &str,
    password: Option<&[u8]>,
) -> Result<Admitted, Refusal> {
    let bad = |why: &str| refuse(Connack::BadCredentials, CODE_BAD_CREDENTIALS, why);
    let cid = ClientId::parse(raw_client_id).map_err(|e| bad(&format!("invalid clientId: {e}")))?;
    let password =
        password.and_then(|p| std::str::from_utf8(p).ok()).ok_or_else(|| bad("missing or non-UTF-8 password"))?;
    match cid.auth_type.clone() {
        None => device_login(st, &cid, pk, dn, password).await,
        Some(AuthType::Connwl) => token_login(st, &cid, pk, dn, password).await,
        Some(AuthType::Register | AuthType::Regnwl) => dynreg(st, &cid, pk, dn, password).await,
        Some(AuthType::Other(t)) => {
            Err(refuse(Connack::NotAuthorized, CODE_BAD_CREDENTIALS, format!("unsupported authType `{t}`")))
        }
    }
}

/// The username as (pk, dn), or a refusal with CONNACK 4.
pub fn identity(username: Option<&str>) -> Result<(String, String), Refusal> {
    let u = username.ok_or_else(|| refuse(Connack::BadCredentials, CODE_BAD_CREDENTIALS, "no username"))?;
    let (pk, dn) =
        parse_username(u).map_err(|e| refuse(Connack::BadCredentials, CODE_BAD_CREDENTIALS, e.to_string()))?;
    Ok((pk.to_string(), dn.to_string()))
}

async fn find_device(st: &Deps, pk: &str, dn: &str) -> Result<DeviceRecord, Refusal> {
    let internal = |e: store::Error| refuse(Connack::NotAuthorized, 500, format!("store error: {e}"));
    if store::products::get(&st.db, pk).await.map_err(internal)?.is_none() {
        return Err(refuse(Connack::NotAuthorized, CODE_NO_PRODUCT, format!("product {pk} does not exist")));
    }
    let rec = store::devices::get(&st.db, pk, dn)
        .await
        .map_err(internal)?
        .ok_or_else(|| refuse(Connack::NotAuthorized, CODE_NO_DEVICE, format!("device {pk}/{dn} does not exist")))?;
    Ok(rec)
}

async fn device_login(st: &Deps, cid: &ClientId, pk: &str, dn: &str, password: &str) -> Result<Admitted, Refusal> {
    let rec = find_device(st, pk, dn).await?;
    // Verify before revealing that the device is disabled: an attacker learns nothing.
    if !verify_device_sign(cid, pk, dn, &rec.device_secret, password) {
        return Err(refuse(Connack::BadCredentials, CODE_BAD_CREDENTIALS, "signature does not verify"));
    }
    if !rec.enabled {
        return Err(refuse(Connack::NotAuthorized, CODE_DISABLED, "device is disabled"));
    }
    Ok(Admitted::Device { device_id: rec.id, sdk: cid.sdk_display() })
}

async fn token_login(st: &Deps, cid: &ClientId, pk: &str, dn: &str, password: &str) -> Result<Admitted, Refusal> {
    let rec = find_device(st, pk, dn).await?;
    let token = store::gateway::load_token(&st.db, rec.id)
        .await
        .map_err(|e| refuse(Connack::NotAuthorized, 500, format!("store error: {e}")))?;
    if !token.is_some_and(|(_, t)| verify_token(&t, password)) {
        return Err(refuse(Connack::BadCredentials, CODE_BAD_CREDENTIALS, "device token does not match"));
    }
    if !rec.enabled {
        return Err(refuse(Connack::NotAuthorized, CODE_DISABLED, "device is disabled"));
    }
    Ok(Admitted::Device { device_id: rec.id, sdk: cid.sdk_display() })
}

async fn dynreg(st: &Deps, cid: &ClientId, pk: &str, dn: &str, password: &str) -> Result<Admitted, Refusal> {
    let internal = |e: String| refuse(Connack::NotAuthorized, 500, format!("store error: {e}"));
    let username = model::alink::format_username(pk, dn);
    let req = DynregConnect::from_connect(cid, &username).ok_or_else(|| {
        refuse(Connack::BadCredentials, CODE_BAD_CREDENTIALS, "dynamic registration without `random`")
    })?;
    let product = store::products::get(&st.db, pk)
        .await
        .map_err(|e| internal(e.to_string()))?
        .ok_or_else(|| refuse(Connack::NotAuthorized, CODE_NO_PRODUCT, format!("product {pk} does not exist")))?;
    if !req.verify(cid, &product.product_secret, password) {
        return Err(refuse(Connack::BadCredentials, CODE_BAD_CREDENTIALS, "registration signature does not verify"));
    }
    if !product.product.dynamic_registration {
        return Err(refuse(Connack::NotAuthorized, CODE_DYNREG_OFF, "dynamic registration is off for the product"));
    }
    let rec = match store::devices::get(&st.db, pk, dn).await.map_err(|e| internal(e.to_string()))? {
        Some(rec) => rec,
        None => create_device(st, pk, dn).await?,
    };
    if !rec.enabled {
        return Err(refuse(Connack::NotAuthorized, CODE_DISABLED, "device is disabled"));
    }
    // Both modes: whoever holds the productSecret (every unit of the product) must not take over
    // a device that has come online with credentials of its own. An operator's reset allows it again.
    if rec.device.activated_at.is_some() {
        return Err(refuse(Connack::NotAuthorized, CODE_ALREADY_ACTIVE, "device is already activated"));
    }
    match req.mode {
        DynregMode::Register => {
            let push =
                RegisterPush { product_key: pk.into(), device_name: dn.into(), device_secret: rec.device_secret };
            Ok(Admitted::Dynreg { topic: "/ext/register", payload: json(&push) })
        }
        DynregMode::Regnwl => {
            let mut raw = [0u8; 16];
            rand::thread_rng().fill_bytes(&mut raw);
            let token = hex::encode(raw);
            // The clientId prefix the device logs in with afterwards; informative, the token decides.
            let client_id = format!("{pk}.{dn}");
            store::gateway::store_token(&st.db, rec.id, &client_id, &token, st.now())
                .await
                .map_err(|e| internal(e.to_string()))?;
            let push = RegnwlPush { client_id, product_key: pk.into(), device_name: dn.into(), device_token: token };
            Ok(Admitted::Dynreg { topic: "/ext/regnwl", payload: json(&push) })
        }
    }
}

fn json<T: serde::Serialize>(v: &T) -> Bytes {
    Bytes::from(serde_json::to_vec(v).expect("push payloads serialize"))
}

async fn create_device(st: &Deps, pk: &str, dn: &str) -> Result<DeviceRecord, Refusal> {
    validate_device_name(dn).map_err(|e| refuse(Connack::NotAuthorized, CODE_NO_DEVICE, e.to_string()))?;
    let new = NewDevice { device_name: dn.to_string(), nickname: String::new(), device_secret: None };
    if let Err(e) = crate::registry::create_devices(&st.db, st.now(), pk, vec![new]).await {
        // A concurrent registration of the same name may have won; that is fine.
        tracing::debug!(error = %e, pk, dn, "dynamic registration: create failed, re-reading");
    }
    store::devices::get(&st.db, pk, dn)
        .await
        .map_err(|e| refuse(Connack::NotAuthorized, 500, format!("store error: {e}")))?
        .ok_or_else(|| refuse(Connack::NotAuthorized, CODE_NO_DEVICE, "device could not be created"))
}
