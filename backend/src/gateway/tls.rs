//! MQTT over TLS (the Link SDKs' default, port 8883): terminated here with rustls (ring), then
//! spliced to a loopback rmqtt listener behind a PROXY protocol v1 header carrying the device's
//! real address.
//!
//! rmqtt's own `tls` feature would pull in aws-lc (a long C build); everything here is already
//! in the dependency tree.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

use crate::config::MqttTls;

/// A client that does not finish its handshake in this time is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

fn server_config(tls: &MqttTls) -> anyhow::Result<ServerConfig> {
    let certs = CertificateDer::pem_file_iter(&tls.cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| anyhow::anyhow!("TLS certificate {}: {e}", tls.cert.display()))?;
    if certs.is_empty() {
        anyhow::bail!("TLS certificate {}: no certificate found", tls.cert.display());
    }
    let key =
        PrivateKeyDer::from_pem_file(&tls.key).map_err(|e| anyhow::anyhow!("TLS key {}: {e}", tls.key.display()))?;
    let cfg = ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| anyhow::anyhow!("TLS certificate/key: {e}"))?;
    Ok(cfg)
}

/// The PROXY v1 line for a connection from `src` (the destination is informative only).
fn proxy_header(src: SocketAddr, dst: SocketAddr) -> String {
    match (src, dst) {
        (SocketAddr::V4(s), SocketAddr::V4(d)) => {
            format!("PROXY TCP4 {} {} {} {}\r\n", s.ip(), d.ip(), s.port(), d.port())
        }
        (s, d) => {
            let v6 = |a: SocketAddr| match a {
                SocketAddr::V4(a) => a.ip().to_ipv6_mapped(),
                SocketAddr::V6(a) => *a.ip(),
            };
            format!("PROXY TCP6 {} {} {} {}\r\n", v6(s), v6(d), s.port(), d.port())
        }
    }
}

/// Bind the TLS listener and start accepting; returns its address and the accept task.
pub async fn spawn(tls: &MqttTls, backend: SocketAddr) -> anyhow::Result<(SocketAddr, AbortHandle)> {
    let acceptor = TlsAcceptor::from(Arc::new(server_config(tls)?));
    let listener = TcpListener::bind(tls.addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen for MQTT/TLS on {}: {e}", tls.addr))?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let (tcp, peer) = match listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "MQTT/TLS accept failed");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Err(e) = splice(acceptor, tcp, peer, backend).await {
                    tracing::debug!(error = %e, %peer, "MQTT/TLS connection ended");
                }
            });
        }
    });
    Ok((addr, task.abort_handle()))
}

async fn splice(acceptor: TlsAcceptor, tcp: TcpStream, peer: SocketAddr, backend: SocketAddr) -> anyhow::Result<()> {
    let _ = tcp.set_nodelay(true);
    let mut tls = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await??;
    let mut inner = TcpStream::connect(backend).await?;
    let _ = inner.set_nodelay(true);
    inner.write_all(proxy_header(peer, backend).as_bytes()).await?;
    tokio::io::copy_bidirectional(&mut tls, &mut inner).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_headers() {
        let b: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        assert_eq!(proxy_header("10.0.0.7:5555".parse().unwrap(), b), "PROXY TCP4 10.0.0.7 127.0.0.1 5555 4000\r\n");
        assert_eq!(
            proxy_header("[2001:db8::1]:5555".parse().unwrap(), b),
            "PROXY TCP6 2001:db8::1 ::ffff:127.0.0.1 5555 4000\r\n"
        );
    }
}
