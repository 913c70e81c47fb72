//! The seed's "Device Network Status" table (1.3) for one device and range.

use axum::extract::{Path, State};
use model::error::ApiError;
use model::history::{resolve_count, resolve_range};
use model::network::{NetworkStatusPage, NetworkStatusQuery, DEFAULT_NETWORK_ROWS, MAX_NETWORK_ROWS};

use super::{bad, device_id};
use crate::auth::guard::{Authorized, Viewer};
use crate::error::AppResult;
use crate::http::query::Query;
use crate::state::AppState;
use crate::store;

/// Device network status
///
/// The network status samples (`_thing/diag/post`) received between `from` and `to` (ms,
/// by receive time; default the last hour), oldest first: Reported At, Collected At (absent
/// when the device sent no `_time`), RSSI, SNR, packet loss ‰, connection method, and the
/// `err_stats` records with their counts. At most `limit` rows (1-5000, default 2000), the newest.
#[utoipa::path(
    get,
    path = "/api/v1/devices/{pk}/{dn}/network-status",
    operation_id = "get_device_network_status",
    tag = "devices",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName"), NetworkStatusQuery),
    responses(
        (status = 200, body = NetworkStatusPage),
        (status = 400, description = "A bad range or limit (`validation`, `invalid_query`)", body = ApiError),
        (status = 404, description = "No such device", body = ApiError),
    ),
)]
pub async fn list(
    _user: Authorized<Viewer>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
    Query(q): Query<NetworkStatusQuery>,
) -> AppResult<axum::Json<NetworkStatusPage>> {
    let (from, to) = resolve_range(q.from, q.to, st.now()).map_err(bad)?;
    let limit = resolve_count("limit", q.limit, DEFAULT_NETWORK_ROWS, 1..=MAX_NETWORK_ROWS).map_err(bad)?;
    let id = device_id(&st, &pk, &dn).await?;
    let (rows, truncated) = store::history::network_rows(&st.db, id, from, to, limit).await?;
    Ok(axum::Json(NetworkStatusPage { from, to, rows, truncated }))
}
