//! Many devices at once: bounded connect concurrency, one retry, an overall deadline, and
//! source addresses spread over 127.0.0.x so one broker port can take more than the ~28k
//! connections one source address allows.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use futures::StreamExt;
use tokio::time::Instant;

use crate::error::Error;

/// Connections per source address at most (the ephemeral range has ~28k ports per address).
pub const PER_SOURCE_IP: usize = 10_000;

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
pub struct Connected<T> {
    /// `(index, connection)`, sorted by index.
    pub conns: Vec<(usize, T)>,
    pub failed: usize,
    pub first_error: Option<String>,
    pub elapsed: Duration,
}

/// Connect devices `ids` with `connect(i, time_left)`, at most `concurrency` handshakes at a
/// time, one retry each unless the broker refused (a refusal will not change on retry), all
/// within `deadline`. Works for any connection type: raw [`crate::Reader`]/[`crate::Writer`]
/// pairs (loadgen), [`crate::Client`]s or [`crate::Device`]s.
pub async fn connect_all<T, F, Fut>(
    ids: std::ops::Range<usize>,
    concurrency: usize,
    deadline: Duration,
    connect: F,
) -> Connected<T>
where
    F: Fn(usize, Duration) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let start = Instant::now();
    let end = start + deadline;
    let connect = &connect;
    let results: Vec<(usize, Result<T, Error>)> = futures::stream::iter(ids)
        .map(|i| async move {
            let mut last = Err(Error::Timeout("connection within the fleet's deadline"));
            for _attempt in 0..2 {
                let left = end.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                last = connect(i, left).await;
                if matches!(last, Ok(_) | Err(Error::Refused(_))) {
                    break;
                }
            }
            (i, last)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut conns = Vec::with_capacity(results.len());
    let mut failed = 0;
    let mut first_error = None;
    for (i, r) in results {
        match r {
            Ok(c) => conns.push((i, c)),
            Err(e) => {
                failed += 1;
                first_error.get_or_insert_with(|| format!("device {i}: {e}"));
            }
        }
    }
    conns.sort_by_key(|c| c.0);
    Connected { conns, failed, first_error, elapsed: start.elapsed() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn source_addresses_spread() {
        assert_eq!(source_ip(3, 0).to_string(), "127.0.0.5");
        assert_eq!(source_ip(3, PER_SOURCE_IP - 1).to_string(), "127.0.0.5");
        assert_eq!(source_ip(3, PER_SOURCE_IP).to_string(), "127.0.0.6");
        assert_eq!(source_ip(0, 0).to_string(), "127.0.0.2");
        assert_eq!(source_ip(249, 0).to_string(), "127.0.0.251");
        assert_eq!(source_ip(249, PER_SOURCE_IP).to_string(), "127.0.0.2");
    }

    #[tokio::test]
    async fn concurrency_is_bounded_failures_retried_once_refusals_not() {
        let (now, peak, calls) = (AtomicUsize::new(0), AtomicUsize::new(0), AtomicUsize::new(0));
        let c = connect_all(0..20, 3, Duration::from_secs(10), |i, _left| {
            let (now, peak, calls) = (&now, &peak, &calls);
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
                tokio::task::yield_now().await;
                now.fetch_sub(1, Ordering::SeqCst);
                match i {
                    5 => Err(Error::Closed),
                    7 => Err(Error::Refused(crate::ConnackCode::NotAuthorized)),
                    _ => Ok(i * 10),
                }
            }
        })
        .await;
        assert!(peak.load(Ordering::SeqCst) <= 3);
        assert_eq!(c.failed, 2);
        assert_eq!(calls.load(Ordering::SeqCst), 20 + 1, "device 5 retried once, the refused 7 not");
        assert_eq!(c.conns.len(), 18);
        assert_eq!(c.conns[0], (0, 0));
        assert!(c.conns.windows(2).all(|w| w[0].0 < w[1].0), "sorted by index");
        assert!(c.first_error.is_some());
    }
}
