//! Workshop pages: creating one, joining with a code, the projector view
//! with its live count, the group's results, exports, closing and deleting.
//!
//! Facilitator routes carry the workshop id and its secret key; a wrong key
//! gets exactly the page of a workshop that does not exist. Request logs
//! name the route template, never the path, so the key stays out of them.

use std::convert::Infallible;
use std::sync::RwLock;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use serde::Serialize;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::chart::{self, ShareBar, SpreadBar};
use super::path::Param;
use super::quiz::{
    WORKSHOP_FIELD, check_answers, for_workshop, format_hour, html_page, iso_hour, new_result,
    private, quiz_page, read_form, shorten, single_field,
};
use super::throttle::{Bucket, ClientKey};
use super::token::ResultToken;
use super::{AppError, AppState};
use crate::quiz::{Mode, Quiz};
use crate::scoring::{Answers, FormErrors, Outcome};
use crate::store::{Store, StoreError, Workshop, WorkshopInsert, WorkshopReveal};
use crate::workshop::aggregate::{self, Group, GroupResults, Participation, Share, Spread};
use crate::workshop::{
    self as domain, DEFAULT_MIN_GROUP, DEFAULT_RETENTION_DAYS, FacilitatorKey, RequestError,
    TITLE_MAX_CHARS, WorkshopRequest, display_join_code, normalize_join_code,
};

/// Seconds between reloads of the projector view when scripts are off.
const NO_SCRIPT_REFRESH_SECONDS: u32 = 10;

/// How the operator set up workshops on this server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkshopSettings {
    /// The address participants reach the site at, for join links and QR
    /// codes (`serve --base-url`); without it, the facilitator's own
    /// request tells (its Host header).
    pub public_url: Option<String>,
    /// Days before a workshop and its results are purged.
    pub retention_days: u32,
}

impl Default for WorkshopSettings {
    fn default() -> WorkshopSettings {
        WorkshopSettings {
            public_url: None,
            retention_days: DEFAULT_RETENTION_DAYS,
        }
    }
}

/// A workshop's new number of answers, announced to its projector views.
#[derive(Debug, Clone, Copy)]
pub(super) struct AnswerCount {
    workshop_id: i64,
    answers: usize,
}

/// What the workshop pages share, in `AppState`.
pub(super) struct Live {
    events: broadcast::Sender<AnswerCount>,
    settings: RwLock<WorkshopSettings>,
}

impl Live {
    pub(super) fn new() -> Live {
        Live {
            // A projector that falls this far behind skips to the latest count.
            events: broadcast::channel(256).0,
            settings: RwLock::new(WorkshopSettings::default()),
        }
    }

    pub(super) fn settings(&self) -> WorkshopSettings {
        self.settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(super) fn set_settings(&self, settings: WorkshopSettings) {
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = settings;
    }
}

// ---------------------------------------------------------------- helpers

/// Runs store work off the async threads.
async fn blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, AppError> {
    let store = state.store().clone();
    tokio::task::spawn_blocking(move || work(&store))
        .await
        .map_err(|e| AppError::internal(e.into()))?
        .map_err(|e| AppError::internal(e.into()))
}

/// The one answer for an unknown workshop, a wrong key or a malformed
/// link: nothing tells which.
fn workshop_not_found() -> AppError {
    AppError::NotFound(
        "Cet atelier n’existe pas, ou plus. Vérifiez le lien d’animation\u{a0}: il a peut-être été \
         mal copié, ou l’atelier a été supprimé."
            .into(),
    )
}

/// The `{id}/{key}` of a facilitator address. One that does not even
/// decode gets the same page as a wrong key.
pub struct FacilitatorPath(String, String);

impl<S: Send + Sync> FromRequestParts<S> for FacilitatorPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map(|Path((id, key))| FacilitatorPath(id, key))
            .map_err(|_| workshop_not_found())
    }
}

/// The workshop a facilitator link designates. The id is written as the
/// link has it: digits, no sign, no leading zero, so that each workshop
/// has one address.
async fn facilitator_workshop(
    state: &AppState,
    id: &str,
    key: &str,
) -> Result<(Workshop, FacilitatorKey), AppError> {
    let canonical =
        !id.is_empty() && !id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit());
    let id: i64 = canonical
        .then(|| id.parse().ok())
        .flatten()
        .ok_or_else(workshop_not_found)?;
    let key = FacilitatorKey::parse(key).ok_or_else(workshop_not_found)?;
    let hash = key.hash();
    let workshop = blocking(state, move |store| store.find_workshop(id, &hash))
        .await?
        .ok_or_else(workshop_not_found)?;
    Ok((workshop, key))
}

/// The workshop's quiz; a quiz removed from `quizzes/` since is an error
/// the facilitator can understand.
fn workshop_quiz(state: &AppState, workshop: &Workshop) -> Result<std::sync::Arc<Quiz>, AppError> {
    state
        .catalog()
        .get(&workshop.quiz_id)
        .cloned()
        .ok_or_else(|| {
            AppError::Client(
                StatusCode::GONE,
                format!(
                    "Le questionnaire «\u{a0}{}\u{a0}» de cet atelier n’existe plus sur ce site.",
                    shorten(&workshop.quiz_id)
                ),
            )
        })
}

/// The site's address as participants should type it.
fn site_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = state.workshops().settings().public_url {
        return url;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|host| {
            !host.is_empty()
                && host.len() <= 255
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        });
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
    match host {
        Some(host) => format!("{}://{host}", if https { "https" } else { "http" }),
        None => String::new(),
    }
}

/// `/atelier/{id}/{key}`: the facilitator's base path.
fn facilitator_path(workshop: &Workshop, key: &FacilitatorKey) -> String {
    format!("/atelier/{}/{}", workshop.id, key.as_str())
}

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
            chart::escape(url)
        ),
        1,
    )
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count <= 1 {
        format!("{count} {one}")
    } else {
        format!("{count} {many}")
    }
}

/// A workshop's aggregates, or how many answers are still needed.
async fn group_of(state: &AppState, workshop: &Workshop, quiz: &Quiz) -> Result<Group, AppError> {
    let id = workshop.id;
    let rows = blocking(state, move |store| store.workshop_participations(id)).await?;
    let participations: Vec<Participation> = rows
        .iter()
        .filter_map(|(answers, outcome)| {
            Some(Participation {
                answers: serde_json::from_str::<Answers>(answers).ok()?,
                outcome: serde_json::from_str::<Outcome>(outcome).ok()?,
            })
        })
        .collect();
    let min_group = usize::try_from(workshop.min_group).unwrap_or(usize::MAX);
    Ok(aggregate::group(quiz, &participations, min_group))
}

fn still_needed(needed: usize) -> String {
    format!(
        "Il manque encore {} pour afficher les résultats du groupe\u{a0}: en dessous du minimum, \
         aucun chiffre de groupe n’est montré, pour que personne ne puisse être reconnu.",
        plural(needed, "réponse", "réponses")
    )
}

// ---------------------------------------------------------------- creation

#[derive(Serialize)]
struct NewWorkshopPage {
    title: &'static str,
    quizzes: Vec<QuizOption>,
    form_title: String,
    min_group: String,
    min_allowed: u32,
    max_allowed: u32,
    title_max: usize,
    errors: Vec<FieldError>,
}

#[derive(Serialize)]
struct QuizOption {
    id: String,
    title: String,
    selected: bool,
}

#[derive(Serialize)]
struct FieldError {
    field: &'static str,
    message: String,
}

fn new_workshop_page(
    state: &AppState,
    title: &str,
    quiz_id: &str,
    min_group: &str,
    errors: Vec<FieldError>,
) -> NewWorkshopPage {
    let catalog = state.catalog();
    // Self-assessments first: they are what a workshop is for.
    let mut quizzes: Vec<QuizOption> = catalog
        .iter()
        .map(|quiz| QuizOption {
            id: quiz.id.clone(),
            title: quiz.title.clone(),
            selected: quiz.id == quiz_id,
        })
        .collect();
    quizzes.sort_by_key(|option| {
        catalog
            .get(&option.id)
            .map(|q| q.mode != Mode::SelfAssessment)
    });
    NewWorkshopPage {
        title: "Créer un atelier",
        quizzes,
        form_title: title.to_string(),
        min_group: min_group.to_string(),
        min_allowed: *domain::MIN_GROUP_RANGE.start(),
        max_allowed: *domain::MIN_GROUP_RANGE.end(),
        title_max: TITLE_MAX_CHARS,
        errors,
    }
}

pub async fn new_form(State(state): State<AppState>) -> Result<Response, AppError> {
    let page = new_workshop_page(
        &state,
        "",
        "diagnostic",
        &DEFAULT_MIN_GROUP.to_string(),
        Vec::new(),
    );
    Ok(html_page(
        StatusCode::OK,
        state.templates().render("workshop_new.html", &page)?,
    ))
}

pub async fn create(
    State(state): State<AppState>,
    client: ClientKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    state.throttle(Bucket::Creation, client)?;
    let fields = read_form(&headers, &body)?;
    let title = single_field(&fields, "titre")?.unwrap_or_default();
    let quiz_id = single_field(&fields, "questionnaire")?.unwrap_or_default();
    let min_text = single_field(&fields, "minimum")?.unwrap_or_default();
    let catalog = state.catalog();
    let request = WorkshopRequest {
        title: title.clone(),
        quiz_id: quiz_id.clone(),
        // Anything that is not a number is out of range, and said so.
        min_group: min_text.trim().parse().unwrap_or(0),
    };
    let request = match request.validate(|id| catalog.get(id).is_some()) {
        Ok(request) => request,
        Err(errors) => {
            let errors = errors
                .iter()
                .map(|error: &RequestError| FieldError {
                    field: error.field(),
                    message: capitalize(&error.to_string()),
                })
                .collect();
            let page = new_workshop_page(&state, &title, &quiz_id, &min_text, errors);
            return Ok(html_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                state.templates().render("workshop_new.html", &page)?,
            ));
        }
    };
    let now = domain::now_unix();
    let created = blocking(&state, move |store| domain::create(store, &request, now)).await?;
    let mut response = Redirect::to(&format!(
        "{}/gestion",
        facilitator_path(&created.workshop, &created.key)
    ))
    .into_response();
    private(&mut response);
    Ok(response)
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------- joining

#[derive(Serialize)]
struct JoinPage {
    title: &'static str,
    code: String,
    error: Option<String>,
}

fn join_page(
    state: &AppState,
    status: StatusCode,
    code: &str,
    error: Option<String>,
) -> Result<Response, AppError> {
    let page = JoinPage {
        title: "Rejoindre un atelier",
        code: code.chars().filter(|c| !c.is_control()).take(20).collect(),
        error,
    };
    Ok(html_page(
        status,
        state.templates().render("join.html", &page)?,
    ))
}

/// `GET /a?code=…`: the form on the home page; without a code, the form
/// alone.
pub async fn join_by_code(
    State(state): State<AppState>,
    client: ClientKey,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    state.throttle(Bucket::Participation, client)?;
    let typed = query
        .as_deref()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|fields| {
            fields
                .into_iter()
                .find(|(name, _)| name == "code")
                .map(|(_, v)| v)
        })
        .unwrap_or_default();
    if typed.trim().is_empty() {
        return join_page(&state, StatusCode::OK, "", None);
    }
    match normalize_join_code(&typed) {
        Some(code) => Ok(Redirect::to(&format!("/a/{code}")).into_response()),
        None => join_page(
            &state,
            StatusCode::NOT_FOUND,
            &typed,
            Some(unknown_code_message()),
        ),
    }
}

fn unknown_code_message() -> String {
    format!(
        "Aucun atelier ouvert ne porte ce code. Vérifiez-le auprès de l’animateur\u{a0}: il compte {} \
         caractères, lettres et chiffres.",
        domain::JOIN_CODE_LEN
    )
}

fn closed_message() -> String {
    "Cet atelier est fermé\u{a0}: il n’accepte plus de réponses, et rien n’a été enregistré. \
     Vous pouvez toujours faire l’autodiagnostic pour vous-même depuis le guide."
        .to_string()
}

/// The open workshop a join code designates, or the page that says why
/// there is none.
async fn joinable(state: &AppState, code: &str) -> Result<Result<Workshop, Response>, AppError> {
    let Some(code) = normalize_join_code(code) else {
        return join_page(
            state,
            StatusCode::NOT_FOUND,
            code,
            Some(unknown_code_message()),
        )
        .map(Err);
    };
    let lookup = code.clone();
    match blocking(state, move |store| store.find_workshop_by_code(&lookup)).await? {
        None => join_page(
            state,
            StatusCode::NOT_FOUND,
            &code,
            Some(unknown_code_message()),
        )
        .map(Err),
        Some(workshop) if !workshop.is_open() => {
            join_page(state, StatusCode::GONE, &code, Some(closed_message())).map(Err)
        }
        Some(workshop) => Ok(Ok(workshop)),
    }
}

/// `GET /a/{code}`: the workshop's quiz.
pub async fn join(
    State(state): State<AppState>,
    client: ClientKey,
    Param(code): Param<String>,
) -> Result<Response, AppError> {
    state.throttle(Bucket::Participation, client)?;
    let workshop = match joinable(&state, &code).await? {
        Ok(workshop) => workshop,
        Err(page) => return Ok(page),
    };
    let quiz = workshop_quiz(&state, &workshop)?;
    let page = for_workshop(
        quiz_page(
            &quiz,
            &Default::default(),
            &FormErrors::default(),
            String::new(),
        ),
        &workshop.join_code,
        &workshop.title,
    );
    Ok(html_page(
        StatusCode::OK,
        state.templates().render("quiz.html", &page)?,
    ))
}

/// `POST /a/{code}`: a participant's answers, stored with the workshop.
pub async fn answer(
    State(state): State<AppState>,
    client: ClientKey,
    Param(code): Param<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    state.throttle(Bucket::Participation, client)?;
    let workshop = match joinable(&state, &code).await? {
        Ok(workshop) => workshop,
        Err(page) => return Ok(page),
    };
    let quiz = workshop_quiz(&state, &workshop)?;
    let fields = read_form(&headers, &body)?;
    // The form names its workshop too: a mismatch is a forged form.
    if let Some(named) = single_field(&fields, WORKSHOP_FIELD)? {
        if normalize_join_code(&named).as_deref() != Some(workshop.join_code.as_str()) {
            return Err(AppError::BadRequest(
                "Envoi refusé\u{a0}: le formulaire ne correspond pas à cet atelier. Rien n’a été \
                 enregistré\u{a0}; rouvrez l’atelier avec son code."
                    .into(),
            ));
        }
    }
    let answers = match check_answers(&state, &quiz, &fields, |page| {
        for_workshop(page, &workshop.join_code, &workshop.title)
    })? {
        Ok(answers) => answers,
        Err(refused) => return Ok(refused),
    };

    let token = ResultToken::generate();
    let result = new_result(&quiz, &answers, Some(workshop.id))?;
    let hash = token.hash();
    let events = state.workshops().events.clone();
    let id = workshop.id;
    let stored = blocking(&state, move |store| {
        store.insert_workshop_result(id, &hash, &result, |answers| {
            // No projector listening is fine.
            let _ = events.send(AnswerCount {
                workshop_id: id,
                answers,
            });
        })
    })
    .await?;
    match stored {
        WorkshopInsert::Stored { .. } => {
            Ok(Redirect::to(&format!("/r/{}", token.as_str())).into_response())
        }
        WorkshopInsert::Closed => join_page(
            &state,
            StatusCode::GONE,
            &workshop.join_code,
            Some(closed_message()),
        ),
        WorkshopInsert::Missing => join_page(
            &state,
            StatusCode::NOT_FOUND,
            &workshop.join_code,
            Some(unknown_code_message()),
        ),
    }
}

// ---------------------------------------------------------------- facilitator

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

fn results_view(quiz: &Quiz, results: GroupResults) -> ResultsView {
    let share_svg = |shares: &[Share]| {
        chart::shares(
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
        chart::spreads(&spread_rows)
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
                    "plusieurs réponses possibles\u{a0}: les parts dépassent 100 % au total"
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
    }
}

/// `GET /atelier/{id}/{key}`: the view to project.
pub async fn projector(
    State(state): State<AppState>,
    FacilitatorPath(id, key): FacilitatorPath,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (workshop, key) = facilitator_workshop(&state, &id, &key).await?;
    let quiz = workshop_quiz(&state, &workshop)?;
    let group = group_of(&state, &workshop, &quiz).await?;
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
            workshop.revealed.then(|| results_view(&quiz, results)),
        ),
    };
    let join_url = domain::join_url(&site_url(&state, &headers), &workshop.join_code);
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
        base_path: facilitator_path(&workshop, &key),
        results,
    };
    let mut response = html_page(
        StatusCode::OK,
        state.templates().render("workshop_projector.html", &page)?,
    );
    private(&mut response);
    Ok(response)
}

#[derive(Serialize)]
struct ManagePage {
    title: String,
    workshop_title: String,
    quiz_title: String,
    facilitator_url: String,
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
}

/// `GET /atelier/{id}/{key}/gestion`: the facilitator's link, exports,
/// closing and deleting.
pub async fn manage(
    State(state): State<AppState>,
    FacilitatorPath(id, key): FacilitatorPath,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (workshop, key) = facilitator_workshop(&state, &id, &key).await?;
    let quiz = workshop_quiz(&state, &workshop)?;
    let id = workshop.id;
    let answers = blocking(&state, move |store| store.count_workshop_results(id)).await?;
    let min_group = usize::try_from(workshop.min_group).unwrap_or(usize::MAX);
    let site = site_url(&state, &headers);
    let retention = state.workshops().settings().retention_days;
    let page = ManagePage {
        title: format!("Gérer l’atelier «\u{a0}{}\u{a0}»", workshop.title),
        workshop_title: workshop.title.clone(),
        quiz_title: quiz.title.clone(),
        facilitator_url: domain::facilitator_url(&site, workshop.id, &key),
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
    };
    let mut response = html_page(
        StatusCode::OK,
        state.templates().render("workshop_manage.html", &page)?,
    );
    private(&mut response);
    Ok(response)
}

/// `GET /atelier/{id}/{key}/direct`: the number of answers, live (server-
/// sent events): the current count at once, then each new one.
pub async fn events(
    State(state): State<AppState>,
    FacilitatorPath(id, key): FacilitatorPath,
) -> Result<Response, AppError> {
    let (workshop, _) = facilitator_workshop(&state, &id, &key).await?;
    // Subscribe before counting, so no answer falls between the two.
    let receiver = state.workshops().events.subscribe();
    let id = workshop.id;
    let answers = blocking(&state, move |store| store.count_workshop_results(id)).await?;
    let count_event = |answers: usize| -> Result<Event, Infallible> {
        Ok(Event::default().event("count").data(answers.to_string()))
    };
    let updates = BroadcastStream::new(receiver).filter_map(move |message| match message {
        Ok(count) if count.workshop_id == id => Some(count_event(count.answers)),
        // Others' workshops, or a burst this view fell behind on: the next
        // count says it all.
        _ => None,
    });
    let stream = tokio_stream::once(count_event(answers)).chain(updates);
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response();
    private(&mut response);
    Ok(response)
}

/// `POST /atelier/{id}/{key}/reveler`: shows the group's results on the
/// projector, once the minimum group size is reached.
pub async fn reveal(
    State(state): State<AppState>,
    FacilitatorPath(id, key): FacilitatorPath,
) -> Result<Response, AppError> {
    let (workshop, key) = facilitator_workshop(&state, &id, &key).await?;
    let id = workshop.id;
    match blocking(&state, move |store| store.reveal_workshop(id)).await? {
        WorkshopReveal::Revealed => Ok(Redirect::to(&format!(
            "{}#resultats",
            facilitator_path(&workshop, &key)
        ))
        .into_response()),
        WorkshopReveal::TooFew { needed } => {
            Err(AppError::Client(StatusCode::CONFLICT, still_needed(needed)))
        }
        WorkshopReveal::Missing => Err(workshop_not_found()),
    }
}

/// `POST /atelier/{id}/{key}/fermer`: no more answers.
pub async fn close(
    State(state): State<AppState>,
    FacilitatorPath(id, key): FacilitatorPath,
) -> Result<Response, AppError> {
    let (workshop, key) = facilitator_workshop(&state, &id, &key).await?;
    let id = workshop.id;
    let hour = crate::store::round_to_hour(domain::now_unix());
    if !blocking(&state, move |store| store.close_workshop(id, hour)).await? {
        return Err(workshop_not_found());
    }
    Ok(Redirect::to(&format!("{}/gestion", facilitator_path(&workshop, &key))).into_response())
}

/// `POST /atelier/{id}/{key}/supprimer`: the workshop and its results, for
/// good. The form must confirm it.
pub async fn delete(
    State(state): State<AppState>,
    FacilitatorPath(id, key): FacilitatorPath,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let (workshop, _) = facilitator_workshop(&state, &id, &key).await?;
    let fields = read_form(&headers, &body)?;
    if single_field(&fields, "confirmation")?.as_deref() != Some("oui") {
        return Err(AppError::Client(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Rien n’a été supprimé\u{a0}: cochez la case de confirmation avant de supprimer l’atelier."
                .into(),
        ));
    }
    let id = workshop.id;
    let results = blocking(&state, move |store| store.delete_workshop(id))
        .await?
        .ok_or_else(workshop_not_found)?;
    #[derive(Serialize)]
    struct Deleted {
        title: &'static str,
        workshop_title: String,
        results_text: String,
    }
    let mut response = html_page(
        StatusCode::OK,
        state.templates().render(
            "workshop_deleted.html",
            &Deleted {
                title: "Atelier supprimé",
                workshop_title: workshop.title,
                results_text: plural(results, "résultat", "résultats"),
            },
        )?,
    );
    private(&mut response);
    Ok(response)
}

/// The aggregates for an export, refused below the minimum group size.
async fn export_results(
    state: &AppState,
    id: &str,
    key: &str,
) -> Result<(Workshop, std::sync::Arc<Quiz>, GroupResults), AppError> {
    let (workshop, _) = facilitator_workshop(state, id, key).await?;
    let quiz = workshop_quiz(state, &workshop)?;
    match group_of(state, &workshop, &quiz).await? {
        Group::TooFew { needed } => Err(AppError::Client(
            StatusCode::CONFLICT,
            format!("Rien à exporter pour l’instant. {}", still_needed(needed)),
        )),
        Group::Results(results) => Ok((workshop, quiz, results)),
    }
}

fn download(content_type: &'static str, filename: String, body: String) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    let mut response = (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response();
    private(&mut response);
    response
}

/// `GET /atelier/{id}/{key}/resultats.csv`
pub async fn export_csv(
    State(state): State<AppState>,
    FacilitatorPath(id, key): FacilitatorPath,
) -> Result<Response, AppError> {
    let (workshop, quiz, results) = export_results(&state, &id, &key).await?;
    Ok(download(
        "text/csv; charset=utf-8",
        format!("atelier-{}-resultats.csv", workshop.id),
        domain::export::csv(&workshop, &quiz, &results),
    ))
}

/// `GET /atelier/{id}/{key}/resultats.json`
pub async fn export_json(
    State(state): State<AppState>,
    FacilitatorPath(id, key): FacilitatorPath,
) -> Result<Response, AppError> {
    let (workshop, quiz, results) = export_results(&state, &id, &key).await?;
    let body = domain::export::json(&workshop, &quiz, &results, iso_hour(workshop.created_hour))
        .map_err(|e| AppError::internal(e.into()))?;
    Ok(download(
        "application/json; charset=utf-8",
        format!("atelier-{}-resultats.json", workshop.id),
        body,
    ))
}

/// Any other address under `/atelier/`: routed (not left to the book's
/// fallback) so that the log names the route template, not a path that
/// might hold a key.
pub async fn not_found() -> AppError {
    workshop_not_found()
}
