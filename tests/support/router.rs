//! The whole router in-process (`tower::ServiceExt::oneshot`) on a copy of
//! the real project (book, quizzes, theme) and a real temp SQLite file, for
//! the hostile-request, property and header tests.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chezsoi::book::{self, BuildOptions};
use chezsoi::project::Project;
use chezsoi::quiz::Quiz;
use chezsoi::store::Store;
use chezsoi::web::{self, AppState, WorkshopSettings};
use chezsoi::workshop::FacilitatorKey;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::common::FixtureProject;

/// The public address workshops are configured with.
pub const SITE: &str = "http://salle.test:3000";

pub struct App {
    pub fixture: FixtureProject,
    pub router: axum::Router,
    pub store: Arc<Store>,
    pub state: AppState,
    pub book_dir: std::path::PathBuf,
    /// Each request comes from a new address unless the test names one,
    /// so that the flood limiter only bites where a test wants it to.
    next_client: AtomicU32,
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
    pub code: String,
}

impl Facilitated {
    pub fn path(&self, rest: &str) -> String {
        format!("/atelier/{}/{}{rest}", self.id, self.key)
    }

    pub fn join(&self) -> String {
        format!("/a/{}", self.code)
    }
}

impl App {
    pub fn new() -> App {
        let fixture = FixtureProject::real();
        let project = Project::open(fixture.root()).unwrap();
        let built = book::build(&project, &BuildOptions::default()).unwrap();
        let store = Arc::new(Store::open(&fixture.path("data/test.db")).unwrap());
        let state = AppState::new(built.out.clone(), store.clone(), built.content).unwrap();
        state.configure_workshops(WorkshopSettings {
            public_url: Some(SITE.into()),
            retention_days: 30,
        });
        App {
            router: web::router(state.clone()),
            fixture,
            store,
            state,
            book_dir: built.out,
            next_client: AtomicU32::new(1),
        }
    }

    /// Sends from a fresh client address.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let n = self.next_client.fetch_add(1, Ordering::Relaxed);
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

    /// Creates a workshop through the web form.
    pub async fn create_workshop(&self, title: &str, quiz: &str, min_group: u32) -> Facilitated {
        let reply = self
            .post_form(
                "/atelier/nouveau",
                encode(&[
                    ("titre".into(), title.into()),
                    ("questionnaire".into(), quiz.into()),
                    ("minimum".into(), min_group.to_string()),
                ]),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let location = reply.location();
        let parts: Vec<&str> = location.split('/').collect();
        assert_eq!(parts.len(), 5, "{location}");
        let id: i64 = parts[2].parse().unwrap();
        let key = parts[3].to_string();
        let hash = FacilitatorKey::parse(&key).unwrap().hash();
        let workshop = self.store.find_workshop(id, &hash).unwrap().unwrap();
        Facilitated {
            id,
            key,
            code: workshop.join_code,
        }
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
