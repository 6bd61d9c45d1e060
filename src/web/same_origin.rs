//! Actions that change or destroy something (closing or deleting a
//! workshop, revealing its results, deleting a result) must come from a page
//! of this site: another site's page could otherwise make a visitor's
//! browser post them (cross-site request forgery).
//!
//! Browsers say where a request comes from: `Sec-Fetch-Site` (all current
//! browsers), else `Origin` (sent with every cross-origin POST). A request
//! with neither does not come from another site's page: a command-line
//! client, or a very old browser.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};

use super::error::AppError;
use super::state::AppState;

/// Proof that a request comes from a page of this site; refused with the
/// French 403 page otherwise.
pub struct SameOrigin;

impl FromRequestParts<AppState> for SameOrigin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let public_url = state.workshops().settings().public_url;
        if is_same_origin(&parts.headers, public_url.as_deref()) {
            Ok(SameOrigin)
        } else {
            Err(AppError::Client(
                StatusCode::FORBIDDEN,
                "Action refusée\u{a0}: elle vient d’une page d’un autre site. Rien n’a été \
                 modifié\u{a0}; refaites-la depuis la page de ce site."
                    .into(),
            ))
        }
    }
}

/// Whether the headers show a request from this site's own pages (or from
/// no page at all). `public_url` is `serve --base-url`, the address the site
/// is reached at behind a proxy.
pub fn is_same_origin(headers: &HeaderMap, public_url: Option<&str>) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = headers.get("sec-fetch-site") {
        // "none": typed or bookmarked by the user, never another page.
        return matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    let Some(origin) = text(header::ORIGIN) else {
        return true;
    };
    // "null" (a sandboxed frame, a file) or anything unreadable: not us.
    let Some(origin) = url::Url::parse(origin)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .and_then(|url| Some(authority(url.host_str()?, url.port())))
    else {
        return false;
    };
    // The Host the browser addressed (a proxy must pass it on: the README's
    // configurations do), or the operator's public address.
    let host = text(header::HOST).map(str::to_ascii_lowercase);
    let public = public_url
        .and_then(|url| url::Url::parse(url).ok())
        .and_then(|url| Some(authority(url.host_str()?, url.port())));
    Some(&origin) == host.as_ref() || Some(&origin) == public.as_ref()
}

/// `host` or `host:port`, as a `Host` header writes it (default ports
/// omitted, as `url` omits them).
fn authority(host: &str, port: Option<u16>) -> String {
    match port {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::testing::headers;

    #[test]
    fn fetch_metadata_decides_when_present() {
        for (site, allowed) in [
            ("same-origin", true),
            ("none", true),
            ("same-site", false),
            ("cross-site", false),
        ] {
            let request = headers(&[
                ("sec-fetch-site", site),
                ("host", "salle.test"),
                ("origin", "http://salle.test"),
            ]);
            assert_eq!(is_same_origin(&request, None), allowed, "{site}");
        }
    }

    #[test]
    fn the_origin_must_be_the_host_or_the_public_address() {
        let cases = [
            (vec![], true),
            (vec![("host", "salle.test:3000")], true),
            (
                vec![
                    ("host", "salle.test:3000"),
                    ("origin", "http://salle.test:3000"),
                ],
                true,
            ),
            (
                vec![
                    ("host", "Salle.Test:3000"),
                    ("origin", "http://salle.test:3000"),
                ],
                true,
            ),
            (
                vec![
                    ("host", "salle.test:3000"),
                    ("origin", "http://evil.test:3000"),
                ],
                false,
            ),
            (
                vec![
                    ("host", "salle.test:3000"),
                    ("origin", "http://salle.test:3001"),
                ],
                false,
            ),
            (vec![("host", "salle.test"), ("origin", "null")], false),
            (vec![("host", "salle.test"), ("origin", "file://")], false),
            // Behind a proxy that does not pass Host on: the public address.
            (
                vec![
                    ("host", "127.0.0.1:3000"),
                    ("origin", "https://atelier.example.org"),
                ],
                true,
            ),
        ];
        for (pairs, allowed) in cases {
            assert_eq!(
                is_same_origin(&headers(&pairs), Some("https://atelier.example.org")),
                allowed,
                "{pairs:?}"
            );
        }
        let proxied = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "https://atelier.example.org"),
        ]);
        assert!(!is_same_origin(&proxied, None), "no public address known");
    }
}
