//! Hostile HTTP requests through the whole router, on the real project and
//! a real temp SQLite file. Each row of each table says which status it
//! must get — always a 4xx with the French error page, never a 5xx — and
//! after each row the test checks that nothing was stored (the counts of
//! `results` and `workshops` are unchanged) and that the next ordinary
//! request still works (a valid submission still gets its 303).

#[path = "support/router.rs"]
mod router;
mod support;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use chezsoi::quiz::{QuestionKind, Quiz};
use chezsoi::web::BODY_LIMIT;
use chezsoi::workshop::FacilitatorKey;
use router::{App, Facilitated, Reply, encode};
use support::valid_answers;

/// How a request body travels.
#[derive(Clone)]
enum Payload {
    None,
    /// With its true Content-Length.
    Sized(Vec<u8>),
    /// Without Content-Length, in 16 KiB chunks (`Transfer-Encoding:
    /// chunked` on the wire).
    Chunked(Vec<u8>),
    /// With a Content-Length that lies.
    Declared(u64, Vec<u8>),
}

impl Payload {
    fn text(text: impl Into<String>) -> Payload {
        Payload::Sized(text.into().into_bytes())
    }
}

struct Case {
    name: String,
    method: Method,
    uri: String,
    /// `None`: no Content-Type header at all.
    content_type: Option<HeaderValue>,
    payload: Payload,
    expect: StatusCode,
    /// The exact page the reply must be (a wrong key must look like an
    /// unknown workshop).
    same_as: Option<String>,
}

const FORM: &str = "application/x-www-form-urlencoded";

impl Case {
    fn new(name: impl Into<String>, method: Method, uri: impl Into<String>) -> Case {
        Case {
            name: name.into(),
            method,
            uri: uri.into(),
            content_type: Some(HeaderValue::from_static(FORM)),
            payload: Payload::None,
            expect: StatusCode::NOT_FOUND,
            same_as: None,
        }
    }

    fn get(name: impl Into<String>, uri: impl Into<String>) -> Case {
        let mut case = Case::new(name, Method::GET, uri);
        case.content_type = None;
        case
    }

    fn post(name: impl Into<String>, uri: impl Into<String>, payload: Payload) -> Case {
        let mut case = Case::new(name, Method::POST, uri);
        case.payload = payload;
        case
    }

    fn expect(mut self, status: StatusCode) -> Case {
        self.expect = status;
        self
    }

    fn content_type(mut self, value: Option<HeaderValue>) -> Case {
        self.content_type = value;
        self
    }

    fn same_as(mut self, page: &str) -> Case {
        self.same_as = Some(page.to_string());
        self
    }

    fn request(&self) -> Request<Body> {
        let mut builder = Request::builder()
            .method(self.method.clone())
            .uri(&self.uri);
        if let Some(content_type) = &self.content_type {
            builder = builder.header(header::CONTENT_TYPE, content_type.clone());
        }
        let body = match &self.payload {
            Payload::None => Body::empty(),
            Payload::Sized(bytes) => {
                builder = builder.header(header::CONTENT_LENGTH, bytes.len());
                Body::from(bytes.clone())
            }
            Payload::Chunked(bytes) => {
                let chunks: Vec<Result<Bytes, std::io::Error>> = bytes
                    .chunks(16 * 1024)
                    .map(|c| Ok(Bytes::copy_from_slice(c)))
                    .collect();
                Body::from_stream(tokio_stream::iter(chunks))
            }
            Payload::Declared(length, bytes) => {
                builder = builder.header(header::CONTENT_LENGTH, *length);
                Body::from(bytes.clone())
            }
        };
        builder.body(body).unwrap()
    }
}

/// The site under attack: an open diagnostic workshop, a second one, a
/// closed one, a deleted one and a knowledge-check one.
struct Site {
    app: App,
    diagnostic: std::sync::Arc<Quiz>,
    open: Facilitated,
    other: Facilitated,
    closed: Facilitated,
    deleted: Facilitated,
    knowledge: Facilitated,
    /// The page of an unknown workshop, which every wrong facilitator
    /// link must get, byte for byte.
    unknown_workshop: String,
    good: Vec<(String, String)>,
}

async fn site() -> Site {
    let app = App::new();
    let diagnostic = app.quiz("diagnostic");
    let open = app.workshop("Atelier ouvert").await;
    let other = app.workshop("Autre atelier").await;
    let closed = app.workshop("Atelier fermé").await;
    let deleted = app.workshop("Atelier effacé").await;
    let knowledge = app.create_workshop("Vérification", "verif-portee", 3).await;
    assert_eq!(
        app.post_form(&closed.path("/fermer"), "").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.post_form(&deleted.path("/supprimer"), "confirmation=oui")
            .await
            .status,
        StatusCode::OK
    );
    let unknown = app
        .get(&format!(
            "/atelier/{}/{}",
            knowledge.id + 1000,
            FacilitatorKey::generate().as_str()
        ))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let good = valid_answers(&diagnostic, 0);
    Site {
        app,
        diagnostic,
        open,
        other,
        closed,
        deleted,
        knowledge,
        unknown_workshop: unknown.text(),
        good,
    }
}

impl Site {
    /// The workshop was neither closed, revealed nor deleted.
    fn assert_untouched(&self, workshop: &Facilitated) {
        let hash = FacilitatorKey::parse(&workshop.key).unwrap().hash();
        let stored = self.app.store.find_workshop(workshop.id, &hash).unwrap();
        let stored = stored.expect("the workshop is still there");
        assert!(stored.is_open() && !stored.revealed);
    }

    /// Plays every row: its status, the French page, nothing stored, and
    /// then an ordinary submission that must still be stored.
    async fn play(&self, cases: Vec<Case>) {
        assert!(!cases.is_empty());
        for case in cases {
            let name = format!("{} ({} {})", case.name, case.method, short(&case.uri));
            let before = (self.app.results(), self.app.workshops());
            let reply = self.app.send(case.request()).await;
            check_refusal(&name, &reply, case.expect);
            if let Some(page) = &case.same_as {
                assert_eq!(
                    &reply.text(),
                    page,
                    "{name}: not the unknown workshop's page"
                );
            }
            assert_eq!(
                (self.app.results(), self.app.workshops()),
                before,
                "{name}: something was stored"
            );
            self.still_serves(&name, case.uri.starts_with("/a/")).await;
        }
    }

    /// The next normal request: a valid submission, to the open workshop
    /// after a row aimed at a workshop, to the quiz otherwise.
    async fn still_serves(&self, after: &str, workshop: bool) {
        let before = self.app.results();
        let uri = if workshop {
            self.open.join()
        } else {
            "/quiz/diagnostic".to_string()
        };
        let reply = self.app.post_form(&uri, encode(&self.good)).await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "after {after}, a valid submission to {uri} was refused: {}",
            reply.text()
        );
        assert!(reply.location().starts_with("/r/"), "after {after}");
        assert_eq!(self.app.results(), before + 1, "after {after}");
    }

    fn good_with(&self, extra: &[(&str, &str)]) -> String {
        let mut fields = self.good.clone();
        fields.extend(extra.iter().map(|(n, v)| (n.to_string(), v.to_string())));
        encode(&fields)
    }

    fn good_replacing(&self, name: &str, value: &str) -> String {
        let fields: Vec<(String, String)> = self
            .good
            .iter()
            .map(|(n, v)| {
                let v = if n == name { value } else { v.as_str() };
                (n.clone(), v.to_string())
            })
            .collect();
        encode(&fields)
    }

    fn field_of(&self, kind: fn(&QuestionKind) -> bool) -> String {
        let question = self
            .diagnostic
            .questions
            .iter()
            .find(|q| kind(&q.kind) && !q.optional)
            .unwrap();
        format!("q-{}", question.id)
    }
}

fn short(uri: &str) -> String {
    if uri.chars().count() > 80 {
        format!("{}…", uri.chars().take(80).collect::<String>())
    } else {
        uri.to_string()
    }
}

/// A refusal: the expected 4xx, as the French HTML page, with the security
/// headers, and no markup from the request echoed raw.
fn check_refusal(name: &str, reply: &Reply, expect: StatusCode) {
    let text = reply.text();
    assert!(
        !reply.status.is_server_error(),
        "{name}: {} {text}",
        reply.status
    );
    assert!(reply.status.is_client_error(), "{name}: {}", reply.status);
    assert_eq!(reply.status, expect, "{name}: {text}");
    assert!(
        reply.is_html(),
        "{name}: not an HTML page: {:?}",
        reply.headers
    );
    assert!(
        text.contains("<html lang=\"fr\""),
        "{name}: not the French page: {text}"
    );
    assert!(
        reply.headers.contains_key(header::CONTENT_SECURITY_POLICY),
        "{name}: no CSP"
    );
    for raw in ["<script>alert", "<img src=x", "<svg onload"] {
        assert!(!text.contains(raw), "{name}: markup echoed raw: {raw}");
    }
}

/// Path segments that try to climb out, smuggle bytes or overflow.
fn hostile_segments() -> Vec<(&'static str, String)> {
    vec![
        ("encoded slashes", "..%2F..%2Fetc%2Fpasswd".into()),
        ("encoded dots", "%2e%2e".into()),
        (
            "encoded dots and slash",
            "%2e%2e%2f%2e%2e%2fbook.toml".into(),
        ),
        ("dot dot", "..".into()),
        ("backslashes", "..%5C..%5Cwindows%5Cwin.ini".into()),
        ("lone backslash", "%5C".into()),
        ("NUL", "%00".into()),
        ("NUL inside", "diagnostic%00.html".into()),
        ("overlong UTF-8 dot", "%C0%AE%C0%AE".into()),
        ("invalid UTF-8", "%FF%FE".into()),
        ("truncated escape", "abc%".into()),
        ("bad escape", "%ZZ".into()),
        ("unicode", "%C3%A9t%C3%A9-%F0%9F%92%A9".into()),
        ("fullwidth dots", "%EF%BC%8E%EF%BC%8E%EF%BC%8F".into()),
        ("markup", "%3Cscript%3Ealert(1)%3C%2Fscript%3E".into()),
        ("space", "%20".into()),
        ("negative", "-1".into()),
        ("signed", "+1".into()),
        ("leading zeros", "0001".into()),
        ("overflowing number", "9".repeat(40)),
        ("overlong", "a".repeat(8000)),
        ("overlong hex", "0".repeat(33)),
    ]
}

#[tokio::test]
async fn hostile_path_parameters_get_a_404_on_every_route() {
    let site = site().await;
    let good = encode(&site.good);
    let open = &site.open;
    let mut cases = Vec::new();
    for (what, segment) in hostile_segments() {
        let form = || Payload::text(good.clone());
        cases.extend([
            Case::get(format!("quiz id: {what}"), format!("/quiz/{segment}")),
            Case::post(
                format!("quiz id: {what}"),
                format!("/quiz/{segment}"),
                form(),
            ),
            Case::get(format!("stats id: {what}"), format!("/stats/{segment}")),
            Case::get(format!("result token: {what}"), format!("/r/{segment}")),
            Case::get(
                format!("result JSON token: {what}"),
                format!("/r/{segment}/reponses.json"),
            ),
            Case::post(
                format!("result deletion token: {what}"),
                format!("/r/{segment}/supprimer"),
                Payload::None,
            ),
            Case::get(format!("join code: {what}"), format!("/a/{segment}")),
            // (A blank code is no attempt: it gets the form, 200.)
            Case::get(
                format!("typed join code: {what}"),
                format!("/a?code=x{segment}"),
            ),
            Case::post(
                format!("join code: {what}"),
                format!("/a/{segment}"),
                form(),
            ),
            Case::get(format!("book: {what}"), format!("/{segment}")),
            Case::get(
                format!("book folder: {what}"),
                format!("/{segment}/index.html"),
            ),
            Case::get(format!("book asset: {what}"), format!("/css/{segment}")),
        ]);
        for (method, prefix, suffix) in facilitator_routes() {
            let key = if prefix == "atelier" {
                &open.key
            } else {
                &open.projector
            };
            for (param, uri) in [
                ("id", format!("/{prefix}/{segment}/{key}{suffix}")),
                ("key", format!("/{prefix}/{}/{segment}{suffix}", open.id)),
            ] {
                let case = Case::new(
                    format!("{prefix} {param}{suffix}: {what}"),
                    method.clone(),
                    uri,
                );
                cases.push(
                    Case {
                        payload: Payload::text("confirmation=oui"),
                        ..case
                    }
                    .same_as(&site.unknown_workshop),
                );
            }
        }
    }
    site.play(cases).await;
    site.assert_untouched(open);
}

/// Every route behind a workshop key, by method, prefix (`atelier` for the
/// private link, `projection` for the view to project) and suffix.
fn facilitator_routes() -> Vec<(Method, &'static str, &'static str)> {
    vec![
        (Method::GET, "atelier", ""),
        (Method::GET, "atelier", "/gestion"),
        (Method::GET, "atelier", "/resultats.csv"),
        (Method::GET, "atelier", "/resultats.json"),
        (Method::POST, "atelier", "/fermer"),
        (Method::POST, "atelier", "/supprimer"),
        (Method::GET, "projection", ""),
        (Method::GET, "projection", "/direct"),
        (Method::POST, "projection", "/reveler"),
    ]
}

#[tokio::test]
async fn a_wrong_facilitator_key_is_an_unknown_workshop() {
    let site = site().await;
    let (open, other) = (&site.open, &site.other);
    let wrong = FacilitatorKey::generate();
    let mut cases = Vec::new();
    for (method, prefix, suffix) in facilitator_routes() {
        let (key, other_key, deleted_key, other_capability) = if prefix == "atelier" {
            (&open.key, &other.key, &site.deleted.key, &open.projector)
        } else {
            (
                &open.projector,
                &other.projector,
                &site.deleted.projector,
                &open.key,
            )
        };
        let id = open.id;
        for (what, uri) in [
            (
                "a random key",
                format!("/{prefix}/{id}/{}{suffix}", wrong.as_str()),
            ),
            (
                "another workshop's key",
                format!("/{prefix}/{id}/{other_key}{suffix}"),
            ),
            (
                "the other capability's key",
                format!("/{prefix}/{id}/{other_capability}{suffix}"),
            ),
            (
                "the key in capitals",
                format!("/{prefix}/{id}/{}{suffix}", key.to_uppercase()),
            ),
            (
                "a deleted workshop",
                format!("/{prefix}/{}/{deleted_key}{suffix}", site.deleted.id),
            ),
            (
                "a key one digit short",
                format!("/{prefix}/{id}/{}{suffix}", &key[1..]),
            ),
        ] {
            let case = Case::new(format!("{prefix} {what}{suffix}"), method.clone(), uri);
            cases.push(
                Case {
                    payload: Payload::text("confirmation=oui"),
                    ..case
                }
                .same_as(&site.unknown_workshop),
            );
        }
    }
    for rest in ["/autre", "/gestion/plus", "/a/b/c/d"] {
        cases.push(
            Case::get(format!("unknown page {rest}"), open.path(rest))
                .same_as(&site.unknown_workshop),
        );
    }
    for rest in ["/autre", "/direct/plus", "/a/b/c/d"] {
        cases.push(
            Case::get(
                format!("unknown projection page {rest}"),
                open.projection(rest),
            )
            .same_as(&site.unknown_workshop),
        );
    }
    for prefix in ["atelier", "projection"] {
        cases.push(
            Case::get(
                format!("the workshop id alone, {prefix}"),
                format!("/{prefix}/{}", open.id),
            )
            .same_as(&site.unknown_workshop),
        );
    }
    site.play(cases).await;
    site.assert_untouched(open);
}

/// Bodies that are not the form they claim to be, each with the status it
/// gets at the quiz, at a workshop, at workshop creation and at workshop
/// deletion (`None`: the row does not apply there).
struct BodyRow {
    name: &'static str,
    content_type: Option<HeaderValue>,
    payload: Payload,
    quiz: Option<StatusCode>,
    workshop: Option<StatusCode>,
    create: Option<StatusCode>,
    delete: Option<StatusCode>,
}

fn row(
    name: &'static str,
    payload: Payload,
    [quiz, workshop, create, delete]: [Option<StatusCode>; 4],
) -> BodyRow {
    BodyRow {
        name,
        content_type: Some(HeaderValue::from_static(FORM)),
        payload,
        quiz,
        workshop,
        create,
        delete,
    }
}

fn all(status: StatusCode) -> [Option<StatusCode>; 4] {
    [Some(status); 4]
}

fn answers_only(status: StatusCode) -> [Option<StatusCode>; 4] {
    [Some(status), Some(status), None, None]
}

const BAD: StatusCode = StatusCode::BAD_REQUEST;
const CONFLICT: StatusCode = StatusCode::CONFLICT;
const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
const TOO_LARGE: StatusCode = StatusCode::PAYLOAD_TOO_LARGE;
const UNSUPPORTED: StatusCode = StatusCode::UNSUPPORTED_MEDIA_TYPE;

/// Junk without a version: the quiz and the workshop say no form of theirs
/// arrived (400, not "the quiz changed"), creation and deletion find no
/// usable field (422).
const JUNK: [Option<StatusCode>; 4] = [
    Some(BAD),
    Some(BAD),
    Some(UNPROCESSABLE),
    Some(UNPROCESSABLE),
];

/// Junk with a version that is not the quiz's: the quiz and the workshop
/// say the form is out of date (409).
const JUNK_VERSION: [Option<StatusCode>; 4] = [
    Some(CONFLICT),
    Some(CONFLICT),
    Some(UNPROCESSABLE),
    Some(UNPROCESSABLE),
];

#[tokio::test]
async fn malformed_oversized_and_mistyped_bodies_are_refused() {
    let site = site().await;
    let single = site.field_of(|k| matches!(k, QuestionKind::Single));
    let multiple = site.field_of(|k| matches!(k, QuestionKind::Multiple { .. }));
    let multiple_choice = site
        .diagnostic
        .questions
        .iter()
        .find(|q| format!("q-{}", q.id) == multiple)
        .unwrap()
        .choices[0]
        .id
        .clone();
    let good = encode(&site.good);
    let version = site.diagnostic.version.clone();

    let mut many_real_fields = site.good.clone();
    for _ in 0..1000 {
        many_real_fields.push((multiple.clone(), multiple_choice.clone()));
    }
    let multipart = {
        let mut body = String::new();
        for (name, value) in &site.good {
            body.push_str(&format!(
                "--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str("--XyZ--\r\n");
        body
    };
    let json = serde_json::to_string(
        &site
            .good
            .iter()
            .cloned()
            .collect::<std::collections::BTreeMap<_, _>>(),
    )
    .unwrap();
    let with_type = |mut row: BodyRow, content_type: Option<HeaderValue>| {
        row.content_type = content_type;
        row
    };

    let rows = vec![
        // Broken percent-encoding and separators.
        row(
            "%ZZ and a lone %",
            Payload::text("version=%ZZ&q-activite=%"),
            JUNK_VERSION,
        ),
        row("only a %", Payload::text("%"), JUNK),
        row("percent storm", Payload::text("%%%%%%%%=%%%%&%=%"), JUNK),
        row(
            "+ storm",
            Payload::text(format!("{}={}", "+".repeat(20_000), "+".repeat(20_000))),
            JUNK,
        ),
        row("& storm", Payload::text("&".repeat(40_000)), JUNK),
        row("= without names", Payload::text("=&==&=x&=version"), JUNK),
        row(
            "names without =",
            Payload::text("version&q-activite&titre&confirmation"),
            JUNK_VERSION,
        ),
        row(
            "NUL bytes",
            Payload::text("version=%00&titre=%00&confirmation=%00"),
            JUNK_VERSION,
        ),
        row(
            "a body of exactly the limit",
            Payload::Sized(vec![b'a'; BODY_LIMIT]),
            JUNK,
        ),
        // A valid version, then broken answers.
        row(
            "an answer %ZZ",
            Payload::text(site.good_replacing(&single, "%ZZ")),
            answers_only(UNPROCESSABLE),
        ),
        row(
            "an answer given as a bare name",
            Payload::text(format!("{}&{single}", site.good_replacing(&single, ""))),
            answers_only(UNPROCESSABLE),
        ),
        row(
            "markup in an unknown field name",
            Payload::text(site.good_with(&[("q-<script>alert(1)</script>", "x")])),
            answers_only(UNPROCESSABLE),
        ),
        row(
            "markup in an answer",
            Payload::text(site.good_replacing(&single, "<script>alert(1)</script>")),
            answers_only(UNPROCESSABLE),
        ),
        row(
            "the version twice",
            Payload::text(site.good_with(&[("version", &version)])),
            answers_only(BAD),
        ),
        row(
            "a thousand real fields",
            Payload::text(encode(&many_real_fields)),
            all(BAD),
        ),
        // Invalid UTF-8, raw and percent-encoded, in names and values.
        row(
            "raw invalid UTF-8 in a name",
            Payload::Sized(b"\xff\xfe=1".to_vec()),
            all(BAD),
        ),
        row(
            "raw invalid UTF-8 in a value",
            Payload::Sized([b"version=".as_slice(), b"\xc3\x28"].concat()),
            all(BAD),
        ),
        row(
            "encoded invalid UTF-8 in a name",
            Payload::text("%FF%FE=1"),
            all(BAD),
        ),
        row(
            "encoded invalid UTF-8 in a value",
            Payload::text("titre=%C3%28&version=%C3%28"),
            all(BAD),
        ),
        row(
            "overlong UTF-8",
            Payload::text("titre=%C0%AE&confirmation=%C0%AE"),
            all(BAD),
        ),
        row(
            "invalid UTF-8 after a valid form",
            Payload::text(format!("{good}&q-x=%FF")),
            all(BAD),
        ),
        // Thousands of fields.
        row("2000 fields", Payload::text("a=b&".repeat(2000)), all(BAD)),
        row(
            "10000 empty fields",
            Payload::text("=&".repeat(10_000)),
            all(BAD),
        ),
        // Too large, told or not.
        row(
            "just over the limit",
            Payload::Sized(vec![b'a'; BODY_LIMIT + 1]),
            all(TOO_LARGE),
        ),
        row(
            "16 times the limit",
            Payload::Sized(vec![b'a'; BODY_LIMIT * 16]),
            all(TOO_LARGE),
        ),
        row(
            "chunked, just over the limit",
            Payload::Chunked(vec![b'a'; BODY_LIMIT + 1]),
            all(TOO_LARGE),
        ),
        row(
            "chunked, 1 MiB",
            Payload::Chunked(vec![b'a'; 1 << 20]),
            all(TOO_LARGE),
        ),
        row(
            "a valid form padded past the limit, chunked",
            Payload::Chunked(format!("{good}&{}", "z".repeat(BODY_LIMIT)).into_bytes()),
            all(TOO_LARGE),
        ),
        row(
            "Content-Length says 10, 100 KiB follow",
            Payload::Declared(10, vec![b'a'; 100 * 1024]),
            all(TOO_LARGE),
        ),
        row(
            "Content-Length says 1 TB",
            Payload::Declared(1 << 40, good.clone().into_bytes()),
            all(TOO_LARGE),
        ),
        // Not a form.
        with_type(
            row("JSON", Payload::text(json.clone()), all(UNSUPPORTED)),
            Some(HeaderValue::from_static("application/json")),
        ),
        with_type(
            row("multipart", Payload::text(multipart), all(UNSUPPORTED)),
            Some(HeaderValue::from_static(
                "multipart/form-data; boundary=XyZ",
            )),
        ),
        with_type(
            row("text/plain", Payload::text(good.clone()), all(UNSUPPORTED)),
            Some(HeaderValue::from_static("text/plain")),
        ),
        with_type(
            row(
                "no Content-Type",
                Payload::text(good.clone()),
                all(UNSUPPORTED),
            ),
            None,
        ),
        with_type(
            row(
                "a look-alike type",
                Payload::text(good.clone()),
                all(UNSUPPORTED),
            ),
            Some(HeaderValue::from_static(
                "application/x-www-form-urlencoded-x",
            )),
        ),
        with_type(
            row(
                "a type that is not text",
                Payload::text(good.clone()),
                all(UNSUPPORTED),
            ),
            Some(HeaderValue::from_bytes(b"application/\xff").unwrap()),
        ),
        with_type(
            row(
                "an empty type",
                Payload::text(good.clone()),
                all(UNSUPPORTED),
            ),
            Some(HeaderValue::from_static("")),
        ),
    ];

    let mut cases = Vec::new();
    for row in rows {
        let targets = [
            ("quiz", "/quiz/diagnostic".to_string(), row.quiz),
            ("workshop", site.open.join(), row.workshop),
            ("creation", "/atelier/nouveau".to_string(), row.create),
            ("deletion", site.open.path("/supprimer"), row.delete),
        ];
        for (target, uri, expect) in targets {
            let Some(expect) = expect else { continue };
            cases.push(
                Case::post(
                    format!("{}, at the {target}", row.name),
                    uri,
                    row.payload.clone(),
                )
                .content_type(row.content_type.clone())
                .expect(expect),
            );
        }
    }
    // A form sent as text/plain is what another site can post without
    // asking: it must not delete a workshop.
    cases.push(
        Case::post(
            "deletion confirmed in a text/plain body",
            site.open.path("/supprimer"),
            Payload::text("confirmation=oui"),
        )
        .content_type(Some(HeaderValue::from_static("text/plain")))
        .expect(UNSUPPORTED),
    );
    cases.push(
        Case::post(
            "deletion confirmed in a multipart body",
            site.open.path("/supprimer"),
            Payload::text(
                "--b\r\nContent-Disposition: form-data; name=\"confirmation\"\r\n\r\noui\r\n--b--\r\n",
            ),
        )
        .content_type(Some(HeaderValue::from_static("multipart/form-data; boundary=b")))
        .expect(UNSUPPORTED),
    );
    cases.push(
        Case::post(
            "deletion confirmed twice",
            site.open.path("/supprimer"),
            Payload::text("confirmation=oui&confirmation=oui"),
        )
        .expect(BAD),
    );
    cases.push(
        Case::post(
            "deletion not confirmed",
            site.open.path("/supprimer"),
            Payload::text("confirmation=non"),
        )
        .expect(UNPROCESSABLE),
    );
    // Methods a route does not take.
    for (method, uri) in [
        (Method::PUT, "/quiz/diagnostic".to_string()),
        (Method::DELETE, "/quiz/diagnostic".to_string()),
        (Method::PATCH, site.open.join()),
        (
            Method::PUT,
            "/r/0123456789abcdef0123456789abcdef/supprimer".to_string(),
        ),
        (Method::POST, "/stats/diagnostic".to_string()),
        (Method::PUT, "/atelier/nouveau".to_string()),
    ] {
        cases.push(
            Case::post(
                format!("{method} not allowed"),
                uri,
                Payload::text(good.clone()),
            )
            .expect(StatusCode::METHOD_NOT_ALLOWED)
            .method(method),
        );
    }
    site.play(cases).await;
    // None of those deleted, closed or revealed the workshop.
    let hash = FacilitatorKey::parse(&site.open.key).unwrap().hash();
    let stored = site
        .app
        .store
        .find_workshop(site.open.id, &hash)
        .unwrap()
        .unwrap();
    assert!(stored.is_open() && !stored.revealed);
}

impl Case {
    fn method(mut self, method: Method) -> Case {
        self.method = method;
        self
    }
}

#[tokio::test]
async fn forged_versions_and_workshops_are_refused() {
    let site = site().await;
    let version = site.diagnostic.version.clone();
    let knowledge = site.app.quiz("verif-portee");
    let open = &site.open;
    let payload = |body: String| Payload::text(body);
    let cases = vec![
        // Versions.
        Case::post(
            "no version",
            "/quiz/diagnostic",
            payload(encode(&site.good[1..])),
        )
        .expect(BAD),
        Case::post(
            "empty version",
            "/quiz/diagnostic",
            payload(site.good_replacing("version", "")),
        )
        .expect(CONFLICT),
        Case::post(
            "version with a space",
            "/quiz/diagnostic",
            payload(site.good_replacing("version", &format!("{version} "))),
        )
        .expect(CONFLICT),
        Case::post(
            "version in capitals",
            "/quiz/diagnostic",
            payload(site.good_replacing("version", &version.to_uppercase())),
        )
        .expect(if version.to_uppercase() == version {
            StatusCode::SEE_OTHER
        } else {
            CONFLICT
        }),
        Case::post(
            "another quiz's version",
            "/quiz/diagnostic",
            payload(site.good_replacing("version", &knowledge.version)),
        )
        .expect(CONFLICT),
        Case::post(
            "the diagnostic's answers to the knowledge check",
            "/quiz/verif-portee",
            payload(encode(&site.good)),
        )
        .expect(CONFLICT),
        Case::post(
            "the diagnostic's answers to a knowledge-check workshop",
            site.knowledge.join(),
            payload(encode(&site.good)),
        )
        .expect(CONFLICT),
        Case::post(
            "the version twice, the same",
            open.join(),
            payload(site.good_with(&[("version", &version)])),
        )
        .expect(BAD),
        // The hidden workshop field.
        Case::post(
            "a workshop named on the plain quiz",
            "/quiz/diagnostic",
            payload(site.good_with(&[("atelier", &open.code)])),
        )
        .expect(BAD),
        Case::post(
            "an empty workshop field on the plain quiz",
            "/quiz/diagnostic",
            payload(site.good_with(&[("atelier", "")])),
        )
        .expect(BAD),
        Case::post(
            "another workshop's code in the form",
            open.join(),
            payload(site.good_with(&[("atelier", &site.other.code)])),
        )
        .expect(BAD),
        Case::post(
            "a closed workshop's code in an open one's form",
            open.join(),
            payload(site.good_with(&[("atelier", &site.closed.code)])),
        )
        .expect(BAD),
        Case::post(
            "the code twice",
            open.join(),
            payload(site.good_with(&[("atelier", &open.code), ("atelier", &open.code)])),
        )
        .expect(BAD),
        Case::post(
            "markup as the code",
            open.join(),
            payload(site.good_with(&[("atelier", "<script>alert(1)</script>")])),
        )
        .expect(BAD),
        Case::post(
            "a workshop id instead of its code",
            open.join(),
            payload(site.good_with(&[("atelier", &open.id.to_string())])),
        )
        .expect(BAD),
        // Closed and deleted workshops.
        Case::get("joining a closed workshop", site.closed.join()).expect(StatusCode::GONE),
        Case::post(
            "answering a closed workshop",
            site.closed.join(),
            payload(encode(&site.good)),
        )
        .expect(StatusCode::GONE),
        Case::post(
            "answering a closed workshop naming an open one",
            site.closed.join(),
            payload(site.good_with(&[("atelier", &open.code)])),
        )
        .expect(StatusCode::GONE),
        Case::get("joining a deleted workshop", site.deleted.join()),
        Case::post(
            "answering a deleted workshop",
            site.deleted.join(),
            payload(encode(&site.good)),
        ),
        Case::post(
            "answering a deleted workshop, lower case",
            format!("/a/{}", site.deleted.code.to_lowercase()),
            payload(encode(&site.good)),
        ),
        // The facilitator's actions, refused (the other workshop gets no
        // answers here).
        Case::post(
            "revealing below the minimum",
            site.other.projection("/reveler"),
            Payload::None,
        )
        .expect(CONFLICT),
        Case::get(
            "exporting below the minimum",
            site.other.path("/resultats.csv"),
        )
        .expect(CONFLICT),
        Case::get(
            "exporting JSON below the minimum",
            site.other.path("/resultats.json"),
        )
        .expect(CONFLICT),
    ];
    site.play(cases).await;
    let hash = FacilitatorKey::parse(&open.key).unwrap().hash();
    let stored = site
        .app
        .store
        .find_workshop(open.id, &hash)
        .unwrap()
        .unwrap();
    assert!(stored.is_open() && !stored.revealed);
    assert_eq!(
        site.app.get(&site.deleted.path("")).await.text(),
        site.unknown_workshop
    );
}

#[tokio::test]
async fn a_facilitators_markup_comes_back_escaped_everywhere() {
    let app = App::new();
    let quiz = app.quiz("diagnostic");
    let title = "<script>alert(1)</script><img src=x onerror=alert(2)> \"Cie\" & l'équipe {{ 7*7 }} {% raw %}";
    assert!(title.chars().count() <= chezsoi::workshop::TITLE_MAX_CHARS);
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; \
                   &quot;Cie&quot; &amp; l&#x27;équipe {{ 7*7 }} {% raw %}";
    let workshop = app.workshop(title).await;
    let mut shown = Vec::new();
    let mut hidden = Vec::new();
    shown.push(("management", app.get(&workshop.path("/gestion")).await));
    shown.push(("projector", app.get(&workshop.projection("")).await));
    shown.push(("join", app.get(&workshop.join()).await));
    shown.push((
        "refused answers",
        app.post_form(&workshop.join(), encode(&valid_answers(&quiz, 0)[..3]))
            .await,
    ));
    let mut result_pages = Vec::new();
    for n in 0..3 {
        let reply = app
            .post_form(&workshop.join(), encode(&valid_answers(&quiz, n)))
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        result_pages.push(reply.location());
    }
    for page in &result_pages {
        let reply = app.get(page).await;
        assert!(
            reply.text().contains("donné dans un atelier"),
            "the result's note"
        );
        hidden.push(("result", reply));
    }
    shown.push((
        "projector, enough answers",
        app.get(&workshop.projection("")).await,
    ));
    assert_eq!(
        app.post_form(&workshop.projection("/reveler"), "")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    shown.push((
        "projector, revealed",
        app.get(&workshop.projection("")).await,
    ));
    let csv = app.get(&workshop.path("/resultats.csv")).await;
    let json = app.get(&workshop.path("/resultats.json")).await;
    assert_eq!(
        app.post_form(&workshop.path("/fermer"), "").await.status,
        StatusCode::SEE_OTHER
    );
    shown.push(("projector, closed", app.get(&workshop.projection("")).await));
    shown.push((
        "management, closed",
        app.get(&workshop.path("/gestion")).await,
    ));
    hidden.push(("join, closed", app.get(&workshop.join()).await));
    shown.push((
        "creation form, title refused",
        app.post_form(
            "/atelier/nouveau",
            encode(&[
                ("titre".into(), format!("{title}{}", "x".repeat(120))),
                ("minimum".into(), "5".into()),
            ]),
        )
        .await,
    ));
    shown.push((
        "deleted",
        app.post_form(&workshop.path("/supprimer"), "confirmation=oui")
            .await,
    ));
    for (name, reply) in shown.iter().chain(&hidden) {
        let text = reply.text();
        assert!(reply.is_html(), "{name}");
        for raw in ["<script>alert", "<img src=x", "\"Cie\""] {
            assert!(!text.contains(raw), "{name}: {raw} came back unescaped");
        }
    }
    for (name, reply) in &shown {
        assert!(
            reply.text().contains(escaped),
            "{name}: the escaped title is missing:\n{}",
            reply.text()
        );
    }

    // Exports carry the title as data: exactly, in its own CSV cell and
    // JSON string, and served as attachments, not pages.
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.header(header::CONTENT_TYPE)
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        csv.header(header::CONTENT_DISPOSITION)
            .unwrap()
            .starts_with("attachment")
    );
    let csv_text = csv.text();
    let quoted = format!("\"{}\"", title.replace('"', "\"\""));
    assert!(csv_text.contains(&quoted), "{csv_text}");
    assert_eq!(json.status, StatusCode::OK);
    assert!(
        json.header(header::CONTENT_TYPE)
            .unwrap()
            .starts_with("application/json")
    );
    assert!(
        json.header(header::CONTENT_DISPOSITION)
            .unwrap()
            .starts_with("attachment")
    );
    let value: serde_json::Value = serde_json::from_slice(&json.bytes).unwrap();
    assert_eq!(value["workshop"]["title"], title);
    for export in [&csv, &json] {
        assert_eq!(
            export.header(header::X_CONTENT_TYPE_OPTIONS),
            Some("nosniff"),
            "an export must never be sniffed as HTML"
        );
    }
}

#[tokio::test]
async fn a_flood_of_quiz_submissions_from_one_client_gets_429() {
    use chezsoi::web::PARTICIPATION_PER_MINUTE;
    let app = App::new();
    let quiz = app.quiz("diagnostic");
    let good = encode(&valid_answers(&quiz, 0));
    let workshop = app.workshop("Atelier").await;
    let flooder: std::net::IpAddr = "203.0.113.5".parse().unwrap();
    let neighbour: std::net::IpAddr = "2001:db8::6".parse().unwrap();
    let post = |uri: &str, body: &str| router::form_request(uri, body.to_string());

    // A room sharing one address: a whole minute's limit of submissions
    // goes through (refused forms count, and cost nothing to send).
    for n in 0..PARTICIPATION_PER_MINUTE - 1 {
        let reply = app
            .send_from(flooder, post("/quiz/diagnostic", "version=x"))
            .await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "submission {n}");
    }
    let last = app
        .send_from(flooder, post("/quiz/diagnostic", &good))
        .await;
    assert_eq!(
        last.status,
        StatusCode::SEE_OTHER,
        "the last one within the limit"
    );
    assert_eq!(app.results(), 1);

    // Past it: 429 with the French page, nothing stored, for every quiz.
    for (what, uri) in [
        ("the quiz", "/quiz/diagnostic".to_string()),
        ("another quiz", "/quiz/verif-portee".to_string()),
    ] {
        let reply = app.send_from(flooder, post(&uri, &good)).await;
        check_refusal(what, &reply, StatusCode::TOO_MANY_REQUESTS);
        let text = reply.text();
        assert!(text.contains("Trop de requêtes"), "{what}: {text}");
        assert!(text.contains("patientez une minute"), "{what}");
        assert!(text.contains("Rien n’a été enregistré"), "{what}");
    }
    assert_eq!(app.results(), 1, "nothing stored past the limit");
    // A workshop's answers are limited per workshop, not per address: the
    // room behind the same address still answers.
    let room = app.send_from(flooder, post(&workshop.join(), &good)).await;
    assert_eq!(room.status, StatusCode::SEE_OTHER, "{}", room.text());
    assert_eq!(app.results(), 2);

    // Reading stays open to the flooder; another client is not affected.
    let page = app
        .send_from(
            flooder,
            axum::http::Request::get("/quiz/diagnostic")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let other = app
        .send_from(neighbour, post("/quiz/diagnostic", &good))
        .await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
    assert_eq!(app.results(), 3);
}

#[tokio::test]
async fn the_operators_participation_limit_applies_to_quiz_submissions() {
    let app = App::new();
    let quiz = app.quiz("diagnostic");
    let good = encode(&valid_answers(&quiz, 0));
    app.state.set_participation_limit(3);
    let client: std::net::IpAddr = "192.0.2.44".parse().unwrap();
    for _ in 0..3 {
        let reply = app
            .send_from(
                client,
                router::form_request("/quiz/diagnostic", good.clone()),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
    }
    let reply = app
        .send_from(
            client,
            router::form_request("/quiz/diagnostic", good.clone()),
        )
        .await;
    check_refusal("fourth submission", &reply, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.results(), 3);
}
