//! Path parameters. An address whose parameter does not even decode
//! (invalid UTF-8 once percent-decoded) names nothing: it gets the French
//! 404 of any unknown address, not axum's plain-text 400.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::AppError;

/// `Path<T>`, refused as "not found".
pub struct Param<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Param<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Param<T>, AppError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| Param(value))
            .map_err(|_| AppError::NotFound("Cette page n’existe pas, ou plus.".into()))
    }
}
