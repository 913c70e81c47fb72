//! The downlink API every feature uses: [`Commands`].
//!
//! - [`Commands::publish`]: any payload on any topic to a device (through its gateway for a
//!   logged-in sub-device), run-logged and shown live.
//! - [`Commands::call`]: a request that expects a reply — property set/get, async services (reply
//!   on `{Id}_reply`) and sync services over RRPC (`/ext/rrpc/{id}/sys/…` by default, classic
//!   `rrpc/request/{msgId}` → `rrpc/response/{msgId}` for C3 or on request). The input is checked
//!   against the thing model first (5092/5094/6332/…); ids are digit strings chosen here.
//! - Failures carry the seed's codes: offline 9201 (at once, nothing is sent), gateway offline
//!   9389, no reply in time 1905, disabled 6208, unknown device 6100.
//!
//! Replies come back through the router ([`on_reply`]), matched by (device, id), and are logged
//! under the request's trace id.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use model::alink::topic::is_identifier;
use model::alink::{DeviceRef, Reply, Request, Topic, TopicKind, CODE_INVALID_FORMAT};
use model::runlog::BizType;
use model::tsl::{codes, validate_service_input, validate_service_output, CallType, TslError};
use model::ws::Direction;
use tokio::sync::oneshot;

use super::cache::DeviceInfo;
use super::respond::{log_content, Outcome};
use super::{Ctx, Shared, CODE_DEVICE_NOT_FOUND, CODE_INTERNAL};
use crate::gateway::DownlinkError;
use crate::store;

/// No RRPC response within the timeout (seed 1905).
pub const CODE_TIMEOUT: u32 = 1905;
/// The device's downlink rate limit is exhausted (seed 9324).
pub const CODE_THROTTLED: u32 = 9324;

/// Why a command did not get through.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    #[error("the device does not exist")]
    NotFound,
    #[error("the device is disabled")]
    Disabled,
    #[error("the device is offline")]
    Offline,
    #[error("the sub-device's gateway is offline")]
    GatewayOffline,
    #[error("no reply within the timeout")]
    Timeout,
    #[error("the device's downlink rate limit is exhausted")]
    Throttled,
    /// The request does not fit the thing model (the first error's code is the call's code).
    #[error("the request does not fit the thing model: {}", .0.first().map(ToString::to_string).unwrap_or_default())]
    Invalid(Vec<TslError>),
    #[error("{message} ({code})")]
    Failed { code: u32, message: String },
}

impl CallError {
    /// The seed's code.
    pub fn code(&self) -> u32 {
        match self {
            CallError::NotFound => CODE_DEVICE_NOT_FOUND,
            CallError::Disabled => codes::DEVICE_DISABLED,
            CallError::Offline => codes::DEVICE_OFFLINE,
            CallError::GatewayOffline => codes::GATEWAY_OFFLINE,
            CallError::Timeout => CODE_TIMEOUT,
            CallError::Throttled => CODE_THROTTLED,
            CallError::Invalid(errs) => errs.first().map_or(codes::INPUT_NOT_CONFORMING, |e| e.code),
            CallError::Failed { code, .. } => *code,
        }
    }

    pub(crate) fn db(e: sqlx::Error) -> CallError {
        CallError::Failed { code: CODE_INTERNAL, message: format!("database: {e}") }
    }
}

impl From<DownlinkError> for CallError {
    fn from(e: DownlinkError) -> Self {
        match e {
            DownlinkError::Offline => CallError::Offline,
            DownlinkError::Throttled => CallError::Throttled,
            DownlinkError::Failed(m) => CallError::Failed { code: codes::SERVICE_CALL_FAILED, message: m },
        }
    }
}

/// How a call reaches the device.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Via {
    /// Async topic, or RRPC for a service the model declares `sync` (classic RRPC for C3).
    #[default]
    Auto,
    /// `thing/service/…`, reply on `…_reply`.
    Async,
    /// `/ext/rrpc/{id}/sys/{pk}/{dn}/thing/service/…`, reply on the same topic.
    Rrpc,
    /// `/sys/{pk}/{dn}/rrpc/request/{id}`, reply on `rrpc/response/{id}`.
    ClassicRrpc,
}

enum Answer {
    Alink(Reply),
    Raw(Bytes),
}

struct Waiter {
    trace: String,
    /// The TSL service whose output the reply carries (`set`, `get` or a service).
    service: Option<String>,
    tx: oneshot::Sender<Answer>,
}

/// Calls waiting for their reply, by (device, id).
#[derive(Default)]
pub(crate) struct Pending {
    map: Mutex<HashMap<(DeviceRef, String), Waiter>>,
}

impl Pending {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(DeviceRef, String), Waiter>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn insert(&self, d: &DeviceRef, id: &str, w: Waiter) {
        self.lock().insert((d.clone(), id.to_string()), w);
    }
    fn take(&self, d: &DeviceRef, id: &str) -> Option<Waiter> {
        self.lock().remove(&(d.clone(), id.to_string()))
    }
}

enum Target {
    Set,
    Get,
    Service(String),
}

impl Target {
    fn parse(method: Option<&str>) -> Result<Target, CallError> {
        let Some(m) = method else {
            return Err(CallError::Failed { code: codes::METHOD_MISSING, message: "the request has no method".into() });
        };
        match m {
            "thing.service.property.set" => Ok(Target::Set),
            "thing.service.property.get" => Ok(Target::Get),
            _ => match m.strip_prefix("thing.service.") {
                Some(id) if is_identifier(id) => Ok(Target::Service(id.to_string())),
                _ => Err(CallError::Invalid(vec![TslError::new(
                    codes::SERVICE_NOT_IN_MODEL,
                    m,
                    format!("{m} is not a service call"),
                )])),
            },
        }
    }

    /// The identifier `validate_service_*` know it by.
    fn service(&self) -> &str {
        match self {
            Target::Set => "set",
            Target::Get => "get",
            Target::Service(s) => s,
        }
    }
}

/// Whether the device's SDK is C3 (iotkit-embedded), which speaks classic RRPC only.
fn is_c3(sdk: Option<&str>) -> bool {
    sdk.is_some_and(|s| {
        let s = s.to_ascii_lowercase();
        s.contains("sdk-c-3") || s == "c3" || s.starts_with("c3 ") || s.starts_with("c3/")
    })
}

/// The downlink handle. Cheap to clone.
#[derive(Clone)]
pub struct Commands {
    sh: Arc<Shared>,
}

impl Commands {
    pub(crate) fn new(sh: Arc<Shared>) -> Commands {
        Commands { sh }
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.sh
    }

    /// A fresh downlink id: decimal digits (Py prefixes RRPC ids, C4 parses them as u64).
    pub fn next_id(&self) -> String {
        self.sh.ids.lock().unwrap_or_else(|p| p.into_inner()).next_id()
    }

    /// Publish `payload` on `topic` to the device; through its gateway for a sub-device.
    pub async fn publish(&self, device: &DeviceRef, topic: &str, payload: Bytes) -> Result<(), CallError> {
        let trace = self.sh.runlog.new_trace();
        let id = Request::parse(&payload).ok().map(|r| r.id);
        let r = async {
            let info = self.load(device).await?;
            let session = self.session_for(device, &info)?;
            self.send(&session, device, topic, payload.clone(), &trace, id.clone()).await
        }
        .await;
        if let Err(e) = &r {
            self.log_failure(device, topic, &payload, &trace, id, e).await;
        }
        r
    }

    /// Send `request` and wait for the device's reply, choosing the transport per [`Via::Auto`].
    pub async fn call(&self, device: &DeviceRef, request: Request, timeout: Duration) -> Result<Reply, CallError> {
        self.call_via(device, request, Via::Auto, timeout).await
    }

    /// [`Commands::call`] with an explicit transport. The request's id is replaced by a fresh one.
    pub async fn call_via(
        &self,
        device: &DeviceRef,
        mut request: Request,
        via: Via,
        timeout: Duration,
    ) -> Result<Reply, CallError> {
        let trace = self.sh.runlog.new_trace();
        request.id = self.next_id();
        let op = request.method.clone().unwrap_or_default();
        let r = self.call_inner(device, &mut request, via, timeout, &trace).await;
        if let Err(e) = &r {
            // Failures before sending are logged here; a timeout is logged by `call_inner`.
            if !matches!(e, CallError::Timeout) {
                self.log_failure(device, &op, request.to_json().as_bytes(), &trace, Some(request.id.clone()), e).await;
            }
        }
        match r? {
            Answer::Alink(reply) => Ok(reply),
            Answer::Raw(b) => {
                Reply::parse(&b).map_err(|e| CallError::Failed { code: CODE_INVALID_FORMAT, message: e.to_string() })
            }
        }
    }

    async fn call_inner(
        &self,
        device: &DeviceRef,
        request: &mut Request,
        via: Via,
        timeout: Duration,
        trace: &str,
    ) -> Result<Answer, CallError> {
        let target = Target::parse(request.method.as_deref())?;
        let info = self.load(device).await?;
        let model = self.sh.model(&device.pk).await.map_err(|(code, message)| CallError::Failed { code, message })?;
        let checked = validate_service_input(&*model, target.service(), &request.params);
        let (status, content) = match &checked {
            Ok(()) => (200, format!("{} input accepted", target.service())),
            Err(errs) => (errs[0].code, errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")),
        };
        self.sh.log(trace, 0, device, BizType::ThingModel, "check", content, status, Some(request.id.clone())).await;
        checked.map_err(CallError::Invalid)?;
        let session = self.session_for(device, &info)?;
        let sync =
            matches!(&target, Target::Service(s) if model.service(s).is_some_and(|s| s.call_type == CallType::Sync));
        let via = match via {
            Via::Auto if sync && is_c3(info.sdk.as_deref()) => Via::ClassicRrpc,
            Via::Auto if sync => Via::Rrpc,
            Via::Auto => Via::Async,
            v => v,
        };
        let id = request.id.clone();
        let d = device.clone();
        let direct = match &target {
            Target::Set => Topic::PropertySet(d.clone()),
            Target::Get => Topic::PropertyGet(d.clone()),
            Target::Service(s) => Topic::ServiceCall(d.clone(), s.clone()),
        };
        let topic = match (via, &target) {
            (Via::Rrpc, Target::Service(s)) => {
                Topic::RrpcService { rrpc_id: id.clone(), device: d, service: s.clone() }
            }
            // property/set and /get are no `{id}` level: wrap them as a custom RRPC.
            (Via::Rrpc, _) => Topic::RrpcCustom { rrpc_id: id.clone(), inner: Box::new(direct) },
            (Via::ClassicRrpc, _) => Topic::RrpcRequest(d, id.clone()),
            _ => direct,
        };
        let (tx, rx) = oneshot::channel();
        self.sh.pending.insert(
            device,
            &id,
            Waiter { trace: trace.to_string(), service: Some(target.service().to_string()), tx },
        );
        let topic_s = topic.to_string();
        if let Err(e) =
            self.send(&session, device, &topic_s, Bytes::from(request.to_json()), trace, Some(id.clone())).await
        {
            self.sh.pending.take(device, &id);
            return Err(e);
        }
        self.wait(device, &id, &topic_s, rx, timeout, trace).await
    }

    /// Custom RRPC: `payload` on `/ext/rrpc/{id}{topic}` where `topic` is one of the device's
    /// custom topics; the device answers on the same topic with any bytes.
    pub async fn rrpc_custom(
        &self,
        device: &DeviceRef,
        custom_path: &str,
        payload: Bytes,
        timeout: Duration,
    ) -> Result<Bytes, CallError> {
        let trace = self.sh.runlog.new_trace();
        let id = self.next_id();
        let inner = Topic::Custom { device: device.clone(), path: custom_path.to_string() };
        let topic = Topic::RrpcCustom { rrpc_id: id.clone(), inner: Box::new(inner) };
        let topic_s = topic.to_string();
        let r = async {
            if !topic.is_valid() {
                return Err(CallError::Failed {
                    code: super::CODE_BAD_TOPIC,
                    message: format!("{topic_s} is not a valid topic"),
                });
            }
            let info = self.load(device).await?;
            let session = self.session_for(device, &info)?;
            let (tx, rx) = oneshot::channel();
            self.sh.pending.insert(device, &id, Waiter { trace: trace.clone(), service: None, tx });
            if let Err(e) = self.send(&session, device, &topic_s, payload.clone(), &trace, Some(id.clone())).await {
                self.sh.pending.take(device, &id);
                return Err(e);
            }
            self.wait(device, &id, &topic_s, rx, timeout, &trace).await
        }
        .await;
        match r {
            Ok(Answer::Raw(b)) => Ok(b),
            Ok(Answer::Alink(reply)) => Ok(Bytes::from(reply.to_json())),
            Err(e) => {
                if !matches!(e, CallError::Timeout) {
                    self.log_failure(device, &topic_s, &payload, &trace, Some(id), &e).await;
                }
                Err(e)
            }
        }
    }

    async fn wait(
        &self,
        device: &DeviceRef,
        id: &str,
        topic: &str,
        rx: oneshot::Receiver<Answer>,
        timeout: Duration,
        trace: &str,
    ) -> Result<Answer, CallError> {
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(a)) => Ok(a),
            Ok(Err(_)) => {
                Err(CallError::Failed { code: codes::SERVICE_CALL_FAILED, message: "the call was dropped".into() })
            }
            Err(_) => {
                self.sh.pending.take(device, id);
                let content = format!("no reply within {} ms", timeout.as_millis());
                self.sh
                    .log(trace, 0, device, BizType::Downlink, topic, content, CODE_TIMEOUT, Some(id.to_string()))
                    .await;
                Err(CallError::Timeout)
            }
        }
    }

    /// The device as it is now (not cached: enabled and gateway must be current for commands).
    async fn load(&self, device: &DeviceRef) -> Result<DeviceInfo, CallError> {
        let rec = store::devices::get(&self.sh.state.db, &device.pk, &device.dn)
            .await
            .map_err(CallError::db)?
            .ok_or(CallError::NotFound)?;
        if !rec.enabled {
            return Err(CallError::Disabled);
        }
        Ok(DeviceInfo::from_record(&rec))
    }

    /// The session that reaches the device: its own, or its gateway's for a logged-in sub-device.
    fn session_for(&self, device: &DeviceRef, info: &DeviceInfo) -> Result<DeviceRef, CallError> {
        let dl = &self.sh.downlink;
        if dl.is_online(&device.pk, &device.dn) {
            return Ok(device.clone());
        }
        let Some(gw) = &info.gateway else { return Err(CallError::Offline) };
        if !dl.is_online(&gw.pk, &gw.dn) {
            return Err(CallError::GatewayOffline);
        }
        if self.sh.subs.is_logged_in(device, gw) {
            Ok(gw.clone())
        } else {
            Err(CallError::Offline)
        }
    }

    async fn send(
        &self,
        session: &DeviceRef,
        device: &DeviceRef,
        topic: &str,
        payload: Bytes,
        trace: &str,
        id: Option<String>,
    ) -> Result<(), CallError> {
        let r = self.sh.downlink.publish(&session.pk, &session.dn, topic, payload.clone(), 1).await.map_err(|e| {
            let e = CallError::from(e);
            // The session went away between the check and the publish.
            if e == CallError::Offline && session != device {
                CallError::GatewayOffline
            } else {
                e
            }
        });
        // Failures are logged by the caller (with what was not sent), successes here.
        if r.is_ok() {
            let now = self.sh.now();
            self.sh.live_message(device, Direction::Down, topic, &payload, now);
            self.sh.log(trace, now, device, BizType::Downlink, topic, log_content(&payload), 200, id).await;
        }
        r
    }

    async fn log_failure(
        &self,
        device: &DeviceRef,
        op: &str,
        payload: &[u8],
        trace: &str,
        id: Option<String>,
        e: &CallError,
    ) {
        let content = format!("not sent: {e}; {}", log_content(payload));
        self.sh.log(trace, 0, device, BizType::Downlink, op, content, e.code(), id).await;
    }
}

/// A device's reply to a platform request (set/get/service replies, RRPC responses, raw replies).
pub(super) async fn on_reply(ctx: &Ctx<'_>) -> Outcome {
    let topic = ctx.topic;
    let keyed = match topic {
        Topic::RrpcResponse(_, msg) => Some(msg.clone()),
        t => t.rrpc_id().map(str::to_string),
    };
    let raw = matches!(topic.kind(), TopicKind::RrpcCustom | TopicKind::RrpcDownRaw);
    let (answer, id, code) = if raw {
        (Answer::Raw(ctx.up.payload.clone()), keyed, 200)
    } else {
        match Reply::parse(ctx.payload()) {
            Ok(r) => {
                let id = keyed.unwrap_or_else(|| r.id.clone());
                let code = r.code;
                (Answer::Alink(r), Some(id), code)
            }
            Err(e) => {
                let salvaged = Reply::invalid_format(ctx.payload(), &e);
                let id = keyed.or_else(|| salvaged.as_ref().map(|r| r.id.clone()));
                let r = salvaged.unwrap_or_else(|| Reply {
                    code: CODE_INVALID_FORMAT,
                    data: serde_json::json!({}),
                    id: id.clone().unwrap_or_default(),
                    message: String::new(),
                    version: "1.0".into(),
                    method: None,
                });
                // The caller learns at once that the reply was unreadable instead of timing out.
                let r = Reply { message: format!("the device's reply is not valid Alink: {e}"), ..r };
                (Answer::Alink(r), id, CODE_INVALID_FORMAT)
            }
        }
    };
    let Some(id) = id else { return Outcome::status(code).with_check(code, "reply without an id") };
    let Some(waiter) = ctx.sh.pending.take(ctx.device, &id) else {
        return Outcome::status(code)
            .with_id(Some(id))
            .with_check(code, "no call is waiting for this reply (late or unknown id)");
    };
    let mut o = Outcome::status(code).with_id(Some(id));
    o.trace = Some(waiter.trace.clone());
    if let (Answer::Alink(r), Some(service)) = (&answer, &waiter.service) {
        if r.is_success() {
            if let Ok(model) = ctx.sh.model(&ctx.device.pk).await {
                o = match validate_service_output(&*model, service, &r.data) {
                    Ok(()) => o.with_check(200, format!("{service} output accepted")),
                    Err(errs) => {
                        o.with_check(errs[0].code, errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
                    }
                };
            }
        }
    }
    // The caller may have given up meanwhile; nothing to do then.
    let _ = waiter.tx.send(answer);
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert!(matches!(Target::parse(Some("thing.service.property.set")), Ok(Target::Set)));
        assert!(matches!(Target::parse(Some("thing.service.property.get")), Ok(Target::Get)));
        assert!(matches!(Target::parse(Some("thing.service.Reboot")), Ok(Target::Service(s)) if s == "Reboot"));
        assert_eq!(Target::parse(None).err().map(|e| e.code()), Some(6300));
        assert_eq!(Target::parse(Some("thing.event.x.post")).err().map(|e| e.code()), Some(5094));
        assert_eq!(Target::parse(Some("thing.service.a/b")).err().map(|e| e.code()), Some(5094));
    }

    #[test]
    fn codes_and_sdks() {
        assert_eq!(CallError::Offline.code(), 9201);
        assert_eq!(CallError::GatewayOffline.code(), 9389);
        assert_eq!(CallError::Timeout.code(), 1905);
        assert_eq!(CallError::Disabled.code(), 6208);
        assert_eq!(CallError::from(DownlinkError::Throttled).code(), 9324);
        assert!(is_c3(Some("sdk-c-3.0.1")));
        assert!(is_c3(Some("C3")));
        assert!(!is_c3(Some("sdk-c-4.x")));
        assert!(!is_c3(None));
    }
}
