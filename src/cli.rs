//! Command-line interface. Everything a user reads here is in French, including
//! clap's own headings, which are set through templates.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgAction, Args, Parser, Subcommand};

use crate::cmd;

const HELP_TEMPLATE: &str = "\
{before-help}{about-with-newline}
Utilisation\u{a0}: {usage}

{all-args}{after-help}";

#[derive(Debug, Parser)]
#[command(
    name = "chezsoi",
    version,
    about = "Chez soi sur le web\u{a0}: le guide, l’autodiagnostic et les ateliers pour ne plus dépendre des réseaux sociaux.",
    help_template = HELP_TEMPLATE,
    subcommand_help_heading = "Commandes\u{a0}",
    subcommand_value_name = "COMMANDE",
    next_help_heading = "Options\u{a0}",
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    after_help = "Chaque option peut aussi se régler par la variable d’environnement indiquée entre crochets."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Affiche l’aide
    #[arg(short = 'h', long = "help", action = ArgAction::Help, global = true)]
    help: Option<bool>,

    /// Affiche la version
    #[arg(short = 'V', long = "version", action = ArgAction::Version)]
    version: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Construit le livre puis le sert en HTTP avec les questionnaires
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Options\u{a0}")]
    Serve(ServeArgs),
    /// Travaille sur le livre (construction HTML)
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Commandes\u{a0}", subcommand_value_name = "COMMANDE")]
    Book(BookCommand),
    /// Vérifie les questionnaires de quizzes/ et signale tous les problèmes
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Commandes\u{a0}", subcommand_value_name = "COMMANDE")]
    Quiz(QuizCommand),
    /// Entretient la base SQLite (sauvegarde à chaud)
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Commandes\u{a0}", subcommand_value_name = "COMMANDE")]
    Db(DbCommand),
    /// Crée un atelier ou efface les ateliers expirés
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Commandes\u{a0}", subcommand_value_name = "COMMANDE")]
    Workshop(WorkshopCommand),
    /// Préprocesseur mdBook : lit le livre en JSON sur l’entrée standard (pour `mdbook build`)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Options\u{a0}")]
    Preprocess(PreprocessArgs),
    /// Protocole mdBook : indique si le préprocesseur prend en charge un moteur de rendu
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Options\u{a0}")]
    Supports(SupportsArgs),
}

#[derive(Debug, Args)]
pub struct RootArg {
    /// Dossier du projet, celui qui contient book.toml (par défaut : le dossier courant)
    #[arg(
        long,
        env = "CHEZSOI_ROOT",
        default_value = ".",
        hide_default_value = true,
        value_name = "DOSSIER"
    )]
    pub root: PathBuf,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Adresse d’écoute du serveur HTTP (par défaut : 127.0.0.1:3000)
    #[arg(
        long,
        env = "CHEZSOI_ADDR",
        default_value = "127.0.0.1:3000",
        hide_default_value = true,
        value_name = "ADRESSE:PORT"
    )]
    pub addr: String,
    /// Fichier SQLite des résultats anonymes, créé au besoin avec son dossier (par défaut : data/chezsoi.db)
    #[arg(
        long,
        env = "CHEZSOI_DB",
        default_value = "data/chezsoi.db",
        hide_default_value = true,
        value_name = "FICHIER"
    )]
    pub db: PathBuf,
    #[command(flatten)]
    pub root: RootArg,
    /// Reconstruit le livre quand book/, quizzes/ ou theme/ changent et recharge la page (aperçu pour les auteurs)
    #[arg(long, env = "CHEZSOI_WATCH")]
    pub watch: bool,
    /// Nombre minimal de réponses avant d’afficher des chiffres de groupe (par défaut : 5)
    #[arg(long, env = "CHEZSOI_MIN_GROUP", default_value_t = crate::web::DEFAULT_MIN_GROUP as u16, hide_default_value = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub min_group: u16,
    /// Adresse publique du site, pour les liens et codes QR des ateliers, par exemple https://atelier.example.org (par défaut : l’adresse sous laquelle l’animateur ouvre le site)
    #[arg(long, env = "CHEZSOI_BASE_URL", value_name = "URL", value_parser = parse_base_url)]
    pub base_url: Option<String>,
    /// Envois de réponses (questionnaires et ateliers) et ouvertures d’atelier permis par client et par minute ; au-delà : 429 (par défaut : 600). Derrière un proxy inverse, tous les clients ont l’adresse du proxy : relevez-le
    #[arg(long, env = "CHEZSOI_PARTICIPATION_LIMIT", default_value_t = crate::web::PARTICIPATION_PER_MINUTE, hide_default_value = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub participation_limit: u32,
    #[command(flatten)]
    pub retention: RetentionArg,
}

#[derive(Debug, Args)]
pub struct DbArg {
    /// Fichier SQLite des résultats anonymes, créé au besoin avec son dossier (par défaut : data/chezsoi.db)
    #[arg(
        long,
        env = "CHEZSOI_DB",
        default_value = "data/chezsoi.db",
        hide_default_value = true,
        value_name = "FICHIER"
    )]
    pub db: PathBuf,
}

#[derive(Debug, Args)]
pub struct RetentionArg {
    /// Nombre de jours après lesquels un atelier et ses résultats sont effacés (par défaut : 30)
    #[arg(
        long = "retention-days",
        env = "CHEZSOI_RETENTION_DAYS",
        default_value_t = crate::workshop::DEFAULT_RETENTION_DAYS,
        hide_default_value = true,
        value_name = "JOURS",
        value_parser = clap::value_parser!(u32).range(1..=3650)
    )]
    pub days: u32,
}

#[derive(Debug, Subcommand)]
pub enum WorkshopCommand {
    /// Crée un atelier et affiche son code, son adresse de participation et le lien d’animation secret
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Options\u{a0}")]
    New(WorkshopNewArgs),
    /// Efface les ateliers plus anciens que le délai de conservation, avec leurs résultats
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Options\u{a0}")]
    Purge(WorkshopPurgeArgs),
}

#[derive(Debug, Args)]
pub struct WorkshopNewArgs {
    /// Titre de l’atelier, affiché à l’écran et sur les téléphones (120 caractères au plus)
    #[arg(long, value_name = "TITRE")]
    pub title: String,
    /// Identifiant du questionnaire (nom du fichier dans quizzes/, sans .toml ; par défaut : diagnostic)
    #[arg(
        long,
        default_value = "diagnostic",
        hide_default_value = true,
        value_name = "IDENTIFIANT"
    )]
    pub quiz: String,
    /// Nombre minimal de réponses avant d’afficher les résultats du groupe, de 3 à 1000 (par défaut : 5)
    #[arg(long, default_value_t = crate::workshop::DEFAULT_MIN_GROUP, hide_default_value = true, value_name = "N")]
    pub min_group: u32,
    /// Adresse du site telle que les participants la saisiront (par défaut : http://127.0.0.1:3000)
    #[arg(
        long,
        env = "CHEZSOI_BASE_URL",
        default_value = "http://127.0.0.1:3000",
        hide_default_value = true,
        value_name = "URL",
        value_parser = parse_base_url
    )]
    pub base_url: String,
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Args)]
pub struct WorkshopPurgeArgs {
    #[command(flatten)]
    pub retention: RetentionArg,
    #[command(flatten)]
    pub db: DbArg,
}

fn parse_base_url(text: &str) -> Result<String, String> {
    crate::workshop::parse_base_url(text)
}

#[derive(Debug, Subcommand)]
pub enum BookCommand {
    /// Construit le livre en HTML autonome (et en PDF avec --pdf)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Options\u{a0}")]
    Build(BookBuildArgs),
}

#[derive(Debug, Args)]
pub struct BookBuildArgs {
    /// Dossier de sortie (par défaut, build-dir de book.toml : target/book)
    #[arg(long, env = "CHEZSOI_OUT", value_name = "DOSSIER")]
    pub out: Option<PathBuf>,
    /// Produit aussi DOSSIER/chezsoi.pdf avec Chromium (paquet Debian « chromium »)
    #[arg(long, env = "CHEZSOI_PDF")]
    pub pdf: bool,
    #[command(flatten)]
    pub root: RootArg,
    /// Version pour le site (formulaires reliés au serveur) : utilisé par `serve`
    #[arg(long, hide = true)]
    pub site: bool,
    /// Adresse du flux de rechargement (aperçu en direct) : utilisé par `serve --watch`
    #[arg(long, hide = true, value_name = "CHEMIN")]
    pub live_reload: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum QuizCommand {
    /// Vérifie chaque fichier quizzes/*.toml (fichier, ligne, colonne et champ de chaque problème)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Options\u{a0}")]
    Check(QuizCheckArgs),
}

#[derive(Debug, Args)]
pub struct QuizCheckArgs {
    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Copie cohérente de la base dans FICHIER, même pendant que le serveur tourne
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Options\u{a0}")]
    Backup(DbBackupArgs),
}

#[derive(Debug, Args)]
pub struct DbBackupArgs {
    /// Fichier de sauvegarde à créer (il ne doit pas exister)
    #[arg(value_name = "FICHIER")]
    pub file: PathBuf,
    /// Base à sauvegarder (par défaut : data/chezsoi.db)
    #[arg(
        long,
        env = "CHEZSOI_DB",
        default_value = "data/chezsoi.db",
        hide_default_value = true,
        value_name = "FICHIER"
    )]
    pub db: PathBuf,
}

#[derive(Debug, Args)]
pub struct PreprocessArgs {
    /// Arguments ajoutés par mdBook (ignorés)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub rest: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SupportsArgs {
    /// Nom du moteur de rendu (html, markdown…)
    pub renderer: String,
}

/// Parses the command line, runs the command and turns any error into one
/// French paragraph on stderr (no backtrace) and a non-zero exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(matches!(
        cli.command,
        Command::Preprocess(_) | Command::Supports(_)
    ));
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("{}", render_error(&error));
            ExitCode::FAILURE
        }
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => cmd::serve::run(args).map(|()| ExitCode::SUCCESS),
        Command::Book(BookCommand::Build(args)) => {
            cmd::book::build(args).map(|()| ExitCode::SUCCESS)
        }
        Command::Quiz(QuizCommand::Check(args)) => {
            cmd::quiz::check(args).map(|()| ExitCode::SUCCESS)
        }
        Command::Db(DbCommand::Backup(args)) => cmd::db::backup(args).map(|()| ExitCode::SUCCESS),
        Command::Workshop(WorkshopCommand::New(args)) => {
            cmd::workshop::new(args).map(|()| ExitCode::SUCCESS)
        }
        Command::Workshop(WorkshopCommand::Purge(args)) => {
            cmd::workshop::purge(args).map(|()| ExitCode::SUCCESS)
        }
        Command::Preprocess(_) => cmd::preprocess::run().map(|()| ExitCode::SUCCESS),
        Command::Supports(args) => Ok(cmd::preprocess::supports(&args.renderer)),
    }
}

/// `erreur : contexte` followed by each cause on its own line.
pub fn render_error(error: &anyhow::Error) -> String {
    let mut text = format!("erreur\u{a0}: {error}");
    for cause in error.chain().skip(1) {
        text.push_str(&format!("\n  cause\u{a0}: {cause}"));
    }
    text
}

fn init_logging(quiet: bool) {
    use tracing_subscriber::EnvFilter;
    // The preprocessor talks JSON on stdout: logs must go to stderr, and stay
    // quiet unless asked for.
    let default = if quiet {
        "warn"
    } else {
        "info,mdbook=warn,tower_http=warn,handlebars=warn"
    };
    let filter = EnvFilter::try_from_env("CHEZSOI_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
