//! Users, sessions, API tokens and roles.
//!
//! # Layout
//! - `session`: the `CurrentUser` extractor, role checks, CSRF.
//! - `password`: argon2 hashing off the async threads; random tokens.
//! - `rate_limit`: failed-login counters per user and IP.
//! - `handlers`: login, logout, me, password change, API tokens.
//! - `users`: the admin's user management.
//! - `bootstrap`: the first `admin` user.

pub mod bootstrap;
mod handlers;
pub mod password;
pub mod rate_limit;
pub mod session;
mod users;

use axum::routing::{delete, get, patch, post};
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(handlers::login))
        .route("/api/v1/auth/logout", post(handlers::logout))
        .route("/api/v1/auth/me", get(handlers::me))
        .route("/api/v1/auth/password", post(handlers::change_password))
        .route("/api/v1/auth/tokens", get(handlers::list_tokens).post(handlers::create_token))
        .route("/api/v1/auth/tokens/{id}", delete(handlers::delete_token))
        .route("/api/v1/users", get(users::list).post(users::create))
        .route("/api/v1/users/{username}", patch(users::update).delete(users::remove))
}
