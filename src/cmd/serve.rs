//! `chezsoi serve`: builds the site's book, then serves it with the
//! quizzes, the results and the workshops.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use notify_debouncer_mini::notify::{self, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer};
use tokio::net::TcpListener;
use tokio::sync::broadcast;

use super::{DbArg, RetentionArg, RootArg, parse_base_url, render_error};
use crate::aggregate;
use crate::book::{self, BuildOptions, Built, Target};
use crate::content::Content;
use crate::project::Project;
use crate::store::Store;
use crate::web::{self, AppState, WorkshopSettings, server};
use crate::workshop;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Adresse d’écoute du serveur HTTP (par défaut : 127.0.0.1:3000)
    #[arg(
        long,
        env = "CHEZSOI_ADDR",
        default_value = "127.0.0.1:3000",
        hide_default_value = true,
        value_name = "ADRESSE:PORT"
    )]
    pub addr: String,
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub root: RootArg,
    /// Reconstruit le livre quand book/, quizzes/ ou theme/ changent et recharge la page (aperçu pour les auteurs)
    #[arg(long, env = "CHEZSOI_WATCH")]
    pub watch: bool,
    /// Nombre minimal de réponses avant d’afficher des chiffres de groupe sur /stats, de 3 (le plancher de confidentialité, le même que pour les ateliers) à 1000 (par défaut : 5)
    #[arg(long, env = "CHEZSOI_MIN_GROUP", default_value_t = aggregate::DEFAULT_MIN_GROUP, hide_default_value = true, value_name = "N", value_parser = clap::value_parser!(u32).range(i64::from(*workshop::MIN_GROUP_RANGE.start())..=i64::from(*workshop::MIN_GROUP_RANGE.end())))]
    pub min_group: u32,
    /// Adresse publique du site, pour les liens et codes QR des ateliers, par exemple https://atelier.example.org (par défaut : l’adresse sous laquelle l’animateur ouvre le site)
    #[arg(long, env = "CHEZSOI_BASE_URL", value_name = "URL", value_parser = parse_base_url)]
    pub base_url: Option<String>,
    /// Réponses aux questionnaires hors atelier permises par client et par minute ; au-delà : 429 (par défaut : 600)
    #[arg(long, env = "CHEZSOI_PARTICIPATION_LIMIT", default_value_t = web::PARTICIPATION_PER_MINUTE, hide_default_value = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub participation_limit: u32,
    /// Connexions ouvertes au plus à la fois ; au-delà, la plus ancienne qui n’a encore rien demandé est fermée pour faire de la place, ou les nouvelles attendent (par défaut : 1024, moins si la limite de fichiers ouverts du système ne le permet pas)
    #[arg(long, env = "CHEZSOI_MAX_CONNECTIONS", default_value_t = server::DEFAULT_MAX_CONNECTIONS as u32, hide_default_value = true, value_name = "N", value_parser = clap::value_parser!(u32).range(server::MIN_CONNECTIONS as i64..=1_000_000))]
    pub max_connections: u32,
    /// Connexions ouvertes au plus à la fois par client (une adresse IPv4, ou un /64 en IPv6). Ne s’applique pas aux proxys de --trusted-proxy, par qui passent tous les visiteurs (par défaut : 256)
    #[arg(long, env = "CHEZSOI_MAX_CONNECTIONS_PER_CLIENT", default_value_t = server::DEFAULT_PER_CLIENT as u32, hide_default_value = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections_per_client: u32,
    /// Réponses permises par atelier et par minute, d’où qu’elles viennent : une salle derrière une seule adresse n’est jamais bloquée par un seul téléphone ; au-delà : 429 (par défaut : 2000)
    #[arg(long, env = "CHEZSOI_WORKSHOP_LIMIT", default_value_t = web::WORKSHOP_ANSWERS_PER_MINUTE, hide_default_value = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub workshop_limit: u32,
    /// Proxy inverse de confiance (adresse ou réseau : 127.0.0.1, 10.0.0.0/8, ::1) : pour ses requêtes seulement, l’adresse du client est lue dans X-Forwarded-For (ou Forwarded), pour les limites, jamais enregistrée ; répétable ou séparé par des virgules (par défaut : aucun, ces en-têtes sont ignorés)
    #[arg(long = "trusted-proxy", env = "CHEZSOI_TRUSTED_PROXY", value_name = "ADRESSE", value_delimiter = ',', value_parser = web::TrustedProxies::parse_one)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    #[command(flatten)]
    pub retention: RetentionArg,
}

pub fn run(args: Args) -> Result<()> {
    let project = Project::open(&args.root.root)?;
    let addr: SocketAddr = args.addr.parse().with_context(|| {
        format!(
            "adresse d’écoute invalide «\u{a0}{}\u{a0}» (attendu\u{a0}: 127.0.0.1:3000)\u{a0}; option --addr ou CHEZSOI_ADDR",
            args.addr
        )
    })?;
    let options = BuildOptions {
        target: Target::Site,
        out: None,
        live_reload_endpoint: args.watch.then(|| web::LIVE_RELOAD_PATH.to_string()),
    };
    let budget = server::file_budget(args.max_connections as usize)?;
    // The book first: it checks the quizzes, and nothing (the database
    // included) may be created before they are valid.
    let built = build_in_child(&project, &options)?;
    let store = open_store(&args.db.db)?;
    let retention_days = args.retention.days;
    purge_workshops(&store, retention_days)?;
    let settings = SiteSettings {
        min_group: args.min_group as usize,
        workshops: WorkshopSettings {
            public_url: args.base_url,
            retention_days,
        },
        participation_limit: args.participation_limit,
        limits: server::Limits::new(budget.connections, args.max_connections_per_client as usize),
        open_files: budget.open_files,
        workshop_limit: args.workshop_limit,
        trusted_proxies: web::TrustedProxies::new(args.trusted_proxies),
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("impossible de démarrer le moteur d’exécution")?;
    runtime.block_on(serve(
        project,
        options,
        built,
        Arc::new(store),
        addr,
        args.watch,
        settings,
    ))
}

/// What the operator set for the site: the statistics' minimum group size,
/// the workshops' settings, the flood limits, the trusted proxies and the
/// connections' limits.
struct SiteSettings {
    min_group: usize,
    workshops: WorkshopSettings,
    participation_limit: u32,
    workshop_limit: u32,
    trusted_proxies: web::TrustedProxies,
    limits: server::Limits,
    /// The process's limit of open files, to say at start.
    open_files: u64,
}

/// Opens the database and checks it before anything is served: SQLite
/// finds it sound (`PRAGMA integrity_check`, else the way to restore a
/// backup) and it can be written (else why not: locked, read-only, full).
fn open_store(path: &std::path::Path) -> Result<Store> {
    let store = Store::open(path).context("base de données (option --db ou CHEZSOI_DB)")?;
    store.check_integrity()?;
    store.check_writable(Duration::from_secs(5))?;
    Ok(store)
}

/// Deletes expired workshops and their results, saying so when there were.
fn purge_workshops(store: &Store, retention_days: u32) -> Result<()> {
    let purged = workshop::purge_expired(store, retention_days, workshop::now_unix())
        .context("impossible d’effacer les ateliers expirés")?;
    if !purged.is_empty() {
        println!("{}", purged.describe(retention_days));
    }
    Ok(())
}

async fn serve(
    project: Project,
    options: BuildOptions,
    built: Built,
    store: Arc<Store>,
    addr: SocketAddr,
    watch: bool,
    settings: SiteSettings,
) -> Result<()> {
    let retention_days = settings.workshops.retention_days;
    let (state, reload) = AppState::build(
        built.out,
        store.clone(),
        built.content,
        settings.min_group,
        watch,
    )?;
    state.configure_workshops(settings.workshops);
    state.set_participation_limit(settings.participation_limit);
    state.set_workshop_limit(settings.workshop_limit);
    let proxies = settings.trusted_proxies.clone();
    state.set_trusted_proxies(settings.trusted_proxies);
    // Expired workshops go at start (above) and then every hour.
    tokio::spawn(async move {
        let mut hourly = tokio::time::interval(Duration::from_secs(3600));
        hourly.tick().await;
        loop {
            hourly.tick().await;
            let store = store.clone();
            let purged =
                tokio::task::spawn_blocking(move || purge_workshops(&store, retention_days)).await;
            if let Ok(Err(error)) = purged {
                tracing::error!(error = %format!("{error:#}"), "purge des ateliers");
            }
        }
    });
    let _watcher = match reload {
        Some(reload) => Some(start_watcher(project, options, state.clone(), reload)?),
        None => None,
    };

    let stop = shutdown_signal()?;
    let listener = TcpListener::bind(addr).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
            "l’adresse {addr} est déjà utilisée\u{a0}: un autre programme écoute sur ce port. \
             Arrêtez-le ou choisissez un autre port avec --addr (ou CHEZSOI_ADDR)."
        ),
        std::io::ErrorKind::PermissionDenied => anyhow::anyhow!(
            "permission refusée pour écouter sur {addr}\u{a0}: choisissez un port au-dessus de 1024 avec --addr."
        ),
        _ => anyhow::Error::new(e).context(format!("impossible d’écouter sur {addr}")),
    })?;
    let local = listener.local_addr()?;
    println!("Chez soi sur le web est servi sur http://{local}/");
    if watch {
        println!(
            "Aperçu en direct\u{a0}: les pages se rechargent quand book/, quizzes/ ou theme/ changent."
        );
    }
    let limits = settings.limits;
    println!(
        "Connexions\u{a0}: {} à la fois au plus, dont {} par client (limite de fichiers ouverts\u{a0}: {}, dont {} gardés pour la base et le serveur).",
        limits.max_connections,
        limits.per_client,
        settings.open_files,
        server::RESERVED_FILES
    );
    println!("Ctrl-C pour arrêter.");

    // On Ctrl-C or SIGTERM, open event streams end (the live count, live
    // reload): graceful shutdown would otherwise wait for every browser
    // showing one to hang up.
    let streams = state.shutdown().clone();
    let shutdown = async move {
        stop.await;
        streams.cancel();
    };
    server::serve(listener, web::router(state), limits, &proxies, shutdown).await;
    println!("Serveur arrêté proprement.");
    Ok(())
}

/// Ctrl-C and SIGTERM, listened to from the call on. Registered before the
/// address is announced: a supervisor (or a test) that stops the server as
/// soon as it answers must stop it cleanly, not kill it — a handler
/// registered when first polled could come after the first request.
fn shutdown_signal() -> Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt =
            signal(SignalKind::interrupt()).context("impossible d’écouter Ctrl-C")?;
        let mut terminate =
            signal(SignalKind::terminate()).context("impossible d’écouter SIGTERM")?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// Watches the sources and rebuilds the book on change; a failed rebuild is
/// reported and the previous pages keep being served.
///
/// The sources are polled (as `mdbook serve` does by default) rather than
/// watched through inotify: the build reads them, and inotify reports every
/// read as an event, which would rebuild forever. The poller compares
/// contents, not only times, which it keeps to the second: an edit in the
/// second of the last look would be missed (the sources are a few hundred
/// kilobytes). notify-debouncer-mini turns an editor's burst of writes into
/// one change.
fn start_watcher(
    project: Project,
    options: BuildOptions,
    state: AppState,
    reload: broadcast::Sender<()>,
) -> Result<Debouncer<notify::PollWatcher>> {
    let (events, mut changes) = tokio::sync::mpsc::unbounded_channel::<()>();
    let out_dir = book::load_config(&project, None)
        .map(|c| project.root.join(c.build.build_dir))
        .unwrap_or_else(|_| project.root.join("target"));
    let config = notify_debouncer_mini::Config::default()
        .with_timeout(DEBOUNCE)
        .with_notify_config(
            notify::Config::default()
                .with_poll_interval(POLL_INTERVAL)
                .with_compare_contents(true),
        );
    let mut debouncer = notify_debouncer_mini::new_debouncer_opt::<_, notify::PollWatcher>(
        config,
        move |result: DebounceEventResult| {
            let changed = result.is_ok_and(|changed| {
                changed
                    .iter()
                    .any(|event| !event.path.starts_with(&out_dir))
            });
            if changed {
                let _ = events.send(());
            }
        },
    )
    .context("surveillance des fichiers impossible")?;
    let watched: Vec<(PathBuf, RecursiveMode)> = vec![
        (project.root.join("book"), RecursiveMode::Recursive),
        (project.quizzes_dir(), RecursiveMode::Recursive),
        (project.theme_dir(), RecursiveMode::Recursive),
        (project.book_toml(), RecursiveMode::NonRecursive),
    ];
    for (path, mode) in watched {
        if path.exists() {
            debouncer.watcher().watch(&path, mode).with_context(|| {
                format!("impossible de surveiller «\u{a0}{}\u{a0}»", path.display())
            })?;
        }
    }

    tokio::spawn(async move {
        while changes.recv().await.is_some() {
            // Changes seen while the last build ran: one build covers them.
            while changes.try_recv().is_ok() {}
            let project = project.clone();
            let options = options.clone();
            let result = tokio::task::spawn_blocking(move || rebuild(&project, &options)).await;
            match result {
                Ok(Ok(built)) => {
                    tracing::info!(dossier = %built.out.display(), "livre reconstruit");
                    state.replace_content(built.content);
                    if let Err(error) = state.reload_book() {
                        eprintln!("{}", render_error(&error));
                    }
                    let _ = reload.send(());
                }
                Ok(Err(error)) => eprintln!("{}", render_error(&error)),
                Err(error) => tracing::error!(%error, "reconstruction interrompue"),
            }
        }
    });
    Ok(debouncer)
}

/// How often `--watch` looks at the sources.
const POLL_INTERVAL: Duration = Duration::from_millis(300);
/// How long the sources must stay still before a rebuild.
const DEBOUNCE: Duration = Duration::from_millis(200);

fn rebuild(project: &Project, options: &BuildOptions) -> Result<Built> {
    build_in_child(project, options)
}

/// Builds the site's book in a short-lived child process (this same binary,
/// `book build --site`), which runs mdBook in-process. Rendering a book
/// allocates several times what serving it needs; in a child, that peak is
/// returned to the system when it exits instead of staying resident in the
/// server for its whole life, and a build that goes wrong cannot take the
/// server down.
fn build_in_child(project: &Project, options: &BuildOptions) -> Result<Built> {
    let out = match &options.out {
        Some(out) => out.clone(),
        None => project
            .root
            .join(book::load_config(project, None)?.build.build_dir),
    };
    let exe = std::env::current_exe().context("chemin du programme chezsoi introuvable")?;
    let mut command = std::process::Command::new(exe);
    command
        .args(["book", "build", "--site", "--root"])
        .arg(&project.root)
        .arg("--out")
        .arg(&out);
    if let Some(endpoint) = &options.live_reload_endpoint {
        command.arg("--live-reload").arg(endpoint);
    }
    let output = command
        .env_remove("CHEZSOI_PDF")
        .env_remove("CHEZSOI_OUT")
        .stdin(std::process::Stdio::null())
        .output()
        .context("impossible de lancer la construction du livre")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let message = stderr.trim().trim_start_matches("erreur\u{a0}: ");
        anyhow::bail!("{message}");
    }
    // The quizzes and chapter titles the server needs: light to load here.
    let content = Content::load(project)?;
    Ok(Built { out, content })
}
