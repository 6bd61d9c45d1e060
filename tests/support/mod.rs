//! What the integration tests share, all in this folder: projects in temp
//! folders (the real book.toml and theme/ with a small fixture book, or a
//! copy of the real project), the real book built once per test binary,
//! the real `chezsoi serve` in a child process with a minimal HTTP client,
//! and the skip-or-fail rule for tools that CI must have.
//!
//! `router.rs` (the whole router in-process) and `browser.rs` (headless
//! Chromium through WebDriver) are included by the tests that use them:
//! `#[path = "support/router.rs"] mod router;`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chezsoi::book::{self, BuildOptions, Built, Target};
use chezsoi::project::Project;

pub const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temp project: real book.toml and theme/, fixture chapters in book/.
pub struct FixtureProject {
    pub dir: tempfile::TempDir,
}

impl FixtureProject {
    pub fn new() -> FixtureProject {
        let dir = tempfile::tempdir().unwrap();
        let manifest = Path::new(MANIFEST_DIR);
        std::fs::copy(manifest.join("book.toml"), dir.path().join("book.toml")).unwrap();
        copy_dir(&manifest.join("theme"), &dir.path().join("theme"));
        copy_dir(
            &manifest.join("tests/fixtures/book"),
            &dir.path().join("book"),
        );
        std::fs::create_dir_all(dir.path().join("quizzes")).unwrap();
        FixtureProject { dir }
    }

    /// A copy of the real project: its book, quizzes and theme.
    pub fn real() -> FixtureProject {
        let dir = tempfile::tempdir().unwrap();
        let manifest = Path::new(MANIFEST_DIR);
        std::fs::copy(manifest.join("book.toml"), dir.path().join("book.toml")).unwrap();
        for folder in ["theme", "book", "quizzes"] {
            copy_dir(&manifest.join(folder), &dir.path().join(folder));
        }
        FixtureProject { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The project's quizzes and chapter titles, validated.
    pub fn content(&self) -> chezsoi::content::Content {
        chezsoi::content::Content::load(&Project::open(self.root()).unwrap()).unwrap()
    }

    /// One of the project's quizzes.
    pub fn quiz(&self, id: &str) -> std::sync::Arc<chezsoi::quiz::Quiz> {
        self.content().catalog.get(id).unwrap().clone()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Rewrites a `key = value` line of book.toml.
    pub fn set_book_toml_line(&self, prefix: &str, line: &str) {
        let path = self.path("book.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let replaced: Vec<String> = text
            .lines()
            .map(|l| {
                if l.starts_with(prefix) {
                    line.to_string()
                } else {
                    l.to_string()
                }
            })
            .collect();
        assert!(
            replaced.iter().any(|l| l == line),
            "book.toml has no line starting with {prefix}"
        );
        std::fs::write(path, replaced.join("\n")).unwrap();
    }

    /// Every file below `book/`, with its content, to prove sources survive.
    pub fn snapshot_sources(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        collect(&self.path("book"), &mut files);
        files.sort();
        files
    }
}

fn collect(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            collect(&entry.path(), out);
        } else {
            out.push((entry.path(), std::fs::read(entry.path()).unwrap()));
        }
    }
}

/// A copy of the real project with its book built for `target`, made once
/// per test binary and shared by the tests that only read it. It lives in
/// cargo's temp folder for tests (`target/tmp`), one folder per binary and
/// target, rebuilt by each run.
pub struct SharedBook {
    pub root: PathBuf,
    pub built: Built,
}

pub fn shared_book(target: Target) -> &'static SharedBook {
    static SITE: OnceLock<SharedBook> = OnceLock::new();
    static OFFLINE: OnceLock<SharedBook> = OnceLock::new();
    let (cell, name) = match target {
        Target::Site => (&SITE, "site"),
        Target::Offline => (&OFFLINE, "offline"),
    };
    cell.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("{}-{name}", env!("CARGO_CRATE_NAME")));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let manifest = Path::new(MANIFEST_DIR);
        std::fs::copy(manifest.join("book.toml"), root.join("book.toml")).unwrap();
        for folder in ["theme", "book", "quizzes"] {
            copy_dir(&manifest.join(folder), &root.join(folder));
        }
        let project = Project::open(&root).unwrap();
        let options = BuildOptions {
            target,
            ..BuildOptions::default()
        };
        let built = book::build(&project, &options).expect("the real book builds");
        SharedBook { root, built }
    })
}

/// Builds the offline book (`book build`) of the project at `root` into
/// `out`; returns the folder of its HTML.
pub fn build_offline_book(root: &Path, out: &Path) -> PathBuf {
    let project = Project::open(root).unwrap();
    let options = BuildOptions {
        out: Some(out.to_path_buf()),
        ..BuildOptions::default()
    };
    book::build(&project, &options).unwrap().out
}

/// A folder of the book as the `file://` address a reader would open.
pub fn file_url(folder: &Path) -> String {
    format!("file://{}", folder.canonicalize().unwrap().display())
}

/// The value of an `…_or_skip` helper, or the end of the test: the helper
/// has already printed its "skipped" line (or failed, under CI=true).
#[allow(unused_macros)] // each test binary uses part of it
macro_rules! or_skip {
    ($found:expr) => {
        match $found {
            Some(found) => found,
            None => return,
        }
    };
}
#[allow(unused_imports)] // each test binary uses part of it
pub(crate) use or_skip;

/// Whether tests must run everything they can (`CI=true`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Chromium for browser tests. Absent locally: the test says it is skipped.
/// Absent under CI=true: the test fails, since CI must run it.
pub fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    match chezsoi::book::pdf::find_chromium() {
        Some(path) => Some(path),
        None if in_ci() => {
            panic!("{test}: Chromium is required when CI=true (Debian package chromium)")
        }
        None => {
            println!("skipped: {test} needs Chromium (Debian package chromium), not found");
            None
        }
    }
}

/// A program from PATH, with the same skip/fail rule as Chromium.
pub fn tool_or_skip(test: &str, name: &str, package: &str) -> Option<PathBuf> {
    match which::which(name).ok() {
        Some(path) => Some(path),
        None if in_ci() => {
            panic!("{test}: {name} is required when CI=true (Debian package {package})")
        }
        None => {
            println!("skipped: {test} needs {name} (Debian package {package}), not found");
            None
        }
    }
}

/// The real `chezsoi serve` in a child process, on a free port.
pub struct Server {
    pub child: std::process::Child,
    pub base_url: String,
    /// Lines the server printed after its start-up line.
    pub stdout: std::sync::mpsc::Receiver<String>,
    /// Lines the server wrote on stderr (also copied to the test's stderr).
    pub stderr: std::sync::mpsc::Receiver<String>,
}

/// Sends each line of `pipe` to the returned receiver, from a thread.
fn lines_of(
    pipe: impl std::io::Read + Send + 'static,
    echo: bool,
) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if echo {
                eprintln!("[serve] {line}");
            }
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

impl Server {
    /// Starts the server and waits for the line that announces its address.
    pub fn start(root: &Path, db: &Path, extra: &[&str]) -> Server {
        Server::start_at("127.0.0.1:0", root, db, extra)
    }

    /// The same, listening on `addr` (a server that restarts keeps its
    /// address).
    pub fn start_at(addr: &str, root: &Path, db: &Path, extra: &[&str]) -> Server {
        let mut command = serve_command(addr, root, db);
        command.args(extra).env("CHEZSOI_LOG", "warn");
        Server::spawn(command)
    }

    /// Starts `command`, a `chezsoi serve` (possibly through a wrapper such
    /// as `prlimit`), and waits for its address.
    pub fn spawn(mut command: std::process::Command) -> Server {
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("chezsoi starts");
        let receiver = lines_of(child.stdout.take().unwrap(), false);
        let stderr = lines_of(child.stderr.take().unwrap(), true);
        let base_url = loop {
            let line = receiver
                .recv_timeout(std::time::Duration::from_secs(60))
                .expect("the server announces its address");
            if let Some(at) = line.find("http://") {
                break line[at..].trim_end_matches('/').to_string();
            }
        };
        Server {
            child,
            base_url,
            stdout: receiver,
            stderr,
        }
    }

    /// Creates a workshop through its form: its view to project, as the
    /// management page links to it (`/projection/{id}/{key}`), its join
    /// code and its management page (`/atelier/{id}/{key}/gestion`).
    pub fn create_workshop(
        &self,
        title: &str,
        quiz: &str,
        minimum: u32,
    ) -> (String, String, String) {
        let minimum = minimum.to_string();
        let reply = self.post_form(
            "/atelier/nouveau",
            &[
                ("titre", title),
                ("questionnaire", quiz),
                ("minimum", &minimum),
            ],
        );
        assert_eq!(reply.status, 303, "{}", reply.text());
        let manage = reply.header("location").unwrap().to_string();
        let (projection, code) = self.workshop_links(&manage);
        (projection, code, manage)
    }

    /// The view to project and the join code that a workshop's management
    /// page (`/atelier/{id}/{key}/gestion`) shows.
    pub fn workshop_links(&self, manage: &str) -> (String, String) {
        workshop_links_in(&self.get(manage).text())
    }

    /// Waits (at most `LONG_WAIT`) for a stderr line that contains `text`.
    pub fn wait_stderr(&self, text: &str) -> String {
        loop {
            let line = self
                .stderr
                .recv_timeout(LONG_WAIT)
                .unwrap_or_else(|_| panic!("the server never said « {text} » on stderr"));
            if line.contains(text) {
                return line;
            }
        }
    }

    pub fn addr(&self) -> String {
        self.base_url.trim_start_matches("http://").to_string()
    }

    /// `GET path` on a fresh connection.
    pub fn get(&self, path: &str) -> HttpReply {
        http(&self.addr(), "GET", path, &[], b"").unwrap()
    }

    /// POSTs a form (`application/x-www-form-urlencoded`) to `path`.
    pub fn post_form<T: serde::Serialize + ?Sized>(&self, path: &str, fields: &T) -> HttpReply {
        let body = serde_urlencoded::to_string(fields).unwrap();
        http(
            &self.addr(),
            "POST",
            path,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        )
        .unwrap()
    }

    /// Posts the `pick`-th valid answers (`valid_answers`) to `path`, a quiz
    /// (`/quiz/{id}`) or a workshop (`/a/{CODE}`); the result's address.
    pub fn answer(&self, path: &str, quiz: &chezsoi::quiz::Quiz, pick: usize) -> String {
        let mut fields = valid_answers(quiz, pick);
        if let Some(code) = path.strip_prefix("/a/") {
            fields.push(("atelier".to_string(), code.to_string()));
        }
        let reply = self.post_form(path, &fields);
        assert_eq!(reply.status, 303, "{}", reply.text());
        reply.header("location").unwrap().to_string()
    }

    /// Reveals the group's results of the workshop whose view to project
    /// (or management base) is `base`, as its button does.
    pub fn reveal(&self, base: &str) {
        let reply = http(&self.addr(), "POST", &format!("{base}/reveler"), &[], b"").unwrap();
        assert_eq!(reply.status, 303, "{}", reply.text());
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM, as systemd does to stop a service, and waits at most
    /// `bound` for the process to end: its exit status, or `None` if it
    /// was still running then (it is killed after that).
    pub fn terminate_within(
        &mut self,
        bound: std::time::Duration,
    ) -> Option<std::process::ExitStatus> {
        let term = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(term.success(), "kill -TERM failed");
        // Standard output closes when the process ends: wait for that
        // (bounded), without polling.
        let deadline = std::time::Instant::now() + bound;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(_) => continue,
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Some(self.child.wait().expect("the server's status"));
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    self.kill();
                    return None;
                }
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The longest a test waits for the server to do something (a rebuild in
/// a debug build on a busy machine): a bound against hanging, not a timing.
pub const LONG_WAIT: std::time::Duration = std::time::Duration::from_secs(300);

/// A server-sent event stream read over a raw connection.
pub struct EventStream {
    reader: std::io::BufReader<std::net::TcpStream>,
    /// The response's headers, names in lower case.
    pub headers: Vec<(String, String)>,
}

impl EventStream {
    /// Opens `path` on `addr` and reads the response's headers.
    pub fn open(addr: &str, path: &str) -> EventStream {
        EventStream::open_as(addr, path, "HTTP/1.1", LONG_WAIT)
    }

    /// The same in HTTP/1.0, giving up any read after `bound`: the body
    /// comes without chunked framing (until the connection closes), whoever
    /// relays it.
    pub fn open_unframed(addr: &str, path: &str, bound: std::time::Duration) -> EventStream {
        EventStream::open_as(addr, path, "HTTP/1.0", bound)
    }

    fn open_as(addr: &str, path: &str, version: &str, bound: std::time::Duration) -> EventStream {
        use std::io::{BufRead, Write};
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(bound)).unwrap();
        write!(
            stream,
            "GET {path} {version}\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut reader = std::io::BufReader::new(stream);
        let mut status = String::new();
        reader
            .read_line(&mut status)
            .unwrap_or_else(|e| panic!("{path}: no response in time ({e})"));
        assert!(status.contains(" 200 "), "{path}: {status}");
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
        EventStream { reader, headers }
    }

    /// Gives up reading after `bound` instead of `LONG_WAIT`.
    pub fn with_timeout(self, bound: std::time::Duration) -> EventStream {
        self.reader.get_ref().set_read_timeout(Some(bound)).unwrap();
        self
    }

    /// The next event as `(name, data)`, past keep-alives and other fields.
    pub fn next_event_data(&mut self) -> (String, String) {
        use std::io::BufRead;
        let (mut name, mut data) = (String::new(), String::new());
        loop {
            let mut line = String::new();
            let read = self.reader.read_line(&mut line).expect("an event in time");
            assert!(read > 0, "the event stream ended");
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if !name.is_empty() {
                    return (name, data);
                }
            } else if let Some(value) = line.strip_prefix("event: ") {
                name = value.to_string();
            } else if let Some(value) = line.strip_prefix("data: ") {
                data = value.to_string();
            }
        }
    }

    /// Whether the server ended the stream: reads (within the timeout)
    /// until the end of the response.
    pub fn ends(&mut self) -> bool {
        use std::io::Read;
        let mut rest = Vec::new();
        self.reader.read_to_end(&mut rest).is_ok()
    }

    /// The name of the next event (`event: NAME`), past keep-alives;
    /// gives up after `LONG_WAIT`.
    pub fn next_event(&mut self) -> String {
        use std::io::BufRead;
        let started = std::time::Instant::now();
        loop {
            assert!(started.elapsed() < LONG_WAIT, "no event in time");
            let mut line = String::new();
            let read = self.reader.read_line(&mut line).expect("an event in time");
            assert!(read > 0, "the event stream ended");
            if let Some(name) = line.trim().strip_prefix("event: ") {
                return name.to_string();
            }
        }
    }
}

/// A minimal HTTP/1.1 exchange over a fresh connection (`Connection: close`),
/// so tests that talk to the real binary need no HTTP client crate.
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<HttpReply> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    let request = request_head(
        format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        ),
        headers,
    );
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_reply(&raw)
}

/// The view to project and the join code that a workshop's management
/// page shows, from its HTML.
pub fn workshop_links_in(page: &str) -> (String, String) {
    let code = page
        .split_once("class=\"chezsoi-join-code-inline\">")
        .and_then(|(_, rest)| rest.split_once('<'))
        .map(|(code, _)| code.replace(' ', ""))
        .expect("the management page shows the join code");
    let projection = page
        .split_once("href=\"/projection/")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(path, _)| format!("/projection/{path}"))
        .expect("the management page links to the view to project");
    (projection, code)
}

/// A request's head: its `first` lines (request line, `Host`…), then
/// `headers`, then the blank line.
pub fn request_head(first: String, headers: &[(&str, &str)]) -> String {
    let mut request = first;
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request
}

/// A whole HTTP/1.x response, read to its end: status, headers, body.
pub fn parse_reply(raw: &[u8]) -> std::io::Result<HttpReply> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no HTTP header"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let headers = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    Ok(HttpReply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    })
}

/// The real binary, without the caller's `CHEZSOI_*` settings.
pub fn chezsoi() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_chezsoi"));
    for variable in [
        "CHEZSOI_ADDR",
        "CHEZSOI_DB",
        "CHEZSOI_ROOT",
        "CHEZSOI_BASE_URL",
        "CHEZSOI_RETENTION_DAYS",
        "CHEZSOI_OUT",
        "CHEZSOI_PDF",
        "RUST_BACKTRACE",
    ] {
        command.env_remove(variable);
    }
    command
}

/// `chezsoi serve` on `addr` for the project at `root` and the database
/// `db`, not started.
pub fn serve_command(addr: &str, root: &Path, db: &Path) -> std::process::Command {
    let mut command = chezsoi();
    command
        .args(["serve", "--addr", addr, "--root"])
        .arg(root)
        .arg("--db")
        .arg(db);
    command
}

/// `chezsoi {args} --help`, which must show each of `words`.
pub fn assert_help_shows(args: &[&str], words: &[&str]) {
    let help = succeeds(chezsoi().args(args).arg("--help"));
    for word in words {
        assert!(
            help.contains(word),
            "{} --help lacks {word}:\n{help}",
            args.join(" ")
        );
    }
}

/// Runs `command`, which must succeed; its standard output.
pub fn succeeds(command: &mut std::process::Command) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs `command`, which must fail; its standard error.
///
/// A command that should fail at once but keeps running (a server that
/// starts when it should refuse) is killed after two minutes, and the test
/// fails saying so instead of hanging.
pub fn fails(command: &mut std::process::Command) -> String {
    use std::io::Read;
    use wait_timeout::ChildExt;
    let mut child = command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr_pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stderr_pipe.read_to_string(&mut text).unwrap();
        text
    });
    let status = child
        .wait_timeout(std::time::Duration::from_secs(120))
        .unwrap();
    let Some(status) = status else {
        child.kill().unwrap();
        child.wait().unwrap();
        panic!("{command:?} was still running after two minutes instead of failing");
    };
    let stderr = reader.join().unwrap();
    assert!(!status.success(), "{command:?} succeeded");
    stderr
}

/// For property tests: the form fields of `question` for each `answer`
/// drawn (`q-{id}` = value), or none at all, sometimes, when the question
/// is optional.
pub fn question_fields(
    question: &chezsoi::quiz::Question,
    answer: proptest::strategy::BoxedStrategy<Vec<String>>,
) -> proptest::strategy::BoxedStrategy<Vec<(String, String)>> {
    use proptest::prelude::*;
    let field = format!("q-{}", question.id);
    let optional = question.optional;
    (answer, any::<bool>())
        .prop_map(move |(values, skip)| {
            if optional && skip {
                Vec::new()
            } else {
                values.into_iter().map(|v| (field.clone(), v)).collect()
            }
        })
        .boxed()
}

/// A complete, valid answer set for a quiz: the `pick`-th choice (clamped)
/// of each question, or the matching scale step.
pub fn valid_answers(quiz: &chezsoi::quiz::Quiz, pick: usize) -> Vec<(String, String)> {
    use chezsoi::quiz::QuestionKind;
    let mut fields = vec![("version".to_string(), quiz.version.clone())];
    for question in &quiz.questions {
        let value = match &question.kind {
            QuestionKind::Scale { min, max, .. } => {
                (min + (pick as i64).min(max - min)).to_string()
            }
            _ => question.choices[pick.min(question.choices.len() - 1)]
                .id
                .clone(),
        };
        fields.push((format!("q-{}", question.id), value));
    }
    fields
}
