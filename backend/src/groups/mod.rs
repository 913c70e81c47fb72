//! Device groups over REST: `/api/v1/groups…`.
//!
//! A group is a stable id with a unique name (OTA batches refer to the id; a rename keeps it).
//! Deleting a group leaves its devices alone. Member changes report per device (added, already
//! a member, unknown device …) and never fail the whole batch for one bad name.
//!
//! # Layout
//! - `handlers`: list, create, show, rename/describe, delete; a device's groups.
//! - `members`: a group's devices (the device list's query, with live status), add (JSON or
//!   CSV), remove.

mod handlers;
mod members;

use utoipa_axum::router::UtoipaMethodRouterExt;

use crate::error::{AppError, AppResult};
use crate::http::openapi::{guarded, ApiRouter};
use crate::state::AppState;
use crate::store;
use model::groups::Group;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(guarded!(handlers::list))
        .routes(guarded!(handlers::create))
        .routes(guarded!(handlers::get))
        .routes(guarded!(handlers::update))
        .routes(guarded!(handlers::remove))
        .routes(guarded!(handlers::of_device))
        .routes(guarded!(members::list))
        .routes(guarded!(members::add))
        .routes(guarded!(members::add_csv).layer(axum::extract::DefaultBodyLimit::max(members::MAX_CSV_BODY)))
        .routes(guarded!(members::remove_many))
        .routes(guarded!(members::remove_one))
}

/// The group with this id (as the path gave it), or the 404 that says so.
async fn find(st: &AppState, id: &str) -> AppResult<Group> {
    let n: i64 = id.parse().map_err(|_| AppError::validation(format!("a group id is a number, not {id:?}")))?;
    store::groups::get(&st.db, n).await?.ok_or_else(|| AppError::NotFound(format!("group {n}")))
}
