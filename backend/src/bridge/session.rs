//! One browser connection: client messages in, bus events out through the queue, and the
//! checks that end it or its subscriptions.
//!
//! - A subscription to a device or product that does not exist is refused with an `ended`
//!   frame (`not_found`), not acknowledged: a typo must not look like a quiet device.
//! - When a device is deleted its subscribers get the `removed` event, then `ended`
//!   (`device_deleted`).
//! - After every revocation ([`crate::auth::revoke`]), and every [`RECHECK_MS`] for sessions
//!   that simply expire, the socket re-checks its credential and closes with
//!   [`SIGNED_OUT`] when it no longer admits the user.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::{SinkExt, StreamExt};
use model::ws::{ClientMsg, LiveEvent, ServerMsg, Stream};
use tokio::sync::{broadcast, Notify};

use super::queue::OutQueue;
use super::{CLIENT_QUEUE, MAX_SUBSCRIPTIONS};
use crate::auth::revoke::SIGNED_OUT;
use crate::auth::session::{still_valid, CurrentUser};
use crate::clock::ClockExt;
use crate::live_bus::Interest;
use crate::state::AppState;
use crate::store;

/// How often a socket re-checks its credential without a revocation (session expiry).
pub const RECHECK_MS: i64 = 60_000;
/// Bus events handled per wake-up at most before the socket is polled again.
const DRAIN_PER_WAKE: usize = 256;

struct Shared {
    queue: Mutex<OutQueue>,
    /// Set once: the writer sends what is queued, then this close frame, and ends.
    close: Mutex<Option<CloseFrame>>,
    ready: Notify,
}

impl Shared {
    fn push(&self, frame: ServerMsg) {
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).push(frame);
        self.ready.notify_one();
    }

    /// The bus overran this browser: it is told how many events it missed.
    fn dropped(&self, n: u64) {
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).add_dropped(n);
        self.ready.notify_one();
    }

    fn close(&self, code: u16, reason: &str) {
        *self.close.lock().unwrap_or_else(|e| e.into_inner()) = Some(CloseFrame { code, reason: reason.into() });
        self.ready.notify_one();
    }
}

/// The open subscriptions of one connection, each holding the bus's interest in the kinds of
/// event it can want (so nothing else is built for it).
#[derive(Default)]
struct Subs(HashMap<u32, (Stream, Interest)>);

impl Subs {
    /// Queue `ev` once for every subscription that wants it (cloned only then); a deleted
    /// device's subscriptions end after its `removed` event.
    fn offer(&mut self, ev: &LiveEvent, out: &Shared) {
        for (id, (s, _)) in &self.0 {
            if s.wants(ev) {
                out.push(ServerMsg::Event { id: *id, event: ev.clone() });
            }
        }
        if let LiveEvent::Removed { product_key, device_name, .. } = ev {
            self.0.retain(|id, (s, _)| {
                let gone = matches!(s, Stream::Device { product_key: p, device_name: d }
                    if p == product_key && d == device_name);
                if gone {
                    out.push(ended(*id, "device_deleted", format!("device {product_key}/{device_name} was deleted")));
                }
                !gone
            });
        }
    }
}

fn ended(id: u32, code: &str, message: String) -> ServerMsg {
    ServerMsg::Ended { id, code: code.into(), message }
}

fn error(code: &str, message: impl Into<String>) -> ServerMsg {
    ServerMsg::Error { code: code.into(), message: message.into() }
}

pub async fn run(st: AppState, user: CurrentUser, socket: WebSocket) {
    tracing::debug!(user = %user.username, "websocket open");
    let (mut sink, mut stream) = socket.split();
    let shared = Arc::new(Shared {
        queue: Mutex::new(OutQueue::new(CLIENT_QUEUE)),
        close: Mutex::new(None),
        ready: Notify::new(),
    });

    // Writer: everything queued goes out as one frame and one flush; a close frame last.
    let writer_shared = shared.clone();
    let writer = tokio::spawn(async move {
        loop {
            writer_shared.ready.notified().await;
            let frame = writer_shared.queue.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(frame) = frame {
                match serde_json::to_string(&frame) {
                    Ok(text) => {
                        if sink.send(Message::Text(text.into())).await.is_err() {
                            return;
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "unserialisable frame"),
                }
            }
            let close = writer_shared.close.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(close) = close {
                let _ = sink.send(Message::Close(Some(close))).await;
                return;
            }
        }
    });

    let mut subs = Subs::default();
    let mut selective = st.bus().subscribe_selective();
    let bus = &mut selective.rx;
    let mut revoked = st.revocations.watch();
    // A revocation between the upgrade's check and this watch would be missed: check once now.
    revoked.mark_changed();
    let mut recheck = st.clock.interval(RECHECK_MS);
    recheck.tick().await; // the first tick is now: the upgrade just checked
    let mut signed_out = false;
    loop {
        tokio::select! {
            incoming = stream.next() => {
                let Some(Ok(msg)) = incoming else { break };
                match msg {
                    Message::Text(t) => handle_client(&st, &t, &mut subs, &shared).await,
                    Message::Close(_) => break,
                    Message::Binary(_) => shared.push(error("invalid_message", "send JSON text frames")),
                    _ => {}
                }
            }
            ev = bus.recv() => match ev {
                Ok(ev) => {
                    subs.offer(&ev, &shared);
                    // Take what else is waiting before polling the socket again: at thousands of
                    // events per second, one select round per event cost more than the events.
                    for _ in 0..DRAIN_PER_WAKE {
                        match bus.try_recv() {
                            Ok(ev) => subs.offer(&ev, &shared),
                            Err(broadcast::error::TryRecvError::Lagged(n)) => shared.dropped(n),
                            Err(_) => break,
                        }
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => shared.dropped(n),
                Err(broadcast::error::RecvError::Closed) => break,
            },
            changed = revoked.changed() => {
                if changed.is_err() || !admitted(&st, &user).await {
                    signed_out = true;
                    break;
                }
            }
            _ = recheck.tick() => {
                if !admitted(&st, &user).await {
                    signed_out = true;
                    break;
                }
            }
        }
    }
    if signed_out {
        shared.close(SIGNED_OUT, "signed out");
    }
    // A signed-out socket's writer gets a moment to send the close frame; otherwise the
    // browser left (or the bus closed) and there is nobody to write to.
    if signed_out {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), writer).await;
    } else {
        writer.abort();
    }
    tracing::debug!(user = %user.username, "websocket closed");
}

/// The credential still admits the user; a store failure keeps the socket (REST would answer
/// 500, not 401, and the next check decides).
async fn admitted(st: &AppState, user: &CurrentUser) -> bool {
    still_valid(st, user).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "websocket: credential check failed");
        true
    })
}

/// Whether the thing a stream names exists (`None`: it does, or it names none).
async fn missing(st: &AppState, stream: &Stream) -> Result<Option<String>, crate::store::Error> {
    Ok(match stream {
        Stream::Device { product_key, device_name } => store::devices::get(&st.db, product_key, device_name)
            .await?
            .is_none()
            .then(|| format!("device {product_key}/{device_name} does not exist")),
        Stream::Product { product_key } | Stream::Metrics { product_key: Some(product_key) } => {
            store::products::get(&st.db, product_key)
                .await?
                .is_none()
                .then(|| format!("product {product_key} does not exist"))
        }
        Stream::Status | Stream::RunLog { .. } | Stream::Metrics { product_key: None } => None,
    })
}

/// Apply one client message; bad input is answered with an error frame, never a disconnect.
async fn handle_client(st: &AppState, text: &str, subs: &mut Subs, out: &Shared) {
    let msg: ClientMsg = match serde_json::from_str(text) {
        Ok(m) => m,
        Err(e) => return out.push(error("invalid_message", format!("not a client message: {e}"))),
    };
    match msg {
        ClientMsg::Subscribe { id, stream } => {
            if subs.0.len() >= MAX_SUBSCRIPTIONS && !subs.0.contains_key(&id) {
                return out
                    .push(error("too_many_subscriptions", format!("at most {MAX_SUBSCRIPTIONS} per connection")));
            }
            match missing(st, &stream).await {
                Ok(None) => {
                    let interest = st.bus().interest(stream.kinds());
                    subs.0.insert(id, (stream, interest));
                    out.push(ServerMsg::Subscribed { id });
                }
                Ok(Some(what)) => {
                    subs.0.remove(&id);
                    out.push(ended(id, "not_found", what));
                }
                Err(e) => {
                    tracing::error!(error = %e, "websocket: subscription check failed");
                    out.push(ended(id, "internal", "the subscription could not be checked; subscribe again".into()));
                }
            }
        }
        ClientMsg::Unsubscribe { id } => {
            subs.0.remove(&id);
            out.push(ServerMsg::Unsubscribed { id });
        }
        ClientMsg::Ping => out.push(ServerMsg::Pong),
    }
}
