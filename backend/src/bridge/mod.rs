//! The WebSocket bridge `/api/v1/ws`: browsers subscribe to live streams; the server filters,
//! queues per client (bounded, coalescing, drop-oldest) and writes batches.
//!
//! # Layout
//! - `queue`: the per-client outgoing queue.
//! - `session`: one browser connection: reading client messages and the bus, writing batches.

mod queue;
mod session;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::auth::session::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

/// Frames waiting per browser at most before the oldest are dropped.
pub const CLIENT_QUEUE: usize = 2_048;
/// Subscriptions per connection at most.
pub const MAX_SUBSCRIPTIONS: usize = 64;
/// Largest client message; subscriptions are small.
pub const MAX_CLIENT_MESSAGE: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/ws", get(upgrade))
}

/// A cross-site page cannot open the socket with the user's cookie: SameSite=Strict keeps the
/// cookie off, and the Origin check refuses the upgrade even if a browser sent it.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true; // not a browser (tools, tests): authenticated like any API client
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    origin.split_once("://").map(|(_, rest)| rest) == Some(host)
}

async fn upgrade(
    State(st): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, AppError> {
    if !same_origin(&headers) {
        return Err(AppError::Forbidden("cross-origin WebSocket refused".into()));
    }
    Ok(ws.max_message_size(MAX_CLIENT_MESSAGE).on_upgrade(move |socket| session::run(st, user, socket)))
}
