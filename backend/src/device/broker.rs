//! Where devices reach the MQTT broker, as the console tells people.
//!
//! `--mqtt-public HOST:PORT` when set (NAT, load balancers and DNS names are invisible from
//! here). Otherwise the host name the browser used for this request — the console and the
//! broker usually share a host — with the MQTT listener's bound port. `X-Forwarded-Host` is not
//! trusted for this: behind a reverse proxy the HTTP and MQTT paths differ anyway, which is what
//! `--mqtt-public` is for.

use axum::http::header::HOST;
use axum::http::HeaderMap;
use model::device::connection::BrokerAddress;

use crate::config::Settings;

pub fn address(settings: &Settings, headers: &HeaderMap) -> BrokerAddress {
    let tls_port = settings.mqtt_tls.as_ref().map(|t| t.addr.port());
    match &settings.mqtt_public {
        Some(p) => BrokerAddress { host: p.host.clone(), port: p.port, tls_port, configured: true },
        None => {
            let host = headers.get(HOST).and_then(|h| h.to_str().ok()).and_then(host_name).unwrap_or_else(|| {
                // No usable Host header (HTTP/1.0 tools): the listener's own address, if it
                // names one.
                let ip = settings.mqtt.ip();
                if ip.is_unspecified() {
                    "localhost".to_string()
                } else {
                    ip.to_string()
                }
            });
            BrokerAddress { host, port: settings.mqtt.port(), tls_port, configured: false }
        }
    }
}

/// The host part of a `Host` header (`example.com:8080` → `example.com`, `[::1]:8080` →
/// `[::1]`); `None` for anything that is not a plain host name or address.
fn host_name(header: &str) -> Option<String> {
    let h = header.trim();
    let host = if h.starts_with('[') { &h[..=h.find(']')?] } else { h.split(':').next()? };
    let ok = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || "-.[]:".contains(c));
    ok.then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::host_name;

    #[test]
    fn host_header_loses_its_port_and_junk_is_refused() {
        assert_eq!(host_name("Console.Example.com:8080").as_deref(), Some("console.example.com"));
        assert_eq!(host_name("10.0.0.5").as_deref(), Some("10.0.0.5"));
        assert_eq!(host_name("[::1]:8080").as_deref(), Some("[::1]"));
        assert_eq!(host_name("evil.com/<script>"), None);
        assert_eq!(host_name(""), None);
        assert_eq!(host_name("[::1"), None);
    }
}
