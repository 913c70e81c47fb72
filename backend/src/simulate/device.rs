//! One simulated device on fleetdeck's own broker: a real [`devclient::Device`] signed in with
//! the device's own credentials, so auth, ACL, router, run log and the browser see what they
//! would see from hardware.
//!
//! On connect it does what the C SDK 4.x does: asks `thing/config/log/get` (and follows the log
//! switch after), asks its desired properties and its shadow. Then it runs until stopped: answers
//! the platform from the thing model ([`super::answers`]), re-reports what was set, does what
//! the operator asks ([`Command`]), and — with [`Auto`] behaviour, the demo fleet — reports on
//! its own timers on the injected clock: telemetry, events, Wi-Fi diagnostics, log lines.

use std::net::SocketAddr;
use std::sync::Arc;

use devclient::alink::{answer, classify, Inbound};
use devclient::{Device, DeviceOptions, Identity, Message, QoS, Scheme};
use model::alink::DeviceRef;
use model::simulate::{self, TraceLine};
use model::tsl::{DataType, ThingModel};
use serde_json::{json, Map, Value};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::answers::{Answers, Brain, Notice};
use super::trace::{Trace, TraceLineExt};
use crate::clock::SharedClock;

/// What a device does on its own (the demo fleet). Periods in ms of the injected clock.
#[derive(Debug, Clone)]
pub struct Auto {
    pub report_ms: i64,
    /// Every n-th report also posts an event / a Wi-Fi diagnosis / a deliberately invalid value.
    pub event_every: u64,
    pub diag_every: u64,
    pub tsl_error_every: u64,
    /// Drop the connection (no DISCONNECT) after this many reports, then come back.
    pub flap_after: Option<u64>,
}

/// What the operator asks a simulator to do (the simulation page).
#[derive(Debug)]
pub enum Command {
    Publish { topic: String, payload: String, qos: QoS },
    Properties(Map<String, Value>),
    Event { id: String, params: Value },
    Subscribe { topic: String, done: tokio::sync::oneshot::Sender<Result<(), String>> },
}

/// A sub-device its gateway logs in and speaks for.
pub struct Sub {
    pub identity: Identity,
    pub brain: Arc<Brain>,
}

/// One simulated device.
pub struct SimDevice {
    pub identity: Identity,
    pub brain: Arc<Brain>,
    pub scheme: Scheme,
    pub auto: Option<Auto>,
    pub subs: Vec<Sub>,
    pub trace: Trace,
    /// Bounds the handshakes in flight across a fleet (held only while connecting).
    pub gate: Option<Arc<tokio::sync::Semaphore>>,
}

/// Why [`SimDevice::run`] returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// Told to stop: disconnected gracefully.
    Stopped,
    /// Dropped its connection on purpose (a flapping demo device).
    Flapped,
    /// The broker closed the session: taken over by another client (427), disabled, deleted.
    Lost(String),
    /// Could not connect (refused: disabled or deleted; or no broker).
    NoConnect(String),
}

impl SimDevice {
    pub fn new(identity: Identity, model: Arc<ThingModel>, clock: SharedClock) -> SimDevice {
        let seed = simulate::seed_of(&format!("{}/{}", identity.pk, identity.dn));
        SimDevice {
            brain: Arc::new(Brain::new(model, seed, clock)),
            identity,
            scheme: Scheme::Sdk(model::alink::Sdk::C4),
            auto: None,
            subs: Vec::new(),
            trace: Trace::none(),
            gate: None,
        }
    }

    fn me(&self) -> DeviceRef {
        DeviceRef::new(self.identity.pk.clone(), self.identity.dn.clone())
    }

    /// Connect, run until `stop` fires or the session ends, and say why it ended.
    pub async fn run(&self, broker: SocketAddr, stop: CancellationToken, mut cmds: mpsc::Receiver<Command>) -> Exit {
        let clock = self.brain.clock.clone();
        let (notices, mut noticed) = mpsc::unbounded_channel();
        let answers = Answers { brain: self.brain.clone(), notices: notices.clone(), trace: self.trace.clone() };
        let mut opts = DeviceOptions::new(self.scheme.clone()).handler(Arc::new(answers));
        opts.now_secs = Some((clock.now_ms().max(0) / 1000) as u64);
        let connect = async {
            let _permit = match &self.gate {
                Some(g) => g.acquire().await.ok(),
                None => None,
            };
            Device::connect(broker, &self.identity, &opts).await
        };
        let mut dev = tokio::select! {
            _ = stop.cancelled() => return Exit::Stopped,
            d = connect => match d {
                Ok(d) => d,
                Err(e) => return Exit::NoConnect(e.to_string()),
            },
        };
        self.trace.send(|| TraceLine::info(clock.now_ms(), "connected"));
        let subs = self.sub_answers(&notices);
        self.on_connect(&dev, &subs).await;
        let mut reports: u64 = 0;
        // The first report comes soon after connecting (spread by the seed, so a fleet that
        // connects at once does not post at once), then every period.
        let mut next =
            self.auto.as_ref().map(|a| clock.now_ms() + (self.brain.seed % a.report_ms.clamp(1, 5_000) as u64) as i64);
        loop {
            // No timer without auto behaviour: an operator's simulator parks nothing on the clock.
            let timer = async {
                match next {
                    Some(at) => clock.sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = stop.cancelled() => {
                    dev.disconnect().await;
                    return Exit::Stopped;
                }
                m = dev.client.recv() => match m {
                    Some(m) => self.inbound(&dev, &subs, m),
                    None => {
                        let why = dev.client.closed().await;
                        self.trace.send(|| TraceLine::info(clock.now_ms(), &format!("connection closed: {why:?}")));
                        return Exit::Lost(format!("{why:?}"));
                    }
                },
                Some(n) = noticed.recv() => match n {
                    Notice::Changed(values) => {
                        self.post_properties(&dev, &self.me(), values);
                    }
                },
                Some(c) = cmds.recv() => self.command(&dev, c).await,
                _ = timer => {
                    reports += 1;
                    let auto = self.auto.as_ref().expect("a timer only runs with auto behaviour");
                    if auto.flap_after.is_some_and(|n| reports > n) {
                        dev.drop_connection();
                        return Exit::Flapped;
                    }
                    self.tick(&dev, &subs, auto, reports);
                    next = Some(next.unwrap_or_default().max(clock.now_ms() - auto.report_ms) + auto.report_ms);
                }
            }
        }
    }

    fn sub_answers(&self, notices: &mpsc::UnboundedSender<Notice>) -> Vec<(DeviceRef, Answers)> {
        self.subs
            .iter()
            .map(|s| {
                let me = DeviceRef::new(s.identity.pk.clone(), s.identity.dn.clone());
                (me, Answers { brain: s.brain.clone(), notices: notices.clone(), trace: self.trace.clone() })
            })
            .collect()
    }

    /// Log switch, desired properties, shadow; a gateway attaches and logs in its sub-devices.
    async fn on_connect(&self, dev: &Device, subs: &[(DeviceRef, Answers)]) {
        let log_get = json!({"getType": "content", "configScope": "device"});
        if let Ok(r) = dev
            .request(&dev.sys_topic("thing/config/log/get"), Some("thing.config.log.get"), log_get, QoS::AtMostOnce)
            .await
        {
            if let Some(mode) = find_mode(&r.data) {
                self.brain.memory().log_on = mode == 1;
            }
        }
        let rw: Vec<Value> = self.brain.memory().sticky.keys().map(|k| json!(k)).collect();
        if !rw.is_empty() {
            let topic = dev.sys_topic("thing/property/desired/get");
            if let Ok(r) =
                dev.request(&topic, Some("thing.property.desired.get"), Value::Array(rw), QoS::AtMostOnce).await
            {
                let desired: Map<String, Value> = r
                    .data
                    .as_object()
                    .map(|o| o.iter().filter_map(|(k, v)| Some((k.clone(), v.get("value")?.clone()))).collect())
                    .unwrap_or_default();
                if !desired.is_empty() && self.brain.set(&desired).is_ok() {
                    self.post_properties(dev, &self.me(), desired);
                }
            }
        }
        let shadow = format!("/shadow/update/{}/{}", self.identity.pk, self.identity.dn);
        let _ = dev.client.publish_nowait(&shadow, QoS::AtLeastOnce, json!({"method": "get"}).to_string());
        if !subs.is_empty() {
            self.login_subs(dev).await;
        }
    }

    async fn login_subs(&self, dev: &Device) {
        let ts = self.brain.clock.now_ms().to_string();
        let signed: Vec<Value> = self
            .subs
            .iter()
            .map(|s| {
                let (pk, dn) = (&s.identity.pk, &s.identity.dn);
                let cid = format!("{pk}.{dn}|lan=C,_ss=1|");
                let sign = model::alink::sign::sub_device_sign(
                    devclient::SignMethod::HmacSha256,
                    &s.identity.secret,
                    &cid,
                    pk,
                    dn,
                    &ts,
                );
                json!({"productKey": pk, "deviceName": dn, "clientId": cid, "timestamp": ts, "signMethod": "hmacSha256", "sign": sign})
            })
            .collect();
        let topo = dev.sys_topic("thing/topo/add");
        if let Err(e) = dev.request(&topo, Some("thing.topo.add"), Value::Array(signed.clone()), QoS::AtLeastOnce).await
        {
            tracing::debug!(gateway = %self.identity.dn, "topo/add: {e}");
        }
        let login = format!("/ext/session/{}/{}/combine/batch_login", self.identity.pk, self.identity.dn);
        let params = json!({"signMethod": "hmacSha256", "deviceList": signed});
        if let Err(e) = dev.request(&login, Some("combine.batch.login"), params, QoS::AtMostOnce).await {
            tracing::debug!(gateway = %self.identity.dn, "batch_login: {e}");
        }
    }

    /// A message the handler did not take: the log switch, the shadow, a sub-device's call, a
    /// subscribed topic.
    fn inbound(&self, dev: &Device, subs: &[(DeviceRef, Answers)], m: Message) {
        let now = self.brain.clock.now_ms();
        if m.topic.ends_with("/thing/config/log/push") {
            if let Some(mode) = find_mode(&m.json()) {
                self.brain.memory().log_on = mode == 1;
            }
        } else if m.topic.starts_with("/shadow/get/") {
            self.shadow_reply(dev, &m.json());
        } else if m.topic.ends_with("_reply") {
            // Replies to posts sent without waiting: the run log has them.
            return;
        } else {
            for (me, answers) in subs {
                if let Inbound::Call(call) = classify(me, &m.topic, &m.payload) {
                    use devclient::Handler;
                    if let Some(out) = answer(&call, answers.call(&call)) {
                        let _ = dev.client.publish_nowait(&out.topic, out.qos, out.payload);
                    }
                    return;
                }
            }
        }
        self.trace.send(|| TraceLine::down(now, &m.topic, &String::from_utf8_lossy(&m.payload), Value::Null));
    }

    /// The shadow's answer: a desired state is applied (when valid) and reported back.
    fn shadow_reply(&self, dev: &Device, v: &Value) {
        let desired = v["payload"]["state"]["desired"].as_object().cloned().unwrap_or_default();
        let version = v["version"].as_u64().or_else(|| v["payload"]["version"].as_u64()).unwrap_or(0);
        if v["payload"]["state"].is_null() {
            return; // an update's reply
        }
        if !desired.is_empty() && self.brain.set(&desired).is_err() {
            tracing::debug!(device = %self.identity.dn, "shadow desired state does not fit the model");
        }
        let reported = self.brain.current();
        let body = json!({"method": "update", "state": {"reported": reported}, "version": version + 1});
        let topic = format!("/shadow/update/{}/{}", self.identity.pk, self.identity.dn);
        let _ = dev.client.publish_nowait(&topic, QoS::AtLeastOnce, body.to_string());
    }

    async fn command(&self, dev: &Device, c: Command) {
        let now = self.brain.clock.now_ms();
        match c {
            Command::Publish { topic, payload, qos } => {
                self.trace.send(|| TraceLine::up(now, &topic, &payload));
                let _ = dev.client.publish_nowait(&topic, qos, payload);
            }
            Command::Properties(values) => self.post_properties(dev, &self.me(), values),
            Command::Event { id, params } => {
                let topic = dev.sys_topic(&format!("thing/event/{id}/post"));
                self.trace.send(|| TraceLine::up(now, &topic, &params.to_string()));
                let _ = dev.post_event_nowait(&id, params);
            }
            Command::Subscribe { topic, done } => {
                let r = match dev.client.subscribe(&topic, QoS::AtMostOnce).await {
                    Ok(codes) if codes.iter().all(|c| !matches!(c, devclient::SubscribeReasonCode::Failure)) => Ok(()),
                    Ok(_) => Err(format!("the broker refused the subscription to {topic}")),
                    Err(e) => Err(e.to_string()),
                };
                let _ = done.send(r);
            }
        }
    }

    fn post_properties(&self, dev: &Device, who: &DeviceRef, values: Map<String, Value>) {
        let topic = format!("/sys/{}/{}/thing/event/property/post", who.pk, who.dn);
        let params = Value::Object(values);
        self.trace.send(|| TraceLine::up(self.brain.clock.now_ms(), &topic, &params.to_string()));
        let _ = dev.request_nowait(&topic, Some("thing.event.property.post"), params, QoS::AtLeastOnce);
    }

    /// One report of the demo fleet's behaviour.
    fn tick(&self, dev: &Device, subs: &[(DeviceRef, Answers)], auto: &Auto, n: u64) {
        let now = self.brain.clock.now_ms();
        let seed = self.brain.seed;
        let mut values = self.brain.current();
        if auto.tsl_error_every > 0 && (n + seed).is_multiple_of(auto.tsl_error_every) {
            spoil(&self.brain.model, &mut values);
        }
        self.post_properties(dev, &self.me(), values);
        for (me, a) in subs {
            self.post_properties(dev, me, a.brain.current());
        }
        let events: Vec<_> = self.brain.model.events.iter().filter(|e| !e.is_builtin()).collect();
        if auto.event_every > 0 && (n + seed / 7).is_multiple_of(auto.event_every) && !events.is_empty() {
            let e = events[((n + seed) % events.len() as u64) as usize];
            let params = Value::Object(simulate::outputs(&e.output_data, seed ^ n, now));
            let _ = dev.post_event_nowait(&e.identifier, params);
        }
        if auto.diag_every > 0 && (n + seed / 3).is_multiple_of(auto.diag_every) {
            let topic = dev.sys_topic("_thing/diag/post");
            let _ = dev.request_nowait(
                &topic,
                Some("_thing.diag.post"),
                simulate::wifi_diag(seed, now, 15),
                QoS::AtMostOnce,
            );
        }
        if self.brain.memory().log_on {
            let level = if simulate::noise(seed, n) > 0.8 { "WARN" } else { "INFO" };
            let line = json!([{
                "utcTime": utc_time(now),
                "logLevel": level,
                "module": "app",
                "code": if level == "WARN" { "4201" } else { "0" },
                "traceContext": n.to_string(),
                "logContent": format!("report #{n}: {} properties", self.brain.model.properties.len()),
            }]);
            let _ = dev.request_nowait(&dev.sys_topic("thing/log/post"), Some("thing.log.post"), line, QoS::AtMostOnce);
        }
    }
}

/// An occasional TSL error, as real firmware makes them: the first bounded number goes out of
/// its range (the platform answers with the seed's code, the run log shows it).
fn spoil(model: &ThingModel, values: &mut Map<String, Value>) {
    for p in &model.properties {
        if let DataType::Int(s) | DataType::Float(s) | DataType::Double(s) = &p.data_type {
            if let Some(max) = s.max_f64() {
                values.insert(p.identifier.clone(), json!(max.ceil() as i64 + 1000));
                return;
            }
        }
    }
}

/// `"mode": 0|1` anywhere in a log-switch payload (ALINK.md "Log switch").
pub fn find_mode(v: &Value) -> Option<i64> {
    match v {
        Value::Object(o) => o.get("mode").and_then(Value::as_i64).or_else(|| o.values().find_map(find_mode)),
        Value::Array(a) => a.iter().find_map(find_mode),
        _ => None,
    }
}

/// `2026-12-02 18:24:19.123`, the shape C4 writes in `utcTime`.
fn utc_time(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_switch_is_found_anywhere() {
        assert_eq!(find_mode(&json!({"data": {"content": {"mode": 1}}})), Some(1));
        assert_eq!(find_mode(&json!({"params": [{"x": 1}, {"mode": 0}]})), Some(0));
        assert_eq!(find_mode(&json!({"code": 200})), None);
    }

    #[test]
    fn utc_time_has_milliseconds() {
        assert_eq!(utc_time(1_700_000_000_123), "2023-11-14 22:13:20.123");
    }
}
