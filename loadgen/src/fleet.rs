//! Many device connections at once: credentials as the Python SDK signs them, source addresses
//! spread over 127.L.x.y, bounded connect concurrency.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use futures::StreamExt;
use model::alink::{device_credentials, Sdk};

use crate::mqtt::{self, Login, Reader, Writer};
use crate::payload::{device_name, device_secret};

/// Connections per source address at most (the ephemeral range has ~28k ports per address).
pub const PER_SOURCE_IP: usize = 10_000;

/// The Python SDK's keepalive.
pub const KEEP_ALIVE_SECS: u16 = 60;

/// CONNECT of device `i` as the Python SDK 1.2.13 sends it (HMAC-SHA1 over the clientId etc.).
/// Mosquitto gets the very same packet (it accepts any login).
pub fn login(pk: &str, i: usize) -> Login {
    let ts = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let c = device_credentials(Sdk::Python, pk, &device_name(i), &device_secret(i), ts);
    Login {
        client_id: c.client_id,
        username: Some(c.username),
        password: Some(c.password),
        keep_alive: KEEP_ALIVE_SECS,
    }
}

/// Source addresses available: 127.0.0.2 ..= 127.0.0.251.
pub const SOURCE_IPS: usize = 250;

/// Source address of connection `i` of a run whose first address is `first` (an index into
/// 127.0.0.2 ..= 127.0.0.251): a new address every [`PER_SOURCE_IP`] connections. Consecutive
/// runs start at different addresses, so ports still in TIME_WAIT from an earlier run are never
/// needed again.
pub fn source_ip(first: usize, i: usize) -> IpAddr {
    let k = (first + i / PER_SOURCE_IP) % SOURCE_IPS;
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + k as u8))
}

/// Outcome of connecting a fleet.
pub struct Connected {
    pub conns: Vec<(usize, Reader, Writer)>,
    pub failed: usize,
    pub first_error: Option<String>,
    pub elapsed: Duration,
}

/// Connect devices `ids` to `broker`, at most `concurrency` handshakes at a time, one retry each.
pub async fn connect_all(
    broker: SocketAddr,
    pk: &str,
    ids: std::ops::Range<usize>,
    lane: usize,
    concurrency: usize,
    deadline: Duration,
) -> Connected {
    let start = tokio::time::Instant::now();
    let end = start + deadline;
    let results: Vec<(usize, anyhow::Result<(Reader, Writer)>)> = futures::stream::iter(ids)
        .map(|i| {
            let pk = pk.to_string();
            async move {
                let mut last = Err(anyhow::anyhow!("connect deadline passed"));
                for _attempt in 0..2 {
                    let left = end.saturating_duration_since(tokio::time::Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    last = mqtt::connect(
                        broker,
                        Some(source_ip(lane, i)),
                        &login(&pk, i),
                        left.min(Duration::from_secs(30)),
                    )
                    .await;
                    if last.is_ok() || last.as_ref().err().is_some_and(|e| e.is::<mqtt::Refused>()) {
                        break;
                    }
                }
                (i, last)
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut conns = Vec::with_capacity(results.len());
    let mut failed = 0;
    let mut first_error = None;
    for (i, r) in results {
        match r {
            Ok((rd, wr)) => conns.push((i, rd, wr)),
            Err(e) => {
                failed += 1;
                first_error.get_or_insert_with(|| format!("device {i}: {e:#}"));
            }
        }
    }
    conns.sort_by_key(|c| c.0);
    Connected { conns, failed, first_error, elapsed: start.elapsed() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_addresses_spread() {
        assert_eq!(source_ip(3, 0).to_string(), "127.0.0.5");
        assert_eq!(source_ip(3, PER_SOURCE_IP - 1).to_string(), "127.0.0.5");
        assert_eq!(source_ip(3, PER_SOURCE_IP).to_string(), "127.0.0.6");
        assert_eq!(source_ip(0, 0).to_string(), "127.0.0.2");
        assert_eq!(source_ip(249, 0).to_string(), "127.0.0.251");
        assert_eq!(source_ip(249, PER_SOURCE_IP).to_string(), "127.0.0.2");
    }

    #[test]
    fn logins_sign_like_the_python_sdk() {
        let l = login("a1FakePK001", 5);
        assert!(l.client_id.starts_with("a1FakePK001&lg000005|securemode=3,signmethod=hmacsha1,"));
        assert_eq!(l.username.as_deref(), Some("lg000005&a1FakePK001"));
        assert_eq!(l.password.as_ref().map(String::len), Some(40));
    }
}
