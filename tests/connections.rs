//! The server's connections, against the real `chezsoi serve`: what the
//! HTTP layer refuses gets the French page and the security headers, slow
//! or idle clients cannot hold connections for ever nor starve the others,
//! the server never runs out of file descriptors because of clients, no
//! secret reaches the logs at any level, and a damaged or locked database
//! is refused at start with what to do.
//!
//! Waits are bounds against hanging, never timings: a read that must end
//! because the server closes the connection gets far more time than the
//! server's limit, and a client that must be served while others hold
//! connections gets less than the time those connections may stay open.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;
use support::or_skip;

use chezsoi::web::server::{HEADER_TIMEOUT, IDLE_TIMEOUT, MAX_HEADERS, MAX_URI};
use support::{FixtureProject, HttpReply, Server};

/// The headers every response must carry.
const SECURITY_HEADERS: [&str; 5] = [
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
    "permissions-policy",
];

impl HttpReply {
    /// A refusal made below the router: the status, the French page, the
    /// security headers.
    fn assert_french_refusal(&self, status: u16, words: &str) {
        let body = self.text();
        assert_eq!(self.status, status, "{body}");
        assert!(
            self.header("content-type")
                .is_some_and(|v| v.starts_with("text/html")),
            "{status}: not an HTML page: {:?}",
            self.headers
        );
        assert!(body.contains("lang=\"fr\""), "{}", body);
        assert!(body.contains(&format!("Code {status}")), "{}", body);
        assert!(body.contains(words), "« {words} » missing: {}", body);
        for name in SECURITY_HEADERS {
            assert!(self.header(name).is_some(), "{status}: no {name}");
        }
    }
}

/// Reads one response (its body by `Content-Length`), leaving the
/// connection open.
fn read_response(reader: &mut BufReader<TcpStream>) -> HttpReply {
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {status_line:?}"));
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    HttpReply {
        status,
        headers,
        body,
    }
}

/// A connection to the server from `source` (any 127.0.0.0/8 address is
/// this machine): each source is another client for the server.
fn connect_from(source: Ipv4Addr, server: &Server) -> TcpStream {
    let target: SocketAddr = server.addr().parse().unwrap();
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.bind(&SocketAddr::from((source, 0)).into()).unwrap();
    socket.connect(&target.into()).unwrap();
    let stream: TcpStream = socket.into();
    stream.set_read_timeout(Some(support::LONG_WAIT)).unwrap();
    stream
}

fn connect(server: &Server) -> BufReader<TcpStream> {
    BufReader::new(connect_from(Ipv4Addr::LOCALHOST, server))
}

/// Sends `bytes` on a fresh connection and reads the one response.
fn exchange(server: &Server, bytes: &[u8]) -> HttpReply {
    let mut reader = connect(server);
    reader.get_mut().write_all(bytes).unwrap();
    read_response(&mut reader)
}

/// Whether the server closed the connection: a read returns its end (or
/// a reset) before `bound`. Any byte read is a failure.
fn closed_within(stream: &mut TcpStream, bound: Duration) -> bool {
    stream.set_read_timeout(Some(bound)).unwrap();
    let mut byte = [0; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => panic!("the server sent bytes on an idle connection"),
        Err(e) if matches!(e.kind(), std::io::ErrorKind::ConnectionReset) => true,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            false
        }
        Err(e) => panic!("{e}"),
    }
}

const GET_HEALTH: &[u8] = b"GET /sante HTTP/1.1\r\nHost: test\r\n\r\n";

/// A client that opened a connection, got an answer, and keeps the
/// connection open without a word (a kept-alive connection); `None` if
/// the server refused the connection (closed it without an answer).
fn idle_client(source: Ipv4Addr, server: &Server) -> Option<TcpStream> {
    let mut reader = BufReader::new(connect_from(source, server));
    if reader.get_mut().write_all(GET_HEALTH).is_err() {
        return None;
    }
    match reader.fill_buf() {
        Ok([]) | Err(_) => return None,
        Ok(_) => {}
    }
    let response = read_response(&mut reader);
    assert_eq!(response.status, 200);
    Some(reader.into_inner())
}

/// A normal client gets its answer while the others hold their
/// connections: sooner than any of theirs may stay open idle.
fn assert_served(source: Ipv4Addr, server: &Server) {
    let mut stream = connect_from(source, server);
    stream.set_read_timeout(Some(IDLE_TIMEOUT / 2)).unwrap();
    stream.write_all(GET_HEALTH).unwrap();
    let mut reader = BufReader::new(stream);
    let response = read_response(&mut reader);
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.text(), "ok");
}

fn fixture_server(extra: &[&str]) -> (FixtureProject, Server) {
    let fixture = FixtureProject::new();
    let server = Server::start(fixture.root(), &fixture.path("data/t.db"), extra);
    (fixture, server)
}

#[test]
fn what_the_http_layer_refuses_gets_the_french_page_and_the_security_headers() {
    let (_fixture, server) = fixture_server(&[]);

    let long_url = format!("GET /{} HTTP/1.1\r\nHost: test\r\n\r\n", "a".repeat(70_000));
    exchange(&server, long_url.as_bytes()).assert_french_refusal(414, "Adresse trop longue");

    let many: String = (0..120)
        .map(|i| format!("X-En-Tete-{i}: {i}\r\n"))
        .collect();
    let many = format!("GET / HTTP/1.1\r\nHost: test\r\n{many}\r\n");
    const { assert!(120 > MAX_HEADERS) };
    exchange(&server, many.as_bytes()).assert_french_refusal(431, "en-têtes");

    let malformed = b"GET / HTTP/1.1\r\nHost: test\r\nune ligne sans deux-points\r\n\r\n";
    exchange(&server, malformed).assert_french_refusal(400, "Requête mal formée");

    // The same on a kept-alive connection, after a request that went well.
    let mut reader = connect(&server);
    reader.get_mut().write_all(GET_HEALTH).unwrap();
    assert_eq!(read_response(&mut reader).status, 200);
    let long = format!(
        "GET /{} HTTP/1.1\r\nHost: test\r\n\r\n",
        "b".repeat(MAX_URI + 1)
    );
    reader.get_mut().write_all(long.as_bytes()).unwrap();
    read_response(&mut reader).assert_french_refusal(414, "Adresse trop longue");
}

#[test]
fn a_head_sent_too_slowly_is_cut() {
    let (_fixture, server) = fixture_server(&[]);
    let mut stream = connect(&server).into_inner();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: test\r\n")
        .unwrap();
    // The rest of the head never comes: the server closes the connection.
    assert!(
        closed_within(&mut stream, HEADER_TIMEOUT * 6),
        "a half-sent head kept its connection"
    );
}

#[test]
fn an_idle_kept_alive_connection_is_closed() {
    let (_fixture, server) = fixture_server(&[]);
    let mut stream = idle_client(Ipv4Addr::LOCALHOST, &server).expect("served");
    assert!(
        closed_within(&mut stream, IDLE_TIMEOUT * 4),
        "an idle connection stayed open"
    );
}

#[test]
fn a_burst_of_idle_connections_does_not_starve_a_normal_client() {
    let (_fixture, server) = fixture_server(&[
        "--max-connections",
        "24",
        "--max-connections-per-client",
        "6",
    ]);
    let first = server.stdout.recv_timeout(support::LONG_WAIT).unwrap();
    assert!(
        first.contains("24 à la fois au plus, dont 6 par client"),
        "{first}"
    );

    // One client opens 20 connections: it never holds more than 6, its
    // oldest idle ones are closed to make room for its new ones.
    let attacker = Ipv4Addr::new(127, 0, 0, 2);
    let mut held: Vec<Option<TcpStream>> =
        (0..20).map(|_| idle_client(attacker, &server)).collect();
    // Then many clients open 80 connections and send nothing: more than
    // the server holds. (The test does not wait for them to be served.)
    let crowd: Vec<TcpStream> = (0..10u8)
        .flat_map(|n| {
            let source = Ipv4Addr::new(127, 0, 1, n + 1);
            (0..8).map(move |_| source)
        })
        .map(|source| connect_from(source, &server))
        .collect();

    // A normal client is served at once, as is the first client again.
    assert_served(Ipv4Addr::new(127, 0, 2, 1), &server);
    assert_served(attacker, &server);

    // Of the first client's 20 connections, at least 14 were refused or
    // closed, each before the idle limit could close it.
    let closed = std::thread::scope(|scope| {
        let readers: Vec<_> = held
            .iter_mut()
            .map(|stream| {
                scope.spawn(move || match stream {
                    Some(stream) => closed_within(stream, IDLE_TIMEOUT / 2),
                    None => true,
                })
            })
            .collect();
        readers
            .into_iter()
            .map(|r| r.join().unwrap())
            .filter(|closed| *closed)
            .count()
    });
    assert!(closed >= 14, "only {closed} of 20 connections were closed");
    drop(crowd);
}

/// Behind a reverse proxy every visitor's connection comes from the
/// proxy: the per-client cap does not apply to a trusted proxy (live
/// counts, which hold their connection, would otherwise lock the room
/// out), while the total cap still does.
#[test]
fn a_trusted_proxy_is_not_held_to_the_per_client_cap() {
    let fixture = FixtureProject::real();
    let server = Server::start(
        fixture.root(),
        &fixture.path("data/t.db"),
        &[
            "--max-connections",
            "24",
            "--max-connections-per-client",
            "2",
            "--trusted-proxy",
            "127.0.0.1",
        ],
    );
    let (projection, _, _) = server.create_workshop("Atelier", "diagnostic", 3);
    // Four live counts through the proxy: busy connections, none to evict.
    let streams: Vec<support::EventStream> = (0..4)
        .map(|_| support::EventStream::open(&server.addr(), &format!("{projection}/direct")))
        .collect();
    assert_served(Ipv4Addr::LOCALHOST, &server);
    // Another address is still held to its cap: its third connection,
    // with two busy ones before it, is refused.
    let neighbour = Ipv4Addr::new(127, 0, 4, 1);
    let busy: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut stream = connect_from(neighbour, &server);
            write!(
                stream,
                "GET {projection}/direct HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n\r\n"
            )
            .unwrap();
            let mut reader = BufReader::new(stream);
            assert_eq!(read_head_status(&mut reader), 200);
            reader.into_inner()
        })
        .collect();
    assert!(
        idle_client(neighbour, &server).is_none(),
        "a third connection was admitted"
    );
    drop((streams, busy));
}

/// The status of a response whose body is left unread (a stream).
fn read_head_status(reader: &mut BufReader<TcpStream>) -> u16 {
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
    }
    status_line
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn clients_never_exhaust_the_file_descriptors() {
    let prlimit = or_skip!(support::tool_or_skip(
        "file descriptor budget",
        "prlimit",
        "util-linux"
    ));
    let fixture = FixtureProject::new();
    let mut command = std::process::Command::new(prlimit);
    command
        .arg("--nofile=256:256")
        .arg(env!("CARGO_BIN_EXE_chezsoi"))
        .args(["serve", "--addr", "127.0.0.1:0", "--root"])
        .arg(fixture.root())
        .arg("--db")
        .arg(fixture.path("data/t.db"))
        .env("CHEZSOI_LOG", "warn");
    let server = Server::spawn(command);
    let announced = server.stdout.recv_timeout(support::LONG_WAIT).unwrap();
    assert!(
        announced.contains("limite de fichiers ouverts\u{a0}: 256"),
        "{announced}"
    );

    // 400 connections from four clients: more than 256 files.
    let held: Vec<Option<TcpStream>> = (0..400u32)
        .map(|n| idle_client(Ipv4Addr::new(127, 0, 3, (n % 4) as u8 + 1), &server))
        .collect();
    assert_served(Ipv4Addr::new(127, 0, 3, 9), &server);
    drop(held);
    assert_served(Ipv4Addr::new(127, 0, 3, 9), &server);
    let complaints: Vec<String> = server.stderr.try_iter().collect();
    assert!(
        complaints
            .iter()
            .all(|line| !line.contains("non acceptée") && !line.contains("Too many open files")),
        "{complaints:?}"
    );
}

/// A client that ends its connection (half-closes it, as a socket does
/// when a browser leaves) gets the server's end at once: the server keeps
/// neither the socket nor its place among the connections. It once waited
/// for more requests for ever, holding both: after enough visitors had
/// left, it had no file descriptor left and let no one in.
#[test]
fn connections_the_clients_end_are_closed_and_their_places_freed() {
    let (_fixture, server) = fixture_server(&["--max-connections", "16"]);
    // Three times the cap: connections whose places were kept would fill it.
    for n in 0..48 {
        let mut reader = connect(&server);
        reader.get_mut().write_all(GET_HEALTH).unwrap();
        assert_eq!(read_response(&mut reader).status, 200);
        reader
            .get_mut()
            .shutdown(std::net::Shutdown::Write)
            .unwrap();
        assert!(
            closed_within(reader.get_mut(), IDLE_TIMEOUT / 2),
            "connection {n}: the server kept a connection its client had ended"
        );
    }
    assert_served(Ipv4Addr::LOCALHOST, &server);
}

/// Every secret an address can carry: a result's token, a facilitator's
/// key, a join code; and the addresses that hold them, routed or not.
#[test]
fn no_secret_reaches_the_logs_at_any_level() {
    let fixture = FixtureProject::real();
    let quiz = fixture.quiz("diagnostic");
    let mut command =
        support::serve_command("127.0.0.1:0", fixture.root(), &fixture.path("data/t.db"));
    command.env("CHEZSOI_LOG", "trace");
    let mut server = Server::spawn(command);

    let reply = server.post_form("/quiz/diagnostic", &support::valid_answers(&quiz, 0));
    assert_eq!(reply.status, 303);
    let token = reply.header("location").unwrap()["/r/".len()..].to_string();
    let reply = server.post_form(
        "/atelier/nouveau",
        &[
            ("titre", "Atelier"),
            ("questionnaire", "diagnostic"),
            ("minimum", "3"),
        ],
    );
    assert_eq!(reply.status, 303);
    let manage = reply.header("location").unwrap().to_string();
    let base = manage.trim_end_matches("/gestion").to_string();
    let key = base.rsplit('/').next().unwrap().to_string();
    let page = server.get(&manage).text();
    let code = page
        .split("/a/")
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .expect("the join address is on the facilitator page");
    assert_eq!(code.len(), chezsoi::workshop::JOIN_CODE_LEN, "{code}");

    for path in [
        format!("/r/{token}"),
        format!("/r/{token}/x"),
        format!("/r/{token}/"),
        format!("{base}/gestion"),
        format!("{base}/gestion/"),
        format!("{base}/x/y/z"),
        format!("/a/{code}"),
        format!("/a/{code}/x"),
        format!("/a?code={code}"),
    ] {
        server.get(&path);
    }
    server.kill();
    let logs: Vec<String> = server.stderr.try_iter().collect();
    for route in [
        "/quiz/{id}",
        "/r/{token}",
        "/atelier/{id}/{key}/gestion",
        "(hors route)",
    ] {
        assert!(
            logs.iter().any(|line| line.contains(route)),
            "{route} was not logged: {logs:?}"
        );
    }
    for line in &logs {
        for (what, secret) in [("token", &token), ("key", &key), ("join code", &code)] {
            assert!(
                !line.contains(secret.as_str()),
                "the {what} is in the log: {line}"
            );
        }
    }
}

/// A database file with random bytes over its data pages.
fn damaged_database(path: &std::path::Path) {
    let store = chezsoi::store::Store::open(path).unwrap();
    for n in 0..300 {
        let result = chezsoi::store::NewResult {
            quiz_id: "diagnostic".into(),
            quiz_version: "1".into(),
            workshop_id: None,
            answers_json: format!("{{\"n\":{n},\"texte\":\"{}\"}}", "x".repeat(200)),
            outcome_json: "{}".into(),
            profile: None,
            score: Some(50),
            created_hour: 0,
            previous_hash: None,
        };
        let hash: [u8; 32] = rand::random();
        store.insert_result(&hash, &result).unwrap();
    }
    drop(store);
    let mut bytes = std::fs::read(path).unwrap();
    assert!(bytes.len() > 20 * 4096, "{} bytes", bytes.len());
    // Pages 3 to 12: leaves of the results table, not the schema.
    for byte in &mut bytes[2 * 4096..12 * 4096] {
        *byte = rand::random();
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_damaged_database_is_refused_at_start_with_what_to_do() {
    let fixture = FixtureProject::new();
    let db = fixture.path("data/t.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    damaged_database(&db);
    let stderr = support::fails(&mut support::serve_command(
        "127.0.0.1:0",
        fixture.root(),
        &db,
    ));
    assert!(stderr.contains("est endommagée"), "{stderr}");
    assert!(stderr.contains("dernière sauvegarde"), "{stderr}");
    assert!(stderr.contains("chezsoi db backup"), "{stderr}");
    assert!(!stderr.contains("malformed"), "SQLite's English: {stderr}");
}

#[test]
fn a_locked_database_is_refused_at_start_in_plain_french() {
    let fixture = FixtureProject::new();
    let db = fixture.path("data/t.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    drop(chezsoi::store::Store::open(&db).unwrap());
    // Another program holds a write transaction.
    let other = rusqlite::Connection::open(&db).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let stderr = support::fails(&mut support::serve_command(
        "127.0.0.1:0",
        fixture.root(),
        &db,
    ));
    assert!(stderr.contains("ne peut pas être écrite"), "{stderr}");
    assert!(
        stderr.contains("verrouillée par un autre programme"),
        "{stderr}"
    );
    for untrue in ["database is locked", "ateliers expirés"] {
        assert!(!stderr.contains(untrue), "« {untrue} »: {stderr}");
    }
    other.execute_batch("ROLLBACK").unwrap();
}
