//! A product's thing model, in and out as Alibaba TSL JSON (import = PUT, export = GET).

use axum::extract::{Path, State};
use model::error::ApiError;
use model::tsl::ThingModel;

use crate::audit;
use crate::auth::guard::{Authorized, Operator, Viewer};
use crate::error::{AppError, AppResult};
use crate::http::json::Json;
use crate::state::AppState;
use crate::store;

/// The model a new product starts with: the built-in `post`/`set`/`get` entries only.
pub fn empty_model(pk: &str) -> String {
    serde_json::to_string(&ThingModel::new_empty(pk)).unwrap_or_else(|_| "{}".into())
}

/// Export the thing model (Alibaba TSL JSON)
///
/// Keys the server does not know are kept from the import and exported unchanged.
#[utoipa::path(
    get,
    path = "/api/v1/products/{pk}/tsl",
    operation_id = "get_thing_model",
    tag = "products",
    params(("pk" = String, Path, description = "ProductKey")),
    responses((status = 200, body = ThingModel), (status = 404, description = "No such product", body = ApiError)),
)]
pub async fn get(
    _user: Authorized<Viewer>,
    State(st): State<AppState>,
    Path(pk): Path<String>,
) -> AppResult<axum::Json<serde_json::Value>> {
    let rec = store::products::get(&st.db, &pk).await?.ok_or_else(|| AppError::NotFound(format!("product {pk}")))?;
    let v = serde_json::from_str(&rec.tsl).map_err(|e| AppError::Internal(e.into()))?;
    Ok(axum::Json(v))
}

/// Parse and check a model before it is stored; the errors carry the seed's code 6317
/// (or the more precise code the check found) and every problem in `details`.
pub fn parse_model(pk: &str, body: serde_json::Value) -> AppResult<ThingModel> {
    let mut model: ThingModel = serde_json::from_value(body)
        .map_err(|e| AppError::coded(model::tsl::codes::MODEL_INVALID, format!("not a thing model: {e}")))?;
    // An imported file may come from another product (or Alibaba's console): it becomes ours.
    model.profile.product_key = pk.to_string();
    let problems = model.check();
    if let Some(first) = problems.first() {
        let details = serde_json::json!(problems
            .iter()
            .map(|p| serde_json::json!({"code": p.code, "path": p.path, "message": p.message}))
            .collect::<Vec<_>>());
        return Err(AppError::coded(
            model::tsl::codes::MODEL_INVALID,
            format!("the thing model is invalid: {}: {}", first.path, first.message),
        )
        .with_details(details));
    }
    Ok(model)
}

/// Import/replace the thing model
///
/// The model's `profile.productKey` is set to this product. An invalid model is refused with
/// code `6317` (or a more precise seed code) and every problem in `details`.
#[utoipa::path(
    put,
    path = "/api/v1/products/{pk}/tsl",
    operation_id = "put_thing_model",
    tag = "products",
    params(("pk" = String, Path, description = "ProductKey")),
    request_body = ThingModel,
    responses(
        (status = 200, description = "The model as stored", body = ThingModel),
        (status = 400, description = "Not a valid thing model (`6317` etc.; `details` lists `{code, path, message}`)", body = ApiError),
        (status = 404, description = "No such product", body = ApiError),
    ),
)]
pub async fn put(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path(pk): Path<String>,
    Json(body): Json<serde_json::Value>,
) -> AppResult<axum::Json<serde_json::Value>> {
    audit::audited(&st, &user, "product.tsl.update", &pk.clone(), None, async {
        if store::products::get(&st.db, &pk).await?.is_none() {
            return Err(AppError::NotFound(format!("product {pk}")));
        }
        let model = parse_model(&pk, body)?;
        let text = serde_json::to_string(&model).map_err(|e| AppError::Internal(e.into()))?;
        store::products::set_tsl(&st.db, &pk, &text).await?;
        crate::gateway::router::invalidate_product(&pk);
        Ok(axum::Json(serde_json::to_value(&model).map_err(|e| AppError::Internal(e.into()))?))
    })
    .await
}
