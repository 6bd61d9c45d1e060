//! Layers applied to every response: security headers, cache policy,
//! compression, time-out, body limit and privacy-preserving request logs.

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

use super::{BODY_LIMIT, REQUEST_TIMEOUT};

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
        .layer(axum::middleware::map_response(cache_policy))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ));
    for (name, value) in fixed {
        router = router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router.layer(
        // Logs name the route (or the file path for the book), the status and
        // the latency: never an address, a user agent, a referrer or a query.
        TraceLayer::new_for_http()
            .make_span_with(|request: &Request<Body>| {
                let route = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_else(|| request.uri().path().to_owned());
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

/// HTML is revalidated on each visit (chapters change with the book); other
/// book assets may be cached for an hour; dynamic pages set their own policy.
async fn cache_policy(mut response: Response) -> Response {
    if response.headers().contains_key(header::CACHE_CONTROL) {
        return response;
    }
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let value = if !response.status().is_success() || is_html {
        "no-cache"
    } else {
        "public, max-age=3600"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}
