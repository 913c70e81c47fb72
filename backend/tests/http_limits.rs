//! The HTTP server's limits under concurrency and slow clients: login guesses in parallel,
//! half-open connections (slowloris), and URLs longer than any route.

use std::net::SocketAddr;

use axum::http::StatusCode;
use backend::auth::rate_limit::MAX_FAILURES;
use backend::clock::FakeClock;
use backend::http::serve::{HEADER_READ_TIMEOUT, MAX_CONNECTIONS_PER_IP};
use serde_json::json;
use testkit::{TestApp, DEADLINE, T0};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Promise: check and count are one step, so parallel guesses stop at the limit too. Before,
/// 40 parallel wrong passwords from one address were all verified (none got 429).
#[tokio::test]
async fn parallel_wrong_logins_verify_at_most_the_limit() {
    let app = TestApp::builder().gateway().build().await;
    let anon = app.anonymous();
    let attempts =
        (0..40).map(|_| anon.post("/api/v1/auth/login", json!({"username": "admin", "password": "guess-guess"})));
    let answers = futures::future::join_all(attempts).await;
    let checked = answers.iter().filter(|r| r.status == StatusCode::BAD_REQUEST).count();
    let throttled = answers.iter().filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(
        (checked, throttled),
        (MAX_FAILURES, 40 - MAX_FAILURES),
        "{:?}",
        answers.iter().map(|r| r.status).collect::<Vec<_>>()
    );
}

/// A connection from `source` that sends part of a request's headers and never the rest.
async fn half_open(source: &str, to: SocketAddr) -> TcpStream {
    let s = TcpSocket::new_v4().unwrap();
    s.bind(format!("{source}:0").parse().unwrap()).unwrap();
    let mut c = s.connect(to).await.unwrap();
    c.write_all(b"GET /healthz HTTP/1.1\r\nHost: fleetdeck\r\nX-Slow: ").await.unwrap();
    c
}

/// Whether the server has closed `c` (a read ends within the deadline).
async fn closed_by_server(c: &mut TcpStream) -> bool {
    let mut buf = [0u8; 512];
    loop {
        match tokio::time::timeout(DEADLINE, c.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue, // e.g. a 408 before the close
            Err(_) => return false,
        }
    }
}

/// A whole GET from `source`; returns the status line.
async fn get_from(source: &str, to: SocketAddr, path: &str) -> String {
    let s = TcpSocket::new_v4().unwrap();
    s.bind(format!("{source}:0").parse().unwrap()).unwrap();
    let mut c = s.connect(to).await.unwrap();
    c.write_all(format!("GET {path} HTTP/1.1\r\nHost: fleetdeck\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(DEADLINE, c.read_to_end(&mut out)).await.expect("an answer in time").unwrap();
    String::from_utf8_lossy(&out).lines().next().unwrap_or_default().to_string()
}

/// Promise: one address cannot hold more than its share of connections, half-open connections
/// are closed once the header timeout passes (on the server's clock), and the console stays
/// usable for everyone else meanwhile. Before: 500 such connections were all held after 36 s.
#[tokio::test]
async fn slowloris_connections_are_capped_per_address_and_time_out() {
    let clock = FakeClock::new(T0);
    let app = TestApp::builder().gateway().clock(clock.clone()).build().await;
    let http = app.running().http_addr;
    let sleepers_before = clock.sleepers();
    let mut held = Vec::new();
    for _ in 0..MAX_CONNECTIONS_PER_IP {
        held.push(half_open("127.0.0.1", http).await);
    }
    // Each held connection has armed its header timer on the server's clock.
    clock.wait_for_sleepers(sleepers_before + MAX_CONNECTIONS_PER_IP).await;
    // Over the cap: closed at once, without waiting for any timeout.
    for _ in 0..20 {
        let mut extra = half_open("127.0.0.1", http).await;
        assert!(closed_by_server(&mut extra).await, "a connection over the per-address cap was held");
    }
    // Someone else is served meanwhile.
    assert_eq!(get_from("127.0.0.2", http, "/healthz").await, "HTTP/1.1 200 OK");
    // Not a millisecond early: the held connections are still open just before the deadline.
    clock.advance_ms(HEADER_READ_TIMEOUT.as_millis() as i64 - 1);
    tokio::task::yield_now().await;
    let mut probe = [0u8; 1];
    let first = &mut held[0];
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(50), first.peek(&mut probe)).await.is_err(),
        "closed before the header timeout"
    );
    clock.advance_ms(1);
    for c in &mut held {
        assert!(closed_by_server(c).await, "a half-open connection outlived the header timeout");
    }
    // Their slots are free again.
    assert_eq!(get_from("127.0.0.1", http, "/healthz").await, "HTTP/1.1 200 OK");
}

/// Promise: a long URL is a clean 414 (never a 500), a file name longer than any file system
/// allows is a deep link into the app, and an unknown API path says so in plain words.
#[tokio::test]
async fn long_urls_are_414_and_unknown_api_paths_read_well() {
    let app = TestApp::builder().handlers_only().ui().build().await;
    let s = app.client(testkit::Role::Viewer).await;
    let long = format!("/devices/{}", "a".repeat(8 * 1024));
    let r = s.get(&long).await;
    assert_eq!(r.status, StatusCode::URI_TOO_LONG);
    assert_eq!(r.body["code"], "uri_too_long");
    let r = s.get(&format!("/api/v1/devices/a1FakePK001/{}", "d".repeat(8 * 1024))).await;
    assert_eq!(r.status, StatusCode::URI_TOO_LONG);
    // A 300-byte segment fits the URL limit but no file name: the app's index, not an I/O error.
    let r = s.get(&format!("/devices/{}", "b".repeat(300))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.as_str().unwrap_or_default().contains("<html"), "the app's index.html");
    let r = s.get("/api/v1/nope").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["message"], "API route /api/v1/nope not found");
}
