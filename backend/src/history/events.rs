//! The events a device posted (`device_events`), filtered by identifier and type.

use axum::extract::{Path, State};
use model::error::ApiError;
use model::history::{
    resolve_count, resolve_range, EventPage, EventQuery, DEFAULT_EVENTS, DEFAULT_EVENT_RANGE_MS, MAX_EVENTS,
};

use super::{bad, device_id};
use crate::auth::guard::{Authorized, Viewer};
use crate::error::AppResult;
use crate::http::query::Query;
use crate::state::AppState;
use crate::store;

/// Device events
///
/// Events the device posted and its thing model accepted, newest first, between `from` and
/// `to` (ms; default the last 7 days, at most 31 days), optionally only one event identifier
/// and one type (`info`, `alert`, `error`). At most `limit` (1-1000, default 200).
#[utoipa::path(
    get,
    path = "/api/v1/devices/{pk}/{dn}/events",
    operation_id = "list_device_events",
    tag = "devices",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName"), EventQuery),
    responses(
        (status = 200, body = EventPage),
        (status = 400, description = "A bad range, type or limit (`validation`, `invalid_query`)", body = ApiError),
        (status = 404, description = "No such device", body = ApiError),
    ),
)]
pub async fn list(
    _user: Authorized<Viewer>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
    Query(q): Query<EventQuery>,
) -> AppResult<axum::Json<EventPage>> {
    let now = st.now();
    let to = q.to.unwrap_or(now.saturating_add(1));
    let from = q.from.unwrap_or(to.saturating_sub(DEFAULT_EVENT_RANGE_MS));
    let (from, to) = resolve_range(Some(from), Some(to), now).map_err(bad)?;
    let limit = resolve_count("limit", q.limit, DEFAULT_EVENTS, 1..=MAX_EVENTS).map_err(bad)?;
    let identifier = q.identifier.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let id = device_id(&st, &pk, &dn).await?;
    let filter = store::history::EventFilter { identifier, event_type: q.event_type, from, to, limit };
    let (items, truncated) = store::history::events(&st.db, id, &filter).await?;
    Ok(axum::Json(EventPage { from, to, items, truncated }))
}
