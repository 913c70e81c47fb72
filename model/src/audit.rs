//! The audit log: who did what, to what, when, and whether it worked.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    /// Milliseconds since the epoch.
    pub at: i64,
    pub actor: String,
    /// e.g. `product.create`, `device.disable`, `user.create`.
    pub action: String,
    /// e.g. `a1B2c3D4e5F/lamp-01`.
    pub target: String,
    /// `ok` or the error code.
    pub result: String,
    pub details: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}
