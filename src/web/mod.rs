//! The HTTP side: one `router()` listing every route, shared state, and the
//! layers every response goes through. Pages are drawn by `crate::views`;
//! every submission of answers goes through `submission`.

mod error;
mod form;
mod layers;
mod live;
mod pages;
mod path;
mod quiz;
mod result;
mod state;
mod static_files;
mod stats;
mod submission;
mod throttle;
mod token;
mod workshop;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{any, get, post};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

pub use error::AppError;
pub use form::MAX_FIELDS;
pub use layers::{BODY_LIMIT, REQUEST_TIMEOUT};
pub use live::WorkshopSettings;
pub use state::{AppState, DEFAULT_MIN_GROUP};
pub use throttle::{CREATION_PER_MINUTE, PARTICIPATION_PER_MINUTE};

use state::blocking;

/// Path of the live-reload event stream used by `serve --watch`.
pub const LIVE_RELOAD_PATH: &str = "__chezsoi/reload";

/// Every route of the application.
pub fn router(state: AppState) -> Router {
    let mut app = Router::new()
        .route("/sante", get(health))
        .route(
            "/quiz/{id}",
            get(quiz::show).post(submission::submit::<quiz::QuizId>),
        )
        .route("/r/{token}", get(result::show))
        .route("/r/{token}/reponses.json", get(result::download))
        .route("/r/{token}/supprimer", post(result::delete))
        .route("/stats/{id}", get(stats::show))
        .route("/_app/quiz.js", get(quiz_script))
        .route("/_app/result.js", get(result_script))
        .route("/a", get(workshop::join::by_code))
        .route(
            "/a/{code}",
            get(workshop::join::show).post(submission::submit::<workshop::join::JoinCode>),
        )
        .route(
            "/atelier/nouveau",
            get(workshop::create::form).post(workshop::create::create),
        )
        .route("/atelier/{id}/{key}", get(workshop::facilitator::projector))
        .route(
            "/atelier/{id}/{key}/gestion",
            get(workshop::facilitator::manage),
        )
        .route(
            "/atelier/{id}/{key}/direct",
            get(workshop::facilitator::events),
        )
        .route(
            "/atelier/{id}/{key}/reveler",
            post(workshop::facilitator::reveal),
        )
        .route(
            "/atelier/{id}/{key}/fermer",
            post(workshop::facilitator::close),
        )
        .route(
            "/atelier/{id}/{key}/supprimer",
            post(workshop::facilitator::delete),
        )
        .route(
            "/atelier/{id}/{key}/resultats.csv",
            get(workshop::downloads::csv),
        )
        .route(
            "/atelier/{id}/{key}/resultats.json",
            get(workshop::downloads::json),
        )
        // Every other address below /atelier is routed too, so that logs
        // name a route template and never a path holding a key.
        .route("/atelier", any(workshop::not_found))
        .route("/atelier/{id}", any(workshop::not_found))
        .route("/atelier/{id}/{key}/{page}", any(workshop::not_found))
        .route(
            "/atelier/{id}/{key}/{page}/{*rest}",
            any(workshop::not_found),
        )
        .route("/_app/atelier.js", get(workshop_script));
    if state.reloads().is_some() {
        app = app.route(&format!("/{LIVE_RELOAD_PATH}"), get(live_reload));
    }
    let app = app.fallback(book_file).with_state(state);
    layers::apply(app)
}

/// `GET /sante`: "ok" once the database answers a query on the results
/// table; its failure is the French 500 page.
async fn health(State(state): State<AppState>) -> Result<&'static str, AppError> {
    blocking(&state, |store| store.check_health()).await?;
    Ok("ok")
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
        Some(response) => response,
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
    Sse::new(stream).keep_alive(KeepAlive::default())
}
