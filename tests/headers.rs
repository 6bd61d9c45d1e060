//! Every page the server sends — the application's pages in every state,
//! its error pages, and every HTML file of the book — carries the security
//! headers, runs no inline script and loads nothing from another origin.
//!
//! What may name another origin, decided here:
//! - application pages (quiz, result, stats, workshops, errors): nothing, in
//!   any `src`, `href`, `action` or other URL attribute. The participant
//!   join address (`http://…/a/CODE`) is the one absolute address they
//!   show, and only as text and as the QR code drawn in SVG: it is never a
//!   link or a resource, so a page holding a facilitator key never sends a
//!   `Referer` anywhere;
//! - book pages: plain `<a href>` links to their sources (citations the
//!   reader chooses to follow, sent without a referrer), and nothing else:
//!   no script, style, image, font, frame or form from another origin.

#[path = "support/router.rs"]
mod router;
mod support;

use std::path::Path;

use axum::http::{HeaderMap, StatusCode, header};
use router::{App, Reply, encode};
use support::valid_answers;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Application,
    Book,
}

fn check_headers(name: &str, headers: &HeaderMap) {
    let get = |h: &str| {
        headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{name}: no {h} header"))
    };
    let csp = get("content-security-policy");
    let directives: Vec<(&str, Vec<&str>)> = csp
        .split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            words.next().map(|n| (n, words.collect()))
        })
        .collect();
    let directive = |n: &str| {
        directives
            .iter()
            .find(|(d, _)| *d == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{name}: the CSP has no {n}: {csp}"))
    };
    assert_eq!(directive("default-src"), ["'self'"], "{name}: {csp}");
    assert_eq!(
        directive("script-src"),
        ["'self'"],
        "{name}: scripts must be same-origin files only (no 'unsafe-inline'): {csp}"
    );
    assert_eq!(directive("object-src"), ["'none'"], "{name}");
    assert!(
        !csp.contains("http") && !csp.contains('*') && !csp.contains("unsafe-eval"),
        "{name}: the CSP lets another origin or eval in: {csp}"
    );
    let framing = headers.contains_key(header::X_FRAME_OPTIONS)
        || directives.iter().any(|(d, _)| *d == "frame-ancestors");
    assert!(
        framing,
        "{name}: neither X-Frame-Options nor frame-ancestors"
    );
    assert_eq!(get("x-content-type-options"), "nosniff", "{name}");
    assert_eq!(get("referrer-policy"), "no-referrer", "{name}");
    let permissions = get("permissions-policy");
    for feature in ["camera=()", "microphone=()", "geolocation=()"] {
        assert!(permissions.contains(feature), "{name}: {permissions}");
    }
}

/// A start tag: its name and the text of its attributes.
struct Tag<'a> {
    name: String,
    attributes: &'a str,
}

/// The start tags of an HTML text (quotes respected, comments skipped).
fn tags(html: &str) -> Vec<Tag<'_>> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(offset) = html[i..].find('<') {
        let start = i + offset + 1;
        if html[start..].starts_with("!--") {
            i = html[start..]
                .find("-->")
                .map_or(html.len(), |e| start + e + 3);
            continue;
        }
        let name_len = html[start..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
            .count();
        if name_len == 0 || !bytes[start].is_ascii_alphabetic() {
            i = start;
            continue;
        }
        let mut end = start + name_len;
        let mut quote = None;
        while end < bytes.len() {
            match (quote, bytes[end]) {
                (None, b'>') => break,
                (None, q @ (b'"' | b'\'')) => quote = Some(q),
                (Some(q), b) if b == q => quote = None,
                _ => {}
            }
            end += 1;
        }
        tags.push(Tag {
            name: html[start..start + name_len].to_ascii_lowercase(),
            attributes: &html[start + name_len..end.min(html.len())],
        });
        i = end.min(html.len());
    }
    tags
}

/// `(name, value)` of each attribute, entities in values decoded enough
/// to read a URL (`&#x2F;`, `&amp;`…).
fn attributes(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim_start_matches('/');
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            break;
        }
        let name_len = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_len].to_ascii_lowercase();
        rest = rest[name_len..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (raw, remaining) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let close = after[1..].find(q).map_or(after.len(), |e| e + 1);
                    (&after[1..close], &after[(close + 1).min(after.len())..])
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            value = decode_entities(raw);
            rest = remaining;
        }
        if name.is_empty() {
            rest = &rest[rest.chars().next().map_or(0, char::len_utf8)..];
            continue;
        }
        out.push((name, value));
    }
    out
}

fn decode_entities(text: &str) -> String {
    text.replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&#x3A;", ":")
        .replace("&colon;", ":")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Attributes whose value the browser fetches or navigates to.
const URL_ATTRIBUTES: &[&str] = &[
    "src",
    "href",
    "action",
    "formaction",
    "srcset",
    "poster",
    "data",
    "background",
    "cite",
    "manifest",
    "xlink:href",
    "ping",
];

fn is_other_origin(url: &str) -> bool {
    let url = url.trim().to_ascii_lowercase();
    url.starts_with("http:")
        || url.starts_with("https:")
        || url.starts_with("//")
        || url.starts_with("\\\\")
        || url.starts_with("ftp:")
        || url.starts_with("ws:")
        || url.starts_with("wss:")
}

/// No inline script, no event handler, no `javascript:` URL, the referrer
/// meta, and nothing from another origin (but the book's citation links).
fn check_html(name: &str, kind: Kind, html: &str) {
    assert!(html.contains("lang=\"fr\""), "{name}: not a French page");
    // mdBook's own toc.html (the sidebar's frame when scripts are off, not
    // a page of the theme) has only the header; it links nowhere else,
    // which the loop below checks.
    assert!(
        html.contains("<meta name=\"referrer\" content=\"no-referrer\">") || name == "/toc.html",
        "{name}: no referrer meta"
    );
    let tags = tags(html);
    assert!(!tags.is_empty(), "{name}: no tag found");
    for tag in &tags {
        let attributes = attributes(tag.attributes);
        let has = |n: &str| attributes.iter().any(|(a, _)| a == n);
        let value = |n: &str| {
            attributes
                .iter()
                .find(|(a, _)| a == n)
                .map(|(_, v)| v.as_str())
        };
        if tag.name == "script" {
            let json = value("type").is_some_and(|t| t.eq_ignore_ascii_case("application/json"));
            assert!(
                has("src") || json,
                "{name}: an inline script: <script{}>",
                tag.attributes
            );
        }
        for (attribute, value) in &attributes {
            assert!(
                !(attribute.starts_with("on") && attribute.len() > 2),
                "{name}: an inline event handler <{} {attribute}=…>",
                tag.name
            );
            if !URL_ATTRIBUTES.contains(&attribute.as_str()) {
                continue;
            }
            let lowered = value.trim().to_ascii_lowercase();
            assert!(
                !lowered.starts_with("javascript:") && !lowered.starts_with("vbscript:"),
                "{name}: a script URL in <{} {attribute}>",
                tag.name
            );
            for url in value.split([',', ' ']).filter(|u| !u.is_empty()) {
                if !is_other_origin(url) {
                    continue;
                }
                let citation = kind == Kind::Book && tag.name == "a" && attribute == "href";
                assert!(
                    citation,
                    "{name}: <{} {attribute}=\"{url}\"> names another origin",
                    tag.name
                );
            }
        }
        if tag.name == "meta"
            && value("http-equiv").is_some_and(|h| h.eq_ignore_ascii_case("refresh"))
        {
            // A moved page may send readers on within the site, never away.
            let content = value("content").unwrap_or_default().to_ascii_lowercase();
            let target = content.split_once("url=").map_or("", |(_, url)| url);
            assert!(
                !is_other_origin(target),
                "{name}: a refresh that leaves the site: {content}"
            );
        }
    }
}

fn html_files(dir: &Path, root: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            html_files(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            let relative = path.strip_prefix(root).unwrap().to_string_lossy();
            out.push(format!("/{}", relative.replace('\\', "/")));
        }
    }
}

struct Pages {
    pages: Vec<(String, Kind, Reply)>,
}

impl Pages {
    fn add(&mut self, name: impl Into<String>, kind: Kind, reply: Reply, status: StatusCode) {
        let name = name.into();
        assert_eq!(reply.status, status, "{name}: {}", reply.text());
        self.pages.push((name, kind, reply));
    }

    /// GETs each application page `(name, uri, status)`.
    async fn get_all(&mut self, app: &App, rows: &[(&str, &str, StatusCode)]) {
        for (name, uri, status) in rows {
            self.add(*name, Kind::Application, app.get(uri).await, *status);
        }
    }

    /// POSTs each form `(name, uri, body, status)` of the application.
    async fn post_all(&mut self, app: &App, rows: &[(&str, &str, &str, StatusCode)]) {
        for (name, uri, body, status) in rows {
            let reply = app.post_form(uri, body.to_string()).await;
            self.add(*name, Kind::Application, reply, *status);
        }
    }
}

#[tokio::test]
async fn every_page_carries_the_security_headers_and_loads_nothing_from_elsewhere() {
    let app = App::new();
    let mut pages = Pages { pages: Vec::new() };
    let app_page = Kind::Application;

    // Every HTML file of the book, and its root.
    let mut book = Vec::new();
    html_files(&app.book_dir, &app.book_dir, &mut book);
    book.sort();
    assert!(book.len() > 10, "the book has only {} pages", book.len());
    book.push("/".into());
    for uri in &book {
        pages.add(uri.clone(), Kind::Book, app.get(uri).await, StatusCode::OK);
    }

    // Quizzes, results, statistics.
    let catalog = app.state.catalog();
    for quiz in catalog.iter() {
        let id = &quiz.id;
        let forms = [
            (
                &*format!("quiz {id}"),
                &*format!("/quiz/{id}"),
                StatusCode::OK,
            ),
            (
                &format!("stats {id}"),
                &format!("/stats/{id}"),
                StatusCode::OK,
            ),
        ];
        pages.get_all(&app, &forms).await;
        let submitted = app
            .post_form(&format!("/quiz/{id}"), encode(&valid_answers(quiz, 1)))
            .await;
        assert_eq!(submitted.status, StatusCode::SEE_OTHER);
        let result = submitted.location();
        pages
            .get_all(&app, &[(&format!("result {id}"), &result, StatusCode::OK)])
            .await;
        let refused = app
            .post_form(&format!("/quiz/{id}"), encode(&valid_answers(quiz, 0)[..2]))
            .await;
        pages.add(
            format!("refused {id}"),
            app_page,
            refused,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        let deletion = format!("{result}/supprimer");
        let forms = [
            (
                &*format!("deletion asked {id}"),
                &*deletion,
                "",
                StatusCode::OK,
            ),
            (
                &format!("deleted result {id}"),
                &deletion,
                "confirmation=oui",
                StatusCode::OK,
            ),
        ];
        pages.post_all(&app, &forms).await;
    }
    let diagnostic = app.quiz("diagnostic");
    for n in 0..chezsoi::web::DEFAULT_MIN_GROUP {
        let reply = app
            .post_form("/quiz/diagnostic", encode(&valid_answers(&diagnostic, n)))
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
    }
    let stats = [("stats with figures", "/stats/diagnostic", StatusCode::OK)];
    pages.get_all(&app, &stats).await;

    // Workshops in every state.
    let form = [("creation form", "/atelier/nouveau", StatusCode::OK)];
    pages.get_all(&app, &form).await;
    let refused = "titre=&minimum=1";
    let creation = [(
        "creation refused",
        "/atelier/nouveau",
        refused,
        StatusCode::UNPROCESSABLE_ENTITY,
    )];
    pages.post_all(&app, &creation).await;
    let workshop = app.workshop("Atelier du jeudi").await;
    let (join, projector, manage) = (
        workshop.join(),
        workshop.projection(""),
        workshop.path("/gestion"),
    );
    let opened = [
        ("join form", "/a", StatusCode::OK),
        ("join, unknown code", "/a?code=zz", StatusCode::NOT_FOUND),
        ("join", &join, StatusCode::OK),
        ("projector, empty", &projector, StatusCode::OK),
        ("management", &manage, StatusCode::OK),
    ];
    pages.get_all(&app, &opened).await;
    let mut workshop_result = String::new();
    for n in 0..3 {
        let reply = app
            .post_form(&workshop.join(), encode(&valid_answers(&diagnostic, n)))
            .await;
        workshop_result = reply.location();
    }
    let answered = [
        ("workshop result", &*workshop_result, StatusCode::OK),
        ("projector, enough", &projector, StatusCode::OK),
    ];
    pages.get_all(&app, &answered).await;
    assert_eq!(
        app.post_form(&workshop.projection("/reveler"), "")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let revealed = [("projector, revealed", &*projector, StatusCode::OK)];
    pages.get_all(&app, &revealed).await;
    assert_eq!(
        app.post_form(&workshop.path("/fermer"), "").await.status,
        StatusCode::SEE_OTHER
    );
    let closed = [
        ("projector, closed", &*projector, StatusCode::OK),
        ("management, closed", &manage, StatusCode::OK),
        ("join, closed", &join, StatusCode::GONE),
    ];
    pages.get_all(&app, &closed).await;
    let small = app.workshop("Petit atelier").await;
    let reveal = [(
        "reveal refused",
        &*small.projection("/reveler"),
        "",
        StatusCode::CONFLICT,
    )];
    pages.post_all(&app, &reveal).await;
    let export = [(
        "export refused",
        &*small.path("/resultats.csv"),
        StatusCode::CONFLICT,
    )];
    pages.get_all(&app, &export).await;
    let deletions = [
        (
            "deletion unconfirmed",
            &*small.path("/supprimer"),
            "",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "workshop deleted",
            &workshop.path("/supprimer"),
            "confirmation=oui",
            StatusCode::OK,
        ),
    ];
    pages.post_all(&app, &deletions).await;

    // Error pages.
    let missing = [
        ("book 404", "/nulle-part.html", StatusCode::NOT_FOUND),
        ("quiz 404", "/quiz/inconnu", StatusCode::NOT_FOUND),
        (
            "result 404",
            "/r/0123456789abcdef0123456789abcdef",
            StatusCode::NOT_FOUND,
        ),
        ("workshop 404", &manage, StatusCode::NOT_FOUND),
        ("undecodable path", "/quiz/%FF", StatusCode::NOT_FOUND),
    ];
    pages.get_all(&app, &missing).await;
    let stale = [(
        "stale version",
        "/quiz/diagnostic",
        "version=0",
        StatusCode::CONFLICT,
    )];
    pages.post_all(&app, &stale).await;
    pages.add(
        "invalid UTF-8",
        app_page,
        app.post_form("/quiz/diagnostic", b"\xff".to_vec()).await,
        StatusCode::BAD_REQUEST,
    );
    pages.add(
        "not a form",
        app_page,
        app.send(
            axum::http::Request::post("/quiz/diagnostic")
                .header(header::CONTENT_TYPE, "application/json")
                .body(axum::body::Body::from("{}"))
                .unwrap(),
        )
        .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    );
    pages.add(
        "too large",
        app_page,
        app.post_form("/quiz/diagnostic", vec![b'a'; chezsoi::web::BODY_LIMIT + 1])
            .await,
        StatusCode::PAYLOAD_TOO_LARGE,
    );
    pages.add(
        "method not allowed",
        app_page,
        app.send(
            axum::http::Request::delete("/quiz/diagnostic")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await,
        StatusCode::METHOD_NOT_ALLOWED,
    );
    let flooder: std::net::IpAddr = "198.51.100.7".parse().unwrap();
    let mut flood = None;
    for _ in 0..=chezsoi::web::CREATION_PER_MINUTE {
        flood = Some(
            app.send_from(flooder, router::form_request("/atelier/nouveau", "titre="))
                .await,
        );
    }
    pages.add(
        "too many requests",
        app_page,
        flood.unwrap(),
        StatusCode::TOO_MANY_REQUESTS,
    );

    let mut checked = 0;
    for (name, kind, reply) in &pages.pages {
        check_headers(name, &reply.headers);
        assert!(
            reply.is_html(),
            "{name}: not HTML: {:?}",
            reply.header(header::CONTENT_TYPE)
        );
        check_html(name, *kind, &reply.text());
        checked += 1;
    }
    assert!(checked > book.len() + 30, "only {checked} pages checked");

    // Not HTML, but the headers all the same.
    for uri in [
        "/sante",
        "/_app/quiz.js",
        "/_app/atelier.js",
        "/theme/chezsoi.css",
        "/book.js",
    ] {
        let reply = app.get_expecting(uri, StatusCode::OK).await;
        check_headers(uri, &reply.headers);
    }
}

#[tokio::test]
async fn facilitator_pages_keep_their_key_from_any_referrer() {
    let app = App::new();
    let quiz = app.quiz("diagnostic");
    let workshop = app.workshop("Atelier").await;
    for n in 0..3 {
        app.post_form(&workshop.join(), encode(&valid_answers(&quiz, n)))
            .await;
    }
    app.post_form(&workshop.projection("/reveler"), "").await;
    for (name, uri) in [
        ("projector", workshop.projection("")),
        ("management", workshop.path("/gestion")),
    ] {
        let reply = app.get_expecting(&uri, StatusCode::OK).await;
        assert_eq!(
            reply.header(header::REFERRER_POLICY),
            Some("no-referrer"),
            "{name}"
        );
        assert_eq!(
            reply.header(header::CACHE_CONTROL),
            Some("no-store"),
            "{name}"
        );
        let html = reply.text();
        assert!(
            html.contains("<meta name=\"referrer\" content=\"no-referrer\">"),
            "{name}: no referrer meta"
        );
        check_html(name, Kind::Application, &html);
        // Each key appears only in same-origin paths, and in the fields
        // that show the facilitator the links; the private key never on the
        // projected page.
        for (key, base) in [
            (&workshop.key, workshop.path("")),
            (&workshop.projector, workshop.projection("")),
        ] {
            for tag in tags(&html) {
                for (attribute, value) in attributes(tag.attributes) {
                    if !value.contains(key.as_str()) {
                        continue;
                    }
                    let own_link = tag.name == "input"
                        && attribute == "value"
                        && value == format!("{}{base}", router::SITE);
                    assert!(
                        value.starts_with(&base) || own_link,
                        "{name}: the key in <{} {attribute}=\"{value}\">",
                        tag.name
                    );
                }
            }
        }
        if name == "projector" {
            assert!(!html.contains(&workshop.key), "the private key projected");
        }
        // The join address is shown, as text, not linked.
        let join = format!("salle.test:3000/a/{}", workshop.code);
        assert!(
            html.contains(&join),
            "{name}: the join address is not shown"
        );
    }
    let projector = app.get(&workshop.projection("")).await.text();
    assert!(
        projector.contains("<svg class=\"chezsoi-qr\""),
        "the QR code is drawn inline"
    );
}

#[test]
fn the_page_scanner_finds_what_it_must_refuse() {
    // The checks above are only as good as this scanner: it must see
    // inline scripts, handlers and other origins, quoted or not.
    let refused = [
        "<script>alert(1)</script>",
        "<script type=\"module\">x</script>",
        "<img src=\"https://evil.example/p.png\">",
        "<img src=//evil.example/p.png>",
        "<link rel=stylesheet href='https://cdn.example/x.css'>",
        "<form action=\"http:&#x2F;&#x2F;evil.example\">",
        "<a href=\"https://elsewhere.example\">x</a>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<div onclick=\"x()\">",
        "<body onload=x()>",
        "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
    ];
    for html in refused {
        let page =
            format!("<html lang=\"fr\"><meta name=\"referrer\" content=\"no-referrer\">{html}");
        let caught = std::panic::catch_unwind(|| check_html("sample", Kind::Application, &page));
        assert!(caught.is_err(), "not caught: {html}");
    }
    let allowed = "<html lang=\"fr\"><meta name=\"referrer\" content=\"no-referrer\">\
        <script src=\"/book.js\"></script><script type=\"application/json\" id=\"m\">{}</script>\
        <p>http://salle.test/a/ABCDEF onclick=x</p><a href=\"/a/ABCDEF\">x</a>";
    check_html("sample", Kind::Application, allowed);
    check_html(
        "sample",
        Kind::Book,
        "<html lang=\"fr\"><meta name=\"referrer\" content=\"no-referrer\"><a href=\"https://www.cnil.fr\">CNIL</a>",
    );
}
