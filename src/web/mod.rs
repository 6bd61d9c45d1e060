//! The HTTP side: one `router()` listing every route, shared state, and the
//! layers every response goes through. Pages are drawn by `crate::views`;
//! every submission of answers goes through `submission`.

mod error;
mod form;
mod layers;
mod pages;
mod path;
mod quiz;
mod result;
mod static_files;
mod stats;
mod submission;
mod throttle;
mod token;
mod workshop;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{any, get, post};
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

pub use error::AppError;
pub use form::MAX_FIELDS;
pub use throttle::{CREATION_PER_MINUTE, PARTICIPATION_PER_MINUTE};
pub use workshop::WorkshopSettings;

use crate::aggregate::Participation;
use crate::content::Content;
use crate::quiz::{Catalog, Quiz};
use crate::store::{Participants, Store, StoreError};
use crate::views::Templates;

/// Largest request body accepted (a full diagnostic is well under 4 KiB).
pub const BODY_LIMIT: usize = 64 * 1024;
/// A request that takes longer than this is cut with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// Path of the live-reload event stream used by `serve --watch`.
pub const LIVE_RELOAD_PATH: &str = "__chezsoi/reload";

/// Default minimum number of answers before any aggregate is shown.
pub const DEFAULT_MIN_GROUP: usize = 5;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    book_dir: PathBuf,
    /// The built book in memory; replaced after each rebuild.
    book: RwLock<Arc<static_files::StaticBook>>,
    store: Arc<Store>,
    templates: Templates,
    /// Replaced as a whole when `serve --watch` rebuilds.
    content: RwLock<Arc<Content>>,
    min_group: usize,
    reload: Option<broadcast::Sender<()>>,
    /// Pages that are the same for every visitor, by a key that includes the
    /// quiz version (so an edited quiz gets a fresh page).
    pages: RwLock<std::collections::HashMap<String, axum::body::Bytes>>,
    /// Live counts and settings of the workshop pages.
    workshops: workshop::Live,
    /// Flood limits per client: submissions, joins, workshop creations.
    throttle: throttle::Throttle,
}

impl AppState {
    pub fn new(book_dir: PathBuf, store: Arc<Store>, content: Content) -> anyhow::Result<AppState> {
        AppState::build(book_dir, store, content, DEFAULT_MIN_GROUP, false).map(|(state, _)| state)
    }

    /// `live_reload` adds the event stream that `serve --watch` uses; the
    /// returned sender announces each rebuild.
    pub fn build(
        book_dir: PathBuf,
        store: Arc<Store>,
        content: Content,
        min_group: usize,
        live_reload: bool,
    ) -> anyhow::Result<(AppState, Option<broadcast::Sender<()>>)> {
        let reload = live_reload.then(|| broadcast::channel(4).0);
        let inner = Inner {
            book: RwLock::new(Arc::new(static_files::StaticBook::load(&book_dir)?)),
            book_dir,
            store,
            templates: Templates::new()?,
            content: RwLock::new(Arc::new(content)),
            min_group: min_group.max(1),
            pages: RwLock::new(std::collections::HashMap::new()),
            reload: reload.clone(),
            workshops: workshop::Live::new(),
            throttle: throttle::Throttle::default(),
        };
        Ok((
            AppState {
                inner: Arc::new(inner),
            },
            reload,
        ))
    }

    pub fn content(&self) -> Arc<Content> {
        self.inner
            .content
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn book(&self) -> Arc<static_files::StaticBook> {
        self.inner
            .book
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Rereads the built book from disk (after a rebuild).
    pub fn reload_book(&self) -> anyhow::Result<()> {
        let book = static_files::StaticBook::load(&self.inner.book_dir)?;
        *self.inner.book.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(book);
        Ok(())
    }

    pub fn replace_content(&self, content: Content) {
        *self
            .inner
            .content
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Arc::new(content);
    }

    pub fn catalog(&self) -> Arc<Catalog> {
        self.content().catalog.clone()
    }

    pub fn chapter_title(&self, path: &str) -> String {
        self.content().chapter_title(path)
    }

    /// The quiz with this id, or the French 404 that names it.
    fn quiz(&self, id: &str) -> Result<Arc<Quiz>, AppError> {
        self.catalog().get(id).cloned().ok_or_else(|| {
            AppError::NotFound(format!(
                "Aucun questionnaire ne porte l’identifiant «\u{a0}{}\u{a0}».",
                pages::shorten(id)
            ))
        })
    }

    /// A rendered page from the cache, or rendered now and kept.
    pub fn cached_page(
        &self,
        key: &str,
        render: impl FnOnce() -> anyhow::Result<String>,
    ) -> anyhow::Result<axum::body::Bytes> {
        if let Some(page) = self
            .inner
            .pages
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
        {
            return Ok(page.clone());
        }
        let page = axum::body::Bytes::from(render()?);
        let mut pages = self.inner.pages.write().unwrap_or_else(|p| p.into_inner());
        // Old versions stay until the cache is full; it is tiny anyway.
        if pages.len() > 256 {
            pages.clear();
        }
        pages.insert(key.to_string(), page.clone());
        Ok(page)
    }

    pub fn min_group(&self) -> usize {
        self.inner.min_group
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.inner.store
    }

    pub fn templates(&self) -> &Templates {
        &self.inner.templates
    }

    /// Sets the public address and the retention shown on workshop pages.
    pub fn configure_workshops(&self, settings: WorkshopSettings) {
        self.inner.workshops.set_settings(settings);
    }

    fn workshops(&self) -> &workshop::Live {
        &self.inner.workshops
    }

    /// Join pages and submissions (quiz and workshop answers) allowed per
    /// client and per minute (`serve --participation-limit`).
    pub fn set_participation_limit(&self, per_minute: u32) {
        self.inner.throttle.set_participation_limit(per_minute);
    }

    /// Counts one request of `client`; past its limit, the French 429 page
    /// (and nothing is done).
    fn throttle(
        &self,
        bucket: throttle::Bucket,
        client: throttle::ClientKey,
    ) -> Result<(), AppError> {
        if self.inner.throttle.allow(bucket, client) {
            Ok(())
        } else {
            Err(AppError::Client(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                "Trop de requêtes en peu de temps depuis votre connexion. Rien n’a été enregistré\u{a0}: \
                 patientez une minute, puis réessayez."
                    .into(),
            ))
        }
    }
}

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
    if state.inner.reload.is_some() {
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

/// Runs store work off the async threads.
async fn blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, AppError> {
    let store = state.store().clone();
    Ok(tokio::task::spawn_blocking(move || work(&store)).await??)
}

/// The stored answers and outcome of each participant of a quiz or a
/// workshop, for aggregates only. Rows that no longer decode (written by
/// another version) are left out.
async fn participations(
    state: &AppState,
    who: Participants,
) -> Result<Vec<Participation>, AppError> {
    let rows = blocking(state, move |store| store.participations(who)).await?;
    Ok(rows
        .iter()
        .filter_map(|(answers, outcome)| {
            Some(Participation {
                answers: serde_json::from_str(answers).ok()?,
                outcome: serde_json::from_str(outcome).ok()?,
            })
        })
        .collect())
}

/// The quiz script is part of the binary, like the templates.
async fn quiz_script() -> impl IntoResponse {
    script(include_str!("assets/quiz.js"))
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
    let receiver = state.inner.reload.as_ref().map(|s| s.subscribe());
    let stream = BroadcastStream::new(receiver.expect("route only exists with live reload"))
        .filter_map(|msg| {
            msg.ok()
                .map(|()| Ok(Event::default().event("reload").data("1")))
        });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
