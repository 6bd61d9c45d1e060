//! Response helpers shared by the handlers: an HTML page, and the headers
//! of a private page or a download.

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::error::AppError;
use super::state::AppState;
use crate::secret::Secret;
use crate::views::forms::NONCE_PLACEHOLDER;

/// An HTML page that is never cached (its content depends on the request).
pub fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, Html(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Renders `template` with `view` as an uncached HTML page.
pub fn render(
    state: &AppState,
    status: StatusCode,
    template: &str,
    view: &impl serde::Serialize,
) -> Result<Response, AppError> {
    Ok(html(status, state.templates().render(template, view)?))
}

/// A page with an answer form, the same for everyone but its nonce:
/// rendered once with `NONCE_PLACEHOLDER` (`AppState::cached_page`), and
/// served each time with a fresh nonce in its place.
pub fn form_page(
    state: &AppState,
    key: &str,
    render: impl FnOnce() -> anyhow::Result<String>,
) -> Result<Response, AppError> {
    let page = state.cached_page(key, render)?;
    let page = std::str::from_utf8(&page)?;
    let nonce = Secret::generate();
    Ok(html(
        StatusCode::OK,
        page.replacen(NONCE_PLACEHOLDER, nonce.as_str(), 1),
    ))
}

/// Results and facilitator pages are private: never cached, never indexed.
pub fn private(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    response
}

/// The answer to a change of a private page (a result deleted, a workshop
/// deleted), and of the stylesheet its confirmation loads
/// (`/_app/oubli.css`): `Clear-Site-Data: "cache"` asks the browser to drop
/// what it keeps of this site, the back/forward cache included, so that
/// Back cannot show the page as it was. `no-store` alone does not keep a
/// page out of that cache any more (Chromium keeps such pages while no
/// cookie changes, and this site sets none). Browsers honour the header on
/// HTTPS and on localhost.
pub fn changed(mut response: Response) -> Response {
    response.headers_mut().insert(
        HeaderName::from_static("clear-site-data"),
        HeaderValue::from_static("\"cache\""),
    );
    response
}

/// A private file to download as `filename`.
pub fn download(content_type: &'static str, filename: &str, body: String) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    private(
        (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            body,
        )
            .into_response(),
    )
}
