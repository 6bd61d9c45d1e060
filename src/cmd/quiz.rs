//! `chezsoi quiz check`: every problem of every quiz file, at once.

use anyhow::Result;
use clap::{Args, Subcommand};

use super::{HELP_TEMPLATE, RootArg};
use crate::content::Content;
use crate::project::Project;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Vérifie chaque fichier quizzes/*.toml (fichier, ligne, colonne et champ de chaque problème)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Options\u{a0}")]
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub root: RootArg,
}

pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Check(args) => check(args),
    }
}

/// Validates every quiz file; all problems are reported at once.
fn check(args: CheckArgs) -> Result<()> {
    let project = Project::open(&args.root.root)?;
    let content = Content::load(&project)?;
    for quiz in content.catalog.iter() {
        println!(
            "quizzes/{}.toml\u{a0}: {} — {} questions, version {}",
            quiz.id,
            quiz.mode.as_str(),
            quiz.questions.len(),
            quiz.version
        );
    }
    println!("{} questionnaire(s) valide(s).", content.catalog.len());
    Ok(())
}
