//! The cloud run log's write path and its REST search.
//!
//! Every uplink, downlink, reply, connect, disconnect, auth failure and ACL refusal becomes one
//! entry. Nobody writes entries directly: the gateway publishes device facts on the hub
//! ([`crate::hub`]), [`line::line_of`] says which facts are entries and how they read, and the
//! store writer ([`crate::store::ingest`]) stores them from its lossless lane — never dropped,
//! with backpressure to the producers. Only the copy to browsers (the live bus) may drop.

pub mod line;
pub mod text;

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
