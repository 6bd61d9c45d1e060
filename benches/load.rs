//! Load benchmark: `cargo bench --bench load`. In one run on this machine it
//! starts the release server on a temp database, drives it with `wrk`
//! (Debian package `wrk`) — answers to the quiz, answers to a workshop (each
//! with its own form nonce, as pages give them), the quiz page, a workshop's
//! join page — and prints the figures next to the same machine's baselines.
//! It measures; it asserts nothing about speed.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CONNECTIONS: u32 = 64;
const SUBMIT_SECONDS: u32 = 20;
const READ_SECONDS: u32 = 10;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for the list of tests
    }
    let Ok(wrk) = which::which("wrk") else {
        println!("skipped: the load benchmark needs wrk (apt-get install wrk)");
        return;
    };
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    for item in ["book.toml", "book", "quizzes", "theme"] {
        copy(&manifest.join(item), &work.path().join(item));
    }
    let db = work.path().join("bench.db");

    // Time from start to the first 200, book build included.
    let started = Instant::now();
    let (mut server, addr) = start(work.path(), &db);
    let startup = wait_first_200(&addr, started);
    let base = format!("http://{addr}");

    let quiz =
        chezsoi::content::Content::load(&chezsoi::project::Project::open(work.path()).unwrap())
            .unwrap();
    let quiz = quiz.catalog.get("diagnostic").unwrap().clone();
    let mut fields = vec![("version".to_string(), quiz.version.clone())];
    for question in &quiz.questions {
        let value = match &question.kind {
            chezsoi::quiz::QuestionKind::Scale { min, .. } => min.to_string(),
            _ => question.choices[0].id.clone(),
        };
        fields.push((format!("q-{}", question.id), value));
    }
    let body = serde_urlencoded::to_string(&fields).unwrap();
    let script = work.path().join("post.lua");
    std::fs::write(
        &script,
        format!(
            "wrk.method = \"POST\"\nwrk.body = \"{body}\"\nwrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n"
        ),
    )
    .unwrap();
    // A workshop's answers: every request its own nonce (thread, counter),
    // as every participant's page has its own.
    let code = create_workshop(&addr);
    let workshop_body = format!("{body}&atelier={code}");
    let workshop_script = work.path().join("workshop.lua");
    std::fs::write(
        &workshop_script,
        format!(
            "local threads = 0\n\
             function setup(thread) threads = threads + 1; thread:set(\"tid\", threads) end\n\
             local counter = 0\n\
             function request()\n\
             \x20 counter = counter + 1\n\
             \x20 local body = \"{workshop_body}&envoi=\" .. string.format(\"%016x%016x\", tid, counter)\n\
             \x20 return wrk.format(\"POST\", nil, {{[\"Content-Type\"] = \"application/x-www-form-urlencoded\"}}, body)\n\
             end\n"
        ),
    )
    .unwrap();

    println!(
        "chezsoi load benchmark — {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "start to first 200 (book build included): {:.0} ms",
        startup.as_secs_f64() * 1000.0
    );

    let before = count(&db);
    let submit = run_wrk(
        &wrk,
        &base,
        "/quiz/diagnostic",
        SUBMIT_SECONDS,
        Some(&script),
    );
    let stored = count(&db) - before;
    let before = count(&db);
    let answers = run_wrk(
        &wrk,
        &base,
        &format!("/a/{code}"),
        SUBMIT_SECONDS,
        Some(&workshop_script),
    );
    let answered = count(&db) - before;
    let rss_kib = peak_rss_kib(server.id());
    let static_file = run_wrk(&wrk, &base, "/theme/chezsoi.css", READ_SECONDS, None);
    let quiz_page = run_wrk(&wrk, &base, "/quiz/diagnostic", READ_SECONDS, None);
    let join_page = run_wrk(&wrk, &base, &format!("/a/{code}"), READ_SECONDS, None);
    let _ = server.kill();
    let _ = server.wait();

    let raw = raw_insert_rate(&work.path().join("raw.db"), Duration::from_secs(5));

    println!();
    println!("| measure | figure | target |");
    println!("|---|---|---|");
    println!(
        "| submissions stored/s ({CONNECTIONS} connections, {SUBMIT_SECONDS} s) | {:.0} | ≥ 5000 |",
        stored as f64 / submit.seconds
    );
    println!(
        "| submission latency p50 / p99 | {} / {} | p99 ≤ 25 ms |",
        submit.p50, submit.p99
    );
    println!(
        "| submission errors (non-3xx, socket) | {} | 0 |",
        submit.errors
    );
    // wrk stops counting at the deadline; requests still in flight then are
    // stored but not counted, so "every answered request stored" reads ≥.
    println!(
        "| requests answered / results stored | {} / {} ({}) | every answer stored |",
        submit.requests,
        stored,
        if stored >= submit.requests {
            "all stored"
        } else {
            "MISSING RESULTS"
        }
    );
    println!(
        "| workshop answers stored/s ({CONNECTIONS} connections, {SUBMIT_SECONDS} s) | {:.0} | ≥ 5000 |",
        answered as f64 / answers.seconds
    );
    println!(
        "| workshop answer latency p50 / p99 | {} / {} | p99 ≤ 25 ms |",
        answers.p50, answers.p99
    );
    println!(
        "| workshop answer errors (non-3xx, socket) | {} | 0 |",
        answers.errors
    );
    println!(
        "| workshop answers answered / stored | {} / {} ({}) | every answer stored |",
        answers.requests,
        answered,
        if answered >= answers.requests {
            "all stored"
        } else {
            "MISSING RESULTS"
        }
    );
    println!("| raw rusqlite inserts/s (same row, same pragmas, 1 tx/row) | {raw:.0} | baseline |");
    println!(
        "| ratio submissions / raw inserts | {:.2} | — |",
        stored as f64 / submit.seconds / raw
    );
    println!("| static file GET/s | {:.0} | baseline |", static_file.rate);
    println!("| quiz page GET/s | {:.0} | ≥ 15000 |", quiz_page.rate);
    println!(
        "| ratio quiz page / static file | {:.2} | — |",
        quiz_page.rate / static_file.rate
    );
    println!("| quiz page p99 | {} | — |", quiz_page.p99);
    println!(
        "| workshop join page GET/s | {:.0} | ≥ 15000 |",
        join_page.rate
    );
    println!(
        "| server peak RSS during the run | {:.1} MB | ≤ 50 MB |",
        rss_kib as f64 / 1024.0
    );
}

struct WrkRun {
    requests: u64,
    seconds: f64,
    rate: f64,
    p50: String,
    p99: String,
    errors: u64,
}

fn run_wrk(wrk: &Path, base: &str, path: &str, seconds: u32, script: Option<&Path>) -> WrkRun {
    let mut command = Command::new(wrk);
    command.args([
        "-t2",
        &format!("-c{CONNECTIONS}"),
        &format!("-d{seconds}s"),
        "--latency",
    ]);
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    let output = command
        .arg(format!("{base}{path}"))
        .output()
        .expect("wrk runs");
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    let field = |prefix: &str| -> Option<String> {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .map(|l| l.split_whitespace().nth(1).unwrap_or("").to_string())
    };
    let (requests, secs) = text
        .lines()
        .find(|l| l.contains("requests in"))
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let requests = words[0].parse().unwrap_or(0);
            let secs = words[3]
                .trim_end_matches(',')
                .trim_end_matches('s')
                .parse()
                .unwrap_or(seconds as f64);
            (requests, secs)
        })
        .unwrap_or((0, seconds as f64));
    let non_3xx: u64 = text
        .lines()
        .find(|l| l.contains("Non-2xx or 3xx responses"))
        .and_then(|l| l.rsplit(':').next()?.trim().parse().ok())
        .unwrap_or(0);
    let socket: u64 = text
        .lines()
        .find(|l| l.contains("Socket errors"))
        .map(|l| {
            l.split(',')
                .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    WrkRun {
        requests,
        seconds: secs,
        rate: requests as f64 / secs,
        p50: field("50%").unwrap_or_default(),
        p99: field("99%").unwrap_or_default(),
        errors: non_3xx + socket,
    }
}

/// The baseline: the same row through rusqlite with the server's pragmas,
/// one transaction (one fsync) per row.
fn raw_insert_rate(db: &Path, duration: Duration) -> f64 {
    let store = chezsoi::store::Store::open(db).unwrap();
    drop(store); // schema and pragmas as the server has them
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
        .unwrap();
    let started = Instant::now();
    let mut n: u64 = 0;
    while started.elapsed() < duration {
        let mut hash = [0u8; 32];
        hash[..8].copy_from_slice(&n.to_le_bytes());
        conn.execute(
            "INSERT INTO results (token_hash, quiz_id, quiz_version, workshop_id, answers, outcome, profile, score, created_hour)
             VALUES (?1, 'diagnostic', 'v', NULL, '{\"activite\":[\"b2b\"]}', '{}', 'transition', 50, 0)",
            [&hash[..]],
        )
        .unwrap();
        n += 1;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

fn count(db: &Path) -> u64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT count(*) FROM results", [], |r| r.get::<_, i64>(0))
        .unwrap() as u64
}

fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn start(root: &Path, db: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chezsoi"))
        .args(["serve", "--addr", "127.0.0.1:0", "--root"])
        .arg(root)
        .arg("--db")
        .arg(db)
        // wrk is one client, sending to one workshop: without these, the
        // flood limits would answer most submissions with 429.
        .args(["--participation-limit", "4000000000"])
        .args(["--workshop-limit", "4000000000"])
        .env("CHEZSOI_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("chezsoi starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines.next().expect("start-up line").unwrap();
        if let Some(at) = line.find("http://") {
            break line[at + 7..].trim_end_matches('/').to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

/// Creates a workshop over HTTP; its join code, from the management page.
fn create_workshop(addr: &str) -> String {
    let body = "titre=Banc+d%27essai&questionnaire=diagnostic&minimum=3";
    let reply = exchange(
        addr,
        &format!(
            "POST /atelier/nouveau HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    let manage = reply
        .lines()
        .find_map(|l| l.strip_prefix("location: "))
        .expect("the workshop is created")
        .trim()
        .to_string();
    let page = exchange(
        addr,
        &format!("GET {manage} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    );
    page.split_once("class=\"chezsoi-join-code-inline\">")
        .and_then(|(_, rest)| rest.split_once('<'))
        .map(|(code, _)| code.replace(' ', ""))
        .expect("the management page shows the join code")
}

/// One raw HTTP exchange; the whole reply as text.
fn exchange(addr: &str, request: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    reply
}

fn wait_first_200(addr: &str, started: Instant) -> Duration {
    use std::io::{Read, Write};
    loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(addr) {
            let _ = stream.write_all(
                format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
            );
            let mut head = [0u8; 12];
            if stream.read_exact(&mut head).is_ok() && &head[9..12] == b"200" {
                return started.elapsed();
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server never answered"
        );
    }
}

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap();
    }
}
