//! Login, sessions, CSRF, roles, tokens, rate limits and the audit trail, through `app()`.

mod common;

use axum::http::{header, Method, StatusCode};
use backend::auth::session::SESSION_TTL_MS;
use common::{TestApp, ADMIN_PW};
use serde_json::json;

#[tokio::test]
async fn login_sets_a_strict_httponly_cookie_and_me_answers() {
    let app = TestApp::new().await;
    let r = app
        .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "admin", "password": ADMIN_PW})))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let cookie = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert_eq!(r.body["role"], "admin");
    let s = app.admin().await;
    let me = app.get("/api/v1/auth/me", &s).await;
    assert_eq!(me.body["username"], "admin");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = TestApp::new().await;
    for (u, p) in [("admin", "nope-nope"), ("ghost", "whatever1")] {
        let r = app.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": u, "password": p}))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.body["code"], "bad_credentials");
    }
}

#[tokio::test]
async fn no_session_is_401_and_expired_session_too() {
    let app = TestApp::new().await;
    let r = app.call(Method::GET, "/api/v1/products", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["code"], "unauthorized");
    let s = app.admin().await;
    assert_eq!(app.get("/api/v1/products", &s).await.status, StatusCode::OK);
    app.clock.advance_ms(SESSION_TTL_MS + 1);
    assert_eq!(app.get("/api/v1/products", &s).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn mutating_with_cookie_but_without_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let mut s = app.admin().await;
    s.csrf = String::new();
    let r = app.post("/api/v1/products", &s, json!({"name": "X", "node_type": "direct"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body["message"].as_str().unwrap().contains("CSRF"));
    s.csrf = "forged".into();
    assert_eq!(
        app.post("/api/v1/products", &s, json!({"name": "X", "node_type": "direct"})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.count("products").await, 0);
}

#[tokio::test]
async fn login_is_rate_limited_per_user_and_recovers_with_time() {
    let app = TestApp::new().await;
    for _ in 0..backend::auth::rate_limit::MAX_FAILURES {
        app.call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "admin", "password": "bad-bad-bad"})),
        )
        .await;
    }
    let r = app
        .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "admin", "password": ADMIN_PW})))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert!(r.headers.get("retry-after").is_some());
    app.clock.advance_ms(backend::auth::rate_limit::WINDOW_MS);
    app.admin().await;
}

#[tokio::test]
async fn viewer_is_refused_every_mutation_by_the_server() {
    let app = TestApp::new().await;
    app.product("a1Lamp00001").await;
    let admin = app.admin().await;
    app.post("/api/v1/products/a1Lamp00001/devices", &admin, json!({"device_name": "lamp-1"})).await;
    let v = app.user("oncall", "viewer").await;
    assert_eq!(app.get("/api/v1/products", &v).await.status, StatusCode::OK, "viewers read");
    assert_eq!(app.get("/api/v1/devices", &v).await.status, StatusCode::OK);
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
        let r = app.call(m.clone(), path, Some(&v), body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{m} {path}: {:?}", r.body);
    }
    let d = app.get("/api/v1/devices/a1Lamp00001/lamp-1", &v).await;
    assert_eq!(d.body["status"], "inactive", "nothing changed");
    assert_eq!(app.count("products").await, 1);
    assert_eq!(app.count("devices").await, 1);
}

#[tokio::test]
async fn operator_manages_devices_but_not_users() {
    let app = TestApp::new().await;
    let op = app.user("ops", "operator").await;
    assert_eq!(
        app.post("/api/v1/products", &op, json!({"name": "X", "node_type": "gateway"})).await.status,
        StatusCode::CREATED
    );
    assert_eq!(app.get("/api/v1/users", &op).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn api_tokens_work_as_bearer_without_csrf_and_can_be_revoked() {
    let app = TestApp::new().await;
    let s = app.admin().await;
    let created = app.post("/api/v1/auth/tokens", &s, json!({"name": "ci"})).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let secret = created.body["secret"].as_str().unwrap().to_string();
    let id = created.body["token"]["id"].as_i64().unwrap();
    let stored: String =
        sqlx::query_scalar("SELECT token_hash FROM api_tokens").fetch_one(&app.state.db).await.unwrap();
    assert!(!stored.contains(&secret), "only a hash is stored");
    let bearer = |m: Method, path: &str, body: Option<serde_json::Value>| {
        let mut b = axum::http::Request::builder()
            .method(m)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {secret}"));
        if body.is_some() {
            b = b.header(header::CONTENT_TYPE, "application/json");
        }
        b.body(axum::body::Body::from(body.map(|v| v.to_string()).unwrap_or_default())).unwrap()
    };
    let r =
        app.send(bearer(Method::POST, "/api/v1/products", Some(json!({"name": "Tok", "node_type": "direct"})))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let listed = app.get("/api/v1/auth/tokens", &s).await;
    assert!(listed.body[0]["last_used_at"].is_i64());
    let del = app.call(Method::DELETE, &format!("/api/v1/auth/tokens/{id}"), Some(&s), None).await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    assert_eq!(app.send(bearer(Method::GET, "/api/v1/products", None)).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn password_change_needs_the_current_one_and_ends_other_sessions() {
    let app = TestApp::new().await;
    let a = app.admin().await;
    let b = app.admin().await;
    let bad = app
        .post("/api/v1/auth/password", &a, json!({"current_password": "wrong", "new_password": "new-password-1"}))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let short =
        app.post("/api/v1/auth/password", &a, json!({"current_password": ADMIN_PW, "new_password": "short"})).await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    let ok = app
        .post("/api/v1/auth/password", &a, json!({"current_password": ADMIN_PW, "new_password": "new-password-1"}))
        .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/auth/me", &a).await.status, StatusCode::OK, "this session stays");
    assert_eq!(app.get("/api/v1/auth/me", &b).await.status, StatusCode::UNAUTHORIZED, "others end");
    app.login("admin", "new-password-1").await;
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted_or_deleted() {
    let app = TestApp::new().await;
    let s = app.admin().await;
    let r = app.call(Method::PATCH, "/api/v1/users/admin", Some(&s), Some(json!({"role": "viewer"}))).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app.call(Method::DELETE, "/api/v1/users/admin", Some(&s), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn disabled_users_cannot_log_in_and_lose_their_sessions() {
    let app = TestApp::new().await;
    let v = app.user("temp", "viewer").await;
    let s = app.admin().await;
    let r = app.call(Method::PATCH, "/api/v1/users/temp", Some(&s), Some(json!({"disabled": true}))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/auth/me", &v).await.status, StatusCode::UNAUTHORIZED);
    let r = app
        .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "temp", "password": "password-1"})))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn mutations_are_audited_with_outcome_and_filterable() {
    let app = TestApp::new().await;
    let s = app.admin().await;
    app.post("/api/v1/products", &s, json!({"name": "A", "product_key": "a1Audit0001", "node_type": "direct"})).await;
    app.post("/api/v1/products", &s, json!({"name": "A", "product_key": "a1Audit0001", "node_type": "direct"})).await;
    let r = app.get("/api/v1/audit?action=product.create", &s).await;
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["result"], "conflict");
    assert_eq!(items[1]["result"], "ok");
    assert_eq!(items[1]["actor"], "admin");
    assert_eq!(items[1]["target"], "a1Audit0001");
    let logins = app.get("/api/v1/audit?action=auth.login", &s).await;
    assert!(logins.body["total"].as_u64().unwrap() >= 1);
}
