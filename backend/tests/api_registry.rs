//! Products, thing models, devices and CSV import through `app()`, including bad input.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::TestApp;
use serde_json::json;

const ALL_TYPES: &str = include_str!("../../model/tests/fixtures/tsl/all-types-street-lamp.json");
const C_SDK: &str = include_str!("../../model/tests/fixtures/tsl/c-sdk-street-lamp.json");

#[tokio::test]
async fn product_create_generates_credentials_or_keeps_given_ones() {
    let app = TestApp::new().await;
    let s = app.admin().await;
    let r = app.post("/api/v1/products", &s, json!({"name": "Gen", "node_type": "direct"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let pk = r.body["product_key"].as_str().unwrap().to_string();
    assert_eq!(pk.len(), 11);
    let given = json!({"name": "Moved", "product_key": "a1h88DsZIaY", "product_secret": "fakeProductSecret0123", "node_type": "gateway", "dynamic_registration": true});
    let r = app.post("/api/v1/products", &s, given).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let sec = app.get("/api/v1/products/a1h88DsZIaY/secret", &s).await;
    assert_eq!(sec.body["product_secret"], "fakeProductSecret0123");
    let list = app.get("/api/v1/products", &s).await;
    assert_eq!(list.body.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn bad_product_input_gets_clear_errors_and_changes_nothing() {
    let app = TestApp::new().await;
    let s = app.admin().await;
    let cases = [
        (json!({"name": "", "node_type": "direct"}), "validation"),
        (json!({"name": "X", "node_type": "satellite"}), "invalid_json"),
        (json!({"name": 5, "node_type": "direct"}), "invalid_json"),
        (json!({"name": "X", "node_type": "direct", "product_key": "bad key!"}), "validation"),
        (json!({"name": "X", "node_type": "direct", "product_secret": "short"}), "validation"),
    ];
    for (body, code) in cases {
        let r = app.post("/api/v1/products", &s, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(r.body["code"], code, "{body}: {:?}", r.body);
    }
    let raw = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/products")
        .header(header::COOKIE, &s.cookie)
        .header("x-csrf-token", &s.csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let r = app.send(raw).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_json")));
    let huge = format!("{{\"name\":\"{}\",\"node_type\":\"direct\"}}", "x".repeat(backend::BODY_LIMIT + 10));
    let raw = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/products")
        .header(header::COOKIE, &s.cookie)
        .header("x-csrf-token", &s.csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(huge))
        .unwrap();
    let r = app.send(raw).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body["code"], "too_large");
    app.product("a1Dup000001").await;
    let r = app
        .post("/api/v1/products", &s, json!({"name": "Again", "product_key": "a1Dup000001", "node_type": "direct"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(app.count("products").await, 1);
}

#[tokio::test]
async fn both_tsl_fixtures_import_unchanged_and_export_equivalently() {
    let app = TestApp::new().await;
    let s = app.admin().await;
    for (pk, text) in [("a1h88DsZIaY", C_SDK), ("a1AllTypes1", ALL_TYPES)] {
        app.post("/api/v1/products", &s, json!({"name": "T", "product_key": pk, "node_type": "direct"})).await;
        let original: serde_json::Value = serde_json::from_str(text).unwrap();
        let r = app.call(Method::PUT, &format!("/api/v1/products/{pk}/tsl"), Some(&s), Some(original.clone())).await;
        assert_eq!(r.status, StatusCode::OK, "{pk}: {:?}", r.body);
        let exported = app.get(&format!("/api/v1/products/{pk}/tsl"), &s).await.body;
        let back: model::tsl::ThingModel = serde_json::from_value(exported).unwrap();
        let orig: model::tsl::ThingModel = serde_json::from_value(original).unwrap();
        assert_eq!(back.properties, orig.properties, "{pk}");
        assert_eq!(back.events, orig.events, "{pk}");
        assert_eq!(back.services, orig.services, "{pk}");
    }
}

#[tokio::test]
async fn an_invalid_thing_model_is_refused_with_6317_and_every_problem_listed() {
    let app = TestApp::new().await;
    let s = app.admin().await;
    app.product("a1Bad000001").await;
    let before = app.get("/api/v1/products/a1Bad000001/tsl", &s).await.body;
    let bad = json!({"profile": {"productKey": "a1Bad000001"}, "properties": [
        {"identifier": "1bad", "name": "x", "accessMode": "rw", "required": false, "dataType": {"type": "int", "specs": {"min": "10", "max": "1", "step": "1"}}}
    ], "events": [], "services": []});
    let r = app.call(Method::PUT, "/api/v1/products/a1Bad000001/tsl", Some(&s), Some(bad)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["code"], "6317");
    assert!(r.body["details"].as_array().unwrap().len() >= 2, "{:?}", r.body);
    assert_eq!(app.get("/api/v1/products/a1Bad000001/tsl", &s).await.body, before, "nothing saved");
}

#[tokio::test]
async fn devices_create_search_page_disable_delete() {
    let app = TestApp::new().await;
    let s = app.admin().await;
    app.product("a1Lamp00001").await;
    for i in 0..25 {
        let r =
            app.post("/api/v1/products/a1Lamp00001/devices", &s, json!({"device_name": format!("lamp-{i:03}")})).await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let r = app.post("/api/v1/products/a1Lamp00001/devices", &s, json!({"device_name": "lamp-000"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app.post("/api/v1/products/a1Lamp00001/devices", &s, json!({"device_name": "no"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app.post("/api/v1/products/a1Nope00001/devices", &s, json!({"device_name": "lamp-x1"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let page = app.get("/api/v1/devices?product_key=a1Lamp00001&page=2&page_size=10", &s).await;
    assert_eq!(page.body["total"], 25);
    assert_eq!(page.body["items"][0]["device_name"], "lamp-010");
    let search = app.get("/api/v1/devices?q=lamp-02", &s).await;
    assert_eq!(search.body["total"], 5);
    let r = app
        .call(
            Method::PATCH,
            "/api/v1/devices/a1Lamp00001/lamp-001",
            Some(&s),
            Some(json!({"enabled": false, "tags": [{"key": "site", "value": "north"}], "groups": ["north"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "disabled");
    assert_eq!(r.body["tags"][0]["value"], "north");
    let disabled = app.get("/api/v1/devices?status=disabled", &s).await;
    assert_eq!(disabled.body["total"], 1);
    assert_eq!(app.get("/api/v1/devices?group=north", &s).await.body["total"], 1);
    let r =
        app.call(Method::PATCH, "/api/v1/devices/a1Lamp00001/lamp-001", Some(&s), Some(json!({"enabled": true}))).await;
    assert_eq!(r.body["status"], "inactive");
    let secret = app.get("/api/v1/devices/a1Lamp00001/lamp-002/secret", &s).await;
    assert_eq!(secret.body["device_secret"].as_str().unwrap().len(), 32);
    let r = app.call(Method::DELETE, "/api/v1/devices/a1Lamp00001/lamp-002", Some(&s), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/devices/a1Lamp00001/lamp-002", &s).await.status, StatusCode::NOT_FOUND);
    let r = app.call(Method::DELETE, "/api/v1/products/a1Lamp00001", Some(&s), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a product with devices is not deleted");
}

async fn import(app: &TestApp, s: &common::Session, mode: &str, csv: &str) -> common::Resp {
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/products/a1Lamp00001/devices/import?mode={mode}"))
        .header(header::COOKIE, &s.cookie)
        .header("x-csrf-token", &s.csrf)
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv.to_string()))
        .unwrap();
    app.send(req).await
}

#[tokio::test]
async fn csv_import_all_or_nothing_or_valid_rows() {
    let app = TestApp::new().await;
    let s = app.admin().await;
    app.product("a1Lamp00001").await;
    app.post("/api/v1/products/a1Lamp00001/devices", &s, json!({"device_name": "taken-1"})).await;
    let csv = "DeviceName,DeviceSecret,Nickname\nnew-0001,,A\nbad name\ntaken-1\nnew-0002,0123456789abcdef0123456789abcdef,B\n";
    let r = import(&app, &s, "all_or_nothing", csv).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["created"], 0);
    let lines: Vec<u64> = r.body["errors"].as_array().unwrap().iter().map(|e| e["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [3, 4]);
    assert_eq!(app.count("devices").await, 1, "nothing created");
    let r = import(&app, &s, "valid_rows", csv).await;
    assert_eq!(r.body["created"], 2);
    assert_eq!(r.body["mode"], "valid_rows");
    let secret = app.get("/api/v1/devices/a1Lamp00001/new-0002/secret", &s).await;
    assert_eq!(secret.body["device_secret"], "0123456789abcdef0123456789abcdef", "a given secret is kept");
    let r = import(&app, &s, "bogus", csv).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn unknown_api_paths_are_json_404_not_the_spa() {
    let app = TestApp::new().await;
    let s = app.admin().await;
    let r = app.get("/api/v1/nope", &s).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["code"], "not_found");
    let r = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn bad_query_strings_get_json_errors() {
    let app = TestApp::new().await;
    let s = app.admin().await;
    for path in [
        "/api/v1/devices?status=bogus",
        "/api/v1/devices?page=-1",
        "/api/v1/audit?since=yesterday",
        "/api/v1/logs?biz_type=nope",
    ] {
        let r = app.get(path, &s).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(r.body["code"], "invalid_query", "{path}: {:?}", r.body);
    }
}
