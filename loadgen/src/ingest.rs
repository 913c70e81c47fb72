//! Measurement 1, ingest rate: N devices post properties at QoS1 as fast as their `post_reply`
//! window allows; every reply is counted. Baseline: Mosquitto 1 publisher → 1 subscriber at QoS1
//! with the same payload.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use devclient::{ack_if_publish, handshake, ConnectOptions, Packet, QoS, Reader, Writer};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::fleet;
use crate::payload::{device_name, property_post, property_post_n, property_topic, reply_code};

#[derive(Debug, Clone)]
pub struct Opts {
    pub devices: usize,
    pub per_device: u64,
    /// Posts per device waiting for their reply at most (the Python SDK allows 40).
    pub window: usize,
    /// Give up after this long (the run then reports what it got).
    pub max_secs: u64,
    pub lane: usize,
    /// Properties per post (1..=3; the benchmark uses 3).
    pub props: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Outcome {
    pub sent: u64,
    pub pubacks: u64,
    /// `post_reply` with code 200 (fleetdeck) / messages delivered to the subscriber (Mosquitto).
    pub delivered: u64,
    /// Replies with another code.
    pub failed_replies: u64,
    pub connect_failures: usize,
    pub seconds: f64,
    pub rate: f64,
    pub timed_out: bool,
    pub error: Option<String>,
}

#[derive(Default)]
struct DeviceStats {
    sent: u64,
    pubacks: u64,
    ok: u64,
    failed: u64,
    last: Option<Instant>,
    timed_out: bool,
    error: Option<String>,
}

/// fleetdeck: every device posts `per_device` property posts; completion = its `post_reply`.
/// Returns the outcome and the instant the posting started (for the time-to-stored check).
pub async fn fleetdeck(broker: SocketAddr, pk: &str, o: &Opts) -> (Outcome, Instant) {
    let c = fleet::connect_all(broker, pk, 0..o.devices, o.lane, 200, Duration::from_secs(60)).await;
    let mut r = Outcome { connect_failures: c.failed, error: c.first_error, ..Default::default() };
    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs(o.max_secs);
    let mut tasks = Vec::new();
    for (i, (rd, wr)) in c.conns {
        let topic = property_topic(pk, &device_name(i));
        let first_seq = i as u64 * o.per_device;
        let (n, window, props) = (o.per_device, o.window.max(1), o.props);
        tasks.push(tokio::spawn(device(rd, wr, topic, first_seq, n, window, props, deadline)));
    }
    let mut last = t0;
    for t in tasks {
        let s = t.await.unwrap_or_default();
        r.sent += s.sent;
        r.pubacks += s.pubacks;
        r.delivered += s.ok;
        r.failed_replies += s.failed;
        r.timed_out |= s.timed_out;
        if r.error.is_none() {
            r.error = s.error;
        }
        if let Some(l) = s.last {
            last = last.max(l);
        }
    }
    r.seconds = (last - t0).as_secs_f64();
    r.rate = if r.seconds > 0.0 { r.delivered as f64 / r.seconds } else { 0.0 };
    (r, t0)
}

#[allow(clippy::too_many_arguments)]
async fn device(
    mut rd: Reader,
    mut wr: Writer,
    topic: String,
    first_seq: u64,
    n: u64,
    window: usize,
    props: usize,
    deadline: Instant,
) -> DeviceStats {
    let mut s = DeviceStats::default();
    let reply_topic = format!("{topic}_reply");
    let handle = |s: &mut DeviceStats, wr: &mut Writer, p: Packet| match p {
        Packet::PubAck(_) => s.pubacks += 1,
        other => {
            if let Some(p) = ack_if_publish(wr, other) {
                if p.topic == reply_topic {
                    s.last = Some(Instant::now());
                    match reply_code(&p.payload) {
                        Some((_, 200)) => s.ok += 1,
                        _ => s.failed += 1,
                    }
                }
            }
        }
    };
    loop {
        let outstanding = s.sent - s.ok - s.failed;
        for _ in outstanding..(window as u64).min(outstanding + n - s.sent) {
            wr.publish(&topic, QoS::AtLeastOnce, Bytes::from(property_post_n(first_seq + s.sent, props)));
            s.sent += 1;
        }
        if let Err(e) = wr.flush().await {
            s.error = Some(format!("write: {e}"));
            break;
        }
        if s.ok + s.failed >= n {
            break;
        }
        match next(&mut rd, deadline).await {
            Ok(p) => handle(&mut s, &mut wr, p),
            Err(Stop::Deadline) => {
                s.timed_out = true;
                break;
            }
            Err(Stop::Error(e)) => {
                s.error = Some(e);
                break;
            }
        }
        while let Ok(Some(p)) = rd.buffered() {
            handle(&mut s, &mut wr, p);
        }
    }
    wr.disconnect();
    let _ = wr.flush().await;
    s
}

pub enum Stop {
    Deadline,
    Error(String),
}

/// The next packet before `deadline`.
pub async fn next(rd: &mut Reader, deadline: Instant) -> Result<Packet, Stop> {
    match tokio::time::timeout_at(deadline, rd.next()).await {
        Err(_) => Err(Stop::Deadline),
        Ok(Ok(Some(p))) => Ok(p),
        Ok(Ok(None)) => Err(Stop::Error("the broker closed the connection".into())),
        Ok(Err(e)) => Err(Stop::Error(format!("read: {e:#}"))),
    }
}

/// A subscriber that acks everything: `(received, last receive)` once `count` arrived or at the
/// deadline.
async fn subscriber(mut rd: Reader, mut wr: Writer, count: u64, deadline: Instant) -> (u64, Option<Instant>) {
    let (mut got, mut last) = (0u64, None);
    while got < count {
        let Ok(p) = next(&mut rd, deadline).await else { break };
        let mut p = Some(p);
        while let Some(pk) = p {
            if ack_if_publish(&mut wr, pk).is_some() {
                got += 1;
                last = Some(Instant::now());
            }
            p = rd.buffered().ok().flatten();
        }
        if wr.flush().await.is_err() {
            break;
        }
    }
    wr.disconnect();
    let _ = wr.flush().await;
    (got, last)
}

/// Connect and subscribe the baseline's subscriber to every device's property topic.
pub async fn subscribe(broker: SocketAddr, pk: &str, lane: usize) -> anyhow::Result<(Reader, Writer)> {
    let o = ConnectOptions {
        source: Some(fleet::source_ip(lane, 0)),
        ..ConnectOptions::new(format!("loadgen-subscriber-{lane}"))
    };
    let (mut rd, mut wr) = handshake(broker, &o).await?.accepted()?;
    wr.subscribe(&format!("/sys/{pk}/+/thing/event/property/post"), QoS::AtLeastOnce);
    wr.flush().await?;
    match tokio::time::timeout(Duration::from_secs(10), rd.next()).await {
        Ok(Ok(Some(Packet::SubAck(_)))) => Ok((rd, wr)),
        other => anyhow::bail!("subscriber: expected SUBACK, got {other:?}"),
    }
}

/// Mosquitto 1→1: one publisher (at most `window` un-acked PUBLISHes), one QoS1 subscriber;
/// completion = delivery to the subscriber. Same payloads and topic shape as the fleet's posts.
pub async fn mosquitto(broker: SocketAddr, pk: &str, count: u64, window: usize, max_secs: u64, lane: usize) -> Outcome {
    let mut r = Outcome::default();
    let (srd, swr) = match subscribe(broker, pk, lane).await {
        Ok(c) => c,
        Err(e) => {
            r.error = Some(format!("{e:#}"));
            return r;
        }
    };
    let o = ConnectOptions { source: Some(fleet::source_ip(lane, 0)), ..fleet::login(pk, 0) };
    let (mut prd, mut pwr) = match handshake(broker, &o).await.and_then(|h| h.accepted()) {
        Ok(c) => c,
        Err(e) => {
            r.error = Some(format!("publisher: {e:#}"));
            return r;
        }
    };
    let topic = property_topic(pk, &device_name(0));
    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs(max_secs);
    let sub = tokio::spawn(subscriber(srd, swr, count, deadline));
    let (mut sent, mut acked) = (0u64, 0u64);
    'outer: while acked < count {
        while sent < count && sent - acked < window as u64 {
            pwr.publish(&topic, QoS::AtLeastOnce, Bytes::from(property_post(sent)));
            sent += 1;
        }
        if pwr.flush().await.is_err() {
            break;
        }
        let mut p = match next(&mut prd, deadline).await {
            Ok(p) => Some(p),
            Err(_) => break 'outer,
        };
        while let Some(pk) = p {
            if matches!(pk, Packet::PubAck(_)) {
                acked += 1;
            }
            p = prd.buffered().ok().flatten();
        }
    }
    pwr.disconnect();
    let _ = pwr.flush().await;
    let (got, last) = sub.await.unwrap_or((0, None));
    r.sent = sent;
    r.pubacks = acked;
    r.delivered = got;
    r.timed_out = got < count && Instant::now() >= deadline;
    r.seconds = last.map(|l| (l - t0).as_secs_f64()).unwrap_or(0.0);
    r.rate = if r.seconds > 0.0 { got as f64 / r.seconds } else { 0.0 };
    r
}
