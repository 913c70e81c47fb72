//! The OpenAPI document: a snapshot (API drift shows as a diff) and a check that every route
//! it lists is really routed.
//!
//! To accept an intended change: `UPDATE_SNAPSHOTS=1 cargo test -p backend --test openapi`.

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;

#[test]
fn openapi_document_matches_the_snapshot() {
    let doc = serde_json::to_string_pretty(&backend::http::openapi::document()).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &doc).unwrap();
    }
    let snapshot = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(snapshot == doc, "the API changed: review and run with UPDATE_SNAPSHOTS=1\n--- new document ---\n{doc}");
}

#[tokio::test]
async fn every_documented_route_is_routed() {
    let app = TestApp::new().await;
    let s = app.admin().await;
    for route in backend::http::openapi::ROUTES {
        let path = route
            .path
            .replace("{id}", "1")
            .replace("{pk}", "a1Nope00001")
            .replace("{dn}", "dev1")
            .replace("{username}", "ghost");
        let method = Method::from_bytes(route.method.to_uppercase().as_bytes()).unwrap();
        let r = app.call(method, &path, Some(&s), None).await;
        let unrouted =
            r.status == StatusCode::NOT_FOUND && r.body["message"].as_str().unwrap_or("").starts_with("no API route");
        assert!(
            !unrouted && r.status != StatusCode::METHOD_NOT_ALLOWED,
            "{} {path} is documented but not routed",
            route.method
        );
    }
}

#[tokio::test]
async fn the_document_is_served_without_login() {
    let app = TestApp::new().await;
    let r = app.call(Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["openapi"], "3.1.0");
}
