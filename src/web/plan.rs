//! Following a result's plan: `POST /r/{token}/suivi` ticks an action off
//! (or back on), and `GET /r/{token}/rappel.ics` gives a calendar reminder.
//!
//! Ticking stores, with the result, the ids of its plan's actions marked
//! done — nothing else, not even when — through the group commit: the page
//! that says it is done comes once it is on disk. It works as a plain form
//! (POST, then a redirect to the step: POST/redirect/GET), and with
//! JavaScript the page's script sends the same form and updates the step in
//! place from the JSON answer. Like every change, it must come from a page
//! of this site (`SameOrigin`).
//!
//! The reminder is made on the fly and stored nowhere: a calendar file with
//! one event on the reader's date, carrying the result's permalink.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use super::client::ClientKey;
use super::error::AppError;
use super::form::{self, FormBody};
use super::pages;
use super::result::{LoadedResult, erased_on, progress, shown_plan};
use super::same_origin::SameOrigin;
use super::state::{AppState, blocking};
use super::throttle::Bucket;
use super::workshop::SiteUrl;
use crate::scoring::Outcome;
use crate::views::calendar::{self, Reminder};
use crate::views::render_error_page_with_link;

/// What the page's script gets back after ticking.
#[derive(Serialize)]
struct Ticked {
    action: String,
    done: bool,
    progress: String,
    done_count: usize,
    total: usize,
    percent: u8,
}

/// Whether the request asks for JSON (the page's script) rather than a page.
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"))
}

/// `POST /r/{token}/suivi`: marks the action whose id the form's `action`
/// field gives done (`fait=oui`) or not done (`fait=non`), as the result
/// page's forms send them. Each tick is a write that waits
/// for the disk, so it counts against the client's allowance of answers
/// (`--participation-limit`), as a quiz's answers do.
pub async fn tick(
    State(state): State<AppState>,
    client: ClientKey,
    _: SameOrigin,
    loaded: LoadedResult,
    headers: HeaderMap,
    body: FormBody,
) -> Result<Response, AppError> {
    state.throttle(Bucket::QuizAnswers, client)?;
    let fields = body.fields()?;
    let refused = |why: &str| {
        AppError::BadRequest(format!(
            "Action refusée\u{a0}: {why} Rien n’a été modifié\u{a0}; revenez à la page de votre résultat."
        ))
    };
    let action = form::single(&fields, "action")?.unwrap_or_default();
    let done = match form::single(&fields, "fait")?.as_deref() {
        Some("oui") => true,
        Some("non") => false,
        _ => return Err(refused("le formulaire ne dit pas si l’action est faite.")),
    };
    let Outcome::SelfAssessment(outcome) = &loaded.outcome else {
        return Err(refused("ce résultat n’a pas de plan d’action."));
    };
    let plan = shown_plan(&loaded, outcome);
    if !plan.contains(&action) {
        return Err(refused("cette action ne fait pas partie de votre plan."));
    }
    let hash = loaded.hash;
    let marked = {
        let action = action.clone();
        blocking(&state, move |store| store.mark_action(&hash, &action, done)).await?
    };
    let Some(marked) = marked else {
        return Err(AppError::NotFound(
            "Ce résultat n’existe pas ou a été supprimé.".into(),
        ));
    };
    if wants_json(&headers) {
        let done_count = plan.iter().filter(|id| marked.contains(id)).count();
        let line = progress(done_count, plan.len());
        let body = serde_json::to_string(&Ticked {
            action,
            done,
            progress: line.text,
            done_count,
            total: plan.len(),
            percent: line.percent,
        })?;
        return Ok(pages::private(
            (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=utf-8"),
                )],
                body,
            )
                .into_response(),
        ));
    }
    // Back to the step, where the reader was.
    Ok(pages::private(
        Redirect::to(&format!("/r/{}#etape-{action}", loaded.token)).into_response(),
    ))
}

/// `GET /r/{token}/rappel.ics?date=AAAA-MM-JJ` (or `JJ/MM/AAAA`): the
/// reminder, on that date or, without one, three months from today.
/// Nothing is stored. A date refused gets a page that leads back to the
/// result.
pub async fn reminder(
    State(state): State<AppState>,
    loaded: LoadedResult,
    SiteUrl(site): SiteUrl,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    if !matches!(loaded.outcome, Outcome::SelfAssessment(_)) {
        return Err(AppError::NotFound(
            "Pas de rappel pour ce résultat\u{a0}: ce questionnaire ne donne pas de plan d’action."
                .into(),
        ));
    }
    let back = |message: String| {
        pages::private(pages::html(
            StatusCode::BAD_REQUEST,
            render_error_page_with_link(
                StatusCode::BAD_REQUEST.as_u16(),
                &message,
                &format!("/r/{}#suivre", loaded.token),
                "Revenir à votre résultat",
            ),
        ))
    };
    let Ok(fields) = serde_urlencoded::from_str::<form::Fields>(query.as_deref().unwrap_or(""))
    else {
        return Ok(back("Adresse du rappel mal formée.".into()));
    };
    let today = time::OffsetDateTime::now_utc().date();
    let (first, last) = calendar::reminder_range(today);
    let Ok(asked) = form::single(&fields, "date") else {
        return Ok(back("Une seule date de rappel, s’il vous plaît.".into()));
    };
    let date = match asked.filter(|text| !text.trim().is_empty()) {
        None => calendar::three_months_after(today),
        Some(text) => {
            let Some(date) =
                calendar::parse_date(&text).filter(|date| (first..=last).contains(date))
            else {
                let example = calendar::three_months_after(today);
                return Ok(back(format!(
                    "Date de rappel refusée\u{a0}: choisissez un jour entre {} et {}, écrit par \
                     exemple {} ou {}.",
                    calendar::french_date(first),
                    calendar::french_date(last),
                    calendar::iso_date(example),
                    example
                        .format(time::macros::format_description!("[day]/[month]/[year]"))
                        .unwrap_or_default(),
                )));
            };
            date
        }
    };
    let erased = erased_on(&state, &loaded).await?;
    let permalink = format!("{site}/r/{}", loaded.token);
    let retake_url = format!("{permalink}/refaire");
    let quiz_url = format!("{site}/quiz/{}", loaded.quiz.id);
    let ics = calendar::reminder_ics(&Reminder {
        date,
        permalink: &permalink,
        retake_url: &retake_url,
        quiz_title: &loaded.quiz.title,
        erased: erased.map(|day| (day, quiz_url.as_str())),
    });
    Ok(pages::download(
        "text/calendar; charset=utf-8",
        "chezsoi-rappel.ics",
        ics,
    ))
}
