//! The cloud run log's write path and its REST search.
//!
//! Every uplink, downlink, reply, connect, disconnect, auth failure and ACL refusal becomes one
//! entry. Producers hand entries to a [`RunLog`] handle; the ingest writer
//! ([`crate::store::ingest`]) batches them into the store. The queue is bounded and `log()` waits when it is full: entries are never dropped,
//! and backpressure reaches the producer instead of memory growing without bound. Only the copy
//! to browsers (the live bus) may drop.

mod writer;

use crate::http::query::Query;
use axum::extract::State;
use axum::Json;
use model::error::ApiError;
use model::runlog::{LogEntry, LogQuery};

use crate::auth::guard::{Authorized, Viewer};
use crate::error::AppResult;
use crate::http::openapi::{guarded, ApiRouter};
use crate::state::AppState;
use crate::store;

pub use writer::{spawn_writer, RunLog, WriterHandle};

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(guarded!(search))
}

/// Search the cloud run log
///
/// Newest first, at most `limit` entries.
#[utoipa::path(
    get,
    path = "/api/v1/logs",
    operation_id = "search_logs",
    tag = "logs",
    params(LogQuery),
    responses(
        (status = 200, body = Vec<LogEntry>),
        (status = 400, description = "A malformed query (`invalid_query`)", body = ApiError),
    ),
)]
async fn search(
    _user: Authorized<Viewer>,
    State(st): State<AppState>,
    Query(q): Query<LogQuery>,
) -> AppResult<Json<Vec<LogEntry>>> {
    Ok(Json(store::runlog::query(&st.db, &q).await?))
}
