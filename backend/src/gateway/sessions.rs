//! Live device sessions by (productKey, deviceName): takeover, online/offline in the store and
//! as facts on the hub, readiness for downlinks, and the dynamic-registration sessions.
//!
//! A device is identified by pk/dn, not by its MQTT clientId (which carries a timestamp), so
//! rmqtt's own same-clientId takeover is not enough: a reconnecting device looks new and the
//! older session is kicked here (seed 427).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use model::alink::{dynreg_session_filters, DeviceRef};
use model::codes;
use rmqtt::context::ServerContext;
use rmqtt::session::Session;
use rmqtt::types::{Id, QoS, Reason};
use tokio::sync::Notify;

use super::auth::Admitted;
use super::deliver::{deliver, kick_session};
use super::service::Deps;
use super::topo::Topo;
use crate::hub::Fact;
use crate::store;

type Key = DeviceRef;

/// Seed codes of a disconnect.
pub const GRACEFUL: u32 = codes::device_behavior::ONLINE_OFFLINE.code();
pub const KEEPALIVE_TIMEOUT: u32 = codes::device_behavior::KEEPALIVE_TIMEOUT.code();
pub const TCP_CLOSED: u32 = codes::device_behavior::TCP_CLOSED.code();
pub const KICKED: u32 = codes::device_behavior::KICKED.code();

/// How long a registration session has to take its push before it is closed anyway.
const PUSH_TIMEOUT: Duration = Duration::from_secs(5);
/// After the push, the device may hang up itself; then the server closes. Closing at once
/// would make the answer and the FIN arrive together, and some clients (rumqttc) drop a
/// packet that arrives with the end of the stream.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

pub fn reason_code(r: &Reason) -> u32 {
    match r {
        Reason::ConnectDisconnect(_) => GRACEFUL,
        Reason::ConnectKeepaliveTimeout => KEEPALIVE_TIMEOUT,
        Reason::ConnectKicked(_) => KICKED,
        Reason::Reasons(all) => all.iter().map(reason_code).find(|c| *c != TCP_CLOSED).unwrap_or(TCP_CLOSED),
        _ => TCP_CLOSED,
    }
}

struct Live {
    id: Id,
    device_id: i64,
}

struct Pending {
    key: Key,
    admitted: Admitted,
    at: Instant,
}

struct Dynreg {
    topic: &'static str,
    payload: Bytes,
    delivered: Arc<Notify>,
    closed: Arc<Notify>,
}

/// The session table and what a session's start and end do: the device's state in the store,
/// its gateway's sub-device cache, and the facts on the hub.
pub struct Sessions {
    deps: Deps,
    topo: Arc<Topo>,
    scx: ServerContext,
    live: Mutex<HashMap<Key, Live>>,
    /// The device holding each live MQTT clientId: the broker keys its sessions by clientId, so
    /// a second device presenting the same one would take the session over.
    by_client: Mutex<HashMap<String, Key>>,
    /// From the auth hook to the connected hook, by MQTT clientId.
    pending: Mutex<HashMap<String, Pending>>,
    /// Registration sessions waiting for their push, by MQTT clientId.
    dynreg: Mutex<HashMap<String, Dynreg>>,
    /// Connect and disconnect of one device are serialised, so a late disconnect of the old
    /// session can never overwrite the online state of its successor.
    locks: Vec<tokio::sync::Mutex<()>>,
}

impl Sessions {
    pub fn new(deps: Deps, topo: Arc<Topo>, scx: ServerContext) -> Self {
        Sessions {
            deps,
            topo,
            scx,
            live: Mutex::default(),
            by_client: Mutex::default(),
            pending: Mutex::default(),
            dynreg: Mutex::default(),
            locks: (0..64).map(|_| tokio::sync::Mutex::new(())).collect(),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Sessions {
    fn device_lock(&self, key: &Key) -> &tokio::sync::Mutex<()> {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let h = BuildHasherDefault::<DefaultHasher>::default().hash_one(key);
        &self.locks[(h % self.locks.len() as u64) as usize]
    }

    /// Remember an accepted CONNECT until its session is established.
    pub fn admit(&self, client_id: &str, key: Key, admitted: Admitted) {
        let mut p = lock(&self.pending);
        // Entries whose connection died between auth and CONNACK would pile up otherwise.
        if p.len() > 1024 {
            p.retain(|_, v| v.at.elapsed() < Duration::from_secs(60));
        }
        p.insert(client_id.to_string(), Pending { key, admitted, at: Instant::now() });
    }

    /// Why `client_id` may not be used by device `key`, if it may not. The broker keys sessions
    /// by the raw clientId and ends an older session with the same one, so a device with valid
    /// credentials of its own could end another's session by presenting its clientId. Alibaba
    /// keys a session by the device; here the session identity is the authenticated device, and
    /// a clientId that another device's session holds (or is opening), or whose prefix names
    /// another registered device in the Link SDKs' `{pk}.{dn}|…` form, is refused — never a
    /// takeover, and never a way to keep that device out by taking its clientId first.
    pub async fn client_id_conflict(&self, client_id: &str, key: &Key) -> Option<String> {
        let held = lock(&self.by_client).get(client_id).cloned();
        let opening = lock(&self.pending).get(client_id).map(|p| p.key.clone());
        if let Some(other) = held.or(opening).filter(|o| o != key) {
            return Some(format!("the clientId is in use by another device ({}/{})", other.pk, other.dn));
        }
        let prefix = client_id.split('|').next().unwrap_or_default();
        let (pk, dn) = prefix.split_once('.')?;
        // `{dn}.{pk}` is dynamic registration's own form.
        if key.is(pk, dn) || key.is(dn, pk) {
            return None;
        }
        let named = store::devices::get(&self.deps.db, pk, dn).await.ok().flatten();
        named.map(|_| format!("the clientId names another device ({pk}/{dn})"))
    }

    pub fn is_online(&self, key: &Key) -> bool {
        lock(&self.live).contains_key(key)
    }

    pub fn count(&self) -> usize {
        lock(&self.live).len()
    }

    pub fn devices(&self) -> Vec<Key> {
        lock(&self.live).keys().cloned().collect()
    }

    /// The session of a device, registered with the broker from `ClientConnected` on: addressed
    /// delivery to it needs no subscription.
    pub fn target(&self, key: &Key) -> Option<Id> {
        lock(&self.live).get(key).map(|l| l.id.clone())
    }

    pub fn is_dynreg(&self, client_id: &str) -> bool {
        lock(&self.dynreg).contains_key(client_id)
    }

    /// A message went out to a session (the `MessageDelivered` hook).
    pub fn delivered(&self, client_id: &str) {
        if let Some(d) = lock(&self.dynreg).get(client_id) {
            d.delivered.notify_one();
        }
    }
}

/// The device a session speaks for, from its username (already verified at CONNECT).
pub fn key_of(id: &Id) -> Option<Key> {
    let u = id.username.as_deref()?;
    model::alink::parse_username(u).ok().map(|(pk, dn)| DeviceRef::new(pk, dn))
}

fn ip_of(id: &Id) -> Option<String> {
    id.remote_addr.map(|a| a.ip().to_string())
}

impl Sessions {
    /// `ClientConnected`: runs in the handshake, before the CONNACK goes out.
    pub async fn on_connected(self: &Arc<Self>, s: &Session) {
        let cid = s.id.client_id.to_string();
        let Some(p) = lock(&self.pending).remove(&cid) else {
            tracing::warn!(client_id = %cid, "connected session without an admitted CONNECT");
            return;
        };
        let device = p.key.clone();
        let device_id = match p.admitted {
            Admitted::Dynreg { topic, payload } => {
                let d = Dynreg { topic, payload, delivered: Arc::new(Notify::new()), closed: Arc::new(Notify::new()) };
                lock(&self.dynreg).insert(cid, d);
                return;
            }
            Admitted::Device { device_id, ref sdk } => {
                let now = self.deps.now();
                let ip = ip_of(&s.id);
                let _serial = self.device_lock(&p.key).lock().await;
                let live = Live { id: s.id.clone(), device_id };
                let previous = lock(&self.live).insert(p.key.clone(), live);
                {
                    let mut by_client = lock(&self.by_client);
                    if let Some(prev) = &previous {
                        by_client.remove(&*prev.id.client_id);
                    }
                    by_client.insert(s.id.client_id.to_string(), p.key.clone());
                }
                // Same clientId: rmqtt has already kicked the old one itself.
                if let Some(prev) = previous.filter(|prev| prev.id.client_id != s.id.client_id) {
                    let scx = self.scx.clone();
                    tokio::spawn(async move { kick_session(&scx, &prev.id).await });
                }
                if let Err(e) =
                    store::devices::mark_online(&self.deps.db, device_id, ip.as_deref(), sdk.as_deref(), now).await
                {
                    tracing::error!(error = %e, ?device, "cannot mark device online");
                }
                if let Err(e) = self.topo.refresh(&self.deps.db, &device.pk, &device.dn).await {
                    tracing::warn!(error = %e, ?device, "cannot load sub-devices");
                }
                let fact = Fact::Connected {
                    device_id,
                    client_id: s.id.client_id.to_string(),
                    ip,
                    sdk: sdk.clone(),
                    keepalive: s.connect_info().await.map(|c| c.keep_alive()).ok(),
                };
                self.deps.hub.emit(&device, None, fact).await;
                device_id
            }
        };
        tracing::debug!(?device, device_id, "device online");
    }

    /// `ClientDisconnected`.
    pub async fn on_disconnected(&self, s: &Session, reason: &Reason) {
        let cid = s.id.client_id.to_string();
        if let Some(d) = lock(&self.dynreg).remove(&cid) {
            d.closed.notify_one();
            return;
        }
        let Some(key) = key_of(&s.id) else { return };
        let code = reason_code(reason);
        let _serial = self.device_lock(&key).lock().await;
        // The entry leaves the map only after the store and the run log have it: shutdown
        // waits for an empty map before it closes the run log.
        let current = lock(&self.live).get(&key).filter(|l| l.id == s.id).map(|l| l.device_id);
        if let Some(device_id) = current {
            if let Err(e) = store::devices::mark_offline(&self.deps.db, device_id, code, self.deps.now()).await {
                tracing::error!(error = %e, device = ?key, "cannot mark device offline");
            }
            self.topo.forget(&key.pk, &key.dn);
        }
        // A session replaced by a newer one is a fact too (device_id None), but leaves the store alone.
        let fact = Fact::Disconnected {
            device_id: current,
            client_id: cid,
            ip: ip_of(&s.id),
            code,
            reason: format!("{reason:?}"),
        };
        self.deps.hub.emit(&key, None, fact).await;
        if current.is_some() {
            let mut live = lock(&self.live);
            if live.get(&key).is_some_and(|l| l.id == s.id) {
                live.remove(&key);
                let mut by_client = lock(&self.by_client);
                if by_client.get(&*s.id.client_id) == Some(&key) {
                    by_client.remove(&*s.id.client_id);
                }
            }
        }
    }

    /// `SessionSubscribed`: for a registration session, the moment to push the answer.
    pub async fn on_subscribed(self: &Arc<Self>, s: &Session, filter: &str) {
        let cid = s.id.client_id.to_string();
        let push =
            lock(&self.dynreg).get(&cid).map(|d| (d.topic, d.payload.clone(), d.delivered.clone(), d.closed.clone()));
        if let Some((topic, payload, delivered, closed)) = push {
            if dynreg_session_filters().last().map(String::as_str) == Some(filter) {
                let me = self.clone();
                let id = s.id.clone();
                tokio::spawn(async move { me.push_and_close(id, topic, payload, delivered, closed).await });
            }
        }
    }

    async fn push_and_close(
        &self,
        id: Id,
        topic: &'static str,
        payload: Bytes,
        delivered: Arc<Notify>,
        closed: Arc<Notify>,
    ) {
        let device = key_of(&id).unwrap_or_else(|| DeviceRef::new("", ""));
        let wait = delivered.notified();
        match deliver(&self.scx, &id.client_id, topic, payload, QoS::AtMostOnce).await {
            Ok(()) => {
                // The hook fires just before the PUBLISH is written; the kick queues behind it.
                if tokio::time::timeout(PUSH_TIMEOUT, wait).await.is_err() {
                    tracing::warn!(?device, topic, "registration push not delivered in time");
                }
            }
            Err(e) => tracing::warn!(error = %e, ?device, topic, "registration push failed"),
        }
        let fact = Fact::Registered { client_id: id.client_id.to_string(), topic: topic.to_string() };
        self.deps.hub.emit(&device, None, fact).await;
        if tokio::time::timeout(CLOSE_GRACE, closed.notified()).await.is_err() {
            kick_session(&self.scx, &id).await;
        }
    }

    /// Close a device's session, if it has one.
    pub async fn kick(&self, pk: &str, dn: &str) {
        let id = lock(&self.live).get(&DeviceRef::new(pk, dn)).map(|l| l.id.clone());
        if let Some(id) = id {
            kick_session(&self.scx, &id).await;
        }
    }
}
