//! `chezsoi preprocess`: mdBook's preprocessor protocol, so that a stock
//! `mdbook build` on this repository runs the same preprocessors as
//! `chezsoi book build` (book.toml names this command). mdBook first runs
//! `chezsoi preprocess supports html`, then `chezsoi preprocess` with the
//! JSON `[context, book]` on standard input, and reads the book back from
//! standard output.

use std::io;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Subcommand;
use mdbook::preprocess::CmdPreprocessor;

use super::{HELP_TEMPLATE, supports};
use crate::book::{self, Target};
use crate::content::Content;
use crate::project::Project;

#[derive(Debug, clap::Args)]
#[command(disable_help_subcommand = true, subcommand_value_name = "COMMANDE")]
pub struct Args {
    #[command(subcommand)]
    pub question: Option<Question>,
}

/// What mdBook may ask before running the preprocessor.
#[derive(Debug, Subcommand)]
pub enum Question {
    /// Protocole mdBook : indique si le préprocesseur prend en charge un moteur de rendu
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Options\u{a0}")]
    Supports(supports::Args),
}

pub fn run(args: Args) -> Result<()> {
    match args.question {
        Some(Question::Supports(args)) => supports::run(args),
        None => preprocess(),
    }
}

fn preprocess() -> Result<()> {
    let (mut ctx, book) = CmdPreprocessor::parse_input(io::stdin()).context(
        "entrée illisible\u{a0}: `chezsoi preprocess` attend le livre en JSON envoyé par mdBook",
    )?;
    book::prepare_admonish_config(&mut ctx.config)?;
    let project = Project::open(&ctx.root)?;
    let content = Content::for_book(&project, &book)?;
    let mut book = book;
    // A stock `mdbook serve` has no server to post to: paper worksheets.
    for preprocessor in book::content_preprocessors(Arc::new(content), Target::Offline)? {
        book = preprocessor.run(&ctx, book).with_context(|| {
            format!(
                "le préprocesseur «\u{a0}{}\u{a0}» a échoué",
                preprocessor.name()
            )
        })?;
    }
    serde_json::to_writer(io::stdout(), &book)
        .context("impossible d’écrire le livre sur la sortie standard")?;
    Ok(())
}
