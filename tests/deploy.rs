//! « Mettre en ligne »: the real `chezsoi serve` stopped as systemd stops it,
//! and behind a real nginx and a real Caddy, each run here from the very
//! configuration files the README shows (`deploy/`), ports changed: the live
//! count must flow through their default buffering, the flood limits must
//! apply to the real clients behind them, and actions must still pass the
//! same-origin check.
//!
//! Without nginx or Caddy locally, their test prints "skipped"; under
//! CI=true it must run (`.ci/run` installs both).

mod support;

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use support::or_skip;

use support::{
    EventStream, FixtureProject, HttpReply, MANIFEST_DIR, Server, tool_or_skip, valid_answers,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long a proxied event may take: far more than it needs, far less
/// than nginx's buffering would hold it (until its buffer fills, or 60 s).
const EVENT_BOUND: Duration = Duration::from_secs(20);

fn deploy_file(name: &str) -> String {
    std::fs::read_to_string(Path::new(MANIFEST_DIR).join("deploy").join(name)).unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.0 exchange with `addr`, sent from the local address `from`
/// (127.0.0.2, 127.0.0.3…: other clients of the same machine).
async fn http_from(
    from: IpAddr,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> HttpReply {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(from, 0)).unwrap();
    let mut stream = socket.connect(addr).await.unwrap();
    let first = format!(
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Length: {}\r\n",
        body.len()
    );
    let mut request = support::request_head(first, headers);
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut raw))
        .await
        .expect("a reply in time")
        .unwrap();
    support::parse_reply(&raw).expect("an HTTP reply")
}

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// A workshop created through `addr`: its private base path, its view to
/// project and its join code, as the management page shows them.
async fn create_workshop(addr: SocketAddr) -> (String, String, String) {
    let created = http_from(
        ip("127.0.0.1"),
        addr,
        "POST",
        "/atelier/nouveau",
        &[FORM],
        "titre=Atelier+en+ligne&questionnaire=diagnostic&minimum=3",
    )
    .await;
    assert_eq!(created.status, 303, "{}", created.text());
    let manage = created.header("location").unwrap().to_string();
    let page = http_from(ip("127.0.0.1"), addr, "GET", &manage, &[], "").await;
    assert_eq!(page.status, 200);
    let (projection, code) = support::workshop_links_in(&page.text());
    let base = manage.trim_end_matches("/gestion").to_string();
    (base, projection, code)
}

/// A child process killed with the test.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits (bounded) until `port` accepts connections; the exit status if
/// the child stopped first.
fn wait_for_port(port: u16, what: &str, child: &mut Child) -> Result<(), std::process::ExitStatus> {
    for _ in 0..400 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} never listened on {port}");
}

/// Starts a proxy with `spawn(port, stderr)` on a free port, its error
/// output in `dir`. Other tests pick free ports too: a port taken between
/// `free_port` and the proxy's bind gets another try; any other failure
/// stops the test with the proxy's own words.
fn start_proxy(
    what: &str,
    dir: &std::path::Path,
    spawn: impl Fn(u16, Stdio) -> Child,
) -> (u16, Running) {
    let mut said = String::new();
    for attempt in 0..5 {
        let port = free_port();
        let log = dir.join(format!("{what}-{attempt}.err"));
        let mut child = spawn(port, Stdio::from(std::fs::File::create(&log).unwrap()));
        match wait_for_port(port, what, &mut child) {
            Ok(()) => return (port, Running(child)),
            Err(status) => {
                said = std::fs::read_to_string(&log).unwrap_or_default();
                assert!(
                    said.contains("address already in use")
                        || said.contains("Address already in use"),
                    "{what} stopped: {status}: {said}"
                );
            }
        }
    }
    panic!("{what}: every port tried was taken: {said}");
}

/// What every proxy must let through: the live count as it happens, the
/// limits per real client, and actions from the site's own pages.
async fn check_through_proxy(proxy: SocketAddr, name: &str, quiz: &chezsoi::quiz::Quiz) {
    let (base, projection, code) = create_workshop(proxy).await;

    // The live count, through the proxy's default buffering.
    let mut stream = EventStream::open_unframed(
        &proxy.to_string(),
        &format!("{projection}/direct"),
        EVENT_BOUND,
    );
    assert!(
        stream
            .headers
            .iter()
            .any(|(n, v)| n == "content-type" && v.starts_with("text/event-stream")),
        "{name}: {:?}",
        stream.headers
    );
    assert_eq!(
        stream.next_event_data(),
        ("count".to_string(), "0".to_string()),
        "{name}: the first count"
    );
    let mut fields = valid_answers(quiz, 0);
    fields.push(("atelier".into(), code.clone()));
    let answer = serde_urlencoded::to_string(&fields).unwrap();
    let join = format!("/a/{code}");
    let reply = http_from(ip("127.0.0.2"), proxy, "POST", &join, &[FORM], &answer).await;
    assert_eq!(reply.status, 303, "{name}: {}", reply.text());
    assert_eq!(
        stream.next_event_data(),
        ("count".to_string(), "1".to_string()),
        "{name}: the new answer, live"
    );

    // One client floods wrong codes, each request claiming another address
    // in X-Forwarded-For: the proxy appends the real one, which the limit
    // counts.
    let flood = chezsoi::web::REFUSALS_PER_MINUTE as usize + 40;
    let mut statuses = Vec::new();
    for n in 0..flood {
        let forged = format!("198.51.100.{}", n % 250);
        let reply = http_from(
            ip("127.0.0.2"),
            proxy,
            "GET",
            "/a/ACDEFG",
            &[("X-Forwarded-For", &forged)],
            "",
        )
        .await;
        statuses.push(reply.status);
    }
    assert_eq!(statuses[0], 404, "{name}");
    assert!(
        statuses.contains(&429),
        "{name}: the flood was never refused: {statuses:?}"
    );
    // Another client behind the same proxy is not affected…
    let neighbour = http_from(ip("127.0.0.3"), proxy, "GET", "/a/ACDEFG", &[], "").await;
    assert_eq!(neighbour.status, 404, "{name}: the neighbour was limited");
    // …and the flooder's own room still answers.
    let mut fields = valid_answers(quiz, 1);
    fields.push(("atelier".into(), code.clone()));
    let answer = serde_urlencoded::to_string(&fields).unwrap();
    let reply = http_from(ip("127.0.0.2"), proxy, "POST", &join, &[FORM], &answer).await;
    assert_eq!(reply.status, 303, "{name}: the room was locked out");
    assert_eq!(
        stream.next_event_data(),
        ("count".to_string(), "2".to_string())
    );

    // Closing: refused from another site's page, done from the site's own.
    let own_origin = format!("http://{proxy}");
    let close = format!("{base}/fermer");
    let foreign = http_from(
        ip("127.0.0.1"),
        proxy,
        "POST",
        &close,
        &[FORM, ("Origin", "http://evil.example")],
        "",
    )
    .await;
    assert_eq!(foreign.status, 403, "{name}");
    let own = http_from(
        ip("127.0.0.1"),
        proxy,
        "POST",
        &close,
        &[FORM, ("Origin", &own_origin)],
        "",
    )
    .await;
    assert_eq!(own.status, 303, "{name}: {}", own.text());
}

fn start_chezsoi(fixture: &FixtureProject) -> Server {
    Server::start(
        fixture.root(),
        &fixture.path("data/deploy.db"),
        &["--trusted-proxy", "127.0.0.1"],
    )
}

/// chezsoi behind the proxy `what`, which `command(port, dir, upstream)`
/// runs from its configuration written in `dir` (a temp folder), listening
/// on `port` and passing to `upstream`: what every proxy must let through.
async fn check_behind(what: &str, command: impl Fn(u16, &Path, &str) -> Command) {
    let fixture = FixtureProject::real();
    let quiz = fixture.quiz("diagnostic");
    let server = start_chezsoi(&fixture);
    let dir = tempfile::tempdir().unwrap();
    let (port, _proxy) = start_proxy(what, dir.path(), |port, stderr| {
        command(port, dir.path(), &server.addr())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("{what} does not start: {e}"))
    });
    check_through_proxy(format!("127.0.0.1:{port}").parse().unwrap(), what, &quiz).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_live_count_and_the_limits_work_through_a_default_nginx() {
    let nginx = or_skip!(tool_or_skip("nginx front", "nginx", "nginx"));
    check_behind("nginx", |port, dir, upstream| {
        let d = dir.display();
        let site = deploy_file("nginx.conf")
            .replace("listen 80;", &format!("listen 127.0.0.1:{port};"))
            .replace("http://127.0.0.1:3000", &format!("http://{upstream}"));
        assert!(site.contains(&format!("listen 127.0.0.1:{port};")));
        // Only what running unprivileged in a temp folder needs around the
        // README's server block; everything else is nginx's default.
        let conf = format!(
            "pid {d}/nginx.pid;\nerror_log stderr;\nevents {{ worker_connections 64; }}\n\
             http {{\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             {site}\n}}\n"
        );
        let conf_path = dir.join("nginx.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let mut command = Command::new(&nginx);
        command
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&conf_path)
            .args(["-g", "daemon off; master_process off;"]);
        command
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_live_count_and_the_limits_work_through_caddy() {
    let caddy = or_skip!(tool_or_skip("Caddy front", "caddy", "caddy"));
    check_behind("Caddy", |port, dir, upstream| {
        // Plain HTTP on a test port instead of the certificate for a domain;
        // no admin endpoint, so that tests never collide on its port.
        let site = deploy_file("Caddyfile")
            .replace("atelier.example.org", &format!("http://127.0.0.1:{port}"))
            .replace("127.0.0.1:3000", upstream);
        let conf = format!("{{\n\tadmin off\n\tauto_https off\n}}\n{site}");
        let conf_path = dir.join("Caddyfile");
        std::fs::write(&conf_path, conf).unwrap();
        let mut command = Command::new(&caddy);
        command
            .args(["run", "--adapter", "caddyfile", "--config"])
            .arg(&conf_path)
            .env("HOME", dir)
            .env("XDG_DATA_HOME", dir.join("data"))
            .env("XDG_CONFIG_HOME", dir.join("config"));
        command
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_with_an_open_live_count_exits_within_5_seconds() {
    let fixture = FixtureProject::real();
    let mut server = Server::start(fixture.root(), &fixture.path("data/stop.db"), &[]);
    let addr: SocketAddr = server.addr().parse().unwrap();
    let (_, projection, _) = create_workshop(addr).await;
    let mut stream = EventStream::open(&server.addr(), &format!("{projection}/direct"))
        .with_timeout(Duration::from_secs(10));
    assert_eq!(stream.next_event(), "count");
    // A bound on the wait, not a measure of speed: systemd's own bound
    // (TimeoutStopSec) is longer.
    let status = server
        .terminate_within(Duration::from_secs(5))
        .expect("still running 5 s after SIGTERM with a live count open");
    assert!(status.success(), "{status}");
    assert!(stream.ends(), "the stream was not ended");
}

#[test]
fn the_readme_shows_the_deployment_files_as_they_are_tested() {
    let readme = std::fs::read_to_string(Path::new(MANIFEST_DIR).join("README.md")).unwrap();
    for name in ["nginx.conf", "Caddyfile", "chezsoi.service"] {
        let file = deploy_file(name);
        assert!(
            readme.contains(file.trim_end()),
            "README.md does not show deploy/{name} as it is"
        );
    }
    // The unit's command line is one the binary accepts.
    let unit = deploy_file("chezsoi.service");
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .unwrap();
    let args: Vec<&str> = exec.split_whitespace().skip(1).collect();
    let mut help = support::chezsoi();
    let output = help.args(&args).arg("--help").output().unwrap();
    assert!(
        output.status.success(),
        "{exec}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
