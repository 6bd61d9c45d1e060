//! The print version (print.html, and the PDF made from it) opens with a
//! cover page and a table of contents built from the chapters' titles.

use std::path::Path;

use anyhow::{Context, Result};

/// One level-1 heading of print.html: its anchor and its text.
fn chapter_headings(html: &str) -> Vec<(String, String)> {
    let mut headings = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<h1 id=\"") {
        let after = &rest[start + 8..];
        let Some(id_end) = after.find('"') else { break };
        let id = after[..id_end].to_string();
        let Some(close) = after.find("</h1>") else {
            break;
        };
        let inner = &after[id_end..close];
        let inner = inner.split_once('>').map_or(inner, |(_, text)| text);
        headings.push((id, strip_tags(inner)));
        rest = &after[close..];
    }
    headings
}

fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.trim().to_string()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Inserts the cover and the contents at the start of print.html's `<main>`.
/// Headings' text is already HTML-escaped by mdBook.
pub fn add_cover_and_contents(print_html: &Path, title: &str, description: &str) -> Result<()> {
    if !print_html.is_file() {
        return Ok(()); // print disabled in book.toml
    }
    let html = std::fs::read_to_string(print_html)
        .with_context(|| format!("lecture de «\u{a0}{}\u{a0}»", print_html.display()))?;
    let Some(main) = html.find("<main>") else {
        return Ok(());
    };
    let entries: String = chapter_headings(&html)
        .iter()
        .map(|(id, text)| format!("<li><a href=\"#{id}\">{text}</a></li>"))
        .collect();
    let front = format!(
        "<section class=\"chezsoi-cover\"><p class=\"chezsoi-cover-kicker\">Guide pratique</p>\
         <p class=\"chezsoi-cover-title\">{title}</p><p class=\"chezsoi-cover-subtitle\">{description}</p>\
         <p class=\"chezsoi-cover-note\">Version imprimable\u{a0}: chaque questionnaire y devient une fiche à remplir à la main, avec son barème.</p></section>\
         <nav class=\"chezsoi-print-toc\" aria-label=\"Table des matières\"><p class=\"chezsoi-print-toc-title\">Table des matières</p><ol>{entries}</ol></nav>",
        title = escape(title),
        description = escape(description),
    );
    let at = main + "<main>".len();
    let mut out = String::with_capacity(html.len() + front.len());
    out.push_str(&html[..at]);
    out.push_str(&front);
    out.push_str(&html[at..]);
    std::fs::write(print_html, out)
        .with_context(|| format!("écriture de «\u{a0}{}\u{a0}»", print_html.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_chapter_headings_with_their_anchor_and_text() {
        let html = r##"<main><h1 id="avant-propos"><a class="header" href="#avant-propos">Avant-propos</a></h1><p>x</p>
<h2 id="b">B</h2><h1 id="la-portée"><a class="header" href="#la-portée">La perte de portée</a></h1></main>"##;
        assert_eq!(
            chapter_headings(html),
            vec![
                ("avant-propos".to_string(), "Avant-propos".to_string()),
                ("la-portée".to_string(), "La perte de portée".to_string())
            ]
        );
    }
}
