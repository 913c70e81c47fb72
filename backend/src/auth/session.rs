//! Who is calling: [`authenticate`] (session cookie or bearer token), role checks and CSRF
//! protection. Handlers get the caller through `guard::Authorized<R>`, never bare: a handler
//! cannot forget to state its role.
//!
//! CSRF: a cookie-authenticated request with a mutating method must carry `X-CSRF-Token` equal
//! to the session's token (returned at login and by `/auth/me`). Bearer-token requests are
//! exempt: a browser never attaches them on its own. Together with `SameSite=Strict` this is
//! belt and braces.

use axum::http::request::Parts;
use axum::http::{header, Method};
use model::auth::Role;

use super::password::token_hash;
use crate::error::AppError;
use crate::state::AppState;
use crate::store;

pub const COOKIE: &str = "fleetdeck_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// A session lives this long after login.
pub const SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;

#[derive(Debug, Clone, PartialEq)]
pub enum Via {
    Session { token_hash: String, csrf_token: String },
    Token { token_hash: String },
}

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub username: String,
    pub role: Role,
    pub via: Via,
}

impl CurrentUser {
    /// Refuse unless the user's role includes `needed`.
    pub fn require(&self, needed: Role) -> Result<(), AppError> {
        if self.role.allows(needed) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "the {} role may not do this (needs {})",
                self.role.as_str(),
                needed.as_str()
            )))
        }
    }
}

pub fn cookie_value(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn is_mutating(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Resolve the caller from the request headers alone (also used by the WebSocket upgrade).
pub async fn authenticate(state: &AppState, parts: &Parts) -> Result<CurrentUser, AppError> {
    let now = state.now();
    if let Some(auth) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let token = auth.strip_prefix("Bearer ").ok_or(AppError::Unauthorized)?;
        let hash = token_hash(token.trim());
        let username = store::tokens::owner(&state.db, &hash, now).await?.ok_or(AppError::Unauthorized)?;
        return user(state, username, Via::Token { token_hash: hash }).await;
    }
    let cookie = cookie_value(parts, COOKIE).ok_or(AppError::Unauthorized)?;
    let hash = token_hash(&cookie);
    let session = store::sessions::get(&state.db, &hash).await?.ok_or(AppError::Unauthorized)?;
    if session.expires_at <= now {
        store::sessions::delete(&state.db, &hash).await?;
        return Err(AppError::Unauthorized);
    }
    if is_mutating(&parts.method) {
        let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
        if sent.is_empty() || sent != session.csrf_token {
            return Err(AppError::Forbidden("missing or wrong X-CSRF-Token header".into()));
        }
    }
    user(state, session.username, Via::Session { token_hash: hash, csrf_token: session.csrf_token }).await
}

/// Whether the credential `caller` was authenticated with still admits them: its session or
/// token exists (and has not expired), and the user exists and is enabled. A live socket asks
/// this after every revocation ([`super::revoke`]).
pub async fn still_valid(state: &AppState, caller: &CurrentUser) -> Result<bool, AppError> {
    let now = state.now();
    let owner = match &caller.via {
        Via::Session { token_hash, .. } => {
            store::sessions::get(&state.db, token_hash).await?.filter(|s| s.expires_at > now).map(|s| s.username)
        }
        Via::Token { token_hash } => store::tokens::owner(&state.db, token_hash, now).await?,
    };
    if owner.as_deref() != Some(caller.username.as_str()) {
        return Ok(false);
    }
    Ok(store::users::get(&state.db, &caller.username).await?.is_some_and(|u| !u.user.disabled))
}

async fn user(state: &AppState, username: String, via: Via) -> Result<CurrentUser, AppError> {
    let rec = store::users::get(&state.db, &username).await?.ok_or(AppError::Unauthorized)?;
    if rec.user.disabled {
        return Err(AppError::Unauthorized);
    }
    Ok(CurrentUser { username, role: rec.user.role, via })
}

/// The `Set-Cookie` value for a new session (or, with `None`, one that clears it).
pub fn set_cookie(token: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(t) => {
            format!("{COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}", SESSION_TTL_MS / 1000)
        }
        None => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    }
}
