//! Commands: everything the platform sends to a device, callable from REST handlers, features
//! (OTA, remote config, the simulator) and tests. The uplink router only routes the replies back
//! ([`replies`]).
//!
//! - [`Commands::call`]: a typed [`DeviceCall`] that expects a reply — property set/get, async
//!   services (reply on `{Id}_reply`) and sync services over RRPC (`/ext/rrpc/{id}/sys/…` by
//!   default, classic `rrpc/request/{msgId}` → `rrpc/response/{msgId}` for C3 or on request).
//!   The input is checked against the thing model first (5092/5094/6332/…); ids are digit
//!   strings chosen here.
//! - [`Commands::publish`]: any payload on any topic (through its gateway for a logged-in
//!   sub-device); [`Commands::rrpc_custom`]: a custom RRPC with a raw answer.
//! - [`Commands::execute`]: all of the above as one typed [`Command`], for handlers.
//! - Failures carry the seed's codes ([`CallError`]): offline 9201 (at once, nothing is sent),
//!   gateway offline 9389, no reply in time 1905 (on the injected clock), disabled 6208,
//!   unknown device 6100.
//!
//! Every send, check, failure and timeout is a device fact on the hub (run log, live view).
//!
//! # Layout
//! - `mod.rs`: [`Commands`], [`DeviceCall`], [`Command`].
//! - `error`: [`CallError`].
//! - `replies`: waiters by (device, id).

mod error;
pub mod replies;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use model::alink::topic::is_identifier;
use model::alink::{DeviceRef, IdGen, Reply, Request, Topic, CODE_INVALID_FORMAT};
use model::tsl::{codes, validate_service_input, CallType, TslError};
use model::ws::Direction;
use tokio::sync::oneshot;

pub use self::error::{CallError, CODE_THROTTLED};
use self::replies::{Answer, Late, Replies, Waiter};
use crate::clock::{ClockExt, SharedClock};
use crate::gateway::router::cache::{Cache, DeviceInfo};
use crate::gateway::router::topo::SubSessions;
use crate::gateway::router::CODE_BAD_TOPIC;
use crate::gateway::Downlink;
use crate::hub::{Fact, Hub};
use crate::store::{self, Db};

/// A request that expects the device's reply, typed (the Alink method is derived from it).
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceCall {
    /// `thing.service.property.set` with `{identifier: value}` (SetDeviceProperty).
    SetProperties(serde_json::Value),
    /// `thing.service.property.get` with the identifiers to read.
    GetProperties(Vec<String>),
    /// `thing.service.{identifier}` (InvokeThingService): async, or sync over RRPC as the
    /// thing model declares.
    InvokeService { identifier: String, params: serde_json::Value },
}

impl DeviceCall {
    fn target(&self) -> Target {
        match self {
            DeviceCall::SetProperties(_) => Target::Set,
            DeviceCall::GetProperties(_) => Target::Get,
            DeviceCall::InvokeService { identifier, .. } => Target::Service(identifier.clone()),
        }
    }

    /// The Alink request (id assigned when sent).
    fn request(&self) -> Request {
        let (method, params) = match self {
            DeviceCall::SetProperties(p) => ("thing.service.property.set".to_string(), p.clone()),
            DeviceCall::GetProperties(ids) => ("thing.service.property.get".to_string(), serde_json::json!(ids)),
            DeviceCall::InvokeService { identifier, params } => (format!("thing.service.{identifier}"), params.clone()),
        };
        Request::new("0", method, params)
    }
}

/// Everything a handler can send to a device.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Call {
        call: DeviceCall,
        via: Via,
        timeout: Duration,
    },
    /// Any payload on any topic; no reply expected.
    Publish {
        topic: String,
        payload: Bytes,
    },
    /// Custom RRPC on one of the device's custom topics; the raw answer comes back.
    CustomRrpc {
        path: String,
        payload: Bytes,
        timeout: Duration,
    },
}

/// What a [`Command`] gave.
#[derive(Debug, Clone, PartialEq)]
pub enum CommandOutput {
    Reply(Reply),
    Raw(Bytes),
    Sent,
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

enum Target {
    Set,
    Get,
    Service(String),
}

impl Target {
    /// A service identifier that cannot be one is refused before anything is looked up.
    fn check(&self) -> Result<(), CallError> {
        match self {
            Target::Service(id) if !is_identifier(id) => Err(CallError::Invalid(vec![TslError::new(
                codes::SERVICE_NOT_IN_MODEL,
                id,
                format!("{id} is not a service identifier"),
            )])),
            _ => Ok(()),
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
    inner: Arc<Inner>,
}

/// What commands share with the router that receives the replies.
pub struct Parts {
    pub db: Db,
    pub clock: SharedClock,
    pub hub: Hub,
    pub downlink: Arc<dyn Downlink>,
    /// Thing models (shared with the router).
    pub cache: Arc<Cache>,
    /// Where the router hands replies back.
    pub replies: Arc<Replies>,
    /// Which sub-devices are logged in through which gateway (kept by the router).
    pub subs: Arc<SubSessions>,
}

struct Inner {
    parts: Parts,
    ids: Mutex<IdGen>,
}

impl Commands {
    pub fn new(parts: Parts) -> Commands {
        // Start ids from the clock so ids are not reused right after a restart.
        let first = (parts.clock.now_ms().max(0) as u64 / 1000) % IdGen::MAX;
        let ids = Mutex::new(IdGen::starting_at(first));
        Commands { inner: Arc::new(Inner { parts, ids }) }
    }

    /// A new flow's trace id (for a caller that makes several sends one flow).
    pub fn new_trace(&self) -> String {
        self.inner.parts.hub.new_trace()
    }

    /// A fresh downlink id: decimal digits (Py prefixes RRPC ids, C4 parses them as u64).
    pub fn next_id(&self) -> String {
        self.inner.ids.lock().unwrap_or_else(|p| p.into_inner()).next_id()
    }

    /// Turn a device's log upload on or off: stored (the device reads it on its next connect) and
    /// pushed now if the device is online. An offline device is not an error here.
    pub async fn set_log_switch(&self, device: &DeviceRef, on: bool) -> Result<(), CallError> {
        let trace = self.inner.parts.hub.new_trace();
        self.set_log_switch_in(&trace, device, on).await.map(|_| ())
    }

    /// [`Commands::set_log_switch`] in the flow `trace`; `Ok(true)` when it was pushed now,
    /// `Ok(false)` when the device is offline (it reads the switch on its next connect).
    pub async fn set_log_switch_in(&self, trace: &str, device: &DeviceRef, on: bool) -> Result<bool, CallError> {
        let db = &self.inner.parts.db;
        let rec =
            store::devices::get(db, &device.pk, &device.dn).await.map_err(CallError::db)?.ok_or(CallError::NotFound)?;
        let now = self.inner.parts.clock.now_ms();
        store::device_state::set_log_mode(db, rec.id, on, now).await.map_err(CallError::db)?;
        let data = crate::gateway::router::log_switch_data(u8::from(on));
        let req = Request::new(self.next_id(), "thing.config.log.push", data);
        let topic = Topic::LogConfigPush(device.clone()).to_string();
        match self.publish_in(trace, device, &topic, Bytes::from(req.to_json()), 1).await {
            Ok(()) => Ok(true),
            Err(CallError::Offline | CallError::GatewayOffline) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The product's thing model (for checks before anything is sent or stored).
    pub async fn model(&self, pk: &str) -> Result<Arc<model::tsl::ThingModel>, CallError> {
        let p = &self.inner.parts;
        p.cache.model(&p.db, pk).await.map_err(|(code, message)| CallError::Failed { code, message })
    }

    /// Any command, typed.
    pub async fn execute(&self, device: &DeviceRef, cmd: Command) -> Result<CommandOutput, CallError> {
        match cmd {
            Command::Call { call, via, timeout } => {
                self.call_via(device, call, via, timeout).await.map(CommandOutput::Reply)
            }
            Command::Publish { topic, payload } => {
                self.publish(device, &topic, payload).await.map(|()| CommandOutput::Sent)
            }
            Command::CustomRrpc { path, payload, timeout } => {
                self.rrpc_custom(device, &path, payload, timeout).await.map(CommandOutput::Raw)
            }
        }
    }

    /// Publish `payload` on `topic` to the device; through its gateway for a sub-device.
    pub async fn publish(&self, device: &DeviceRef, topic: &str, payload: Bytes) -> Result<(), CallError> {
        let trace = self.inner.parts.hub.new_trace();
        self.publish_in(&trace, device, topic, payload, 1).await
    }

    /// [`Commands::publish`] in the flow `trace` (a REST call's), at `qos` (0 or 1).
    pub async fn publish_in(
        &self,
        trace: &str,
        device: &DeviceRef,
        topic: &str,
        payload: Bytes,
        qos: u8,
    ) -> Result<(), CallError> {
        let id = Request::parse(&payload).ok().map(|r| r.id);
        let r = async {
            let info = self.load(device).await?;
            let session = self.session_for(device, &info)?;
            self.send(&session, device, topic, payload.clone(), trace, id.clone(), qos).await
        }
        .await;
        if let Err(e) = &r {
            self.log_failure(device, topic, &payload, trace, id, e).await;
        }
        r
    }

    /// Send `call` and wait for the device's reply, choosing the transport per [`Via::Auto`].
    pub async fn call(&self, device: &DeviceRef, call: DeviceCall, timeout: Duration) -> Result<Reply, CallError> {
        self.call_via(device, call, Via::Auto, timeout).await
    }

    /// [`Commands::call`] with an explicit transport. The request's id is replaced by a fresh one.
    pub async fn call_via(
        &self,
        device: &DeviceRef,
        call: DeviceCall,
        via: Via,
        timeout: Duration,
    ) -> Result<Reply, CallError> {
        let trace = self.inner.parts.hub.new_trace();
        let (_, r) = self.call_in(&trace, device, call, via, Some(timeout)).await;
        r?.ok_or(CallError::Timeout)
    }

    /// A call in the flow `trace` (a REST call's). With `timeout`, waits for the reply; without,
    /// returns `Ok(None)` once the request is sent, and a reply that arrives later is logged in
    /// the same trace (async services, desired values pushed on connect). Also returns the
    /// request's message id.
    pub async fn call_in(
        &self,
        trace: &str,
        device: &DeviceRef,
        call: DeviceCall,
        via: Via,
        timeout: Option<Duration>,
    ) -> (String, Result<Option<Reply>, CallError>) {
        let mut request = call.request();
        request.id = self.next_id();
        let op = request.method.clone().unwrap_or_default();
        let r = self.call_inner(device, call.target(), &mut request, via, timeout, trace).await;
        if let Err(e) = &r {
            // Failures before sending are logged here; a timeout is logged by `call_inner`.
            if !matches!(e, CallError::Timeout) {
                self.log_failure(device, &op, request.to_json().as_bytes(), trace, Some(request.id.clone()), e).await;
            }
        }
        let r = match r {
            Ok(None) => Ok(None),
            Ok(Some(Answer::Alink(reply))) => Ok(Some(reply)),
            Ok(Some(Answer::Raw(b))) => Reply::parse(&b)
                .map(Some)
                .map_err(|e| CallError::Failed { code: CODE_INVALID_FORMAT, message: e.to_string() }),
            Err(e) => Err(e),
        };
        (request.id, r)
    }

    async fn call_inner(
        &self,
        device: &DeviceRef,
        target: Target,
        request: &mut Request,
        via: Via,
        timeout: Option<Duration>,
        trace: &str,
    ) -> Result<Option<Answer>, CallError> {
        target.check()?;
        let info = self.load(device).await?;
        let model = self
            .inner
            .parts
            .cache
            .model(&self.inner.parts.db, &device.pk)
            .await
            .map_err(|(code, message)| CallError::Failed { code, message })?;
        let checked = validate_service_input(&*model, target.service(), &request.params);
        let (status, content) = match &checked {
            Ok(()) => (200, format!("{} input accepted", target.service())),
            Err(errs) => (errs[0].code, errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")),
        };
        let checked_fact = Fact::Checked { message_id: Some(request.id.clone()), code: status, content };
        self.inner.parts.hub.emit(device, Some(trace), checked_fact).await;
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
        let replies = &self.inner.parts.replies;
        let service = Some(target.service().to_string());
        let topic_s = topic.to_string();
        let payload = Bytes::from(request.to_json());
        let Some(timeout) = timeout else {
            // Nobody waits: the reply, whenever it comes, is logged under this trace.
            let now = self.inner.parts.clock.now_ms();
            replies.expect_late(device, &id, Late { trace: trace.to_string(), service, since: now });
            if let Err(e) = self.send(&session, device, &topic_s, payload, trace, Some(id.clone()), 1).await {
                replies.take_late(device, &id, now);
                return Err(e);
            }
            return Ok(None);
        };
        let (tx, rx) = oneshot::channel();
        replies.insert(device, &id, Waiter { trace: trace.to_string(), service, tx });
        if let Err(e) = self.send(&session, device, &topic_s, payload, trace, Some(id.clone()), 1).await {
            replies.take(device, &id);
            return Err(e);
        }
        self.wait(device, &id, &topic_s, rx, timeout, trace).await.map(Some)
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
        let trace = self.inner.parts.hub.new_trace();
        let id = self.next_id();
        let inner = Topic::Custom { device: device.clone(), path: custom_path.to_string() };
        let topic = Topic::RrpcCustom { rrpc_id: id.clone(), inner: Box::new(inner) };
        let topic_s = topic.to_string();
        let r = async {
            if !topic.is_valid() {
                return Err(CallError::Failed {
                    code: CODE_BAD_TOPIC,
                    message: format!("{topic_s} is not a valid topic"),
                });
            }
            let info = self.load(device).await?;
            let session = self.session_for(device, &info)?;
            let (tx, rx) = oneshot::channel();
            self.inner.parts.replies.insert(device, &id, Waiter { trace: trace.clone(), service: None, tx });
            if let Err(e) = self.send(&session, device, &topic_s, payload.clone(), &trace, Some(id.clone()), 1).await {
                self.inner.parts.replies.take(device, &id);
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
        // On the injected clock: a test runs a call's timeout without waiting for it.
        match self.inner.parts.clock.timeout(timeout.as_millis() as i64, rx).await {
            Ok(Ok(a)) => Ok(a),
            Ok(Err(_)) => {
                Err(CallError::Failed { code: codes::SERVICE_CALL_FAILED, message: "the call was dropped".into() })
            }
            Err(_) => {
                // A reply after this is still logged in the call's trace, with its code.
                let mut service = None;
                if let Some(w) = self.inner.parts.replies.take(device, id) {
                    let since = self.inner.parts.clock.now_ms();
                    service.clone_from(&w.service);
                    let late = Late { trace: w.trace, service: w.service, since };
                    self.inner.parts.replies.expect_late(device, id, late);
                }
                let fact = Fact::CallTimedOut {
                    topic: topic.to_string(),
                    message_id: id.to_string(),
                    timeout_ms: timeout.as_millis() as u64,
                    service,
                };
                self.inner.parts.hub.emit(device, Some(trace), fact).await;
                Err(CallError::Timeout)
            }
        }
    }

    /// The device as it is now (not cached: enabled and gateway must be current for commands).
    async fn load(&self, device: &DeviceRef) -> Result<DeviceInfo, CallError> {
        let rec = store::devices::get(&self.inner.parts.db, &device.pk, &device.dn)
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
        let dl = &self.inner.parts.downlink;
        if dl.is_online(&device.pk, &device.dn) {
            return Ok(device.clone());
        }
        let Some(gw) = &info.gateway else { return Err(CallError::Offline) };
        if !dl.is_online(&gw.pk, &gw.dn) {
            return Err(CallError::GatewayOffline);
        }
        if self.inner.parts.subs.is_logged_in(device, gw) {
            Ok(gw.clone())
        } else {
            Err(CallError::Offline)
        }
    }

    #[allow(clippy::too_many_arguments)] // one downlink's facts: who, where, what, flow, id, qos
    async fn send(
        &self,
        session: &DeviceRef,
        device: &DeviceRef,
        topic: &str,
        payload: Bytes,
        trace: &str,
        id: Option<String>,
        qos: u8,
    ) -> Result<(), CallError> {
        let r = self.inner.parts.downlink.publish(&session.pk, &session.dn, topic, payload.clone(), qos).await.map_err(
            |e| {
                let e = CallError::from(e);
                // The session went away between the check and the publish.
                if e == CallError::Offline && session != device {
                    CallError::GatewayOffline
                } else {
                    e
                }
            },
        );
        // Failures are logged by the caller (with what was not sent), successes here.
        if r.is_ok() {
            let fact = Fact::Message {
                direction: Direction::Down,
                topic: topic.to_string(),
                payload,
                message_id: id,
                code: 200,
                delivered: true,
            };
            self.inner.parts.hub.emit(device, Some(trace), fact).await;
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
        let fact = Fact::NotSent {
            operation: op.to_string(),
            payload: Bytes::copy_from_slice(payload),
            message_id: id,
            code: e.code(),
            reason: e.to_string(),
        };
        self.inner.parts.hub.emit(device, Some(trace), fact).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_calls_become_alink_requests() {
        let set = DeviceCall::SetProperties(serde_json::json!({"Brightness": 4}));
        assert_eq!(set.request().method.as_deref(), Some("thing.service.property.set"));
        let get = DeviceCall::GetProperties(vec!["Brightness".into()]);
        assert_eq!(get.request().params, serde_json::json!(["Brightness"]));
        let svc = DeviceCall::InvokeService { identifier: "Reboot".into(), params: serde_json::json!({}) };
        assert_eq!(svc.request().method.as_deref(), Some("thing.service.Reboot"));
        assert!(matches!(svc.target(), Target::Service(s) if s == "Reboot"));
        assert_eq!(Target::Service("a/b".into()).check().err().map(|e| e.code()), Some(5094));
        assert!(Target::Set.check().is_ok());
    }

    #[test]
    fn c3_sdks_speak_classic_rrpc() {
        assert!(is_c3(Some("sdk-c-3.0.1")));
        assert!(is_c3(Some("C3")));
        assert!(!is_c3(Some("sdk-c-4.x")));
        assert!(!is_c3(None));
    }
}
