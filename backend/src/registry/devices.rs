//! Devices: create, list/search, show, update (enable/disable, tags, groups), delete, secret.

use crate::http::query::Query;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use model::alink::DeviceRef;
use model::error::{ApiError, Page};
use model::groups::{normalize_group_name, validate_group_name};
use model::registry::{
    validate_device_name, validate_secret, Device, DeviceQuery, DeviceSecret, NewDevice, PropertyValue, UpdateDevice,
};

use super::keys;
use crate::audit;
use crate::auth::guard::{Authorized, Operator, Viewer};
use crate::error::{AppError, AppResult};
use crate::http::json::Json;
use crate::hub::Fact;
use crate::state::AppState;
use crate::store::devices::DeviceRecord;
use crate::store::{self, Db};

pub async fn find(st: &AppState, pk: &str, dn: &str) -> AppResult<DeviceRecord> {
    store::devices::get(&st.db, pk, dn).await?.ok_or_else(|| AppError::NotFound(format!("device {pk}/{dn}")))
}

/// Create devices of one product in one transaction; used by REST, CSV import and the demo.
pub async fn create_devices(db: &Db, now: i64, pk: &str, devices: Vec<NewDevice>) -> AppResult<Vec<DeviceSecret>> {
    if store::products::get(db, pk).await?.is_none() {
        return Err(AppError::NotFound(format!("product {pk}")));
    }
    let names: Vec<String> = devices.iter().map(|d| d.device_name.clone()).collect();
    let existing = store::devices::existing_names(db, pk, &names).await?;
    if !existing.is_empty() {
        return Err(AppError::Conflict(format!("device {} already exists in product {pk}", existing.join(", "))));
    }
    let with_secrets: Vec<(NewDevice, String)> = devices
        .into_iter()
        .map(|d| {
            let s = d.device_secret.clone().unwrap_or_else(keys::device_secret);
            (d, s)
        })
        .collect();
    store::devices::insert_many(db, pk, &with_secrets, now).await?;
    Ok(with_secrets
        .into_iter()
        .map(|(d, s)| DeviceSecret { product_key: pk.to_string(), device_name: d.device_name, device_secret: s })
        .collect())
}

/// Create a device
#[utoipa::path(
    post,
    path = "/api/v1/products/{pk}/devices",
    operation_id = "create_device",
    tag = "devices",
    params(("pk" = String, Path, description = "ProductKey")),
    request_body = NewDevice,
    responses(
        (status = 201, body = Device),
        (status = 400, description = "A bad DeviceName, secret or nickname", body = ApiError),
        (status = 404, description = "No such product", body = ApiError),
        (status = 409, description = "The DeviceName is taken in this product", body = ApiError),
    ),
)]
pub async fn create(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path(pk): Path<String>,
    Json(req): Json<NewDevice>,
) -> AppResult<(StatusCode, axum::Json<Device>)> {
    let target = format!("{pk}/{}", req.device_name);
    audit::audited(&st, &user, "device.create", &target, None, async {
        validate_device_name(&req.device_name).map_err(|e| AppError::validation(e.to_string()))?;
        if let Some(s) = &req.device_secret {
            validate_secret(s).map_err(|e| AppError::validation(e.to_string()))?;
        }
        if req.nickname.chars().count() > 64 {
            return Err(AppError::validation("a nickname must be at most 64 characters"));
        }
        create_devices(&st.db, st.now(), &pk, vec![req.clone()]).await?;
        Ok((StatusCode::CREATED, axum::Json(find(&st, &pk, &req.device_name).await?.device)))
    })
    .await
}

/// Search devices
#[utoipa::path(
    get,
    path = "/api/v1/devices",
    operation_id = "search_devices",
    tag = "devices",
    params(DeviceQuery),
    responses(
        (status = 200, body = Page<Device>),
        (status = 400, description = "A malformed query (`invalid_query`)", body = ApiError),
    ),
)]
pub async fn list(
    _user: Authorized<Viewer>,
    State(st): State<AppState>,
    Query(q): Query<DeviceQuery>,
) -> AppResult<axum::Json<Page<Device>>> {
    Ok(axum::Json(store::devices::list(&st.db, &q).await?))
}

/// Show a device
#[utoipa::path(
    get,
    path = "/api/v1/devices/{pk}/{dn}",
    operation_id = "get_device",
    tag = "devices",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    responses((status = 200, body = Device), (status = 404, description = "No such device", body = ApiError)),
)]
pub async fn get(
    _user: Authorized<Viewer>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
) -> AppResult<axum::Json<Device>> {
    Ok(axum::Json(find(&st, &pk, &dn).await?.device))
}

/// Update, enable or disable a device
///
/// Disabling disconnects the device. Only the fields given change.
#[utoipa::path(
    patch,
    path = "/api/v1/devices/{pk}/{dn}",
    operation_id = "update_device",
    tag = "devices",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    request_body = UpdateDevice,
    responses(
        (status = 200, body = Device),
        (status = 400, description = "A bad nickname, tag or group", body = ApiError),
        (status = 404, description = "No such device", body = ApiError),
    ),
)]
pub async fn update(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
    Json(req): Json<UpdateDevice>,
) -> AppResult<axum::Json<Device>> {
    let action = match req.enabled {
        Some(true) => "device.enable",
        Some(false) => "device.disable",
        None => "device.update",
    };
    audit::audited(&st, &user, action, &format!("{pk}/{dn}"), None, async {
        let rec = find(&st, &pk, &dn).await?;
        if let Some(n) = &req.nickname {
            if n.chars().count() > 64 {
                return Err(AppError::validation("a nickname must be at most 64 characters"));
            }
        }
        if let Some(tags) = &req.tags {
            if tags.iter().any(|t| t.key.is_empty() || t.key.len() > 64 || t.value.len() > 256) {
                return Err(AppError::validation("tag keys must be 1–64 characters and values at most 256"));
            }
        }
        // Group names: the groups' own rules; a name with no group yet creates it, so clients
        // that set groups as strings keep working (REST `/api/v1/groups` is the stable-id way).
        let groups: Option<Vec<String>> = match &req.groups {
            Some(gs) => {
                if let Some(e) = gs.iter().find_map(|g| validate_group_name(g).err()) {
                    return Err(AppError::validation(e.to_string()));
                }
                let mut names: Vec<String> = gs.iter().map(|g| normalize_group_name(g).to_string()).collect();
                names.sort();
                names.dedup();
                Some(names)
            }
            None => None,
        };
        if let Some(n) = &req.nickname {
            store::devices::set_nickname(&st.db, rec.id, n).await?;
        }
        if let Some(tags) = &req.tags {
            store::devices::set_tags(&st.db, rec.id, tags).await?;
        }
        if let Some(groups) = &groups {
            store::devices::set_groups(&st.db, rec.id, groups, st.now()).await?;
        }
        if let Some(enabled) = req.enabled {
            store::devices::set_enabled(&st.db, rec.id, enabled).await?;
            if !enabled {
                st.devices.disconnect(&pk, &dn).await;
            }
        }
        Ok(axum::Json(find(&st, &pk, &dn).await?.device))
    })
    .await
}

/// Delete a device (disconnects it)
#[utoipa::path(
    delete,
    path = "/api/v1/devices/{pk}/{dn}",
    operation_id = "delete_device",
    tag = "devices",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    responses((status = 204, description = "Deleted"), (status = 404, description = "No such device", body = ApiError)),
)]
pub async fn remove(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    audit::audited(&st, &user, "device.delete", &format!("{pk}/{dn}"), None, async {
        let rec = find(&st, &pk, &dn).await?;
        store::devices::delete(&st.db, rec.id).await?;
        st.devices.disconnect(&pk, &dn).await;
        st.hub.emit(&DeviceRef::new(pk.clone(), dn.clone()), None, Fact::Removed).await;
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

/// Reset a device to never activated
///
/// Aliyun's ResetThing: the device is disconnected, its activation and any `regnwl` token are
/// cleared, and dynamic registration (`register`/`regnwl`, which refuse an activated device with
/// 6289) may register it again. Its DeviceSecret, properties and run log stay.
#[utoipa::path(
    post,
    path = "/api/v1/devices/{pk}/{dn}/reset",
    operation_id = "reset_device",
    tag = "devices",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    responses((status = 200, body = Device), (status = 404, description = "No such device", body = ApiError)),
)]
pub async fn reset(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
) -> AppResult<axum::Json<Device>> {
    audit::audited(&st, &user, "device.reset", &format!("{pk}/{dn}"), None, async {
        let rec = find(&st, &pk, &dn).await?;
        st.devices.disconnect(&pk, &dn).await;
        store::devices::reset(&st.db, rec.id).await?;
        Ok(axum::Json(find(&st, &pk, &dn).await?.device))
    })
    .await
}

/// Show the DeviceSecret
///
/// The view is audited.
#[utoipa::path(
    get,
    path = "/api/v1/devices/{pk}/{dn}/secret",
    operation_id = "get_device_secret",
    tag = "devices",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    responses((status = 200, body = DeviceSecret), (status = 404, description = "No such device", body = ApiError)),
)]
pub async fn secret(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
) -> AppResult<axum::Json<DeviceSecret>> {
    let rec = find(&st, &pk, &dn).await?;
    audit::record(&st, &user.username, "device.secret.view", &format!("{pk}/{dn}"), &Ok::<(), AppError>(()), None)
        .await;
    Ok(axum::Json(DeviceSecret { product_key: pk, device_name: dn, device_secret: rec.device_secret }))
}

/// Latest property values
#[utoipa::path(
    get,
    path = "/api/v1/devices/{pk}/{dn}/properties",
    operation_id = "get_device_properties",
    tag = "devices",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    responses((status = 200, body = Vec<PropertyValue>), (status = 404, description = "No such device", body = ApiError)),
)]
pub async fn properties(
    _user: Authorized<Viewer>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
) -> AppResult<axum::Json<Vec<PropertyValue>>> {
    let rec = find(&st, &pk, &dn).await?;
    Ok(axum::Json(store::properties::latest(&st.db, rec.id).await?))
}
