//! The HTTP side: one `router()` listing every route, shared state, and the
//! layers every response goes through.

mod error;
mod layers;
mod templates;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tower_http::services::ServeDir;

pub use error::AppError;
pub use templates::Templates;

use crate::store::Store;

/// Largest request body accepted (a full diagnostic is well under 4 KiB).
pub const BODY_LIMIT: usize = 64 * 1024;
/// A request that takes longer than this is cut with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// Path of the live-reload event stream used by `serve --watch`.
pub const LIVE_RELOAD_PATH: &str = "__chezsoi/reload";

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    book_dir: PathBuf,
    store: Arc<Store>,
    templates: Templates,
    reload: Option<broadcast::Sender<()>>,
}

impl AppState {
    pub fn new(book_dir: PathBuf, store: Arc<Store>) -> anyhow::Result<AppState> {
        Ok(AppState {
            inner: Arc::new(Inner {
                book_dir,
                store,
                templates: Templates::new()?,
                reload: None,
            }),
        })
    }

    /// Enables the live-reload stream; returns the sender to notify rebuilds.
    pub fn with_live_reload(self) -> (AppState, broadcast::Sender<()>) {
        let (sender, _) = broadcast::channel(4);
        let inner = Inner {
            book_dir: self.inner.book_dir.clone(),
            store: self.inner.store.clone(),
            templates: self.inner.templates.clone(),
            reload: Some(sender.clone()),
        };
        (
            AppState {
                inner: Arc::new(inner),
            },
            sender,
        )
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.inner.store
    }

    pub fn templates(&self) -> &Templates {
        &self.inner.templates
    }
}

/// Every route of the application.
pub fn router(state: AppState) -> Router {
    let book = ServeDir::new(&state.inner.book_dir)
        .append_index_html_on_directories(true)
        .not_found_service(get(not_found).with_state(state.clone()));

    let mut app = Router::new().route("/sante", get(health));
    if state.inner.reload.is_some() {
        app = app.route(&format!("/{LIVE_RELOAD_PATH}"), get(live_reload));
    }
    let app = app.fallback_service(book).with_state(state);
    layers::apply(app)
}

async fn health(State(state): State<AppState>) -> Result<&'static str, AppError> {
    let store = state.inner.store.clone();
    tokio::task::spawn_blocking(move || store.schema_version())
        .await
        .map_err(|e| AppError::internal(e.into()))?
        .map_err(|e| AppError::internal(e.into()))?;
    Ok("ok")
}

async fn not_found(State(state): State<AppState>) -> AppError {
    let _ = state;
    AppError::NotFound("Cette page n'existe pas, ou plus.".into())
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
