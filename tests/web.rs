//! The router through `tower::ServiceExt::oneshot`, on a built fixture book
//! and a real temp SQLite file.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chezsoi::book::{self, BuildOptions};
use chezsoi::project::Project;
use chezsoi::store::Store;
use chezsoi::web::{self, AppState};
use common::FixtureProject;
use http_body_util::BodyExt;
use tower::ServiceExt;

struct App {
    _fixture: FixtureProject,
    router: axum::Router,
}

fn app() -> App {
    let fixture = FixtureProject::new();
    let project = Project::open(fixture.root()).unwrap();
    let built = book::build(&project, &BuildOptions::default()).unwrap();
    let store = Arc::new(Store::open(&fixture.path("data/test.db")).unwrap());
    let router = web::router(AppState::new(built.out, store, built.content).unwrap());
    App {
        _fixture: fixture,
        router,
    }
}

async fn get(app: &App, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = app
        .router
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
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
    let app = app();
    let (status, headers, body) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<html lang=\"fr\""));
    assert!(body.contains("Accueil"));
    assert_security_headers("/", &headers);

    let (status, headers, body) = get(&app, "/chapitre-1.html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Premier chapitre"));
    assert_eq!(headers.get(header::CACHE_CONTROL).unwrap(), "no-cache");
    assert_security_headers("/chapitre-1.html", &headers);

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
    let app = app();
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
    let app = app();
    let (status, headers, body) = get(&app, "/sante").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "ok");
    assert_security_headers("/sante", &headers);
}

#[tokio::test]
async fn compresses_when_asked() {
    let app = app();
    let response = app
        .router
        .clone()
        .oneshot(
            Request::get("/book.js")
                .header(header::ACCEPT_ENCODING, "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers().get(header::CONTENT_ENCODING).unwrap(),
        "gzip"
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = app();
    let body = vec![b'a'; web::BODY_LIMIT + 1];
    let response = app
        .router
        .clone()
        .oneshot(
            Request::post("/sante")
                .header(header::CONTENT_LENGTH, body.len())
                .body(Body::from(body))
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
}
