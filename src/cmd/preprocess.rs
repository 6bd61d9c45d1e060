//! mdBook's preprocessor protocol, so that a stock `mdbook build` on this
//! repository runs the same preprocessors as `chezsoi book build`.

use std::io;
use std::process::ExitCode;

use anyhow::{Context, Result};
use mdbook::preprocess::CmdPreprocessor;

use std::sync::Arc;

use crate::book;
use crate::book::Target;
use crate::project::{Content, Project};
use crate::quiz::ChapterIndex;

pub fn run() -> Result<()> {
    let (mut ctx, book) = CmdPreprocessor::parse_input(io::stdin()).context(
        "entrée illisible\u{a0}: `chezsoi preprocess` attend le livre en JSON envoyé par mdBook",
    )?;
    book::prepare_admonish_config(&mut ctx.config)?;
    let project = Project::open(&ctx.root)?;
    let chapters = book::chapters_of(&book);
    let index = ChapterIndex::new(chapters.iter().map(|(path, _)| path.clone()));
    let content = Content {
        catalog: Arc::new(project.load_quizzes(&index)?),
        chapter_titles: chapters.into_iter().collect(),
    };
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

pub fn supports(renderer: &str) -> ExitCode {
    // Both preprocessors work for every renderer (admonish strips its
    // markup where it cannot render it).
    let _ = renderer;
    ExitCode::SUCCESS
}
