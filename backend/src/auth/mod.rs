//! Users, sessions, API tokens and roles.
//!
//! # Layout
//! - `session`: who is calling (session cookie or bearer token), role checks, CSRF.
//! - `guard`: `Authorized<R>`, the role-typed caller every protected handler takes first.
//! - `password`: argon2 hashing off the async threads; random tokens.
//! - `rate_limit`: failed-login counters per user and IP.
//! - `handlers`: login, logout, me, password change, API tokens.
//! - `users`: the admin's user management.
//! - `bootstrap`: the first `admin` user.

pub mod bootstrap;
pub mod guard;
mod handlers;
pub mod password;
pub mod rate_limit;
pub mod revoke;
pub mod session;
mod users;

use crate::http::openapi::{guarded, public, ApiRouter};

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(public!(handlers::login))
        .routes(guarded!(handlers::logout))
        .routes(guarded!(handlers::me))
        .routes(guarded!(handlers::change_password))
        .routes(guarded!(handlers::list_tokens))
        .routes(guarded!(handlers::create_token))
        .routes(guarded!(handlers::delete_token))
        .routes(guarded!(users::list))
        .routes(guarded!(users::create))
        .routes(guarded!(users::update))
        .routes(guarded!(users::remove))
}
