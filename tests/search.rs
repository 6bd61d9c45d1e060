//! The book's search, made for French, in a real browser (headless
//! Chromium), served by `chezsoi serve` and opened from disk (`file://`):
//! accents, both apostrophes of elisions, singular and plural find the same
//! sections; snippets are clean text that never give an answer away; the
//! browser stems every word of the book exactly as the index did. Without
//! Chromium these tests print "skipped"; under CI=true they must run.

#[allow(dead_code)] // axe helpers unused here
#[path = "support/browser.rs"]
mod browser;
mod support;

use std::path::Path;
use std::time::Duration;
use support::or_skip;

use browser::{Books, find};
use fantoccini::Client;
use serde_json::json;
use support::FixtureProject;

#[derive(Debug, Clone, PartialEq)]
struct Hit {
    /// `chapitre.html#ancre`, without the highlight parameter.
    url: String,
    teaser_text: String,
    teaser_html: String,
}

/// Types `query` in the search box (as a reader does) and returns the hits.
async fn search(client: &Client, query: &str) -> Vec<Hit> {
    let wrapper_hidden = client
        .execute(
            "return document.getElementById('search-wrapper').classList.contains('hidden');",
            vec![],
        )
        .await
        .unwrap();
    if wrapper_hidden.as_bool() == Some(true) {
        find(client, "#search-toggle").await.click().await.unwrap();
    }
    let bar = find(client, "#searchbar").await;
    bar.clear().await.unwrap();
    bar.send_keys(query).await.unwrap();
    // The summary line names the query once the results are shown.
    let expected = format!("«\u{a0}{query}\u{a0}»");
    let mut shown = false;
    for _ in 0..100 {
        let header = client
            .execute(
                "return document.getElementById('searchresults-header').textContent;",
                vec![],
            )
            .await
            .unwrap();
        if header.as_str().is_some_and(|h| h.contains(&expected)) {
            shown = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(shown, "no results shown for {query:?}");
    let hits = client
        .execute(
            "return Array.from(document.querySelectorAll('#searchresults > li')).map(li => { \
               const a = li.querySelector('a'); const t = li.querySelector('.teaser'); \
               return [decodeURI(a.getAttribute('href')).replace(/\\?[^#]*/, ''), \
                       t ? t.textContent : '', t ? t.innerHTML : '']; });",
            vec![],
        )
        .await
        .unwrap();
    hits.as_array()
        .unwrap()
        .iter()
        .map(|hit| Hit {
            url: hit[0].as_str().unwrap().to_string(),
            teaser_text: hit[1].as_str().unwrap().to_string(),
            teaser_html: hit[2].as_str().unwrap().to_string(),
        })
        .collect()
}

/// `page.html#id` of the first heading of the built book whose text
/// contains `needle`.
fn section_titled(book: &Path, needle: &str) -> String {
    let heading = regex::Regex::new(r#"(?s)<h[1-6] id="([^"]+)"[^>]*>(.*?)</h[1-6]>"#).unwrap();
    let tag = regex::Regex::new(r"<[^>]*>").unwrap();
    let summary = std::fs::read_to_string(book.join("toc.html")).unwrap();
    let pages = regex::Regex::new(r##"href="([^"#]+\.html)""##).unwrap();
    for page in pages.captures_iter(&summary) {
        let html = std::fs::read_to_string(book.join(&page[1])).unwrap_or_default();
        for found in heading.captures_iter(&html) {
            if tag.replace_all(&found[2], "").contains(needle) {
                return format!("{}#{}", &page[1], &found[1]);
            }
        }
    }
    panic!("no heading of the book contains {needle:?}")
}

fn urls(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.url.as_str()).collect()
}

async fn check_queries(client: &Client, base: &str, book: &Path, label: &str) {
    client.goto(&format!("{base}/index.html")).await.unwrap();
    find(client, "#search-toggle").await;

    // Accents, elisions with either apostrophe, singular and plural.
    for (a, b) in [
        ("réseaux", "reseaux"),
        ("réseaux", "réseau"),
        ("l'audience", "l’audience"),
        ("l'audience", "audience"),
        ("hébergement", "hebergement"),
        ("L’hébergement", "hebergement"),
        ("abonnés", "abonne"),
        ("économie de l’attention", "ECONOMIE DE L'ATTENTION"),
        ("portée organique", "portees organiques"),
    ] {
        let first = search(client, a).await;
        let second = search(client, b).await;
        assert!(!first.is_empty(), "[{label}] {a:?} finds nothing");
        assert_eq!(urls(&first), urls(&second), "[{label}] {a:?} and {b:?}");
    }
    let plain = search(client, "hébergement").await;
    for elided in ["l", "d", "qu", "n", "s", "c", "j", "m", "t"] {
        for apostrophe in ['\'', '’'] {
            let query = format!("{elided}{apostrophe}hébergement");
            assert_eq!(
                urls(&search(client, &query).await),
                urls(&plain),
                "[{label}] {query:?}"
            );
        }
    }

    // The expected section among the first results: the one whose
    // heading names what is looked for.
    for (query, heading, within) in [
        ("referencement", "Les bases du référencement", 3),
        (
            "noms de domaine",
            "Le nom de domaine, votre adresse permanente",
            3,
        ),
        ("l'audience", "À qui appartient votre audience", 3),
        (
            "reseaux sociaux",
            "réseaux sociaux sont devenus incontournables",
            5,
        ),
        ("ActivityPub", "ActivityPub", 1),
        ("double opt-in", "Double opt-in", 1),
        ("instances", "Instance", 3),
    ] {
        let expected = section_titled(book, heading);
        let hits = search(client, query).await;
        assert!(
            hits.iter().take(within).any(|hit| hit.url == expected),
            "[{label}] {query:?}: {expected} not in the first {within}: {:?}",
            urls(&hits)
        );
    }

    // Snippets: clean text, the query highlighted even without its
    // accents, never an answer key.
    let hits = search(client, "reseaux").await;
    assert!(
        hits[0].teaser_html.contains("<em>"),
        "[{label}] no highlight: {}",
        hits[0].teaser_html
    );
    let entity = regex::Regex::new(r"&[#a-zA-Z0-9]+;").unwrap();
    for query in [
        "Squeezie",
        "rente de situation",
        "bonne réponse",
        "CouchSurfing",
        "Fediverse",
        "reseaux",
    ] {
        for hit in search(client, query).await {
            assert!(
                !entity.is_match(&hit.teaser_text),
                "[{label}] {query:?}: an entity in a snippet: {}",
                hit.teaser_text
            );
            assert!(
                !hit.teaser_html.contains("&amp;"),
                "[{label}] {query:?}: an escaped entity in a snippet: {}",
                hit.teaser_html
            );
            for answer in ["Bonne réponse", "✔", "✘", "Corrigé"] {
                assert!(
                    !hit.teaser_text.contains(answer),
                    "[{label}] {query:?}: a snippet gives an answer away ({answer}): {}",
                    hit.teaser_text
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn french_queries_find_their_sections_served_and_offline() {
    let mut books = or_skip!(Books::start_or_skip("French search"));
    let client = books.driver.session(true).await;
    for (label, base) in books.bases() {
        check_queries(&client, &base, &books.offline, label).await;
    }
    client.close().await.unwrap();
}

/// The index (rust-stemmers) and the browser (lunr-languages) must turn
/// every word of the book into the same term, or a query would miss what
/// the index holds.
#[tokio::test(flavor = "multi_thread")]
async fn the_browser_stems_every_word_of_the_book_as_the_index_did() {
    let mut driver = or_skip!(browser::driver_or_skip("French stemmers agree"));
    let fixture = FixtureProject::real();
    let out = tempfile::tempdir().unwrap();
    let offline = support::file_url(&support::build_offline_book(fixture.root(), out.path()));
    let client = driver.session(true).await;
    client.goto(&format!("{offline}/index.html")).await.unwrap();
    find(&client, "#search-toggle").await;

    let mut texts = Vec::new();
    let mut stack = vec![fixture.path("book")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                texts.push(std::fs::read_to_string(path).unwrap());
            }
        }
    }
    for quiz in std::fs::read_dir(fixture.path("quizzes")).unwrap() {
        texts.push(std::fs::read_to_string(quiz.unwrap().path()).unwrap());
    }
    let names = chezsoi::book::search::pipeline_names();
    let browser_terms = client
        .execute(
            "const pipeline = elasticlunr.Pipeline.load(arguments[1]); \
             return arguments[0].map(text => pipeline.run(elasticlunr.tokenizer(text)));",
            vec![json!(texts), json!(names)],
        )
        .await
        .unwrap();
    let mut words = 0;
    let mut differences = Vec::new();
    for (text, theirs) in texts.iter().zip(browser_terms.as_array().unwrap()) {
        let ours = chezsoi::book::search::terms(text);
        let theirs: Vec<String> = theirs
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect();
        words += ours.len();
        if ours != theirs {
            let first = ours
                .iter()
                .zip(&theirs)
                .find(|(a, b)| a != b)
                .map(|(a, b)| format!("{a} ≠ {b}"))
                .unwrap_or_else(|| format!("{} terms ≠ {}", ours.len(), theirs.len()));
            differences.push(first);
        }
    }
    assert!(words > 10_000, "only {words} words compared");
    assert!(
        differences.is_empty(),
        "the browser and the index disagree: {differences:?}"
    );
    client.close().await.unwrap();
}
