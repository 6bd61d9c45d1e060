//! `chezsoi workshop new` and `chezsoi workshop purge`.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use super::{DbArg, HELP_TEMPLATE, RetentionArg, RootArg, parse_base_url};
use crate::content::Content;
use crate::project::Project;
use crate::store::Store;
use crate::workshop::{self, WorkshopRequest};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Crée un atelier et affiche son code, son adresse de participation, le lien d’animation secret et l’adresse de la vue à projeter
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Options\u{a0}")]
    New(NewArgs),
    /// Efface les résultats des ateliers plus anciens que le délai de conservation (un atelier qui a atteint son minimum garde ses seules moyennes de groupe, pour un suivi)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Options\u{a0}")]
    Purge(PurgeArgs),
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Titre de l’atelier, affiché à l’écran et sur les téléphones (120 caractères au plus)
    #[arg(long, value_name = "TITRE")]
    pub title: String,
    /// Identifiant du questionnaire (nom du fichier dans quizzes/, sans .toml ; par défaut : diagnostic)
    #[arg(
        long,
        default_value = "diagnostic",
        hide_default_value = true,
        value_name = "IDENTIFIANT"
    )]
    pub quiz: String,
    /// Nombre minimal de réponses avant d’afficher les résultats du groupe, de 3 à 1000 (par défaut : 5)
    #[arg(long, default_value_t = workshop::DEFAULT_MIN_GROUP, hide_default_value = true, value_name = "N")]
    pub min_group: u32,
    /// Adresse du site telle que les participants la saisiront (par défaut : http://127.0.0.1:3000)
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
pub struct PurgeArgs {
    #[command(flatten)]
    pub retention: RetentionArg,
    #[command(flatten)]
    pub db: DbArg,
}

pub fn run(command: Command) -> Result<()> {
    match command {
        Command::New(args) => new(args),
        Command::Purge(args) => purge(args),
    }
}

/// Creates a workshop and prints what the facilitator needs; the key is
/// shown here once and never again.
fn new(args: NewArgs) -> Result<()> {
    let project = Project::open(&args.root.root)?;
    let content = Content::load(&project)?;
    let request = WorkshopRequest {
        title: args.title,
        quiz_id: args.quiz,
        min_group: args.min_group,
    }
    .validate(|id| content.catalog.get(id).is_some())
    .map_err(|errors| {
        let reasons: Vec<String> = errors.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("atelier non créé\u{a0}: {}", reasons.join("\u{a0}; "))
    })?;
    let store = Store::open(&args.db.db)
        .with_context(|| "base de données (option --db ou CHEZSOI_DB)".to_string())?;
    let created = workshop::create(&store, &request, workshop::now_unix())?;
    let id = created.workshop.id;
    let code = &created.workshop.join_code;
    println!(
        "Atelier créé\u{a0}: «\u{a0}{}\u{a0}» (questionnaire «\u{a0}{}\u{a0}», résultats du groupe à partir de {} réponses).",
        created.workshop.title, created.workshop.quiz_id, created.workshop.min_group
    );
    println!("Code\u{a0}: {}", workshop::display_join_code(code));
    println!(
        "Adresse de participation\u{a0}: {}",
        workshop::join_url(&args.base_url, code)
    );
    println!(
        "Lien d’animation (secret, à ne pas projeter)\u{a0}: {}",
        workshop::facilitator_url(&args.base_url, id, &created.key)
    );
    println!("Gardez ce lien\u{a0}: il ne sera plus affiché, et c’est la seule clé de l’atelier.");
    println!(
        "Vue à projeter (ni fermeture, ni suppression, ni export)\u{a0}: {}",
        workshop::projector_url(&args.base_url, id, &workshop::projector_key(&created.key))
    );
    Ok(())
}

/// Erases the answers of the workshops older than the retention (see
/// `workshop::purge_expired`).
fn purge(args: PurgeArgs) -> Result<()> {
    let store = Store::open(&args.db.db)
        .with_context(|| "base de données (option --db ou CHEZSOI_DB)".to_string())?;
    let purged = workshop::purge_expired(&store, args.retention.days, workshop::now_unix())?;
    println!("{}", purged.describe(args.retention.days));
    Ok(())
}
