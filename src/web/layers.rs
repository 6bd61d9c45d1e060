//! Layers applied to every response: security headers, cache policy,
//! compression, time-out, body limit and privacy-preserving request logs.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use super::error::INTERNAL_ERROR_MESSAGE;
use crate::views::render_error_page;

/// Largest request body accepted (a full diagnostic is well under 4 KiB).
pub const BODY_LIMIT: usize = 64 * 1024;
/// A request that takes longer than this is cut with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// No origin but our own, for anything. Styles allow inline attributes because
/// mdBook's scripts set element styles; scripts never run inline.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; \
form-action 'self'; base-uri 'self'; object-src 'none'";

pub const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()";

pub fn apply(router: Router) -> Router {
    let fixed: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
        (
            HeaderName::from_static("permissions-policy"),
            PERMISSIONS_POLICY,
        ),
    ];
    let mut router = router
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        // Outside the limit and the time-out, so that their refusals get
        // the French page and a cache policy too.
        .layer(axum::middleware::map_response(french_errors))
        .layer(axum::middleware::map_response(cache_policy));
    for (name, value) in fixed {
        router = router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router.layer(
        // Logs name the route template, the status and the latency: never a
        // path, an address, a user agent, a referrer or a query.
        TraceLayer::new_for_http()
            .make_span_with(|request: &Request<Body>| {
                // A route template, never a path: an unknown address such
                // as `/r/{token}/x` or `/atelier/{id}/{key}/gestion/` holds a
                // secret. Book files are named by their handler instead.
                let route = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map_or("(hors route)", |p| p.as_str())
                    .to_owned();
                tracing::info_span!("requête", method = %request.method(), route = %route)
            })
            .on_request(())
            .on_response(
                |response: &Response, latency: std::time::Duration, _span: &tracing::Span| {
                    tracing::debug!(
                        status = response.status().as_u16(),
                        ms = latency.as_millis() as u64,
                        "réponse"
                    );
                },
            ),
    )
}

/// Refusals made below the handlers come as short English text or nothing:
/// a body over the limit (413), a time-out (408), a method a route does not
/// take (405), an address axum cannot decode (400). They get the French
/// error page like every other refusal.
async fn french_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_html(&response) {
        return response;
    }
    let message = match status {
        StatusCode::BAD_REQUEST => {
            "Requête mal formée\u{a0}: le serveur ne peut pas la lire. Rien n’a été enregistré."
                .to_string()
        }
        StatusCode::NOT_FOUND => "Cette page n’existe pas, ou plus.".to_string(),
        StatusCode::METHOD_NOT_ALLOWED => {
            "Cette adresse ne s’utilise pas de cette façon (méthode de requête refusée). \
             Rien n’a été enregistré."
                .to_string()
        }
        // Not "nothing was stored": a result whose commit had begun is
        // stored all the same.
        StatusCode::REQUEST_TIMEOUT => {
            "La requête a pris trop de temps et a été interrompue\u{a0}; réessayez dans un instant."
                .to_string()
        }
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "Envoi refusé\u{a0}: il dépasse la taille maximale acceptée ({} Kio). Rien n’a été \
             enregistré.",
            BODY_LIMIT / 1024
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "Envoi refusé\u{a0}: ce type de contenu n’est pas accepté ici. Rien n’a été enregistré."
                .to_string()
        }
        s if s.is_client_error() => "Requête refusée. Rien n’a été enregistré.".to_string(),
        _ => INTERNAL_ERROR_MESSAGE.to_string(),
    };
    let (mut parts, _) = response.into_parts();
    // The new body is neither the old length nor its compression.
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_ENCODING);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Response::from_parts(
        parts,
        Body::from(render_error_page(status.as_u16(), &message)),
    )
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// HTML is revalidated on each visit (chapters change with the book); other
/// book assets may be cached for an hour; dynamic pages set their own policy.
async fn cache_policy(mut response: Response) -> Response {
    if response.headers().contains_key(header::CACHE_CONTROL) {
        return response;
    }
    let value = if !response.status().is_success() || is_html(&response) {
        "no-cache"
    } else {
        "public, max-age=3600"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}
