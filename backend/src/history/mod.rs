//! A device's history over REST (issue 14), read by any signed-in user (viewers too):
//!
//! - `properties`: `GET /api/v1/devices/{pk}/{dn}/properties/{identifier}/history`, one
//!   property's stored values over a range, downsampled to at most 2,000 points.
//! - `events`: `GET /api/v1/devices/{pk}/{dn}/events`, the events it posted, by identifier/type.
//! - `network`: `GET /api/v1/devices/{pk}/{dn}/network-status`, the seed's network status table.
//! - `purge`: the network status retention job (on the injected clock, in small batches).
//!
//! New points reach an open chart over the WebSocket (the device stream's property events);
//! these routes serve the range the page opens with.

mod events;
mod network;
mod properties;
pub mod purge;

use crate::error::{AppError, AppResult};
use crate::http::openapi::{guarded, ApiRouter};
use crate::state::AppState;
use crate::store;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(guarded!(properties::history))
        .routes(guarded!(events::list))
        .routes(guarded!(network::list))
}

/// The device's row id, or the 404 that names it.
async fn device_id(st: &AppState, pk: &str, dn: &str) -> AppResult<i64> {
    let rec =
        store::devices::get(&st.db, pk, dn).await?.ok_or_else(|| AppError::NotFound(format!("device {pk}/{dn}")))?;
    Ok(rec.id)
}

/// A range or limit the model refused, as a 400 that says why.
fn bad(message: String) -> AppError {
    AppError::validation(message)
}
