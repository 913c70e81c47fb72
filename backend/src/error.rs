//! One error type for every handler, turned into `model::error::ApiError` JSON.
//!
//! Internal errors are logged with their cause and answered with a generic message: the cause
//! may contain SQL, paths or secrets, which an API client must never see.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use model::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request is malformed or a value is out of its rules.
    #[error("{message}")]
    Validation { code: String, message: String, details: Option<serde_json::Value> },
    /// 401: no valid session or token.
    #[error("login required")]
    Unauthorized,
    /// 403: logged in, but the role does not allow it (or the CSRF token is missing).
    #[error("{0}")]
    Forbidden(String),
    /// 404: the named thing does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// 409: the thing already exists or is in a state that forbids the change.
    #[error("{0}")]
    Conflict(String),
    /// 413: the body is larger than the endpoint takes.
    #[error("request body too large")]
    TooLarge,
    /// 414: the URL is longer than any route of this server.
    #[error("request URL too long")]
    UriTooLong,
    /// 429: too many attempts; retry after the given seconds.
    #[error("too many attempts, retry in {0} s")]
    RateLimited(u64),
    /// 500: anything else; logged, never echoed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn validation(message: impl Into<String>) -> Self {
        AppError::Validation { code: "validation".into(), message: message.into(), details: None }
    }
    /// A validation error that carries one of the seed's numeric codes.
    pub fn coded(code: u32, message: impl Into<String>) -> Self {
        AppError::Validation { code: code.to_string(), message: message.into(), details: None }
    }
    pub fn with_details(self, details: serde_json::Value) -> Self {
        match self {
            AppError::Validation { code, message, .. } => {
                AppError::Validation { code, message, details: Some(details) }
            }
            other => other,
        }
    }
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Validation { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UriTooLong => StatusCode::URI_TOO_LONG,
            AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
    /// The body a client sees.
    pub fn body(&self) -> ApiError {
        let code = match self {
            AppError::Validation { code, .. } => code.as_str(),
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::TooLarge => "too_large",
            AppError::UriTooLong => "uri_too_long",
            AppError::RateLimited(_) => "rate_limited",
            AppError::Internal(_) => "internal",
        };
        let message = match self {
            AppError::Internal(_) => "internal error; see the server log".to_string(),
            other => other.to_string(),
        };
        let details = match self {
            AppError::Validation { details, .. } => details.clone(),
            _ => None,
        };
        ApiError { code: code.into(), message, details }
    }
}

impl From<crate::store::Error> for AppError {
    fn from(e: crate::store::Error) -> Self {
        match e {
            crate::store::Error::Conflict => AppError::Conflict("it already exists".into()),
            other => AppError::Internal(other.into()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        }
        let mut resp = (self.status(), Json(self.body())).into_response();
        if let AppError::RateLimited(secs) = self {
            resp.headers_mut().insert("retry-after", secs.into());
        }
        resp
    }
}

/// Rejections of axum's extractors (bad JSON, wrong content type, body too large) in our format.
pub fn from_rejection(r: axum::extract::rejection::JsonRejection) -> AppError {
    use axum::extract::rejection::JsonRejection as J;
    match r {
        J::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
        J::MissingJsonContentType(_) => AppError::validation("expected Content-Type: application/json"),
        other => AppError::Validation { code: "invalid_json".into(), message: other.body_text(), details: None },
    }
}
