//! A query-string extractor whose rejections use our error format instead of axum's plain text.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::AppError;

/// Like `axum::extract::Query`, but `?status=bogus` answers `{code:"invalid_query", message}`.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Query(v))
            .map_err(|e| AppError::Validation { code: "invalid_query".into(), message: e.body_text(), details: None })
    }
}
