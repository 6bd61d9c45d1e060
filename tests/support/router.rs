//! The whole router in-process (`tower::ServiceExt::oneshot`) on the real
//! project's book, built once per test binary (`shared_book`), and a fresh
//! temp SQLite file per `App`, for the quiz, workshop, hostile-request,
//! property and header tests.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chezsoi::book::Target;
use chezsoi::quiz::Quiz;
use chezsoi::store::{Store, Workshop};
use chezsoi::web::{self, AppState, WorkshopSettings};
use chezsoi::workshop::FacilitatorKey;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::shared_book;

/// The public address workshops are configured with.
pub const SITE: &str = "http://salle.test:3000";

pub struct App {
    /// Holds this app's database.
    pub data: tempfile::TempDir,
    pub router: axum::Router,
    pub store: Arc<Store>,
    pub state: AppState,
    pub book_dir: std::path::PathBuf,
    /// Each request comes from a new address unless the test names one or
    /// asks for `one_client`, so that the flood limiter only bites where a
    /// test wants it to.
    next_client: AtomicU32,
    one_client: bool,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
    /// `bytes` as text (lossy), for assertions on pages.
    pub body: String,
}

impl Reply {
    pub fn text(&self) -> String {
        self.body.clone()
    }

    pub fn header(&self, name: impl header::AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Fails, showing the page, unless it contains `text`.
    pub fn assert_contains(&self, text: &str) {
        assert!(
            self.body.contains(text),
            "« {text} » missing from:\n{}",
            self.body
        );
    }

    pub fn location(&self) -> String {
        self.header(header::LOCATION)
            .unwrap_or_else(|| panic!("no Location ({}): {}", self.status, self.text()))
            .to_string()
    }

    pub fn is_html(&self) -> bool {
        self.header(header::CONTENT_TYPE)
            .is_some_and(|v| v.starts_with("text/html"))
    }
}

/// A workshop as its facilitator knows it.
#[derive(Debug, Clone)]
pub struct Facilitated {
    pub id: i64,
    pub key: String,
    /// The projector key, as the management page links to it.
    pub projector: String,
    pub code: String,
}

impl Facilitated {
    /// Below the private link: management, exports, closing, deleting.
    pub fn path(&self, rest: &str) -> String {
        format!("/atelier/{}/{}{rest}", self.id, self.key)
    }

    /// Below the view to project: the view, its live count, revealing.
    pub fn projection(&self, rest: &str) -> String {
        format!("/projection/{}/{}{rest}", self.id, self.projector)
    }

    pub fn join(&self) -> String {
        format!("/a/{}", self.code)
    }
}

impl App {
    /// The real book and quizzes, a new empty database, workshops
    /// configured with `SITE`.
    pub fn new() -> App {
        App::with_settings(WorkshopSettings {
            public_url: Some(SITE.into()),
            retention_days: 30,
        })
    }

    pub fn with_settings(settings: WorkshopSettings) -> App {
        let shared = shared_book(Target::Offline);
        let data = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&data.path().join("test.db")).unwrap());
        let state = AppState::new(
            shared.built.out.clone(),
            store.clone(),
            shared.built.content.clone(),
        )
        .unwrap();
        state.configure_workshops(settings);
        // The flood limits count exactly: their allowance refills only when
        // a test moves the clock.
        state.flood_clock().freeze();
        App {
            router: web::router(state.clone()),
            data,
            store,
            state,
            book_dir: shared.built.out.clone(),
            next_client: AtomicU32::new(1),
            one_client: false,
        }
    }

    /// Every request from the same address, as a room behind one address.
    pub fn one_client(mut self) -> App {
        self.one_client = true;
        self
    }

    /// Sends from a fresh client address (or the one client's).
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let n = if self.one_client {
            0
        } else {
            self.next_client.fetch_add(1, Ordering::Relaxed)
        };
        // 10.0.0.0/8, one address per request.
        let ip = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 | (n & 0x00ff_ffff)));
        self.send_from(ip, request).await
    }

    /// Sends as if from `ip`, as `serve` tells the router.
    pub async fn send_from(&self, ip: IpAddr, mut request: Request<Body>) -> Reply {
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(ip, 40_000)));
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn post_form(&self, uri: &str, body: impl Into<Body>) -> Reply {
        self.send(form_request(uri, body)).await
    }

    pub fn quiz(&self, id: &str) -> Arc<Quiz> {
        self.state.catalog().get(id).unwrap().clone()
    }

    pub fn results(&self) -> i64 {
        self.store.count_results().unwrap()
    }

    pub fn workshops(&self) -> i64 {
        self.store.count_workshops().unwrap()
    }

    /// Results stored in a workshop.
    pub fn results_in(&self, workshop_id: i64) -> i64 {
        self.store.count_workshop_results(workshop_id).unwrap() as i64
    }

    /// Answers quiz `id` with the `pick`-th choices (`valid_answers`): the
    /// result's path.
    pub async fn take_quiz(&self, id: &str, pick: usize) -> String {
        let quiz = self.quiz(id);
        let reply = self
            .post_form(
                &format!("/quiz/{id}"),
                encode(&crate::support::valid_answers(&quiz, pick)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        reply.location()
    }

    /// Posts the workshop creation form as typed (`minimum` is text).
    pub async fn post_workshop_form(&self, title: &str, quiz: &str, minimum: &str) -> Reply {
        let fields = [
            ("titre", title),
            ("questionnaire", quiz),
            ("minimum", minimum),
        ];
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.post_form("/atelier/nouveau", body).await
    }

    /// Creates a workshop through the web form.
    pub async fn create_workshop(&self, title: &str, quiz: &str, min_group: u32) -> Facilitated {
        let reply = self
            .post_workshop_form(title, quiz, &min_group.to_string())
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let (facilitated, workshop) = self.facilitated(&reply.location());
        assert_eq!(workshop.title, title.trim());
        facilitated
    }

    /// Creates a workshop of the diagnostic through the web form, its
    /// results shown from three answers.
    pub async fn workshop(&self, title: &str) -> Facilitated {
        self.create_workshop(title, "diagnostic", 3).await
    }

    /// The stored row of `workshop`.
    pub fn stored(&self, workshop: &Facilitated) -> Workshop {
        let hash = FacilitatorKey::parse(&workshop.key).unwrap().hash();
        self.store
            .find_workshop(workshop.id, &hash)
            .unwrap()
            .expect("the workshop is stored")
    }

    /// GETs `uri`, which must answer `status`.
    pub async fn get_expecting(&self, uri: &str, status: StatusCode) -> Reply {
        let reply = self.get(uri).await;
        assert_eq!(reply.status, status, "{uri}: {}", reply.body);
        reply
    }

    /// The number that `sql` (`SELECT count(…) …`) counts in the store.
    pub fn count(&self, sql: &str) -> i64 {
        self.store
            .with_writer(|c| Ok(c.query_row(sql, [], |row| row.get(0))?))
            .unwrap()
    }

    /// The workshop a management page's address (`/atelier/{id}/{key}/gestion`,
    /// where creating one leads) designates, and its stored row.
    pub fn facilitated(&self, location: &str) -> (Facilitated, Workshop) {
        let parts: Vec<&str> = location.split('/').collect();
        assert_eq!(parts.len(), 5, "{location}");
        assert_eq!((parts[1], parts[4]), ("atelier", "gestion"), "{location}");
        let id: i64 = parts[2].parse().unwrap();
        let key = parts[3].to_string();
        let parsed = FacilitatorKey::parse(&key).expect("a 128-bit hex key");
        let workshop = self
            .store
            .find_workshop(id, &parsed.hash())
            .unwrap()
            .unwrap();
        let projector = chezsoi::workshop::projector_key(&parsed)
            .as_str()
            .to_string();
        let facilitated = Facilitated {
            id,
            key,
            projector,
            code: workshop.join_code.clone(),
        };
        (facilitated, workshop)
    }
}

pub fn form_request(uri: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body.into())
        .unwrap()
}

pub fn encode(fields: &[(String, String)]) -> String {
    serde_urlencoded::to_string(fields).unwrap()
}
