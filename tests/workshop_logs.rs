//! The request log names routes, never paths: a facilitator's key, which
//! lives in the path, must not reach it. Alone in its test binary because
//! it installs a log subscriber for the whole process.

#[path = "support/router.rs"]
mod router;
mod support;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A writer that keeps every log line.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn send(router: &axum::Router, method: &str, uri: &str, body: &str) -> (StatusCode, String) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let _ = response.into_body().collect().await.unwrap();
    (status, location)
}

#[tokio::test]
async fn the_facilitator_key_never_reaches_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let app = router::App::new();
    let (router, store) = (&app.router, &app.store);

    let (status, location) = send(
        router,
        "POST",
        "/atelier/nouveau",
        "titre=Atelier+discret&questionnaire=diagnostic&minimum=3",
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let base = location.trim_end_matches("/gestion").to_string();
    let key = base.rsplit('/').next().unwrap().to_string();
    assert_eq!(key.len(), 32);
    let code: String = store
        .with_writer(|c| Ok(c.query_row("SELECT join_code FROM workshops", [], |r| r.get(0))?))
        .unwrap();
    let id = base.split('/').nth(2).unwrap();
    let projector =
        chezsoi::workshop::projector_key(&chezsoi::workshop::FacilitatorKey::parse(&key).unwrap());
    let projection = format!("/projection/{id}/{}", projector.as_str());

    for (method, uri) in [
        ("GET", base.clone()),
        ("GET", format!("{base}/gestion")),
        ("GET", format!("{base}/resultats.csv")),
        ("GET", format!("{base}/page-inconnue")),
        ("GET", format!("{base}/a/b")),
        ("GET", projection.clone()),
        ("GET", format!("{projection}/page-inconnue")),
        ("POST", format!("{projection}/reveler")),
        ("GET", format!("/a/{code}")),
        ("POST", format!("{base}/supprimer")),
    ] {
        send(router, method, &uri, "confirmation=oui").await;
    }

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("route=/atelier/{id}/{key}}"),
        "the route template is logged:\n{logs}"
    );
    assert!(logs.contains("route=/atelier/{id}/{key}/gestion"), "{logs}");
    assert!(logs.contains("route=/projection/{id}/{key}}"), "{logs}");
    assert!(
        logs.contains("route=/projection/{id}/{key}/reveler"),
        "{logs}"
    );
    assert!(logs.contains("route=/a/{code}"), "{logs}");
    for secret in [key.as_str(), projector.as_str()] {
        assert!(
            !logs.contains(secret),
            "a key leaked into the logs:\n{logs}"
        );
    }
    assert!(
        !logs.contains(&code),
        "the join code leaked into the logs:\n{logs}"
    );
}
