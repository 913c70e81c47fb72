//! User management (admin only).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use model::auth::{NewUser, Role, UpdateUser, User, MIN_PASSWORD_LEN};
use model::error::ApiError;

use super::guard::{Admin, Authorized};
use super::password;
use crate::audit;
use crate::error::{AppError, AppResult};
use crate::http::json::Json;
use crate::state::AppState;
use crate::store;

/// List users
#[utoipa::path(get, path = "/api/v1/users", operation_id = "list_users", tag = "users", responses((status = 200, body = Vec<User>)))]
pub async fn list(_user: Authorized<Admin>, State(st): State<AppState>) -> AppResult<axum::Json<Vec<User>>> {
    Ok(axum::Json(store::users::list(&st.db).await?))
}

/// Create a user
#[utoipa::path(
    post,
    path = "/api/v1/users",
    operation_id = "create_user",
    tag = "users",
    request_body = NewUser,
    responses(
        (status = 201, body = User),
        (status = 400, description = "Bad user name or too short a password", body = ApiError),
        (status = 409, description = "The user exists", body = ApiError),
    ),
)]
pub async fn create(
    user: Authorized<Admin>,
    State(st): State<AppState>,
    Json(req): Json<NewUser>,
) -> AppResult<(StatusCode, axum::Json<User>)> {
    let details = serde_json::json!({ "role": req.role });
    audit::audited(&st, &user, "user.create", &req.username.clone(), Some(details), async {
        if !model::auth::valid_username(&req.username) {
            return Err(AppError::validation("a user name must be 3–32 letters, digits or ._-"));
        }
        if req.password.len() < MIN_PASSWORD_LEN {
            return Err(AppError::validation(format!("a password needs at least {MIN_PASSWORD_LEN} characters")));
        }
        if store::users::get(&st.db, &req.username).await?.is_some() {
            return Err(AppError::Conflict(format!("user {} already exists", req.username)));
        }
        let hash = password::hash(req.password.clone()).await?;
        let now = st.now();
        store::users::insert(&st.db, &req.username, &hash, req.role, now).await?;
        Ok((
            StatusCode::CREATED,
            axum::Json(User { username: req.username.clone(), role: req.role, created_at: now, disabled: false }),
        ))
    })
    .await
}

/// Would this change leave no admin who can log in?
async fn removes_last_admin(st: &AppState, target: &User, new_role: Option<Role>, disabling: bool) -> AppResult<bool> {
    let loses_admin =
        target.role == Role::Admin && !target.disabled && (new_role.is_some_and(|r| r != Role::Admin) || disabling);
    Ok(loses_admin && store::users::active_admins(&st.db).await? <= 1)
}

/// Change role, disable, reset password
///
/// Disabling a user or resetting their password ends their sessions.
#[utoipa::path(
    patch,
    path = "/api/v1/users/{username}",
    operation_id = "update_user",
    tag = "users",
    params(("username" = String, Path)),
    request_body = UpdateUser,
    responses(
        (status = 200, body = User),
        (status = 400, description = "Too short a password", body = ApiError),
        (status = 404, description = "No such user", body = ApiError),
        (status = 409, description = "It would leave no active admin", body = ApiError),
    ),
)]
pub async fn update(
    user: Authorized<Admin>,
    State(st): State<AppState>,
    Path(name): Path<String>,
    Json(req): Json<UpdateUser>,
) -> AppResult<axum::Json<User>> {
    let details =
        serde_json::json!({ "role": req.role, "disabled": req.disabled, "password_reset": req.password.is_some() });
    audit::audited(&st, &user, "user.update", &name.clone(), Some(details), async {
        let target =
            store::users::get(&st.db, &name).await?.ok_or_else(|| AppError::NotFound(format!("user {name}")))?.user;
        if removes_last_admin(&st, &target, req.role, req.disabled == Some(true)).await? {
            return Err(AppError::Conflict("the last active admin cannot be demoted or disabled".into()));
        }
        if let Some(pw) = &req.password {
            if pw.len() < MIN_PASSWORD_LEN {
                return Err(AppError::validation(format!("a password needs at least {MIN_PASSWORD_LEN} characters")));
            }
            store::users::set_password(&st.db, &name, &password::hash(pw.clone()).await?).await?;
            store::sessions::delete_for_user(&st.db, &name).await?;
        }
        if let Some(role) = req.role {
            store::users::set_role(&st.db, &name, role).await?;
        }
        if let Some(d) = req.disabled {
            store::users::set_disabled(&st.db, &name, d).await?;
            if d {
                store::sessions::delete_for_user(&st.db, &name).await?;
            }
        }
        let u = store::users::get(&st.db, &name).await?.ok_or_else(|| AppError::NotFound(format!("user {name}")))?;
        st.revocations.revoke();
        Ok(axum::Json(u.user))
    })
    .await
}

/// Delete a user
#[utoipa::path(
    delete,
    path = "/api/v1/users/{username}",
    operation_id = "delete_user",
    tag = "users",
    params(("username" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such user", body = ApiError),
        (status = 409, description = "It is the last active admin", body = ApiError),
    ),
)]
pub async fn remove(
    user: Authorized<Admin>,
    State(st): State<AppState>,
    Path(name): Path<String>,
) -> AppResult<StatusCode> {
    audit::audited(&st, &user, "user.delete", &name.clone(), None, async {
        let target =
            store::users::get(&st.db, &name).await?.ok_or_else(|| AppError::NotFound(format!("user {name}")))?.user;
        if removes_last_admin(&st, &target, Some(Role::Viewer), false).await? {
            return Err(AppError::Conflict("the last active admin cannot be deleted".into()));
        }
        store::users::delete(&st.db, &name).await?;
        st.revocations.revoke();
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}
