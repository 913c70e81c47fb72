//! The device page's server side: how a device connects.
//!
//! - `broker`: the broker address devices use (`--mqtt-public`, else the request's host name and
//!   the listeners' ports), shared with `/api/v1/info`.
//! - `connection`: `GET /api/v1/devices/{pk}/{dn}/connection`, the Connection parameters panel.

pub mod broker;
mod connection;

use crate::http::openapi::{guarded, ApiRouter};

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(guarded!(connection::connection))
}
