//! A connected Alink device: one [`Client`] (one task) plus the bookkeeping of its requests.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use model::alink::{DeviceRef, Reply, Request};
use rumqttc::mqttbytes::QoS;
use serde_json::Value;

use super::calls::Pending;
use super::creds::{connect_options, credentials, unix_now, Identity, Scheme};
use super::downlink::{answer, classify, Call, Inbound};
use super::Handler;
use crate::client::{Behaviour, Client, Intercept, Message, Outgoing};
use crate::connect::{ConnectOptions, Protocol};
use crate::error::Error;

/// How a device connects and behaves.
#[derive(Clone)]
pub struct DeviceOptions {
    pub scheme: Scheme,
    /// Py's clientId timestamp (unix seconds); `None` = now.
    pub now_secs: Option<u64>,
    /// `None` = the SDK's own keepalive.
    pub keep_alive: Option<u16>,
    pub protocol: Protocol,
    pub source: Option<IpAddr>,
    /// Answers the platform's requests; `None` = they go to the inbox like everything else.
    pub handler: Option<Arc<dyn Handler>>,
    /// PINGREQ every keepalive/2 (off: the device goes silent, for keepalive-timeout tests).
    pub ping: bool,
    pub inbox_capacity: usize,
    /// How long a request waits for its `_reply`.
    pub reply_timeout: Duration,
}

impl DeviceOptions {
    pub fn new(scheme: Scheme) -> Self {
        DeviceOptions {
            scheme,
            now_secs: None,
            keep_alive: None,
            protocol: Protocol::V311,
            source: None,
            handler: None,
            ping: true,
            inbox_capacity: 1024,
            reply_timeout: Duration::from_secs(10),
        }
    }

    /// Like the Python SDK 1.2.13.
    pub fn python() -> Self {
        Self::new(Scheme::Sdk(model::alink::Sdk::Python))
    }

    pub fn handler(mut self, h: Arc<dyn Handler>) -> Self {
        self.handler = Some(h);
        self
    }

    /// The CONNECT this device sends.
    pub fn connect_options(&self, id: &Identity) -> ConnectOptions {
        let creds = credentials(id, &self.scheme, self.now_secs.unwrap_or_else(unix_now));
        let mut o = connect_options(&creds, &self.scheme, self.source);
        o.protocol = self.protocol;
        if let Some(k) = self.keep_alive {
            o.keep_alive = k;
        }
        o
    }
}

/// A connected Alink device.
pub struct Device {
    pub me: DeviceRef,
    pub client: Client,
    pending: Arc<Mutex<Pending>>,
    reply_timeout: Duration,
}

impl Device {
    /// Sign in and start the connection task. A refused CONNACK is [`Error::Refused`].
    pub async fn connect(broker: SocketAddr, id: &Identity, o: &DeviceOptions) -> Result<Device, Error> {
        let me = DeviceRef::new(id.pk.clone(), id.dn.clone());
        let pending = Arc::new(Mutex::new(Pending::default()));
        let intercept = Alink { me: me.clone(), pending: pending.clone(), handler: o.handler.clone() };
        let b = Behaviour { ping: o.ping, intercept: Some(Box::new(intercept)), inbox_capacity: o.inbox_capacity };
        let client = Client::connect_with(broker, &o.connect_options(id), b).await?;
        Ok(Device { me, client, pending, reply_timeout: o.reply_timeout })
    }

    /// `/sys/{pk}/{dn}/{suffix}`.
    pub fn sys_topic(&self, suffix: &str) -> String {
        format!("/sys/{}/{}/{suffix}", self.me.pk, self.me.dn)
    }

    /// Send a request on `topic` and await its `_reply` (matched by Alink id) within the
    /// reply timeout. `method` may be `None` (C4 and Py's gateway requests send none).
    pub async fn request(&self, topic: &str, method: Option<&str>, params: Value, qos: QoS) -> Result<Reply, Error> {
        let (id, rx) = self.lock().register();
        let body = envelope(&id, method, params);
        let sent = async {
            self.client.publish(topic, qos, body).await?;
            rx.await.map_err(|_| Error::Closed)
        };
        match tokio::time::timeout(self.reply_timeout, sent).await {
            Ok(r) => r,
            Err(_) => {
                self.lock().forget(&id);
                Err(Error::Timeout("_reply"))
            }
        }
    }

    /// `thing.event.property.post` at QoS 1 (as Py), awaiting the `post_reply`.
    pub async fn post_properties(&self, params: Value) -> Result<Reply, Error> {
        let topic = self.sys_topic("thing/event/property/post");
        self.request(&topic, Some("thing.event.property.post"), params, QoS::AtLeastOnce).await
    }

    /// `thing.event.{id}.post` at QoS 0 (as Py), awaiting the `post_reply`.
    pub async fn post_event(&self, event: &str, params: Value) -> Result<Reply, Error> {
        let topic = self.sys_topic(&format!("thing/event/{event}/post"));
        self.request(&topic, Some(&format!("thing.event.{event}.post")), params, QoS::AtMostOnce).await
    }

    /// A property post without waiting: returns its Alink id once written. The reply lands in
    /// the inbox ([`Device::reply_to`]).
    pub async fn post_properties_nowait(&self, params: Value) -> Result<String, Error> {
        let id = self.lock().next_free_id();
        let body = envelope(&id, Some("thing.event.property.post"), params);
        self.client.publish_nowait(&self.sys_topic("thing/event/property/post"), QoS::AtLeastOnce, body)?;
        Ok(id)
    }

    /// Any Alink request without waiting (events, diagnostics, log lines, a gateway posting for
    /// its sub-devices): returns its Alink id once queued. The reply lands in the inbox.
    pub fn request_nowait(&self, topic: &str, method: Option<&str>, params: Value, qos: QoS) -> Result<String, Error> {
        let id = self.lock().next_free_id();
        self.client.publish_nowait(topic, qos, envelope(&id, method, params))?;
        Ok(id)
    }

    /// `thing.event.{id}.post` without waiting (QoS 0 as Py).
    pub fn post_event_nowait(&self, event: &str, params: Value) -> Result<String, Error> {
        let topic = self.sys_topic(&format!("thing/event/{event}/post"));
        self.request_nowait(&topic, Some(&format!("thing.event.{event}.post")), params, QoS::AtMostOnce)
    }

    /// The `_reply` with Alink id `id` from the inbox within `d` (other messages are skipped).
    pub async fn reply_to(&mut self, id: &str, d: Duration) -> Option<Reply> {
        let deadline = tokio::time::Instant::now() + d;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let m = self.client.recv_on("_reply", left).await?;
            if let Ok(r) = Reply::parse(&m.payload) {
                if r.id == id {
                    return Some(r);
                }
            }
        }
    }

    /// Publish anything (custom topics, OTA progress, raw replies).
    pub async fn publish(&self, topic: &str, qos: QoS, payload: impl Into<Bytes>) -> Result<(), Error> {
        self.client.publish(topic, qos, payload).await
    }

    /// The next inbox message (whatever the handler did not take) within `d`.
    pub async fn recv_within(&mut self, d: Duration) -> Option<Message> {
        self.client.recv_within(d).await
    }

    /// Requests still waiting for a reply.
    pub fn in_flight(&self) -> usize {
        self.lock().len()
    }

    pub async fn disconnect(self) {
        self.client.disconnect().await
    }

    pub fn drop_connection(self) {
        self.client.drop_connection()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        // A panic while holding this lock cannot leave `Pending` half-updated (every method is
        // one map operation), so a poisoned lock is still good.
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn envelope(id: &str, method: Option<&str>, params: Value) -> String {
    let mut r = Request::new(id, method.unwrap_or_default(), params);
    if method.is_none() {
        r.method = None;
    }
    r.to_json()
}

/// The device's half inside the connection task: replies to its waiters, calls to the handler.
struct Alink {
    me: DeviceRef,
    pending: Arc<Mutex<Pending>>,
    handler: Option<Arc<dyn Handler>>,
}

impl Intercept for Alink {
    fn on_publish(&mut self, m: &Message, out: &mut Vec<Outgoing>) -> bool {
        let Some(h) = &self.handler else {
            // Without a handler only replies are claimed; the test reads everything else.
            return match classify(&self.me, &m.topic, &m.payload) {
                Inbound::Reply(r) => !self.pending.lock().unwrap_or_else(|e| e.into_inner()).resolve(r),
                _ => true,
            };
        };
        match classify(&self.me, &m.topic, &m.payload) {
            Inbound::Reply(r) => !self.pending.lock().unwrap_or_else(|e| e.into_inner()).resolve(r),
            Inbound::Call(call) => {
                out.extend(answer(&call, h.call(&call)));
                false
            }
            Inbound::Echo => false,
            Inbound::OtaUpgrade(u) => !h.ota_upgrade(&u),
            Inbound::ConfigPush(req) => match h.config_push(&req) {
                Some(a) => {
                    out.extend(answer(&config_call(&self.me, req), a));
                    false
                }
                None => true,
            },
            Inbound::Other => true,
        }
    }
}

fn config_call(me: &DeviceRef, request: Request) -> Call {
    let topic = format!("/sys/{}/{}/thing/config/push", me.pk, me.dn);
    let reply_topic = format!("{topic}_reply");
    // Answered like an async service (QoS 0 `_reply`).
    Call { kind: super::CallKind::Service { id: "config.push".into() }, request, topic, reply_topic }
}

#[cfg(test)]
mod tests {
    use super::super::Answer;
    use super::*;
    use serde_json::json;

    struct Lamp;
    impl Handler for Lamp {
        fn call(&self, c: &Call) -> Answer {
            match &c.kind {
                super::super::CallKind::SyncService { id, .. } if id == "Add" => {
                    let p = &c.request.params;
                    Answer::ok(json!({"sum": p["a"].as_i64().unwrap_or(0) + p["b"].as_i64().unwrap_or(0)}))
                }
                _ => Answer::err(9201),
            }
        }
    }

    fn msg(topic: &str, body: Value) -> Message {
        Message { topic: topic.into(), payload: Bytes::from(body.to_string()), qos: QoS::AtMostOnce }
    }

    fn alink(handler: Option<Arc<dyn Handler>>) -> Alink {
        Alink { me: DeviceRef::new("pk1", "dn1"), pending: Arc::default(), handler }
    }

    #[test]
    fn a_reply_reaches_its_waiter_and_not_the_inbox() {
        let mut a = alink(None);
        let (id, mut rx) = a.pending.lock().unwrap().register();
        let mut out = Vec::new();
        let reply = msg("/sys/pk1/dn1/thing/event/property/post_reply", json!({"id": id, "code": 200, "data": {}}));
        assert!(!a.on_publish(&reply, &mut out), "claimed");
        assert_eq!(rx.try_recv().unwrap().code, 200);
        assert!(a.on_publish(&reply, &mut out), "a second copy nobody waits for goes to the inbox");
        assert!(out.is_empty());
    }

    #[test]
    fn the_handler_answers_and_echoes_are_swallowed() {
        let mut a = alink(Some(Arc::new(Lamp)));
        let topic = "/ext/rrpc/42/sys/pk1/dn1/thing/service/Add";
        let mut out = Vec::new();
        let call = msg(topic, json!({"id": "5", "version": "1.0", "params": {"a": 2, "b": 3}}));
        assert!(!a.on_publish(&call, &mut out));
        let reply: Value = serde_json::from_slice(&out[0].payload).unwrap();
        assert_eq!((out[0].topic.as_str(), &reply["data"]["sum"]), (topic, &json!(5)));
        let echo = Message { topic: topic.into(), payload: out[0].payload.clone(), qos: QoS::AtMostOnce };
        out.clear();
        assert!(!a.on_publish(&echo, &mut out), "own answer echoed by the broker");
        assert!(out.is_empty());
        let custom = msg("/pk1/dn1/user/get", json!({}));
        assert!(a.on_publish(&custom, &mut out), "custom topics go to the inbox");
    }

    #[test]
    fn without_a_handler_calls_go_to_the_inbox() {
        let mut a = alink(None);
        let mut out = Vec::new();
        let set = msg("/sys/pk1/dn1/thing/service/property/set", json!({"id": "1", "params": {}}));
        assert!(a.on_publish(&set, &mut out));
        assert!(out.is_empty());
    }

    #[test]
    fn envelopes_with_and_without_method() {
        let v: Value =
            serde_json::from_str(&envelope("3", Some("thing.event.property.post"), json!({"x": 1}))).unwrap();
        assert_eq!(
            (v["id"].as_str(), v["version"].as_str(), v["method"].as_str()),
            (Some("3"), Some("1.0"), Some("thing.event.property.post"))
        );
        let v: Value = serde_json::from_str(&envelope("4", None, json!([]))).unwrap();
        assert!(v.get("method").is_none());
    }
}
