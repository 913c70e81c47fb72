//! Login, logout, who-am-I, password change and personal API tokens.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use model::auth::{ApiToken, ChangePassword, CreatedApiToken, LoginRequest, Me, NewApiToken, MIN_PASSWORD_LEN};

use super::guard::{Authorized, Viewer};
use super::password::{self, random_token, token_hash};
use super::session::{self, Via};
use crate::audit;
use crate::error::{AppError, AppResult};
use crate::http::json::Json;
use crate::state::AppState;
use crate::store;
use model::error::ApiError;

/// The client address: the proxy's `X-Forwarded-For` is not trusted (it is spoofable), so
/// behind a reverse proxy all clients share the proxy's IP counter; per-user limits still apply.
fn client_ip(conn: Option<&Extension<ConnectInfo<SocketAddr>>>) -> String {
    conn.map(|c| c.0 .0.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// Log in; sets the session cookie
///
/// Failed attempts are counted per user name and per client IP; past the limit the answer is
/// 429 with `Retry-After`.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    operation_id = "login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; the `Set-Cookie` header carries the session", body = Me),
        (status = 400, description = "Wrong user name or password (`bad_credentials`), or a malformed body", body = ApiError),
        (status = 429, description = "Too many failed attempts; retry after `Retry-After` seconds", body = ApiError),
    ),
)]
pub async fn login(
    State(st): State<AppState>,
    conn: Option<Extension<ConnectInfo<SocketAddr>>>,
    Json(req): Json<LoginRequest>,
) -> AppResult<Response> {
    let keys = vec![format!("user:{}", req.username), format!("ip:{}", client_ip(conn.as_ref()))];
    // Counted before the (slow) hash: parallel guesses cannot all pass the check.
    let user_key = keys[0].clone();
    let attempt = st.login_limiter.begin(keys).map_err(AppError::RateLimited)?;
    let rec = store::users::get(&st.db, &req.username).await?;
    let hash = rec.as_ref().map(|r| r.password_hash.clone()).unwrap_or_else(|| password::DUMMY_HASH.into());
    let ok = password::verify(req.password, hash).await && rec.as_ref().is_some_and(|r| !r.user.disabled);
    let result: AppResult<()> = if ok { Ok(()) } else { Err(AppError::Unauthorized) };
    audit::record(&st, &req.username, "auth.login", &req.username, &result, None).await;
    let Some(rec) = rec.filter(|_| ok) else {
        drop(attempt); // stays counted as a failure
        return Err(AppError::Validation {
            code: "bad_credentials".into(),
            message: "wrong user name or password".into(),
            details: None,
        });
    };
    attempt.succeeded();
    st.login_limiter.forget(&user_key);
    let token = random_token(32);
    let csrf = random_token(24);
    let now = st.now();
    store::sessions::insert(&st.db, &token_hash(&token), &rec.user.username, &csrf, now, now + session::SESSION_TTL_MS)
        .await?;
    let _ = store::sessions::delete_expired(&st.db, now).await;
    let me = Me { username: rec.user.username, role: rec.user.role, csrf_token: csrf };
    let cookie = session::set_cookie(Some(&token), st.settings.secure_cookies);
    Ok(([(header::SET_COOKIE, cookie)], axum::Json(me)).into_response())
}

/// Log out
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    operation_id = "logout",
    tag = "auth",
    responses((status = 204, description = "Logged out; the session cookie is cleared")),
)]
pub async fn logout(user: Authorized<Viewer>, State(st): State<AppState>) -> AppResult<Response> {
    if let Via::Session { token_hash, .. } = &user.via {
        store::sessions::delete(&st.db, token_hash).await?;
        st.revocations.revoke();
    }
    let cookie = session::set_cookie(None, st.settings.secure_cookies);
    Ok(([(header::SET_COOKIE, cookie)], StatusCode::NO_CONTENT).into_response())
}

/// The current user and CSRF token
///
/// `csrf_token` is empty for a bearer-token caller (tokens need no CSRF header).
#[utoipa::path(
    get,
    path = "/api/v1/auth/me",
    operation_id = "me",
    tag = "auth",
    responses((status = 200, body = Me)),
)]
pub async fn me(user: Authorized<Viewer>) -> AppResult<axum::Json<Me>> {
    let user = user.user;
    let csrf_token = match user.via {
        Via::Session { csrf_token, .. } => csrf_token,
        Via::Token { .. } => String::new(),
    };
    Ok(axum::Json(Me { username: user.username, role: user.role, csrf_token }))
}

/// Change own password
///
/// Ends every other session of the user; the calling session stays.
#[utoipa::path(
    post,
    path = "/api/v1/auth/password",
    operation_id = "change_password",
    tag = "auth",
    request_body = ChangePassword,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, description = "The current password is wrong (`bad_credentials`) or the new one too short", body = ApiError),
    ),
)]
pub async fn change_password(
    user: Authorized<Viewer>,
    State(st): State<AppState>,
    Json(req): Json<ChangePassword>,
) -> AppResult<StatusCode> {
    let name = user.username.clone();
    audit::audited(&st, &user, "auth.password", &name, None, async {
        if req.new_password.len() < MIN_PASSWORD_LEN {
            return Err(AppError::validation(format!("the new password needs at least {MIN_PASSWORD_LEN} characters")));
        }
        let rec = store::users::get(&st.db, &user.username).await?.ok_or(AppError::Unauthorized)?;
        if !password::verify(req.current_password.clone(), rec.password_hash).await {
            return Err(AppError::Validation {
                code: "bad_credentials".into(),
                message: "the current password is wrong".into(),
                details: None,
            });
        }
        let hash = password::hash(req.new_password.clone()).await?;
        store::users::set_password(&st.db, &user.username, &hash).await?;
        // Every other session ends; this one stays so the user is not thrown out mid-task.
        store::sessions::delete_for_user(&st.db, &user.username).await?;
        if let Via::Session { token_hash, csrf_token } = &user.via {
            let now = st.now();
            store::sessions::insert(&st.db, token_hash, &user.username, csrf_token, now, now + session::SESSION_TTL_MS)
                .await?;
        }
        st.revocations.revoke();
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

/// Own API tokens
#[utoipa::path(
    get,
    path = "/api/v1/auth/tokens",
    operation_id = "list_tokens",
    tag = "auth",
    responses((status = 200, body = Vec<ApiToken>)),
)]
pub async fn list_tokens(user: Authorized<Viewer>, State(st): State<AppState>) -> AppResult<axum::Json<Vec<ApiToken>>> {
    Ok(axum::Json(store::tokens::list(&st.db, &user.username).await?))
}

/// Create an API token (secret shown once)
#[utoipa::path(
    post,
    path = "/api/v1/auth/tokens",
    operation_id = "create_token",
    tag = "auth",
    request_body = NewApiToken,
    responses(
        (status = 201, description = "Created; `secret` is never shown again", body = CreatedApiToken),
        (status = 400, description = "The name is empty or longer than 64 characters", body = ApiError),
    ),
)]
pub async fn create_token(
    user: Authorized<Viewer>,
    State(st): State<AppState>,
    Json(req): Json<NewApiToken>,
) -> AppResult<(StatusCode, axum::Json<CreatedApiToken>)> {
    let name = req.name.trim().to_string();
    audit::audited(&st, &user, "token.create", &name, None, async {
        if name.is_empty() || name.chars().count() > 64 {
            return Err(AppError::validation("a token name must be 1–64 characters"));
        }
        let secret = format!("fdk_{}", random_token(32));
        let token = store::tokens::insert(&st.db, &user.username, &name, &token_hash(&secret), st.now()).await?;
        Ok((StatusCode::CREATED, axum::Json(CreatedApiToken { token, secret })))
    })
    .await
}

/// Revoke an API token
#[utoipa::path(
    delete,
    path = "/api/v1/auth/tokens/{id}",
    operation_id = "delete_token",
    tag = "auth",
    params(("id" = i64, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, description = "The id is not a number", body = ApiError),
        (status = 404, description = "No such token of the caller's", body = ApiError),
    ),
)]
pub async fn delete_token(
    user: Authorized<Viewer>,
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    audit::audited(&st, &user, "token.revoke", &id.clone(), None, async {
        let id: i64 = id.parse().map_err(|_| AppError::validation("a token id is a number"))?;
        if store::tokens::delete(&st.db, &user.username, id).await? {
            st.revocations.revoke();
            Ok(StatusCode::NO_CONTENT)
        } else {
            Err(AppError::NotFound(format!("token {id}")))
        }
    })
    .await
}
