//! Batch device creation from a CSV file: `DeviceName[,DeviceSecret[,Nickname]]`.
//!
//! Two modes, chosen by the caller and echoed in the report: `all_or_nothing` (default) creates
//! nothing if any row is bad; `valid_rows` creates the good rows and reports the rest.

use crate::http::query::Query;
use axum::extract::rejection::StringRejection;
use axum::extract::{Path, State};
use model::error::ApiError;
use model::registry::{parse_device_csv, CsvRowError, ImportMode, ImportReport};
use serde::Deserialize;
use utoipa::IntoParams;

use super::devices::create_devices;
use crate::audit;
use crate::auth::guard::{Authorized, Operator};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store;

/// The largest CSV body: 10,000 rows are about 600 kB.
pub const MAX_BODY: usize = 4 << 20;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// What to do with a file that has bad rows (default `all_or_nothing`).
    #[serde(default)]
    #[param(inline)]
    mode: ImportMode,
}

/// Create devices from CSV
///
/// The body is `DeviceName[,DeviceSecret[,Nickname]]` lines, an optional header first.
#[utoipa::path(
    post,
    path = "/api/v1/products/{pk}/devices/import",
    operation_id = "import_devices",
    tag = "devices",
    params(("pk" = String, Path, description = "ProductKey"), ImportParams),
    request_body(content = String, content_type = "text/csv", description = "At most 10,000 rows"),
    responses(
        (status = 200, description = "What was created and every bad row", body = ImportReport),
        (status = 400, description = "No device rows, or not UTF-8", body = ApiError),
        (status = 404, description = "No such product", body = ApiError),
        (status = 413, description = "Larger than 4 MiB", body = ApiError),
    ),
)]
pub async fn import_csv(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path(pk): Path<String>,
    Query(p): Query<ImportParams>,
    body: Result<String, StringRejection>,
) -> AppResult<axum::Json<ImportReport>> {
    let body = body.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge
        } else {
            AppError::validation(format!("the file must be UTF-8 text: {}", e.body_text()))
        }
    })?;
    audit::audited(&st, &user, "device.import", &pk.clone(), Some(serde_json::json!({"mode": p.mode})), async {
        if store::products::get(&st.db, &pk).await?.is_none() {
            return Err(AppError::NotFound(format!("product {pk}")));
        }
        let (rows, mut errors) = parse_device_csv(&body);
        if rows.is_empty() && errors.is_empty() {
            return Err(AppError::validation("the file has no device rows"));
        }
        // Names that already exist are row errors too, found before anything is written.
        let names: Vec<String> = rows.iter().map(|r| r.device.device_name.clone()).collect();
        let existing = store::devices::existing_names(&st.db, &pk, &names).await?;
        let (good, taken): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| !existing.contains(&r.device.device_name));
        errors.extend(taken.into_iter().map(|r| CsvRowError {
            line: r.line,
            device_name: r.device.device_name,
            message: "already exists".into(),
        }));
        errors.sort_by_key(|e| e.line);
        let create_rows = p.mode == ImportMode::ValidRows || errors.is_empty();
        let created = if create_rows && !good.is_empty() {
            create_devices(&st.db, st.now(), &pk, good.into_iter().map(|r| r.device).collect()).await?.len() as u32
        } else {
            0
        };
        Ok(axum::Json(ImportReport { mode: p.mode, created, errors }))
    })
    .await
}
