//! The device registry over REST: products, thing models, devices, CSV import.
//!
//! # Layout
//! - `products`: product CRUD and ProductSecret.
//! - `tsl`: the thing model of a product (Alibaba TSL JSON in and out).
//! - `devices`: device CRUD, enable/disable, secrets, latest properties.
//! - `import`: batch creation from CSV.
//! - `keys`: generated ProductKeys and secrets.

mod devices;
mod import;
pub mod keys;
mod products;
mod tsl;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub use devices::create_devices;
pub use products::create_product;
pub use tsl::parse_model as tsl_parse;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/products", get(products::list).post(products::create))
        .route("/api/v1/products/{pk}", get(products::get).patch(products::update).delete(products::remove))
        .route("/api/v1/products/{pk}/secret", get(products::secret))
        .route("/api/v1/products/{pk}/tsl", get(tsl::get).put(tsl::put))
        .route("/api/v1/products/{pk}/devices", post(devices::create))
        .route(
            "/api/v1/products/{pk}/devices/import",
            // A 10,000-row CSV is about 600 kB; JSON bodies elsewhere stay at the global 1 MiB.
            post(import::import_csv).layer(DefaultBodyLimit::max(4 << 20)),
        )
        .route("/api/v1/devices", get(devices::list))
        .route("/api/v1/devices/{pk}/{dn}", get(devices::get).patch(devices::update).delete(devices::remove))
        .route("/api/v1/devices/{pk}/{dn}/secret", get(devices::secret))
        .route("/api/v1/devices/{pk}/{dn}/properties", get(devices::properties))
}
