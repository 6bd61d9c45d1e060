//! Coming back (issue #17), through the whole router in memory: ticking the
//! plan's actions off and on (as a plain form and as the page's script
//! sends it), the calendar reminder read back by another crate's parser,
//! re-taking the diagnostic linked to the previous result or not, deleting
//! either result of a link, and follow-up workshops whose evolution stays
//! hidden until both groups reach their minimum, and still shows months
//! later, from the means a workshop keeps once its answers expire.

#[path = "support/router.rs"]
mod router;
mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chezsoi::scoring::{Outcome, SelfAssessmentOutcome};
use chezsoi::secret::Secret;
use chezsoi::store::StoredResult;
use router::{App, Facilitated, SITE, encode, form_request};
use serde_json::Value;

// ---------------------------------------------------------------- helpers

fn token(result: &str) -> &str {
    result.trim_start_matches("/r/")
}

fn stored(app: &App, result: &str) -> Option<StoredResult> {
    let hash = Secret::parse(token(result)).expect("a token").hash();
    app.store.find_result(&hash).unwrap()
}

fn outcome(app: &App, result: &str) -> SelfAssessmentOutcome {
    let row = stored(app, result).expect("stored");
    match serde_json::from_str(&row.outcome_json).unwrap() {
        Outcome::SelfAssessment(outcome) => outcome,
        Outcome::Knowledge(_) => panic!("a self-assessment"),
    }
}

/// A POST from a page of this site (what a browser says), with `accept`.
fn same_site_post(uri: &str, body: &str, accept: Option<&str>) -> Request<Body> {
    let mut builder = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin");
    if let Some(accept) = accept {
        builder = builder.header(header::ACCEPT, accept);
    }
    builder.body(Body::from(body.to_string())).unwrap()
}

/// [`same_site_post`] to `uri`, sent.
async fn post_here(app: &App, uri: &str, body: &str) -> router::Reply {
    app.send(same_site_post(uri, body, None)).await
}

async fn tick(app: &App, result: &str, action: &str, done: bool) -> router::Reply {
    let body = encode(&[
        ("action".to_string(), action.to_string()),
        (
            "fait".to_string(),
            if done { "oui" } else { "non" }.to_string(),
        ),
    ]);
    post_here(app, &format!("{result}/suivi"), &body).await
}

/// The class of step `action` on the result page, and whether its "how"
/// is unfolded.
fn step_state(page: &str, action: &str) -> (bool, bool) {
    let start = page
        .find(&format!("id=\"etape-{action}\""))
        .unwrap_or_else(|| panic!("no step {action}"));
    let opening = &page[..start];
    let class_at = opening.rfind("class=\"").unwrap();
    let done = opening[class_at..].starts_with("class=\"chezsoi-step is-done\"");
    let rest = &page[start..];
    let how = &rest[rest.find("<details class=\"chezsoi-how\"").unwrap()..];
    let open = how[..how.find('>').unwrap()].contains(" open");
    (done, open)
}

/// The re-take form's nonce, as the page gives it.
fn nonce(page: &str) -> String {
    page.split_once("name=\"envoi\" value=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(nonce, _)| nonce.to_string())
        .expect("a nonce in the form")
}

/// Re-takes from `result` with the `pick`-th answers, linked or not.
async fn retake(app: &App, result: &str, pick: usize, link: bool) -> String {
    let page = app.get(&format!("{result}/refaire")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let quiz = app.quiz("diagnostic");
    let mut fields = support::valid_answers(&quiz, pick);
    fields.push(("envoi".to_string(), nonce(&page.body)));
    if link {
        fields.push(("relier".to_string(), "oui".to_string()));
    }
    let reply = app
        .post_form(&format!("{result}/refaire"), encode(&fields))
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    reply.location()
}

async fn delete(app: &App, result: &str) {
    let reply = app
        .post_form(&format!("{result}/supprimer"), "confirmation=oui")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

async fn download(app: &App, result: &str) -> Value {
    let reply = app.get(&format!("{result}/reponses.json")).await;
    assert_eq!(reply.status, StatusCode::OK);
    serde_json::from_str(&reply.body).unwrap()
}

// ---------------------------------------------------------------- ticking

#[tokio::test]
async fn actions_are_ticked_off_and_on_with_a_plain_form() {
    let app = App::new();
    let result = app.take_quiz("diagnostic", 0).await;
    let plan = outcome(&app, &result).plan;
    assert!(plan.len() >= 3, "{plan:?}");
    let total = plan.len();
    let page = app.get(&result).await.body;
    assert!(
        page.contains(&format!("Vous avez fait 0\u{a0}action sur {total}.")),
        "no progress line"
    );
    assert_eq!(step_state(&page, &plan[0]), (false, true));

    // Done: back to the step (POST/redirect/GET), stored, the "how" folded.
    let reply = tick(&app, &result, &plan[0], true).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location(), format!("{result}#etape-{}", plan[0]));
    assert_eq!(reply.header(header::CACHE_CONTROL), Some("no-store"));
    assert_eq!(
        stored(&app, &result).unwrap().done_actions,
        [plan[0].clone()]
    );
    tick(&app, &result, &plan[1], true).await;
    let page = app.get(&result).await.body;
    assert!(
        page.contains(&format!("Vous avez fait 2\u{a0}actions sur {total}.")),
        "progress after two ticks"
    );
    assert_eq!(step_state(&page, &plan[0]), (true, false));
    assert_eq!(step_state(&page, &plan[1]), (true, false));
    assert_eq!(step_state(&page, &plan[2]), (false, true));
    assert!(page.contains("Remettre à faire"));

    // Ticked twice is still one; unticked, it is gone.
    tick(&app, &result, &plan[0], true).await;
    tick(&app, &result, &plan[1], false).await;
    let mut expected = vec![plan[0].clone()];
    expected.sort();
    assert_eq!(stored(&app, &result).unwrap().done_actions, expected);
    let page = app.get(&result).await.body;
    assert!(page.contains(&format!("Vous avez fait 1\u{a0}action sur {total}.")));
    assert_eq!(step_state(&page, &plan[1]), (false, true));

    // Every action done.
    for action in &plan {
        tick(&app, &result, action, true).await;
    }
    let page = app.get(&result).await.body;
    assert!(page.contains(&format!(
        "Vous avez fait {total}\u{a0}actions sur {total}. Tout votre plan est fait"
    )));
}

#[tokio::test]
async fn the_script_gets_the_new_state_as_json() {
    let app = App::new();
    let result = app.take_quiz("diagnostic", 1).await;
    let plan = outcome(&app, &result).plan;
    // Ticks the first action (`oui`) or unticks it (`non`), as the script does.
    let script_tick = async |done: &str| {
        let body = format!("action={}&fait={done}", plan[0]);
        let uri = format!("{result}/suivi");
        app.send(same_site_post(&uri, &body, Some("application/json")))
            .await
    };
    let reply = script_tick("oui").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(
        reply
            .header(header::CONTENT_TYPE)
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(reply.header(header::CACHE_CONTROL), Some("no-store"));
    let json: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(json["action"], plan[0].as_str());
    assert_eq!(json["done"], true);
    assert_eq!(json["done_count"], 1);
    assert_eq!(json["total"], plan.len());
    assert_eq!(
        json["progress"],
        format!("Vous avez fait 1\u{a0}action sur {}.", plan.len())
    );
    let reply = script_tick("non").await;
    let json: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(
        (json["done"].clone(), json["done_count"].clone()),
        (Value::Bool(false), 0.into())
    );
    assert!(stored(&app, &result).unwrap().done_actions.is_empty());
}

#[tokio::test]
async fn ticking_is_refused_from_another_site_and_for_what_is_not_in_the_plan() {
    let app = App::new();
    let result = app.take_quiz("diagnostic", 0).await;
    let plan = outcome(&app, &result).plan;
    let not_in_plan = app
        .quiz("diagnostic")
        .recommendations
        .iter()
        .map(|r| r.id.clone())
        .find(|id| !plan.contains(id))
        .expect("an action outside the plan");
    let body = format!("action={}&fait=oui", plan[0]);
    let mut request = form_request(&format!("{result}/suivi"), body.clone());
    request
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.is_html() && reply.body.contains("autre site"));
    for (body, status) in [
        (
            format!("action={not_in_plan}&fait=oui"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("action={}&fait=peut-etre", plan[0]),
            StatusCode::BAD_REQUEST,
        ),
        (format!("action={}", plan[0]), StatusCode::BAD_REQUEST),
        (
            format!("action={0}&action={0}&fait=oui", plan[0]),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let reply = post_here(&app, &format!("{result}/suivi"), &body).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert!(reply.is_html(), "{body}: a French page");
    }
    assert!(
        stored(&app, &result).unwrap().done_actions.is_empty(),
        "a refusal changed something"
    );
    let unknown = "/r/00000000000000000000000000000000/suivi";
    let reply = post_here(&app, unknown, &body).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

// --------------------------------------------------------------- reminder

/// The single event of a calendar file, read by the `ical` crate.
fn parse_event(ics: &str) -> ical::parser::ical::component::IcalEvent {
    let mut calendars = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()));
    let calendar = calendars
        .next()
        .expect("one calendar")
        .expect("a valid calendar");
    assert!(calendars.next().is_none(), "one calendar only");
    assert_eq!(calendar.events.len(), 1, "one event");
    calendar.events.into_iter().next().unwrap()
}

fn property<'a>(
    event: &'a ical::parser::ical::component::IcalEvent,
    name: &str,
) -> &'a ical::property::Property {
    event
        .properties
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn compact(date: time::Date) -> String {
    format!(
        "{:04}{:02}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[tokio::test]
async fn the_reminder_is_a_calendar_file_on_the_chosen_date_with_the_permalink() {
    let app = App::new();
    let result = app.take_quiz("diagnostic", 0).await;
    let before = stored(&app, &result).unwrap();
    let chosen = time::OffsetDateTime::now_utc().date() + time::Duration::days(45);
    let iso = format!(
        "{:04}-{:02}-{:02}",
        chosen.year(),
        u8::from(chosen.month()),
        chosen.day()
    );
    let reply = app.get(&format!("{result}/rappel.ics?date={iso}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.header(header::CONTENT_TYPE),
        Some("text/calendar; charset=utf-8")
    );
    assert_eq!(reply.header(header::CACHE_CONTROL), Some("no-store"));
    assert!(
        reply
            .header(header::CONTENT_DISPOSITION)
            .unwrap()
            .contains(".ics")
    );
    let event = parse_event(&reply.body);
    let start = property(&event, "DTSTART");
    assert_eq!(start.value.as_deref(), Some(compact(chosen).as_str()));
    let end = property(&event, "DTEND");
    assert_eq!(
        end.value.as_deref(),
        Some(compact(chosen.next_day().unwrap()).as_str()),
        "an all-day event ends the next day"
    );
    let permalink = format!("{SITE}{result}");
    assert_eq!(
        property(&event, "URL").value.as_deref(),
        Some(permalink.as_str())
    );
    let description = property(&event, "DESCRIPTION").value.clone().unwrap();
    assert!(description.contains(&permalink), "{description}");
    assert!(description.contains(&format!("{permalink}/refaire")));
    assert!(!event.alarms.is_empty(), "a notification on the day");
    // Nothing was stored: the result is as it was, and nothing else exists.
    assert_eq!(stored(&app, &result).unwrap(), before);
    assert_eq!(app.results(), 1);
}

#[tokio::test]
async fn the_reminder_defaults_to_three_months_and_refuses_other_dates() {
    let app = App::new();
    let result = app.take_quiz("diagnostic", 2).await;
    let today = time::OffsetDateTime::now_utc().date();
    let reply = app.get(&format!("{result}/rappel.ics")).await;
    let after = time::OffsetDateTime::now_utc().date();
    assert_eq!(reply.status, StatusCode::OK);
    let start = property(&parse_event(&reply.body), "DTSTART")
        .value
        .clone()
        .unwrap();
    // Three calendar months later (the day read around the request).
    let expected: Vec<String> = [today, after]
        .iter()
        .map(|d| compact(chezsoi::views::calendar::three_months_after(*d)))
        .collect();
    assert!(expected.contains(&start), "{start} not in {expected:?}");
    // The page's form offers the same default.
    let page = app.get(&result).await.body;
    assert!(page.contains("Me le rappeler"));
    assert!(page.contains(&format!("action=\"/r/{}/rappel.ics\"", token(&result))));

    for bad in [
        "2020-01-01",
        "demain",
        "2027-02-30",
        "9999-12-31",
        &format!("{:04}-01-01", today.year() + 10),
    ] {
        let reply = app.get(&format!("{result}/rappel.ics?date={bad}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(reply.body.contains("Date de rappel refusée"), "{bad}");
        // The refusal leads back to the result, not only to the guide.
        assert!(
            reply.body.contains(&format!("href=\"{result}#suivre\"")),
            "{bad}: {}",
            reply.body
        );
    }
    // A date as a French reader types it where there is no date picker.
    let in_a_month = today.replace_day(1).unwrap() + time::Duration::days(40);
    let french = format!(
        "{:02}/{:02}/{}",
        in_a_month.day(),
        u8::from(in_a_month.month()),
        in_a_month.year()
    );
    let reply = app
        .get(&format!(
            "{result}/rappel.ics?date={}",
            french.replace('/', "%2F")
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{french}: {}", reply.body);
    assert_eq!(
        property(&parse_event(&reply.body), "DTSTART")
            .value
            .as_deref(),
        Some(compact(in_a_month).as_str())
    );
    // A comprehension check gives no plan: no reminder either.
    let knowledge = app.take_quiz("verif-portee", 0).await;
    let reply = app.get(&format!("{knowledge}/rappel.ics")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let gone = app
        .get("/r/00000000000000000000000000000000/rappel.ics")
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------- re-taking

/// Ticks the first action of `result`'s plan off; the plan.
async fn first_action_done(app: &App, result: &str) -> Vec<String> {
    let plan = outcome(app, result).plan;
    let reply = tick(app, result, &plan[0], true).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    plan
}

#[tokio::test]
async fn a_retake_is_linked_only_when_the_reader_asks() {
    let app = App::new();
    let first = app.take_quiz("diagnostic", 0).await;
    let first_plan = first_action_done(&app, &first).await;

    // The form: a fresh nonce, and the link box unticked.
    let form = app.get(&format!("{first}/refaire")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.header(header::CACHE_CONTROL), Some("no-store"));
    assert!(form.body.contains(&format!("action=\"{first}/refaire\"")));
    let checkbox = form
        .body
        .split_once("name=\"relier\"")
        .map(|(_, rest)| &rest[..rest.find('>').unwrap()])
        .expect("the link box");
    assert!(!checkbox.contains("checked"), "ticked by default");
    let again = app.get(&format!("{first}/refaire")).await;
    assert_ne!(nonce(&form.body), nonce(&again.body), "one nonce per page");

    // Not asked: nothing links the new result to the first.
    let unlinked = retake(&app, &first, 0, false).await;
    let row = stored(&app, &unlinked).unwrap();
    assert_eq!(row.previous_hash, None);
    let plan = outcome(&app, &unlinked);
    assert_eq!(plan.plan, first_plan, "the same answers, the same plan");
    assert!(plan.already_done.is_empty());
    let page = app.get(&unlinked).await.body;
    assert!(!page.contains("Votre évolution"));
    assert_eq!(download(&app, &unlinked).await["linked"], false);

    // Asked: the new result stores the first one's key, never its token.
    let linked = retake(&app, &first, 0, true).await;
    let row = stored(&app, &linked).unwrap();
    assert_eq!(
        row.previous_hash,
        Some(Secret::parse(token(&first)).unwrap().hash())
    );
    let linked_outcome = outcome(&app, &linked);
    assert!(
        !linked_outcome.plan.contains(&first_plan[0]),
        "the action done is recommended again: {:?}",
        linked_outcome.plan
    );
    assert_eq!(linked_outcome.already_done, [first_plan[0].clone()]);
    let page = app.get(&linked).await.body;
    assert!(page.contains("Votre évolution depuis"), "no evolution");
    assert!(page.contains("chezsoi-chart-changes"), "no chart");
    assert!(page.contains("chezsoi-evolution-table"), "no table");
    assert!(page.contains("Les actions faites depuis"));
    let title = &app
        .quiz("diagnostic")
        .recommendation(&first_plan[0])
        .unwrap()
        .title
        .clone();
    assert!(
        page.contains(&format!("<li>{title}</li>")),
        "completed action"
    );
    assert!(page.contains("Déjà faites, ces actions ne figurent plus dans votre plan"));
    // The same answers: no change in any score, written « 0 ».
    assert!(page.contains("<td>0</td>"));
    assert!(
        !page.contains(token(&first)),
        "the first token on the new page"
    );

    // « Télécharger mes réponses »: the history, without keys.
    let export = download(&app, &linked).await;
    assert_eq!(export["linked"], true);
    let history = export["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["done_actions"][0], first_plan[0].as_str());
    assert!(history[0]["answers"].is_object());
    let text = export.to_string();
    let first_hash: String = Secret::parse(token(&first))
        .unwrap()
        .hash()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(!text.contains(token(&first)) && !text.contains(&first_hash));

    // Nothing leads from the first result to those that follow it.
    let page = app.get(&first).await.body;
    assert!(!page.contains("Votre évolution"));
    assert!(!page.contains(token(&linked)));
    let export = download(&app, &first).await;
    assert_eq!(export["linked"], false);
    assert_eq!(export["history"], Value::Array(Vec::new()));
    assert_eq!(app.results(), 3);
}

#[tokio::test]
async fn a_chain_of_retakes_shows_every_linked_result_and_keeps_what_was_done() {
    let app = App::new();
    let first = app.take_quiz("diagnostic", 0).await;
    let plan = first_action_done(&app, &first).await;
    let second = retake(&app, &first, 1, true).await;
    let second_plan = first_action_done(&app, &second).await;
    let third = retake(&app, &second, 0, true).await;
    let third_outcome = outcome(&app, &third);
    // What was done on either earlier result stays done.
    for done in [&plan[0], &second_plan[0]] {
        assert!(!third_outcome.plan.contains(done), "{done} again");
        assert!(third_outcome.already_done.contains(done));
    }
    let page = app.get(&third).await.body;
    assert!(page.contains("Vos résultats reliés"));
    assert_eq!(page.matches("chezsoi-history-table").count(), 1);
    let export = download(&app, &third).await;
    assert_eq!(export["history"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_retake_link_is_refused_for_a_forged_or_unknown_result() {
    let app = App::new();
    let first = app.take_quiz("diagnostic", 0).await;
    let quiz = app.quiz("diagnostic");
    let fields = support::valid_answers(&quiz, 0);
    // A token that leads nowhere: nothing is stored.
    let reply = app
        .post_form(
            "/r/00000000000000000000000000000000/refaire",
            encode(&fields),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    // The quiz's own form cannot link: the box means nothing there.
    let mut linked = fields.clone();
    linked.push(("relier".to_string(), "oui".to_string()));
    let plain = app.post_form("/quiz/diagnostic", encode(&linked)).await;
    assert_eq!(plain.status, StatusCode::SEE_OTHER);
    assert_eq!(stored(&app, &plain.location()).unwrap().previous_hash, None);
    // A knowledge check is simply taken again.
    let knowledge = app.take_quiz("verif-portee", 0).await;
    let page = app.get(&format!("{knowledge}/refaire")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/quiz/verif-portee");
    assert_eq!(app.results(), 3);
    let _ = first;
}

// ---------------------------------------------------------------- deletion

#[tokio::test]
async fn deleting_the_previous_result_unlinks_the_new_one() {
    let app = App::new();
    let first = app.take_quiz("diagnostic", 0).await;
    let linked = retake(&app, &first, 1, true).await;
    assert!(stored(&app, &linked).unwrap().previous_hash.is_some());
    delete(&app, &first).await;
    assert_eq!(app.get(&first).await.status, StatusCode::NOT_FOUND);
    let row = stored(&app, &linked).expect("the new result stays");
    assert_eq!(row.previous_hash, None, "the link outlived the result");
    let page = app.get(&linked).await.body;
    assert!(!page.contains("Votre évolution"));
    let export = download(&app, &linked).await;
    assert_eq!(export["linked"], false);
    assert_eq!(export["history"], Value::Array(Vec::new()));
}

#[tokio::test]
async fn deleting_the_new_result_leaves_the_previous_one_as_it_was() {
    let app = App::new();
    let first = app.take_quiz("diagnostic", 0).await;
    let before = stored(&app, &first).unwrap();
    let linked = retake(&app, &first, 1, true).await;
    let page = app.get(&linked).await.body;
    assert!(page.contains("Le supprimer efface aussi ce lien"), "{page}");
    delete(&app, &linked).await;
    assert!(stored(&app, &linked).is_none());
    assert_eq!(stored(&app, &first).unwrap(), before);
    assert_eq!(app.get(&first).await.status, StatusCode::OK);
    // No row refers to a deleted result.
    let dangling = app.count("SELECT count(*) FROM results WHERE previous_hash IS NOT NULL");
    assert_eq!(dangling, 0);
}

// ------------------------------------------------------ follow-up workshops

async fn follow_up(app: &App, first: &Facilitated, min_group: u32) -> Facilitated {
    let body = encode(&[
        (
            "titre".to_string(),
            "Atelier de printemps — suivi".to_string(),
        ),
        ("minimum".to_string(), min_group.to_string()),
    ]);
    let reply = post_here(app, &first.path("/suivi"), &body).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let (follow_up, workshop) = app.facilitated(&reply.location());
    assert_eq!(workshop.follows, Some(first.id));
    assert_eq!(workshop.quiz_id, "diagnostic");
    follow_up
}

/// Answers `workshop` with the `pick`-th choices: the result's path.
async fn answer(app: &App, workshop: &Facilitated, pick: usize) -> String {
    let quiz = app.quiz("diagnostic");
    let mut fields = support::valid_answers(&quiz, pick);
    fields.push(("atelier".to_string(), workshop.code.clone()));
    let reply = app.post_form(&workshop.join(), encode(&fields)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    reply.location()
}

/// Answers `workshop` with each of the `picks`.
async fn answer_each(app: &App, workshop: &Facilitated, picks: std::ops::Range<usize>) {
    for pick in picks {
        answer(app, workshop, pick).await;
    }
}

/// Moves `workshop`'s creation `days` days back, as if it had been opened
/// then.
fn age(app: &App, workshop: &Facilitated, days: i64) {
    app.store
        .with_writer(|c| {
            c.execute(
                "UPDATE workshops SET created_hour = created_hour - ?1 * 86400 WHERE id = ?2",
                (days, workshop.id),
            )?;
            Ok(())
        })
        .unwrap();
}

async fn reveal(app: &App, workshop: &Facilitated) -> StatusCode {
    post_here(app, &workshop.projection("/reveler"), "")
        .await
        .status
}

/// After the overall score, the evolution's changes are `before`'s
/// dimensions, in order, each starting from its mean then.
fn assert_dimensions_before(changes: &[Value], before: &Value) {
    let dimensions = before["dimensions"].as_array().unwrap();
    assert_eq!(changes.len(), dimensions.len() + 1);
    for (change, dimension) in changes[1..].iter().zip(dimensions) {
        assert_eq!(change["id"], dimension["id"]);
        assert_eq!(change["before"], dimension["spread"]["mean"]);
    }
}

async fn export(app: &App, workshop: &Facilitated) -> Value {
    let reply = app.get(&workshop.path("/resultats.json")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

#[tokio::test]
async fn a_follow_up_shows_the_groups_evolution_only_once_both_reach_their_minimum() {
    let app = App::new();
    let first = app.workshop("Atelier de printemps").await;
    let manage = app.get(&first.path("/gestion")).await.body;
    assert!(manage.contains("Ouvrir l’atelier de suivi"));
    let manage = app.get(&first.path("/gestion")).await.body;
    assert!(!manage.contains("Déjà ouvert depuis cet atelier"));
    let second = follow_up(&app, &first, 3).await;
    let manage = app.get(&second.path("/gestion")).await.body;
    assert!(manage.contains("Atelier de suivi de «\u{a0}Atelier de printemps\u{a0}»"));
    // The first one's page says a follow-up was opened (its key is shown
    // once only): a facilitator coming back does not open another blindly.
    let manage = app.get(&first.path("/gestion")).await.body;
    assert!(manage.contains("Déjà ouvert depuis cet atelier"));
    assert!(manage.contains("«\u{a0}Atelier de printemps — suivi\u{a0}», ouvert le"));

    // The first below its minimum (2 of 3), the follow-up at it (3 of 3):
    // the follow-up's own results, no evolution anywhere.
    answer_each(&app, &first, 0..2).await;
    answer_each(&app, &second, 1..4).await;
    assert_eq!(reveal(&app, &second).await, StatusCode::SEE_OTHER);
    let view = app.get(&second.projection("")).await.body;
    assert!(view.contains("id=\"resultats\""), "results revealed");
    assert!(view.contains("Évolution depuis l’atelier «\u{a0}Atelier de printemps\u{a0}»"));
    assert!(view.contains("L’évolution s’affichera quand les deux ateliers"));
    assert!(
        !view.contains("chezsoi-chart-changes"),
        "a chart below the minimum"
    );
    assert!(export(&app, &second).await.get("evolution").is_none());

    // The first reaches its minimum: the evolution of the means appears,
    // the same figures as each workshop's own export.
    answer(&app, &first, 2).await;
    let view = app.get(&second.projection("")).await.body;
    assert!(view.contains("chezsoi-chart-changes"), "no evolution chart");
    let before = export(&app, &first).await;
    let after = export(&app, &second).await;
    let evolution = &after["evolution"];
    assert_eq!(evolution["before_answers"], 3);
    assert_eq!(evolution["after_answers"], 3);
    let changes = evolution["changes"].as_array().unwrap();
    assert_eq!(changes[0]["id"], "score");
    assert_eq!(changes[0]["before"], before["overall"]["mean"]);
    assert_eq!(changes[0]["after"], after["overall"]["mean"]);
    assert_dimensions_before(changes, &before);
    // The spreadsheet export says the same, a row for each mean then and now.
    let csv = app.get(&second.path("/resultats.csv")).await.body;
    for change in changes {
        for (section, key) in [("evolution_avant", "before"), ("evolution_apres", "after")] {
            let row: Vec<&str> = csv
                .lines()
                .find(|line| {
                    line.starts_with(&format!("{section},{},", change["id"].as_str().unwrap()))
                })
                .unwrap_or_else(|| panic!("no {section} row for {}: {csv}", change["id"]))
                .split(',')
                .collect();
            assert_eq!(
                row[6],
                change[key].to_string(),
                "{section} {}",
                change["id"]
            );
        }
    }
    assert!(
        !app.get(&first.path("/resultats.csv"))
            .await
            .body
            .contains("evolution_")
    );
    // The first workshop's own results say nothing of its follow-up.
    assert!(before.get("evolution").is_none());
}

#[tokio::test]
async fn a_follow_up_below_its_own_minimum_shows_nothing_of_either_group() {
    let app = App::new();
    let first = app.workshop("Atelier d’hiver").await;
    let second = follow_up(&app, &first, 4).await;
    answer_each(&app, &first, 0..3).await;
    answer_each(&app, &second, 0..3).await;
    // 3 of 4: neither reveal nor export, so no evolution either.
    assert_eq!(reveal(&app, &second).await, StatusCode::CONFLICT);
    let view = app.get(&second.projection("")).await.body;
    assert!(!view.contains("id=\"resultats\""));
    assert!(!view.contains("Évolution depuis"));
    let refused = app.get(&second.path("/resultats.json")).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    answer(&app, &second, 3).await;
    assert!(export(&app, &second).await.get("evolution").is_some());

    // Deleting the first workshop ends the comparison, not the follow-up.
    let deleted = post_here(&app, &first.path("/supprimer"), "confirmation=oui").await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert!(export(&app, &second).await.get("evolution").is_none());
    assert_eq!(app.results_in(second.id), 4);
}

#[tokio::test]
async fn a_follow_up_is_opened_only_from_the_first_ones_own_page() {
    let app = App::new();
    let first = app.workshop("Atelier").await;
    let body = "titre=Suivi&minimum=3";
    let mut request = form_request(&first.path("/suivi"), body);
    request
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(app.send(request).await.status, StatusCode::FORBIDDEN);
    // The projector key cannot open one, nor a wrong key.
    let projected = format!("/atelier/{}/{}/suivi", first.id, first.projector);
    let reply = post_here(&app, &projected, body).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    // Bad fields: said, nothing created.
    let reply = post_here(&app, &first.path("/suivi"), "titre=&minimum=1").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("n’a pas été créé"));
    assert_eq!(app.workshops(), 1);
}

#[tokio::test]
async fn a_follow_up_months_later_compares_with_the_means_kept_at_expiry() {
    let app = App::new();
    let first = app.workshop("Atelier de printemps").await;
    let mut pages = Vec::new();
    for pick in 0..4 {
        pages.push(answer(&app, &first, pick).await);
    }
    let before = export(&app, &first).await;
    // A workshop below its minimum at expiry keeps nothing at all.
    let small = app.workshop("Atelier trop petit").await;
    answer(&app, &small, 0).await;
    answer(&app, &small, 1).await;

    // Forty days later, with the default 30 days of retention.
    age(&app, &first, 40);
    age(&app, &small, 40);
    let now = chezsoi::workshop::now_unix();
    let purged = chezsoi::workshop::purge_expired(&app.store, 30, now).unwrap();
    assert_eq!(
        (
            purged.workshops,
            purged.results,
            purged.archived,
            purged.baselines
        ),
        (2, 6, 1, 0)
    );
    assert_eq!(app.results_in(first.id), 0);
    assert_eq!(app.workshops(), 1, "the small one is gone");
    assert_eq!(
        app.get(&small.path("/gestion")).await.status,
        StatusCode::NOT_FOUND
    );
    for page in &pages {
        assert_eq!(app.get(page).await.status, StatusCode::NOT_FOUND, "{page}");
    }
    // What stays is the group's size and means: nothing per person.
    let kept: (Option<String>, Option<i64>) = app
        .store
        .with_writer(|c| {
            Ok(c.query_row(
                "SELECT baseline, closed_hour FROM workshops WHERE id = ?1",
                [first.id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?)
        })
        .unwrap();
    let baseline: Value = serde_json::from_str(kept.0.as_deref().unwrap()).unwrap();
    assert_eq!(
        baseline.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["answers", "dimensions", "overall"]
    );
    assert_eq!(baseline["answers"], 4);
    assert!(kept.1.is_some(), "an archived workshop takes no answer");
    let manage = app.get(&first.path("/gestion")).await;
    assert_eq!(manage.status, StatusCode::OK);
    assert!(manage.body.contains("Réponses effacées"), "{}", manage.body);
    assert!(manage.body.contains("4\u{a0}réponses"));
    assert!(!manage.body.contains("resultats.csv"), "no export offered");
    for gone in [
        first.projection(""),
        first.projection("/direct"),
        first.path("/resultats.json"),
        first.path("/resultats.csv"),
    ] {
        let reply = app.get(&gone).await;
        assert_eq!(reply.status, StatusCode::GONE, "{gone}");
        assert!(reply.is_html() && reply.body.contains("effacées"), "{gone}");
    }
    let joined = app.get(&first.join()).await;
    assert!(!joined.body.contains("name=\"atelier\""), "still joinable");

    // Three months after the first session, the follow-up: opened from the
    // archived workshop's page, it compares with the kept means.
    let second = follow_up(&app, &first, 3).await;
    answer_each(&app, &second, 1..4).await;
    assert_eq!(reveal(&app, &second).await, StatusCode::SEE_OTHER);
    let view = app.get(&second.projection("")).await.body;
    assert!(view.contains("chezsoi-chart-changes"), "no evolution chart");
    let after = export(&app, &second).await;
    let evolution = &after["evolution"];
    assert_eq!(evolution["before_answers"], 4);
    let changes = evolution["changes"].as_array().unwrap();
    assert_eq!(changes[0]["before"], before["overall"]["mean"]);
    assert_dimensions_before(changes, &before);

    // The kept means go in their turn, BASELINE_DAYS after the answers.
    let later = now + i64::from(chezsoi::workshop::BASELINE_DAYS + 1) * 86_400;
    let purged = chezsoi::workshop::purge_expired(&app.store, 10_000, later).unwrap();
    assert_eq!((purged.workshops, purged.baselines), (0, 1));
    assert_eq!(
        app.get(&first.path("/gestion")).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(export(&app, &second).await.get("evolution").is_none());
}

#[tokio::test]
async fn a_workshop_result_says_when_it_is_erased_and_its_reminder_leads_to_the_quiz_after() {
    let app = App::new();
    let workshop = app.workshop("Atelier du jeudi").await;
    let result = answer(&app, &workshop, 1).await;
    // Opened 20 days ago: erased in 10 days with the default 30.
    age(&app, &workshop, 20);
    let today = time::OffsetDateTime::now_utc().date();
    let page = app.get(&result).await.body;
    assert!(page.contains("cette page sera effacée avec lui"), "{page}");
    let erased = chezsoi::views::calendar::french_date(today + time::Duration::days(10));
    assert!(page.contains(&erased), "{erased}: {page}");

    // Before that day, the reminder leads to the result's page...
    let soon = chezsoi::views::calendar::iso_date(today + time::Duration::days(5));
    let reply = app.get(&format!("{result}/rappel.ics?date={soon}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    let event = parse_event(&reply.body);
    assert_eq!(
        property(&event, "URL").value.as_deref(),
        Some(format!("{SITE}{result}").as_str())
    );
    // ...from it on (three months by default), to the quiz, saying why.
    let reply = app.get(&format!("{result}/rappel.ics")).await;
    let event = parse_event(&reply.body);
    assert_eq!(
        property(&event, "URL").value.as_deref(),
        Some(format!("{SITE}/quiz/diagnostic").as_str())
    );
    let description = property(&event, "DESCRIPTION").value.clone().unwrap();
    assert!(
        description.contains("effacé avec l’atelier"),
        "{description}"
    );
    assert!(!description.contains(token(&result)), "{description}");

    // A result outside any workshop says nothing of the kind.
    let own = app.take_quiz("diagnostic", 1).await;
    assert!(!app.get(&own).await.body.contains("sera effacée avec lui"));
}

#[tokio::test]
async fn another_sites_page_cannot_link_a_retake() {
    let app = App::new();
    let first = app.take_quiz("diagnostic", 0).await;
    let page = app.get(&format!("{first}/refaire")).await;
    let quiz = app.quiz("diagnostic");
    let mut fields = support::valid_answers(&quiz, 1);
    fields.push(("envoi".to_string(), nonce(&page.body)));
    fields.push(("relier".to_string(), "oui".to_string()));
    let mut request = form_request(&format!("{first}/refaire"), encode(&fields));
    request
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let before = app.results();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert!(reply.body.contains("autre site"));
    assert_eq!(app.results(), before, "nothing stored");
    // From this site's page, the same form links.
    let linked = retake(&app, &first, 1, true).await;
    assert!(stored(&app, &linked).unwrap().previous_hash.is_some());
}
