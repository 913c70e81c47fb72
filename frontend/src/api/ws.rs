//! The live connection: one WebSocket for the whole app (`/api/v1/ws`, same cookie as REST).
//!
//! Pages call [`subscribe`] with a [`Stream`] and a callback and [`unsubscribe`] on cleanup. The
//! connection task reconnects with the console's backoff (`api::backoff`: 1 s … 10 s, or at once
//! when the browser reports the network back) and re-sends every open subscription after each
//! reconnect, so a page never has to notice a dropped socket. A reconnect after a drop bumps
//! `state::g().resync`, so visible loads reload what the stream missed meanwhile. Its state
//! (`live` / `reconnecting`, failures in a row, next try) is in `state::g()` for the badge.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures::channel::mpsc::{unbounded, UnboundedSender};
use futures::channel::oneshot;
use futures::future::{select, Either};
use futures::{SinkExt, StreamExt};
use gloo_net::websocket::{futures::WebSocket, Message, WebSocketError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use model::ws::{ClientMsg, LiveEvent, ServerMsg, Stream};

use super::backoff::POLICY;
use crate::state::{g, LiveState};

type Handler = Rc<dyn Fn(LiveEvent)>;

struct Sub {
    stream: Stream,
    handler: Handler,
    /// Called on every `subscribed` (the first and each after a reconnect): from then on nothing
    /// is missed, so a page reloads its snapshot here to close the gap before it.
    on_ready: Option<Rc<dyn Fn()>>,
}

thread_local! {
    static SUBS: RefCell<HashMap<u32, Sub>> = RefCell::new(HashMap::new());
    static OUT: RefCell<Option<UnboundedSender<String>>> = const { RefCell::new(None) };
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
    /// Whether a connection task should be running.
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    /// Bumped by every start and stop: a task whose epoch is stale ends (so a logout followed
    /// by a quick login never leaves two tasks).
    static EPOCH: Cell<u32> = const { Cell::new(0) };
    /// Bumped on every (re)connect so the ping loop of an old connection stops.
    static GENERATION: Cell<u32> = const { Cell::new(0) };
    /// Set by the browser's `online` event: cut the reconnect wait short.
    static WAKE: Cell<bool> = const { Cell::new(false) };
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    /// Ends the current connection's read loop at once (the browser went offline).
    static KILL: RefCell<Option<oneshot::Sender<()>>> = const { RefCell::new(None) };
}

const CLOSE: &str = "\u{0}close";
/// The server's close code for a revoked credential (logout elsewhere, user disabled or deleted,
/// token revoked): backend `auth::revoke::SIGNED_OUT`.
const SIGNED_OUT: u16 = 4001;

/// The server ended this login: back to the login page, as a 401 from REST does.
fn signed_out() {
    ACTIVE.with(|a| a.set(false));
    bump_epoch();
    OUT.with(|o| *o.borrow_mut() = None);
    g().live.set(LiveState::Idle);
    g().me.set(None);
    g().auth_checked.set(true);
    crate::state::toast_error(crate::i18n::t("auth.signed_out"));
}

fn send(msg: &ClientMsg) {
    let Ok(text) = serde_json::to_string(msg) else { return };
    OUT.with(|o| {
        if let Some(tx) = o.borrow().as_ref() {
            let _ = tx.unbounded_send(text);
        }
    });
}

/// Listen to `stream`; `handler` runs for every event of it. Returns the id for [`unsubscribe`].
pub fn subscribe(stream: Stream, handler: impl Fn(LiveEvent) + 'static) -> u32 {
    add(stream, Rc::new(handler), None)
}

/// [`subscribe`], and `on_ready` each time the server confirms the subscription (also after a
/// reconnect): the moment to (re)load a REST snapshot so that nothing between the snapshot and
/// the live tail is lost.
pub fn subscribe_synced(stream: Stream, handler: impl Fn(LiveEvent) + 'static, on_ready: impl Fn() + 'static) -> u32 {
    add(stream, Rc::new(handler), Some(Rc::new(on_ready)))
}

fn add(stream: Stream, handler: Handler, on_ready: Option<Rc<dyn Fn()>>) -> u32 {
    let id = NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    // Registered before it is sent, so the confirmation finds it.
    SUBS.with(|s| s.borrow_mut().insert(id, Sub { stream: stream.clone(), handler, on_ready }));
    send(&ClientMsg::Subscribe { id, stream });
    start();
    id
}

pub fn unsubscribe(id: u32) {
    if SUBS.with(|s| s.borrow_mut().remove(&id)).is_some() {
        send(&ClientMsg::Unsubscribe { id });
    }
}

/// Start the connection task if it is not running (idempotent).
pub fn start() {
    if ACTIVE.with(|a| a.replace(true)) {
        return;
    }
    watch_online();
    let epoch = bump_epoch();
    spawn_local(run(epoch));
}

fn bump_epoch() -> u32 {
    EPOCH.with(|e| {
        e.set(e.get().wrapping_add(1));
        e.get()
    })
}

fn current(epoch: u32) -> bool {
    EPOCH.with(|e| e.get()) == epoch
}

/// Close the connection (logout); the task ends instead of reconnecting.
pub fn stop() {
    ACTIVE.with(|a| a.set(false));
    bump_epoch();
    OUT.with(|o| {
        if let Some(tx) = o.borrow().as_ref() {
            let _ = tx.unbounded_send(CLOSE.into());
        }
    });
}

fn url() -> String {
    let loc = leptos::prelude::window().location();
    let proto = if loc.protocol().unwrap_or_default() == "https:" { "wss" } else { "ws" };
    format!("{proto}://{}/api/v1/ws", loc.host().unwrap_or_default())
}

fn dispatch(msg: ServerMsg) {
    match msg {
        ServerMsg::Batch { frames } => frames.into_iter().for_each(dispatch),
        ServerMsg::Event { id, event } => {
            let handler = SUBS.with(|s| s.borrow().get(&id).map(|s| s.handler.clone()));
            if let Some(h) = handler {
                h(event);
            }
        }
        ServerMsg::Subscribed { id } => {
            let ready = SUBS.with(|s| s.borrow().get(&id).and_then(|s| s.on_ready.clone()));
            if let Some(f) = ready {
                f();
            }
        }
        ServerMsg::Error { code, message } => leptos::logging::warn!("live: {message} ({code})"),
        // Refused (no such device) or ended (deleted): nothing more comes, so it is not
        // re-sent after a reconnect. The page learns it from its own REST load / `removed`.
        ServerMsg::Ended { id, code, message } => {
            leptos::logging::warn!("live: subscription {id} ended: {message} ({code})");
            SUBS.with(|s| s.borrow_mut().remove(&id));
        }
        _ => {}
    }
}

async fn run(epoch: u32) {
    let gl = g();
    let live = gl.live;
    let mut attempt = 0u32;
    let mut first = true;
    // Whether a connection was up before: the next one re-syncs what was missed in between.
    let mut was_live = false;
    while current(epoch) && gl.me.with_untracked(|m| m.is_some()) {
        live.set(if first { LiveState::Connecting } else { LiveState::Reconnecting });
        gl.ws_retry_at.set(None);
        first = false;
        let mut up = false;
        if let Ok(ws) = WebSocket::open(&url()) {
            let generation = GENERATION.with(|c| {
                c.set(c.get() + 1);
                c.get()
            });
            let (mut sink, mut stream) = ws.split();
            let (tx, mut rx) = unbounded::<String>();
            spawn_local(async move {
                while let Some(m) = rx.next().await {
                    if m == CLOSE {
                        let _ = sink.close().await;
                        break;
                    }
                    if sink.send(Message::Text(m)).await.is_err() {
                        break;
                    }
                }
            });
            OUT.with(|o| *o.borrow_mut() = Some(tx.clone()));
            // A ping first: its pong proves the socket is up even with no subscription.
            send(&ClientMsg::Ping);
            let subs: Vec<(u32, Stream)> =
                SUBS.with(|s| s.borrow().iter().map(|(id, s)| (*id, s.stream.clone())).collect());
            for (id, stream) in subs {
                send(&ClientMsg::Subscribe { id, stream });
            }
            spawn_local(ping_loop(generation, tx.clone()));
            let (kill_tx, mut kill_rx) = oneshot::channel::<()>();
            KILL.with(|k| *k.borrow_mut() = Some(kill_tx));
            loop {
                let frame = match select(stream.next(), &mut kill_rx).await {
                    Either::Left((Some(frame), _)) => frame,
                    Either::Left((None, _)) => break,
                    // Given up on (the browser went offline): close it and reconnect.
                    Either::Right(_) => {
                        let _ = tx.unbounded_send(CLOSE.into());
                        break;
                    }
                };
                let text = match frame {
                    Ok(Message::Text(text)) => text,
                    Ok(_) => continue,
                    Err(WebSocketError::ConnectionClose(c)) if c.code == SIGNED_OUT => {
                        signed_out();
                        return;
                    }
                    Err(_) => break,
                };
                if !up {
                    up = true;
                    attempt = 0;
                    live.set(LiveState::Live);
                    gl.ws_failures.set(0);
                    if was_live {
                        // Events sent while the socket was down are gone: every visible load
                        // reloads (components::table_state and the pages listen to this).
                        gl.resync.update(|n| *n += 1);
                    }
                    was_live = true;
                }
                match serde_json::from_str::<ServerMsg>(&text) {
                    Ok(msg) => dispatch(msg),
                    Err(e) => leptos::logging::warn!("live: unreadable frame: {e}"),
                }
            }
            OUT.with(|o| *o.borrow_mut() = None);
            KILL.with(|k| k.borrow_mut().take());
            GENERATION.with(|c| c.set(c.get() + 1));
        }
        if !current(epoch) {
            return;
        }
        if !up {
            gl.ws_failures.update(|n| *n += 1);
        }
        live.set(LiveState::Reconnecting);
        let delay = POLICY.delay_ms(attempt);
        attempt = attempt.saturating_add(1);
        wait_or_wake(delay).await;
    }
    if current(epoch) {
        ACTIVE.with(|a| a.set(false));
        live.set(LiveState::Idle);
        gl.ws_retry_at.set(None);
    }
}

/// Sleep `ms` before the next connect, or less if the browser says the network is back (its
/// `online` event): the console reconnects the moment it can instead of finishing a backoff.
async fn wait_or_wake(ms: u32) {
    let deadline = js_sys::Date::now() + f64::from(ms);
    g().ws_retry_at.set(Some(deadline));
    WAKE.with(|w| w.set(false));
    while js_sys::Date::now() < deadline && !WAKE.with(|w| w.replace(false)) {
        gloo_timers::future::TimeoutFuture::new(200).await;
    }
    g().ws_retry_at.set(None);
}

/// Listen (once) for the browser's `online` event.
fn watch_online() {
    if WATCHING.with(|w| w.replace(true)) {
        return;
    }
    // Never removed: one listener each for the page's lifetime.
    let _ = window_event_listener(leptos::ev::online, |_| {
        g().browser_offline.set(false);
        WAKE.with(|w| w.set(true));
    });
    // The browser says the network is gone: a socket that still looks open cannot be trusted (an
    // idle one only notices when a write or the TCP timeout fails, minutes later), and a green
    // badge over it would lie. Give it up; the reconnect loop reports the outage and retries.
    let _ = window_event_listener(leptos::ev::offline, |_| {
        g().browser_offline.set(true);
        if let Some(kill) = KILL.with(|k| k.borrow_mut().take()) {
            let _ = kill.send(());
        }
    });
}

/// Keep proxies from closing an idle socket.
async fn ping_loop(generation: u32, tx: UnboundedSender<String>) {
    let ping = serde_json::to_string(&ClientMsg::Ping).unwrap_or_default();
    loop {
        gloo_timers::future::TimeoutFuture::new(25_000).await;
        if GENERATION.with(|c| c.get()) != generation || tx.unbounded_send(ping.clone()).is_err() {
            break;
        }
    }
}
