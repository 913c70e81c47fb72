//! A JSON extractor whose rejections use our error format instead of axum's plain text.

use axum::extract::{FromRequest, Request};

use crate::error::{from_rejection, AppError};

/// Like `axum::Json`, but a malformed body answers `{code:"invalid_json", message}`.
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    axum::Json<T>: FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Json::<T>::from_request(req, state).await.map(|axum::Json(v)| Json(v)).map_err(from_rejection)
    }
}
