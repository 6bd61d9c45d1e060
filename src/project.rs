//! The project folder: where book.toml, book/, quizzes/ and theme/ live.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};

use crate::quiz::{self, Catalog, ChapterIndex, QuizErrors};

#[derive(Debug, Clone)]
pub struct Project {
    /// Absolute path of the folder holding book.toml.
    pub root: PathBuf,
}

impl Project {
    pub fn open(root: &Path) -> Result<Project> {
        let root = root.canonicalize().with_context(|| {
            format!(
                "le dossier du projet «\u{a0}{}\u{a0}» est introuvable (option --root ou CHEZSOI_ROOT)",
                root.display()
            )
        })?;
        let config = root.join("book.toml");
        if !config.is_file() {
            bail!(
                "aucun fichier book.toml dans «\u{a0}{}\u{a0}»\u{a0}: lancez chezsoi depuis le dossier du projet ou indiquez-le avec --root",
                root.display()
            );
        }
        Ok(Project { root })
    }

    pub fn book_toml(&self) -> PathBuf {
        self.root.join("book.toml")
    }

    pub fn quizzes_dir(&self) -> PathBuf {
        self.root.join("quizzes")
    }

    pub fn theme_dir(&self) -> PathBuf {
        self.root.join("theme")
    }
}

/// Everything the server needs from the project's files besides the HTML.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// The validated quizzes.
    pub catalog: Arc<Catalog>,
    /// Chapter titles by source path (`02-portee.md`), for links.
    pub chapter_titles: BTreeMap<String, String>,
}

impl Project {
    /// Loads and validates the quizzes against the book's chapters. Every
    /// problem of every file is reported, paths relative to the project.
    pub fn load_content(&self) -> Result<Content> {
        let chapters = crate::book::chapters(self)?;
        let index = ChapterIndex::new(chapters.iter().map(|(path, _)| path.clone()));
        let catalog = self.load_quizzes(&index)?;
        Ok(Content {
            catalog: Arc::new(catalog),
            chapter_titles: chapters.into_iter().collect(),
        })
    }

    pub fn load_quizzes(&self, chapters: &ChapterIndex) -> Result<Catalog> {
        quiz::load_dir(&self.quizzes_dir(), chapters).map_err(|errors| self.quiz_errors(errors))
    }

    /// One error listing every problem, each as `quizzes/x.toml:L:C: field: message`.
    pub fn quiz_errors(&self, errors: QuizErrors) -> anyhow::Error {
        let lines: Vec<String> = errors
            .iter()
            .map(|error| {
                let mut error = error.clone();
                if let Ok(relative) = error.path.strip_prefix(&self.root) {
                    error.path = relative.to_path_buf();
                }
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
}
