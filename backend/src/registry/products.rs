//! Products: create (with generated or given credentials), list, update, delete, secret.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use model::auth::Role;
use model::registry::{
    validate_product_key, validate_product_name, validate_secret, NewProduct, Product, UpdateProduct,
};

use super::keys;
use crate::audit;
use crate::auth::session::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::http::json::Json;
use crate::state::AppState;
use crate::store;

pub async fn list(State(st): State<AppState>, _user: CurrentUser) -> AppResult<axum::Json<Vec<Product>>> {
    Ok(axum::Json(store::products::list(&st.db).await?))
}

pub async fn get(
    State(st): State<AppState>,
    _user: CurrentUser,
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

pub async fn create(
    State(st): State<AppState>,
    user: CurrentUser,
    Json(req): Json<NewProduct>,
) -> AppResult<(StatusCode, axum::Json<Product>)> {
    user.require(Role::Operator)?;
    let target = req.product_key.clone().unwrap_or_else(|| req.name.clone());
    audit::audited(&st, &user, "product.create", &target, Some(serde_json::json!({"name": req.name})), async {
        Ok((StatusCode::CREATED, axum::Json(create_product(&st, &req).await?)))
    })
    .await
}

pub async fn update(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(pk): Path<String>,
    Json(req): Json<UpdateProduct>,
) -> AppResult<axum::Json<Product>> {
    user.require(Role::Operator)?;
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

/// Deleting a product with devices is refused: deleting a fleet by accident is too easy.
pub async fn remove(State(st): State<AppState>, user: CurrentUser, Path(pk): Path<String>) -> AppResult<StatusCode> {
    user.require(Role::Operator)?;
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

pub async fn secret(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(pk): Path<String>,
) -> AppResult<axum::Json<serde_json::Value>> {
    user.require(Role::Operator)?;
    let rec = store::products::get(&st.db, &pk).await?.ok_or_else(|| AppError::NotFound(format!("product {pk}")))?;
    audit::record(&st, &user.username, "product.secret.view", &pk, &Ok::<(), AppError>(()), None).await;
    Ok(axum::Json(serde_json::json!({ "product_secret": rec.product_secret })))
}
