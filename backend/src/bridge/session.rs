//! One browser connection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::ws::{Message, WebSocket};
use futures::{SinkExt, StreamExt};
use model::ws::{ClientMsg, LiveEvent, ServerMsg, Stream};
use tokio::sync::{broadcast, Notify};

use super::queue::OutQueue;
use super::{CLIENT_QUEUE, MAX_SUBSCRIPTIONS};
use crate::auth::session::CurrentUser;
use crate::state::AppState;

struct Shared {
    queue: Mutex<OutQueue>,
    ready: Notify,
}

/// Bus events handled per wake-up at most before the socket is polled again.
const DRAIN_PER_WAKE: usize = 256;

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
}

/// Queue `ev` once for every subscription that wants it (cloned only then).
fn offer(ev: &LiveEvent, subs: &HashMap<u32, Stream>, out: &Shared) {
    for (id, s) in subs {
        if s.wants(ev) {
            out.push(ServerMsg::Event { id: *id, event: ev.clone() });
        }
    }
}

pub async fn run(st: AppState, user: CurrentUser, socket: WebSocket) {
    tracing::debug!(user = %user.username, "websocket open");
    let (mut sink, mut stream) = socket.split();
    let shared = Arc::new(Shared { queue: Mutex::new(OutQueue::new(CLIENT_QUEUE)), ready: Notify::new() });

    // Writer: everything queued goes out as one frame and one flush.
    let writer_shared = shared.clone();
    let writer = tokio::spawn(async move {
        loop {
            writer_shared.ready.notified().await;
            let frame = writer_shared.queue.lock().unwrap_or_else(|e| e.into_inner()).take();
            let Some(frame) = frame else { continue };
            let text = match serde_json::to_string(&frame) {
                Ok(t) => t,
                Err(e) => {
                    tracing::error!(error = %e, "unserialisable frame");
                    continue;
                }
            };
            if sink.send(Message::Text(text.into())).await.is_err() {
                break;
            }
        }
    });

    let mut subs: HashMap<u32, Stream> = HashMap::new();
    let mut bus = st.bus().subscribe();
    loop {
        tokio::select! {
            incoming = stream.next() => {
                let Some(Ok(msg)) = incoming else { break };
                match msg {
                    Message::Text(t) => handle_client(&t, &mut subs, &shared),
                    Message::Close(_) => break,
                    Message::Binary(_) => shared.push(error("invalid_message", "send JSON text frames")),
                    _ => {}
                }
            }
            ev = bus.recv() => match ev {
                Ok(ev) => {
                    offer(&ev, &subs, &shared);
                    // Take what else is waiting before polling the socket again: at thousands of
                    // events per second, one select round per event cost more than the events.
                    for _ in 0..DRAIN_PER_WAKE {
                        match bus.try_recv() {
                            Ok(ev) => offer(&ev, &subs, &shared),
                            Err(broadcast::error::TryRecvError::Lagged(n)) => shared.dropped(n),
                            Err(_) => break,
                        }
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => shared.dropped(n),
                Err(broadcast::error::RecvError::Closed) => break,
            },
        }
    }
    writer.abort();
    tracing::debug!(user = %user.username, "websocket closed");
}

fn error(code: &str, message: impl Into<String>) -> ServerMsg {
    ServerMsg::Error { code: code.into(), message: message.into() }
}

/// Apply one client message; bad input is answered with an error frame, never a disconnect.
fn handle_client(text: &str, subs: &mut HashMap<u32, Stream>, out: &Shared) {
    let msg: ClientMsg = match serde_json::from_str(text) {
        Ok(m) => m,
        Err(e) => return out.push(error("invalid_message", format!("not a client message: {e}"))),
    };
    match msg {
        ClientMsg::Subscribe { id, stream } => {
            if subs.len() >= MAX_SUBSCRIPTIONS && !subs.contains_key(&id) {
                return out
                    .push(error("too_many_subscriptions", format!("at most {MAX_SUBSCRIPTIONS} per connection")));
            }
            subs.insert(id, stream);
            out.push(ServerMsg::Subscribed { id });
        }
        ClientMsg::Unsubscribe { id } => {
            subs.remove(&id);
            out.push(ServerMsg::Unsubscribed { id });
        }
        ClientMsg::Ping => out.push(ServerMsg::Pong),
    }
}
