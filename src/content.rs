//! What the site is made of besides its HTML: the validated quizzes and the
//! chapters' titles. Loaded from the project's files before anything is
//! built or served, so that a broken quiz stops everything with every
//! problem named (file, line, column, field).
//!
//! The chapters come from SUMMARY.md, read by mdBook's own loader; the
//! quizzes are checked against them (a quiz may only link to a chapter that
//! exists).

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{Context, Result};
use mdbook::book::{Book, BookItem};

use crate::project::Project;
use crate::quiz::{self, Catalog, ChapterIndex, QuizErrors};

/// Everything the server and the preprocessors need from the project's
/// files besides the HTML.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// The validated quizzes.
    pub catalog: Arc<Catalog>,
    /// Chapter titles by source path (`02-portee.md`), for links.
    pub chapter_titles: BTreeMap<String, String>,
}

impl Content {
    /// Reads the chapters listed in SUMMARY.md, then loads and validates
    /// the quizzes against them. Writes nothing.
    pub fn load(project: &Project) -> Result<Content> {
        let book = read_chapters(project)?;
        Content::for_book(project, &book)
    }

    /// Loads and validates the quizzes against the chapters of `book` (as
    /// mdBook hands it to a preprocessor).
    pub fn for_book(project: &Project, book: &Book) -> Result<Content> {
        let chapters = chapters_of(book);
        let index = ChapterIndex::new(chapters.iter().map(|(path, _)| path.clone()));
        let catalog = quiz::load_dir(&project.quizzes_dir(), &index)
            .map_err(|errors| quiz_errors(project, errors))?;
        Ok(Content {
            catalog: Arc::new(catalog),
            chapter_titles: chapters.into_iter().collect(),
        })
    }

    /// The title of the chapter at `path` (`05-action/canaux.md`), or the
    /// path itself for a chapter the book does not list.
    pub fn chapter_title(&self, path: &str) -> String {
        self.chapter_titles
            .get(path)
            .cloned()
            .unwrap_or_else(|| path.to_string())
    }
}

/// The book's chapters as mdBook reads them, without building anything.
fn read_chapters(project: &Project) -> Result<Book> {
    let mut config = project.read_config()?;
    // Reading must never write: no chapter file is created for a missing one.
    config.build.create_missing = false;
    let src = project.root.join(&config.book.src);
    mdbook::book::load_book(&src, &config.build).with_context(|| {
        format!(
            "impossible de charger le livre\u{a0}: vérifiez que chaque chapitre listé dans «\u{a0}{}\u{a0}» existe",
            src.join("SUMMARY.md").display()
        )
    })
}

/// Chapters of a book: (path relative to the book's source folder, e.g.
/// `05-action/canaux.md`, title).
pub fn chapters_of(book: &Book) -> Vec<(String, String)> {
    book.iter()
        .filter_map(|item| match item {
            BookItem::Chapter(ch) => ch
                .path
                .as_ref()
                .map(|p| (p.to_string_lossy().replace('\\', "/"), ch.name.clone())),
            _ => None,
        })
        .collect()
}

/// One error listing every problem, each as `quizzes/x.toml:L:C: field: message`.
fn quiz_errors(project: &Project, errors: QuizErrors) -> anyhow::Error {
    let lines: Vec<String> = errors
        .iter()
        .map(|error| {
            let mut error = error.clone();
            error.path = project.relative(&error.path).to_path_buf();
            error.to_string()
        })
        .collect();
    anyhow::anyhow!(
        "{} problème{} dans les questionnaires\u{a0}:\n{}",
        lines.len(),
        if lines.len() > 1 { "s" } else { "" },
        lines.join("\n")
    )
}
