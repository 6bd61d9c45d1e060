//! The self-assessment through the router, on the real project's book and
//! quizzes and a real temp SQLite file: submit → redirect → result → JSON →
//! delete, every bad input refused with nothing stored, and aggregates that
//! stay hidden below the minimum group size.

#[path = "support/router.rs"]
mod router;
mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chezsoi::quiz::{QuestionKind, Quiz};
use chezsoi::web;
use router::{App, encode};

fn app() -> App {
    App::new()
}

fn answers(quiz: &Quiz, pick: usize) -> Vec<(String, String)> {
    support::valid_answers(quiz, pick)
}

/// Posts the first choices of quiz `id`, which must be accepted: the quiz,
/// the fields sent and where the answer leads.
async fn submit_first_choices(
    app: &App,
    id: &str,
) -> (std::sync::Arc<Quiz>, Vec<(String, String)>, String) {
    let quiz = app.quiz(id);
    let fields = answers(&quiz, 0);
    let reply = app.post_form(&format!("/quiz/{id}"), encode(&fields)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    (quiz, fields, reply.location())
}

fn replace(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(n, v)| {
            (
                n.clone(),
                if n == name {
                    value.to_string()
                } else {
                    v.clone()
                },
            )
        })
        .collect()
}

#[tokio::test]
async fn the_quiz_page_is_a_plain_accessible_form() {
    let app = app();
    let quiz = app.quiz("diagnostic");
    let page = app.get("/quiz/diagnostic").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(
        "<form class=\"chezsoi-quiz\" method=\"post\" action=\"/quiz/diagnostic\"",
    );
    assert_eq!(page.body.matches("<fieldset").count(), quiz.questions.len());
    assert_eq!(page.body.matches("<legend").count(), quiz.questions.len());
    for question in &quiz.questions {
        assert!(
            page.body.contains(&format!("name=\"q-{}\"", question.id)),
            "{} has no input",
            question.id
        );
        for choice in &question.choices {
            let input_id = format!("{}-q-{}-{}", quiz.id, question.id, choice.id);
            assert!(
                page.body.contains(&format!("for=\"{input_id}\"")),
                "{input_id} has no label"
            );
        }
    }
    page.assert_contains(&format!("name=\"version\" value=\"{}\"", quiz.version));
    page.assert_contains("<script src=\"/_app/quiz.js\"></script>");
    assert!(
        !page.body.contains("<script>"),
        "inline script in the quiz page"
    );
    assert_eq!(app.get("/_app/quiz.js").await.status, StatusCode::OK);
}

#[tokio::test]
async fn submit_then_result_then_json_then_delete() {
    let app = app();
    let (quiz, fields, location) = submit_first_choices(&app, "diagnostic").await;
    assert!(
        location.starts_with("/r/") && location.len() == 3 + 32,
        "{location}"
    );
    assert_eq!(
        app.results(),
        1,
        "the result must be committed before the redirect"
    );

    // What is stored is the hash of the token, never the token.
    let token = &location[3..];
    let stored_tokens: Vec<Vec<u8>> = app
        .store
        .with_writer(|c| {
            let mut stmt = c.prepare("SELECT token_hash FROM results")?;
            let rows = stmt
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<Vec<u8>>>>()?;
            Ok(rows)
        })
        .unwrap();
    assert_eq!(stored_tokens.len(), 1);
    assert_eq!(stored_tokens[0].len(), 32);
    assert_ne!(stored_tokens[0], token.as_bytes());

    let given = chezsoi::scoring::parse_form(&quiz, &fields).unwrap();
    let expected = chezsoi::scoring::score(&quiz, &given);
    let chezsoi::scoring::Outcome::SelfAssessment(expected) = expected else {
        panic!("diagnostic is a self-assessment")
    };

    let page = app.get(&location).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let profile = quiz.profile(&expected.profile).unwrap();
    assert!(
        page.body
            .contains(&format!("Votre profil\u{a0}: {}", profile.label)),
        "profile missing"
    );
    page.assert_contains(&format!("<strong>{}</strong> sur 100", expected.overall));
    assert!(
        page.body
            .contains("<div class=\"chezsoi-chart chezsoi-chart-bars\""),
        "no chart"
    );
    assert!(
        (3..=5).contains(&expected.plan.len()),
        "the diagnostic's plan has {} steps",
        expected.plan.len()
    );
    for step in chezsoi::scoring::plan_steps(&quiz, &given, &expected) {
        let id = &step.recommendation.id;
        let title = step.variant.title.replace('\'', "&#x27;");
        assert!(
            page.body.contains(&step.variant.title) || page.body.contains(&title),
            "plan step {id} missing"
        );
        for reason in &step.reasons {
            assert!(
                page.body.contains(reason.as_str()),
                "{id}: reason «{reason}» missing"
            );
        }
        let href = format!("href=\"/{}\"", step.variant.chapter.html_path());
        assert!(page.body.contains(&href), "{id}: no link to its section");
        let file = app
            .book_dir
            .join(step.variant.chapter.html_path().split('#').next().unwrap());
        assert!(
            file.is_file(),
            "{id} links to a page that was not built: {}",
            file.display()
        );
    }

    let json = app.get(&format!("{location}/reponses.json")).await;
    assert_eq!(json.status, StatusCode::OK);
    let value: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(value["quiz_id"], "diagnostic");
    assert_eq!(value["quiz_version"], quiz.version.as_str());
    assert_eq!(value["outcome"]["profile"], expected.profile.as_str());
    assert_eq!(
        value["answers"].as_object().unwrap().len(),
        quiz.questions.len()
    );
    assert!(
        value["created_hour_utc"]
            .as_str()
            .unwrap()
            .ends_with(":00:00Z")
    );

    // A bare POST (the result page's button) deletes nothing: it asks.
    for unconfirmed in ["", "confirmation=non"] {
        let asked = app
            .post_form(&format!("{location}/supprimer"), unconfirmed)
            .await;
        assert_eq!(asked.status, StatusCode::OK);
        assert!(
            asked.body.contains("Supprimer ce résultat\u{a0}?"),
            "{}",
            asked.body
        );
        assert!(
            asked
                .body
                .contains(r#"<input type="hidden" name="confirmation" value="oui">"#),
            "the confirmation page's form confirms"
        );
        assert!(
            asked.body.contains(&format!("href=\"{location}\"")),
            "a way back"
        );
        assert_eq!(app.results(), 1, "deleted without confirmation");
        assert_eq!(app.get(&location).await.status, StatusCode::OK);
    }
    let deleted = app
        .post_form(&format!("{location}/supprimer"), "confirmation=oui")
        .await;
    assert_eq!(deleted.status, StatusCode::OK);
    deleted.assert_contains("Résultat supprimé");
    assert_eq!(app.results(), 0);
    assert_eq!(app.get(&location).await.status, StatusCode::NOT_FOUND);
    for body in ["", "confirmation=oui"] {
        assert_eq!(
            app.post_form(&format!("{location}/supprimer"), body)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn different_situations_get_different_plans() {
    let app = app();
    let quiz = app.quiz("diagnostic");
    let mut plans = std::collections::BTreeSet::new();
    for pick in 0..4 {
        let fields = answers(&quiz, pick);
        let outcome = chezsoi::scoring::score(
            &quiz,
            &chezsoi::scoring::parse_form(&quiz, &fields).unwrap(),
        );
        if let chezsoi::scoring::Outcome::SelfAssessment(o) = outcome {
            plans.insert(o.plan);
        }
    }
    assert!(
        plans.len() >= 3,
        "contrasting answers gave only {} distinct plans",
        plans.len()
    );
}

#[tokio::test]
async fn a_knowledge_check_shows_score_right_answers_and_explanations() {
    let app = app();
    let (quiz, _, location) = submit_first_choices(&app, "verif-portee").await;
    let page = app.get(&location).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Votre score");
    for question in &quiz.questions {
        for choice in &question.choices {
            let explanation = choice.explanation.as_deref().unwrap();
            let escaped = explanation.replace('\'', "&#x27;").replace('"', "&quot;");
            assert!(
                page.body.contains(&escaped),
                "explanation missing: {explanation}"
            );
        }
    }
    page.assert_contains("bonne réponse");
    // The first choice of each question (quizzes/verif-portee.toml): four
    // wrong single answers or wrong ticks (0 each), and for « dynamique » one
    // of its three right answers alone: 1/3 of a point, « en partie juste ».
    // (0 + 0 + 0 + 0 + 33) / 5 = 6.6 → 7 % of the points.
    page.assert_contains("en partie juste");
    assert!(page.body.contains("<strong>7</strong>"), "{}", page.body);
    assert!(
        page.body.contains("href=\"/02-portee.html\""),
        "no link back to the chapter"
    );
}

#[tokio::test]
async fn every_bad_input_is_refused_and_stores_nothing() {
    let app = app();
    let quiz = app.quiz("diagnostic");
    let good = answers(&quiz, 0);
    let single = quiz
        .questions
        .iter()
        .find(|q| matches!(q.kind, QuestionKind::Single) && !q.optional)
        .unwrap();
    let scale = quiz
        .questions
        .iter()
        .find(|q| matches!(q.kind, QuestionKind::Scale { .. }))
        .unwrap();
    let (_, scale_max) = scale.scale_bounds().unwrap();
    let multiple = quiz
        .questions
        .iter()
        .find(|q| matches!(q.kind, QuestionKind::Multiple { max: Some(_) }))
        .unwrap();

    let mut too_many = good.clone();
    for choice in &multiple.choices {
        too_many.push((format!("q-{}", multiple.id), choice.id.clone()));
    }
    let mut duplicated = good.clone();
    duplicated.push((format!("q-{}", single.id), single.choices[1].id.clone()));
    let missing: Vec<_> = good
        .iter()
        .filter(|(n, _)| n != &format!("q-{}", single.id))
        .cloned()
        .collect();
    let mut lots_of_fields = good.clone();
    for i in 0..2000 {
        lots_of_fields.push((format!("x{i}"), "y".into()));
    }

    let cases: Vec<(&str, String, Option<&str>, StatusCode, &str)> = vec![
        (
            "unknown choice",
            encode(&replace(&good, &format!("q-{}", single.id), "inexistant")),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Question",
        ),
        (
            "scale out of range",
            encode(&replace(
                &good,
                &format!("q-{}", scale.id),
                &(scale_max + 1).to_string(),
            )),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Question",
        ),
        (
            "scale not a number",
            encode(&replace(&good, &format!("q-{}", scale.id), "beaucoup")),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Question",
        ),
        (
            "too many choices",
            encode(&too_many),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Question",
        ),
        (
            "duplicated single answer",
            encode(&duplicated),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Question",
        ),
        (
            "missing required answer",
            encode(&missing),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Question",
        ),
        (
            "stale version",
            encode(&replace(&good, "version", "0000000000000000")),
            None,
            StatusCode::CONFLICT,
            "modifié",
        ),
        (
            "no version",
            encode(&good[1..]),
            None,
            StatusCode::BAD_REQUEST,
            "Envoi incomplet",
        ),
        (
            "json body",
            "{\"q-activite\":\"b2b\"}".into(),
            Some("application/json"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "formulaire",
        ),
        (
            "no content type",
            encode(&good),
            Some(""),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "formulaire",
        ),
        (
            "thousands of fields",
            encode(&lots_of_fields),
            None,
            StatusCode::BAD_REQUEST,
            "trop de champs",
        ),
        (
            "malformed encoding",
            "version=%ZZ&q-activite=%".into(),
            None,
            StatusCode::CONFLICT,
            "modifié",
        ),
    ];
    for (name, body, content_type, status, message) in cases {
        let mut request = Request::post("/quiz/diagnostic");
        match content_type {
            None => {
                request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            }
            Some("") => {}
            Some(ct) => request = request.header(header::CONTENT_TYPE, ct),
        }
        let reply = app.send(request.body(Body::from(body)).unwrap()).await;
        assert_eq!(reply.status, status, "{name}: {}", reply.body);
        assert!(
            reply.body.contains(message),
            "{name}: message « {message} » missing"
        );
        assert!(
            reply.body.contains("lang=\"fr\""),
            "{name}: not a French page"
        );
        assert_eq!(app.results(), 0, "{name}: something was stored");
    }

    // A refused form keeps the valid answers and ties the error to its question.
    let reply = app
        .post_form(
            "/quiz/diagnostic",
            encode(&replace(&good, &format!("q-{}", single.id), "inexistant")),
        )
        .await;
    reply.assert_contains(&format!(
        "aria-describedby=\"diagnostic-q-{}-erreur\"",
        single.id
    ));
    let scale_min = scale.scale_bounds().unwrap().0;
    let kept = format!(
        "id=\"diagnostic-q-{0}-{1}\" name=\"q-{0}\" value=\"{1}\" checked",
        scale.id, scale_min
    );
    assert!(
        reply.body.contains(&kept),
        "valid answers must be kept: {kept}"
    );

    // Invalid UTF-8 and oversized bodies.
    let reply = app
        .send(
            Request::post("/quiz/diagnostic")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(vec![b'q', b'=', 0xff, 0xfe]))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = app
        .post_form("/quiz/diagnostic", vec![b'a'; web::BODY_LIMIT + 10])
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);

    // Unknown quiz and unknown or malformed tokens.
    assert_eq!(app.get("/quiz/inconnu").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post_form("/quiz/inconnu", encode(&good)).await.status,
        StatusCode::NOT_FOUND
    );
    for uri in [
        "/r/0123456789abcdef0123456789abcdef",
        "/r/..%2F..%2Fetc",
        "/r/x/reponses.json",
        "/stats/inconnu",
    ] {
        let reply = app.get_expecting(uri, StatusCode::NOT_FOUND).await;
        assert!(reply.body.contains("lang=\"fr\""), "{uri}");
    }
    assert_eq!(app.results(), 0);

    // The server still serves normally afterwards.
    assert_eq!(
        app.post_form("/quiz/diagnostic", encode(&good))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.results(), 1);
}

#[tokio::test]
async fn aggregates_stay_hidden_below_the_minimum_group() {
    let app = app();
    let quiz = app.quiz("diagnostic");
    let empty = app.get("/stats/diagnostic").await.body;
    for pick in 0..web::DEFAULT_MIN_GROUP - 1 {
        let reply = app
            .post_form("/quiz/diagnostic", encode(&answers(&quiz, pick % 3)))
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
    }
    let below = app.get("/stats/diagnostic").await.body;
    assert_eq!(empty, below, "the page must not tell 0 answers from a few");
    assert!(below.contains("Pas encore assez de réponses"));
    assert!(!below.contains("<svg"));

    let reply = app
        .post_form("/quiz/diagnostic", encode(&answers(&quiz, 0)))
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let shown = app.get("/stats/diagnostic").await.body;
    assert!(
        shown.contains(&format!(
            "{}\u{a0}réponses enregistrées",
            web::DEFAULT_MIN_GROUP
        )),
        "{shown}"
    );
    assert!(shown.contains("<div class=\"chezsoi-chart chezsoi-chart-bars\""));
    assert!(
        shown.contains("moins de 5"),
        "small profile buckets must be masked"
    );
}
