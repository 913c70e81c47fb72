//! The live WebSocket `/api/v1/ws` against the real server: revocation closes sockets (logout,
//! disabled or deleted user, revoked token, expired session), subscriptions to what does not
//! exist are refused, a deleted device ends its subscriptions, and the upgrade's guards.

use std::collections::VecDeque;
use std::time::Duration;

use axum::http::StatusCode;
use backend::auth::revoke::SIGNED_OUT;
use backend::auth::session::SESSION_TTL_MS;
use backend::bridge::{MAX_SUBSCRIPTIONS, RECHECK_MS};
use backend::clock::FakeClock;
use futures::{SinkExt, StreamExt};
use model::alink::sign::{device_credentials, C_SDK_TIMESTAMP};
use model::alink::Sdk;
use model::registry::DeviceStatus;
use model::ws::{ClientMsg, EventKind, LiveEvent, ServerMsg, Stream};
use serde_json::json;
use testkit::{eventually, Client, Role, TestApp, ADMIN_PW, DEADLINE, T0};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{header, HeaderValue};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How soon a revocation must reach an open socket (real time).
const CLOSE_WITHIN: Duration = Duration::from_secs(1);

async fn start() -> TestApp {
    TestApp::builder().gateway().build().await
}

/// What authenticates the upgrade.
enum Cred<'a> {
    Session(&'a Client),
    Bearer(&'a str),
    Nobody,
}

/// The upgrade request, with the credential and any extra headers.
fn request(
    app: &TestApp,
    cred: Cred<'_>,
    extra: &[(header::HeaderName, &str)],
) -> tungstenite::handshake::client::Request {
    let url = format!("{}/api/v1/ws", app.base_url().replacen("http://", "ws://", 1));
    let mut req = url.into_client_request().unwrap();
    let h = req.headers_mut();
    match cred {
        Cred::Session(c) => {
            let cookie = &c.session.as_ref().expect("a logged-in client").cookie;
            h.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
        }
        Cred::Bearer(t) => {
            h.insert(header::AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {t}")).unwrap());
        }
        Cred::Nobody => {}
    }
    for (k, v) in extra {
        h.insert(k.clone(), HeaderValue::from_str(v).unwrap());
    }
    req
}

/// The upgrade's answer: the open socket, or the HTTP status it was refused with.
async fn try_open(app: &TestApp, cred: Cred<'_>, extra: &[(header::HeaderName, &str)]) -> Result<Live, StatusCode> {
    let connect = tokio_tungstenite::connect_async(request(app, cred, extra));
    match tokio::time::timeout(DEADLINE, connect).await.expect("no answer to the upgrade in time") {
        Ok((ws, resp)) => {
            assert_eq!(resp.status(), StatusCode::SWITCHING_PROTOCOLS);
            Ok(Live { ws, pending: VecDeque::new() })
        }
        Err(tungstenite::Error::Http(resp)) => Err(StatusCode::from_u16(resp.status().as_u16()).unwrap()),
        Err(e) => panic!("the upgrade failed without an HTTP answer: {e}"),
    }
}

/// An open socket whose read loop is running (it has answered a ping).
async fn open(app: &TestApp, cred: Cred<'_>) -> Live {
    let mut live = try_open(app, cred, &[]).await.expect("the upgrade is accepted");
    live.ping().await;
    live
}

/// A browser's socket: client messages out, server frames in (batches unwrapped).
struct Live {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pending: VecDeque<ServerMsg>,
}

impl Live {
    async fn send(&mut self, msg: &ClientMsg) {
        let text = serde_json::to_string(msg).unwrap();
        tokio::time::timeout(DEADLINE, self.ws.send(Message::text(text)))
            .await
            .expect("send in time")
            .expect("the socket takes the message");
    }

    async fn subscribe(&mut self, id: u32, stream: Stream) {
        self.send(&ClientMsg::Subscribe { id, stream }).await;
    }

    /// The next server frame (a batch's frames one by one).
    async fn next(&mut self) -> ServerMsg {
        loop {
            if let Some(m) = self.pending.pop_front() {
                return m;
            }
            let msg = tokio::time::timeout(DEADLINE, self.ws.next())
                .await
                .expect("no frame in time")
                .expect("the socket ended")
                .expect("a readable frame");
            match msg {
                Message::Text(t) => {
                    let m: ServerMsg = serde_json::from_str(t.as_str()).unwrap_or_else(|e| panic!("{e}: {t}"));
                    self.unbatch(m);
                }
                Message::Close(f) => panic!("the socket closed unexpectedly: {f:?}"),
                _ => {}
            }
        }
    }

    fn unbatch(&mut self, m: ServerMsg) {
        match m {
            ServerMsg::Batch { frames } => frames.into_iter().for_each(|f| self.unbatch(f)),
            m => self.pending.push_back(m),
        }
    }

    /// Ping; every frame before the `Pong` is returned. A `Pong` proves the socket is open and
    /// has handled everything sent before the ping.
    async fn ping(&mut self) -> Vec<ServerMsg> {
        self.send(&ClientMsg::Ping).await;
        let mut before = Vec::new();
        loop {
            match self.next().await {
                ServerMsg::Pong => return before,
                m => before.push(m),
            }
        }
    }

    /// The close code the server ends the socket with, within `within` (real time). Frames
    /// still queued before the close frame are skipped.
    async fn closed_within(&mut self, within: Duration) -> u16 {
        let read = async {
            loop {
                match self.ws.next().await {
                    Some(Ok(Message::Close(Some(f)))) => return u16::from(f.code),
                    Some(Ok(Message::Close(None))) => panic!("closed without a close code"),
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => panic!("the socket failed before a close frame: {e}"),
                    None => panic!("the socket ended without a close frame"),
                }
            }
        };
        tokio::time::timeout(within, read).await.unwrap_or_else(|_| panic!("no close frame within {within:?}"))
    }
}

fn device(pk: &str, dn: &str) -> Stream {
    Stream::Device { product_key: pk.into(), device_name: dn.into() }
}

/// Create an API token as `c`: (its id, its secret).
async fn token(c: &Client, name: &str) -> (i64, String) {
    let r = c.post("/api/v1/auth/tokens", json!({ "name": name })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    (r.body["token"]["id"].as_i64().unwrap(), r.body["secret"].as_str().unwrap().to_string())
}

// Promise: logging out closes that session's live socket with 4001 within a second; another
// session of the same user keeps its socket.
#[tokio::test]
async fn logout_closes_that_sessions_socket_within_a_second_and_no_other() {
    let app = start().await;
    let first = app.client(Role::Viewer).await;
    let second = app.client(Role::Viewer).await;
    let mut a = open(&app, Cred::Session(&first)).await;
    let mut b = open(&app, Cred::Session(&second)).await;

    assert_eq!(first.post("/api/v1/auth/logout", json!({})).await.status, StatusCode::NO_CONTENT);
    assert_eq!(a.closed_within(CLOSE_WITHIN).await, SIGNED_OUT);

    assert!(b.ping().await.is_empty(), "the other session's socket is open");
    assert_eq!(second.get("/api/v1/auth/me").await.status, StatusCode::OK);
}

// Promise: disabling a user closes all of its sockets, session and API token alike (4001);
// another user's socket stays.
#[tokio::test]
async fn disabling_a_user_closes_its_sockets() {
    let app = start().await;
    let admin = app.client(Role::Admin).await;
    let op = app.user("op-disabled", Role::Operator).await;
    let (_, secret) = token(&op, "ci").await;
    let mut by_session = open(&app, Cred::Session(&op)).await;
    let mut by_token = open(&app, Cred::Bearer(&secret)).await;
    let mut admins = open(&app, Cred::Session(&admin)).await;

    let r = admin.patch("/api/v1/users/op-disabled", json!({ "disabled": true })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(by_session.closed_within(CLOSE_WITHIN).await, SIGNED_OUT);
    assert_eq!(by_token.closed_within(CLOSE_WITHIN).await, SIGNED_OUT);
    assert!(admins.ping().await.is_empty(), "the admin's own socket is open");
}

// Promise: deleting a user closes its sockets (4001).
#[tokio::test]
async fn deleting_a_user_closes_its_sockets() {
    let app = start().await;
    let admin = app.client(Role::Admin).await;
    let v = app.user("viewer-deleted", Role::Viewer).await;
    let (_, secret) = token(&v, "ci").await;
    let mut by_session = open(&app, Cred::Session(&v)).await;
    let mut by_token = open(&app, Cred::Bearer(&secret)).await;

    assert_eq!(admin.delete("/api/v1/users/viewer-deleted").await.status, StatusCode::NO_CONTENT);
    assert_eq!(by_session.closed_within(CLOSE_WITHIN).await, SIGNED_OUT);
    assert_eq!(by_token.closed_within(CLOSE_WITHIN).await, SIGNED_OUT);
}

// Promise: revoking an API token closes the socket opened with it (4001); the same user's
// socket on another token stays.
#[tokio::test]
async fn revoking_a_token_closes_the_socket_opened_with_it() {
    let app = start().await;
    let v = app.client(Role::Viewer).await;
    let (id, secret) = token(&v, "revoked").await;
    let (_, other) = token(&v, "kept").await;
    let mut revoked = open(&app, Cred::Bearer(&secret)).await;
    let mut kept = open(&app, Cred::Bearer(&other)).await;

    assert_eq!(v.delete(&format!("/api/v1/auth/tokens/{id}")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(revoked.closed_within(CLOSE_WITHIN).await, SIGNED_OUT);
    assert!(kept.ping().await.is_empty(), "the socket on the other token is open");
}

// Promise: a subscription to a device or product that does not exist is refused with
// `ended` / `not_found` and never acknowledged; an existing device is.
#[tokio::test]
async fn subscribing_to_what_does_not_exist_ends_with_not_found() {
    let app = start().await;
    let pk = "a1WsExists";
    app.product(pk, false).await;
    app.device(pk, "dev1").await;
    let v = app.client(Role::Viewer).await;
    let mut ws = open(&app, Cred::Session(&v)).await;

    ws.subscribe(1, device(pk, "nope")).await;
    ws.subscribe(2, Stream::Product { product_key: "a1WsNoSuchPK".into() }).await;
    ws.subscribe(3, device(pk, "dev1")).await;
    let got = ws.ping().await;
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(matches!(&got[0], ServerMsg::Ended { id: 1, code, .. } if code == "not_found"), "{:?}", got[0]);
    assert!(matches!(&got[1], ServerMsg::Ended { id: 2, code, .. } if code == "not_found"), "{:?}", got[1]);
    assert_eq!(got[2], ServerMsg::Subscribed { id: 3 });
}

// Promise: deleting a device sends its subscribers `removed`, then `ended` (`device_deleted`);
// a subscription to another device stays and keeps delivering.
#[tokio::test]
async fn deleting_a_device_ends_its_subscriptions_only() {
    let app = start().await;
    let pk = "a1WsDelete";
    app.product(pk, false).await;
    app.device(pk, "gone").await;
    let secret = app.device(pk, "stays").await;
    let op = app.client(Role::Operator).await;
    let v = app.client(Role::Viewer).await;
    let mut ws = open(&app, Cred::Session(&v)).await;
    ws.subscribe(1, device(pk, "gone")).await;
    ws.subscribe(2, device(pk, "stays")).await;
    assert_eq!(ws.ping().await, [ServerMsg::Subscribed { id: 1 }, ServerMsg::Subscribed { id: 2 }]);

    assert_eq!(op.delete(&format!("/api/v1/devices/{pk}/gone")).await.status, StatusCode::NO_CONTENT);
    let removed = ws.next().await;
    assert!(
        matches!(&removed, ServerMsg::Event { id: 1, event: LiveEvent::Removed { product_key, device_name, .. } }
            if product_key == pk && device_name == "gone"),
        "{removed:?}"
    );
    let ended = ws.next().await;
    assert!(matches!(&ended, ServerMsg::Ended { id: 1, code, .. } if code == "device_deleted"), "{ended:?}");
    let after = ws.ping().await;
    assert!(after.is_empty(), "nothing else, nothing for subscription 2: {after:?}");

    // Subscription 2 is still live: the other device coming online reaches it.
    let _dev = app.connect(&device_credentials(Sdk::C4, pk, "stays", &secret, C_SDK_TIMESTAMP)).await.unwrap();
    let online = ws.next().await;
    assert!(
        matches!(&online, ServerMsg::Event { id: 2, event: LiveEvent::Status { device_name, status: DeviceStatus::Online, .. } }
            if device_name == "stays"),
        "{online:?}"
    );
}

// Promise: a cross-origin upgrade is refused with 403 even with a valid cookie (no upgrade);
// the same origin is accepted.
#[tokio::test]
async fn cross_origin_upgrade_is_refused() {
    let app = start().await;
    let v = app.client(Role::Viewer).await;
    let evil = try_open(&app, Cred::Session(&v), &[(header::ORIGIN, "http://evil.example")]).await;
    assert_eq!(evil.err(), Some(StatusCode::FORBIDDEN));
    let own = app.base_url();
    let mut same = try_open(&app, Cred::Session(&v), &[(header::ORIGIN, &own)]).await.expect("same origin");
    assert!(same.ping().await.is_empty());
}

// Promise: an upgrade without a credential (or with a bad one) is 401.
#[tokio::test]
async fn anonymous_upgrade_is_401() {
    let app = start().await;
    assert_eq!(try_open(&app, Cred::Nobody, &[]).await.err(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(try_open(&app, Cred::Bearer("fdk_not-a-token"), &[]).await.err(), Some(StatusCode::UNAUTHORIZED));
}

// Promise: at most MAX_SUBSCRIPTIONS (64) subscriptions per socket: the 65th gets
// `too_many_subscriptions` and the socket stays; re-subscribing an id it holds is not a new one.
#[tokio::test]
async fn the_65th_subscription_is_refused() {
    assert_eq!(MAX_SUBSCRIPTIONS, 64);
    let app = start().await;
    let v = app.client(Role::Viewer).await;
    let mut ws = open(&app, Cred::Session(&v)).await;
    for id in 1..=65 {
        ws.subscribe(id, Stream::Status).await;
    }
    let got = ws.ping().await;
    assert_eq!(got.len(), 65, "{got:?}");
    for (i, m) in got[..64].iter().enumerate() {
        assert_eq!(*m, ServerMsg::Subscribed { id: i as u32 + 1 });
    }
    assert!(matches!(&got[64], ServerMsg::Error { code, .. } if code == "too_many_subscriptions"), "{:?}", got[64]);

    ws.subscribe(1, Stream::Status).await;
    assert_eq!(ws.ping().await, [ServerMsg::Subscribed { id: 1 }], "an id it holds is replaced, not added");
}

// Promise: the socket needs only the viewer role: a viewer opens it and subscribes.
#[tokio::test]
async fn a_viewer_may_open_the_socket_and_subscribe() {
    let app = start().await;
    let pk = "a1WsViewer";
    app.product(pk, false).await;
    app.device(pk, "dev1").await;
    let v = app.client(Role::Viewer).await;
    let mut ws = try_open(&app, Cred::Session(&v), &[]).await.expect("a viewer may open the socket");
    ws.subscribe(1, device(pk, "dev1")).await;
    ws.subscribe(2, Stream::Product { product_key: pk.into() }).await;
    ws.subscribe(3, Stream::Status).await;
    let got = ws.ping().await;
    assert_eq!(got, [1, 2, 3].map(|id| ServerMsg::Subscribed { id }));
}

// Promise: a session that simply expires (no revocation) closes its socket with 4001 at the
// next periodic re-check (RECHECK_MS); a re-check while it is valid keeps it.
#[tokio::test]
async fn an_expired_session_closes_its_socket_at_the_next_recheck() {
    let clock = FakeClock::new(T0);
    let app = TestApp::builder().gateway().clock(clock.clone()).build().await;
    let admin = app.login("admin", ADMIN_PW).await;
    let mut ws = open(&app, Cred::Session(&admin)).await;
    // The socket's re-check timer is armed once its loop has waited for a message: after a ping
    // round trip it has. (Counting the clock's sleepers is racy here: the test client does not
    // keep idle HTTP connections, so the server's header timer for the login's connection goes
    // away at an unknown moment.)
    assert!(ws.ping().await.is_empty());
    clock.wait_for_sleepers(1).await;

    // A re-check while the session is valid: the socket stays.
    clock.advance_ms(RECHECK_MS);
    assert!(ws.ping().await.is_empty(), "a valid session keeps its socket");

    // Past the session's end, and past the next re-check.
    clock.advance_ms(SESSION_TTL_MS);
    assert_eq!(ws.closed_within(DEADLINE).await, SIGNED_OUT);
}

// Promise: the server builds only the kinds of live event that an open subscription can want, for
// as long as it is open (a busy fleet makes six events a post; a page on one stream wants few).
#[tokio::test]
async fn the_server_builds_only_what_open_subscriptions_can_want() {
    let app = start().await;
    let viewer = app.client(Role::Viewer).await;
    let bus = app.state().bus().clone();
    let built = move || EventKind::ALL.into_iter().filter(|k| bus.listens(*k)).collect::<Vec<_>>();
    let mut live = open(&app, Cred::Session(&viewer)).await;
    assert!(built().is_empty(), "an open socket without subscriptions wants nothing");

    live.subscribe(1, Stream::RunLog { filter: Default::default() }).await;
    assert_eq!(live.next().await, ServerMsg::Subscribed { id: 1 });
    assert_eq!(built(), [EventKind::Log]);
    live.subscribe(2, Stream::Status).await;
    assert_eq!(live.next().await, ServerMsg::Subscribed { id: 2 });
    assert_eq!(built(), [EventKind::Status, EventKind::Log]);

    live.send(&ClientMsg::Unsubscribe { id: 1 }).await;
    assert_eq!(live.next().await, ServerMsg::Unsubscribed { id: 1 });
    assert_eq!(built(), [EventKind::Status]);

    drop(live);
    eventually(DEADLINE, "the closed socket's interest to be withdrawn", || {
        let now = built();
        async move { now.is_empty().then_some(()) }
    })
    .await;
}
