//! `/healthz` (the process answers) and `/readyz` (the database answers too), plus `/api/v1/info`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::openapi::{public, ApiRouter};
use crate::state::AppState;

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(public!(healthz)).routes(public!(readyz)).routes(public!(info))
}

/// Liveness: the process answers
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "system",
    responses((status = 200, description = "`ok`", body = String, content_type = "text/plain")),
)]
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    tag = "system",
    responses(
        (status = 200, description = "`ready`", body = String, content_type = "text/plain"),
        (status = 503, description = "`database unavailable`", body = String, content_type = "text/plain"),
    ),
)]
async fn readyz(State(st): State<AppState>) -> (StatusCode, &'static str) {
    match sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&st.db).await {
        Ok(_) => (StatusCode::OK, "ready"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// What the browser needs before login.
#[derive(Debug, Serialize, ToSchema)]
pub struct Info {
    /// The server's version.
    pub version: String,
    /// The port devices connect to with MQTT.
    pub mqtt_port: u16,
    /// Whether the server runs with demo data.
    pub demo: bool,
}

/// Version, MQTT port, demo mode
#[utoipa::path(
    get,
    path = "/api/v1/info",
    operation_id = "info",
    tag = "system",
    responses((status = 200, body = Info)),
)]
async fn info(State(st): State<AppState>) -> Json<Info> {
    Json(Info { version: env!("CARGO_PKG_VERSION").into(), mqtt_port: st.settings.mqtt.port(), demo: st.settings.demo })
}
