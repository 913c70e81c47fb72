//! Products, thing models, devices and CSV import through `app()`, including bad input.

use axum::http::{Method, StatusCode};
use serde_json::json;
use testkit::{Client, Resp, Role, TestApp};

const ALL_TYPES: &str = include_str!("../../model/tests/fixtures/tsl/all-types-street-lamp.json");
const C_SDK: &str = include_str!("../../model/tests/fixtures/tsl/c-sdk-street-lamp.json");

#[tokio::test]
async fn product_create_generates_credentials_or_keeps_given_ones() {
    let app = TestApp::builder().handlers_only().build().await;
    let s = app.client(Role::Admin).await;
    let r = s.post("/api/v1/products", json!({"name": "Gen", "node_type": "direct"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let pk = r.body["product_key"].as_str().unwrap().to_string();
    assert_eq!(pk.len(), 11);
    let given = json!({"name": "Moved", "product_key": "a1h88DsZIaY", "product_secret": "fakeProductSecret0123", "node_type": "gateway", "dynamic_registration": true});
    let r = s.post("/api/v1/products", given).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let sec = s.get("/api/v1/products/a1h88DsZIaY/secret").await;
    assert_eq!(sec.body["product_secret"], "fakeProductSecret0123");
    let list = s.get("/api/v1/products").await;
    assert_eq!(list.body.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn bad_product_input_gets_clear_errors_and_changes_nothing() {
    let app = TestApp::builder().handlers_only().build().await;
    let s = app.client(Role::Admin).await;
    let cases = [
        (json!({"name": "", "node_type": "direct"}), "validation"),
        (json!({"name": "X", "node_type": "satellite"}), "invalid_json"),
        (json!({"name": 5, "node_type": "direct"}), "invalid_json"),
        (json!({"name": "X", "node_type": "direct", "product_key": "bad key!"}), "validation"),
        (json!({"name": "X", "node_type": "direct", "product_secret": "short"}), "validation"),
    ];
    for (body, code) in cases {
        let r = s.post("/api/v1/products", body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(r.body["code"], code, "{body}: {:?}", r.body);
    }
    let r = s.raw(Method::POST, "/api/v1/products", Some("application/json"), "{not json").await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_json")));
    let huge = format!("{{\"name\":\"{}\",\"node_type\":\"direct\"}}", "x".repeat(backend::BODY_LIMIT + 10));
    let r = s.raw(Method::POST, "/api/v1/products", Some("application/json"), huge).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body["code"], "too_large");
    s.product("a1Dup000001").await;
    let r =
        s.post("/api/v1/products", json!({"name": "Again", "product_key": "a1Dup000001", "node_type": "direct"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(app.count("products").await, 1);
}

#[tokio::test]
async fn both_tsl_fixtures_import_unchanged_and_export_equivalently() {
    let app = TestApp::builder().handlers_only().build().await;
    let s = app.client(Role::Admin).await;
    for (pk, text) in [("a1h88DsZIaY", C_SDK), ("a1AllTypes1", ALL_TYPES)] {
        s.post("/api/v1/products", json!({"name": "T", "product_key": pk, "node_type": "direct"})).await;
        let original: serde_json::Value = serde_json::from_str(text).unwrap();
        let r = s.call(Method::PUT, &format!("/api/v1/products/{pk}/tsl"), Some(original.clone())).await;
        assert_eq!(r.status, StatusCode::OK, "{pk}: {:?}", r.body);
        let exported = s.get(&format!("/api/v1/products/{pk}/tsl")).await.body;
        let back: model::tsl::ThingModel = serde_json::from_value(exported).unwrap();
        let orig: model::tsl::ThingModel = serde_json::from_value(original).unwrap();
        assert_eq!(back.properties, orig.properties, "{pk}");
        assert_eq!(back.events, orig.events, "{pk}");
        assert_eq!(back.services, orig.services, "{pk}");
    }
}

#[tokio::test]
async fn an_invalid_thing_model_is_refused_with_6317_and_every_problem_listed() {
    let app = TestApp::builder().handlers_only().build().await;
    let s = app.client(Role::Admin).await;
    s.product("a1Bad000001").await;
    let before = s.get("/api/v1/products/a1Bad000001/tsl").await.body;
    let bad = json!({"profile": {"productKey": "a1Bad000001"}, "properties": [
        {"identifier": "1bad", "name": "x", "accessMode": "rw", "required": false, "dataType": {"type": "int", "specs": {"min": "10", "max": "1", "step": "1"}}}
    ], "events": [], "services": []});
    let r = s.call(Method::PUT, "/api/v1/products/a1Bad000001/tsl", Some(bad)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["code"], "6317");
    assert!(r.body["details"].as_array().unwrap().len() >= 2, "{:?}", r.body);
    assert_eq!(s.get("/api/v1/products/a1Bad000001/tsl").await.body, before, "nothing saved");
}

#[tokio::test]
async fn devices_create_search_page_disable_delete() {
    let app = TestApp::builder().handlers_only().build().await;
    let s = app.client(Role::Admin).await;
    s.product("a1Lamp00001").await;
    for i in 0..25 {
        let r = s.post("/api/v1/products/a1Lamp00001/devices", json!({"device_name": format!("lamp-{i:03}")})).await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let r = s.post("/api/v1/products/a1Lamp00001/devices", json!({"device_name": "lamp-000"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = s.post("/api/v1/products/a1Lamp00001/devices", json!({"device_name": "no"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = s.post("/api/v1/products/a1Nope00001/devices", json!({"device_name": "lamp-x1"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let page = s.get("/api/v1/devices?product_key=a1Lamp00001&page=2&page_size=10").await;
    assert_eq!(page.body["total"], 25);
    assert_eq!(page.body["items"][0]["device_name"], "lamp-010");
    let search = s.get("/api/v1/devices?q=lamp-02").await;
    assert_eq!(search.body["total"], 5);
    let r = s
        .call(
            Method::PATCH,
            "/api/v1/devices/a1Lamp00001/lamp-001",
            Some(json!({"enabled": false, "tags": [{"key": "site", "value": "north"}], "groups": ["north"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "disabled");
    assert_eq!(r.body["tags"][0]["value"], "north");
    let disabled = s.get("/api/v1/devices?status=disabled").await;
    assert_eq!(disabled.body["total"], 1);
    assert_eq!(s.get("/api/v1/devices?group=north").await.body["total"], 1);
    let r = s.call(Method::PATCH, "/api/v1/devices/a1Lamp00001/lamp-001", Some(json!({"enabled": true}))).await;
    assert_eq!(r.body["status"], "inactive");
    let secret = s.get("/api/v1/devices/a1Lamp00001/lamp-002/secret").await;
    assert_eq!(secret.body["device_secret"].as_str().unwrap().len(), 32);
    let r = s.call(Method::DELETE, "/api/v1/devices/a1Lamp00001/lamp-002", None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(s.get("/api/v1/devices/a1Lamp00001/lamp-002").await.status, StatusCode::NOT_FOUND);
    let r = s.call(Method::DELETE, "/api/v1/products/a1Lamp00001", None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a product with devices is not deleted");
}

async fn import(s: &Client, mode: &str, csv: &str) -> Resp {
    let path = format!("/api/v1/products/a1Lamp00001/devices/import?mode={mode}");
    s.raw(Method::POST, &path, Some("text/csv"), csv).await
}

#[tokio::test]
async fn csv_import_all_or_nothing_or_valid_rows() {
    let app = TestApp::builder().handlers_only().build().await;
    let s = app.client(Role::Admin).await;
    s.product("a1Lamp00001").await;
    s.post("/api/v1/products/a1Lamp00001/devices", json!({"device_name": "taken-1"})).await;
    let csv = "DeviceName,DeviceSecret,Nickname\nnew-0001,,A\nbad name\ntaken-1\nnew-0002,0123456789abcdef0123456789abcdef,B\n";
    let r = import(&s, "all_or_nothing", csv).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["created"], 0);
    let lines: Vec<u64> = r.body["errors"].as_array().unwrap().iter().map(|e| e["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [3, 4]);
    assert_eq!(app.count("devices").await, 1, "nothing created");
    let r = import(&s, "valid_rows", csv).await;
    assert_eq!(r.body["created"], 2);
    assert_eq!(r.body["mode"], "valid_rows");
    let secret = s.get("/api/v1/devices/a1Lamp00001/new-0002/secret").await;
    assert_eq!(secret.body["device_secret"], "0123456789abcdef0123456789abcdef", "a given secret is kept");
    let r = import(&s, "bogus", csv).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn unknown_api_paths_are_json_404_not_the_spa() {
    let app = TestApp::builder().handlers_only().build().await;
    let s = app.client(Role::Admin).await;
    let r = s.get("/api/v1/nope").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["code"], "not_found");
    let r = app.anonymous().get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.anonymous().get("/readyz").await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn bad_query_strings_get_json_errors() {
    let app = TestApp::builder().handlers_only().build().await;
    let s = app.client(Role::Admin).await;
    for path in [
        "/api/v1/devices?status=bogus",
        "/api/v1/devices?page=-1",
        "/api/v1/audit?since=yesterday",
        "/api/v1/logs?biz_type=nope",
    ] {
        let r = s.get(path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(r.body["code"], "invalid_query", "{path}: {:?}", r.body);
    }
}
