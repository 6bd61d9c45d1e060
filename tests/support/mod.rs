//! Shared helpers for the integration tests: a project in a temp folder made
//! of the real book.toml and theme/ plus a small fixture book.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

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

/// Chromium for browser tests. Absent locally: the test says it is skipped.
/// Absent under CI=true: the test fails, since CI must run it.
pub fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    match chezsoi::book::pdf::find_chromium() {
        Some(path) => Some(path),
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
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
    let found = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
        .unwrap_or_default();
    match found {
        Some(path) => Some(path),
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
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
}

impl Server {
    /// Starts the server and waits for the line that announces its address.
    pub fn start(root: &Path, db: &Path, extra: &[&str]) -> Server {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_chezsoi"))
            .args(["serve", "--addr", "127.0.0.1:0", "--root"])
            .arg(root)
            .arg("--db")
            .arg(db)
            .args(extra)
            .env("CHEZSOI_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .expect("chezsoi starts");
        let stdout = child.stdout.take().unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
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
        }
    }

    pub fn addr(&self) -> String {
        self.base_url.trim_start_matches("http://").to_string()
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
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
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
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
