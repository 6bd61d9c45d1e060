//! The facilitator's pages. Behind the projector key
//! (`/projection/{id}/{key}`): the view to project (join code, QR code, live
//! count, then the group's results), the live count's event stream and
//! revealing. Behind the private key (`/atelier/{id}/{key}`): the management
//! page, closing and deleting. Every action that changes something refuses
//! requests from other sites' pages (`SameOrigin`).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use serde::Serialize;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::create::{WorkshopForm, to_management};
use super::{
    Facilitator, Projected, SiteUrl, facilitator_path, group_of, plural, projector_path,
    still_needed, workshop_not_found, workshop_quiz,
};
use crate::aggregate::{self, Baseline, Group, GroupEvolution, GroupResults, Share, Spread};
use crate::quiz::{Mode, Quiz};
use crate::store::{Workshop, WorkshopReveal};
use crate::views::charts::{self, ShareBar, SpreadBar};
use crate::views::dates::format_hour;
use crate::views::{escape_html, render_error_page_with_link};
use crate::web::changes::{self, ChangeRow};
use crate::web::client::ClientKey;
use crate::web::error::AppError;
use crate::web::form::{self, FormBody};
use crate::web::pages;
use crate::web::same_origin::SameOrigin;
use crate::web::state::{AppState, blocking};
use crate::web::throttle::Bucket;
use crate::workshop::{self as domain, display_join_code, projector_key};

/// Seconds between reloads of the projector view when scripts are off.
const NO_SCRIPT_REFRESH_SECONDS: u32 = 10;

/// The address without its scheme, shorter to read on a screen.
fn without_scheme(url: &str) -> &str {
    url.strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url)
}

/// The join URL as an SVG QR code, drawn here: no external service.
fn qr_svg(url: &str) -> String {
    let Ok(code) = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M) else {
        return String::new();
    };
    let image = code
        .render::<svg::Color<'_>>()
        .module_dimensions(1, 1)
        .quiet_zone(true)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build();
    let image = image
        .split_once("?>")
        .map_or(image.as_str(), |(_, rest)| rest);
    image.replacen(
        "<svg ",
        &format!(
            "<svg class=\"chezsoi-qr\" role=\"img\" aria-label=\"Code QR de l’adresse {}\" ",
            escape_html(url)
        ),
        1,
    )
}

#[derive(Serialize)]
struct ProjectorPage {
    title: String,
    workshop_title: String,
    quiz_title: String,
    code: String,
    code_display: String,
    join_url: String,
    join_url_display: String,
    qr_svg: String,
    answers: usize,
    answers_text: String,
    min_group: u32,
    needed_text: Option<String>,
    open: bool,
    revealed: bool,
    refresh_seconds: Option<u32>,
    base_path: String,
    results: Option<ResultsView>,
}

#[derive(Serialize)]
struct ResultsView {
    answers: usize,
    self_assessment: bool,
    profiles_svg: String,
    profiles: Vec<Share>,
    dimensions_svg: String,
    dimensions: Vec<DimensionRow>,
    overall_label: &'static str,
    overall: Option<Spread>,
    first_actions_svg: String,
    first_actions: Vec<Share>,
    questions: Vec<QuestionView>,
    /// For a follow-up workshop: how the group's averages moved since the
    /// first one, or why it is not shown.
    evolution: Option<EvolutionView>,
}

#[derive(Serialize)]
struct EvolutionView {
    first_title: String,
    /// `None` until both workshops reached their minimum group size.
    shown: Option<ShownEvolution>,
}

#[derive(Serialize)]
struct ShownEvolution {
    before_answers: usize,
    after_answers: usize,
    chart_svg: String,
    changes: Vec<ChangeRow>,
}

/// The first workshop of a follow-up, with its group's size and means if it
/// reached its minimum (kept past its expiry, see
/// `workshop::purge_expired`), while it exists: the evolution needs both
/// groups past their minimum.
pub async fn first_group(
    state: &AppState,
    workshop: &Workshop,
    quiz: &Quiz,
) -> Result<Option<(Workshop, Option<Baseline>)>, AppError> {
    let Some(first_id) = workshop.follows else {
        return Ok(None);
    };
    let Some(first) = blocking(state, move |store| store.workshop_by_id(first_id)).await? else {
        return Ok(None);
    };
    if first.quiz_id != quiz.id {
        return Ok(None);
    }
    let kept = first.clone();
    let baseline = blocking(state, move |store| domain::baseline_of(store, &kept)).await?;
    Ok(Some((first, baseline)))
}

fn evolution_view(first: &Workshop, evolution: Option<&GroupEvolution>) -> EvolutionView {
    EvolutionView {
        first_title: first.title.clone(),
        shown: evolution.map(|evolution| {
            let rows: Vec<ChangeRow> = evolution
                .changes
                .iter()
                .map(|c| ChangeRow::new(c.label.clone(), c.before, c.after))
                .collect();
            ShownEvolution {
                before_answers: evolution.before_answers,
                after_answers: evolution.after_answers,
                chart_svg: changes::chart(&rows),
                changes: rows,
            }
        }),
    }
}

#[derive(Serialize)]
struct DimensionRow {
    label: String,
    spread: Option<Spread>,
}

#[derive(Serialize)]
struct QuestionView {
    number: usize,
    text: String,
    note: &'static str,
    respondents: usize,
    svg: String,
    answers: Vec<Share>,
}

fn results_view(
    quiz: &Quiz,
    results: GroupResults,
    evolution: Option<EvolutionView>,
) -> ResultsView {
    let share_svg = |shares: &[Share]| {
        charts::shares(
            &shares
                .iter()
                .map(|s| ShareBar {
                    label: &s.label,
                    count: s.count,
                    percent: s.percent,
                })
                .collect::<Vec<_>>(),
        )
    };
    let spread_rows: Vec<SpreadBar<'_>> = results
        .dimensions
        .iter()
        .filter_map(|d| {
            d.spread.map(|s| SpreadBar {
                label: &d.label,
                mean: s.mean,
                min: s.min,
                max: s.max,
            })
        })
        .collect();
    let dimensions_svg = if spread_rows.is_empty() {
        String::new()
    } else {
        charts::spreads(&spread_rows)
    };
    let questions = results
        .questions
        .iter()
        .enumerate()
        .map(|(index, q)| QuestionView {
            number: index + 1,
            text: q.text.clone(),
            note: match q.kind {
                "multiple" => {
                    "plusieurs réponses possibles\u{a0}: les parts dépassent 100\u{202f}% au total"
                }
                "scale" => "échelle",
                _ => "un seul choix",
            },
            respondents: q.respondents,
            svg: share_svg(&q.answers),
            answers: q.answers.clone(),
        })
        .collect();
    let self_assessment = quiz.mode == Mode::SelfAssessment;
    ResultsView {
        answers: results.answers,
        self_assessment,
        profiles_svg: if self_assessment {
            share_svg(&results.profiles)
        } else {
            String::new()
        },
        dimensions_svg,
        dimensions: results
            .dimensions
            .iter()
            .map(|d| DimensionRow {
                label: d.label.clone(),
                spread: d.spread,
            })
            .collect(),
        overall_label: domain::export::overall_label(quiz),
        overall: results.overall,
        first_actions_svg: if results.first_actions.is_empty() {
            String::new()
        } else {
            share_svg(&results.first_actions)
        },
        first_actions: results.first_actions.clone(),
        profiles: results.profiles,
        questions,
        evolution,
    }
}

/// `GET /projection/{id}/{key}`: the view to project.
pub async fn projector(
    State(state): State<AppState>,
    Projected { workshop, key }: Projected,
    SiteUrl(site): SiteUrl,
) -> Result<Response, AppError> {
    let quiz = workshop_quiz(&state, &workshop)?;
    let group = group_of(&state, &workshop, &quiz).await?;
    let evolution = match first_group(&state, &workshop, &quiz).await? {
        Some((first, first_group)) => {
            let evolution = aggregate::evolution(
                domain::export::overall_label(&quiz),
                first_group.as_ref(),
                &group,
            );
            Some(evolution_view(&first, evolution.as_ref()))
        }
        None => None,
    };
    let (answers, needed, results) = match group {
        Group::TooFew { needed } => (
            usize::try_from(workshop.min_group)
                .unwrap_or(usize::MAX)
                .saturating_sub(needed),
            Some(needed),
            None,
        ),
        Group::Results(results) => (
            results.answers,
            None,
            workshop
                .revealed
                .then(|| results_view(&quiz, results, evolution)),
        ),
    };
    let join_url = domain::join_url(&site, &workshop.join_code);
    let page = ProjectorPage {
        title: workshop.title.clone(),
        workshop_title: workshop.title.clone(),
        quiz_title: quiz.title.clone(),
        code: workshop.join_code.clone(),
        code_display: display_join_code(&workshop.join_code),
        join_url_display: without_scheme(&join_url).to_string(),
        qr_svg: qr_svg(&join_url),
        join_url,
        answers,
        answers_text: plural(answers, "réponse", "réponses"),
        min_group: workshop.min_group,
        needed_text: needed.map(still_needed),
        open: workshop.is_open(),
        revealed: workshop.revealed,
        refresh_seconds: (workshop.is_open() && results.is_none())
            .then_some(NO_SCRIPT_REFRESH_SECONDS),
        base_path: projector_path(&workshop, &key),
        results,
    };
    Ok(pages::private(pages::render(
        &state,
        StatusCode::OK,
        "workshop_projector.html",
        &page,
    )?))
}

#[derive(Serialize)]
struct ManagePage {
    title: String,
    workshop_title: String,
    quiz_title: String,
    facilitator_url: String,
    projector_url: String,
    projector_path: String,
    code_display: String,
    join_url: String,
    answers_text: String,
    min_group: u32,
    needed_text: Option<String>,
    open: bool,
    closed: Option<String>,
    created: String,
    expires: String,
    base_path: String,
    /// The title of the workshop this one follows, while it exists.
    follows_title: Option<String>,
    /// Once its answers are erased at expiry: what is left, until when.
    archived: Option<ArchivedView>,
    /// The follow-ups already opened from it: « « titre », le … ».
    follow_ups: Vec<String>,
    /// How long a group's means outlive its answers (`BASELINE_DAYS`).
    baseline_days: u32,
    /// The follow-up form's defaults.
    follow_up_title: String,
    min_allowed: u32,
    max_allowed: u32,
}

#[derive(Serialize)]
struct ArchivedView {
    erased: String,
    kept_until: String,
    answers_text: String,
    /// Whether the kept means read back (a follow-up can compare).
    comparable: bool,
}

/// `GET /atelier/{id}/{key}`: the facilitator's private link leads to the
/// management page.
pub async fn enter(Facilitator { workshop, key }: Facilitator) -> Response {
    pages::private(
        Redirect::to(&format!("{}/gestion", facilitator_path(&workshop, &key))).into_response(),
    )
}

/// `GET /atelier/{id}/{key}/gestion`: the facilitator's link, the address
/// of the view to project, exports, closing and deleting.
pub async fn manage(
    State(state): State<AppState>,
    Facilitator { workshop, key }: Facilitator,
    SiteUrl(site): SiteUrl,
) -> Result<Response, AppError> {
    let id = workshop.id;
    let projector = projector_key(&key);
    // A workshop created before projector keys existed gets its own now.
    let projector_hash = projector.hash();
    blocking(&state, move |store| {
        store.ensure_projector_hash(id, &projector_hash)
    })
    .await?;
    let answers = blocking(&state, move |store| store.count_workshop_results(id)).await?;
    let follow_ups = blocking(&state, move |store| store.follow_ups_of(id))
        .await?
        .into_iter()
        .map(|(title, hour)| format!("«\u{a0}{title}\u{a0}», ouvert {}", format_hour(hour)))
        .collect();
    let archived = match workshop.archived_hour {
        Some(hour) => {
            let kept = workshop.clone();
            let baseline = blocking(&state, move |store| domain::baseline_of(store, &kept)).await?;
            Some(ArchivedView {
                erased: format_hour(hour),
                kept_until: format_hour(domain::baseline_expiry(hour)),
                answers_text: baseline.as_ref().map_or_else(
                    || "nombre illisible".to_string(),
                    |b| plural(b.answers, "réponse", "réponses"),
                ),
                comparable: baseline.is_some(),
            })
        }
        None => None,
    };
    let min_group = usize::try_from(workshop.min_group).unwrap_or(usize::MAX);
    let retention = state.workshops().settings().retention_days;
    let follows_title = match workshop.follows {
        Some(first) => blocking(&state, move |store| store.workshop_by_id(first))
            .await?
            .map(|first| first.title),
        None => None,
    };
    let page = ManagePage {
        title: format!("Gérer l’atelier «\u{a0}{}\u{a0}»", workshop.title),
        workshop_title: workshop.title.clone(),
        quiz_title: workshop_quiz(&state, &workshop)?.title.clone(),
        facilitator_url: domain::facilitator_url(&site, workshop.id, &key),
        projector_url: domain::projector_url(&site, workshop.id, &projector),
        projector_path: projector_path(&workshop, &projector),
        code_display: display_join_code(&workshop.join_code),
        join_url: domain::join_url(&site, &workshop.join_code),
        answers_text: plural(answers, "réponse", "réponses"),
        min_group: workshop.min_group,
        needed_text: (answers < min_group).then(|| still_needed(min_group - answers)),
        open: workshop.is_open(),
        closed: workshop.closed_hour.map(format_hour),
        created: format_hour(workshop.created_hour),
        expires: format_hour(domain::expiry(workshop.created_hour, retention)),
        base_path: facilitator_path(&workshop, &key),
        follows_title,
        archived,
        follow_ups,
        baseline_days: domain::BASELINE_DAYS,
        follow_up_title: domain::follow_up_title(&workshop.title),
        min_allowed: *domain::MIN_GROUP_RANGE.start(),
        max_allowed: *domain::MIN_GROUP_RANGE.end(),
    };
    Ok(pages::private(pages::render(
        &state,
        StatusCode::OK,
        "workshop_manage.html",
        &page,
    )?))
}

/// `POST /atelier/{id}/{key}/suivi`: opens a follow-up of this workshop
/// (same quiz; title and minimum from the form) and leads to its own
/// management page, with its own private link. Its group results will show
/// the evolution since this one.
pub async fn follow_up(
    State(state): State<AppState>,
    client: ClientKey,
    Facilitator { workshop, key }: Facilitator,
    _: SameOrigin,
    body: FormBody,
) -> Result<Response, AppError> {
    state.throttle(Bucket::Creation, client)?;
    let fields = body.fields()?;
    let request = match WorkshopForm::read(&fields, Some(&workshop.quiz_id))?.validate(&state) {
        Ok(request) => request,
        Err(errors) => {
            let message = errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\u{a0}; ");
            return Ok(pages::private(pages::html(
                StatusCode::UNPROCESSABLE_ENTITY,
                render_error_page_with_link(
                    StatusCode::UNPROCESSABLE_ENTITY.as_u16(),
                    &format!("L’atelier de suivi n’a pas été créé\u{a0}: {message}."),
                    &format!("{}/gestion", facilitator_path(&workshop, &key)),
                    "Revenir à la gestion de l’atelier",
                ),
            )));
        }
    };
    let now = domain::now_unix();
    let created = blocking(&state, move |store| {
        domain::create_follow_up(store, &workshop, &request, now)
    })
    .await?;
    Ok(to_management(&created))
}

/// How long a browser waits before reconnecting to a live count that
/// ended (`retry:` field): the server restarted, or a proxy cut the stream.
pub const RECONNECT_AFTER: Duration = Duration::from_secs(2);
/// A comment line this often keeps proxies (nginx waits 60 s by default)
/// and phones from closing an idle stream, and shows a dead one.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// `GET /projection/{id}/{key}/direct`: the number of answers, live (server-
/// sent events): the current count at once, then each larger one, and a
/// comment line every `HEARTBEAT`. Counts may be announced out of order by
/// submitters committed together; a workshop's count only grows while it is
/// open, so the largest is the latest. The stream ends when the server
/// stops; browsers reconnect to the next one.
///
/// Proxies must pass events on as they come: `X-Accel-Buffering: no` turns
/// nginx's buffering off for this response, Caddy flushes event streams by
/// itself, and `Cache-Control` keeps any cache out of it.
pub async fn events(
    State(state): State<AppState>,
    Projected { workshop, .. }: Projected,
) -> Result<Response, AppError> {
    // Subscribe before counting, so no answer falls between the two.
    let receiver = state.workshops().subscribe();
    let id = workshop.id;
    let answers = blocking(&state, move |store| store.count_workshop_results(id)).await?;
    let count_event =
        |answers: usize| -> Event { Event::default().event("count").data(answers.to_string()) };
    let mut shown = answers;
    let updates = BroadcastStream::new(receiver).filter_map(move |message| match message {
        Ok(count) if count.workshop_id == id && count.answers > shown => {
            shown = count.answers;
            Some(Ok(count_event(count.answers)))
        }
        // Others' workshops, a count already shown, or a burst this view
        // fell behind on: the next count says it all.
        _ => None,
    });
    let first: Result<Event, Infallible> = Ok(count_event(answers).retry(RECONNECT_AFTER));
    let stream = futures_util::StreamExt::take_until(
        tokio_stream::once(first).chain(updates),
        state.shutdown().clone().cancelled_owned(),
    );
    let mut response = pages::private(
        Sse::new(stream)
            .keep_alive(KeepAlive::new().interval(HEARTBEAT).text(""))
            .into_response(),
    );
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store"),
    );
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// `POST /projection/{id}/{key}/reveler`: shows the group's results on the
/// projector, once the minimum group size is reached.
pub async fn reveal(
    State(state): State<AppState>,
    Projected { workshop, key }: Projected,
    _: SameOrigin,
) -> Result<Response, AppError> {
    match blocking(&state, move |store| store.reveal_workshop(workshop.id)).await? {
        WorkshopReveal::Revealed => Ok(Redirect::to(&format!(
            "{}#resultats",
            projector_path(&workshop, &key)
        ))
        .into_response()),
        // The refusal leads back to the projector view, where the count goes on.
        WorkshopReveal::TooFew { needed } => Ok(pages::private(pages::html(
            StatusCode::CONFLICT,
            render_error_page_with_link(
                StatusCode::CONFLICT.as_u16(),
                &still_needed(needed),
                &projector_path(&workshop, &key),
                "Revenir à la vue projetée",
            ),
        ))),
        WorkshopReveal::Missing => Err(workshop_not_found()),
    }
}

/// `POST /atelier/{id}/{key}/fermer`: no more answers.
pub async fn close(
    State(state): State<AppState>,
    Facilitator { workshop, key }: Facilitator,
    _: SameOrigin,
) -> Result<Response, AppError> {
    let hour = crate::store::round_to_hour(domain::now_unix());
    if !blocking(&state, move |store| store.close_workshop(workshop.id, hour)).await? {
        return Err(workshop_not_found());
    }
    Ok(Redirect::to(&format!("{}/gestion", facilitator_path(&workshop, &key))).into_response())
}

/// `POST /atelier/{id}/{key}/supprimer`: the workshop and its results, for
/// good. The form must confirm it.
pub async fn delete(
    State(state): State<AppState>,
    Facilitator { workshop, .. }: Facilitator,
    _: SameOrigin,
    body: FormBody,
) -> Result<Response, AppError> {
    let fields = body.fields()?;
    if form::single(&fields, "confirmation")?.as_deref() != Some("oui") {
        return Err(AppError::Client(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Rien n’a été supprimé\u{a0}: cochez la case de confirmation avant de supprimer l’atelier."
                .into(),
        ));
    }
    let results = blocking(&state, move |store| store.delete_workshop(workshop.id))
        .await?
        .ok_or_else(workshop_not_found)?;
    #[derive(Serialize)]
    struct Deleted {
        title: &'static str,
        workshop_title: String,
        results_text: String,
    }
    Ok(pages::changed(pages::private(pages::render(
        &state,
        StatusCode::OK,
        "workshop_deleted.html",
        &Deleted {
            title: "Atelier supprimé",
            workshop_title: workshop.title,
            results_text: plural(results, "résultat", "résultats"),
        },
    )?)))
}
