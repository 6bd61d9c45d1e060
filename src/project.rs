//! The project folder: where book.toml, book/, quizzes/ and theme/ live.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use mdbook::config::Config;

#[derive(Debug, Clone)]
pub struct Project {
    /// Absolute path of the folder holding book.toml.
    pub root: PathBuf,
}

impl Project {
    /// The project at `root`; an error says how to point at it when the
    /// folder does not exist or holds no book.toml.
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

    /// book.toml as mdBook reads it; the error names the file.
    pub fn read_config(&self) -> Result<Config> {
        let path = self.book_toml();
        Config::from_disk(&path).with_context(|| {
            format!(
                "impossible de lire la configuration «\u{a0}{}\u{a0}»",
                path.display()
            )
        })
    }

    /// `path` relative to the project when it is inside it, for messages.
    pub fn relative<'a>(&self, path: &'a Path) -> &'a Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }
}
