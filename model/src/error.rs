//! The error body every REST endpoint returns, and the WebSocket's error frame.
//!
//! `code` is a stable machine-readable string (`not_found`, `conflict`, …) or, where the seed
//! defines one, the seed's numeric code as a string (`"6306"`), so scripts can switch on it.

use serde::{Deserialize, Serialize};

/// `{code, message, details?}` — what the server sends with every non-2xx answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// Stable identifier of the failure, e.g. `validation`, `forbidden`, `6306`.
    pub code: String,
    /// A sentence for the operator; never contains internal details.
    pub message: String,
    /// Structured context: the offending field, the rows of a CSV that failed, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl ApiError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into(), details: None }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

/// One page of a listing: the items plus the total that matched the filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
}
