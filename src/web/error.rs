//! One error type for every handler; it renders a French HTML page.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::views::render_error_page;

/// What a 500 says. Not "nothing was stored" nor "nothing was deleted":
/// an internal error may come after or before either.
pub const INTERNAL_ERROR_MESSAGE: &str = "Une erreur interne s’est produite et votre demande n’a peut-être pas abouti. \
     Réessayez dans un instant\u{a0}; si l’erreur revient, prévenez la personne qui gère ce site.";

#[derive(Debug)]
pub enum AppError {
    /// 404 with a human message.
    NotFound(String),
    /// 400 with a human message.
    BadRequest(String),
    /// Any 4xx with a human message.
    Client(StatusCode, String),
    /// 500; the cause is logged, never shown.
    Internal(anyhow::Error),
}

/// Any other error (SQLite, a task that panicked, a template, JSON…) is
/// internal: `?` turns it into a 500, as in axum's examples.
impl<E: Into<anyhow::Error>> From<E> for AppError {
    fn from(error: E) -> AppError {
        AppError::Internal(error.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            AppError::NotFound(m) => (StatusCode::NOT_FOUND, m),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            AppError::Client(status, m) => (status, m),
            AppError::Internal(error) => {
                tracing::error!(error = %format!("{error:#}"), "erreur interne");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    INTERNAL_ERROR_MESSAGE.to_string(),
                )
            }
        };
        (status, Html(render_error_page(status.as_u16(), &message))).into_response()
    }
}

/// A text from the request, cut for a message, each control character
/// shown as « � » (a NUL or an escape sequence has no place in a page, and
/// dropping it would name something else: `diag%00nostic` is not
/// `diagnostic`).
pub fn shorten(text: &str) -> String {
    let mut chars = text
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c });
    let mut short: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() {
        short.push('…');
    }
    short
}
