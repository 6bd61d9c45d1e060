//! The `{{#quiz ID}}` directive. It is recognised outside code (fenced blocks
//! and inline code spans are left alone) and `\{{#quiz ID}}` stays literal.

use std::sync::Arc;

use mdbook::book::{Book, BookItem};
use mdbook::errors::Result;
use mdbook::preprocess::{Preprocessor, PreprocessorContext};

use crate::content::Content;
use crate::quiz::{Mode, Quiz};
use crate::views::{Templates, forms, worksheet};

/// Who will read the HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Target {
    /// Served by `chezsoi serve`: quizzes are real forms posting to the server.
    Site,
    /// Opened from disk or printed: quizzes are paper worksheets.
    #[default]
    Offline,
}

/// Replaces `{{#quiz ID}}` with the quiz, rendered from the validated
/// catalog: for the site, the real form (and its paper version for print);
/// for the offline book, the paper version only.
pub struct QuizDirectives {
    content: Arc<Content>,
    target: Target,
    templates: Templates,
}

impl QuizDirectives {
    pub fn new(content: Arc<Content>, target: Target) -> anyhow::Result<QuizDirectives> {
        Ok(QuizDirectives {
            content,
            target,
            templates: Templates::new()?,
        })
    }

    /// The HTML that replaces one directive.
    fn render_embed(&self, quiz: &Quiz, to_root: &str) -> anyhow::Result<String> {
        let titles = |path: &str| self.content.chapter_title(path);
        let offline = self.target == Target::Offline;
        let paper = worksheet::render(&self.templates, quiz, offline, to_root, &titles)?;
        let html = match self.target {
            Target::Site => {
                let form = forms::render_form(&self.templates, quiz)?;
                format!(
                    "<div class=\"chezsoi-embed\" data-quiz=\"{id}\">\n<div class=\"chezsoi-screen-only\">\n{form}\n</div>\n<div class=\"chezsoi-print-only\">\n{paper}\n</div>\n</div>",
                    id = quiz.id
                )
            }
            Target::Offline => format!(
                "<div class=\"chezsoi-embed\" data-quiz=\"{id}\">\n{paper}\n</div>",
                id = quiz.id
            ),
        };
        Ok(as_html_block(&html))
    }
}

/// `{{#rejoindre}}`: on the site, a form to type a workshop's code; offline
/// there is no server to join, so it says how to join instead of showing a
/// form that could not work.
fn join_block(target: Target, to_root: &str) -> String {
    match target {
        Target::Site => as_html_block(&format!(
            "<form class=\"chezsoi-join\" method=\"get\" action=\"{to_root}a\">\n\
             <p>Saisissez le code affiché à l’écran par l’animateur\u{a0}:</p>\n\
             <p><label for=\"chezsoi-code-atelier\">Code de l’atelier</label>\n\
             <input id=\"chezsoi-code-atelier\" name=\"code\" required autocomplete=\"off\" autocapitalize=\"characters\" spellcheck=\"false\" maxlength=\"20\" size=\"10\">\n\
             <button type=\"submit\">Rejoindre l’atelier</button></p>\n</form>"
        )),
        Target::Offline => as_html_block(
            "<p class=\"chezsoi-join-offline\">Pour rejoindre un atelier, ouvrez dans le navigateur de votre téléphone \
             l’adresse projetée par l’animateur, ou scannez son code QR.</p>",
        ),
    }
}

/// mdBook reads chapters as Markdown: a blank line would end the HTML block
/// and an indented line would become code. One compact block avoids both.
fn as_html_block(html: &str) -> String {
    let lines: Vec<&str> = html
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    format!("\n\n{}\n\n", lines.join("\n"))
}

impl Preprocessor for QuizDirectives {
    fn name(&self) -> &str {
        "chezsoi-quiz"
    }

    fn run(&self, ctx: &PreprocessorContext, mut book: Book) -> Result<Book> {
        // Every unknown id of every chapter, before changing anything.
        let mut unknown = Vec::new();
        let src = ctx.root.join(&ctx.config.book.src);
        for item in book.iter() {
            if let BookItem::Chapter(chapter) = item {
                for directive in directives(&chapter.content) {
                    if self.content.catalog.get(&directive.id).is_none() {
                        let path = chapter
                            .source_path
                            .as_ref()
                            .map(|p| src.join(p))
                            .unwrap_or_default();
                        unknown.push(format!(
                            "{}:{}: {{{{#quiz {}}}}}\u{a0}: aucun questionnaire ne porte cet identifiant (questionnaires connus\u{a0}: {})",
                            path.strip_prefix(&ctx.root).unwrap_or(&path).display(),
                            directive.line,
                            directive.id,
                            self.content.catalog.iter().map(|q| q.id.as_str()).collect::<Vec<_>>().join(", ")
                        ));
                    }
                }
            }
        }
        if !unknown.is_empty() {
            anyhow::bail!(
                "questionnaire inconnu dans le livre\u{a0}:\n{}",
                unknown.join("\n")
            );
        }
        let mut failure = None;
        book.for_each_mut(|item| {
            let BookItem::Chapter(chapter) = item else {
                return;
            };
            if failure.is_some() {
                return;
            }
            // Links are relative to the book's root, so that they survive
            // both the site and mdBook's rewriting of links in print.html.
            let depth = chapter
                .path
                .as_ref()
                .map_or(0, |p| p.components().count().saturating_sub(1));
            let to_root = "../".repeat(depth);
            let mut keys = Vec::new();
            let mut embedded = false;
            let target = self.target;
            let content = expand(&chapter.content, |found| {
                let id = match found {
                    Found::Quiz(id) => id,
                    Found::Join => return join_block(target, &to_root),
                };
                let Some(quiz) = self.content.catalog.get(id) else {
                    return String::new();
                };
                embedded = true;
                if quiz.mode == Mode::Knowledge {
                    keys.push(quiz.clone());
                }
                self.render_embed(quiz, &to_root).unwrap_or_else(|error| {
                    failure.get_or_insert(error);
                    String::new()
                })
            });
            chapter.content = content;
            // Knowledge checks keep their answers away from their questions:
            // the key closes the chapter.
            if !keys.is_empty() {
                let mut block = String::from("<div class=\"chezsoi-answer-keys\">");
                for quiz in &keys {
                    match worksheet::render_answer_key(&self.templates, quiz) {
                        Ok(key) => block.push_str(&key),
                        Err(error) => {
                            failure.get_or_insert(error);
                        }
                    }
                }
                block.push_str("</div>");
                let block = if self.target == Target::Site {
                    format!("<div class=\"chezsoi-print-only\">{block}</div>")
                } else {
                    block
                };
                chapter.content.push_str(&as_html_block(&block));
            }
            if embedded && self.target == Target::Site {
                chapter
                    .content
                    .push_str("\n\n<script src=\"/_app/quiz.js\"></script>\n");
            }
        });
        if let Some(error) = failure {
            return Err(error.context("rendu des questionnaires impossible"));
        }
        Ok(book)
    }

    fn supports_renderer(&self, _renderer: &str) -> bool {
        true
    }
}

/// One directive found in a chapter: its quiz id and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub id: String,
    pub line: usize,
}

/// Replaces each directive with `render(id)`; escaped directives lose their
/// backslash and stay literal.
pub fn expand(content: &str, mut render: impl FnMut(Found<'_>) -> String) -> String {
    let mut out = String::with_capacity(content.len());
    scan(content, |piece| match piece {
        Piece::Text(text) => out.push_str(text),
        Piece::Directive(directive) => out.push_str(&render(Found::Quiz(&directive.id))),
        Piece::Join => out.push_str(&render(Found::Join)),
        Piece::Escaped(literal) => out.push_str(literal),
    });
    out
}

/// Every (unescaped, non-code) directive of a chapter, for validation.
pub fn directives(content: &str) -> Vec<Directive> {
    let mut found = Vec::new();
    scan(content, |piece| {
        if let Piece::Directive(directive) = piece {
            found.push(directive);
        }
    });
    found
}

enum Piece<'a> {
    /// `{{#rejoindre}}`: the form to join a workshop by its code.
    Join,
    Text(&'a str),
    Directive(Directive),
    /// An escaped directive, without its backslash.
    Escaped(&'a str),
}

const OPEN: &str = "{{#quiz";
const JOIN: &str = "{{#rejoindre}}";

/// What a directive asks for.
pub enum Found<'a> {
    Quiz(&'a str),
    Join,
}

fn scan<'a>(content: &'a str, mut emit: impl FnMut(Piece<'a>)) {
    let mut fence: Option<(char, usize)> = None;
    for (index, line) in content.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_start();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        if let Some(c) = marker {
            let run = trimmed.chars().take_while(|x| *x == c).count();
            if run >= 3 {
                match fence {
                    None => fence = Some((c, run)),
                    Some((open, len))
                        if open == c && run >= len && trimmed[run..].trim().is_empty() =>
                    {
                        fence = None
                    }
                    _ => {}
                }
                emit(Piece::Text(line));
                continue;
            }
        }
        if fence.is_some() {
            emit(Piece::Text(line));
        } else {
            scan_line(line, index + 1, &mut emit);
        }
    }
}

fn scan_line<'a>(line: &'a str, number: usize, emit: &mut impl FnMut(Piece<'a>)) {
    let bytes = line.as_bytes();
    let mut start = 0; // start of pending text
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            // Skip an inline code span: a run of N backticks up to the next run of N.
            let run = bytes[i..].iter().take_while(|b| **b == b'`').count();
            let closing = "`".repeat(run);
            match line[i + run..].find(&closing) {
                Some(offset) => i += run + offset + run,
                None => i += run,
            }
            continue;
        }
        // Byte comparisons: `i` may sit inside a multi-byte character.
        if bytes[i..].starts_with(JOIN.as_bytes()) {
            if i > 0 && bytes[i - 1] == b'\\' {
                emit(Piece::Text(&line[start..i - 1]));
                emit(Piece::Escaped(&line[i..i + JOIN.len()]));
            } else {
                emit(Piece::Text(&line[start..i]));
                emit(Piece::Join);
            }
            i += JOIN.len();
            start = i;
            continue;
        }
        if bytes[i..].starts_with(OPEN.as_bytes()) {
            if let Some(end) = line[i..].find("}}") {
                let inner = &line[i + OPEN.len()..i + end];
                let escaped = i > 0 && bytes[i - 1] == b'\\';
                if escaped {
                    emit(Piece::Text(&line[start..i - 1]));
                    emit(Piece::Escaped(&line[i..i + end + 2]));
                } else if inner.starts_with(char::is_whitespace) {
                    emit(Piece::Text(&line[start..i]));
                    let directive = Directive {
                        id: inner.trim().to_string(),
                        line: number,
                    };
                    emit(Piece::Directive(directive));
                } else {
                    i += OPEN.len();
                    continue;
                }
                i += end + 2;
                start = i;
                continue;
            }
        }
        i += 1;
    }
    emit(Piece::Text(&line[start..]));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(content: &str) -> String {
        expand(content, |found| match found {
            Found::Quiz(id) => format!("[QUIZ {id}]"),
            Found::Join => "[REJOINDRE]".to_string(),
        })
    }

    #[test]
    fn replaces_directive_and_keeps_surroundings() {
        assert_eq!(
            render("Avant\n{{#quiz verif-portee}}\nAprès\n"),
            "Avant\n[QUIZ verif-portee]\nAprès\n"
        );
    }

    #[test]
    fn escaped_directive_stays_literal() {
        assert_eq!(render("\\{{#quiz diagnostic}}\n"), "{{#quiz diagnostic}}\n");
    }

    #[test]
    fn code_blocks_and_spans_are_left_alone() {
        let text = "```\n{{#quiz a}}\n```\n~~~~md\n{{#quiz b}}\n~~~~\nvoir `{{#quiz c}}` ici\n";
        assert_eq!(render(text), text);
        assert!(directives(text).is_empty());
    }

    #[test]
    fn reports_directives_with_their_line() {
        let text = "# Titre\n\nTexte\n{{#quiz diagnostic}} et {{#quiz verif-portee }}\n";
        assert_eq!(
            directives(text),
            vec![
                Directive {
                    id: "diagnostic".into(),
                    line: 4
                },
                Directive {
                    id: "verif-portee".into(),
                    line: 4
                },
            ]
        );
    }

    #[test]
    fn the_join_directive_is_found_and_can_be_escaped() {
        assert_eq!(
            render("Avant {{#rejoindre}} après\n"),
            "Avant [REJOINDRE] après\n"
        );
        assert_eq!(render("\\{{#rejoindre}}\n"), "{{#rejoindre}}\n");
    }

    #[test]
    fn accented_text_around_directives_is_safe() {
        assert_eq!(
            render("Réponse à « ça » : {{#quiz é-x}} — fin\n"),
            "Réponse à « ça » : [QUIZ é-x] — fin\n"
        );
    }

    #[test]
    fn other_handlebars_like_text_is_kept() {
        let text = "{{#quizz x}} {{#include a.md}} {{#quiz\n";
        assert_eq!(render(text), text);
    }
}
