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
use utoipa_axum::router::UtoipaMethodRouterExt;

use crate::http::openapi::{guarded, ApiRouter};

pub use devices::create_devices;
pub use products::create_product;
pub use tsl::parse_model as tsl_parse;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(guarded!(products::list))
        .routes(guarded!(products::create))
        .routes(guarded!(products::get))
        .routes(guarded!(products::update))
        .routes(guarded!(products::remove))
        .routes(guarded!(products::secret))
        .routes(guarded!(tsl::get))
        .routes(guarded!(tsl::put))
        .routes(guarded!(devices::create))
        // A 10,000-row CSV is about 600 kB; JSON bodies elsewhere stay at the global 1 MiB.
        .routes(guarded!(import::import_csv).layer(DefaultBodyLimit::max(import::MAX_BODY)))
        .routes(guarded!(devices::list))
        .routes(guarded!(devices::get))
        .routes(guarded!(devices::update))
        .routes(guarded!(devices::remove))
        .routes(guarded!(devices::reset))
        .routes(guarded!(devices::secret))
        .routes(guarded!(devices::properties))
}
