//! The quiz engine: reading, checking and describing the quizzes written in
//! `quizzes/*.toml` (format in quizzes/README.md).
//!
//! Loading goes in three steps, each in its module, so that an author gets
//! every problem of a file at once, each with file, line, column and field:
//! 1. `format`: TOML text → tree of positioned values → typed mirror of the
//!    format, reporting syntax errors, unknown fields and wrong types;
//! 2. `validate`: every rule of the format, checked on the mirror;
//! 3. the validated `model`, which is all the rest of the application sees.
//!
//! Pure: no I/O except `load_dir`, no async, no database.

mod condition;
mod describe;
mod error;
mod format;
mod model;
mod validate;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

pub use error::{QuizError, QuizErrors};
pub use model::{
    ChapterRef, Choice, Comparison, Condition, Dimension, Horizon, Mode, PLAN_MAX, PLAN_MIN,
    Profile, Question, QuestionKind, Quiz, Recommendation, Variant, WEEK_MAX,
};
pub use validate::is_valid_id;

/// The chapters of the book, as listed in SUMMARY.md (`02-portee.md`,
/// `05-action/canaux.md`), against which quiz `chapter` fields are checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChapterIndex {
    paths: BTreeSet<String>,
}

impl ChapterIndex {
    pub fn new(paths: impl IntoIterator<Item = String>) -> Self {
        Self {
            paths: paths.into_iter().collect(),
        }
    }

    /// Whether `path` (without `#anchor`) is a chapter.
    pub fn contains(&self, path: &str) -> bool {
        self.paths.contains(path)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.paths.iter().map(String::as_str)
    }
}

/// All the quizzes of a directory, by id.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    quizzes: BTreeMap<String, Arc<Quiz>>,
}

impl Catalog {
    pub fn get(&self, id: &str) -> Option<&Arc<Quiz>> {
        self.quizzes.get(id)
    }

    /// In id order.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Quiz>> {
        self.quizzes.values()
    }

    pub fn len(&self) -> usize {
        self.quizzes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.quizzes.is_empty()
    }
}

impl FromIterator<Quiz> for Catalog {
    fn from_iter<I: IntoIterator<Item = Quiz>>(quizzes: I) -> Self {
        Self {
            quizzes: quizzes
                .into_iter()
                .map(|quiz| (quiz.id.clone(), Arc::new(quiz)))
                .collect(),
        }
    }
}

/// The version of a quiz text: the first 16 hex digits of its SHA-256.
pub fn version_of(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Reads and checks one quiz. `path` is only used for the id (its file
/// stem) and in error messages, shown as given.
pub fn parse_quiz(path: &Path, text: &str, chapters: &ChapterIndex) -> Result<Quiz, QuizErrors> {
    let mut diagnostics = error::Diagnostics::new(path, text);
    let id = path
        .file_stem()
        .and_then(|stem| stem.to_str())
        .unwrap_or_default()
        .to_owned();
    if !is_valid_id(&id) {
        diagnostics.error(
            &(0..0),
            "",
            format!(
                "nom de fichier «\u{a0}{id}\u{a0}» invalide\u{a0}: l’identifiant du questionnaire ne prend que \
                 des lettres minuscules non accentuées, des chiffres et des tirets"
            ),
        );
    }
    let quiz = format::parse_tree(text, &mut diagnostics).and_then(|tree| {
        let raw = format::read_quiz(&tree, &mut diagnostics);
        validate::validate(raw, id, version_of(text), chapters, &mut diagnostics)
    });
    match quiz {
        Some(quiz) if !diagnostics.has_errors() => Ok(quiz),
        _ => Err(QuizErrors(diagnostics.into_errors())),
    }
}

/// Reads and checks every `*.toml` of `dir` (not its subdirectories), in
/// name order. Errors of all files are returned together.
pub fn load_dir(dir: &Path, chapters: &ChapterIndex) -> Result<Catalog, QuizErrors> {
    let whole_file_error = |path: &Path, message: String| QuizError {
        path: path.to_path_buf(),
        line: 0,
        column: 0,
        field: String::new(),
        message,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            return Err(QuizErrors(vec![whole_file_error(
                dir,
                format!("dossier des questionnaires illisible\u{a0}: {error}"),
            )]));
        }
    };
    let mut errors = Vec::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                if path
                    .extension()
                    .is_some_and(|extension| extension == "toml")
                    && path.is_file()
                {
                    paths.push(path);
                }
            }
            Err(error) => errors.push(whole_file_error(
                dir,
                format!("dossier des questionnaires illisible\u{a0}: {error}"),
            )),
        }
    }
    paths.sort();
    let mut quizzes = Vec::new();
    for path in &paths {
        match std::fs::read_to_string(path) {
            Ok(text) => match parse_quiz(path, &text, chapters) {
                Ok(quiz) => quizzes.push(quiz),
                Err(file_errors) => errors.extend(file_errors),
            },
            Err(error) => errors.push(whole_file_error(
                path,
                format!("fichier illisible (UTF-8 attendu)\u{a0}: {error}"),
            )),
        }
    }
    if errors.is_empty() {
        Ok(quizzes.into_iter().collect())
    } else {
        Err(QuizErrors(errors))
    }
}

#[cfg(test)]
pub(crate) mod tests;
