//! The real book: every chapter exists and says something, every relative
//! link and anchor of the built HTML resolves, and each argument chapter
//! carries its comprehension check.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chezsoi::book::{self, BuildOptions};
use chezsoi::project::Project;
use common::FixtureProject;

fn built_real_book() -> (FixtureProject, PathBuf) {
    let fixture = FixtureProject::real();
    let project = Project::open(fixture.root()).unwrap();
    let built = book::build(&project, &BuildOptions::default()).expect("the real book builds");
    (fixture, built.out)
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            html_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

/// Values of an attribute (`href="…"`) in a page.
fn attribute_values<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    let needle = format!(" {attribute}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let start = i + needle.len();
            html[start..].find('"').map(|end| &html[start..start + end])
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn every_chapter_of_the_summary_exists_and_is_substantial() {
    let root = Path::new(common::MANIFEST_DIR);
    let summary = std::fs::read_to_string(root.join("book/SUMMARY.md")).unwrap();
    let chapters: Vec<&str> = attribute_like_links(&summary);
    assert!(
        chapters.len() >= 10,
        "SUMMARY.md lists only {} chapters",
        chapters.len()
    );
    for chapter in chapters {
        let text = std::fs::read_to_string(root.join("book").join(chapter))
            .unwrap_or_else(|_| panic!("{chapter} is listed in SUMMARY.md but missing"));
        let words = text
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphabetic))
            .count();
        assert!(words >= 400, "{chapter} has only {words} words");
        let h1 = text.lines().filter(|l| l.starts_with("# ")).count();
        assert_eq!(h1, 1, "{chapter} must have exactly one level-1 heading");
        if chapter.starts_with('0') {
            assert!(
                text.contains("```admonish tip title=\"À retenir\""),
                "{chapter} has no « À retenir » callout"
            );
        }
    }
}

/// Targets of `[title](target)` links.
fn attribute_like_links(markdown: &str) -> Vec<&str> {
    markdown
        .match_indices("](")
        .filter_map(|(i, _)| {
            markdown[i + 2..]
                .find(')')
                .map(|end| &markdown[i + 2..i + 2 + end])
        })
        .collect()
}

#[test]
fn argument_chapters_embed_their_comprehension_check_and_link_the_diagnostic() {
    let (_fixture, out) = built_real_book();
    for (page, quiz) in [
        ("01-incontournables.html", "verif-incontournables"),
        ("02-portee.html", "verif-portee"),
        ("03-audience.html", "verif-audience"),
        ("04-alternatives.html", "verif-alternatives"),
    ] {
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        assert!(
            html.contains(&format!("data-quiz=\"{quiz}\"")),
            "{page} does not embed {quiz}"
        );
        assert!(
            html.contains("05-action/diagnostic.html"),
            "{page} does not link the diagnostic"
        );
    }
    let intro = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        intro.contains("05-action/diagnostic.html"),
        "the introduction does not link the diagnostic"
    );
    let diagnostic = std::fs::read_to_string(out.join("05-action/diagnostic.html")).unwrap();
    assert!(diagnostic.contains("data-quiz=\"diagnostic\""));
}

#[test]
fn every_relative_link_and_anchor_resolves() {
    let (_fixture, out) = built_real_book();
    let mut pages = Vec::new();
    html_files(&out, &mut pages);
    let mut ids: HashMap<PathBuf, Vec<String>> = HashMap::new();
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap();
        ids.insert(
            page.clone(),
            attribute_values(&html, "id")
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
    }
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap();
        for href in attribute_values(&html, "href")
            .into_iter()
            .chain(attribute_values(&html, "src"))
        {
            if href.starts_with("http:")
                || href.starts_with("https:")
                || href.starts_with("mailto:")
                || href.starts_with('/')
                || href.is_empty()
            {
                continue;
            }
            let href = href.replace("&amp;", "&");
            let (path_part, anchor) = match href.split_once('#') {
                Some((p, a)) => (p.to_string(), Some(decode(a))),
                None => (href.clone(), None),
            };
            let path_part = path_part.split('?').next().unwrap().to_string();
            let target = if path_part.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(decode(&path_part))
            };
            let target = if target.is_dir() {
                target.join("index.html")
            } else {
                target
            };
            // Links to the server's own routes (quiz pages, workshops) are
            // not files.
            let normalized: PathBuf = target.components().fold(PathBuf::new(), |mut acc, c| {
                match c {
                    std::path::Component::ParentDir => {
                        acc.pop();
                    }
                    other => acc.push(other),
                }
                acc
            });
            if normalized.strip_prefix(&out).is_ok_and(|rel| {
                ["quiz", "a", "atelier"]
                    .iter()
                    .any(|route| rel.starts_with(route))
            }) {
                continue;
            }
            let target = normalized;
            checked += 1;
            if !target.exists() {
                broken.push(format!(
                    "{}: {href} (no such file)",
                    page.strip_prefix(&out).unwrap().display()
                ));
                continue;
            }
            if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
                let known = ids
                    .get(&target.canonicalize().unwrap_or(target.clone()))
                    .or_else(|| ids.get(&target));
                if !known.is_some_and(|ids| ids.contains(&anchor)) {
                    broken.push(format!(
                        "{}: {href} (no anchor #{anchor})",
                        page.strip_prefix(&out).unwrap().display()
                    ));
                }
            }
        }
    }
    assert!(
        checked > 200,
        "only {checked} links checked: the checker is not seeing the pages"
    );
    assert!(
        broken.is_empty(),
        "{} broken links:\n{}",
        broken.len(),
        broken.join("\n")
    );
}
