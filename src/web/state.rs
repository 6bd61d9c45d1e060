//! What the handlers share: the built book in memory, the store, the
//! templates, the content (replaced as a whole when `serve --watch`
//! rebuilds), the workshops' live counts and the flood limits; and the
//! helpers that reach the store from async code.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use axum::http::StatusCode;
use tokio::sync::broadcast;

use tokio_util::sync::CancellationToken;

use super::client::{ClientKey, TrustedProxies};
use super::error::{AppError, shorten};
use super::live::{Live, WorkshopSettings};
use super::static_files;
use super::throttle::{self, Bucket};
use crate::aggregate::Participation;
use crate::content::Content;
use crate::quiz::{Catalog, Quiz};
use crate::store::{Participants, Store, StoreError};
use crate::views::Templates;

/// Default minimum number of answers before any aggregate is shown
/// (`aggregate::DEFAULT_MIN_GROUP`, as a count).
pub const DEFAULT_MIN_GROUP: usize = crate::aggregate::DEFAULT_MIN_GROUP as usize;

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
    workshops: Live,
    /// Flood limits: answers per workshop; refusals, quiz answers and
    /// workshop creations per client.
    throttle: throttle::Throttle,
    /// The proxies whose forwarding headers tell the client's address.
    trusted_proxies: RwLock<Arc<TrustedProxies>>,
    /// Cancelled when the server stops: open event streams end with it.
    shutdown: CancellationToken,
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
            min_group: min_group.max(crate::aggregate::MIN_GROUP_FLOOR as usize),
            pages: RwLock::new(std::collections::HashMap::new()),
            reload: reload.clone(),
            workshops: Live::new(),
            throttle: throttle::Throttle::default(),
            trusted_proxies: RwLock::default(),
            shutdown: CancellationToken::new(),
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

    pub(super) fn book(&self) -> Arc<static_files::StaticBook> {
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
    pub(super) fn quiz(&self, id: &str) -> Result<Arc<Quiz>, AppError> {
        self.catalog().get(id).cloned().ok_or_else(|| {
            AppError::NotFound(format!(
                "Aucun questionnaire ne porte l’identifiant «\u{a0}{}\u{a0}».",
                shorten(id)
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

    /// The live-reload announcements, when `serve --watch` asked for them.
    pub(super) fn reloads(&self) -> Option<broadcast::Receiver<()>> {
        self.inner.reload.as_ref().map(broadcast::Sender::subscribe)
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

    pub(super) fn workshops(&self) -> &Live {
        &self.inner.workshops
    }

    /// Answers to quizzes outside workshops allowed per client and per
    /// minute (`serve --participation-limit`).
    pub fn set_participation_limit(&self, per_minute: u32) {
        self.inner.throttle.set_participation_limit(per_minute);
    }

    /// Answers allowed per workshop and per minute (`serve
    /// --workshop-limit`).
    pub fn set_workshop_limit(&self, per_minute: u32) {
        self.inner.throttle.set_workshop_limit(per_minute);
    }

    /// The proxies whose `X-Forwarded-For` or `Forwarded` headers are
    /// believed (`serve --trusted-proxy`).
    pub fn set_trusted_proxies(&self, proxies: TrustedProxies) {
        *self
            .inner
            .trusted_proxies
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Arc::new(proxies);
    }

    pub(super) fn trusted_proxies(&self) -> Arc<TrustedProxies> {
        self.inner
            .trusted_proxies
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The flood limits' clock: tests freeze it to count exactly.
    pub fn flood_clock(&self) -> &throttle::FloodClock {
        self.inner.throttle.clock()
    }

    /// Counts one request of `client`; past its limit, the French 429 page
    /// (and nothing is done).
    pub(super) fn throttle(&self, bucket: Bucket, client: ClientKey) -> Result<(), AppError> {
        if self.inner.throttle.allow(bucket, client) {
            return Ok(());
        }
        let message = match bucket {
            Bucket::Refusals => {
                "Trop de demandes refusées depuis votre connexion (codes d’atelier inconnus, \
                 formulaires invalides)\u{a0}: patientez une minute. Un code d’atelier correct, lui, \
                 fonctionne toujours. Rien n’a été enregistré."
            }
            Bucket::QuizAnswers | Bucket::Creation => {
                "Trop de requêtes en peu de temps depuis votre connexion. Rien n’a été \
                 enregistré\u{a0}: patientez une minute, puis réessayez."
            }
        };
        Err(AppError::Client(
            StatusCode::TOO_MANY_REQUESTS,
            message.into(),
        ))
    }

    /// Counts a refused join code or answer form of `client`: the refusal
    /// itself while the client is within its limit, the French 429 page
    /// past it.
    pub(super) fn refuse<T>(&self, client: ClientKey, refusal: T) -> Result<T, AppError> {
        self.throttle(Bucket::Refusals, client)?;
        Ok(refusal)
    }

    /// `result`, and if it is a refusal, counted as one (`refuse`).
    pub(super) fn refusing<T>(
        &self,
        client: ClientKey,
        result: Result<T, AppError>,
    ) -> Result<T, AppError> {
        result.map_err(|refusal| match self.throttle(Bucket::Refusals, client) {
            Ok(()) => refusal,
            Err(too_many) => too_many,
        })
    }

    /// Counts one answer to a workshop, whoever sends it; past the
    /// workshop's limit, the French 429 page.
    pub(super) fn throttle_workshop(&self, workshop_id: i64) -> Result<(), AppError> {
        if self.inner.throttle.allow_workshop(workshop_id) {
            Ok(())
        } else {
            Err(AppError::Client(
                StatusCode::TOO_MANY_REQUESTS,
                "Cet atelier reçoit plus de réponses en une minute qu’il n’en accepte. Rien n’a \
                 été enregistré\u{a0}: patientez une minute, puis renvoyez le formulaire."
                    .into(),
            ))
        }
    }

    /// Cancelled when the server stops: streams that never end on their own
    /// (the live count, live reload) end with it.
    pub fn shutdown(&self) -> &CancellationToken {
        &self.inner.shutdown
    }
}

/// Runs store work off the async threads.
pub(super) async fn blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, AppError> {
    let store = state.store().clone();
    Ok(tokio::task::spawn_blocking(move || work(&store)).await??)
}

/// The stored answers and outcome of each participant of a quiz or a
/// workshop, for aggregates only. Rows that no longer decode (written by
/// another version) are left out.
pub(super) async fn participations(
    state: &AppState,
    who: Participants,
) -> Result<Vec<Participation>, AppError> {
    let rows = blocking(state, move |store| store.participations(who)).await?;
    Ok(rows
        .iter()
        .filter_map(|(answers, outcome)| Participation::parse(answers, outcome))
        .collect())
}
