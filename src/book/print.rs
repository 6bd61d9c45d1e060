//! The print version (print.html, and the PDF made from it).
//!
//! mdBook 0.4 concatenates the chapters into print.html but leaves their
//! links as they were (`05-action/../04-alternatives.html#…`): in a PDF they
//! open files instead of jumping to the page, and ids repeat from one
//! chapter to the next. Here every id becomes unique, every link to a
//! chapter or a section of the book becomes `#id` inside print.html, and a
//! link to anything else that is not a web address (a server route such as
//! the workshop creation page) becomes plain text. print.html then opens
//! with a cover and a table of contents that shows the book's parts and,
//! once the PDF has been laid out ([`super::pdf`]), page numbers.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::LazyLock;

use anyhow::{Context, Result, bail};
use mdbook::MDBook;
use regex::{Captures, Regex};

/// What mdBook puts between two chapters when `page-break = true`.
const CHAPTER_BREAK: &str = r#"<div style="break-before: page; page-break-before: always;"></div>"#;

static ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"\bid="([^"]*)""#).unwrap());
static HREF: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"\bhref="([^"]*)""#).unwrap());
/// A link, for unwrapping (the book's links never nest).
static LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?s)<a\b[^>]*\bhref="([^"]*)"[^>]*>(.*?)</a>"#).unwrap());

/// One line of the contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TocEntry {
    /// A part title from SUMMARY.md (« Le constat », « Agir »…).
    Part(String),
    /// A chapter: its page (`05-action/site.html`), its title, its depth (1 = top).
    Chapter {
        page: String,
        title: String,
        depth: usize,
    },
}

/// Whether a link leaves the book (web address, e-mail, telephone).
pub fn is_external(href: &str) -> bool {
    href.contains("://") || href.starts_with("mailto:") || href.starts_with("tel:")
}

/// Resolves `.` and `..` in a path relative to the book's root.
pub fn normalize_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

fn ids_in(html: &str) -> Vec<String> {
    ID.captures_iter(html).map(|c| c[1].to_string()).collect()
}

/// The `<main>` of a page (the chapter's own text).
fn main_of(html: &str) -> Option<&str> {
    let start = html.find("<main>")? + "<main>".len();
    let end = html.rfind("</main>")?;
    (start <= end).then(|| &html[start..end])
}

/// Rewrites print.html's ids and links (see the module's comment). `pages`
/// are the chapters' pages in print order; each chapter's own page in `out`
/// gives the ids its links use. Returns the id where each chapter starts.
pub fn make_links_internal(out: &Path, pages: &[String]) -> Result<HashMap<String, String>> {
    let print_html = out.join("print.html");
    let html = std::fs::read_to_string(&print_html)
        .with_context(|| format!("lecture de «\u{a0}{}\u{a0}»", print_html.display()))?;
    let (Some(start), Some(end)) = (html.find("<main>"), html.rfind("</main>")) else {
        bail!("«\u{a0}{}\u{a0}» n’a pas de <main>", print_html.display());
    };
    let start = start + "<main>".len();
    let segments: Vec<&str> = html[start..end].split(CHAPTER_BREAK).collect();
    if segments.len() != pages.len() {
        bail!(
            "«\u{a0}{}\u{a0}»\u{a0}: {} chapitres attendus, {} trouvés (page-break = true dans [output.html.print]\u{a0}?)",
            print_html.display(),
            pages.len(),
            segments.len()
        );
    }

    // Ids outside <main> (the page's chrome) are taken already.
    let mut used: HashSet<String> = ids_in(&html[..start])
        .into_iter()
        .chain(ids_in(&html[end..]))
        .collect();
    let mut ids: HashMap<(usize, String), String> = HashMap::new();
    let mut starts: HashMap<String, String> = HashMap::new();
    let mut renamed: Vec<String> = Vec::with_capacity(segments.len());
    for (n, (segment, page)) in segments.iter().zip(pages).enumerate() {
        let own = std::fs::read_to_string(out.join(page)).unwrap_or_default();
        let own_ids = main_of(&own).map(ids_in).unwrap_or_default();
        let print_ids = ids_in(segment);
        // The chapter's page and its part of print.html come from the same
        // Markdown: the same ids in the same order, except the suffixes
        // mdBook adds in print.html to tell repeated headings apart.
        let names = if own_ids.len() == print_ids.len() {
            own_ids
        } else {
            print_ids
        };
        let slug = page.trim_end_matches(".html").replace('/', "-");
        let mut next = names.iter();
        let segment = ID.replace_all(segment, |_: &Captures| {
            let name = next.next().cloned().unwrap_or_default();
            let mut id = if used.contains(&name) {
                format!("{slug}-{name}")
            } else {
                name.clone()
            };
            let mut counter = 1;
            while used.contains(&id) {
                id = format!("{slug}-{name}-{counter}");
                counter += 1;
            }
            used.insert(id.clone());
            starts.entry(page.clone()).or_insert_with(|| id.clone());
            ids.insert((n, name), id.clone());
            format!("id=\"{id}\"")
        });
        renamed.push(segment.into_owned());
    }

    let chapter_of: HashMap<&str, usize> = pages
        .iter()
        .enumerate()
        .map(|(n, page)| (page.as_str(), n))
        .collect();
    // Where a link inside chapter `n` leads within print.html, if anywhere.
    let target = |n: usize, href: &str| -> Option<String> {
        let (path, fragment) = href.split_once('#').unwrap_or((href, ""));
        let chapter = if path.is_empty() {
            n
        } else {
            let path = normalize_path(path);
            match path.as_str() {
                "index.html" => 0,
                "print.html" => return Some("#".to_string()),
                _ => *chapter_of.get(path.as_str())?,
            }
        };
        let id = ids
            .get(&(chapter, fragment.to_string()))
            .or_else(|| starts.get(&pages[chapter]))?;
        Some(format!("#{id}"))
    };

    let mut body = String::with_capacity(html.len());
    for (n, segment) in renamed.iter().enumerate() {
        if n > 0 {
            body.push_str(CHAPTER_BREAK);
        }
        // A link to nothing in the book and not to the web (a server route):
        // its text stays, the dead link goes.
        let segment = LINK.replace_all(segment, |c: &Captures| {
            let href = &c[1];
            if is_external(href) || target(n, href).is_some() {
                c[0].to_string()
            } else {
                c[2].to_string()
            }
        });
        let segment = HREF.replace_all(&segment, |c: &Captures| {
            let href = &c[1];
            match (is_external(href), target(n, href)) {
                (false, Some(inside)) => format!("href=\"{inside}\""),
                _ => c[0].to_string(),
            }
        });
        body.push_str(&segment);
    }
    let mut rewritten = String::with_capacity(html.len());
    rewritten.push_str(&html[..start]);
    rewritten.push_str(&body);
    rewritten.push_str(&html[end..]);
    std::fs::write(&print_html, rewritten)
        .with_context(|| format!("écriture de «\u{a0}{}\u{a0}»", print_html.display()))?;
    Ok(starts)
}

/// Makes print.html's links internal and opens it with the cover and the
/// contents (nothing to do when `[output.html.print]` is off).
pub fn finish(book: &MDBook, out: &Path) -> Result<()> {
    let print_html = out.join("print.html");
    if !print_html.is_file() {
        return Ok(());
    }
    let title = book.config.book.title.clone().unwrap_or_default();
    let description = book.config.book.description.clone().unwrap_or_default();
    let starts = make_links_internal(out, &chapter_pages(&book.book))?;
    let contents = summary_entries(&book.book.sections, 1);
    add_cover_and_contents(&print_html, &title, &description, &contents, &starts)
}

/// The chapters' pages in reading order (print.html's order).
fn chapter_pages(book: &mdbook::book::Book) -> Vec<String> {
    book.iter()
        .filter_map(|item| match item {
            mdbook::BookItem::Chapter(ch) if !ch.is_draft_chapter() => ch.path.as_ref().map(|p| {
                p.with_extension("html")
                    .to_string_lossy()
                    .replace('\\', "/")
            }),
            _ => None,
        })
        .collect()
}

/// The print contents: parts and chapters, nested as in SUMMARY.md.
fn summary_entries(items: &[mdbook::BookItem], depth: usize) -> Vec<TocEntry> {
    let mut entries = Vec::new();
    for item in items {
        match item {
            mdbook::BookItem::PartTitle(title) => entries.push(TocEntry::Part(title.clone())),
            mdbook::BookItem::Chapter(ch) => {
                if let Some(path) = &ch.path {
                    entries.push(TocEntry::Chapter {
                        page: path
                            .with_extension("html")
                            .to_string_lossy()
                            .replace('\\', "/"),
                        title: ch.name.clone(),
                        depth,
                    });
                }
                entries.extend(summary_entries(&ch.sub_items, depth + 1));
            }
            mdbook::BookItem::Separator => {}
        }
    }
    entries
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The contents as HTML: parts as headings of their chapters, each chapter
/// with an empty slot for its page number (filled by [`set_page_numbers`]
/// once the PDF has been laid out; the slot's fixed width keeps the layout
/// the same when it is filled).
fn contents_html(entries: &[TocEntry], starts: &HashMap<String, String>) -> String {
    let mut html = String::from(
        "<nav class=\"chezsoi-print-toc\" aria-labelledby=\"chezsoi-print-toc-title\">\
         <p class=\"chezsoi-print-toc-title\" id=\"chezsoi-print-toc-title\">Table des matières</p><ul>",
    );
    for entry in entries {
        match entry {
            TocEntry::Part(title) => html.push_str(&format!(
                "<li class=\"chezsoi-toc-part\">{}</li>",
                escape(title)
            )),
            TocEntry::Chapter { page, title, depth } => {
                let Some(id) = starts.get(page) else { continue };
                html.push_str(&format!(
                    "<li class=\"chezsoi-toc-chapter chezsoi-toc-depth-{depth}\"><a href=\"#{id}\">\
                     <span class=\"chezsoi-toc-text\">{title}</span>\
                     <span class=\"chezsoi-toc-page\" data-for=\"{id}\"></span></a></li>",
                    title = escape(title),
                ));
            }
        }
    }
    html.push_str("</ul></nav>");
    html
}

/// Inserts the cover and the contents at the start of print.html's `<main>`.
pub fn add_cover_and_contents(
    print_html: &Path,
    title: &str,
    description: &str,
    entries: &[TocEntry],
    starts: &HashMap<String, String>,
) -> Result<()> {
    let html = std::fs::read_to_string(print_html)
        .with_context(|| format!("lecture de «\u{a0}{}\u{a0}»", print_html.display()))?;
    let Some(main) = html.find("<main>") else {
        return Ok(());
    };
    let front = format!(
        "<section class=\"chezsoi-cover\"><p class=\"chezsoi-cover-kicker\">Guide pratique</p>\
         <p class=\"chezsoi-cover-title\">{title}</p><p class=\"chezsoi-cover-subtitle\">{description}</p>\
         <p class=\"chezsoi-cover-note\">Version imprimable\u{a0}: chaque questionnaire y devient une fiche à remplir à la main, avec son barème.</p></section>{contents}",
        title = escape(title),
        description = escape(description),
        contents = contents_html(entries, starts),
    );
    let at = main + "<main>".len();
    let mut out = String::with_capacity(html.len() + front.len());
    out.push_str(&html[..at]);
    out.push_str(&front);
    out.push_str(&html[at..]);
    std::fs::write(print_html, out)
        .with_context(|| format!("écriture de «\u{a0}{}\u{a0}»", print_html.display()))
}

static TOC_ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<span class="chezsoi-toc-text">(.*?)</span><span class="chezsoi-toc-page" data-for="([^"]*)">[^<]*</span>"#)
        .unwrap()
});

/// The contents' chapters: (id, title as text).
pub fn contents_entries(print_html: &str) -> Vec<(String, String)> {
    TOC_ENTRY
        .captures_iter(print_html)
        .map(|c| (c[2].to_string(), unescape(&c[1])))
        .collect()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Writes page numbers into the contents' slots (by chapter id).
pub fn set_page_numbers(print_html: &Path, pages: &HashMap<String, usize>) -> Result<()> {
    let html = std::fs::read_to_string(print_html)
        .with_context(|| format!("lecture de «\u{a0}{}\u{a0}»", print_html.display()))?;
    let filled = TOC_ENTRY.replace_all(&html, |c: &Captures| {
        let number = pages
            .get(&c[2])
            .map(|n| n.to_string())
            .unwrap_or_default();
        format!(
            "<span class=\"chezsoi-toc-text\">{}</span><span class=\"chezsoi-toc-page\" data-for=\"{}\">{number}</span>",
            &c[1], &c[2]
        )
    });
    std::fs::write(print_html, filled.as_bytes())
        .with_context(|| format!("écriture de «\u{a0}{}\u{a0}»", print_html.display()))
}

/// Letters and digits only, lower case, accents folded: to find a title in
/// the text of a PDF page whatever its line breaks, spaces and hyphenation.
pub fn comparable(text: &str) -> String {
    super::search::fold_accents(&text.to_lowercase())
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The page (1-based) where each chapter starts, from the text of each page
/// of the PDF: the first page, after the previous chapter's, that opens with
/// the chapter's title (chapters start on a new page with their title).
pub fn find_start_pages(
    entries: &[(String, String)],
    page_texts: &[String],
) -> HashMap<String, usize> {
    let pages: Vec<String> = page_texts.iter().map(|t| comparable(t)).collect();
    let mut found = HashMap::new();
    let mut from = 1; // the cover is page 1
    for (id, title) in entries {
        let title = comparable(title);
        let prefix: String = title.chars().take(40).collect();
        if prefix.is_empty() {
            continue;
        }
        if let Some(at) = (from..pages.len()).find(|&p| pages[p].starts_with(&prefix)) {
            found.insert(id.clone(), at + 1);
            from = at;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_relative_paths() {
        assert_eq!(
            normalize_path("05-action/../04-alternatives.html"),
            "04-alternatives.html"
        );
        assert_eq!(normalize_path("./a/./b.html"), "a/b.html");
        assert_eq!(
            normalize_path("annexes/../../atelier/nouveau"),
            "atelier/nouveau"
        );
    }

    #[test]
    fn links_become_anchors_ids_unique_routes_text() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::create_dir_all(out.join("05-action")).unwrap();
        std::fs::write(
            out.join("a.html"),
            r##"<main><h1 id="a"><a class="header" href="#a">A</a></h1><div id="admonition-note"></div></main>"##,
        )
        .unwrap();
        std::fs::write(
            out.join("05-action/b.html"),
            r##"<main><h1 id="b">B</h1><h2 id="exemple">Ex</h2><div id="admonition-note"></div></main>"##,
        )
        .unwrap();
        let print = format!(
            r##"<body id="body"><main><h1 id="a"><a class="header" href="#a">A</a></h1><div id="admonition-note"></div><p><a href="05-action/b.html#exemple">voir</a></p>{CHAPTER_BREAK}<h1 id="b">B</h1><h2 id="exemple">Ex</h2><div id="admonition-note-1"><a class="anchor" href="#admonition-note">§</a></div><p><a href="05-action/../a.html">retour</a>, <a href="../atelier/nouveau">créer</a>, <a href="https://example.org/">web</a></p></main></body>"##
        );
        std::fs::write(out.join("print.html"), print).unwrap();
        let starts =
            make_links_internal(out, &["a.html".to_string(), "05-action/b.html".to_string()])
                .unwrap();
        let html = std::fs::read_to_string(out.join("print.html")).unwrap();
        let ids = ids_in(&html);
        let unique: HashSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        assert!(html.contains(r##"<a href="#exemple">voir</a>"##), "{html}");
        assert!(html.contains(r##"<a href="#a">retour</a>"##), "{html}");
        assert!(
            html.contains(r##"id="05-action-b-admonition-note""##)
                && html.contains(r##"href="#05-action-b-admonition-note""##),
            "{html}"
        );
        assert!(html.contains(", créer, "), "{html}");
        assert!(html.contains(r#"href="https://example.org/""#));
        assert_eq!(starts["05-action/b.html"], "b");
    }

    #[test]
    fn finds_the_page_that_opens_with_each_title() {
        let pages: Vec<String> = [
            "Chez soi sur le web",
            "Table des matières\nLa perte de portée 3\nÀ qui appartient 4",
            "La perte de\nportée\nVous publiez… voir À qui appartient votre audience ?",
            "À qui appartient votre audience\u{a0}?\nTexte",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let entries = vec![
            ("portee".to_string(), "La perte de portée".to_string()),
            (
                "audience".to_string(),
                "À qui appartient votre audience ?".to_string(),
            ),
        ];
        let found = find_start_pages(&entries, &pages);
        assert_eq!(found["portee"], 3);
        assert_eq!(found["audience"], 4);
    }
}
