//! Products: create (with generated or given credentials), list, update, delete, secret.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use model::error::ApiError;
use model::registry::{
    validate_product_key, validate_product_name, validate_secret, NewProduct, Product, UpdateProduct,
};

use super::keys;
use crate::audit;
use crate::auth::guard::{Authorized, Operator, Viewer};
use crate::error::{AppError, AppResult};
use crate::http::json::Json;
use crate::state::AppState;
use crate::store;

/// List products
#[utoipa::path(get, path = "/api/v1/products", operation_id = "list_products", tag = "products", responses((status = 200, body = Vec<Product>)))]
pub async fn list(_user: Authorized<Viewer>, State(st): State<AppState>) -> AppResult<axum::Json<Vec<Product>>> {
    Ok(axum::Json(store::products::list(&st.db).await?))
}

/// Show a product
#[utoipa::path(
    get,
    path = "/api/v1/products/{pk}",
    operation_id = "get_product",
    tag = "products",
    params(("pk" = String, Path, description = "ProductKey")),
    responses((status = 200, body = Product), (status = 404, description = "No such product", body = ApiError)),
)]
pub async fn get(
    _user: Authorized<Viewer>,
    State(st): State<AppState>,
    Path(pk): Path<String>,
) -> AppResult<axum::Json<Product>> {
    let rec = store::products::get(&st.db, &pk).await?.ok_or_else(|| AppError::NotFound(format!("product {pk}")))?;
    Ok(axum::Json(rec.product))
}

/// Create a product; used by the REST handler and by the demo seeder.
pub async fn create_product(st: &AppState, req: &NewProduct) -> AppResult<Product> {
    validate_product_name(&req.name).map_err(|e| AppError::validation(e.to_string()))?;
    let pk = match &req.product_key {
        Some(pk) => {
            validate_product_key(pk).map_err(|e| AppError::validation(e.to_string()))?;
            pk.clone()
        }
        None => keys::product_key(),
    };
    let secret = match &req.product_secret {
        Some(s) => {
            validate_secret(s).map_err(|e| AppError::validation(e.to_string()))?;
            s.clone()
        }
        None => keys::product_secret(),
    };
    if store::products::get(&st.db, &pk).await?.is_some() {
        return Err(AppError::Conflict(format!("product {pk} already exists")));
    }
    let product = Product {
        product_key: pk.clone(),
        name: req.name.trim().to_string(),
        node_type: req.node_type,
        data_format: req.data_format,
        dynamic_registration: req.dynamic_registration,
        description: req.description.clone(),
        created_at: st.now(),
        device_count: 0,
    };
    let tsl = super::tsl::empty_model(&pk);
    store::products::insert(&st.db, &product, &secret, &tsl).await?;
    Ok(product)
}

/// Create a product
///
/// ProductKey and ProductSecret are generated unless given (a fleet flashed with Alibaba
/// credentials keeps them).
#[utoipa::path(
    post,
    path = "/api/v1/products",
    operation_id = "create_product",
    tag = "products",
    request_body = NewProduct,
    responses(
        (status = 201, body = Product),
        (status = 400, description = "A bad name, ProductKey or secret", body = ApiError),
        (status = 409, description = "The ProductKey is taken", body = ApiError),
    ),
)]
pub async fn create(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Json(req): Json<NewProduct>,
) -> AppResult<(StatusCode, axum::Json<Product>)> {
    let target = req.product_key.clone().unwrap_or_else(|| req.name.clone());
    audit::audited(&st, &user, "product.create", &target, Some(serde_json::json!({"name": req.name})), async {
        Ok((StatusCode::CREATED, axum::Json(create_product(&st, &req).await?)))
    })
    .await
}

/// Update a product
#[utoipa::path(
    patch,
    path = "/api/v1/products/{pk}",
    operation_id = "update_product",
    tag = "products",
    params(("pk" = String, Path, description = "ProductKey")),
    request_body = UpdateProduct,
    responses(
        (status = 200, body = Product),
        (status = 400, description = "A bad name", body = ApiError),
        (status = 404, description = "No such product", body = ApiError),
    ),
)]
pub async fn update(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path(pk): Path<String>,
    Json(req): Json<UpdateProduct>,
) -> AppResult<axum::Json<Product>> {
    audit::audited(&st, &user, "product.update", &pk.clone(), None, async {
        if let Some(n) = &req.name {
            validate_product_name(n).map_err(|e| AppError::validation(e.to_string()))?;
        }
        if !store::products::update(&st.db, &pk, &req).await? {
            return Err(AppError::NotFound(format!("product {pk}")));
        }
        let rec =
            store::products::get(&st.db, &pk).await?.ok_or_else(|| AppError::NotFound(format!("product {pk}")))?;
        Ok(axum::Json(rec.product))
    })
    .await
}

/// Delete a product without devices
///
/// A product with devices is refused: deleting a fleet by accident is too easy.
#[utoipa::path(
    delete,
    path = "/api/v1/products/{pk}",
    operation_id = "delete_product",
    tag = "products",
    params(("pk" = String, Path, description = "ProductKey")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such product", body = ApiError),
        (status = 409, description = "The product still has devices", body = ApiError),
    ),
)]
pub async fn remove(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path(pk): Path<String>,
) -> AppResult<StatusCode> {
    audit::audited(&st, &user, "product.delete", &pk.clone(), None, async {
        let rec =
            store::products::get(&st.db, &pk).await?.ok_or_else(|| AppError::NotFound(format!("product {pk}")))?;
        if rec.product.device_count > 0 {
            return Err(AppError::Conflict(format!(
                "product {pk} still has {} devices; delete them first",
                rec.product.device_count
            )));
        }
        store::products::delete(&st.db, &pk).await?;
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

/// A product's secret, for dynamic registration.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ProductSecret {
    pub product_secret: String,
}

/// Show the ProductSecret
///
/// The view is audited.
#[utoipa::path(
    get,
    path = "/api/v1/products/{pk}/secret",
    operation_id = "get_product_secret",
    tag = "products",
    params(("pk" = String, Path, description = "ProductKey")),
    responses((status = 200, body = ProductSecret), (status = 404, description = "No such product", body = ApiError)),
)]
pub async fn secret(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path(pk): Path<String>,
) -> AppResult<axum::Json<ProductSecret>> {
    let rec = store::products::get(&st.db, &pk).await?.ok_or_else(|| AppError::NotFound(format!("product {pk}")))?;
    audit::record(&st, &user.username, "product.secret.view", &pk, &Ok::<(), AppError>(()), None).await;
    Ok(axum::Json(ProductSecret { product_secret: rec.product_secret }))
}
