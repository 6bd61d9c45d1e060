//! print.html (and the PDF printed from it) navigates inside itself: every
//! id is unique, every link to the book lands on an id of print.html,
//! external links keep their address, server routes are no dead links
//! offline; its contents show the book's parts and, in the PDF, the page
//! where each chapter starts; no worksheet starts on a half-empty page.

mod support;

use std::collections::HashSet;
use support::or_skip;

use chezsoi::book::Target;
use regex::Regex;

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[test]
fn every_internal_link_of_print_html_targets_an_id_of_print_html() {
    let shared = support::shared_book(Target::Offline);
    let book = &shared.built.out;
    let html = std::fs::read_to_string(book.join("print.html")).unwrap();

    let ids: Vec<String> = Regex::new(r#"\bid="([^"]*)""#)
        .unwrap()
        .captures_iter(&html)
        .map(|c| c[1].to_string())
        .collect();
    let unique: HashSet<&String> = ids.iter().collect();
    let repeated: Vec<&String> = ids
        .iter()
        .filter(|id| ids.iter().filter(|other| other == id).count() > 1)
        .collect();
    assert_eq!(unique.len(), ids.len(), "repeated ids: {repeated:?}");

    let main = &html[html.find("<main>").unwrap()..html.rfind("</main>").unwrap()];
    let mut internal = 0;
    let mut external = 0;
    for link in Regex::new(r#"<a\b[^>]*\bhref="([^"]*)""#)
        .unwrap()
        .captures_iter(main)
    {
        let href = &link[1];
        if href.starts_with("https://")
            || href.starts_with("http://")
            || href.starts_with("mailto:")
        {
            external += 1;
            continue;
        }
        let id = href
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("a link out of print.html: {href}"));
        assert!(
            unique.contains(&id.to_string()) || unique.contains(&percent_decode(id)),
            "a link to no id of print.html: {href}"
        );
        internal += 1;
    }
    assert!(internal > 100, "only {internal} internal links");
    assert!(external > 5, "only {external} external links");
    assert!(!main.contains(".html#"), "a cross-file link is left");

    // The contents: the book's parts, then each chapter linked to its start.
    let parts: Vec<String> = Regex::new(r#"<li class="chezsoi-toc-part">([^<]*)</li>"#)
        .unwrap()
        .captures_iter(&html)
        .map(|c| c[1].to_string())
        .collect();
    let summary = std::fs::read_to_string(shared.root.join("book/SUMMARY.md")).unwrap();
    let expected: Vec<String> = summary
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .filter(|title| *title != "Sommaire" && *title != "Summary")
        .map(str::to_string)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(parts, expected, "parts of the contents");
    let chapters = &shared.built.content.chapter_titles;
    let entries = chezsoi::book::print::contents_entries(&html);
    assert_eq!(entries.len(), chapters.len(), "one line per chapter");
}

#[test]
fn the_offline_book_has_no_dead_server_link() {
    let book = &support::shared_book(Target::Offline).built.out;
    let href = Regex::new(r##"<a\b[^>]*\bhref="([^"#?]*)[^"]*""##).unwrap();
    let mut stack = vec![book.clone()];
    let mut checked = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "html") {
                continue;
            }
            let html = std::fs::read_to_string(&path).unwrap();
            for link in href.captures_iter(&html) {
                let target = &link[1];
                if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                let file = path.parent().unwrap().join(target);
                assert!(
                    file.is_file() || file.join("index.html").is_file(),
                    "{}: a link to nothing offline: {target}",
                    path.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} links checked");
}

/// The PDF's contents carry the page where each chapter starts, and a
/// worksheet never starts on a page left half empty.
#[test]
fn the_pdf_contents_have_page_numbers_and_worksheets_fill_their_pages() {
    or_skip!(support::chromium_or_skip("PDF contents"));
    or_skip!(support::tool_or_skip(
        "PDF contents",
        "pdftotext",
        "poppler-utils"
    ));
    let book = &support::shared_book(Target::Offline).built.out;
    let pdf = book.join("chezsoi.pdf");
    chezsoi::book::pdf::print_pdf(book, &pdf).unwrap();
    let pages = chezsoi::book::pdf::page_texts(&pdf).unwrap();
    let html = std::fs::read_to_string(book.join("print.html")).unwrap();
    let numbers = Regex::new(r#"<span class="chezsoi-toc-text">(.*?)</span><span class="chezsoi-toc-page" data-for="[^"]*">(\d*)</span>"#)
        .unwrap();
    let mut seen = 0;
    let mut last = 0;
    for entry in numbers.captures_iter(&html) {
        let title = chezsoi::book::print::comparable(&entry[1]);
        let page: usize = entry[2]
            .parse()
            .unwrap_or_else(|_| panic!("no page number for {}", &entry[1]));
        assert!(page > last, "{}: page {page} after {last}", &entry[1]);
        let text = chezsoi::book::print::comparable(&pages[page - 1]);
        assert!(
            text.starts_with(&title.chars().take(40).collect::<String>()),
            "{} does not start page {page}",
            &entry[1]
        );
        last = page;
        seen += 1;
    }
    assert!(seen > 10, "only {seen} chapters in the contents");
    // External links keep their address on paper.
    let printed = pages.iter().filter(|p| p.contains("(https://")).count();
    assert!(printed > 0, "no external address printed");

    let lines = |text: &str| text.lines().filter(|l| !l.trim().is_empty()).count();
    let mut full: Vec<usize> = pages.iter().map(|p| lines(p)).collect();
    full.sort_unstable();
    let typical = full[full.len() * 3 / 4];
    let mut worksheets = 0;
    for (n, page) in pages.iter().enumerate() {
        if page.trim_start().starts_with("VERSION PAPIER") {
            worksheets += 1;
            assert!(
                lines(page) * 2 > typical,
                "page {}: a worksheet starts on a half-empty page ({} lines, {typical} usually)",
                n + 1,
                lines(page)
            );
        }
    }
    assert!(worksheets >= 4, "only {worksheets} worksheets start a page");
}
