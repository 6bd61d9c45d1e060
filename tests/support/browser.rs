//! Headless Chromium driven through WebDriver (Debian's `chromium` and
//! `chromium-driver`), for the tests that need a real browser.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator, key::Key};
use serde_json::json;

use crate::support::{FixtureProject, Server};

pub struct Driver {
    process: Child,
    pub url: String,
    _profiles: Vec<tempfile::TempDir>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// chromedriver and chromium, or a visible "skipped" (a failure under CI=true).
pub fn driver_or_skip(test: &str) -> Option<Driver> {
    let chromium = crate::support::chromium_or_skip(test)?;
    let chromedriver = crate::support::tool_or_skip(test, "chromedriver", "chromium-driver")?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let process = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let url = format!("http://127.0.0.1:{port}");
    // Wait until chromedriver accepts connections (bounded: 15 s).
    let ready = (0..300).any(|_| {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
        false
    });
    assert!(ready, "chromedriver did not start");
    let _ = chromium;
    Some(Driver {
        process,
        url,
        _profiles: Vec::new(),
    })
}

impl Driver {
    /// A fresh browser session (its own profile: an independent "person").
    pub async fn session(&mut self, javascript: bool) -> Client {
        self.open_session(javascript, None).await
    }

    /// A fresh browser session whose viewport is exactly `screen`: a phone
    /// (a desktop window cannot be that narrow) or a projector, with or
    /// without JavaScript, the system in light or dark mode.
    pub async fn screen_session(&mut self, screen: Screen, javascript: bool) -> Client {
        self.open_session(javascript, Some(screen)).await
    }

    async fn open_session(&mut self, javascript: bool, screen: Option<Screen>) -> Client {
        let emulation = screen.map(|screen| {
            json!({ "deviceMetrics": {
                "width": screen.width, "height": screen.height, "pixelRatio": 1.0,
                // No touch emulation: with scripts off, chromedriver's tap
                // waits on a page timer that never fires.
                "mobile": screen.width < 800, "touch": false,
            }})
        });
        let dark = screen.is_some_and(|s| s.dark);
        self.session_with(javascript, dark, &["--window-size=1280,900"], emulation)
            .await
    }

    /// A fresh browser session with the flags every session has, `extra`
    /// ones, and Chromium's `mobileEmulation` options if given (a viewport
    /// of exactly that size); the system in dark mode if `dark`.
    pub async fn session_with(
        &mut self,
        javascript: bool,
        dark: bool,
        extra: &[&str],
        emulation: Option<serde_json::Value>,
    ) -> Client {
        let profile = tempfile::tempdir().unwrap();
        let chromium: PathBuf = chezsoi::book::pdf::find_chromium().expect("chromium");
        let mut args: Vec<String> = chezsoi::book::pdf::HEADLESS_FLAGS
            .iter()
            .chain(extra)
            .map(|flag| flag.to_string())
            .collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        if !javascript {
            args.push("--blink-settings=scriptEnabled=false".to_string());
        }
        if dark {
            args.push("--force-dark-mode".to_string());
        }
        self._profiles.push(profile);
        let mut options = json!({ "binary": chromium, "args": args });
        if let Some(emulation) = emulation {
            options["mobileEmulation"] = emulation;
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".to_string(), options);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a WebDriver session")
    }
}

/// A viewport in CSS pixels, and whether the system is in dark mode.
#[derive(Clone, Copy, Debug)]
pub struct Screen {
    pub width: u32,
    pub height: u32,
    pub dark: bool,
}

impl Screen {
    pub const fn light(width: u32, height: u32) -> Screen {
        Screen {
            width,
            height,
            dark: false,
        }
    }
}

/// A command of Chromium's DevTools protocol, sent through chromedriver.
#[derive(Debug)]
struct DevTools {
    command: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({ "cmd": self.command, "params": self.params });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

/// The whole page as a PNG, beyond the viewport (the viewport keeps its
/// size, so a layout in `vh` is drawn as the screen shows it).
pub async fn full_page_png(client: &Client) -> Vec<u8> {
    use base64::Engine;
    let metrics = client
        .issue_cmd(DevTools {
            command: "Page.getLayoutMetrics",
            params: json!({}),
        })
        .await
        .expect("the page's size");
    let size = &metrics["cssContentSize"];
    let shot = client
        .issue_cmd(DevTools {
            command: "Page.captureScreenshot",
            params: json!({
                "captureBeyondViewport": true,
                "clip": { "x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1 },
            }),
        })
        .await
        .expect("a screenshot");
    base64::engine::general_purpose::STANDARD
        .decode(shot["data"].as_str().expect("PNG data"))
        .expect("base64 PNG")
}

/// A browser test's world: a copy of the real project served by the real
/// `chezsoi serve` on a temp database, and a WebDriver to open browsers on
/// it.
pub struct Site {
    pub driver: Driver,
    pub server: Server,
    pub fixture: FixtureProject,
}

impl Site {
    /// Chromium and chromedriver, or a visible "skipped" (a failure under
    /// CI=true); then the server.
    pub fn start_or_skip(test: &str) -> Option<Site> {
        let driver = driver_or_skip(test)?;
        let fixture = FixtureProject::real();
        let server = Server::start(fixture.root(), &fixture.path("data/t.db"), &[]);
        Some(Site {
            driver,
            server,
            fixture,
        })
    }

    /// `start_or_skip`, then a browser with or without JavaScript already
    /// on `path`.
    pub async fn visit_or_skip(test: &str, javascript: bool, path: &str) -> Option<(Site, Client)> {
        let mut site = Site::start_or_skip(test)?;
        let client = site.session(javascript).await;
        site.open(&client, path).await;
        Some((site, client))
    }

    /// A new browser (an independent person), with or without JavaScript.
    pub async fn session(&mut self, javascript: bool) -> Client {
        self.driver.session(javascript).await
    }

    /// The site's address for `path` (`/quiz/diagnostic`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url)
    }

    /// Opens `path` of the site in `client`.
    pub async fn open(&self, client: &Client, path: &str) {
        client.goto(&self.url(path)).await.unwrap();
    }
}

/// The application's pages that every audit visits: both quizzes, the
/// result `result`, the forms to create and to join a workshop, then the
/// join page, the management page and the view to project of `waiting`, a
/// workshop as `Server::create_workshop` returns it, without answers yet.
pub fn app_pages(result: String, waiting: &(String, String, String)) -> Vec<String> {
    let (projection, code, manage) = waiting;
    vec![
        "/quiz/diagnostic".to_string(),
        "/quiz/verif-portee".to_string(),
        result,
        "/atelier/nouveau".to_string(),
        "/a".to_string(),
        format!("/a/{code}"),
        manage.clone(),
        projection.clone(),
    ]
}

/// Sends `key` to the element that has the focus.
pub async fn press(client: &Client, key: Key) {
    client
        .active_element()
        .await
        .unwrap()
        .send_keys(&key.to_string())
        .await
        .unwrap();
}

/// Waits (at most 10 s) for an element, then returns it; `what` is what
/// the test says if it never comes.
pub async fn wait_for(
    client: &Client,
    locator: Locator<'_>,
    what: &str,
) -> fantoccini::elements::Element {
    wait_within(client, locator, Duration::from_secs(10), what).await
}

/// The same, waiting at most `bound`.
pub async fn wait_within(
    client: &Client,
    locator: Locator<'_>,
    bound: Duration,
    what: &str,
) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(bound)
        .for_element(locator)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// The real book twice, served by `chezsoi serve` and built offline into a
/// temp folder, and a WebDriver to open browsers on them.
pub struct Books {
    pub driver: Driver,
    pub fixture: FixtureProject,
    pub server: Server,
    /// The offline book's folder of HTML.
    pub offline: PathBuf,
    _out: tempfile::TempDir,
}

impl Books {
    /// Chromium and chromedriver, or a visible "skipped" (a failure under
    /// CI=true); then the server and the offline book.
    pub fn start_or_skip(test: &str) -> Option<Books> {
        let driver = driver_or_skip(test)?;
        let fixture = FixtureProject::real();
        let server = Server::start(fixture.root(), &fixture.path("data/t.db"), &[]);
        let out = tempfile::tempdir().unwrap();
        let offline = crate::support::build_offline_book(fixture.root(), out.path());
        Some(Books {
            driver,
            fixture,
            server,
            offline,
            _out: out,
        })
    }

    /// Each book's label in the tests' messages and its address: served,
    /// then offline.
    pub fn bases(&self) -> [(&'static str, String); 2] {
        [
            ("servi", self.server.base_url.clone()),
            ("hors-ligne", crate::support::file_url(&self.offline)),
        ]
    }
}

/// Chooses mdBook's `theme` (`light`, `navy`…) for the pages opened next,
/// as its theme menu does: the current page must be of the site.
pub async fn choose_theme(client: &Client, theme: &str) {
    client
        .execute(
            &format!("localStorage.setItem('mdbook-theme', '{theme}');"),
            vec![],
        )
        .await
        .unwrap();
}

/// The path of the page `client` shows (`/r/…`).
pub async fn path(client: &Client) -> String {
    client.current_url().await.unwrap().path().to_string()
}

/// Waits (at most 10 s) until `client` shows `url`; `what` is what the
/// test says if it never does.
pub async fn wait_for_url(client: &Client, url: &url::Url, what: &str) {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_url(url)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
}

/// The text of the element `css` (waited for).
pub async fn text(client: &Client, css: &str) -> String {
    find(client, css).await.text().await.unwrap()
}

/// How many elements match `css` now.
pub async fn count(client: &Client, css: &str) -> usize {
    client.find_all(Locator::Css(css)).await.unwrap().len()
}

/// Clicks the element `css` (waited for).
pub async fn click(client: &Client, css: &str) {
    find(client, css).await.click().await.unwrap();
}

/// Types `keys` into the element `css` (waited for).
pub async fn type_in(client: &Client, css: &str, keys: &str) {
    find(client, css).await.send_keys(keys).await.unwrap();
}

/// Waits (bounded) for an element, then returns it.
pub async fn find(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("element {css} not found: {e}"))
}

/// The path of the npm package axe-core's script, installed by .ci/run.
pub fn axe_script_or_skip(test: &str) -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/npm/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(script) => Some(script),
        Err(_) if crate::support::in_ci() => {
            panic!(
                "{test}: axe-core is required when CI=true ({} missing; .ci/run installs it)",
                path.display()
            )
        }
        Err(_) => {
            println!("skipped: {test} needs axe-core (npm install --prefix target/npm axe-core)");
            None
        }
    }
}

/// Runs axe-core on the current page; returns one line per violation.
pub async fn axe_violations(client: &Client, axe: &str) -> Vec<String> {
    client.execute(axe, vec![]).await.expect("axe-core loads");
    let result = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { resultTypes: ['violations'] })
                  .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' +
                        v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
                  .catch(e => done(['axe failed: ' + e]));"#,
            vec![],
        )
        .await
        .expect("axe-core runs");
    result
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
