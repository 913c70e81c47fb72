//! Login, sessions, CSRF, roles, tokens, rate limits and the audit trail, through `app()`.

use axum::http::{header, Method, StatusCode};
use backend::auth::session::SESSION_TTL_MS;
use serde_json::json;
use testkit::{Role, TestApp, ADMIN_PW, USER_PW};

async fn app() -> TestApp {
    TestApp::builder().handlers_only().build().await
}

#[tokio::test]
async fn login_sets_a_strict_httponly_cookie_and_me_answers() {
    let app = app().await;
    let r = app.anonymous().post("/api/v1/auth/login", json!({"username": "admin", "password": ADMIN_PW})).await;
    assert_eq!(r.status, StatusCode::OK);
    let cookie = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert_eq!(r.body["role"], "admin");
    let s = app.client(Role::Admin).await;
    let me = s.get("/api/v1/auth/me").await;
    assert_eq!(me.body["username"], "admin");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = app().await;
    for (u, p) in [("admin", "nope-nope"), ("ghost", "whatever1")] {
        let r = app.anonymous().post("/api/v1/auth/login", json!({"username": u, "password": p})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.body["code"], "bad_credentials");
    }
}

#[tokio::test]
async fn no_session_is_401_and_expired_session_too() {
    let app = app().await;
    let r = app.anonymous().get("/api/v1/products").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["code"], "unauthorized");
    let s = app.client(Role::Admin).await;
    assert_eq!(s.get("/api/v1/products").await.status, StatusCode::OK);
    app.clock().advance_ms(SESSION_TTL_MS + 1);
    assert_eq!(s.get("/api/v1/products").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn mutating_with_cookie_but_without_csrf_token_is_refused_and_changes_nothing() {
    let app = app().await;
    let s = app.client(Role::Admin).await.with_csrf("");
    let r = s.post("/api/v1/products", json!({"name": "X", "node_type": "direct"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body["message"].as_str().unwrap().contains("CSRF"));
    let s = s.with_csrf("forged");
    assert_eq!(
        s.post("/api/v1/products", json!({"name": "X", "node_type": "direct"})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.count("products").await, 0);
}

#[tokio::test]
async fn login_is_rate_limited_per_user_and_recovers_with_time() {
    let app = app().await;
    for _ in 0..backend::auth::rate_limit::MAX_FAILURES {
        app.anonymous().post("/api/v1/auth/login", json!({"username": "admin", "password": "bad-bad-bad"})).await;
    }
    let r = app.anonymous().post("/api/v1/auth/login", json!({"username": "admin", "password": ADMIN_PW})).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert!(r.headers.get("retry-after").is_some());
    app.clock().advance_ms(backend::auth::rate_limit::WINDOW_MS);
    app.client(Role::Admin).await;
}

#[tokio::test]
async fn viewer_is_refused_every_mutation_by_the_server() {
    let app = app().await;
    let admin = app.client(Role::Admin).await;
    admin.product("a1Lamp00001").await;
    admin.post("/api/v1/products/a1Lamp00001/devices", json!({"device_name": "lamp-1"})).await;
    let v = app.user("oncall", Role::Viewer).await;
    assert_eq!(v.get("/api/v1/products").await.status, StatusCode::OK, "viewers read");
    assert_eq!(v.get("/api/v1/devices").await.status, StatusCode::OK);
    let attempts = [
        (Method::POST, "/api/v1/products", Some(json!({"name": "X", "node_type": "direct"}))),
        (Method::PATCH, "/api/v1/products/a1Lamp00001", Some(json!({"name": "Y"}))),
        (Method::DELETE, "/api/v1/products/a1Lamp00001", None),
        (Method::PUT, "/api/v1/products/a1Lamp00001/tsl", Some(json!({}))),
        (Method::POST, "/api/v1/products/a1Lamp00001/devices", Some(json!({"device_name": "lamp-2"}))),
        (Method::PATCH, "/api/v1/devices/a1Lamp00001/lamp-1", Some(json!({"enabled": false}))),
        (Method::DELETE, "/api/v1/devices/a1Lamp00001/lamp-1", None),
        (Method::GET, "/api/v1/devices/a1Lamp00001/lamp-1/secret", None),
        (Method::GET, "/api/v1/products/a1Lamp00001/secret", None),
        (Method::GET, "/api/v1/users", None),
        (Method::POST, "/api/v1/users", Some(json!({"username": "eve", "password": "password-1", "role": "admin"}))),
        (Method::GET, "/api/v1/audit", None),
    ];
    for (m, path, body) in attempts {
        let r = v.call(m.clone(), path, body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{m} {path}: {:?}", r.body);
    }
    let d = v.get("/api/v1/devices/a1Lamp00001/lamp-1").await;
    assert_eq!(d.body["status"], "inactive", "nothing changed");
    assert_eq!(app.count("products").await, 1);
    assert_eq!(app.count("devices").await, 1);
}

#[tokio::test]
async fn operator_manages_devices_but_not_users() {
    let app = app().await;
    let op = app.user("ops", Role::Operator).await;
    assert_eq!(
        op.post("/api/v1/products", json!({"name": "X", "node_type": "gateway"})).await.status,
        StatusCode::CREATED
    );
    assert_eq!(op.get("/api/v1/users").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn api_tokens_work_as_bearer_without_csrf_and_can_be_revoked() {
    let app = app().await;
    let s = app.client(Role::Admin).await;
    let created = s.post("/api/v1/auth/tokens", json!({"name": "ci"})).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let secret = created.body["secret"].as_str().unwrap().to_string();
    let id = created.body["token"]["id"].as_i64().unwrap();
    let stored: String = app.db().scalar(backend::store::sql("SELECT token_hash FROM api_tokens")).await.unwrap();
    assert!(!stored.contains(&secret), "only a hash is stored");
    let token = app.anonymous().bearer(&secret);
    let r = token.post("/api/v1/products", json!({"name": "Tok", "node_type": "direct"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let listed = s.get("/api/v1/auth/tokens").await;
    assert!(listed.body[0]["last_used_at"].is_i64());
    let del = s.call(Method::DELETE, &format!("/api/v1/auth/tokens/{id}"), None).await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    assert_eq!(token.get("/api/v1/products").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn password_change_needs_the_current_one_and_ends_other_sessions() {
    let app = app().await;
    let a = app.client(Role::Admin).await;
    let b = app.client(Role::Admin).await;
    let bad =
        a.post("/api/v1/auth/password", json!({"current_password": "wrong", "new_password": "new-password-1"})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let short = a.post("/api/v1/auth/password", json!({"current_password": ADMIN_PW, "new_password": "short"})).await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    let ok =
        a.post("/api/v1/auth/password", json!({"current_password": ADMIN_PW, "new_password": "new-password-1"})).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    assert_eq!(a.get("/api/v1/auth/me").await.status, StatusCode::OK, "this session stays");
    assert_eq!(b.get("/api/v1/auth/me").await.status, StatusCode::UNAUTHORIZED, "others end");
    app.login("admin", "new-password-1").await;
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted_or_deleted() {
    let app = app().await;
    let s = app.client(Role::Admin).await;
    let r = s.call(Method::PATCH, "/api/v1/users/admin", Some(json!({"role": "viewer"}))).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = s.call(Method::DELETE, "/api/v1/users/admin", None).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn disabled_users_cannot_log_in_and_lose_their_sessions() {
    let app = app().await;
    let v = app.user("temp", Role::Viewer).await;
    let s = app.client(Role::Admin).await;
    let r = s.call(Method::PATCH, "/api/v1/users/temp", Some(json!({"disabled": true}))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(v.get("/api/v1/auth/me").await.status, StatusCode::UNAUTHORIZED);
    let r = app.anonymous().post("/api/v1/auth/login", json!({"username": "temp", "password": USER_PW})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn mutations_are_audited_with_outcome_and_filterable() {
    let app = app().await;
    let s = app.client(Role::Admin).await;
    s.post("/api/v1/products", json!({"name": "A", "product_key": "a1Audit0001", "node_type": "direct"})).await;
    s.post("/api/v1/products", json!({"name": "A", "product_key": "a1Audit0001", "node_type": "direct"})).await;
    let r = s.get("/api/v1/audit?action=product.create").await;
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["result"], "conflict");
    assert_eq!(items[1]["result"], "ok");
    assert_eq!(items[1]["actor"], "admin");
    assert_eq!(items[1]["target"], "a1Audit0001");
    let logins = s.get("/api/v1/audit?action=auth.login").await;
    assert!(logins.body["total"].as_u64().unwrap() >= 1);
}
