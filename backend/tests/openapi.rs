//! The OpenAPI document: a snapshot (API drift shows as a diff), documented and routed paths
//! agreeing both ways, each documented role being the one enforced, and schemas that say what
//! the JSON really is.
//!
//! To accept an intended change: `UPDATE_SNAPSHOTS=1 cargo test -p backend --test openapi`.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use serde_json::Value;
use testkit::{Client, Resp, Role, TestApp, USER_PW};

fn document() -> Value {
    serde_json::to_value(backend::http::openapi::document()).unwrap()
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every (method, path template) in the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                ops.push((m.to_string(), path.clone(), op.clone()));
            }
        }
    }
    ops
}

/// A concrete URL for a path template; the values name nothing that exists.
fn concrete(path: &str) -> String {
    path.replace("{id}", "1").replace("{pk}", "a1Nope00001").replace("{dn}", "dev1").replace("{username}", "ghost")
}

async fn call(c: &Client, method: &str, path: &str) -> Resp {
    let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    c.call(m, &concrete(path), None).await
}

async fn app() -> TestApp {
    TestApp::builder().handlers_only().build().await
}

fn unrouted(r: &Resp) -> bool {
    r.status == StatusCode::METHOD_NOT_ALLOWED
        || (r.status == StatusCode::NOT_FOUND && r.body["message"].as_str().unwrap_or("").starts_with("API route"))
}

#[test]
fn openapi_document_matches_the_snapshot() {
    let doc = serde_json::to_string_pretty(&document()).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &doc).unwrap();
    }
    let snapshot = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(snapshot == doc, "the API changed: review and run with UPDATE_SNAPSHOTS=1\n--- new document ---\n{doc}");
}

#[tokio::test]
async fn every_documented_route_is_routed() {
    let app = app().await;
    let s = app.client(Role::Admin).await;
    let ops = operations(&document());
    assert!(ops.len() > 30, "only {} operations documented", ops.len());
    for (method, path, _) in ops {
        let r = call(&s, &method, &path).await;
        assert!(!unrouted(&r), "{method} {path} is documented but not routed");
    }
}

/// The path templates axum routes. axum has no API to list them, but its `Debug` output names
/// every path; the test refuses to pass on an empty list, so a format change fails loudly.
fn routed_paths(app: &TestApp) -> BTreeSet<String> {
    let debug = format!("{:?}", app.http_router());
    let paths: BTreeSet<String> =
        debug.split('"').skip(1).step_by(2).filter(|s| s.starts_with('/')).map(str::to_string).collect();
    assert!(paths.contains("/api/v1/auth/login"), "axum's Debug output no longer lists paths:\n{debug}");
    paths
}

#[tokio::test]
async fn every_routed_api_route_is_documented() {
    let app = app().await;
    let s = app.client(Role::Admin).await;
    let doc = document();
    let documented: BTreeSet<(String, String)> = operations(&doc).into_iter().map(|(m, p, _)| (m, p)).collect();
    let routed = routed_paths(&app);
    let api: Vec<&String> = routed.iter().filter(|p| p.starts_with("/api/")).collect();
    assert!(api.len() > 15, "only {} API paths found", api.len());
    for path in api {
        for method in METHODS {
            let r = call(&s, method, path).await;
            if !unrouted(&r) {
                assert!(
                    documented.contains(&(method.to_string(), path.clone())),
                    "{method} {path} is routed but not in the OpenAPI document"
                );
            }
        }
    }
}

#[tokio::test]
async fn each_documented_role_is_the_one_enforced() {
    let app = app().await;
    let viewer = app.user("viewer1", Role::Viewer).await;
    let operator = app.user("operator1", Role::Operator).await;
    let anonymous = app.anonymous();
    let mut seen = BTreeSet::new();
    for (method, path, op) in operations(&document()) {
        let role = op["x-fleetdeck-role"].as_str().unwrap_or_else(|| panic!("{method} {path} has no role"));
        seen.insert(role.to_string());
        let what = format!("{method} {path} (documented: {role})");
        // The role is also the scope of both security requirements; public means none.
        let security = op["security"].as_array().unwrap_or_else(|| panic!("{what}: no security"));
        match role {
            "public" => assert!(security.is_empty(), "{what}: {security:?}"),
            _ => {
                let schemes: Vec<&str> =
                    security.iter().flat_map(|s| s.as_object().unwrap().keys()).map(String::as_str).collect();
                assert_eq!(schemes, ["session", "bearer"], "{what}");
                for s in security {
                    assert_eq!(s.as_object().unwrap().values().next().unwrap(), &serde_json::json!([role]), "{what}");
                }
            }
        }
        // Just below the documented role: refused.
        let below = match role {
            "public" => None,
            "viewer" => Some((&anonymous, StatusCode::UNAUTHORIZED)),
            "operator" => Some((&viewer, StatusCode::FORBIDDEN)),
            "admin" => Some((&operator, StatusCode::FORBIDDEN)),
            other => panic!("{what}: unknown role {other}"),
        };
        if let Some((client, refused)) = below {
            let r = call(client, &method, &path).await;
            assert_eq!(r.status, refused, "{what}: {:?}", r.body);
        }
        // With the documented role itself (a fresh session: the call may be a logout): let in.
        let own = match role {
            "public" => anonymous.clone(),
            "viewer" => app.login("viewer1", USER_PW).await,
            "operator" => app.login("operator1", USER_PW).await,
            _ => app.client(Role::Admin).await,
        };
        let r = call(&own, &method, &path).await;
        assert!(
            r.status != StatusCode::UNAUTHORIZED && r.status != StatusCode::FORBIDDEN,
            "{what}: refused with its own role: {} {:?}",
            r.status,
            r.body
        );
    }
    assert_eq!(seen, BTreeSet::from(["admin", "operator", "public", "viewer"].map(String::from)));
}

#[test]
fn schemas_follow_the_json() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let required = |name: &str| -> Vec<String> {
        schemas[name]["required"].as_array().map(|a| a.iter().map(|v| v.to_string()).collect()).unwrap_or_default()
    };
    // Fields with serde defaults are optional in requests; the rest are required.
    assert_eq!(required("NewProduct"), ["\"name\"", "\"node_type\""]);
    assert_eq!(required("ApiError"), ["\"code\"", "\"message\""]);
    assert!(required("Device").contains(&"\"status\"".to_string()));
    assert!(!required("Device").contains(&"\"ip\"".to_string()), "optional fields are not required");
    // Enums carry serde's spelling.
    assert_eq!(schemas["Role"]["enum"], serde_json::json!(["viewer", "operator", "admin"]));
    assert_eq!(schemas["DeviceStatus"]["enum"], serde_json::json!(["inactive", "online", "offline", "disabled"]));
    assert_eq!(schemas["Property"]["properties"]["accessMode"]["$ref"], "#/components/schemas/AccessMode");
    assert_eq!(schemas["Page_Device"]["properties"]["items"]["items"]["$ref"], "#/components/schemas/Device");
    // Every reference resolves.
    let text = doc.to_string();
    for r in text.split("\"#/components/schemas/").skip(1) {
        let name = &r[..r.find('"').unwrap()];
        assert!(schemas.get(name).is_some(), "dangling $ref {name}");
    }
    // Every non-2xx answer of every operation is an ApiError.
    for (method, path, op) in operations(&doc) {
        for (status, answer) in op["responses"].as_object().unwrap() {
            // Success, the WebSocket switch, the probes' plain-text answers, and the readiness
            // probe, whose report is the same document whichever its status.
            let probe = path == "/readyz";
            if status.starts_with('2') || status == "101" || probe || answer["content"].get("text/plain").is_some() {
                continue;
            }
            assert_eq!(
                answer["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ApiError",
                "{method} {path} {status}"
            );
        }
    }
}

#[tokio::test]
async fn the_document_is_served_without_login() {
    let app = app().await;
    let r = app.anonymous().get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["openapi"], "3.1.0");
    assert_eq!(r.body, document());
}
