//! Errors found while loading quiz files: each one names the file, the
//! position, the field and what is wrong, in French, for the author.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One problem in one quiz file.
///
/// `line` and `column` are 1-based (the column counts characters, not bytes,
/// so accented letters do not shift it). They are 0 when the problem concerns
/// the whole file (for instance a file that cannot be read); `Display` then
/// leaves them out, as it leaves out an empty `field`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    /// Where in the document, e.g. `questions[2].choices[0].points.propriete`
    /// (indexes start at 0).
    pub field: String,
    pub message: String,
}

impl fmt::Display for QuizError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for QuizError {}

/// Every problem found, in file order then position order; never empty when
/// returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QuizErrors(pub Vec<QuizError>);

impl QuizErrors {
    pub fn iter(&self) -> std::slice::Iter<'_, QuizError> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for QuizErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for QuizErrors {}

impl IntoIterator for QuizErrors {
    type Item = QuizError;
    type IntoIter = std::vec::IntoIter<QuizError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Collects errors for one file and turns byte offsets into line:column.
pub(crate) struct Diagnostics<'t> {
    path: PathBuf,
    text: &'t str,
    errors: Vec<QuizError>,
}

impl<'t> Diagnostics<'t> {
    pub(crate) fn new(path: &Path, text: &'t str) -> Self {
        Self {
            path: path.to_path_buf(),
            text,
            errors: Vec::new(),
        }
    }

    /// Records an error located at the start of `span` (a byte range in the text).
    pub(crate) fn error(
        &mut self,
        span: &Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) {
        let (line, column) = line_column(self.text, span.start);
        self.errors.push(QuizError {
            path: self.path.clone(),
            line,
            column,
            field: field.into(),
            message: message.into(),
        });
    }

    /// Whether an error was already recorded for `field` or a field under
    /// it, so that a value of the wrong type is not also reported missing,
    /// nor its consequences reported again.
    pub(crate) fn has_error_under(&self, field: &str) -> bool {
        self.errors.iter().any(|error| {
            error.field.strip_prefix(field).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with('.') || rest.starts_with('[')
            })
        })
    }

    pub(crate) fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The errors sorted by position, so that the author reads them top-down.
    pub(crate) fn into_errors(mut self) -> Vec<QuizError> {
        // Stable sort: errors at the same position keep the order in which
        // the checks found them.
        self.errors.sort_by_key(|error| (error.line, error.column));
        self.errors
    }
}

/// 1-based line and column (in characters) of a byte offset. Offsets past the
/// end, or inside a multi-byte character, are clamped rather than trusted.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters_from_one() {
        let text = "a = 1\nété = \"x\"\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        // "été = " is 8 bytes but 6 characters.
        assert_eq!(line_column(text, 6 + "été = ".len()), (2, 7));
        assert_eq!(line_column(text, 10_000), (3, 1));
        // Inside the two-byte "é": clamped back to its start.
        assert_eq!(line_column(text, 7), (2, 1));
    }

    #[test]
    fn display_leaves_out_unknown_position_and_empty_field() {
        let error = QuizError {
            path: PathBuf::from("quizzes/x.toml"),
            line: 0,
            column: 0,
            field: String::new(),
            message: "illisible".into(),
        };
        assert_eq!(error.to_string(), "quizzes/x.toml: illisible");
        let error = QuizError {
            line: 3,
            column: 9,
            field: "title".into(),
            ..error
        };
        assert_eq!(error.to_string(), "quizzes/x.toml:3:9: title: illisible");
        let both = QuizErrors(vec![error.clone(), error]);
        assert_eq!(both.to_string().lines().count(), 2);
    }
}
