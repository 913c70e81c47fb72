//! The OpenAPI document at `/api/v1/openapi.json`, built from one table of every route.
//!
//! A snapshot test (`tests/openapi.rs`) compares it with `backend/tests/snapshots/openapi.json`,
//! so API drift shows as a diff in review; another test calls every route in the table to prove
//! the table and the router agree.

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::state::AppState;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Access {
    Public,
    Viewer,
    Operator,
    Admin,
}

pub struct RouteDoc {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub access: Access,
    /// Name of the request body schema in `model`, if any.
    pub body: Option<&'static str>,
    /// Name of the response schema in `model`, if any.
    pub response: Option<&'static str>,
}

const fn r(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    access: Access,
    body: Option<&'static str>,
    response: Option<&'static str>,
) -> RouteDoc {
    RouteDoc { method, path, summary, access, body, response }
}

use Access::*;

/// Every route the server has. Keep in step with the routers (a test checks it).
pub const ROUTES: &[RouteDoc] = &[
    r("get", "/healthz", "Liveness: the process answers", Public, None, None),
    r("get", "/readyz", "Readiness: the database answers", Public, None, None),
    r("get", "/api/v1/openapi.json", "This document", Public, None, None),
    r("get", "/api/v1/info", "Version, MQTT port, demo mode", Public, None, None),
    r("post", "/api/v1/auth/login", "Log in; sets the session cookie", Public, Some("LoginRequest"), Some("Me")),
    r("post", "/api/v1/auth/logout", "Log out", Viewer, None, None),
    r("get", "/api/v1/auth/me", "The current user and CSRF token", Viewer, None, Some("Me")),
    r("post", "/api/v1/auth/password", "Change own password", Viewer, Some("ChangePassword"), None),
    r("get", "/api/v1/auth/tokens", "Own API tokens", Viewer, None, Some("ApiToken[]")),
    r(
        "post",
        "/api/v1/auth/tokens",
        "Create an API token (secret shown once)",
        Viewer,
        Some("NewApiToken"),
        Some("CreatedApiToken"),
    ),
    r("delete", "/api/v1/auth/tokens/{id}", "Revoke an API token", Viewer, None, None),
    r("get", "/api/v1/users", "List users", Admin, None, Some("User[]")),
    r("post", "/api/v1/users", "Create a user", Admin, Some("NewUser"), Some("User")),
    r(
        "patch",
        "/api/v1/users/{username}",
        "Change role, disable, reset password",
        Admin,
        Some("UpdateUser"),
        Some("User"),
    ),
    r("delete", "/api/v1/users/{username}", "Delete a user", Admin, None, None),
    r("get", "/api/v1/audit", "Search the audit log", Admin, None, Some("Page<AuditEntry>")),
    r("get", "/api/v1/products", "List products", Viewer, None, Some("Product[]")),
    r("post", "/api/v1/products", "Create a product", Operator, Some("NewProduct"), Some("Product")),
    r("get", "/api/v1/products/{pk}", "Show a product", Viewer, None, Some("Product")),
    r("patch", "/api/v1/products/{pk}", "Update a product", Operator, Some("UpdateProduct"), Some("Product")),
    r("delete", "/api/v1/products/{pk}", "Delete a product without devices", Operator, None, None),
    r("get", "/api/v1/products/{pk}/secret", "Show the ProductSecret", Operator, None, None),
    r(
        "get",
        "/api/v1/products/{pk}/tsl",
        "Export the thing model (Alibaba TSL JSON)",
        Viewer,
        None,
        Some("ThingModel"),
    ),
    r(
        "put",
        "/api/v1/products/{pk}/tsl",
        "Import/replace the thing model",
        Operator,
        Some("ThingModel"),
        Some("ThingModel"),
    ),
    r("post", "/api/v1/products/{pk}/devices", "Create a device", Operator, Some("NewDevice"), Some("Device")),
    r(
        "post",
        "/api/v1/products/{pk}/devices/import",
        "Create devices from CSV (text/csv body; ?mode=all_or_nothing|valid_rows)",
        Operator,
        None,
        Some("ImportReport"),
    ),
    r(
        "get",
        "/api/v1/devices",
        "Search devices (?product_key, q prefix, status, group, page, page_size)",
        Viewer,
        None,
        Some("Page<Device>"),
    ),
    r("get", "/api/v1/devices/{pk}/{dn}", "Show a device", Viewer, None, Some("Device")),
    r(
        "patch",
        "/api/v1/devices/{pk}/{dn}",
        "Update, enable or disable a device",
        Operator,
        Some("UpdateDevice"),
        Some("Device"),
    ),
    r("delete", "/api/v1/devices/{pk}/{dn}", "Delete a device (disconnects it)", Operator, None, None),
    r("get", "/api/v1/devices/{pk}/{dn}/secret", "Show the DeviceSecret", Operator, None, Some("DeviceSecret")),
    r("get", "/api/v1/devices/{pk}/{dn}/properties", "Latest property values", Viewer, None, Some("PropertyValue[]")),
    r("get", "/api/v1/ws", "WebSocket: live streams (model::ws ClientMsg / ServerMsg)", Viewer, None, None),
    r(
        "get",
        "/api/v1/logs",
        "Search the cloud run log (?product_key, device_name, trace_id, biz_type, status, since, until, limit)",
        Viewer,
        None,
        Some("LogEntry[]"),
    ),
];

fn schema_ref(name: &str) -> Value {
    match name.strip_suffix("[]") {
        Some(item) => json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}}),
        None => json!({"$ref": format!("#/components/schemas/{}", name.replace(['<', '>'], "_"))}),
    }
}

/// The whole document. Schemas are named, not expanded: their source of truth is `model`.
pub fn document() -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for route in ROUTES {
        let params: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let mut op = json!({
            "summary": route.summary,
            "x-required-role": format!("{:?}", route.access).to_lowercase(),
            "responses": {"200": {"description": "success"}, "default": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}}},
        });
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        if route.access != Access::Public {
            op["security"] = json!([{"session": []}, {"bearer": []}]);
        }
        for name in route.body.iter().chain(route.response.iter()) {
            let base = name.trim_end_matches("[]").replace(['<', '>'], "_");
            schemas.insert(base, json!({"type": "object", "description": format!("model type {name}")}));
        }
        if let Some(b) = route.body {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": schema_ref(b)}}});
        }
        if let Some(resp) = route.response {
            op["responses"]["200"]["content"] = json!({"application/json": {"schema": schema_ref(resp)}});
        }
        let entry = paths.entry(route.path.to_string()).or_insert_with(|| json!({}));
        entry[route.method] = op;
    }
    schemas.insert(
        "ApiError".into(),
        json!({"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {}}}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {"title": "fleetdeck", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": crate::auth::session::COOKIE},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
    })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(|| async { Json(document()) }))
}
