//! The router through `tower::ServiceExt::oneshot`, on the real book (built
//! once for this test binary) and a real temp SQLite file per test.

#[path = "support/router.rs"]
mod router;
mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chezsoi::web;
use router::{App, form_request};

async fn get(app: &App, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let reply = app.get(uri).await;
    (reply.status, reply.headers, reply.body)
}

fn assert_security_headers(uri: &str, headers: &axum::http::HeaderMap) {
    let csp = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap_or_else(|| panic!("{uri}: no CSP"))
        .to_str()
        .unwrap();
    assert!(csp.contains("default-src 'self'"), "{uri}: {csp}");
    assert!(
        csp.contains("script-src 'self';"),
        "{uri}: scripts must be same-origin only: {csp}"
    );
    assert!(
        !csp.contains("http"),
        "{uri}: the CSP allows another origin: {csp}"
    );
    assert!(csp.contains("frame-ancestors"), "{uri}: {csp}");
    assert_eq!(
        headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
        "nosniff",
        "{uri}"
    );
    assert_eq!(
        headers.get(header::REFERRER_POLICY).unwrap(),
        "no-referrer",
        "{uri}"
    );
    assert!(headers.get(header::X_FRAME_OPTIONS).is_some(), "{uri}");
    assert!(
        headers
            .get("permissions-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("camera=()"),
        "{uri}"
    );
    assert!(
        headers.get(header::CACHE_CONTROL).is_some(),
        "{uri}: no cache policy"
    );
}

#[tokio::test]
async fn serves_the_index_and_a_chapter() {
    let app = App::new();
    let (status, headers, body) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<html lang=\"fr\""));
    assert!(body.contains("Avant-propos"));
    assert_security_headers("/", &headers);

    let (status, headers, body) = get(&app, "/02-portee.html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("La perte de portée"));
    assert_eq!(headers.get(header::CACHE_CONTROL).unwrap(), "no-cache");
    assert_security_headers("/02-portee.html", &headers);

    let (status, headers, _) = get(&app, "/theme/chezsoi.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers
            .get(header::CACHE_CONTROL)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("max-age")
    );
}

#[tokio::test]
async fn unknown_pages_get_the_french_404() {
    let app = App::new();
    for uri in [
        "/nulle-part.html",
        "/dossier/absent/",
        "/../../etc/passwd",
        "/%2e%2e/book.toml",
    ] {
        let (status, headers, body) = get(&app, uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(body.contains("Page introuvable"), "{uri}: {body}");
        assert!(body.contains("lang=\"fr\""), "{uri}");
        assert!(!body.contains("[book]"), "{uri}: leaked book.toml");
        assert_security_headers(uri, &headers);
    }
}

#[tokio::test]
async fn health_check_touches_the_database() {
    let app = App::new();
    let (status, headers, body) = get(&app, "/sante").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "ok");
    assert_security_headers("/sante", &headers);

    // Another program breaks the database under the running server.
    let path = app.data.path().join("test.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("DROP TABLE results")
        .unwrap();
    let (status, headers, body) = get(&app, "/sante").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.contains("ne peut pas être lue ou écrite"), "{body}");
    assert_eq!(headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert_security_headers("/sante", &headers);
}

#[tokio::test]
async fn compresses_when_asked() {
    let app = App::new();
    let reply = app
        .send(
            Request::get("/book.js")
                .header(header::ACCEPT_ENCODING, "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header(header::CONTENT_ENCODING), Some("gzip"));
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = App::new();
    // A workshop creation form whose title fills the body past the limit:
    // without the limit it would be read, and refused only for its title.
    let form = format!(
        "minimum=5&questionnaire=diagnostic&titre={}",
        "a".repeat(web::BODY_LIMIT)
    );
    let mut announced = form_request("/atelier/nouveau", form.clone());
    announced
        .headers_mut()
        .insert(header::CONTENT_LENGTH, form.len().into());
    let mut streamed = form_request(
        "/atelier/nouveau",
        Body::from_stream(tokio_stream::iter(
            form.as_bytes()
                .chunks(4096)
                .map(|chunk| Ok::<_, std::io::Error>(chunk.to_vec()))
                .collect::<Vec<_>>(),
        )),
    );
    streamed.headers_mut().remove(header::CONTENT_LENGTH);
    for (name, request) in [("with its length", announced), ("streamed", streamed)] {
        let reply = app.send(request).await;
        assert_eq!(
            reply.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{name}: {}",
            reply.body
        );
        assert!(
            reply.body.contains("taille maximale"),
            "{name}: {}",
            reply.body
        );
        assert_security_headers(name, &reply.headers);
    }
    assert_eq!(app.workshops(), 0, "nothing was created");
}
