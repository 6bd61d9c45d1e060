//! The server's connections: the accept loop, the caps on open connections
//! (in total and per client), the file-descriptor budget, and for each
//! connection a front gate (`gate.rs`) before hyper.
//!
//! A client must never be able to stop the server from answering others:
//! - every connection has time limits (see `gate::Timeouts`), and a response
//!   that the client does not read for `write_timeout` ends its connection;
//! - the server holds at most `max_connections`, and at most `per_client`
//!   from one client (an IPv4 address or an IPv6 /64, known only by a
//!   salted hash: `web::client`). A connection that has not sent a whole
//!   request yet is the first to go: past a cap, the oldest such
//!   connection is closed to make room (of that client for its own cap, of
//!   anyone for the total). A client over its cap with no such connection
//!   to give up is refused; when every connection is busy with a request,
//!   newcomers wait in the system's queue until one ends;
//! - `max_connections` is kept below the process's limit of open files
//!   (raised to its ceiling at start when it is lower), with room for the
//!   database and the server's own files (`RESERVED_FILES`), so that
//!   accepting never fails for want of a file descriptor because of
//!   clients. `serve` says at start how many connections it may hold.

pub(crate) mod gate;

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tower::ServiceExt;

use super::client::{ClientKey, TrustedProxies};
pub use gate::{MAX_HEAD, MAX_HEADERS, MAX_URI, REFUSAL_HEADER, Timeouts};

/// Connections held at once unless `serve --max-connections` says
/// otherwise (and the limit of open files allows).
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Connections held at once from one client unless `serve
/// --max-connections-per-client` says otherwise. A room behind one address
/// (a venue's wifi) needs one or two per phone at most, and only while a
/// request is under way: its idle ones make room for its new ones.
pub const DEFAULT_PER_CLIENT: usize = 256;
/// A head must arrive within this.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A kept-alive connection may wait this long for its next request.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// A request body must arrive within this once its head has.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// A response the client stops reading for this long ends its connection.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// At shutdown, how long requests under way may take to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// File descriptors kept for everything but client connections: standard
/// streams, the listening socket, the runtime's own, the database's
/// (`store::FILE_DESCRIPTORS`), the pipes of a book rebuild (`--watch`),
/// and a margin for connections being closed as others open.
pub const RESERVED_FILES: usize = crate::store::FILE_DESCRIPTORS + 40;
/// Below this many connections the server would be of little use: `serve`
/// refuses to start.
pub const MIN_CONNECTIONS: usize = 16;

/// The limits of the server's connections.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub per_client: usize,
    pub timeouts: Timeouts,
    pub write_timeout: Duration,
}

impl Limits {
    /// The default limits for at most `max_connections` connections, of
    /// which `per_client` from one client.
    pub fn new(max_connections: usize, per_client: usize) -> Limits {
        Limits {
            max_connections,
            per_client: per_client.min(max_connections),
            timeouts: Timeouts {
                header: HEADER_TIMEOUT,
                idle: IDLE_TIMEOUT,
                body: BODY_TIMEOUT,
            },
            write_timeout: WRITE_TIMEOUT,
        }
    }
}

/// What the limit of open files allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileBudget {
    /// The process's limit of open files, after raising it if it could.
    pub open_files: u64,
    /// The connections the server may hold: what was asked, or less if the
    /// limit does not allow it.
    pub connections: usize,
}

/// Raises the limit of open files (`RLIMIT_NOFILE`) to what `wanted`
/// connections need, up to the hard limit, and tells how many connections
/// fit. An error when fewer than `MIN_CONNECTIONS` do.
pub fn file_budget(wanted: usize) -> anyhow::Result<FileBudget> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let needed = (wanted + RESERVED_FILES) as u64;
    let limit = getrlimit(Resource::Nofile);
    let mut open_files = limit.current.unwrap_or(u64::MAX);
    if open_files < needed {
        let raised = limit.maximum.map_or(needed, |max| max.min(needed));
        if raised > open_files
            && setrlimit(
                Resource::Nofile,
                Rlimit {
                    current: Some(raised),
                    maximum: limit.maximum,
                },
            )
            .is_ok()
        {
            open_files = raised;
        }
    }
    let fit = usize::try_from(open_files)
        .unwrap_or(usize::MAX)
        .saturating_sub(RESERVED_FILES);
    let connections = wanted.min(fit);
    if connections < MIN_CONNECTIONS {
        anyhow::bail!(
            "le système ne permet à chezsoi que {open_files} fichiers ouverts (ulimit -n), dont \
             {RESERVED_FILES} lui sont nécessaires\u{a0}: il resterait {connections} connexion(s), \
             moins que les {MIN_CONNECTIONS} requises. Relevez la limite (ulimit -n 1024, ou \
             LimitNOFILE= dans un service systemd)."
        );
    }
    Ok(FileBudget {
        open_files,
        connections,
    })
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes,
/// then lets requests under way finish (for `SHUTDOWN_GRACE` at most).
///
/// The per-client cap does not apply to `proxies` (`serve --trusted-proxy`):
/// behind a reverse proxy every visitor's connection comes from the proxy,
/// which answers for its own clients; the total cap still holds.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    proxies: &TrustedProxies,
    shutdown: impl Future<Output = ()>,
) {
    let registry = Arc::new(Registry::new(limits));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut last_accept_error: Option<Instant> = None;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors or memory (the caps make it
                    // rare): the connection waits in the system's queue.
                    // Said once a minute at most.
                    if last_accept_error.is_none_or(|at| at.elapsed() > Duration::from_secs(60)) {
                        tracing::warn!(%error, "connexion non acceptée, nouvel essai");
                        last_accept_error = Some(Instant::now());
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let client = ClientKey::of(peer.ip());
        let capped = !proxies.trusts(peer.ip());
        let connection = loop {
            match registry.admit(client, capped) {
                Admission::Admitted(connection) => break Some(connection),
                Admission::Refused => break None,
                Admission::Full => tokio::select! {
                    () = registry.room.notified() => {}
                    () = &mut shutdown => return finish(graceful).await,
                },
            }
        };
        let Some(connection) = connection else {
            tracing::debug!("connexion refusée\u{a0}: trop de connexions de ce client");
            continue;
        };
        let app = app.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            serve_connection(stream, peer, connection, app, limits, watcher).await;
        });
    }
    finish(graceful).await;
}

async fn finish(graceful: hyper_util::server::graceful::GracefulShutdown) {
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("arrêt\u{a0}: des connexions encore ouvertes sont coupées");
    }
}

/// One connection: the gate reads from the client and passes on to hyper;
/// hyper writes to the client directly.
async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    connection: Arc<Connection>,
    app: Router,
    limits: Limits,
    watcher: hyper_util::server::graceful::Watcher,
) {
    let _ = stream.set_nodelay(true);
    let (from_client, to_client) = stream.into_split();
    let (from_gate, to_hyper) = tokio::io::simplex(16 * 1024);
    let mut to_client = tokio_io_timeout::TimeoutWriter::new(to_client);
    to_client.set_timeout(Some(limits.write_timeout));
    let io = TokioIo::new(tokio::io::join(from_gate, Box::pin(to_client)));

    let counted = connection.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        // The peer address only feeds the flood limiter's salted hash.
        request.extensions_mut().insert(ConnectInfo(peer));
        let app = app.clone();
        let answered = ResponseGuard(counted.clone());
        async move {
            let response = app.oneshot(request.map(Body::new)).await?;
            // The request counts as under way until hyper has written (or
            // dropped) the whole response body.
            Ok::<_, Infallible>(response.map(|body| {
                Body::new(body.map_frame(move |frame| {
                    let _ = &answered;
                    frame
                }))
            }))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    // The gate keeps the time limits of heads (see gate.rs).
    builder.header_read_timeout(None).keep_alive(true);
    let http = watcher.watch(builder.serve_connection(io, service));
    tokio::pin!(http);

    let gate = gate::Gate::new(from_client, to_hyper, limits.timeouts);
    let run = gate.run(&connection);
    tokio::pin!(run);
    let (outcome, to_hyper) = tokio::select! {
        _ = &mut http => {
            // hyper closed the connection (the client asked to, or sent
            // what hyper refuses): a last read of what the client still
            // sends, so that closing does not reset the connection before
            // the client has read the last response.
            let _ = tokio::time::timeout(gate::LINGER_TIME, &mut run).await;
            return;
        }
        ended = &mut run => ended,
    };
    match outcome {
        gate::Outcome::Cut => {}
        // A refusal is on its way: hyper answers it, then closes.
        gate::Outcome::Refused => {
            let _ = http.await;
        }
        // The client closed its side: hyper reads the end too, and
        // finishes (hyper closes at once on a request cut short). Dropping
        // a half of the pipe does not close it: without the shutdown, hyper
        // waited for more for ever, holding the socket (CLOSE-WAIT), its
        // file descriptor, and its place among the connections.
        gate::Outcome::Closed | gate::Outcome::Unwatched => {
            let mut to_hyper = to_hyper;
            let _ = to_hyper.shutdown().await;
            drop(to_hyper);
            let _ = http.await;
        }
    }
}

/// What a connection shares with the registry and its requests.
pub(crate) struct Connection {
    id: u64,
    client: ClientKey,
    registry: Arc<Registry>,
    /// Requests passed on to hyper whose response is not finished yet.
    under_way: AtomicUsize,
    /// Signalled when `under_way` drops to zero.
    idle: Notify,
    /// Set (under the registry's lock) when the registry closed it to make
    /// room; its counts were released then.
    evicted: AtomicBool,
    evict: Notify,
}

impl Connection {
    /// No request is under way: the connection only waits for the client.
    pub(crate) fn is_idle(&self) -> bool {
        self.under_way.load(Ordering::Acquire) == 0
    }

    pub(crate) async fn became_idle(&self) {
        let notified = self.idle.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if !self.is_idle() {
            notified.await;
        }
    }

    pub(crate) fn request_started(&self) {
        self.under_way.fetch_add(1, Ordering::AcqRel);
    }

    fn request_finished(&self) {
        if self.under_way.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.idle.notify_waiters();
        }
    }

    /// Whether the connection may be closed to make room: it waits for (or
    /// reads) a head and no response is under way.
    pub(crate) fn set_waiting(self: &Arc<Self>, waiting: bool) {
        self.registry.set_waiting(self, waiting);
    }

    pub(crate) async fn evicted(&self) {
        self.evict.notified().await;
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.registry.release(self.id, self.client, &self.evicted);
    }
}

/// Ends a request's count when its response is done.
struct ResponseGuard(Arc<Connection>);

impl Drop for ResponseGuard {
    fn drop(&mut self) {
        self.0.request_finished();
    }
}

enum Admission {
    Admitted(Arc<Connection>),
    /// The client is at its cap with nothing to give up.
    Refused,
    /// The server is at its cap with nothing to give up.
    Full,
}

/// The open connections, by client, and those that may be closed to make
/// room, oldest first.
pub(crate) struct Registry {
    limits: Limits,
    state: Mutex<State>,
    /// Signalled when a connection ends.
    room: Notify,
}

#[derive(Default)]
struct State {
    total: usize,
    per_client: HashMap<ClientKey, usize>,
    /// Connections waiting for a request, by when they started waiting,
    /// with their client. A `Weak`: the registry never keeps a connection
    /// alive.
    waiting: BTreeMap<(Instant, u64), (ClientKey, Weak<Connection>)>,
    /// When each waiting connection started waiting (its key in `waiting`).
    waiting_since: HashMap<u64, Instant>,
    next_id: u64,
}

impl State {
    fn stop_waiting(&mut self, id: u64) {
        if let Some(since) = self.waiting_since.remove(&id) {
            self.waiting.remove(&(since, id));
        }
    }

    fn release_counts(&mut self, client: ClientKey) {
        self.total -= 1;
        if let Some(count) = self.per_client.get_mut(&client) {
            *count -= 1;
            if *count == 0 {
                self.per_client.remove(&client);
            }
        }
    }

    /// Closes the connection that has waited longest (of `client`, if
    /// given) and releases its counts at once; false if none waits.
    ///
    /// The connection goes into `evicted`, for the caller to drop once the
    /// registry is unlocked: if its task has just ended, this is the last
    /// reference, and dropping it releases its counts, which locks the
    /// registry: under the lock, a deadlock of the accepting loop.
    fn evict_oldest(
        &mut self,
        client: Option<ClientKey>,
        evicted: &mut Vec<Arc<Connection>>,
    ) -> bool {
        loop {
            let found = self
                .waiting
                .iter()
                .find(|(_, (owner, _))| client.is_none_or(|client| *owner == client))
                .map(|(key, (_, weak))| (*key, weak.clone()));
            let Some((key, weak)) = found else {
                return false;
            };
            self.waiting.remove(&key);
            self.waiting_since.remove(&key.1);
            // A connection already on its way out releases its own counts.
            if let Some(connection) = weak.upgrade() {
                connection.evicted.store(true, Ordering::Release);
                connection.evict.notify_one();
                self.release_counts(connection.client);
                evicted.push(connection);
                return true;
            }
        }
    }
}

impl Registry {
    fn new(limits: Limits) -> Registry {
        Registry {
            limits,
            state: Mutex::new(State::default()),
            room: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Makes room for a connection of `client`, held to the per-client cap
    /// if `capped`.
    fn admit(self: &Arc<Self>, client: ClientKey, capped: bool) -> Admission {
        // Declared before the guard, so dropped after it (see `evict_oldest`).
        let mut evicted = Vec::new();
        let mut state = self.lock();
        let count = state.per_client.get(&client).copied().unwrap_or(0);
        if capped
            && count >= self.limits.per_client
            && !state.evict_oldest(Some(client), &mut evicted)
        {
            return Admission::Refused;
        }
        if state.total >= self.limits.max_connections && !state.evict_oldest(None, &mut evicted) {
            return Admission::Full;
        }
        state.total += 1;
        *state.per_client.entry(client).or_default() += 1;
        state.next_id += 1;
        Admission::Admitted(Arc::new(Connection {
            id: state.next_id,
            client,
            registry: self.clone(),
            under_way: AtomicUsize::new(0),
            idle: Notify::new(),
            evicted: AtomicBool::new(false),
            evict: Notify::new(),
        }))
    }

    fn set_waiting(&self, connection: &Arc<Connection>, waiting: bool) {
        let mut state = self.lock();
        if connection.evicted.load(Ordering::Acquire) {
            return;
        }
        let id = connection.id;
        if !waiting {
            state.stop_waiting(id);
        } else if let std::collections::hash_map::Entry::Vacant(entry) =
            state.waiting_since.entry(id)
        {
            let now = Instant::now();
            entry.insert(now);
            state
                .waiting
                .insert((now, id), (connection.client, Arc::downgrade(connection)));
            drop(state);
            // A newcomer waiting for room may now take this one's.
            self.room.notify_one();
        }
    }

    fn release(&self, id: u64, client: ClientKey, evicted: &AtomicBool) {
        let mut state = self.lock();
        state.stop_waiting(id);
        if !evicted.load(Ordering::Acquire) {
            state.release_counts(client);
        }
        drop(state);
        self.room.notify_one();
    }
}
