//! The command line: composes the subcommands of `cmd/`, each of which owns
//! its arguments and its `run`. Everything a user reads is in French,
//! clap's own headings included (set through templates).

use std::process::ExitCode;

use clap::{ArgAction, Parser, Subcommand};

use crate::cmd::{self, HELP_TEMPLATE};

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
    Serve(cmd::serve::Args),
    /// Travaille sur le livre (construction HTML)
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Commandes\u{a0}", subcommand_value_name = "COMMANDE")]
    Book(cmd::book::Command),
    /// Vérifie les questionnaires de quizzes/ et signale tous les problèmes
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Commandes\u{a0}", subcommand_value_name = "COMMANDE")]
    Quiz(cmd::quiz::Command),
    /// Entretient la base SQLite (sauvegarde à chaud)
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Commandes\u{a0}", subcommand_value_name = "COMMANDE")]
    Db(cmd::db::Command),
    /// Crée un atelier ou efface les ateliers expirés
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Commandes\u{a0}", subcommand_value_name = "COMMANDE")]
    Workshop(cmd::workshop::Command),
    /// Préprocesseur mdBook : lit le livre en JSON sur l’entrée standard (pour `mdbook build`)
    #[command(help_template = HELP_TEMPLATE, subcommand_help_heading = "Commandes\u{a0}", next_help_heading = "Options\u{a0}")]
    Preprocess(cmd::preprocess::Args),
    /// Protocole mdBook : indique si le préprocesseur prend en charge un moteur de rendu
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Options\u{a0}")]
    Supports(cmd::supports::Args),
}

/// Parses the command line, runs the command and turns any error into one
/// French paragraph on stderr (no backtrace) and a non-zero exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(matches!(
        cli.command,
        Command::Preprocess(_) | Command::Supports(_)
    ));
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}", cmd::render_error(&error));
            ExitCode::FAILURE
        }
    }
}

/// Runs one subcommand.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => cmd::serve::run(args),
        Command::Book(command) => cmd::book::run(command),
        Command::Quiz(command) => cmd::quiz::run(command),
        Command::Db(command) => cmd::db::run(command),
        Command::Workshop(command) => cmd::workshop::run(command),
        Command::Preprocess(args) => cmd::preprocess::run(args),
        Command::Supports(args) => cmd::supports::run(args),
    }
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn the_command_line_definition_is_consistent() {
        // clap's own checks: no two arguments with one name or short flag,
        // defaults that parse, required arguments that can be given…
        Cli::command().debug_assert();
    }

    #[test]
    fn mdbook_can_ask_the_preprocessor_what_it_supports() {
        use clap::Parser;
        for line in [
            ["chezsoi", "preprocess", "supports", "html"].as_slice(),
            ["chezsoi", "supports", "html"].as_slice(),
            ["chezsoi", "preprocess"].as_slice(),
        ] {
            let parsed = Cli::try_parse_from(line);
            assert!(parsed.is_ok(), "{line:?}: {parsed:?}");
        }
    }
}
