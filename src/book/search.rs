//! The book's search index, made for French.
//!
//! mdBook's own index splits words on spaces only, keeps accents and English
//! stemming, and runs embedded HTML through a sanitizer that leaves entities
//! such as `&nbsp;` in the snippets. This module writes `searchindex.js` in
//! the same format (an elasticlunr index read by mdBook's `searcher.js`), but:
//!
//! - words are split on spaces, hyphens and both apostrophes (`'` and `’`), so
//!   that elisions (`l’audience`, `qu'il`) leave the word itself;
//! - each word goes through the pipeline of lunr-languages' French support,
//!   step for step: trimmer, stop words, accent folding, then the French
//!   Snowball stemmer (rust-stemmers here, lunr-languages' generated port in
//!   the browser, both from Snowball's `french.sbl`);
//! - the pipeline's names are written into the index, and `theme/js/search-fr.js`
//!   registers the browser's functions under the same names, so a query goes
//!   through the same steps as the book did;
//! - text comes from the chapters' Markdown, never from embedded HTML: quiz
//!   forms, paper worksheets and answer keys (all HTML) stay out of the
//!   index, so a snippet never gives an answer away;
//! - one entry per heading down to `heading-split-level` (book.toml), with
//!   breadcrumbs that follow the headings' nesting.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{Context, Result};
use elasticlunr::lang::French;
use elasticlunr::pipeline::PipelineFn;
use elasticlunr::{IndexBuilder, Language, Pipeline};
use mdbook::MDBook;
use mdbook::book::{Book, BookItem, Chapter};
use mdbook::config::Search;
use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};
use serde_json::json;

/// lunr-languages' stemmer support (Snowball runtime), minified, from npm.
pub const STEMMER_SUPPORT_JS: &str =
    include_str!(concat!(env!("OUT_DIR"), "/lunr.stemmer.support.min.js"));
/// lunr-languages' French pipeline (trimmer, stop words, accent folding,
/// Snowball stemmer), minified, from npm.
pub const FRENCH_JS: &str = include_str!(concat!(env!("OUT_DIR"), "/lunr.fr.min.js"));
/// lunr-languages' licence (MPL 1.1), shipped beside its files.
pub const LUNR_LANGUAGES_LICENSE: &str = include_str!(concat!(env!("OUT_DIR"), "/LICENSE"));

/// Where the browser's French pipeline is written, relative to the book's root.
pub const ASSETS_DIR: &str = "lunr";

/// Name under which both sides know the trimmer (lunr-languages' own
/// `trimmer-fr` drops digits, and figures are worth finding here).
const TRIMMER: &str = "chezsoi-trimmer";
/// lunr-languages' names for the steps that follow.
const ACCENT_FOLD: &str = "accentFold-fr";

/// One searchable section: a heading and the text under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// `chapitre.html#ancre` (no anchor for text before a chapter's first heading).
    pub url: String,
    /// The heading's text.
    pub title: String,
    /// Chapter and headings leading to this section, joined by « » ».
    pub breadcrumbs: String,
    /// Plain text: no markup, no entities.
    pub body: String,
}

/// Splits text into lower-case words as the browser does (the separator set
/// in `theme/js/search-fr.js`): on white space, hyphens and apostrophes.
pub fn tokenize(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '-' | '\'' | '’'))
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// lunr-languages' `lunr.fr.accentFoldTerm`, character for character.
pub fn fold_accents(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match c {
            'à' | 'á' | 'â' | 'ä' | 'À' | 'Á' | 'Â' | 'Ä' => out.push('a'),
            'ç' | 'Ç' => out.push('c'),
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => out.push('e'),
            'î' | 'ï' | 'Î' | 'Ï' => out.push('i'),
            'ô' | 'ö' | 'Ô' | 'Ö' => out.push('o'),
            'ù' | 'û' | 'ü' | 'Ù' | 'Û' | 'Ü' => out.push('u'),
            'Ÿ' | 'ÿ' => out.push('y'),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            other => out.push(other),
        }
    }
    out
}

/// Removes what is neither a letter nor a digit at both ends of a word
/// (quotes, guillemets, punctuation).
struct Trimmer;

impl PipelineFn for Trimmer {
    fn name(&self) -> String {
        TRIMMER.to_string()
    }

    fn filter(&self, token: String) -> Option<String> {
        let trimmed = token.trim_matches(|c: char| !c.is_alphanumeric());
        (!trimmed.is_empty()).then(|| trimmed.to_string())
    }
}

struct AccentFold;

impl PipelineFn for AccentFold {
    fn name(&self) -> String {
        ACCENT_FOLD.to_string()
    }

    fn filter(&self, token: String) -> Option<String> {
        Some(fold_accents(&token))
    }
}

/// French as the book's search understands it.
#[derive(Clone, Copy)]
struct BookFrench;

impl Language for BookFrench {
    fn name(&self) -> String {
        "French".to_string()
    }

    fn code(&self) -> String {
        "fr".to_string()
    }

    fn tokenize(&self, text: &str) -> Vec<String> {
        tokenize(text)
    }

    /// elasticlunr-rs' French pipeline is trimmer, stop words, stemmer: its
    /// stop words and stemmer are kept, around them our trimmer and
    /// lunr-languages' accent folding, in lunr-languages' order.
    fn make_pipeline(&self) -> Pipeline {
        let mut french = French::new().make_pipeline().queue.into_iter();
        let _their_trimmer = french.next();
        let stop_words = french.next().expect("French has a stop word filter");
        let stemmer = french.next().expect("French has a stemmer");
        Pipeline {
            queue: vec![Box::new(Trimmer), stop_words, Box::new(AccentFold), stemmer],
        }
    }
}

/// What a text becomes in the index (and a query in the browser): the
/// words' stems, accents folded, stop words and elided articles removed.
pub fn terms(text: &str) -> Vec<String> {
    BookFrench.make_pipeline().run(tokenize(text))
}

/// The names of the pipeline's steps, as written in the index.
pub fn pipeline_names() -> Vec<String> {
    BookFrench
        .make_pipeline()
        .queue
        .iter()
        .map(|step| step.name())
        .collect()
}

/// The sections of every chapter, in reading order.
pub fn sections(book: &Book, split_level: u8) -> Vec<Section> {
    let mut sections = Vec::new();
    for item in book.iter() {
        if let BookItem::Chapter(chapter) = item {
            if chapter.path.is_some() {
                chapter_sections(chapter, split_level, &mut sections);
            }
        }
    }
    sections
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn chapter_sections(chapter: &Chapter, split_level: u8, out: &mut Vec<Section>) {
    let path = chapter.path.as_ref().expect("checked by the caller");
    let page = path
        .with_extension("html")
        .to_string_lossy()
        .replace('\\', "/");
    let mut trail: Vec<String> = chapter.parent_names.clone();
    trail.push(chapter.name.clone());

    // Headings open sections; the ids follow mdBook's (one counter per page,
    // every heading counted, explicit ids kept).
    let mut ids = HashMap::new();
    let mut stack: Vec<(u8, String)> = Vec::new();
    let mut current: Option<(String, String)> = None; // (id, title)
    let mut heading: Option<(u8, Option<String>, String)> = None;
    let mut body = String::new();

    let flush = |current: &Option<(String, String)>,
                 stack: &[(u8, String)],
                 body: &mut String,
                 out: &mut Vec<Section>| {
        let text = collapse(body);
        body.clear();
        let (url, title) = match current {
            Some((id, title)) => (format!("{page}#{id}"), title.clone()),
            None if text.is_empty() => return,
            None => (page.clone(), chapter.name.clone()),
        };
        let mut crumbs = trail.clone();
        for (_, text) in stack {
            if crumbs.last() != Some(text) {
                crumbs.push(text.clone());
            }
        }
        out.push(Section {
            url,
            title,
            breadcrumbs: crumbs.join(" » "),
            body: text,
        });
    };

    for event in mdbook::utils::new_cmark_parser(&chapter.content, false) {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((
                    level_number(level),
                    id.map(|id| id.to_string()),
                    String::new(),
                ));
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((level, explicit, text)) = heading.take() else {
                    continue;
                };
                let text = collapse(&text);
                let id = explicit
                    .unwrap_or_else(|| mdbook::utils::unique_id_from_content(&text, &mut ids));
                if level <= split_level {
                    flush(&current, &stack, &mut body, out);
                    while stack.last().is_some_and(|(l, _)| *l >= level) {
                        stack.pop();
                    }
                    stack.push((level, text.clone()));
                    current = Some((id, text));
                } else {
                    body.push_str(&text);
                    body.push('\n');
                }
            }
            Event::Text(text) | Event::Code(text) => match &mut heading {
                Some((_, _, heading_text)) => heading_text.push_str(&text),
                None => body.push_str(&text),
            },
            // Embedded HTML is the quizzes' forms, worksheets and answer
            // keys, and callouts' frames: none of it is the book's prose.
            Event::Html(_) | Event::InlineHtml(_) => {}
            Event::SoftBreak | Event::HardBreak | Event::Rule => match &mut heading {
                Some((_, _, heading_text)) => heading_text.push(' '),
                None => body.push(' '),
            },
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => body.push('\n'),
            _ => {}
        }
    }
    flush(&current, &stack, &mut body, out);
}

/// Collapses white space (no-break spaces kept: they are part of French
/// typography and display as spaces).
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending = false;
    for c in text.chars() {
        if c.is_ascii_whitespace() {
            pending = !out.is_empty();
        } else {
            if pending {
                out.push(' ');
                pending = false;
            }
            out.push(c);
        }
    }
    out
}

/// Breadcrumbs are shown as HTML by mdBook's searcher.js.
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Builds the index of `sections` as the JSON object `searcher.js` reads.
pub fn index_json(sections: &[Section], search: &Search) -> serde_json::Value {
    let mut index = IndexBuilder::with_language(Box::new(BookFrench))
        .add_fields(["title", "body", "breadcrumbs"])
        .build();
    let mut doc_urls = Vec::with_capacity(sections.len());
    for (n, section) in sections.iter().enumerate() {
        doc_urls.push(section.url.clone());
        index.add_doc(
            &n.to_string(),
            [
                section.title.as_str(),
                section.body.as_str(),
                escape_html(&section.breadcrumbs).as_str(),
            ],
        );
    }
    let fields: BTreeMap<&str, serde_json::Value> = [
        ("title", search.boost_title),
        ("body", search.boost_paragraph),
        ("breadcrumbs", search.boost_hierarchy),
    ]
    .into_iter()
    .map(|(field, boost)| (field, json!({ "boost": boost })))
    .collect();
    json!({
        "results_options": {
            "limit_results": search.limit_results,
            "teaser_word_count": search.teaser_word_count,
        },
        "search_options": {
            "bool": if search.use_boolean_and { "AND" } else { "OR" },
            "expand": search.expand,
            "fields": fields,
        },
        "doc_urls": doc_urls,
        "index": index,
    })
}

/// Replaces mdBook's `searchindex.js` in `out` with the French index of
/// `book` (the preprocessed book, as rendered), and writes the browser's
/// French pipeline under `out/lunr/`. Sections whose anchor is missing from
/// their page (a heading mdBook numbered differently) point to the page.
pub fn write(out: &Path, book: &Book, search: &Search) -> Result<()> {
    let mut sections = sections(book, search.heading_split_level);
    let mut pages: HashMap<String, String> = HashMap::new();
    for section in &mut sections {
        let Some((page, id)) = section.url.split_once('#') else {
            continue;
        };
        let html = match pages.get(page) {
            Some(html) => html,
            None => {
                let html = std::fs::read_to_string(out.join(page)).unwrap_or_default();
                pages.entry(page.to_string()).or_insert(html)
            }
        };
        if !html.contains(&format!("id=\"{id}\"")) {
            section.url = page.to_string();
        }
    }
    let json = serde_json::to_string(&index_json(&sections, search))?;
    let script = format!(
        "window.search = Object.assign(window.search, JSON.parse('{}'));",
        json.replace('\\', "\\\\").replace('\'', "\\'")
    );
    let path = out.join("searchindex.js");
    std::fs::write(&path, script)
        .with_context(|| format!("écriture de «\u{a0}{}\u{a0}»", path.display()))?;
    // mdBook also writes the index as JSON for other tools: keep them in step.
    let json_path = out.join("searchindex.json");
    if json_path.is_file() {
        std::fs::write(&json_path, &json)
            .with_context(|| format!("écriture de «\u{a0}{}\u{a0}»", json_path.display()))?;
    }
    let assets = out.join(ASSETS_DIR);
    std::fs::create_dir_all(&assets)
        .with_context(|| format!("création de «\u{a0}{}\u{a0}»", assets.display()))?;
    for (name, text) in [
        ("lunr.stemmer.support.min.js", STEMMER_SUPPORT_JS),
        ("lunr.fr.min.js", FRENCH_JS),
        ("LICENSE", LUNR_LANGUAGES_LICENSE),
    ] {
        std::fs::write(assets.join(name), text).with_context(|| {
            format!("écriture de «\u{a0}{}\u{a0}»", assets.join(name).display())
        })?;
    }
    Ok(())
}

/// Replaces mdBook's search index with the French one (see the module's comment).
pub fn write_for(book: &MDBook, out: &Path) -> Result<()> {
    let html = book.config.html_config().unwrap_or_default();
    let Some(search_config) = html.search.filter(|s| s.enable) else {
        return Ok(());
    };
    let (preprocessed, _) = book
        .preprocess_book(&mdbook::renderer::HtmlHandlebars::new())
        .context("la construction du livre a échoué")?;
    write(out, &preprocessed, &search_config).context("index de recherche")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elisions_accents_and_plurals_meet() {
        assert_eq!(terms("l’audience"), terms("l'audience"));
        assert_eq!(terms("l'audience"), terms("audience"));
        assert_eq!(terms("réseaux"), terms("reseaux"));
        assert_eq!(terms("réseaux"), terms("réseau"));
        assert_eq!(terms("L’hébergement"), terms("hebergement"));
        assert_eq!(terms("qu’il"), terms("il"));
        for elided in ["d’", "n’", "s’", "c’", "j’", "m’", "t’", "qu’"] {
            assert_eq!(
                terms(&format!("{elided}abonnés")),
                terms("abonne"),
                "{elided}"
            );
        }
        assert_ne!(terms("portée"), terms("audience"));
    }

    #[test]
    fn stop_words_and_punctuation_go_figures_stay() {
        assert_eq!(terms("« la » : de"), Vec::<String>::new());
        assert_eq!(terms("3 milliards"), terms("3 milliard"));
        assert_eq!(terms("2024,")[0], "2024");
    }

    #[test]
    fn sections_follow_headings_and_skip_html() {
        let mut chapter = Chapter::new(
            "Glossaire",
            "# Glossaire\n\nIntro.\n\n## ActivityPub\n\nLe protocole du Fediverse&nbsp;: libre.\n\n\
             <section class=\"chezsoi-answer-key\"><p>Bonne réponse : B</p></section>\n\n\
             ### Détail\n\nPlus bas.\n\n## Algorithme\n\nUn tri.\n"
                .to_string(),
            "annexes/glossaire.md",
            vec!["Annexes".to_string()],
        );
        chapter.path = Some("annexes/glossaire.md".into());
        let mut book = Book::new();
        book.push_item(chapter);
        let found = sections(&book, 2);
        let urls: Vec<&str> = found.iter().map(|s| s.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "annexes/glossaire.html#glossaire",
                "annexes/glossaire.html#activitypub",
                "annexes/glossaire.html#algorithme"
            ]
        );
        assert_eq!(found[1].breadcrumbs, "Annexes » Glossaire » ActivityPub");
        assert_eq!(
            found[1].body,
            "Le protocole du Fediverse\u{a0}: libre. Détail Plus bas."
        );
        assert!(found.iter().all(|s| !s.body.contains("Bonne réponse")));
        assert!(found.iter().all(|s| !s.body.contains('&')));
    }
}
