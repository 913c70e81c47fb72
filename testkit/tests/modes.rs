//! The same REST client in every mode: tower `oneshot` for handlers-only and the recording
//! downlink, real HTTP for the gateway. Sessions, CSRF, roles, bearer tokens and the helpers
//! behave alike whatever carries the request.

use axum::http::StatusCode;
use serde_json::json;
use testkit::{Role, TestApp};

async fn every_mode() -> Vec<(&'static str, TestApp)> {
    vec![
        ("handlers only", TestApp::builder().handlers_only().build().await),
        ("recording downlink", TestApp::builder().recording_downlink().build().await),
        ("gateway", TestApp::builder().gateway().build().await),
    ]
}

#[tokio::test]
async fn every_mode_serves_the_api_to_every_role() {
    for (mode, app) in every_mode().await {
        let admin = app.client(Role::Admin).await;
        assert_eq!(admin.product("a1Modes0001").await["product_key"], "a1Modes0001", "{mode}");
        let secret = admin.device("a1Modes0001", "dev-0001").await;
        assert_eq!(secret.len(), 32, "{mode}");
        assert_eq!(app.anonymous().get("/api/v1/products").await.status, StatusCode::UNAUTHORIZED, "{mode}");

        let viewer = app.client(Role::Viewer).await;
        assert_eq!(viewer.get("/api/v1/products").await.ok().as_array().map(Vec::len), Some(1), "{mode}");
        let new = json!({"name": "X", "node_type": "direct"});
        assert_eq!(viewer.post("/api/v1/products", new.clone()).await.status, StatusCode::FORBIDDEN, "{mode}");
        // The role's user is made once; a second client is a second session of it.
        let again = app.client(Role::Viewer).await;
        assert_ne!(again.session.unwrap().cookie, viewer.session.unwrap().cookie, "{mode}");

        let operator = app.client(Role::Operator).await;
        assert_eq!(operator.post("/api/v1/products", new.clone()).await.status, StatusCode::CREATED, "{mode}");
        let no_csrf = admin.clone().with_csrf("");
        assert_eq!(no_csrf.post("/api/v1/products", new).await.status, StatusCode::FORBIDDEN, "{mode}");
        assert_eq!(app.count("products").await, 2, "{mode}");
        assert_eq!(app.count("users").await, 3, "{mode}: admin, viewer, operator");

        let token = admin.post("/api/v1/auth/tokens", json!({"name": "ci"})).await.ok();
        let bearer = app.anonymous().bearer(token["secret"].as_str().unwrap());
        assert_eq!(bearer.get("/api/v1/devices").await.ok()["total"], 1, "{mode}");
        let r = bearer.raw(axum::http::Method::POST, "/api/v1/products", Some("application/json"), "{no").await;
        assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_json")), "{mode}");
    }
}

#[tokio::test]
async fn the_registry_helpers_and_the_fleet_work_in_every_mode() {
    for (mode, app) in every_mode().await {
        let product_secret = app.product("a1Modes0002", true).await;
        assert!(!product_secret.is_empty(), "{mode}");
        let secret = app.device("a1Modes0002", "dev-0002").await;
        assert_eq!(app.record("a1Modes0002", "dev-0002").await.unwrap().device_secret, secret, "{mode}");
        testkit::registry::seed_fleet(&app).await;
        assert_eq!(app.count("products").await, 4, "{mode}");
        assert_eq!(app.count("devices").await, 5, "{mode}");
    }
}
