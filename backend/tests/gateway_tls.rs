//! MQTT over TLS: the terminating listener in front of the broker keeps the device's address.

mod gateway_support;

use std::sync::Arc;

use backend::clock::SystemClock;
use backend::config::MqttTls;
use gateway_support::*;
use model::alink::sign::device_credentials;
use model::alink::Sdk;
use model::registry::DeviceStatus;
use tokio_rustls::rustls::{self, pki_types::ServerName, ClientConfig, RootCertStore};

#[tokio::test]
async fn a_device_connects_over_tls_and_its_address_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.key_pair.serialize_pem()).unwrap();
    let tls = MqttTls { addr: "127.0.0.1:0".parse().unwrap(), cert, key };
    let env = start_with(move |s| s.mqtt_tls = Some(tls), Arc::new(SystemClock)).await;
    let addr = env.run.mqtts_addr.expect("TLS listener");
    let pk = "a1TlsDevices";
    env.product(pk, false).await;
    let secret = env.device(pk, "dev1").await;

    let mut roots = RootCertStore::empty();
    roots.add(ck.cert.der().clone()).unwrap();
    let cfg = ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    // From 127.0.0.2, so the address the broker records can only have come through the
    // PROXY header, not from the loopback hop behind the TLS listener.
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.bind("127.0.0.2:0".parse().unwrap()).unwrap();
    let tcp = sock.connect(addr).await.unwrap();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(cfg));
    let mut stream = connector.connect(ServerName::try_from("localhost").unwrap(), tcp).await.unwrap();

    let creds = device_credentials(Sdk::Python, pk, "dev1", &secret, 1_700_000_000);
    assert_eq!(raw_connect(&mut stream, 4, &creds).await, 0);
    let rec = env.wait_device(pk, "dev1", "online", |r| r.device.status == DeviceStatus::Online).await;
    assert_eq!(rec.device.ip.as_deref(), Some("127.0.0.2"));

    let wrong = device_credentials(Sdk::Python, pk, "dev1", "wrong", 1_700_000_000);
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let cfg = ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates({
            let mut r = RootCertStore::empty();
            r.add(ck.cert.der().clone()).unwrap();
            r
        })
        .with_no_client_auth();
    let mut s2 = tokio_rustls::TlsConnector::from(Arc::new(cfg))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    assert_eq!(raw_connect(&mut s2, 4, &wrong).await, 4);
}

#[tokio::test]
async fn a_port_in_use_is_an_error_not_an_exit() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = backend::config::Settings::for_test(dir.path().to_path_buf());
    settings.mqtt = format!("127.0.0.1:{port}").parse().unwrap();
    let err = backend::server::start(settings).await.err().expect("bind fails");
    assert!(err.to_string().contains("MQTT"), "{err}");
}
