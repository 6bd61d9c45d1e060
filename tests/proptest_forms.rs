//! Property tests: arbitrary form bodies — arbitrary bytes, form-like
//! bytes, random sets of the real field names with random values, and
//! valid answers with random mutations — POSTed to `/quiz/diagnostic` and
//! to a workshop's `/a/{CODE}` through the whole router, on a real temp
//! SQLite file.
//!
//! Every case must: never panic and never answer 5xx; answer 303 exactly
//! when the body is a valid submission (an independent oracle below), and
//! then store exactly one new row, reachable by its token; otherwise store
//! nothing. After every case, every stored row must still be valid: its
//! answers re-parse (as a form) to themselves and re-score, with
//! `chezsoi::scoring`, to the stored outcome, profile and score.

#[path = "support/router.rs"]
mod router;
mod support;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use chezsoi::quiz::{QuestionKind, Quiz};
use chezsoi::scoring::{self, Answer, Answers, Outcome};
use chezsoi::web::MAX_FIELDS;
use chezsoi::workshop::normalize_join_code;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use router::{App, encode, form_request};
use sha2::{Digest, Sha256};

/// Cases per property: enough to reach every branch of the form handling,
/// few enough to keep the suite fast.
const CASES: u32 = 96;

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        max_shrink_iters: 512,
        ..Config::default()
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

// ------------------------------------------------------------ strategies

/// Every value that means something to the form: each choice id and scale
/// step, the version, the workshop codes; then junk.
fn meaningful_values(quiz: &Quiz, codes: &[String]) -> Vec<String> {
    let mut values = BTreeSet::new();
    for question in &quiz.questions {
        match question.scale_bounds() {
            Some((min, max)) => {
                values.extend((min - 1..=max + 1).map(|v| v.to_string()));
            }
            None => values.extend(question.choices.iter().map(|c| c.id.clone())),
        }
    }
    values.insert(quiz.version.clone());
    for code in codes {
        values.insert(code.clone());
        values.insert(code.to_lowercase());
    }
    values.extend(
        [
            "",
            " ",
            "0",
            "-1",
            "%",
            "%ZZ",
            "<script>alert(1)</script>",
            "\u{0}",
            "é",
        ]
        .map(String::from),
    );
    values.into_iter().collect()
}

fn field_names(quiz: &Quiz) -> Vec<String> {
    let mut names: Vec<String> = quiz
        .questions
        .iter()
        .map(|q| format!("q-{}", q.id))
        .collect();
    names.extend(
        [
            "version",
            "atelier",
            "q-",
            "q-inconnu",
            "",
            "titre",
            "confirmation",
        ]
        .map(String::from),
    );
    names
}

/// One field: a real name (or junk) and a meaningful value (or junk).
fn field(quiz: &Quiz, codes: &[String]) -> BoxedStrategy<(String, String)> {
    let names = prop_oneof![
        8 => prop::sample::select(field_names(quiz)),
        1 => "[a-z-]{0,8}",
    ];
    let values = prop_oneof![
        16 => prop::sample::select(meaningful_values(quiz, codes)),
        // Any text but U+FFFD, which the server refuses as a sign of
        // invalid UTF-8 (the byte families cover that).
        2 => "[^\u{fffd}]{0,16}",
        1 => any::<String>(),
        2 => "[a-z0-9 %+&=]{0,12}",
    ];
    (names, values).boxed()
}

/// A valid, complete answer set with random choices, optional questions
/// answered or not, and (for a workshop) its code or not.
fn valid_form(quiz: &Quiz, code: Option<String>) -> BoxedStrategy<Vec<(String, String)>> {
    let mut questions: Vec<BoxedStrategy<Vec<(String, String)>>> = Vec::new();
    for question in &quiz.questions {
        let ids: Vec<String> = question.choices.iter().map(|c| c.id.clone()).collect();
        let answer: BoxedStrategy<Vec<String>> = match &question.kind {
            QuestionKind::Scale { min, max, .. } => {
                (*min..=*max).prop_map(|v| vec![v.to_string()]).boxed()
            }
            QuestionKind::Single => prop::sample::select(ids).prop_map(|id| vec![id]).boxed(),
            QuestionKind::Multiple { .. } => {
                let max = question.max_choices().max(1);
                prop::sample::subsequence(ids, 1..=max).boxed()
            }
        };
        questions.push(support::question_fields(question, answer));
    }
    let version = quiz.version.clone();
    let workshop = match code {
        Some(code) => prop_oneof![
            Just(Vec::new()),
            Just(vec![("atelier".to_string(), code.clone())]),
            Just(vec![("atelier".to_string(), code.to_lowercase())]),
        ]
        .boxed(),
        None => Just(Vec::new()).boxed(),
    };
    (questions, workshop)
        .prop_map(move |(answers, workshop)| {
            let mut fields = vec![("version".to_string(), version.clone())];
            fields.extend(answers.into_iter().flatten());
            fields.extend(workshop);
            fields
        })
        .boxed()
}

#[derive(Debug, Clone)]
enum Mutation {
    Drop(prop::sample::Index),
    Duplicate(prop::sample::Index),
    SetValue(prop::sample::Index, String),
    Insert(prop::sample::Index, (String, String)),
}

/// A valid form, then a few random mutations (none at all, often).
fn mutated_form(
    quiz: &Quiz,
    own: Option<String>,
    codes: &[String],
) -> BoxedStrategy<Vec<(String, String)>> {
    let mutation = prop_oneof![
        any::<prop::sample::Index>().prop_map(Mutation::Drop),
        any::<prop::sample::Index>().prop_map(Mutation::Duplicate),
        (
            any::<prop::sample::Index>(),
            prop::sample::select(meaningful_values(quiz, codes))
        )
            .prop_map(|(i, v)| Mutation::SetValue(i, v)),
        (any::<prop::sample::Index>(), field(quiz, codes))
            .prop_map(|(i, f)| Mutation::Insert(i, f)),
    ];
    (valid_form(quiz, own), prop::collection::vec(mutation, 0..4))
        .prop_map(|(mut fields, mutations)| {
            for mutation in mutations {
                if fields.is_empty() {
                    break;
                }
                match mutation {
                    Mutation::Drop(i) => {
                        fields.remove(i.index(fields.len()));
                    }
                    Mutation::Duplicate(i) => {
                        let field = fields[i.index(fields.len())].clone();
                        fields.push(field);
                    }
                    Mutation::SetValue(i, value) => {
                        let at = i.index(fields.len());
                        fields[at].1 = value;
                    }
                    Mutation::Insert(i, field) => {
                        let at = i.index(fields.len() + 1);
                        fields.insert(at, field);
                    }
                }
            }
            fields
        })
        .boxed()
}

/// A request body, in one of five families. `own` is the code of the
/// workshop posted to, if any; `codes` are the codes a forger might use.
fn body(quiz: &Quiz, own: Option<String>, codes: &[String]) -> BoxedStrategy<Vec<u8>> {
    let form_bytes: Vec<u8> = b"abcqv-=&%+0123456789ZFf\xff\xc3\xa9 ".to_vec();
    prop_oneof![
        // Arbitrary bytes.
        1 => prop::collection::vec(any::<u8>(), 0..512),
        // Bytes from the alphabet of forms, percent signs and invalid UTF-8
        // included.
        1 => prop::collection::vec(prop::sample::select(form_bytes), 0..256),
        // Random subsets and duplicates of the real fields.
        2 => prop::collection::vec(field(quiz, codes), 0..40)
            .prop_map(|fields| encode(&fields).into_bytes()),
        // Valid answers, mutated or not.
        3 => mutated_form(quiz, own.clone(), codes).prop_map(|fields| encode(&fields).into_bytes()),
        // Valid answers, with their encoding damaged.
        1 => (valid_form(quiz, own), any::<prop::sample::Index>(), prop::sample::select(vec!["%", "%Z", "%FF", "&", "=", "+", "%00"]))
            .prop_map(|(fields, at, junk)| {
                let mut text = encode(&fields);
                let at = at.index(text.len() + 1);
                let at = (0..=at).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
                text.insert_str(at, junk);
                text.into_bytes()
            }),
    ]
    .boxed()
}

// ---------------------------------------------------------------- oracle

/// Whether `body` is a submission the server must accept, decided from the
/// rules as documented, with `chezsoi::scoring` for the answers.
fn acceptable(quiz: &Quiz, body: &[u8], workshop_code: Option<&str>) -> bool {
    if std::str::from_utf8(body).is_err() {
        return false;
    }
    let Ok(fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) else {
        return false;
    };
    if fields.len() > MAX_FIELDS
        || fields
            .iter()
            .any(|(n, v)| n.contains('\u{fffd}') || v.contains('\u{fffd}'))
    {
        return false;
    }
    let named = |name: &str| -> Vec<&str> {
        fields
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let workshops = named("atelier");
    match workshop_code {
        None if !workshops.is_empty() => return false,
        None => {}
        Some(_) if workshops.len() > 1 => return false,
        Some(code) => {
            if let Some(named) = workshops.first() {
                if normalize_join_code(named).as_deref() != Some(code) {
                    return false;
                }
            }
        }
    }
    if named("version") != [quiz.version.as_str()] {
        return false;
    }
    scoring::parse_form(quiz, &fields).is_ok()
}

// ------------------------------------------------------------ invariants

struct Row {
    token_hash: Vec<u8>,
    quiz_id: String,
    quiz_version: String,
    workshop_id: Option<i64>,
    answers: String,
    outcome: String,
    profile: Option<String>,
    score: Option<i64>,
}

fn rows(app: &App) -> Vec<Row> {
    app.store
        .with_writer(|c| {
            let mut stmt = c.prepare(
                "SELECT token_hash, quiz_id, quiz_version, workshop_id, answers, outcome, profile, score
                 FROM results ORDER BY token_hash",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(Row {
                        token_hash: r.get(0)?,
                        quiz_id: r.get(1)?,
                        quiz_version: r.get(2)?,
                        workshop_id: r.get(3)?,
                        answers: r.get(4)?,
                        outcome: r.get(5)?,
                        profile: r.get(6)?,
                        score: r.get(7)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .unwrap()
}

/// The form fields a participant would have sent for these answers.
fn as_form(quiz: &Quiz, answers: &Answers) -> Vec<(String, String)> {
    let mut fields = vec![("version".to_string(), quiz.version.clone())];
    for (id, answer) in answers {
        match answer {
            Answer::Choices(ids) => {
                fields.extend(ids.iter().map(|c| (format!("q-{id}"), c.clone())));
            }
            Answer::Scale(value) => fields.push((format!("q-{id}"), value.to_string())),
        }
    }
    fields
}

/// Every stored row is a valid result of its quiz.
fn check_rows(app: &App, workshop: Option<(i64, &str)>) -> Result<(), TestCaseError> {
    for row in rows(app) {
        let quiz = app.quiz(&row.quiz_id);
        prop_assert_eq!(&row.quiz_version, &quiz.version);
        prop_assert_eq!(row.token_hash.len(), 32);
        let answers: Answers = serde_json::from_str(&row.answers)
            .map_err(|e| TestCaseError::fail(format!("stored answers: {e}")))?;
        let reparsed = scoring::parse_form(&quiz, &as_form(&quiz, &answers));
        prop_assert_eq!(
            reparsed.as_ref(),
            Ok(&answers),
            "stored answers do not re-parse"
        );
        let stored: Outcome = serde_json::from_str(&row.outcome)
            .map_err(|e| TestCaseError::fail(format!("stored outcome: {e}")))?;
        let outcome = scoring::score(&quiz, &answers);
        prop_assert_eq!(&stored, &outcome, "the stored outcome is not the score");
        let (profile, score) = match &outcome {
            Outcome::SelfAssessment(o) => (Some(o.profile.clone()), Some(i64::from(o.overall))),
            Outcome::Knowledge(o) => (None, Some(i64::from(o.percent))),
        };
        prop_assert_eq!(&row.profile, &profile);
        prop_assert_eq!(row.score, score);
        match workshop {
            Some((id, quiz_id)) => {
                prop_assert_eq!(row.workshop_id, Some(id));
                prop_assert_eq!(row.quiz_id.as_str(), quiz_id);
            }
            None => prop_assert_eq!(row.workshop_id, None),
        }
    }
    Ok(())
}

/// POSTs one body and checks the reply against the oracle and the store.
async fn submit_case(
    app: &App,
    uri: &str,
    quiz: &Quiz,
    workshop: Option<(i64, &str)>,
    body: Vec<u8>,
) -> Result<StatusCode, TestCaseError> {
    let before = app.results();
    let expected = acceptable(quiz, &body, workshop.map(|(_, code)| code));
    let reply = app.send(form_request(uri, body.clone())).await;
    prop_assert!(
        !reply.status.is_server_error(),
        "{} for {:?}: {}",
        reply.status,
        String::from_utf8_lossy(&body),
        reply.text()
    );
    if reply.status == StatusCode::SEE_OTHER {
        prop_assert!(
            expected,
            "accepted an invalid body: {:?}",
            String::from_utf8_lossy(&body)
        );
        prop_assert_eq!(
            app.results(),
            before + 1,
            "a 303 must store exactly one row"
        );
        let location = reply.location();
        let token = location
            .strip_prefix("/r/")
            .ok_or_else(|| TestCaseError::fail(format!("redirected to {location}")))?;
        let hash = Sha256::digest(token.as_bytes()).to_vec();
        prop_assert!(
            rows(app).iter().any(|row| row.token_hash == hash),
            "no row for the token given"
        );
    } else {
        prop_assert!(
            reply.status.is_client_error(),
            "{} for {:?}",
            reply.status,
            String::from_utf8_lossy(&body)
        );
        prop_assert!(
            !expected,
            "refused ({}) a valid body: {:?}\n{}",
            reply.status,
            String::from_utf8_lossy(&body),
            reply.text()
        );
        prop_assert_eq!(app.results(), before, "a refusal stored something");
    }
    check_rows(app, workshop.map(|(id, _)| (id, quiz.id.as_str())))?;
    Ok(reply.status)
}

/// How many cases got each status.
#[derive(Default)]
struct Statuses(std::cell::RefCell<std::collections::BTreeMap<u16, u32>>);

impl Statuses {
    fn record(&self, status: StatusCode) {
        *self.0.borrow_mut().entry(status.as_u16()).or_default() += 1;
    }

    /// The generators reach acceptance and several kinds of refusal.
    fn check_variety(&self) {
        let seen = self.0.borrow();
        println!("statuses: {seen:?}");
        assert!(
            seen.contains_key(&303),
            "no case was a valid submission: {seen:?}"
        );
        for refusal in [400, 409, 422] {
            assert!(
                seen.contains_key(&refusal),
                "no case got {refusal}: {seen:?}"
            );
        }
        assert_eq!(seen.values().sum::<u32>(), CASES);
    }
}

#[test]
fn arbitrary_bodies_posted_to_the_quiz_store_only_valid_results() {
    let app = App::new();
    let rt = runtime();
    let quiz = app.quiz("diagnostic");
    let codes = vec!["ACDEFG".to_string()];
    let statuses = Statuses::default();
    runner()
        .run(&body(&quiz, None, &codes), |body| {
            let status = rt.block_on(submit_case(&app, "/quiz/diagnostic", &quiz, None, body))?;
            statuses.record(status);
            Ok(())
        })
        .unwrap();
    statuses.check_variety();
    assert_eq!(app.results() as u32, statuses.0.borrow()[&303]);
}

#[test]
fn arbitrary_bodies_posted_to_a_workshop_store_only_valid_results() {
    let app = App::new();
    let rt = runtime();
    let quiz = app.quiz("diagnostic");
    let (workshop, other) =
        rt.block_on(async { (app.workshop("Atelier").await, app.workshop("Autre").await) });
    // Valid forms may name their workshop; naming the other is a forgery.
    let codes = vec![workshop.code.clone(), other.code.clone()];
    let uri = workshop.join();
    let statuses = Statuses::default();
    runner()
        .run(&body(&quiz, Some(workshop.code.clone()), &codes), |body| {
            let status = rt.block_on(submit_case(
                &app,
                &uri,
                &quiz,
                Some((workshop.id, workshop.code.as_str())),
                body,
            ))?;
            statuses.record(status);
            Ok(())
        })
        .unwrap();
    statuses.check_variety();
    let stored = app.store.count_workshop_results(workshop.id).unwrap() as i64;
    assert_eq!(stored, app.results(), "every row belongs to the workshop");
    assert_eq!(stored as u32, statuses.0.borrow()[&303]);
    assert_eq!(app.store.count_workshop_results(other.id).unwrap(), 0);
}

#[test]
fn a_form_may_have_max_fields_and_not_one_more() {
    // The oracle above takes the limit from the library; this pins the
    // limit itself, which the generators (40 fields at most) never reach.
    let app = App::new();
    let rt = runtime();
    let quiz = app.quiz("diagnostic");
    let mut fields = support::valid_answers(&quiz, 0);
    while fields.len() < MAX_FIELDS {
        fields.push(("remplissage".into(), "1".into()));
    }
    let at_limit = rt.block_on(app.post_form("/quiz/diagnostic", encode(&fields)));
    assert_eq!(
        at_limit.status,
        StatusCode::SEE_OTHER,
        "{}",
        at_limit.text()
    );
    fields.push(("remplissage".into(), "1".into()));
    let over = rt.block_on(app.post_form("/quiz/diagnostic", encode(&fields)));
    assert_eq!(over.status, StatusCode::BAD_REQUEST);
    assert!(
        over.text().contains("beaucoup trop de champs"),
        "{}",
        over.text()
    );
    assert_eq!(app.results(), 1, "only the form at the limit was stored");
}
