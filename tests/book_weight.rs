//! A chapter stays light: what its pages load, compressed as the server
//! sends it, stays under 150 KB; no page loads an icon font, a code
//! highlighter or a script with an unload handler; every page has a
//! favicon.

mod support;

use std::io::Write;
use std::path::Path;

use chezsoi::book::Target;
use regex::Regex;

fn gzipped_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap().len()
}

/// The files a page loads at once (scripts, stylesheets, icon), relative to the book.
fn loaded_by(book: &Path, page: &str) -> Vec<String> {
    let html = std::fs::read_to_string(book.join(page)).unwrap();
    let folder = Path::new(page).parent().unwrap();
    let reference = Regex::new(r#"<(?:script[^>]*\bsrc|link[^>]*\bhref)="([^"]+)""#).unwrap();
    reference
        .captures_iter(&html)
        .map(|c| c[1].split(['?', '#']).next().unwrap().to_string())
        .filter(|href| !href.contains("://"))
        .map(|href| chezsoi::book::print::normalize_path(&folder.join(href).to_string_lossy()))
        .collect()
}

#[test]
fn a_chapter_loads_less_than_150_kb_and_nothing_it_does_not_need() {
    let book = &support::shared_book(Target::Offline).built.out;
    for page in [
        "index.html",
        "02-portee.html",
        "annexes/glossaire.html",
        "05-action/site.html",
        "toc.html",
    ] {
        let files = loaded_by(book, page);
        assert!(
            files.iter().any(|f| f == "favicon.svg"),
            "{page}: no favicon"
        );
        let mut total = gzipped_len(&std::fs::read(book.join(page)).unwrap());
        for file in &files {
            for unwanted in ["FontAwesome", "highlight", "clipboard", "book.js"] {
                assert!(!file.contains(unwanted), "{page} loads {file}");
            }
            let bytes = std::fs::read(book.join(file))
                .unwrap_or_else(|e| panic!("{page} loads {file}, which is missing: {e}"));
            if file.ends_with(".js") {
                let text = String::from_utf8_lossy(&bytes);
                for handler in ["onunload", "'unload'", "\"unload\""] {
                    assert!(!text.contains(handler), "{file}: an unload handler");
                }
            }
            total += gzipped_len(&bytes);
        }
        assert!(total < 150_000, "{page}: {total} bytes compressed");
    }
    for unused in ["FontAwesome", "highlight.js", "clipboard.min.js"] {
        assert!(!book.join(unused).exists(), "{unused} is still written");
    }
}
