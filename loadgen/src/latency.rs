//! Measurement 2, device → browser latency at a fixed total rate: many devices publish
//! property posts, open loop (a scheduler hands out sequence numbers at `rate`/s whatever the
//! broker does), and the receiver — fleetdeck's WebSocket subscribed to the product, or a Mosquitto
//! subscriber for the baseline — matches each message by its Alink id to the instant the device
//! wrote it to its socket. Messages that never arrive count as infinitely late.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use devclient::{ack_if_publish, Packet, QoS, Reader, Writer};
use futures::{SinkExt, StreamExt};
use model::ws::{Direction, LiveEvent, ServerMsg};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use crate::api::{Api, Ws};
use crate::fleet;
use crate::ingest::{next, subscribe};
use crate::payload::{alink_id, device_name, property_post, property_topic, reply_code};
use crate::stats::Samples;

#[derive(Debug, Clone)]
pub struct Opts {
    pub devices: usize,
    /// Messages per second, all devices together.
    pub rate: u64,
    pub secs: u64,
    /// Messages of the first `warmup_secs` are sent but not measured.
    pub warmup_secs: u64,
    /// How long after the last send the receiver keeps waiting.
    pub drain_secs: u64,
    pub lane: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Outcome {
    pub sent: u64,
    /// Achieved send rate, msg/s.
    pub send_rate: f64,
    pub received: u64,
    /// Measured messages (after the warm-up) that never arrived.
    pub missing: u64,
    /// `dropped` notices of the WebSocket (events the server dropped for a slow client).
    pub ws_dropped: u64,
    /// fleetdeck: `post_reply` code 200 received by the devices.
    pub replies_ok: u64,
    /// fleetdeck: device-side round trip post → `post_reply` (no WebSocket involved), p50/p99.
    pub reply_p50_us: Option<u64>,
    pub reply_p99_us: Option<u64>,
    pub p50_us: Option<u64>,
    pub p99_us: Option<u64>,
    pub p999_us: Option<u64>,
    pub max_us: Option<u64>,
    pub connect_failures: usize,
    pub error: Option<String>,
}

/// Send instants, ns since `t0` + 1 (0 = not sent).
struct Clock {
    t0: std::time::Instant,
    sent_at: Vec<AtomicU64>,
}

impl Clock {
    fn new(total: usize) -> Clock {
        Clock { t0: std::time::Instant::now(), sent_at: (0..total).map(|_| AtomicU64::new(0)).collect() }
    }
    fn now_ns(&self) -> u64 {
        self.t0.elapsed().as_nanos() as u64 + 1
    }
}

/// What the receiver saw.
#[derive(Default)]
struct Seen {
    got: Vec<bool>,
    received: u64,
    samples: Samples,
    ws_dropped: u64,
    warmup: u64,
}

impl Seen {
    fn new(total: usize, warmup: u64) -> Seen {
        Seen { got: vec![false; total], samples: Samples::with_capacity(total), warmup, ..Default::default() }
    }

    fn arrived(&mut self, clock: &Clock, seq: u64, at_ns: u64) {
        let Some(flag) = self.got.get_mut(seq as usize) else { return };
        let sent = clock.sent_at[seq as usize].load(Ordering::Acquire);
        if *flag || sent == 0 {
            return;
        }
        *flag = true;
        self.received += 1;
        if seq >= self.warmup {
            self.samples.push(at_ns.saturating_sub(sent) / 1000);
        }
    }

    fn finish(mut self, o: &mut Outcome) {
        for seq in self.warmup as usize..self.got.len() {
            if !self.got[seq] {
                o.missing += 1;
                self.samples.push(u64::MAX);
            }
        }
        o.received = self.received;
        o.ws_dropped = self.ws_dropped;
        o.p50_us = self.samples.percentile(50.0);
        o.p99_us = self.samples.percentile(99.0);
        o.p999_us = self.samples.percentile(99.9);
        o.max_us = self.samples.percentile(100.0);
    }
}

/// fleetdeck: devices → embedded broker → gateway → WebSocket (`product` stream).
pub async fn fleetdeck(broker: SocketAddr, api: &Api, pk: &str, o: &Opts) -> Outcome {
    let mut out = Outcome::default();
    let mut ws = match open_ws(api, pk).await {
        Ok(ws) => ws,
        Err(e) => {
            out.error = Some(format!("{e:#}"));
            return out;
        }
    };
    let total = (o.rate * o.secs) as usize;
    let clock = Arc::new(Clock::new(total));
    let mut seen = Seen::new(total, o.rate * o.warmup_secs);
    let run = Run::start(broker, pk, o, clock.clone(), true, &mut out).await;
    let deadline = run.send_deadline + Duration::from_secs(o.drain_secs);
    while seen.received < total as u64 {
        let frame = match tokio::time::timeout_at(deadline, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => t,
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(e))) => {
                out.error = Some(format!("WebSocket: {e}"));
                break;
            }
            Ok(None) => {
                out.error = Some("WebSocket closed".into());
                break;
            }
            Err(_) => break,
        };
        let at = clock.now_ns();
        match serde_json::from_str::<ServerMsg>(&frame) {
            Ok(msg) => walk(&msg, &mut |m| on_ws_frame(m, &clock, &mut seen, at)),
            Err(e) => {
                out.error = Some(format!("unreadable WebSocket frame: {e}"));
                break;
            }
        }
    }
    run.finish(&mut out).await;
    let _ = tokio::time::timeout(Duration::from_secs(5), ws.close(None)).await;
    seen.finish(&mut out);
    out
}

async fn open_ws(api: &Api, pk: &str) -> anyhow::Result<Ws> {
    let mut ws = api.websocket().await?;
    let sub = serde_json::json!({"type": "subscribe", "id": 1, "stream": {"kind": "product", "product_key": pk}});
    ws.send(Message::Text(sub.to_string().into())).await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let Ok(Some(Ok(m))) = tokio::time::timeout_at(deadline, ws.next()).await else {
            anyhow::bail!("no `subscribed` on the WebSocket within 10 s");
        };
        if let Message::Text(t) = m {
            let mut ok = false;
            walk(&serde_json::from_str::<ServerMsg>(&t)?, &mut |m| ok |= matches!(m, ServerMsg::Subscribed { id: 1 }));
            if ok {
                return Ok(ws);
            }
        }
    }
}

/// Every frame of a message, batches flattened.
fn walk(m: &ServerMsg, f: &mut dyn FnMut(&ServerMsg)) {
    match m {
        ServerMsg::Batch { frames } => frames.iter().for_each(|x| walk(x, f)),
        other => f(other),
    }
}

fn on_ws_frame(m: &ServerMsg, clock: &Clock, seen: &mut Seen, at: u64) {
    match m {
        ServerMsg::Event { event: LiveEvent::Message { direction: Direction::Up, topic, payload, .. }, .. }
            if topic.ends_with("/thing/event/property/post") =>
        {
            if let Some(seq) = alink_id(payload.as_bytes()) {
                seen.arrived(clock, seq, at);
            }
        }
        ServerMsg::Dropped { count } => seen.ws_dropped += count,
        _ => {}
    }
}

/// Broker-only baseline: the same devices → Mosquitto → one QoS1 subscriber.
pub async fn mosquitto(broker: SocketAddr, pk: &str, o: &Opts) -> Outcome {
    let mut out = Outcome::default();
    let (mut rd, mut wr) = match subscribe(broker, pk, o.lane).await {
        Ok(c) => c,
        Err(e) => {
            out.error = Some(format!("{e:#}"));
            return out;
        }
    };
    let total = (o.rate * o.secs) as usize;
    let clock = Arc::new(Clock::new(total));
    let mut seen = Seen::new(total, o.rate * o.warmup_secs);
    let run = Run::start(broker, pk, o, clock.clone(), false, &mut out).await;
    let deadline = run.send_deadline + Duration::from_secs(o.drain_secs);
    while seen.received < total as u64 {
        let Ok(p) = next(&mut rd, deadline).await else { break };
        let at = clock.now_ns();
        let mut p = Some(p);
        while let Some(pkt) = p {
            if let Some(publish) = ack_if_publish(&mut wr, pkt) {
                if let Some(seq) = alink_id(&publish.payload) {
                    seen.arrived(&clock, seq, at);
                }
            }
            p = rd.buffered().ok().flatten();
        }
        if wr.flush().await.is_err() {
            break;
        }
    }
    run.finish(&mut out).await;
    wr.disconnect();
    let _ = wr.flush().await;
    seen.finish(&mut out);
    out
}

/// The publishing side of a run: connected devices and the open-loop scheduler.
struct Run {
    devices: Vec<tokio::task::JoinHandle<Published>>,
    scheduler: tokio::task::JoinHandle<(u64, f64)>,
    send_deadline: Instant,
}

impl Run {
    async fn start(
        broker: SocketAddr,
        pk: &str,
        o: &Opts,
        clock: Arc<Clock>,
        expect_reply: bool,
        out: &mut Outcome,
    ) -> Run {
        let c = fleet::connect_all(broker, pk, 0..o.devices, o.lane, 200, Duration::from_secs(60)).await;
        out.connect_failures = c.failed;
        if out.error.is_none() {
            out.error = c.first_error;
        }
        // Everything still in flight is given up 2 s after the receiver's deadline.
        let send_deadline = Instant::now() + Duration::from_secs(o.secs + 1);
        let hard_stop = send_deadline + Duration::from_secs(o.drain_secs + 2);
        let mut txs = Vec::new();
        let mut devices = Vec::new();
        for (i, (rd, wr)) in c.conns {
            let (tx, rx) = mpsc::unbounded_channel();
            txs.push(tx);
            let topic = property_topic(pk, &device_name(i));
            let warmup = o.rate * o.warmup_secs;
            devices.push(tokio::spawn(publisher(rd, wr, topic, rx, clock.clone(), expect_reply, warmup, hard_stop)));
        }
        let (rate, total) = (o.rate, o.rate * o.secs);
        let scheduler = tokio::spawn(async move {
            if txs.is_empty() {
                return (0, 0.0);
            }
            let start = Instant::now();
            let mut sent = 0u64;
            while sent < total && Instant::now() < send_deadline {
                let due = ((start.elapsed().as_secs_f64() * rate as f64) as u64).min(total);
                while sent < due {
                    let _ = txs[(sent % txs.len() as u64) as usize].send(sent);
                    sent += 1;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            (sent, sent as f64 / start.elapsed().as_secs_f64())
        });
        Run { devices, scheduler, send_deadline }
    }

    async fn finish(self, out: &mut Outcome) {
        let (sent, rate) = self.scheduler.await.unwrap_or((0, 0.0));
        out.sent = sent;
        out.send_rate = rate;
        let mut rtt = Samples::with_capacity(out.sent as usize);
        for d in self.devices {
            let p = d.await.unwrap_or_default();
            out.replies_ok += p.replies;
            p.rtt_us.into_iter().for_each(|x| rtt.push(x));
        }
        out.reply_p50_us = rtt.percentile(50.0);
        out.reply_p99_us = rtt.percentile(99.0);
    }
}

/// What one publishing device saw.
#[derive(Default)]
struct Published {
    replies: u64,
    /// post → `post_reply` round trips of measured (post-warm-up) posts, µs.
    rtt_us: Vec<u64>,
}

/// One device: publishes what the scheduler hands it (timestamping each right before the socket
/// write), acks downlinks, counts PUBACKs and `post_reply` 200s. Ends when the scheduler is done
/// and everything is acknowledged, or at `hard_stop`.
#[allow(clippy::too_many_arguments)]
async fn publisher(
    mut rd: Reader,
    mut wr: Writer,
    topic: String,
    mut rx: mpsc::UnboundedReceiver<u64>,
    clock: Arc<Clock>,
    expect_reply: bool,
    warmup: u64,
    hard_stop: Instant,
) -> Published {
    let reply_topic = format!("{topic}_reply");
    let (mut sent, mut acked, mut replies) = (0u64, 0u64, 0u64);
    let mut rtt_us = Vec::new();
    let mut open = true;
    let mut batch = Vec::new();
    loop {
        let done = if expect_reply { replies } else { acked };
        if !open && done >= sent {
            break;
        }
        tokio::select! {
            seq = rx.recv(), if open => match seq {
                Some(seq) => {
                    batch.push(seq);
                    while let Ok(more) = rx.try_recv() {
                        batch.push(more);
                    }
                    for &s in &batch {
                        wr.publish(&topic, QoS::AtLeastOnce, Bytes::from(property_post(s)));
                    }
                    let now = clock.now_ns();
                    for s in batch.drain(..) {
                        clock.sent_at[s as usize].store(now, Ordering::Release);
                        sent += 1;
                    }
                }
                None => open = false,
            },
            p = next(&mut rd, hard_stop) => {
                let Ok(p) = p else { break };
                let mut p = Some(p);
                while let Some(pkt) = p {
                    match pkt {
                        Packet::PubAck(_) => acked += 1,
                        other => {
                            if let Some(publish) = ack_if_publish(&mut wr, other) {
                                if publish.topic == reply_topic {
                                    if let Some((seq, 200)) = reply_code(&publish.payload) {
                                        replies += 1;
                                        let at = clock.sent_at.get(seq as usize).map(|a| a.load(Ordering::Acquire));
                                        if let (true, Some(sent_ns @ 1..)) = (seq >= warmup, at) {
                                            rtt_us.push(clock.now_ns().saturating_sub(sent_ns) / 1000);
                                        }
                                    }
                                }
                            }
                        }
                    }
                    p = rd.buffered().ok().flatten();
                }
            }
        }
        if wr.flush().await.is_err() {
            break;
        }
    }
    wr.disconnect();
    let _ = wr.flush().await;
    Published { replies, rtt_us }
}
