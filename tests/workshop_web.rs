//! Workshops through the router, on the real project's book and quizzes and
//! a real temp SQLite file: create → join → answer → group results hidden
//! below the minimum → reveal → charts and exports that match the answers;
//! closing, deleting, expiry, the live count, wrong keys, floods, escaping
//! and the request log.

#[path = "support/router.rs"]
mod router;
mod support;

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chezsoi::quiz::{QuestionKind, Quiz};
use chezsoi::workshop::FacilitatorKey;
use http_body_util::BodyExt;
use router::{App, SITE, encode};
use tower::ServiceExt;

/// The router with every request from one client, as a room behind one
/// address: the flood limits apply to the whole test.
fn app() -> App {
    App::new().one_client()
}

/// Participant `n`'s answers: a different choice per question and person,
/// two choices on multiple-choice questions, a different scale step.
fn answers(quiz: &Quiz, n: usize) -> Vec<(String, String)> {
    let mut fields = vec![("version".to_string(), quiz.version.clone())];
    for (q, question) in quiz.questions.iter().enumerate() {
        let field = format!("q-{}", question.id);
        match &question.kind {
            QuestionKind::Scale { min, max, .. } => {
                let steps = (max - min + 1) as usize;
                fields.push((field, (min + ((n + q) % steps) as i64).to_string()));
            }
            QuestionKind::Single => {
                let choice = &question.choices[(n * (q + 1) + q) % question.choices.len()];
                fields.push((field, choice.id.clone()));
            }
            QuestionKind::Multiple { .. } => {
                let len = question.choices.len();
                fields.push((field.clone(), question.choices[n % len].id.clone()));
                fields.push((field, question.choices[(n + 3) % len].id.clone()));
            }
        }
    }
    fields
}

/// Rounded half up, as the product promises: computed here on its own.
fn percent(part: usize, whole: usize) -> u64 {
    ((200 * part + whole) / (2 * whole)) as u64
}

fn mean(values: &[u64]) -> u64 {
    let sum: u64 = values.iter().sum();
    let n = values.len() as u64;
    (2 * sum + n) / (2 * n)
}

/// What a participant's own result page showed them. Labels are as the
/// page has them (HTML-escaped), like the group's tables.
struct Shown {
    profile: String,
    /// Each dimension's label and score out of 100 (`None`: no answer).
    dimensions: Vec<(String, Option<u64>)>,
    first_action: String,
}

/// The text between `start` and the next `end` in `text`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    let to = text[from..].find(end).unwrap_or_else(|| panic!("no {end}"));
    &text[from..from + to]
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
    text
}

fn shown(page: &str) -> Shown {
    let table = between(
        page,
        "<section aria-labelledby=\"dimensions\">",
        "</section>",
    );
    let dimensions = table
        .split("<tr><th scope=\"row\">")
        .skip(1)
        .map(|row| {
            let label = strip_tags(between(row, "", "</th>"));
            (label, between(row, "<td>", "</td>").parse().ok())
        })
        .collect();
    let plan = between(page, "<li class=\"chezsoi-step\">", "</li>");
    Shown {
        profile: between(page, "<h2 id=\"profil\">Votre profil\u{a0}: ", "</h2>").to_string(),
        dimensions,
        first_action: between(plan, "<h3>", " <span class=\"chezsoi-horizon\">").to_string(),
    }
}

/// The aggregates the group should get: counted and averaged here from
/// what each participant was shown on their own result page, and from the
/// forms they sent, not with the application's aggregation or scoring.
struct Expected {
    /// (profile id, label, count), in the quiz's order.
    profiles: Vec<(String, String, usize)>,
    /// (label, mean, min, max).
    dimensions: Vec<(String, u64, u64, u64)>,
    /// (recommendation id, title, count), most frequent first.
    first_actions: Vec<(String, String, usize)>,
    /// (question id, choice or step, count, respondents)
    answers: Vec<(String, String, usize, usize)>,
}

fn expected(quiz: &Quiz, forms: &[Vec<(String, String)>], shown: &[Shown]) -> Expected {
    assert_eq!(forms.len(), shown.len());
    let escape = chezsoi::views::escape_html;
    let profiles = quiz
        .profiles
        .iter()
        .map(|p| {
            let label = escape(&p.label);
            let n = shown.iter().filter(|s| s.profile == label).count();
            (p.id.clone(), label, n)
        })
        .collect::<Vec<_>>();
    assert_eq!(
        profiles.iter().map(|(_, _, n)| n).sum::<usize>(),
        shown.len(),
        "every participant was shown one of the quiz's profiles"
    );
    let dimensions = quiz
        .dimensions
        .iter()
        .map(|d| {
            let label = escape(&d.label);
            let values: Vec<u64> = shown
                .iter()
                .filter_map(|s| s.dimensions.iter().find(|(l, _)| *l == label))
                .filter_map(|(_, score)| *score)
                .collect();
            (
                label,
                mean(&values),
                *values.iter().min().unwrap(),
                *values.iter().max().unwrap(),
            )
        })
        .collect();
    let mut firsts: BTreeMap<usize, (String, String, usize)> = BTreeMap::new();
    for s in shown {
        let position = quiz
            .recommendations
            .iter()
            .position(|r| escape(&r.title) == s.first_action)
            .unwrap_or_else(|| panic!("{} is no recommendation", s.first_action));
        let recommendation = &quiz.recommendations[position];
        firsts
            .entry(position)
            .or_insert((recommendation.id.clone(), s.first_action.clone(), 0))
            .2 += 1;
    }
    // Most frequent first; the quiz's order breaks ties.
    let mut first_actions: Vec<(usize, (String, String, usize))> = firsts.into_iter().collect();
    first_actions.sort_by_key(|(position, (_, _, n))| (std::cmp::Reverse(*n), *position));
    let first_actions = first_actions
        .into_iter()
        .take(5)
        .map(|(_, action)| action)
        .collect();
    let mut answers = Vec::new();
    for question in &quiz.questions {
        let field = format!("q-{}", question.id);
        let given: Vec<Vec<&str>> = forms
            .iter()
            .map(|form| {
                form.iter()
                    .filter(|(name, _)| *name == field)
                    .map(|(_, value)| value.as_str())
                    .collect::<Vec<_>>()
            })
            .filter(|values| !values.is_empty())
            .collect();
        let values: Vec<String> = match question.scale_bounds() {
            Some((min, max)) => (min..=max).map(|v| v.to_string()).collect(),
            None => question.choices.iter().map(|c| c.id.clone()).collect(),
        };
        for value in values {
            let n = given.iter().filter(|g| g.contains(&value.as_str())).count();
            answers.push((question.id.clone(), value, n, given.len()));
        }
    }
    Expected {
        profiles,
        dimensions,
        first_actions,
        answers,
    }
}

/// Every object field name in a JSON value, at any depth.
fn field_names(value: &serde_json::Value, names: &mut std::collections::BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (name, inner) in map {
                names.insert(name.to_lowercase());
                field_names(inner, names);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| field_names(v, names)),
        _ => {}
    }
}

/// Splits RFC 4180 CSV (quoted fields may hold commas, quotes, newlines).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && row.is_empty(), "the CSV ends with CRLF");
    rows
}

#[tokio::test]
async fn a_workshop_from_creation_to_revealed_results_and_exports() {
    let app = app();
    let quiz = app.quiz("diagnostic");
    let min_group = 5;

    // Creation: the form, then the management page with the secret link.
    let form = app.get("/atelier/nouveau").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("action=\"/atelier/nouveau\""));
    assert!(form.body.contains("<option value=\"diagnostic\" selected>"));
    let workshop = app
        .create_workshop("Atelier du jeudi", "diagnostic", min_group)
        .await;
    assert_eq!(workshop.code.len(), 6);
    let manage = app.get(&workshop.path("/gestion")).await;
    assert_eq!(manage.status, StatusCode::OK);
    assert_eq!(
        manage.headers.get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    assert!(
        manage
            .body
            .contains(&format!("{SITE}/atelier/{}/{}", workshop.id, workshop.key)),
        "the management page shows the facilitator link"
    );
    assert!(manage.body.contains(&format!("{SITE}/a/{}", workshop.code)));

    // The projector: code, join URL and a QR code drawn by the server.
    let projector = app.get(&workshop.path("")).await;
    assert_eq!(projector.status, StatusCode::OK);
    let shown_code = format!("{} {}", &workshop.code[..3], &workshop.code[3..]);
    assert!(projector.body.contains(&shown_code), "large join code");
    assert!(
        projector
            .body
            .contains(&format!("salle.test:3000/a/{}", workshop.code))
    );
    assert!(
        projector.body.contains("<svg class=\"chezsoi-qr\""),
        "QR code"
    );
    assert!(
        projector
            .body
            .contains("<script src=\"/_app/atelier.js\"></script>")
    );
    assert!(!projector.body.contains("<script>"), "no inline script");
    assert!(
        projector
            .body
            .contains("<noscript><meta http-equiv=\"refresh\" content=\"10\"></noscript>")
    );
    assert!(projector.body.contains(&format!(
        "data-workshop-events=\"{}\"",
        workshop.path("/direct")
    )));
    let script = app.get("/_app/atelier.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.contains("EventSource"));

    // Joining: by the home page's form (any case, spaces) and by the link.
    let typed = app
        .get(&format!(
            "/a?code={}",
            shown_code.to_lowercase().replace(' ', "+")
        ))
        .await;
    assert_eq!(typed.status, StatusCode::SEE_OTHER);
    assert_eq!(typed.location(), format!("/a/{}", workshop.code));
    let join = app
        .get(&format!("/a/{}", workshop.code.to_lowercase()))
        .await;
    assert_eq!(join.status, StatusCode::OK);
    assert!(
        join.body
            .contains(&format!("action=\"/a/{}\"", workshop.code))
    );
    assert!(
        join.body
            .contains(&format!("name=\"atelier\" value=\"{}\"", workshop.code))
    );
    assert!(join.body.contains("Atelier du jeudi"));
    assert_eq!(join.body.matches("<fieldset").count(), quiz.questions.len());

    // N − 1 answers: the count shows, nothing else does.
    let forms: Vec<_> = (0..min_group as usize).map(|n| answers(&quiz, n)).collect();
    let mut seen = Vec::new();
    for form in &forms[..forms.len() - 1] {
        let reply = app
            .post_form(&format!("/a/{}", workshop.code), encode(form))
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let result = app.get(&reply.location()).await;
        assert_eq!(
            result.status,
            StatusCode::OK,
            "each participant gets their result"
        );
        assert!(result.body.contains("donné dans un atelier"));
        seen.push(shown(&result.body));
    }
    assert_eq!(app.results_in(workshop.id), min_group as i64 - 1);
    let below = app.get(&workshop.path("")).await.body;
    assert!(
        below.contains("<strong data-count>4</strong>"),
        "live count"
    );
    assert!(below.contains("Il manque encore 1 réponse"));
    assert!(below.contains("data-reveal disabled"));
    for hidden in [
        "chezsoi-chart",
        "chezsoi-group",
        "Répartition des profils",
        "\u{202f}%<",
    ] {
        assert!(
            !below.contains(hidden),
            "below the minimum the page shows {hidden}"
        );
    }
    for profile in &quiz.profiles {
        let label = format!(">{}<", chezsoi::views::escape_html(&profile.label));
        assert!(!below.contains(&label), "{label} shown too early");
    }
    let refused = app.post_form(&workshop.path("/reveler"), "").await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused.body.contains("Il manque encore 1 réponse"),
        "{}",
        refused.body
    );
    for export in ["/resultats.csv", "/resultats.json"] {
        let reply = app.get(&workshop.path(export)).await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "{export}");
        assert!(
            reply.body.contains("Il manque encore 1 réponse"),
            "{export}"
        );
    }
    let still = app.get(&workshop.path("")).await.body;
    assert!(
        !still.contains("chezsoi-group"),
        "a refused reveal reveals nothing"
    );

    // The N-th answer; now the reveal works.
    let reply = app
        .post_form(
            &format!("/a/{}", workshop.code),
            encode(&forms[forms.len() - 1]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    seen.push(shown(&app.get(&reply.location()).await.body));
    let enough = app.get(&workshop.path("")).await.body;
    assert!(enough.contains("Assez de réponses"));
    assert!(
        !enough.contains("chezsoi-group"),
        "not before the facilitator reveals"
    );
    let revealed = app.post_form(&workshop.path("/reveler"), "").await;
    assert_eq!(revealed.status, StatusCode::SEE_OTHER);
    assert_eq!(revealed.location(), workshop.path("#resultats"));
    let page = app.get(&workshop.path("")).await.body;
    assert!(page.contains("Résultats du groupe\u{a0}: 5\u{a0}réponses"));
    assert!(page.contains(&shown_code), "the join code stays on screen");
    assert!(
        !page.contains("http-equiv=\"refresh\""),
        "no reload once revealed"
    );

    let expected = expected(&quiz, &forms, &seen);
    let n = forms.len();
    for (_, label, count) in &expected.profiles {
        let row = format!(
            "<tr><th scope=\"row\">{label}</th><td>{count}</td><td>{}\u{202f}%</td></tr>",
            percent(*count, n)
        );
        assert!(page.contains(&row), "profile row missing: {row}");
    }
    for (label, mean, min, max) in &expected.dimensions {
        let row = format!(
            "<tr><th scope=\"row\">{label}</th><td>{mean}</td><td>{min}</td><td>{max}</td></tr>"
        );
        assert!(page.contains(&row), "dimension row missing: {row}");
    }
    for (_, title, count) in &expected.first_actions {
        let row = format!(
            "<tr><th scope=\"row\">{title}</th><td>{count}</td><td>{}\u{202f}%</td></tr>",
            percent(*count, n)
        );
        assert!(page.contains(&row), "first action row missing: {row}");
    }
    assert_eq!(
        page.matches("<div class=\"chezsoi-chart ").count(),
        3 + quiz.questions.len(),
        "profiles, dimensions, first actions and one chart per question"
    );

    // JSON export: the same figures, aggregates only.
    let json = app.get(&workshop.path("/resultats.json")).await;
    assert_eq!(json.status, StatusCode::OK);
    assert!(
        json.header(header::CONTENT_DISPOSITION)
            .unwrap()
            .contains("attachment")
    );
    let value: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(value["answers"], n);
    assert_eq!(value["workshop"]["title"], "Atelier du jeudi");
    assert_eq!(value["workshop"]["min_group"], min_group);
    for (i, (id, _, count)) in expected.profiles.iter().enumerate() {
        assert_eq!(value["profiles"][i]["id"], id.as_str());
        assert_eq!(value["profiles"][i]["count"], *count);
        assert_eq!(value["profiles"][i]["percent"], percent(*count, n));
    }
    for (i, (_, mean, min, max)) in expected.dimensions.iter().enumerate() {
        let spread = &value["dimensions"][i]["spread"];
        assert_eq!(spread["mean"], *mean);
        assert_eq!(spread["min"], *min);
        assert_eq!(spread["max"], *max);
        assert_eq!(spread["respondents"], n);
    }
    let firsts = value["first_actions"].as_array().unwrap();
    assert_eq!(firsts.len(), expected.first_actions.len());
    for (got, (id, _, count)) in firsts.iter().zip(&expected.first_actions) {
        assert_eq!(got["id"], id.as_str());
        assert_eq!(got["count"], *count);
    }
    let mut json_answers = Vec::new();
    for question in value["questions"].as_array().unwrap() {
        for answer in question["answers"].as_array().unwrap() {
            json_answers.push((
                question["id"].as_str().unwrap().to_string(),
                answer["id"].as_str().unwrap().to_string(),
                answer["count"].as_u64().unwrap() as usize,
                question["respondents"].as_u64().unwrap() as usize,
            ));
            assert_eq!(
                answer["percent"].as_u64().unwrap(),
                percent(answer["count"].as_u64().unwrap() as usize, n)
            );
        }
    }
    assert_eq!(json_answers, expected.answers);
    let mut names = std::collections::BTreeSet::new();
    field_names(&value, &mut names);
    for name in &names {
        for leak in [
            "token",
            "hash",
            "jeton",
            "key",
            "cle",
            "answers_json",
            "outcome_json",
        ] {
            assert!(!name.contains(leak), "the JSON export has a field {name}");
        }
    }
    assert!(!json.body.contains(&workshop.key));

    // CSV export: one row per aggregate, none per participant.
    let csv = app.get(&workshop.path("/resultats.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.header(header::CONTENT_TYPE)
            .unwrap()
            .starts_with("text/csv")
    );
    let rows = parse_csv(&csv.body);
    let header_row = &rows[0];
    assert_eq!(
        header_row.join(","),
        "rubrique,identifiant,libelle,repondants,nombre,pourcentage,moyenne,minimum,maximum"
    );
    let aggregate_rows = 1 // the workshop itself
        + expected.profiles.len()
        + expected.dimensions.len()
        + 1 // the overall score
        + expected.first_actions.len()
        + expected.answers.len();
    assert_eq!(rows.len(), 1 + aggregate_rows, "{}", csv.body);
    assert!(rows.iter().all(|row| row.len() == 9));
    assert_eq!(rows[1][2], "Atelier du jeudi");
    for (id, _, count) in &expected.profiles {
        let row = rows
            .iter()
            .find(|r| r[0] == "profil" && &r[1] == id)
            .unwrap();
        assert_eq!(row[4], count.to_string());
    }
    for (question, value, count, respondents) in &expected.answers {
        let id = format!("{question}/{value}");
        let row = rows
            .iter()
            .find(|r| r[0] == "reponse" && r[1] == id)
            .unwrap();
        assert_eq!(
            (&row[3], &row[4]),
            (&respondents.to_string(), &count.to_string()),
            "{id}"
        );
    }
    assert!(!csv.body.contains(&workshop.key));
}

#[tokio::test]
async fn closing_refuses_answers_and_deleting_removes_the_workshop_and_its_results() {
    let app = app();
    let quiz = app.quiz("diagnostic");
    let workshop = app
        .create_workshop("Atelier à fermer", "diagnostic", 3)
        .await;
    let elsewhere = app
        .post_form("/quiz/diagnostic", encode(&answers(&quiz, 0)))
        .await;
    assert_eq!(
        elsewhere.status,
        StatusCode::SEE_OTHER,
        "a result outside any workshop"
    );
    let mut result_pages = Vec::new();
    for n in 0..3 {
        let reply = app
            .post_form(&format!("/a/{}", workshop.code), encode(&answers(&quiz, n)))
            .await;
        result_pages.push(reply.location());
    }
    assert_eq!(app.results_in(workshop.id), 3);

    let closed = app.post_form(&workshop.path("/fermer"), "").await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    assert_eq!(closed.location(), workshop.path("/gestion"));
    let manage = app.get(&workshop.path("/gestion")).await.body;
    assert!(manage.contains("<strong>Fermé</strong>"));
    for reply in [
        app.get(&format!("/a/{}", workshop.code)).await,
        app.post_form(&format!("/a/{}", workshop.code), encode(&answers(&quiz, 4)))
            .await,
    ] {
        assert_eq!(reply.status, StatusCode::GONE);
        assert!(
            reply.body.contains("Cet atelier est fermé"),
            "{}",
            reply.body
        );
    }
    assert_eq!(app.results_in(workshop.id), 3, "nothing stored once closed");
    let projector = app.get(&workshop.path("")).await.body;
    assert!(projector.contains("Atelier fermé"));
    // Results stay available after closing.
    assert_eq!(
        app.post_form(&workshop.path("/reveler"), "").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.get(&workshop.path("/resultats.csv")).await.status,
        StatusCode::OK
    );

    // Deleting needs the confirmation, then takes everything with it.
    let unconfirmed = app.post_form(&workshop.path("/supprimer"), "").await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.results_in(workshop.id), 3);
    let deleted = app
        .post_form(&workshop.path("/supprimer"), "confirmation=oui")
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert!(deleted.body.contains("Atelier supprimé"));
    assert!(deleted.body.contains("3 résultats"));
    assert_eq!(app.results_in(workshop.id), 0);
    assert_eq!(app.results(), 1, "the result outside the workshop stays");
    assert_eq!(app.store.count_workshops().unwrap(), 0);
    for page in &result_pages {
        assert_eq!(app.get(page).await.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(
        app.get(&workshop.path("")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/a/{}", workshop.code)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_purge_removes_expired_workshops_with_their_results() {
    let app = app();
    let quiz = app.quiz("diagnostic");
    let old = app.create_workshop("Atelier ancien", "diagnostic", 3).await;
    let recent = app.create_workshop("Atelier récent", "diagnostic", 3).await;
    for workshop in [&old, &recent] {
        for n in 0..2 {
            let reply = app
                .post_form(&format!("/a/{}", workshop.code), encode(&answers(&quiz, n)))
                .await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER);
        }
    }
    let now = chezsoi::workshop::now_unix();
    let thirty_one_days_ago = chezsoi::store::round_to_hour(now - 31 * 86_400);
    app.store
        .with_writer(|c| {
            c.execute(
                "UPDATE workshops SET created_hour = ?1 WHERE id = ?2",
                (thirty_one_days_ago, old.id),
            )?;
            Ok(())
        })
        .unwrap();

    let purged = chezsoi::workshop::purge_expired(&app.store, 30, now).unwrap();
    assert_eq!((purged.workshops, purged.results), (1, 2));
    assert_eq!(app.results_in(old.id), 0);
    assert_eq!(app.results_in(recent.id), 2);
    assert_eq!(app.get(&old.path("")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&recent.path("")).await.status, StatusCode::OK);
    let again = chezsoi::workshop::purge_expired(&app.store, 30, now).unwrap();
    assert_eq!((again.workshops, again.results), (0, 0));
}

#[tokio::test]
async fn a_wrong_key_gets_the_same_404_as_an_unknown_workshop() {
    let app = app();
    let workshop = app.create_workshop("Atelier secret", "diagnostic", 3).await;
    let wrong_key = FacilitatorKey::generate();
    let wrong = format!("/atelier/{}/{}", workshop.id, wrong_key.as_str());
    let unknown = format!("/atelier/{}/{}", workshop.id + 1000, wrong_key.as_str());
    let malformed = [
        format!("/atelier/{}/{}", workshop.id, workshop.key.to_uppercase()),
        format!("/atelier/{}/0123", workshop.id),
        format!("/atelier/x/{}", workshop.key),
        format!("/atelier/-1/{}", workshop.key),
    ];
    for (method, suffix) in [
        ("GET", ""),
        ("GET", "/gestion"),
        ("GET", "/direct"),
        ("GET", "/resultats.csv"),
        ("GET", "/resultats.json"),
        ("POST", "/reveler"),
        ("POST", "/fermer"),
        ("POST", "/supprimer"),
    ] {
        let request = |uri: String| {
            Request::builder()
                .method(method)
                .uri(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("confirmation=oui"))
                .unwrap()
        };
        let reference = app.send(request(format!("{unknown}{suffix}"))).await;
        assert_eq!(reference.status, StatusCode::NOT_FOUND, "{method} {suffix}");
        assert!(reference.body.contains("Cet atelier n’existe pas"));
        let reply = app.send(request(format!("{wrong}{suffix}"))).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {suffix}");
        assert_eq!(
            reply.body, reference.body,
            "{method} {suffix}: the pages differ"
        );
        for uri in &malformed {
            let reply = app.send(request(format!("{uri}{suffix}"))).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{method} {uri}{suffix}"
            );
            assert_eq!(reply.body, reference.body, "{method} {uri}{suffix}");
        }
    }
    // Nothing was closed, revealed or deleted by those attempts.
    let hash = FacilitatorKey::parse(&workshop.key).unwrap().hash();
    let stored = app
        .store
        .find_workshop(workshop.id, &hash)
        .unwrap()
        .unwrap();
    assert!(stored.is_open() && !stored.revealed);
    // Any other address below /atelier gets the same page.
    for uri in [
        workshop.path("/autre"),
        workshop.path("/a/b/c"),
        format!("/atelier/{}", workshop.id),
    ] {
        let reply = app.get(&uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(reply.body.contains("Cet atelier n’existe pas"), "{uri}");
    }
}

#[tokio::test]
async fn the_live_count_streams_each_new_answer() {
    let app = app();
    let quiz = app.quiz("diagnostic");
    let workshop = app
        .create_workshop("Atelier en direct", "diagnostic", 3)
        .await;
    let other = app
        .create_workshop("Un autre atelier", "diagnostic", 3)
        .await;
    let response = app
        .router
        .clone()
        .oneshot(
            Request::get(workshop.path("/direct"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers().get(header::CONTENT_TYPE).unwrap(),
        "text/event-stream"
    );
    let mut body = response.into_body();
    let mut next_count = async || -> String {
        loop {
            let frame = tokio::time::timeout(std::time::Duration::from_secs(30), body.frame())
                .await
                .expect("the stream stalled")
                .expect("the stream ended")
                .unwrap();
            if let Ok(data) = frame.into_data() {
                let text = String::from_utf8(data.to_vec()).unwrap();
                if text.contains("event: count") {
                    return text;
                }
            }
        }
    };
    assert_eq!(next_count().await, "event: count\ndata: 0\n\n");

    // An answer to another workshop is not announced here.
    let reply = app
        .post_form(&format!("/a/{}", other.code), encode(&answers(&quiz, 0)))
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    for expected in 1..=2 {
        let reply = app
            .post_form(
                &format!("/a/{}", workshop.code),
                encode(&answers(&quiz, expected)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(
            next_count().await,
            format!("event: count\ndata: {expected}\n\n")
        );
    }
}

#[tokio::test]
async fn forged_or_refused_submissions_store_nothing() {
    let app = app();
    let quiz = app.quiz("diagnostic");
    let workshop = app.create_workshop("Atelier", "diagnostic", 3).await;
    let other = app.create_workshop("Autre atelier", "diagnostic", 3).await;
    let good = answers(&quiz, 0);
    let with_field = |code: &str| {
        let mut fields = good.clone();
        fields.push(("atelier".into(), code.into()));
        encode(&fields)
    };
    let join = format!("/a/{}", workshop.code);

    let cases: Vec<(&str, String, String, StatusCode, &str)> = vec![
        (
            "unknown code",
            "/a/ACDEFG".into(),
            encode(&good),
            StatusCode::NOT_FOUND,
            "Aucun atelier ouvert",
        ),
        (
            "malformed code",
            "/a/..%2F..".into(),
            encode(&good),
            StatusCode::NOT_FOUND,
            "Aucun atelier ouvert",
        ),
        (
            "another workshop's code in the form",
            join.clone(),
            with_field(&other.code),
            StatusCode::BAD_REQUEST,
            "ne correspond pas",
        ),
        (
            "a workshop named on the plain quiz",
            "/quiz/diagnostic".into(),
            with_field(&workshop.code),
            StatusCode::BAD_REQUEST,
            "page de l’atelier",
        ),
        (
            "stale version",
            join.clone(),
            encode(&good[1..]),
            StatusCode::CONFLICT,
            "modifié",
        ),
        (
            "missing answers",
            join.clone(),
            encode(&good[..3]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Votre envoi n’a pas été enregistré",
        ),
    ];
    for (name, uri, body, status, message) in cases {
        let reply = app.post_form(&uri, body).await;
        assert_eq!(reply.status, status, "{name}: {}", reply.body);
        assert!(
            reply.body.contains(message),
            "{name}: « {message} » missing: {}",
            reply.body
        );
        assert!(reply.body.contains("lang=\"fr\""), "{name}");
        assert_eq!(app.results(), 0, "{name}: something was stored");
    }
    // A refused workshop form still posts to the workshop.
    let refused = app.post_form(&join, encode(&good[..3])).await;
    assert!(refused.body.contains(&format!("action=\"{join}\"")));
    assert!(
        refused
            .body
            .contains(&format!("name=\"atelier\" value=\"{}\"", workshop.code))
    );

    // Unknown codes on the join pages.
    for uri in ["/a/ACDEFG", "/a?code=zz", "/a?code=ACDEFG"] {
        let mut reply = app.get(uri).await;
        if reply.status == StatusCode::SEE_OTHER {
            reply = app.get(&reply.location()).await;
        }
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(reply.body.contains("Aucun atelier ouvert"), "{uri}");
        assert!(
            reply.body.contains("name=\"code\""),
            "{uri}: a form to try again"
        );
    }
    assert_eq!(app.get("/a").await.status, StatusCode::OK);

    // The right code and form are stored, with the workshop.
    let reply = app
        .post_form(&join, with_field(&workshop.code.to_lowercase()))
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(app.results_in(workshop.id), 1);
}

#[tokio::test]
async fn the_creation_form_refuses_bad_input() {
    let app = app();
    for (name, title, quiz, minimum, message) in [
        ("empty title", "   ", "diagnostic", "5", "Le titre est vide"),
        (
            "long title",
            &"x".repeat(121),
            "diagnostic",
            "5",
            "121 caractères",
        ),
        (
            "group of 2",
            "Atelier",
            "diagnostic",
            "2",
            "entre 3 et 1000",
        ),
        (
            "group of 1001",
            "Atelier",
            "diagnostic",
            "1001",
            "entre 3 et 1000",
        ),
        (
            "not a number",
            "Atelier",
            "diagnostic",
            "cinq",
            "entre 3 et 1000",
        ),
        (
            "unknown quiz",
            "Atelier",
            "inconnu",
            "5",
            "Aucun questionnaire",
        ),
    ] {
        let reply = app.post_workshop_form(title, quiz, minimum).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(
            reply.body.contains(message),
            "{name}: « {message} » missing"
        );
        assert!(reply.body.contains("L’atelier n’a pas été créé"), "{name}");
    }
    assert_eq!(app.store.count_workshops().unwrap(), 0);
    let workshop = app
        .create_workshop(
            "Atelier de 120 caractères "
                .repeat(5)
                .chars()
                .take(120)
                .collect::<String>()
                .as_str(),
            "diagnostic",
            1000,
        )
        .await;
    assert_eq!(workshop.code.len(), 6);
}

#[tokio::test]
async fn floods_of_joins_answers_and_creations_are_throttled() {
    let app = app();
    for _ in 0..chezsoi::web::CREATION_PER_MINUTE {
        let reply = app.post_form("/atelier/nouveau", "titre=&minimum=5").await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let reply = app
        .post_form(
            "/atelier/nouveau",
            "titre=Atelier&questionnaire=diagnostic&minimum=5",
        )
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.body.contains("Trop de requêtes"), "{}", reply.body);
    assert_eq!(app.store.count_workshops().unwrap(), 0);

    for n in 0..chezsoi::web::PARTICIPATION_PER_MINUTE {
        let reply = if n % 2 == 0 {
            app.get("/a/ACDEFG").await
        } else {
            app.post_form("/a/ACDEFG", "version=x").await
        };
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
    }
    for reply in [
        app.get("/a/ACDEFG").await,
        app.post_form("/a/ACDEFG", "version=x").await,
        app.get("/a?code=ACDEFG").await,
    ] {
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(reply.body.contains("patientez une minute"));
    }
    assert_eq!(app.results(), 0);
    // The rest of the site is not throttled.
    assert_eq!(app.get("/quiz/diagnostic").await.status, StatusCode::OK);
}

#[tokio::test]
async fn script_tags_in_a_title_are_escaped_on_every_page() {
    let app = app();
    let quiz = app.quiz("diagnostic");
    let title = "<script>alert('x')</script> & \"Cie\", =1+1";
    let workshop = app.create_workshop(title, "diagnostic", 3).await;
    let escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;Cie&quot;";
    let mut pages = vec![
        ("management", app.get(&workshop.path("/gestion")).await.body),
        ("projector", app.get(&workshop.path("")).await.body),
        ("join", app.get(&format!("/a/{}", workshop.code)).await.body),
        (
            "refused answers",
            app.post_form(
                &format!("/a/{}", workshop.code),
                encode(&answers(&quiz, 0)[..3]),
            )
            .await
            .body,
        ),
    ];
    for n in 0..3 {
        let reply = app
            .post_form(&format!("/a/{}", workshop.code), encode(&answers(&quiz, n)))
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
    }
    app.post_form(&workshop.path("/reveler"), "").await;
    pages.push(("revealed projector", app.get(&workshop.path("")).await.body));
    // A title refused for its length is shown back escaped too.
    let long = format!("{title}{}", "x".repeat(120));
    pages.push((
        "creation form",
        app.post_form(
            "/atelier/nouveau",
            encode(&[("titre".into(), long), ("minimum".into(), "5".into())]),
        )
        .await
        .body,
    ));
    let csv = app.get(&workshop.path("/resultats.csv")).await.body;
    let json = app.get(&workshop.path("/resultats.json")).await.body;
    let closed = app.post_form(&workshop.path("/fermer"), "").await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    pages.push((
        "deleted",
        app.post_form(&workshop.path("/supprimer"), "confirmation=oui")
            .await
            .body,
    ));
    for (name, body) in &pages {
        assert!(!body.contains("<script>alert"), "{name}: unescaped title");
        assert!(
            body.contains(escaped),
            "{name}: the escaped title is missing"
        );
    }
    let rows = parse_csv(&csv);
    assert_eq!(rows[1][2], title);
    assert!(
        csv.contains("\"<script>alert('x')</script> & \"\"Cie\"\", =1+1\""),
        "{csv}"
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["workshop"]["title"], title);
}

#[tokio::test]
async fn a_knowledge_check_workshop_shows_its_score_and_answers() {
    let app = app();
    let quiz = app.quiz("verif-portee");
    let reply = app
        .post_form(
            "/atelier/nouveau",
            "titre=Quiz+de+fin&questionnaire=verif-portee&minimum=3",
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let base = reply.location().trim_end_matches("/gestion").to_string();
    let code: String = app
        .store
        .with_writer(|c| Ok(c.query_row("SELECT join_code FROM workshops", [], |r| r.get(0))?))
        .unwrap();
    for n in 0..3 {
        let reply = app
            .post_form(&format!("/a/{code}"), encode(&answers(&quiz, n)))
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    }
    assert_eq!(
        app.post_form(&format!("{base}/reveler"), "").await.status,
        StatusCode::SEE_OTHER
    );
    let page = app.get(&base).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Bonnes réponses, en pourcentage"));
    assert!(!page.body.contains("Répartition des profils"));
    assert_eq!(
        page.body.matches("<div class=\"chezsoi-chart ").count(),
        quiz.questions.len()
    );
    let json = app.get(&format!("{base}/resultats.json")).await;
    let value: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(value["answers"], 3);
    assert_eq!(value["profiles"].as_array().unwrap().len(), 0);
}
