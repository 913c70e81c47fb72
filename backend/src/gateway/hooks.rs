//! The rmqtt hooks: authentication, ACL, session lifecycle, and the uplink tap.
//!
//! Every refusal is a run-log entry (`BizType::Device`, operation `auth`/`acl`, status = the
//! seed code). Uplinks are tapped in the allow branch of the publish ACL: rmqtt's
//! `MessagePublish` hook runs before the ACL and would see refused messages too.

use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use model::alink::acl::{authorize_publish, authorize_subscribe};
use model::alink::DeviceRef;
use model::alink::{dynreg_session_filters, AuthType, ClientId};
use rmqtt::codec::v5::{RetainHandling, SubscribeAckReason, SubscriptionOptions};
use rmqtt::hook::{Handler, HookResult, Parameter, ReturnType, Type};
use rmqtt::session::Session;
use rmqtt::subscribe::AutoSubscription;
use rmqtt::types::{
    AuthResult, ConnectInfo, Id, Publish, PublishAclResult, QoS, Subscribe, SubscribeAclResult, TopicFilter,
};
use serde_json::json;
use tokio::sync::mpsc;

use super::auth::{self, Connack};
use super::limits::{Guard, Kind};
use super::refusals::RefusalBudget;
use super::service::Deps;
use super::sessions::{key_of, Sessions};
use super::topo::Topo;
use super::Uplink;
use crate::auth::rate_limit::FailureLimiter;
use crate::hub::{Fact, Stage};
pub use crate::runlog::line::CODE_ACL;
use crate::runlog::text::untrusted;

pub const HOOK_TYPES: [Type; 9] = [
    Type::MessageExpiryCheck,
    Type::ClientAuthenticate,
    Type::ClientSubscribeCheckAcl,
    Type::MessagePublishCheckAcl,
    Type::ClientConnected,
    Type::ClientDisconnected,
    Type::SessionSubscribed,
    Type::MessageDelivered,
    Type::MessageDropped,
];

/// The accepted uplinks' way to the router. Taken out at shutdown: the broker keeps its hooks
/// alive for as long as its context lives, and the router only finishes once this is gone.
#[derive(Clone, Default)]
pub struct UplinkTx(Arc<RwLock<Option<mpsc::Sender<Uplink>>>>);

impl UplinkTx {
    pub fn new(tx: mpsc::Sender<Uplink>) -> Self {
        UplinkTx(Arc::new(RwLock::new(Some(tx))))
    }

    /// Hand an accepted uplink to the router; waits while the router is behind.
    async fn send(&self, u: Uplink) {
        let Some(tx) = self.0.read().unwrap_or_else(|e| e.into_inner()).clone() else { return };
        if tx.send(u).await.is_err() {
            tracing::warn!("the uplink router is gone; uplink dropped");
        }
    }

    /// No more uplinks: the router's channel ends once drained.
    pub fn close(&self) {
        self.0.write().unwrap_or_else(|e| e.into_inner()).take();
    }
}

/// What the broker calls: authentication and ACL decide here, session starts and ends go to
/// [`Sessions`], accepted uplinks to the router, refusals to the hub.
#[derive(Clone)]
pub struct Hooks {
    pub deps: Deps,
    pub sessions: Arc<Sessions>,
    pub topo: Arc<Topo>,
    pub guard: Arc<Guard>,
    pub uplinks: UplinkTx,
    /// Failed authentications per client address (see [`crate::config::DeviceLimits`]).
    pub auth_failures: Arc<FailureLimiter>,
    /// Refusal entries per source.
    pub refusals: Arc<RefusalBudget>,
}

#[async_trait]
impl Handler for Hooks {
    async fn hook(&self, param: &Parameter, acc: Option<HookResult>) -> ReturnType {
        let inner = self;
        match param {
            Parameter::ClientAuthenticate(ci) => {
                let r = inner.authenticate(ci).await;
                return (false, Some(HookResult::AuthResult(r)));
            }
            Parameter::ClientSubscribeCheckAcl(s, sub) => {
                let r = if inner.may_subscribe(s, &sub.topic_filter).await {
                    SubscribeAclResult::new_success(sub.opts.qos(), None)
                } else {
                    SubscribeAclResult::new_failure(SubscribeAckReason::NotAuthorized)
                };
                return (false, Some(HookResult::SubscribeAclResult(r)));
            }
            Parameter::MessagePublishCheckAcl(s, p) => {
                let r = if inner.may_publish(s, p).await {
                    PublishAclResult::allow()
                } else {
                    PublishAclResult::rejected(false, None)
                };
                return (false, Some(HookResult::PublishAclResult(r)));
            }
            Parameter::ClientConnected(s) => inner.sessions.on_connected(s).await,
            Parameter::ClientDisconnected(s, reason) => inner.sessions.on_disconnected(s, reason).await,
            Parameter::SessionSubscribed(s, sub) => inner.sessions.on_subscribed(s, &sub.topic_filter).await,
            // No echo: Alibaba's broker never hands a device its own publish back, whatever it
            // subscribed (its RRPC topic, `/user/#`); MQTT 3.1.1 has no "no local" flag, so the
            // copy for the publisher's own session is dropped here, just before delivery.
            Parameter::MessageExpiryCheck(s, from, _) if is_own_publish(s, from) => {
                return (false, Some(HookResult::MessageExpiry));
            }
            Parameter::MessageDelivered(s, _, _) => inner.sessions.delivered(&s.id.client_id),
            // Only our own downlinks are worth a run-log line; device-to-device routing does
            // not exist (the ACL forbids it).
            Parameter::MessageDropped(to, from, p, reason) if from.is_system() => {
                let device = to.as_ref().and_then(key_of).unwrap_or_else(|| DeviceRef::new("", ""));
                let fact = Fact::Dropped { topic: p.topic.to_string(), reason: format!("{reason:?}") };
                inner.fact(&device, fact).await;
            }
            _ => {}
        }
        (true, acc)
    }
}

/// Whether a message about to reach session `s` was published by that same client (or device).
fn is_own_publish(s: &Session, from: &rmqtt::types::From) -> bool {
    if from.is_system() {
        return false;
    }
    from.id.client_id == s.id.client_id || key_of(&from.id).is_some_and(|d| key_of(&s.id) == Some(d))
}

impl Hooks {
    async fn fact(&self, device: &DeviceRef, fact: Fact) {
        self.deps.hub.emit(device, None, fact).await;
    }

    /// A refusal as a fact, within the source's budget ([`super::refusals`]); `detail`'s
    /// attacker-controlled strings are already cut.
    async fn refused(&self, source: &str, device: DeviceRef, stage: Stage, code: u32, mut detail: serde_json::Value) {
        self.refusals.count(stage, code);
        let Some(suppressed) = self.refusals.admit(source) else { return };
        if suppressed > 0 {
            detail["suppressed"] = json!(suppressed);
        }
        self.fact(&device, Fact::Refused { stage, code, detail }).await;
    }

    async fn authenticate(&self, ci: &ConnectInfo) -> AuthResult {
        let client_id: &str = ci.client_id();
        let ip = ci.id().remote_addr.map(|a| a.ip().to_string());
        let source = format!("ip:{}", ip.as_deref().unwrap_or("?"));
        let refused = |r: &auth::Refusal| match r.connack {
            Connack::BadCredentials => AuthResult::BadUsernameOrPassword,
            Connack::NotAuthorized => AuthResult::NotAuthorized,
        };
        let detail = |reason: &str| json!({ "clientId": untrusted(client_id), "ip": ip, "reason": untrusted(reason) });
        let (pk, dn) = match auth::identity(ci.username().map(|u| &**u)) {
            Ok(k) => k,
            Err(r) => {
                self.refused(&source, DeviceRef::new("", ""), Stage::Auth, r.code, detail(&r.reason)).await;
                return refused(&r);
            }
        };
        let device = DeviceRef::new(pk.clone(), dn.clone());
        // Failed authentications are counted per address and checked before the signature: a
        // guesser is cut off, and the device's own connect budget is spent only once it has
        // authenticated, so someone without its secret cannot lock it out. Attempts in flight
        // are not counted (an HMAC is cheap to check, and a fleet behind one NAT address
        // reconnects all at once); a parallel burst can exceed the limit by its size, once.
        let source_key = [source.clone()];
        if let Err(wait) = self.auth_failures.check(&source_key) {
            let why = format!("too many failed authentications from this address; retry in {wait} s");
            self.refused(&source, device, Stage::Auth, Kind::Connect.code(), detail(&why)).await;
            return AuthResult::NotAuthorized;
        }
        let password = ci.password().map(|p| &p[..]);
        let admitted = match auth::authenticate(&self.deps, client_id, &pk, &dn, password).await {
            Ok(admitted) => admitted,
            Err(r) => {
                self.auth_failures.failed(&source_key);
                self.refused(&source, device, Stage::Auth, r.code, detail(&r.reason)).await;
                return refused(&r);
            }
        };
        if let Some(why) = self.sessions.client_id_conflict(client_id, &device).await {
            self.refused(&source, device, Stage::Auth, auth::CODE_BAD_CREDENTIALS, detail(&why)).await;
            return AuthResult::NotAuthorized;
        }
        if !self.guard.allow(Kind::Connect, &pk, &dn).await {
            return AuthResult::NotAuthorized;
        }
        self.sessions.admit(client_id, device, admitted);
        AuthResult::Allow(false, None)
    }

    async fn may_subscribe(&self, s: &Session, filter: &str) -> bool {
        let cid: &str = &s.id.client_id;
        let Some(DeviceRef { pk, dn }) = key_of(&s.id) else { return false };
        let verdict = if self.sessions.is_dynreg(cid) {
            // A registration session may only take its own answer.
            if dynreg_session_filters().iter().any(|f| f == filter) {
                Ok(())
            } else {
                Err("a registration session subscribes nothing else".to_string())
            }
        } else {
            authorize_subscribe(&pk, &dn, |p, d| self.topo.is_sub(&pk, &dn, p, d), filter).map_err(|e| e.to_string())
        };
        match verdict {
            Ok(()) => true,
            Err(why) => {
                let detail = json!({ "clientId": untrusted(cid), "action": "subscribe", "topic": untrusted(filter), "reason": untrusted(&why) });
                let source = format!("dev:{pk}/{dn}");
                self.refused(&source, DeviceRef::new(pk, dn), Stage::Acl, CODE_ACL, detail).await;
                false
            }
        }
    }

    async fn may_publish(&self, s: &Session, p: &Publish) -> bool {
        let cid: &str = &s.id.client_id;
        let Some(DeviceRef { pk, dn }) = key_of(&s.id) else { return false };
        let verdict = if self.sessions.is_dynreg(cid) {
            Err("a registration session may not publish".to_string())
        } else {
            authorize_publish(&pk, &dn, |p, d| self.topo.is_sub(&pk, &dn, p, d), &p.topic)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        if let Err(why) = verdict {
            let detail = json!({ "clientId": untrusted(cid), "action": "publish", "topic": untrusted(&p.topic), "reason": untrusted(&why) });
            let source = format!("dev:{pk}/{dn}");
            self.refused(&source, DeviceRef::new(pk, dn), Stage::Acl, CODE_ACL, detail).await;
            return false;
        }
        if !self.guard.allow(Kind::Uplink, &pk, &dn).await {
            return false;
        }
        let up = Uplink {
            product_key: pk,
            device_name: dn,
            topic: p.topic.to_string(),
            payload: p.payload.clone(),
            qos: p.qos.value(),
            at: self.deps.now(),
        };
        self.uplinks.send(up).await;
        true
    }
}

/// Server-side subscriptions (ALINK.md 2). A device session gets none in the broker: every
/// downlink is addressed to the device's session (`downlink::deliver`), so a device receives its
/// downlinks without ever subscribing, and with no subscription nothing the device publishes can
/// come back to it (no echo, the job `no_local` did). Broker-side filters per device cost
/// ~8 KiB of memory per connection (trie paths + subscription records) and let a gateway's
/// publication for a sub-device reach that sub-device's own connection. The filters a device
/// would need on an external broker are [`model::alink::server_side_filters`].
///
/// A registration session is subscribed to `/ext/register|regnwl`: its answer is pushed once
/// that subscription is in place (`Sessions::on_subscribed`).
pub struct AutoSubscribe;

#[async_trait]
impl AutoSubscription for AutoSubscribe {
    fn enable(&self) -> bool {
        true
    }

    async fn subscribes(&self, id: &Id) -> rmqtt::Result<Vec<Subscribe>> {
        let auth_type = ClientId::parse(&id.client_id).ok().and_then(|c| c.auth_type);
        if !matches!(auth_type, Some(AuthType::Register | AuthType::Regnwl)) {
            return Ok(Vec::new());
        }
        let opts = SubscriptionOptions {
            qos: QoS::AtLeastOnce,
            no_local: true,
            retain_as_published: false,
            retain_handling: RetainHandling::AtSubscribe,
        };
        dynreg_session_filters()
            .iter()
            .map(|f| Subscribe::from_v5(&TopicFilter::from(f.as_str()), &opts, false, false, None))
            .collect()
    }
}
