//! One property's history: the stored values over `[from, to)`, downsampled on the server.

use axum::extract::{Path, State};
use model::error::ApiError;
use model::history::{downsample, resolve_max_points, resolve_range, HistoryQuery, PropertyHistory};

use super::{bad, device_id};
use crate::auth::guard::{Authorized, Viewer};
use crate::error::AppResult;
use crate::http::query::Query;
use crate::state::AppState;
use crate::store;

/// Property history
///
/// The values a device posted for one property (oldest first) between `from` and `to` (ms;
/// default the last hour, at most 31 days). More than `max_points` values (default and most
/// 2,000) are downsampled: each time bucket keeps its first, smallest, largest and last value,
/// so spikes stay visible. `total` is how many values are stored in the range.
#[utoipa::path(
    get,
    path = "/api/v1/devices/{pk}/{dn}/properties/{identifier}/history",
    operation_id = "get_property_history",
    tag = "devices",
    params(
        ("pk" = String, Path, description = "ProductKey"),
        ("dn" = String, Path, description = "DeviceName"),
        ("identifier" = String, Path, description = "The property's identifier"),
        HistoryQuery,
    ),
    responses(
        (status = 200, body = PropertyHistory),
        (status = 400, description = "A bad range or max_points (`validation`, `invalid_query`)", body = ApiError),
        (status = 404, description = "No such device", body = ApiError),
    ),
)]
pub async fn history(
    _user: Authorized<Viewer>,
    State(st): State<AppState>,
    Path((pk, dn, identifier)): Path<(String, String, String)>,
    Query(q): Query<HistoryQuery>,
) -> AppResult<axum::Json<PropertyHistory>> {
    let (from, to) = resolve_range(q.from, q.to, st.now()).map_err(bad)?;
    let max_points = resolve_max_points(q.max_points).map_err(bad)?;
    let id = device_id(&st, &pk, &dn).await?;
    let all = store::history::property_points(&st.db, id, &identifier, from, to).await?;
    let total = all.len() as u64;
    let points = downsample(all, from, to, max_points);
    let downsampled = (points.len() as u64) < total;
    Ok(axum::Json(PropertyHistory { identifier, from, to, total, downsampled, points }))
}
