//! Many device connections at once, through devclient: credentials as the Python SDK signs
//! them, source addresses spread over 127.0.0.x, bounded connect concurrency. loadgen drives
//! the raw [`Reader`]/[`Writer`] halves itself, so client-side overhead is the same in the
//! fleetdeck run and in its Mosquitto baseline.

use std::net::SocketAddr;
use std::time::Duration;

use devclient::{handshake, ConnectOptions, DeviceOptions, Identity, Reader, Writer};

use crate::payload::{device_name, device_secret};

pub use devclient::{source_ip, PER_SOURCE_IP, SOURCE_IPS};

/// The Python SDK's keepalive.
pub const KEEP_ALIVE_SECS: u16 = 60;

/// CONNECT of device `i` as the Python SDK 1.2.13 sends it (HMAC-SHA1 over the clientId etc.).
/// Mosquitto gets the very same packet (it accepts any login).
pub fn login(pk: &str, i: usize) -> ConnectOptions {
    let id = Identity::new(pk, device_name(i), device_secret(i));
    let o = DeviceOptions { keep_alive: Some(KEEP_ALIVE_SECS), ..DeviceOptions::python() };
    o.connect_options(&id)
}

/// Outcome of connecting a fleet: `(device index, (reader, writer))`, sorted.
pub type Connected = devclient::Connected<(Reader, Writer)>;

/// Connect devices `ids` to `broker`, at most `concurrency` handshakes at a time, one retry each.
pub async fn connect_all(
    broker: SocketAddr,
    pk: &str,
    ids: std::ops::Range<usize>,
    lane: usize,
    concurrency: usize,
    deadline: Duration,
) -> Connected {
    devclient::connect_all(ids, concurrency, deadline, |i, left| {
        let o = ConnectOptions {
            source: Some(source_ip(lane, i)),
            connack_timeout: left.min(Duration::from_secs(30)),
            ..login(pk, i)
        };
        async move { handshake(broker, &o).await?.accepted() }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_sign_like_the_python_sdk() {
        let l = login("a1FakePK001", 5);
        assert!(l.client_id.starts_with("a1FakePK001&lg000005|securemode=3,signmethod=hmacsha1,"));
        assert_eq!(l.username.as_deref(), Some("lg000005&a1FakePK001"));
        assert_eq!(l.password.as_ref().map(String::len), Some(40));
        assert_eq!((l.keep_alive, l.clean_session), (KEEP_ALIVE_SECS, true));
    }
}
