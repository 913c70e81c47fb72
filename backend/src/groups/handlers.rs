//! Groups themselves: list/search, create, show, rename/describe, delete; and a device's groups.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use model::error::{ApiError, Page};
use model::groups::{
    normalize_group_name, validate_group_description, validate_group_name, Group, GroupQuery, NewGroup, UpdateGroup,
};

use super::find;
use crate::audit;
use crate::auth::guard::{Authorized, Operator, Viewer};
use crate::error::{AppError, AppResult};
use crate::http::json::Json;
use crate::http::query::Query;
use crate::state::AppState;
use crate::store;

/// A taken name: the store's conflict in words that name the group.
fn taken(name: &str) -> impl Fn(store::Error) -> AppError + '_ {
    move |e| match e {
        store::Error::Conflict => AppError::Conflict(format!("a group named {name:?} already exists")),
        other => other.into(),
    }
}

fn checked_name(name: &str) -> AppResult<String> {
    validate_group_name(name).map_err(|e| AppError::validation(e.to_string()))?;
    Ok(normalize_group_name(name).to_string())
}

fn checked_description(d: &str) -> AppResult<()> {
    validate_group_description(d).map_err(|e| AppError::validation(e.to_string()))
}

/// List groups
///
/// Ordered by name, with each group's device and online counts.
#[utoipa::path(
    get,
    path = "/api/v1/groups",
    operation_id = "list_groups",
    tag = "groups",
    params(GroupQuery),
    responses(
        (status = 200, body = Page<Group>),
        (status = 400, description = "A malformed query (`invalid_query`)", body = ApiError),
    ),
)]
pub async fn list(
    _user: Authorized<Viewer>,
    State(st): State<AppState>,
    Query(q): Query<GroupQuery>,
) -> AppResult<axum::Json<Page<Group>>> {
    Ok(axum::Json(store::groups::list(&st.db, &q).await?))
}

/// Create a group
#[utoipa::path(
    post,
    path = "/api/v1/groups",
    operation_id = "create_group",
    tag = "groups",
    request_body = NewGroup,
    responses(
        (status = 201, body = Group),
        (status = 400, description = "A bad name or description (`validation`)", body = ApiError),
        (status = 409, description = "The name is taken (`conflict`)", body = ApiError),
    ),
)]
pub async fn create(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Json(req): Json<NewGroup>,
) -> AppResult<(StatusCode, axum::Json<Group>)> {
    let target = normalize_group_name(&req.name).to_string();
    audit::audited(&st, &user, "group.create", &target, None, async {
        let name = checked_name(&req.name)?;
        checked_description(&req.description)?;
        let id = store::groups::insert(&st.db, &name, &req.description, st.now()).await.map_err(taken(&name))?;
        Ok((StatusCode::CREATED, axum::Json(find(&st, &id.to_string()).await?)))
    })
    .await
}

/// Show a group
#[utoipa::path(
    get,
    path = "/api/v1/groups/{id}",
    operation_id = "get_group",
    tag = "groups",
    params(("id" = i64, Path, description = "The group's id")),
    responses(
        (status = 200, body = Group),
        (status = 400, description = "The id is not a number", body = ApiError),
        (status = 404, description = "No such group", body = ApiError),
    ),
)]
pub async fn get(
    _user: Authorized<Viewer>,
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<axum::Json<Group>> {
    Ok(axum::Json(find(&st, &id).await?))
}

/// Rename or describe a group
///
/// Only the fields given change; the id stays, so what refers to the group keeps working.
#[utoipa::path(
    patch,
    path = "/api/v1/groups/{id}",
    operation_id = "update_group",
    tag = "groups",
    params(("id" = i64, Path, description = "The group's id")),
    request_body = UpdateGroup,
    responses(
        (status = 200, body = Group),
        (status = 400, description = "A bad name or description (`validation`)", body = ApiError),
        (status = 404, description = "No such group", body = ApiError),
        (status = 409, description = "Another group has this name (`conflict`)", body = ApiError),
    ),
)]
pub async fn update(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path(id): Path<String>,
    Json(req): Json<UpdateGroup>,
) -> AppResult<axum::Json<Group>> {
    let details = serde_json::to_value(&req).ok();
    audit::audited(&st, &user, "group.update", &format!("group/{id}"), details, async {
        let g = find(&st, &id).await?;
        let name = req.name.as_deref().map(checked_name).transpose()?;
        if let Some(d) = &req.description {
            checked_description(d)?;
        }
        let new_name = name.as_deref().unwrap_or(&g.name);
        store::groups::update(&st.db, g.id, name.as_deref(), req.description.as_deref())
            .await
            .map_err(taken(new_name))?;
        Ok(axum::Json(find(&st, &id).await?))
    })
    .await
}

/// Delete a group
///
/// Its devices stay in the registry (and in their other groups); only the group and its
/// memberships go.
#[utoipa::path(
    delete,
    path = "/api/v1/groups/{id}",
    operation_id = "delete_group",
    tag = "groups",
    params(("id" = i64, Path, description = "The group's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a number", body = ApiError),
        (status = 404, description = "No such group", body = ApiError),
    ),
)]
pub async fn remove(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    audit::audited(&st, &user, "group.delete", &format!("group/{id}"), None, async {
        let g = find(&st, &id).await?;
        store::groups::delete(&st.db, g.id).await?;
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

/// A device's groups
///
/// With their ids, for links (device JSON's `groups` has the names only).
#[utoipa::path(
    get,
    path = "/api/v1/devices/{pk}/{dn}/groups",
    operation_id = "get_device_groups",
    tag = "groups",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    responses((status = 200, body = Vec<Group>), (status = 404, description = "No such device", body = ApiError)),
)]
pub async fn of_device(
    _user: Authorized<Viewer>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
) -> AppResult<axum::Json<Vec<Group>>> {
    let rec =
        store::devices::get(&st.db, &pk, &dn).await?.ok_or_else(|| AppError::NotFound(format!("device {pk}/{dn}")))?;
    Ok(axum::Json(store::groups::of_device(&st.db, rec.id).await?))
}
