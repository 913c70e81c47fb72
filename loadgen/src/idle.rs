//! Measurement 3, memory per idle device: connect N devices (CONNECT as the Python SDK, then
//! only PINGREQ every keepalive/2), let the broker settle, read its RSS from /proc.

use std::net::SocketAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::fleet::{self, KEEP_ALIVE_SECS};
use crate::procs::rss_bytes;
use crate::stats::Spread;
use devclient::{Reader, Writer};

#[derive(Debug, Clone)]
pub struct Opts {
    pub devices: usize,
    /// Connect handshakes in flight at most.
    pub concurrency: usize,
    /// Wait this long after the last CONNACK before sampling.
    pub settle_secs: u64,
    /// RSS samples, one per second; the median is reported.
    pub samples: usize,
    pub connect_deadline_secs: u64,
    pub lane: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Outcome {
    pub devices: usize,
    pub connected: usize,
    pub failed: usize,
    pub connect_secs: f64,
    /// Connections still open when the last sample was taken.
    pub still_open: usize,
    pub rss_before: u64,
    pub rss: u64,
    pub rss_peak: u64,
    pub error: Option<String>,
}

/// Connect, settle, sample the RSS of `pid`, disconnect.
pub async fn run(broker: SocketAddr, pk: &str, pid: u32, o: &Opts) -> Outcome {
    let mut out = Outcome { devices: o.devices, ..Default::default() };
    out.rss_before = rss_bytes(pid).unwrap_or(0);
    let c = fleet::connect_all(
        broker,
        pk,
        0..o.devices,
        o.lane,
        o.concurrency,
        Duration::from_secs(o.connect_deadline_secs),
    )
    .await;
    out.connected = c.conns.len();
    out.failed = c.failed;
    out.connect_secs = c.elapsed.as_secs_f64();
    out.error = c.first_error;
    let (stop_tx, stop_rx) = watch::channel(false);
    let tasks: Vec<_> = c.conns.into_iter().map(|(_, (rd, wr))| tokio::spawn(idle(rd, wr, stop_rx.clone()))).collect();
    tokio::time::sleep(Duration::from_secs(o.settle_secs)).await;
    let mut samples = Vec::new();
    for k in 0..o.samples.max(1) {
        if k > 0 {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        match rss_bytes(pid) {
            Ok(b) => samples.push(b as f64),
            Err(e) => {
                out.error.get_or_insert_with(|| format!("{e:#}"));
                break;
            }
        }
    }
    out.rss = Spread::of(&samples).map(|s| s.median as u64).unwrap_or(0);
    out.rss_peak = crate::procs::rss_peak_bytes(pid).unwrap_or(0);
    out.still_open = tasks.iter().filter(|t| !t.is_finished()).count();
    let _ = stop_tx.send(true);
    let deadline = Instant::now() + Duration::from_secs(30);
    for t in tasks {
        let _ = tokio::time::timeout_at(deadline, t).await;
    }
    out
}

/// An idle device: answers nothing, pings every keepalive/2, reads whatever comes (PINGRESP, a
/// downlink), ends when the broker closes or `stop` is set (then just drops the socket).
async fn idle(mut rd: Reader, mut wr: Writer, mut stop: watch::Receiver<bool>) {
    let period = Duration::from_secs(u64::from(KEEP_ALIVE_SECS) / 2);
    let mut ping = tokio::time::interval_at(Instant::now() + period, period);
    loop {
        tokio::select! {
            _ = ping.tick() => {
                wr.pingreq();
                if wr.flush().await.is_err() {
                    return;
                }
            }
            p = rd.next() => match p {
                Ok(Some(p)) => {
                    if devclient::ack_if_publish(&mut wr, p).is_some() && wr.flush().await.is_err() {
                        return;
                    }
                }
                _ => return,
            },
            _ = stop.changed() => return,
        }
    }
}
