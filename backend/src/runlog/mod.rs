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
use axum::routing::get;
use axum::{Json, Router};
use model::runlog::{LogEntry, LogQuery};

use crate::auth::session::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store;

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
