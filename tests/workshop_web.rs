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

/// Posts participant `n`'s answers to the diagnostic at `path`: a
/// workshop's `/a/{CODE}`, or the quiz itself.
async fn answer_as(app: &App, path: &str, n: usize) -> router::Reply {
    let quiz = app.quiz("diagnostic");
    app.post_form(path, encode(&answers(&quiz, n))).await
}

/// GETs an export: it must be there.
async fn download(app: &App, uri: &str) -> router::Reply {
    app.get_expecting(uri, StatusCode::OK).await
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
    let plan = between(page, "<li class=\"chezsoi-step", "</li>");
    Shown {
        profile: between(page, "<h2 id=\"profil\">Votre profil\u{a0}: ", "</h2>").to_string(),
        dimensions,
        // The action's name (the heading is its variant, worded for the person).
        first_action: between(plan, "chezsoi-step-action\">", "</p>").to_string(),
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
            // The result page names the variant the plan chose.
            .position(|r| {
                escape(&r.title) == s.first_action
                    || r.variants
                        .iter()
                        .any(|v| escape(&v.title) == s.first_action)
            })
            .unwrap_or_else(|| panic!("{} is no recommendation", s.first_action));
        let recommendation = &quiz.recommendations[position];
        firsts
            .entry(position)
            // Group results name the action, whatever its variant.
            .or_insert((recommendation.id.clone(), escape(&recommendation.title), 0))
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
    // It links to the view to project, which has its own key.
    assert!(
        manage
            .body
            .contains(&format!("href=\"{}\"", workshop.projection(""))),
        "the management page links to the view to project"
    );
    assert!(
        manage
            .body
            .contains(&format!("value=\"{SITE}{}\"", workshop.projection("")))
    );
    assert_ne!(workshop.projector, workshop.key);
    // The private link itself leads to the management page.
    let private = app.get(&workshop.path("")).await;
    assert_eq!(private.status, StatusCode::SEE_OTHER);
    assert_eq!(private.location(), workshop.path("/gestion"));

    // The projector: code, join URL and a QR code drawn by the server.
    let projector = app.get(&workshop.projection("")).await;
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
        workshop.projection("/direct")
    )));
    assert!(
        !projector.body.contains(&workshop.key),
        "the projected page holds the private key"
    );
    assert!(!projector.body.contains("/gestion"));
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
    let below = app.get(&workshop.projection("")).await.body;
    assert!(
        below.contains("<strong data-count>4</strong>"),
        "live count"
    );
    assert!(below.contains("Il manque encore 1\u{a0}réponse"));
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
    let refused = app.post_form(&workshop.projection("/reveler"), "").await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    // The refusal leads back to the projected view, never to the private
    // link (the page is on the projector).
    assert!(
        refused
            .body
            .contains(&format!("href=\"{}\"", workshop.projection(""))),
        "{}",
        refused.body
    );
    assert!(!refused.body.contains(&workshop.key), "{}", refused.body);
    assert!(
        refused.body.contains("Il manque encore 1\u{a0}réponse"),
        "{}",
        refused.body
    );
    for export in ["/resultats.csv", "/resultats.json"] {
        let reply = app.get(&workshop.path(export)).await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "{export}");
        assert!(
            reply.body.contains("Il manque encore 1\u{a0}réponse"),
            "{export}"
        );
    }
    let still = app.get(&workshop.projection("")).await.body;
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
    let enough = app.get(&workshop.projection("")).await.body;
    assert!(enough.contains("Assez de réponses"));
    assert!(
        !enough.contains("chezsoi-group"),
        "not before the facilitator reveals"
    );
    let revealed = app.post_form(&workshop.projection("/reveler"), "").await;
    assert_eq!(revealed.status, StatusCode::SEE_OTHER);
    assert_eq!(revealed.location(), workshop.projection("#resultats"));
    let page = app.get(&workshop.projection("")).await.body;
    assert!(
        !page.contains(&workshop.key),
        "printing the group's results puts no private key in the footer"
    );
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
    let json = download(&app, &workshop.path("/resultats.json")).await;
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
    let csv = download(&app, &workshop.path("/resultats.csv")).await;
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
    let workshop = app.workshop("Atelier à fermer").await;
    let elsewhere = answer_as(&app, "/quiz/diagnostic", 0).await;
    assert_eq!(
        elsewhere.status,
        StatusCode::SEE_OTHER,
        "a result outside any workshop"
    );
    let mut result_pages = Vec::new();
    for n in 0..3 {
        let reply = answer_as(&app, &format!("/a/{}", workshop.code), n).await;
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
        answer_as(&app, &format!("/a/{}", workshop.code), 4).await,
    ] {
        assert_eq!(reply.status, StatusCode::GONE);
        assert!(
            reply.body.contains("Cet atelier est fermé"),
            "{}",
            reply.body
        );
    }
    assert_eq!(app.results_in(workshop.id), 3, "nothing stored once closed");
    let projector = app.get(&workshop.projection("")).await.body;
    assert!(projector.contains("Atelier fermé"));
    // Results stay available after closing.
    assert_eq!(
        app.post_form(&workshop.projection("/reveler"), "")
            .await
            .status,
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
    assert!(deleted.body.contains("3\u{a0}résultats"));
    assert_eq!(app.results_in(workshop.id), 0);
    assert_eq!(app.results(), 1, "the result outside the workshop stays");
    assert_eq!(app.store.count_workshops().unwrap(), 0);
    for page in &result_pages {
        assert_eq!(app.get(page).await.status, StatusCode::NOT_FOUND);
    }
    for gone in [workshop.path(""), workshop.projection("")] {
        assert_eq!(app.get(&gone).await.status, StatusCode::NOT_FOUND, "{gone}");
    }
    assert_eq!(
        app.get(&format!("/a/{}", workshop.code)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_purge_removes_expired_workshops_with_their_results() {
    let app = app();
    let old = app.workshop("Atelier ancien").await;
    let recent = app.workshop("Atelier récent").await;
    for workshop in [&old, &recent] {
        for n in 0..2 {
            let reply = answer_as(&app, &format!("/a/{}", workshop.code), n).await;
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
    assert_eq!(
        app.get(&old.path("/gestion")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&old.projection("")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&recent.path("/gestion")).await.status,
        StatusCode::OK
    );
    assert_eq!(app.get(&recent.projection("")).await.status, StatusCode::OK);
    let again = chezsoi::workshop::purge_expired(&app.store, 30, now).unwrap();
    assert_eq!((again.workshops, again.results), (0, 0));
}

#[tokio::test]
async fn a_wrong_key_gets_the_same_404_as_an_unknown_workshop() {
    let app = app();
    let workshop = app.workshop("Atelier secret").await;
    let wrong_key = FacilitatorKey::generate();
    for (prefix, key, other_key, routes) in [
        (
            "atelier",
            &workshop.key,
            &workshop.projector,
            vec![
                ("GET", ""),
                ("GET", "/gestion"),
                ("GET", "/resultats.csv"),
                ("GET", "/resultats.json"),
                ("POST", "/fermer"),
                ("POST", "/supprimer"),
            ],
        ),
        (
            "projection",
            &workshop.projector,
            &workshop.key,
            vec![("GET", ""), ("GET", "/direct"), ("POST", "/reveler")],
        ),
    ] {
        let wrong = format!("/{prefix}/{}/{}", workshop.id, wrong_key.as_str());
        let unknown = format!("/{prefix}/{}/{}", workshop.id + 1000, wrong_key.as_str());
        let malformed = [
            format!("/{prefix}/{}/{}", workshop.id, key.to_uppercase()),
            format!("/{prefix}/{}/0123", workshop.id),
            format!("/{prefix}/x/{key}"),
            format!("/{prefix}/-1/{key}"),
            format!("/{prefix}/0{}/{key}", workshop.id),
            // The other capability's key does not open this one.
            format!("/{prefix}/{}/{other_key}", workshop.id),
        ];
        for (method, suffix) in routes {
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
    }
    // Nothing was closed, revealed or deleted by those attempts.
    let stored = app.stored(&workshop);
    assert!(stored.is_open() && !stored.revealed);
    // Any other address below /atelier or /projection gets the same page.
    for uri in [
        workshop.path("/autre"),
        workshop.path("/a/b/c"),
        workshop.path("/direct"),
        workshop.path("/reveler"),
        format!("/atelier/{}", workshop.id),
        workshop.projection("/autre"),
        workshop.projection("/a/b/c"),
        format!("/projection/{}", workshop.id),
        "/projection".to_string(),
    ] {
        let reply = app.get_expecting(&uri, StatusCode::NOT_FOUND).await;
        assert!(reply.body.contains("Cet atelier n’existe pas"), "{uri}");
    }
}

#[tokio::test]
async fn the_live_count_streams_each_new_answer() {
    let app = app();
    let workshop = app.workshop("Atelier en direct").await;
    let other = app.workshop("Un autre atelier").await;
    let response = app
        .router
        .clone()
        .oneshot(
            Request::get(workshop.projection("/direct"))
                .header(header::ACCEPT_ENCODING, "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert_eq!(
        headers.get(header::CONTENT_TYPE).unwrap(),
        "text/event-stream"
    );
    // What proxies need to pass events on as they come: no buffering
    // (nginx), no caching, no compression.
    assert_eq!(headers.get("x-accel-buffering").unwrap(), "no");
    let cache = headers
        .get(header::CACHE_CONTROL)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cache.contains("no-cache"), "{cache}");
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
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
    // The first event also tells browsers how soon to reconnect.
    assert_eq!(next_count().await, "event: count\ndata: 0\nretry: 2000\n\n");

    // An answer to another workshop is not announced here.
    let reply = answer_as(&app, &format!("/a/{}", other.code), 0).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    for expected in 1..=2 {
        let reply = answer_as(&app, &format!("/a/{}", workshop.code), expected).await;
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
    let workshop = app.workshop("Atelier").await;
    let other = app.workshop("Autre atelier").await;
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
            "no version",
            join.clone(),
            encode(&good[1..]),
            StatusCode::BAD_REQUEST,
            "Envoi incomplet",
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
async fn floods_of_wrong_codes_answers_and_creations_are_throttled() {
    use chezsoi::web::{CREATION_PER_MINUTE, REFUSALS_PER_MINUTE};
    let app = app();
    for _ in 0..CREATION_PER_MINUTE {
        let reply = app.post_form("/atelier/nouveau", "titre=&minimum=5").await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let reply = app.post_workshop_form("Atelier", "diagnostic", "5").await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.body.contains("Trop de requêtes"), "{}", reply.body);
    assert_eq!(app.store.count_workshops().unwrap(), 0);
    // A minute later, the client may create again.
    app.state
        .flood_clock()
        .advance(std::time::Duration::from_secs(60));
    let workshop = app.workshop("Atelier").await;

    // Wrong codes, however they come, count as refusals of this client.
    for n in 0..REFUSALS_PER_MINUTE {
        let reply = match n % 4 {
            0 => app.get("/a/ACDEFG").await,
            1 => app.post_form("/a/ACDEFG", "version=x").await,
            2 => app.get("/a?code=zz").await,
            _ => app.post_form(&workshop.join(), "version=x&version=y").await,
        };
        assert!(
            matches!(
                reply.status,
                StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST
            ),
            "{n}: {}",
            reply.status
        );
    }
    for reply in [
        app.get("/a/ACDEFG").await,
        app.post_form("/a/ACDEFG", "version=x").await,
        app.get("/a?code=zz").await,
        app.post_form(&workshop.join(), "atelier=A&atelier=B").await,
    ] {
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(reply.body.contains("demandes refusées"), "{}", reply.body);
        assert!(reply.body.contains("Un code d’atelier correct"));
    }
    assert_eq!(app.results(), 0);
    // The right code still works from the same address, all the way.
    let typed = app.get(&format!("/a?code={}", workshop.code)).await;
    assert_eq!(typed.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&typed.location()).await.status, StatusCode::OK);
    let reply = answer_as(&app, &workshop.join(), 0).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(app.results_in(workshop.id), 1);
    // The rest of the site is not throttled.
    assert_eq!(app.get("/quiz/diagnostic").await.status, StatusCode::OK);
}

#[tokio::test]
async fn each_workshop_has_its_own_allowance_of_answers() {
    let app = App::new();
    app.state.set_workshop_limit(3);
    let busy = app.workshop("Atelier plein").await;
    let calm = app.workshop("Atelier calme").await;
    // Three people, three addresses: the workshop's allowance, not theirs.
    for n in 0..3 {
        let reply = answer_as(&app, &busy.join(), n).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
    }
    let refused = answer_as(&app, &busy.join(), 3).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        refused.body.contains("Cet atelier reçoit plus de réponses"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Rien n’a été enregistré"));
    assert_eq!(app.results_in(busy.id), 3);
    // Joining is not counted; another workshop has its own allowance.
    assert_eq!(app.get(&busy.join()).await.status, StatusCode::OK);
    let reply = answer_as(&app, &calm.join(), 0).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    // One answer comes back every 60 / 3 = 20 s.
    app.state
        .flood_clock()
        .advance(std::time::Duration::from_secs(20));
    let reply = answer_as(&app, &busy.join(), 4).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(app.results_in(busy.id), 4);
}

/// What one participant does: types the code on the home page's form, opens
/// the workshop's quiz, answers; returns the result page's address.
async fn join_and_answer(app: &App, ip: std::net::IpAddr, code: &str, form: &str) -> String {
    let get = |uri: String| Request::get(uri).body(Body::empty()).unwrap();
    let typed = app
        .send_from(ip, get(format!("/a?code={}", code.to_lowercase())))
        .await;
    assert_eq!(typed.status, StatusCode::SEE_OTHER, "{}", typed.body);
    let page = app.send_from(ip, get(typed.location())).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let nonce = between(&page.body, "name=\"envoi\" value=\"", "\"").to_string();
    let body = format!("{form}&envoi={nonce}");
    let reply = app
        .send_from(ip, router::form_request(&typed.location(), body))
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    reply.location()
}

#[tokio::test]
async fn a_room_behind_one_address_gets_through_while_one_phone_floods_wrong_codes() {
    use chezsoi::web::REFUSALS_PER_MINUTE;
    const ROOM: usize = 40;
    let app = App::new();
    let quiz = app.quiz("diagnostic");
    // The room's allowance is exactly the room: joining through the home
    // page's form costs each participant one counted request, not three.
    app.state.set_workshop_limit(ROOM as u32);
    let workshop = app.create_workshop("Salle comble", "diagnostic", 5).await;
    let venue: std::net::IpAddr = "203.0.113.50".parse().unwrap();
    // A phone on the same wifi sends wrong codes, many per participant.
    let flood = async {
        let mut statuses = Vec::new();
        for n in 0..ROOM * 5 {
            let uri = if n % 2 == 0 {
                "/a/ACDEFG".to_string()
            } else {
                format!("/a?code={}", "Z".repeat(n % 7 + 1))
            };
            let reply = app
                .send_from(venue, Request::get(uri).body(Body::empty()).unwrap())
                .await;
            statuses.push(reply.status);
            tokio::task::yield_now().await;
        }
        statuses
    };
    let room = async {
        let mut pages = Vec::new();
        for n in 0..ROOM {
            // Five kinds of answers, repeated: people alike, results apart.
            let form = encode(&answers(&quiz, n % 5));
            pages.push(join_and_answer(&app, venue, &workshop.code, &form).await);
            tokio::task::yield_now().await;
        }
        pages
    };
    let (statuses, pages) = tokio::join!(flood, room);

    // Every participant got through, with a result page of their own.
    assert_eq!(app.results_in(workshop.id), ROOM as i64);
    let distinct: std::collections::BTreeSet<&String> = pages.iter().collect();
    assert_eq!(distinct.len(), ROOM);
    for page in &pages {
        assert_eq!(app.get(page).await.status, StatusCode::OK, "{page}");
    }
    // The flood was refused past the client's allowance of refusals.
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(refused, statuses.len() - REFUSALS_PER_MINUTE as usize);
    assert!(
        statuses[..REFUSALS_PER_MINUTE as usize]
            .iter()
            .all(|s| *s == StatusCode::NOT_FOUND)
    );
    // And the room's allowance is used up: a 41st answer waits.
    let late = app
        .send_from(
            "198.51.100.9".parse().unwrap(),
            router::form_request(&workshop.join(), encode(&answers(&quiz, 1))),
        )
        .await;
    assert_eq!(late.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_same_form_posted_three_times_stores_one_result() {
    let app = App::new();
    let quiz = app.quiz("diagnostic");
    let workshop = app.workshop("Doubles clics").await;
    let form_page = app.get(&workshop.join()).await.body;
    let nonce = between(&form_page, "name=\"envoi\" value=\"", "\"").to_string();
    assert_eq!(nonce.len(), 32, "a 128-bit nonce drawn with the page");
    let again = app.get(&workshop.join()).await.body;
    assert_ne!(
        between(&again, "name=\"envoi\" value=\"", "\""),
        nonce,
        "each page its own nonce"
    );
    let mut fields = answers(&quiz, 0);
    fields.push(("envoi".into(), nonce.clone()));
    let body = encode(&fields);

    // A double tap: two posts at once, then back and resubmit.
    let join = workshop.join();
    let (first, second) = tokio::join!(
        app.post_form(&join, body.clone()),
        app.post_form(&join, body.clone())
    );
    let third = app.post_form(&workshop.join(), body.clone()).await;
    for reply in [&first, &second, &third] {
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    }
    assert_eq!(first.location(), second.location());
    assert_eq!(first.location(), third.location(), "the same result page");
    assert_eq!(app.results_in(workshop.id), 1, "one row");
    assert_eq!(app.get(&first.location()).await.status, StatusCode::OK);

    // Someone else with the same answers, from their own page: two results.
    let other_page = app.get(&workshop.join()).await.body;
    let mut same_answers = answers(&quiz, 0);
    same_answers.push((
        "envoi".into(),
        between(&other_page, "name=\"envoi\" value=\"", "\"").to_string(),
    ));
    let other = app.post_form(&workshop.join(), encode(&same_answers)).await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
    assert_ne!(other.location(), first.location());
    assert_eq!(app.results_in(workshop.id), 2);

    // A refused form keeps its nonce: corrected and sent twice, one result.
    let mut incomplete = answers(&quiz, 1)[..3].to_vec();
    let nonce = between(
        &app.get(&workshop.join()).await.body,
        "name=\"envoi\" value=\"",
        "\"",
    )
    .to_string();
    incomplete.push(("envoi".into(), nonce.clone()));
    let refused = app.post_form(&workshop.join(), encode(&incomplete)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains(&format!("name=\"envoi\" value=\"{nonce}\"")),
        "the refused form comes back with its nonce"
    );
    let mut corrected = answers(&quiz, 1);
    corrected.push(("envoi".into(), nonce));
    let a = app.post_form(&workshop.join(), encode(&corrected)).await;
    let b = app.post_form(&workshop.join(), encode(&corrected)).await;
    assert_eq!(a.location(), b.location());
    assert_eq!(app.results_in(workshop.id), 3);

    // The quiz outside workshops: its page is cached, its nonce is not.
    let quiz_page = app.get("/quiz/diagnostic").await.body;
    let quiz_nonce = between(&quiz_page, "name=\"envoi\" value=\"", "\"").to_string();
    assert_eq!(quiz_nonce.len(), 32);
    assert_ne!(
        between(
            &app.get("/quiz/diagnostic").await.body,
            "name=\"envoi\" value=\"",
            "\""
        ),
        quiz_nonce
    );
    let mut quiz_form = answers(&quiz, 2);
    quiz_form.push(("envoi".into(), quiz_nonce));
    let before = app.results();
    let (a, b) = tokio::join!(
        app.post_form("/quiz/diagnostic", encode(&quiz_form)),
        app.post_form("/quiz/diagnostic", encode(&quiz_form))
    );
    assert_eq!(a.location(), b.location());
    assert_eq!(app.results(), before + 1);
    // The same nonce in the workshop's form is another result.
    let moved = app.post_form(&workshop.join(), encode(&quiz_form)).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    assert_ne!(moved.location(), a.location());

    // A nonce that is not one is refused, and nothing is stored.
    let before = app.results();
    for bad in ["", "zz", "0123456789ABCDEF0123456789ABCDEF"] {
        let mut forged = answers(&quiz, 3);
        forged.push(("envoi".into(), bad.into()));
        let reply = app.post_form(&workshop.join(), encode(&forged)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad:?}");
    }
    assert_eq!(app.results(), before);
}

#[tokio::test]
async fn the_projected_view_cannot_close_delete_or_export() {
    let app = App::new();
    let workshop = app.workshop("Sur l’écran").await;
    for n in 0..3 {
        let reply = answer_as(&app, &workshop.join(), n).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
    }
    // Everything the private link does, tried with the projector key.
    for (method, suffix) in [
        ("POST", "/fermer"),
        ("POST", "/supprimer"),
        ("GET", "/resultats.csv"),
        ("GET", "/resultats.json"),
        ("GET", "/gestion"),
    ] {
        for uri in [
            workshop.projection(suffix),
            format!("/atelier/{}/{}{suffix}", workshop.id, workshop.projector),
        ] {
            let reply = app
                .send(
                    Request::builder()
                        .method(method)
                        .uri(&uri)
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .body(Body::from("confirmation=oui"))
                        .unwrap(),
                )
                .await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {uri}");
        }
    }
    let hash = FacilitatorKey::parse(&workshop.key).unwrap().hash();
    let stored = app.store.find_workshop(workshop.id, &hash).unwrap();
    assert!(
        stored.is_some_and(|w| w.is_open()),
        "still there, still open"
    );
    assert_eq!(app.results_in(workshop.id), 3);
    // What it may do: show, count live, reveal.
    assert_eq!(
        app.post_form(&workshop.projection("/reveler"), "")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let page = app.get(&workshop.projection("")).await.body;
    assert!(page.contains("Résultats du groupe"));
    for private in [
        &workshop.key,
        "/gestion",
        "resultats.csv",
        "/fermer",
        "/supprimer",
    ] {
        assert!(
            !page.contains(private),
            "the projected page holds {private}"
        );
    }
    // And the private link still works.
    assert_eq!(
        app.get(&workshop.path("/resultats.csv")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn cross_origin_management_actions_are_refused() {
    let app = App::new();
    let workshop = app.workshop("Cible").await;
    for n in 0..3 {
        answer_as(&app, &workshop.join(), n).await;
    }
    let result = answer_as(&app, "/quiz/diagnostic", 0).await.location();
    let post = |uri: String, headers: &[(&str, &str)]| {
        let mut request = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "salle.test:3000");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(Body::from("confirmation=oui")).unwrap()
    };
    let forged: [&[(&str, &str)]; 4] = [
        &[("origin", "http://evil.test")],
        &[("origin", "null")],
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://evil.test"),
        ],
        &[
            ("sec-fetch-site", "same-site"),
            ("origin", "http://x.salle.test:3000"),
        ],
    ];
    for headers in forged {
        for uri in [
            workshop.path("/fermer"),
            workshop.path("/supprimer"),
            workshop.projection("/reveler"),
            format!("{result}/supprimer"),
        ] {
            let reply = app.send(post(uri.clone(), headers)).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{uri} {headers:?}");
            assert!(reply.is_html(), "{uri}");
            assert!(reply.body.contains("Action refusée"), "{}", reply.body);
            assert!(reply.body.contains("lang=\"fr\""));
        }
    }
    // Nothing changed.
    let stored = app.stored(&workshop);
    assert!(stored.is_open() && !stored.revealed);
    assert_eq!(app.results_in(workshop.id), 3);
    assert_eq!(app.get(&result).await.status, StatusCode::OK);

    // From the site's own pages (or no page at all), they work.
    let own: &[(&str, &str)] = &[("sec-fetch-site", "same-origin")];
    let reveal = app.send(post(workshop.projection("/reveler"), own)).await;
    assert_eq!(reveal.status, StatusCode::SEE_OTHER);
    let same_host: &[(&str, &str)] = &[("origin", "http://salle.test:3000")];
    let close = app.send(post(workshop.path("/fermer"), same_host)).await;
    assert_eq!(close.status, StatusCode::SEE_OTHER);
    let delete = app.send(post(format!("{result}/supprimer"), &[])).await;
    assert_eq!(delete.status, StatusCode::OK);
    let delete = app.send(post(workshop.path("/supprimer"), own)).await;
    assert_eq!(delete.status, StatusCode::OK, "{}", delete.body);
    assert_eq!(app.store.count_workshops().unwrap(), 0);
}

#[tokio::test]
async fn script_tags_in_a_title_are_escaped_on_every_page() {
    let app = app();
    let quiz = app.quiz("diagnostic");
    let title = "<script>alert('x')</script> & \"Cie\", =1+1";
    let workshop = app.workshop(title).await;
    let escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;Cie&quot;";
    let mut pages = vec![
        ("management", app.get(&workshop.path("/gestion")).await.body),
        ("projector", app.get(&workshop.projection("")).await.body),
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
        let reply = answer_as(&app, &format!("/a/{}", workshop.code), n).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
    }
    app.post_form(&workshop.projection("/reveler"), "").await;
    pages.push((
        "revealed projector",
        app.get(&workshop.projection("")).await.body,
    ));
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
        .post_workshop_form("Quiz de fin", "verif-portee", "3")
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let base = reply.location().trim_end_matches("/gestion").to_string();
    let key = FacilitatorKey::parse(base.rsplit('/').next().unwrap()).unwrap();
    let id = base.split('/').nth(2).unwrap();
    let projection = format!(
        "/projection/{id}/{}",
        chezsoi::workshop::projector_key(&key).as_str()
    );
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
        app.post_form(&format!("{projection}/reveler"), "")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let page = app.get(&projection).await;
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
