//! The HTTP side: one `router()` listing every route, shared state, and the
//! layers every response goes through. Pages are drawn by `crate::views`;
//! every submission of answers goes through `submission`.

mod changes;
pub mod client;
mod error;
mod form;
mod layers;
mod live;
mod pages;
mod path;
mod plan;
mod quiz;
mod result;
mod retake;
mod same_origin;
pub mod server;
mod state;
mod static_files;
mod stats;
mod submission;
mod throttle;
mod token;
mod workshop;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{any, get, post};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

pub use client::{CLIENT_SLOTS, TrustedProxies};
pub use error::AppError;
pub use form::MAX_FIELDS;
pub use layers::{BODY_LIMIT, REQUEST_TIMEOUT};
pub use live::WorkshopSettings;
pub use state::{AppState, DEFAULT_MIN_GROUP};
pub use throttle::{
    CREATION_PER_MINUTE, FloodClock, PARTICIPATION_PER_MINUTE, REFUSALS_PER_MINUTE,
    WORKSHOP_ANSWERS_PER_MINUTE,
};

use state::blocking;
use submission::submit;
use workshop::{create, downloads, facilitator, join};

/// Path of the live-reload event stream used by `serve --watch`.
pub const LIVE_RELOAD_PATH: &str = "__chezsoi/reload";

/// Every route of the application.
pub fn router(state: AppState) -> Router {
    let mut app = Router::new()
        .route("/sante", get(health))
        .route("/quiz/{id}", get(quiz::show).post(submit::<quiz::QuizId>))
        .route("/r/{token}", get(result::show))
        .route("/r/{token}/reponses.json", get(result::download))
        .route(
            "/r/{token}/supprimer",
            get(result::confirm_delete).post(result::delete),
        )
        // Following the plan: ticking actions off, a calendar reminder,
        // re-taking the quiz (linked to this result only if asked).
        .route("/r/{token}/suivi", post(plan::tick))
        .route("/r/{token}/rappel.ics", get(plan::reminder))
        .route(
            "/r/{token}/refaire",
            get(retake::show).post(submit::<retake::RetakeOf>),
        )
        .route("/stats/{id}", get(stats::show))
        .route("/_app/quiz.js", get(quiz_script))
        .route("/_app/oubli.css", get(forget))
        .route("/_app/result.js", get(result_script))
        .route("/a", get(join::by_code))
        .route("/a/{code}", get(join::show).post(submit::<join::JoinCode>))
        .route("/atelier/nouveau", get(create::form).post(create::create))
        // The facilitator's private link: management only.
        .route("/atelier/{id}/{key}", get(facilitator::enter))
        .route("/atelier/{id}/{key}/gestion", get(facilitator::manage))
        .route("/atelier/{id}/{key}/fermer", post(facilitator::close))
        .route("/atelier/{id}/{key}/supprimer", post(facilitator::delete))
        // A follow-up workshop, opened from the first one's private page.
        .route("/atelier/{id}/{key}/suivi", post(facilitator::follow_up))
        .route("/atelier/{id}/{key}/resultats.csv", get(downloads::csv))
        .route("/atelier/{id}/{key}/resultats.json", get(downloads::json))
        // The view to project: its own key, which can neither close,
        // delete nor export.
        .route("/projection/{id}/{key}", get(facilitator::projector))
        .route("/projection/{id}/{key}/direct", get(facilitator::events))
        .route("/projection/{id}/{key}/reveler", post(facilitator::reveal))
        .route("/_app/atelier.js", get(workshop_script));
    // Every other address below /atelier and /projection is routed too, so
    // that logs name a route template and never a path holding a key.
    for unknown in [
        "/atelier",
        "/atelier/{id}",
        "/atelier/{id}/{key}/{page}",
        "/atelier/{id}/{key}/{page}/{*rest}",
        "/projection",
        "/projection/{id}",
        "/projection/{id}/{key}/{page}",
        "/projection/{id}/{key}/{page}/{*rest}",
    ] {
        app = app.route(unknown, any(workshop::not_found));
    }
    if state.reloads().is_some() {
        app = app.route(&format!("/{LIVE_RELOAD_PATH}"), get(live_reload));
    }
    let app = app
        .fallback(book_file)
        .with_state(state)
        .layer(axum::middleware::from_fn(gate_refusal));
    layers::apply(app)
}

/// A request the connection's gate wrote in place of a head it refused
/// (`server::gate`): answered here, so that the refusal gets the French page
/// and the security headers like any other.
async fn gate_refusal(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let Some(refusal) = request.headers().get(server::REFUSAL_HEADER) else {
        return next.run(request).await;
    };
    let (status, message) = match refusal.as_bytes() {
        b"414" => (
            StatusCode::URI_TOO_LONG,
            format!(
                "Adresse trop longue\u{a0}: le serveur n’accepte pas d’adresse de plus de {} Kio. \
                 Vérifiez le lien que vous avez suivi. Rien n’a été enregistré.",
                server::MAX_URI / 1024
            ),
        ),
        b"431" => (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!(
                "Requête refusée\u{a0}: ses en-têtes sont trop nombreux ou trop longs (au plus {} \
                 en-têtes et {} Kio en tout). Rien n’a été enregistré.",
                server::MAX_HEADERS,
                server::MAX_HEAD / 1024
            ),
        ),
        b"405" => (
            StatusCode::METHOD_NOT_ALLOWED,
            "Cette méthode de requête n’est pas acceptée ici. Rien n’a été enregistré.".to_string(),
        ),
        _ => (
            StatusCode::BAD_REQUEST,
            "Requête mal formée\u{a0}: le serveur ne peut pas la lire. Rien n’a été enregistré."
                .to_string(),
        ),
    };
    AppError::Client(status, message).into_response()
}

/// `GET /sante`: "ok" once the database answers a read and commits a
/// write; otherwise a French 503 (the cause goes to the log). Never cached:
/// a probe must see the state of now.
async fn health(State(state): State<AppState>) -> axum::response::Response {
    let checked = blocking(&state, |store| store.check_health()).await;
    let mut response = match checked {
        Ok(()) => "ok".into_response(),
        Err(error) => {
            let cause = match &error {
                AppError::Internal(cause) => format!("{cause:#}"),
                _ => String::new(),
            };
            tracing::error!(error = %cause, "contrôle de santé");
            AppError::Client(
                StatusCode::SERVICE_UNAVAILABLE,
                "Le service ne peut pas enregistrer de résultats en ce moment\u{a0}: sa base de \
                 données ne peut pas être lue ou écrite. Le journal du serveur dit pourquoi."
                    .into(),
            )
            .into_response()
        }
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /_app/oubli.css`, the stylesheet of the pages that confirm a
/// deletion: empty, but its answer asks the browser to clear this site's
/// caches, the back/forward cache included (`pages::changed`). Browsers
/// put the page a deletion left (the result, the facilitator's page) in
/// that cache only once the confirmation is shown, after the deletion's own
/// answer: this request comes later, and so clears it. No JavaScript needed.
async fn forget() -> axum::response::Response {
    pages::changed(
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/css; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            "",
        )
            .into_response(),
    )
}

/// The quiz script is part of the binary, like the templates.
async fn quiz_script() -> impl IntoResponse {
    script(include_str!("assets/quiz.js"))
}

/// The result page's print button and deletion dialog.
async fn result_script() -> impl IntoResponse {
    script(include_str!("assets/result.js"))
}

/// The projector view's live count.
async fn workshop_script() -> impl IntoResponse {
    script(include_str!("assets/atelier.js"))
}

fn script(source: &'static str) -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        source,
    )
}

/// Everything that is not a route is a file of the book, or a French 404.
async fn book_file(
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> axum::response::Response {
    let book = state.book();
    match book.respond(request.method(), request.uri().path(), request.headers()) {
        Some(response) => {
            // A file of the book: its path holds no secret, unlike an
            // unknown address (`/r/{token}/x`), which is never logged.
            tracing::debug!(fichier = %request.uri().path(), "fichier du livre");
            response
        }
        None => AppError::NotFound("Cette page n’existe pas, ou plus.".into()).into_response(),
    }
}

async fn live_reload(
    State(state): State<AppState>,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, std::convert::Infallible>>> {
    let receiver = state.reloads();
    let stream = BroadcastStream::new(receiver.expect("route only exists with live reload"))
        .filter_map(|msg| {
            msg.ok()
                .map(|()| Ok(Event::default().event("reload").data("1")))
        });
    // Ends when the server stops, so that stopping never waits for a tab.
    let stream =
        futures_util::StreamExt::take_until(stream, state.shutdown().clone().cancelled_owned());
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// What the unit tests of several modules here share.
#[cfg(test)]
mod testing {
    use axum::http::{HeaderMap, HeaderName};

    /// A request's headers from `(name, value)` pairs, in order; a name
    /// given twice is a header split over two lines. Names in lowercase.
    pub fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|&(name, value)| (HeaderName::from_static(name), value.parse().unwrap()))
            .collect()
    }
}
