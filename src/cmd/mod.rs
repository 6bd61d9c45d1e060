//! One file per subcommand, each owning its clap arguments and its `run`,
//! a thin layer over the library; `cli` only composes them. What several
//! subcommands share — the French help layout, the project, database and
//! retention options, and how an error is told — is here.

pub mod book;
pub mod db;
pub mod preprocess;
pub mod quiz;
pub mod serve;
pub mod supports;
pub mod workshop;

use std::path::PathBuf;

use clap::Args;

/// clap's help layout with French headings (set on every command).
pub const HELP_TEMPLATE: &str = "\
{before-help}{about-with-newline}
Utilisation\u{a0}: {usage}

{all-args}{after-help}";

#[derive(Debug, Args)]
pub struct RootArg {
    /// Dossier du projet, celui qui contient book.toml (par défaut : le dossier courant)
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
pub struct DbArg {
    /// Fichier SQLite des résultats anonymes (par défaut : data/chezsoi.db) ; serve et workshop le créent au besoin, avec son dossier
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
    /// Nombre de jours après lesquels les résultats d’un atelier sont effacés ; un atelier qui a atteint son minimum de réponses garde ensuite ses seules moyennes de groupe, 400 jours, pour un atelier de suivi (par défaut : 30)
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

/// clap's check of an operator's site address (`--base-url`).
pub fn parse_base_url(text: &str) -> Result<String, String> {
    crate::workshop::parse_base_url(text)
}

/// `erreur : contexte` followed by each cause on its own line: what the
/// user reads on stderr (no backtrace).
pub fn render_error(error: &anyhow::Error) -> String {
    let mut text = format!("erreur\u{a0}: {error}");
    for cause in error.chain().skip(1) {
        text.push_str(&format!("\n  cause\u{a0}: {cause}"));
    }
    text
}
