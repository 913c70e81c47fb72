//! MQTT over TLS: the terminating listener in front of the broker keeps the device's address.

use std::net::SocketAddr;
use std::sync::Arc;

use backend::config::MqttTls;
use devclient::{handshake_over, Handshake};
use model::alink::sign::{device_credentials, Credentials};
use model::alink::Sdk;
use model::registry::DeviceStatus;
use testkit::{options, TestApp};
use tokio::io::{ReadHalf, WriteHalf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::{self, pki_types::ServerName, ClientConfig, RootCertStore};

type TlsHandshake = Handshake<ReadHalf<TlsStream<TcpStream>>, WriteHalf<TlsStream<TcpStream>>>;

/// TLS over `tcp` trusting only `cert`, then CONNECT: the open connection or the refusal.
async fn connect_tls(tcp: TcpStream, cert: &rcgen::CertifiedKey, c: &Credentials) -> TlsHandshake {
    let mut roots = RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    let cfg = ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(cfg));
    let stream = connector.connect(ServerName::try_from("localhost").unwrap(), tcp).await.unwrap();
    handshake_over(stream, &options(c)).await.expect("a CONNACK")
}

/// A TCP connection to `addr` from `source`.
async fn tcp_from(source: &str, addr: SocketAddr) -> TcpStream {
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.bind(format!("{source}:0").parse().unwrap()).unwrap();
    sock.connect(addr).await.unwrap()
}

#[tokio::test]
async fn a_device_connects_over_tls_and_its_address_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.key_pair.serialize_pem()).unwrap();
    let tls = MqttTls { addr: "127.0.0.1:0".parse().unwrap(), cert, key };
    let app = TestApp::builder().gateway().settings(move |s| s.mqtt_tls = Some(tls)).build().await;
    let addr = app.running().mqtts_addr.expect("TLS listener");
    let pk = "a1TlsDevices";
    app.product(pk, false).await;
    let secret = app.device(pk, "dev1").await;

    // From 127.0.0.2, so the address the broker records can only have come through the
    // PROXY header, not from the loopback hop behind the TLS listener.
    let creds = device_credentials(Sdk::Python, pk, "dev1", &secret, 1_700_000_000);
    let accepted = connect_tls(tcp_from("127.0.0.2", addr).await, &ck, &creds).await;
    assert_eq!(accepted.code().as_u8(), 0);
    let rec = app.wait_device(pk, "dev1", "online", |r| r.device.status == DeviceStatus::Online).await;
    assert_eq!(rec.device.ip.as_deref(), Some("127.0.0.2"));

    let wrong = device_credentials(Sdk::Python, pk, "dev1", "wrong", 1_700_000_000);
    let refused = connect_tls(TcpStream::connect(addr).await.unwrap(), &ck, &wrong).await;
    assert_eq!(refused.code().as_u8(), 4);
    drop(accepted);
}

#[tokio::test]
async fn a_port_in_use_is_an_error_not_an_exit() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let mqtt = format!("127.0.0.1:{port}").parse().unwrap();
    let started = TestApp::builder().gateway().settings(move |s| s.mqtt = mqtt).try_build().await;
    let err = started.err().expect("bind fails");
    assert!(err.to_string().contains("MQTT"), "{err}");
}
