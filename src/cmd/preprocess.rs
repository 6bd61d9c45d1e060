//! mdBook's preprocessor protocol, so that a stock `mdbook build` on this
//! repository runs the same preprocessors as `chezsoi book build`.

use std::io;
use std::process::ExitCode;

use anyhow::{Context, Result};
use mdbook::preprocess::CmdPreprocessor;

use crate::book;

pub fn run() -> Result<()> {
    let (mut ctx, book) = CmdPreprocessor::parse_input(io::stdin()).context(
        "entrée illisible : `chezsoi preprocess` attend le livre en JSON envoyé par mdBook",
    )?;
    book::prepare_admonish_config(&mut ctx.config)?;
    let mut book = book;
    for preprocessor in book::content_preprocessors() {
        book = preprocessor
            .run(&ctx, book)
            .with_context(|| format!("le préprocesseur « {} » a échoué", preprocessor.name()))?;
    }
    serde_json::to_writer(io::stdout(), &book)
        .context("impossible d'écrire le livre sur la sortie standard")?;
    Ok(())
}

pub fn supports(renderer: &str) -> ExitCode {
    if book::content_preprocessors()
        .iter()
        .all(|p| p.supports_renderer(renderer))
    {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
