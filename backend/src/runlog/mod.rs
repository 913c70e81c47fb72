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
use axum::routing::get;
use axum::{Json, Router};
use model::runlog::{LogEntry, LogQuery};

use crate::auth::session::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store;

pub use writer::{spawn_writer, RunLog, WriterHandle};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/logs", get(search))
}

async fn search(
    State(st): State<AppState>,
    _user: CurrentUser,
    Query(q): Query<LogQuery>,
) -> AppResult<Json<Vec<LogEntry>>> {
    Ok(Json(store::runlog::query(&st.db, &q).await?))
}
