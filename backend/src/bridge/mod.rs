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
use model::error::ApiError;

use crate::auth::guard::{Authorized, Viewer};
use crate::error::AppError;
use crate::http::openapi::{guarded, ApiRouter};
use crate::state::AppState;

pub use session::RECHECK_MS;

/// Frames waiting per browser at most before the oldest are dropped.
pub const CLIENT_QUEUE: usize = 2_048;
/// Subscriptions per connection at most.
pub const MAX_SUBSCRIPTIONS: usize = 64;
/// Largest client message; subscriptions are small.
pub const MAX_CLIENT_MESSAGE: usize = 64 * 1024;

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(guarded!(upgrade))
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

/// WebSocket: live streams
///
/// Upgrade to a WebSocket; the client sends `model::ws::ClientMsg` frames (subscribe,
/// unsubscribe) and receives `model::ws::ServerMsg` batches.
#[utoipa::path(
    get,
    path = "/api/v1/ws",
    operation_id = "live_socket",
    tag = "live",
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 400, description = "Not a WebSocket upgrade request", body = ApiError),
        (status = 403, description = "A cross-origin page, or the caller's role is below viewer", body = ApiError),
    ),
)]
async fn upgrade(
    user: Authorized<Viewer>,
    State(st): State<AppState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, AppError> {
    if !same_origin(&headers) {
        return Err(AppError::Forbidden("cross-origin WebSocket refused".into()));
    }
    Ok(ws.max_message_size(MAX_CLIENT_MESSAGE).on_upgrade(move |socket| session::run(st, user.user, socket)))
}
