//! Gateways and sub-devices: the topology (`thing/topo/add|delete|get`) and sub-device sessions
//! (`/ext/session/{pk}/{dn}/combine/login|logout|batch_login|batch_logout`).
//!
//! Codes (seed): sub-device sign wrong 401; gateway attached to itself 6402; sub-device attached
//! to another gateway 6619; relationship missing 6401; device unknown 6100; disabled 6208.
//! A logged-in sub-device's messages travel through its gateway's session ([`SubSessions`]);
//! when the gateway goes, they go offline with it (1913).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::hub::Fact;
use model::alink::gateway::{BatchLogin, SignedSubDevice, SubDevice};
use model::alink::{DeviceRef, Request, CODE_INVALID_PARAMS};
use model::tsl::codes;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::respond::{answer, parse_request, success, Outcome};
use super::{Ctx, Shared, CODE_DEVICE_NOT_FOUND, CODE_TOPO_MISSING};
use crate::store::{self, devices::DeviceRecord};

/// The sub-device's sign does not verify (seed 401).
pub const CODE_SIGN_INVALID: u32 = model::codes::device_behavior::NO_PERMISSION.code();
/// A gateway cannot be its own sub-device (seed 6402).
pub const CODE_TOPO_SELF: u32 = model::codes::device_behavior::TOPO_SELF.code();
/// The sub-device is attached to another gateway (seed 6619).
pub const CODE_TOPO_OTHER_GATEWAY: u32 = model::codes::device_behavior::TOPO_OTHER_GATEWAY.code();
/// Disconnect reason of sub-devices whose gateway went offline (seed 1913).
pub const CODE_GATEWAY_GONE: u32 = model::codes::device_behavior::SUB_DEVICE_DISCONNECTED.code();

/// Logged-in sub-devices and the gateway each is logged in through.
#[derive(Default)]
pub struct SubSessions {
    map: Mutex<HashMap<DeviceRef, DeviceRef>>,
}

impl SubSessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<DeviceRef, DeviceRef>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
    pub fn login(&self, sub: &DeviceRef, gateway: &DeviceRef) {
        self.lock().insert(sub.clone(), gateway.clone());
    }
    /// Whether it was logged in.
    pub fn logout(&self, sub: &DeviceRef) -> bool {
        self.lock().remove(sub).is_some()
    }
    pub fn is_logged_in(&self, sub: &DeviceRef, gateway: &DeviceRef) -> bool {
        self.lock().get(sub) == Some(gateway)
    }
    /// The gateway a sub-device is logged in through.
    pub fn gateway_of(&self, sub: &DeviceRef) -> Option<DeviceRef> {
        self.lock().get(sub).cloned()
    }
    /// Log out every sub-device of `gateway`; returns them.
    fn drop_gateway(&self, gateway: &DeviceRef) -> Vec<DeviceRef> {
        let mut m = self.lock();
        let subs: Vec<DeviceRef> = m.iter().filter(|(_, g)| *g == gateway).map(|(s, _)| s.clone()).collect();
        for s in &subs {
            m.remove(s);
        }
        subs
    }
}

/// One refused entry of a batch.
struct Refusal {
    device: DeviceRef,
    code: u32,
    message: String,
}

fn pair(d: &DeviceRef) -> Value {
    json!({"productKey": d.pk, "deviceName": d.dn})
}

/// Reply for a batch: 200 with the devices, or the first refusal's code with every refusal.
fn batch_answer(ctx: &Ctx<'_>, req: &Request, done: &[DeviceRef], refused: &[Refusal]) -> Outcome {
    match refused.first() {
        None => success(req, ctx.topic, Value::Array(done.iter().map(pair).collect())),
        Some(first) => {
            let data = refused
                .iter()
                .map(|r| json!({"productKey": r.device.pk, "deviceName": r.device.dn, "code": r.code, "message": r.message}))
                .collect();
            let check = refused
                .iter()
                .map(|r| format!("{}/{}: {} ({})", r.device.pk, r.device.dn, r.message, r.code))
                .collect::<Vec<_>>();
            answer(req, ctx.topic, first.code, Value::Array(data), &first.message)
                .with_check(first.code, check.join("; "))
        }
    }
}

/// Params as `T`, or the 460 outcome.
fn params<T: DeserializeOwned>(ctx: &Ctx<'_>, req: &Request, what: &str) -> Result<T, Outcome> {
    serde_json::from_value(req.params.clone()).map_err(|e| {
        let msg = format!("params must be {what}: {e}");
        answer(req, ctx.topic, CODE_INVALID_PARAMS, json!({}), &msg).with_check(CODE_INVALID_PARAMS, msg)
    })
}

fn refusal(device: DeviceRef, code: u32, message: impl Into<String>) -> Refusal {
    Refusal { device, code, message: message.into() }
}

/// The sub-device's record, or why not.
async fn sub_record(sh: &Shared, d: &DeviceRef) -> Result<DeviceRecord, Refusal> {
    match store::devices::get(&sh.db, &d.pk, &d.dn).await {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(refusal(d.clone(), CODE_DEVICE_NOT_FOUND, "the sub-device does not exist")),
        Err(e) => Err(refusal(d.clone(), super::CODE_INTERNAL, format!("database: {e}"))),
    }
}

fn gateway_of(rec: &DeviceRecord) -> Option<DeviceRef> {
    super::cache::DeviceInfo::from_record(rec).gateway
}

pub(super) async fn add(ctx: &Ctx<'_>) -> Outcome {
    let req = match parse_request(ctx.payload(), ctx.topic) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let entries: Vec<SignedSubDevice> =
        match params(ctx, &req, "[{productKey, deviceName, clientId, timestamp, signmethod, sign}]") {
            Ok(e) => e,
            Err(o) => return o,
        };
    let (mut done, mut refused) = (Vec::new(), Vec::new());
    for e in &entries {
        match add_one(ctx, e).await {
            Ok(d) => done.push(d),
            Err(r) => refused.push(r),
        }
    }
    if !done.is_empty() {
        topo_changed(ctx).await;
    }
    batch_answer(ctx, &req, &done, &refused)
}

/// The broker's ACL cache is told at once (the gateway may publish for a new sub-device as
/// soon as it has the reply), then the fact is published.
async fn topo_changed(ctx: &Ctx<'_>) {
    if let Some(l) = ctx.sh.topo_listener.get() {
        l.topo_changed(&ctx.session.pk, &ctx.session.dn).await;
    }
    ctx.sh.fact(ctx.session, Some(ctx.trace), Fact::TopoChanged).await;
}

async fn add_one(ctx: &Ctx<'_>, e: &SignedSubDevice) -> Result<DeviceRef, Refusal> {
    let d = DeviceRef::new(e.product_key.clone(), e.device_name.clone());
    if &d == ctx.session {
        return Err(refusal(d, CODE_TOPO_SELF, "a gateway cannot be its own sub-device"));
    }
    let rec = sub_record(ctx.sh, &d).await?;
    if !rec.enabled {
        return Err(refusal(d, codes::DEVICE_DISABLED, "the sub-device is disabled"));
    }
    if gateway_of(&rec).is_some_and(|g| &g != ctx.session) {
        return Err(refusal(d, CODE_TOPO_OTHER_GATEWAY, "the sub-device is attached to another gateway"));
    }
    if !e.verify(&rec.device_secret, None) {
        return Err(refusal(d, CODE_SIGN_INVALID, "the sub-device sign does not verify"));
    }
    store::devices::set_gateway(&ctx.sh.db, rec.id, Some(ctx.info.id))
        .await
        .map_err(|err| refusal(d.clone(), super::CODE_INTERNAL, format!("database: {err}")))?;
    ctx.sh.cache.invalidate_device(&d);
    Ok(d)
}

pub(super) async fn delete(ctx: &Ctx<'_>) -> Outcome {
    let req = match parse_request(ctx.payload(), ctx.topic) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let entries: Vec<SubDevice> = match params(ctx, &req, "[{productKey, deviceName}]") {
        Ok(e) => e,
        Err(o) => return o,
    };
    let (mut done, mut refused) = (Vec::new(), Vec::new());
    for e in entries {
        let d = DeviceRef::new(e.product_key, e.device_name);
        let rec = match attached(ctx, &d).await {
            Ok(r) => r,
            Err(r) => {
                refused.push(r);
                continue;
            }
        };
        if let Err(err) = store::devices::set_gateway(&ctx.sh.db, rec.id, None).await {
            refused.push(refusal(d, super::CODE_INTERNAL, format!("database: {err}")));
            continue;
        }
        ctx.sh.cache.invalidate_device(&d);
        if ctx.sh.subs.logout(&d) {
            offline(ctx.sh, &d, rec.id, 200).await;
        }
        done.push(d);
    }
    if !done.is_empty() {
        topo_changed(ctx).await;
    }
    batch_answer(ctx, &req, &done, &refused)
}

/// The sub-device's record if it is attached to the publishing gateway (else 6401).
async fn attached(ctx: &Ctx<'_>, d: &DeviceRef) -> Result<DeviceRecord, Refusal> {
    let rec = sub_record(ctx.sh, d).await?;
    if gateway_of(&rec).as_ref() != Some(ctx.session) {
        return Err(refusal(d.clone(), CODE_TOPO_MISSING, "the topological relationship does not exist"));
    }
    Ok(rec)
}

pub(super) async fn get(ctx: &Ctx<'_>) -> Outcome {
    let req = match parse_request(ctx.payload(), ctx.topic) {
        Ok(r) => r,
        Err(o) => return o,
    };
    match store::devices::sub_devices(&ctx.sh.db, ctx.info.id).await {
        Ok(list) => success(
            &req,
            ctx.topic,
            Value::Array(list.iter().map(|(p, d)| json!({"productKey": p, "deviceName": d})).collect()),
        ),
        Err(e) => super::internal(ctx, &req, e),
    }
}

async fn login_one(ctx: &Ctx<'_>, e: &SignedSubDevice, default_method: Option<&str>) -> Result<DeviceRef, Refusal> {
    let d = DeviceRef::new(e.product_key.clone(), e.device_name.clone());
    let rec = attached(ctx, &d).await?;
    if !rec.enabled {
        return Err(refusal(d, codes::DEVICE_DISABLED, "the sub-device is disabled"));
    }
    if !e.verify(&rec.device_secret, default_method) {
        return Err(refusal(d, CODE_SIGN_INVALID, "the sub-device sign does not verify"));
    }
    ctx.sh.subs.login(&d, ctx.session);
    let now = ctx.sh.now();
    if let Err(err) = store::devices::mark_online(&ctx.sh.db, rec.id, None, None, now).await {
        tracing::error!(error = %err, "sub-device online state not stored");
    }
    let fact = Fact::SubDeviceOnline { device_id: rec.id, gateway: ctx.session.clone() };
    ctx.sh.fact(&d, Some(ctx.trace), fact).await;
    Ok(d)
}

/// C3: params are one signed entry (method inside).
pub(super) async fn login(ctx: &Ctx<'_>) -> Outcome {
    let req = match parse_request(ctx.payload(), ctx.topic) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let e: SignedSubDevice = match params(ctx, &req, "{productKey, deviceName, clientId, timestamp, signMethod, sign}")
    {
        Ok(e) => e,
        Err(o) => return o,
    };
    match login_one(ctx, &e, None).await {
        Ok(d) => success(&req, ctx.topic, pair(&d)),
        Err(r) => answer(&req, ctx.topic, r.code, pair(&r.device), &r.message).with_check(r.code, r.message),
    }
}

/// Py: `{"signMethod", "deviceList":[…]}`.
pub(super) async fn batch_login(ctx: &Ctx<'_>) -> Outcome {
    let req = match parse_request(ctx.payload(), ctx.topic) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let b: BatchLogin = match params(ctx, &req, "{signMethod, deviceList:[…]}") {
        Ok(b) => b,
        Err(o) => return o,
    };
    let (mut done, mut refused) = (Vec::new(), Vec::new());
    for e in &b.device_list {
        match login_one(ctx, e, b.sign_method.as_deref()).await {
            Ok(d) => done.push(d),
            Err(r) => refused.push(r),
        }
    }
    batch_answer(ctx, &req, &done, &refused)
}

async fn logout_one(ctx: &Ctx<'_>, d: DeviceRef) -> Result<DeviceRef, Refusal> {
    let rec = attached(ctx, &d).await?;
    if ctx.sh.subs.logout(&d) {
        offline(ctx.sh, &d, rec.id, 200).await;
    }
    Ok(d)
}

pub(super) async fn logout(ctx: &Ctx<'_>) -> Outcome {
    let req = match parse_request(ctx.payload(), ctx.topic) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let e: SubDevice = match params(ctx, &req, "{productKey, deviceName}") {
        Ok(e) => e,
        Err(o) => return o,
    };
    match logout_one(ctx, DeviceRef::new(e.product_key, e.device_name)).await {
        Ok(d) => success(&req, ctx.topic, pair(&d)),
        Err(r) => answer(&req, ctx.topic, r.code, pair(&r.device), &r.message).with_check(r.code, r.message),
    }
}

/// `[{productKey, deviceName}]` (Py) or `{"deviceList":[…]}`.
pub(super) async fn batch_logout(ctx: &Ctx<'_>) -> Outcome {
    let req = match parse_request(ctx.payload(), ctx.topic) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let list = match req.params.get("deviceList") {
        Some(l) => serde_json::from_value::<Vec<SubDevice>>(l.clone()).map_err(|e| e.to_string()),
        None => serde_json::from_value::<Vec<SubDevice>>(req.params.clone()).map_err(|e| e.to_string()),
    };
    let list = match list {
        Ok(l) => l,
        Err(e) => {
            let msg = format!("params must be [{{productKey, deviceName}}]: {e}");
            return answer(&req, ctx.topic, CODE_INVALID_PARAMS, json!({}), &msg).with_check(CODE_INVALID_PARAMS, msg);
        }
    };
    let (mut done, mut refused) = (Vec::new(), Vec::new());
    for e in list {
        match logout_one(ctx, DeviceRef::new(e.product_key, e.device_name)).await {
            Ok(d) => done.push(d),
            Err(r) => refused.push(r),
        }
    }
    batch_answer(ctx, &req, &done, &refused)
}

async fn offline(sh: &Shared, d: &DeviceRef, id: i64, code: u32) {
    let now = sh.now();
    if let Err(e) = store::devices::mark_offline(&sh.db, id, code, now).await {
        tracing::error!(error = %e, "sub-device offline state not stored");
    }
    sh.fact(d, None, Fact::SubDeviceOffline { device_id: id, code }).await;
}

/// The gateway's session ended: its logged-in sub-devices go offline (1913).
pub(super) async fn gateway_offline(sh: &Shared, gateway: &DeviceRef) {
    for d in sh.subs.drop_gateway(gateway) {
        if let Ok(Some(rec)) = store::devices::get(&sh.db, &d.pk, &d.dn).await {
            offline(sh, &d, rec.id, CODE_GATEWAY_GONE).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions() {
        let s = SubSessions::default();
        let (gw, a, b) = (DeviceRef::new("g", "gw"), DeviceRef::new("s", "a"), DeviceRef::new("s", "b"));
        s.login(&a, &gw);
        s.login(&b, &gw);
        assert!(s.is_logged_in(&a, &gw));
        assert!(!s.is_logged_in(&a, &b));
        assert!(s.logout(&a));
        assert!(!s.logout(&a));
        assert_eq!(s.drop_gateway(&gw), vec![b.clone()]);
        assert_eq!(s.gateway_of(&b), None);
    }
}
