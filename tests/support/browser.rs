//! Headless Chromium driven through WebDriver (Debian's `chromium` and
//! `chromium-driver`), for the tests that need a real browser.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

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
        let profile = tempfile::tempdir().unwrap();
        let chromium: PathBuf = chezsoi::book::pdf::find_chromium().expect("chromium");
        let mut args = vec![
            "--headless".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-dev-shm-usage".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--no-first-run".to_string(),
            "--window-size=1280,900".to_string(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        if !javascript {
            args.push("--blink-settings=scriptEnabled=false".to_string());
        }
        self._profiles.push(profile);
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_string(),
            json!({ "binary": chromium, "args": args }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a WebDriver session")
    }
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
