//! Auth, users, API tokens and the audit log.

use model::audit::{AuditEntry, AuditQuery};
use model::auth::{
    ApiToken, ChangePassword, CreatedApiToken, LoginRequest, Me, NewApiToken, NewUser, UpdateUser, User,
};
use model::error::Page;

use super::client::{self, query, ApiResult};
use crate::util::enc;

pub async fn login(username: String, password: String) -> ApiResult<Me> {
    client::post("/auth/login", &LoginRequest { username, password }).await
}

pub async fn logout() -> ApiResult<()> {
    client::post_empty("/auth/logout").await
}

pub async fn me() -> ApiResult<Me> {
    client::get("/auth/me").await
}

pub async fn change_password(current_password: String, new_password: String) -> ApiResult<()> {
    client::post("/auth/password", &ChangePassword { current_password, new_password }).await
}

pub async fn tokens() -> ApiResult<Vec<ApiToken>> {
    client::get("/auth/tokens").await
}

pub async fn create_token(name: String) -> ApiResult<CreatedApiToken> {
    client::post("/auth/tokens", &NewApiToken { name }).await
}

pub async fn delete_token(id: i64) -> ApiResult<()> {
    client::delete(&format!("/auth/tokens/{id}")).await
}

pub async fn users() -> ApiResult<Vec<User>> {
    client::get("/users").await
}

pub async fn create_user(u: NewUser) -> ApiResult<serde_json::Value> {
    client::post("/users", &u).await
}

pub async fn update_user(username: &str, u: UpdateUser) -> ApiResult<serde_json::Value> {
    client::patch(&format!("/users/{}", enc(username)), &u).await
}

pub async fn delete_user(username: &str) -> ApiResult<()> {
    client::delete(&format!("/users/{}", enc(username))).await
}

pub async fn audit(q: &AuditQuery) -> ApiResult<Page<AuditEntry>> {
    let qs = query(&[
        ("actor", q.actor.clone()),
        ("action", q.action.clone()),
        ("target", q.target.clone()),
        ("since", q.since.map(|v| v.to_string())),
        ("until", q.until.map(|v| v.to_string())),
        ("page", q.page.map(|v| v.to_string())),
        ("page_size", q.page_size.map(|v| v.to_string())),
    ]);
    client::get(&format!("/audit{qs}")).await
}
