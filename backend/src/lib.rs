//! The fleetdeck server: REST API, WebSocket bridge, embedded MQTT broker and Alink gateway.
//!
//! # Layout
//! - `config`: flags, environment, TOML file → [`config::Settings`].
//! - `state`: [`state::AppState`], shared by handlers and background tasks.
//! - `error`: [`error::AppError`] → JSON `{code, message, details}`.
//! - `clock`: injected time and timers (fake in tests); `jobs`: supervised background jobs.
//! - `hub/`: device facts ([`hub::DeviceEvent`]) on lossless lanes (store, feature hooks) and
//!   the lossy live bus (browsers). The gateway is their only producer.
//! - `gateway/`: the embedded broker, device sessions, the Alink topic router.
//! - `commands/`: everything the platform sends to devices (typed calls, publish, RRPC).
//! - `runlog/`: which facts are run-log entries, and the run-log search.
//! - `store/`: the database pool, migrations and one repository module per feature.
//! - `http/`: JSON extractor, health, OpenAPI, the single-page app.
//! - `auth/`: users, sessions, roles, CSRF, API tokens, login rate limit.
//! - `audit/`: the audit log.
//! - `registry/`: products, thing models, devices.
//! - `groups/`: device groups (stable ids, unique names) and their members.
//! - `device/`: the device page's connection parameters and the broker address devices use.
//! - `debug/`: online debugging over REST (property set/get, services, desired values, custom
//!   topics, log switch) and the job that delivers desired values on connect.
//! - `history/`: a device's property history, events and network status (issue 14).
//! - `monitor/`: per-minute metrics from the lossless lane, their series and `/metrics` (issue 14).
//! - `server`: wiring it all together and running it ([`server::start`]).

pub mod audit;
pub mod auth;
pub mod bridge;
pub mod clock;
pub mod commands;
pub mod config;
pub mod debug;
pub mod demo;
pub mod device;
pub mod error;
pub mod gateway;
pub mod groups;
pub mod history;
pub mod http;
pub mod hub;
pub mod jobs;
pub mod live_bus;
pub mod monitor;
pub mod registry;
pub mod runlog;
pub mod server;
// Device simulation and the demo fleet (issue 13).
pub mod simulate;
pub mod state;
pub mod store;

use std::path::Path;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use tower_http::compression::CompressionLayer;

use state::AppState;

/// Largest JSON body any endpoint takes (the CSV import has its own, larger limit).
pub const BODY_LIMIT: usize = 1 << 20;

/// Every REST route with its OpenAPI description (the document is generated from this).
pub fn api() -> http::openapi::ApiRouter {
    http::openapi::ApiRouter::with_openapi(http::openapi::base())
        .merge(http::health::router())
        .merge(http::openapi::router())
        .merge(auth::router())
        .merge(audit::router())
        .merge(registry::router())
        .merge(groups::router())
        .merge(runlog::router())
        .merge(bridge::router())
        .merge(device::router())
        // online debugging (issue 12)
        .merge(debug::router())
        // history (issue 14)
        .merge(history::router())
        // real-time monitoring (issue 14)
        .merge(monitor::router())
        .merge(simulate::handlers::router())
}

/// The whole HTTP application; tests drive it with `oneshot` without a socket.
pub fn app(state: AppState, dist: Option<&Path>) -> Router {
    let (api, _doc) = api().split_for_parts();
    // `/metrics` (Prometheus text, not part of the API document) before the SPA fallback.
    let api = api.route("/metrics", axum::routing::get(monitor::scrape::metrics));
    let router = http::spa::with_fallback(api, dist);
    // Request counts and latency by route, unless metrics are off (then nothing is counted).
    let router = if state.monitor.enabled() {
        router.layer(axum::middleware::from_fn_with_state(state.clone(), monitor::scrape::track))
    } else {
        router
    };
    router
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(http::spa::limit_uri))
        .layer(CompressionLayer::new())
        .with_state(state)
}
