//! Quiz pages: the form, the submission, the result, its JSON and its
//! deletion, and the anonymous aggregates.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;

use super::chart::{self, Bar};
use super::path::Param;
use super::throttle::{Bucket, ClientKey};
use super::token::ResultToken;
use super::{AppError, AppState, markdown};
use crate::quiz::{Mode, QuestionKind, Quiz};
use crate::scoring::{self, Answer, Answers, FIELD_PREFIX, FormErrors, Outcome};
use crate::store::{NewResult, round_to_hour};

/// More fields than any honest form sends (a question's choices at most, a
/// version, a workshop).
const MAX_FIELDS: usize = 400;

// ---------------------------------------------------------------- views

#[derive(Serialize)]
pub(super) struct QuizPage {
    title: String,
    quiz_id: String,
    version: String,
    mode: &'static str,
    intro_html: Option<String>,
    chapter_url: Option<String>,
    action: String,
    questions: Vec<QuestionView>,
    general_errors: Vec<String>,
    error_count: usize,
    /// The join code of the workshop this form belongs to, if any.
    workshop: Option<String>,
    workshop_title: Option<String>,
}

#[derive(Serialize)]
struct QuestionView {
    id: String,
    field: String,
    number: usize,
    text: String,
    help: Option<String>,
    optional: bool,
    kind: &'static str,
    input_type: &'static str,
    max: Option<usize>,
    choices: Vec<ChoiceView>,
    min_label: Option<String>,
    max_label: Option<String>,
    error: Option<String>,
}

#[derive(Serialize)]
struct ChoiceView {
    value: String,
    label: String,
    input_id: String,
    checked: bool,
}

pub(super) fn quiz_page(
    quiz: &Quiz,
    submitted: &BTreeMap<String, BTreeSet<String>>,
    errors: &FormErrors,
    action: String,
) -> QuizPage {
    let questions = quiz
        .questions
        .iter()
        .enumerate()
        .map(|(index, question)| {
            let field = format!("{FIELD_PREFIX}{}", question.id);
            let previous = submitted.get(&field);
            let is_checked = |value: &str| previous.is_some_and(|set| set.contains(value));
            let (kind, input_type, max, choices, min_label, max_label) = match &question.kind {
                QuestionKind::Single | QuestionKind::Multiple { .. } => {
                    let multiple = matches!(question.kind, QuestionKind::Multiple { .. });
                    let choices = question
                        .choices
                        .iter()
                        .map(|choice| ChoiceView {
                            value: choice.id.clone(),
                            label: choice.label.clone(),
                            input_id: format!("{field}-{}", choice.id),
                            checked: is_checked(&choice.id),
                        })
                        .collect();
                    let max = match question.kind {
                        QuestionKind::Multiple { max } => max,
                        _ => None,
                    };
                    (
                        if multiple { "multiple" } else { "single" },
                        if multiple { "checkbox" } else { "radio" },
                        max,
                        choices,
                        None,
                        None,
                    )
                }
                QuestionKind::Scale {
                    min,
                    max,
                    min_label,
                    max_label,
                    ..
                } => {
                    let choices = (*min..=*max)
                        .map(|value| ChoiceView {
                            value: value.to_string(),
                            label: value.to_string(),
                            input_id: format!("{field}-{value}"),
                            checked: is_checked(&value.to_string()),
                        })
                        .collect();
                    (
                        "scale",
                        "radio",
                        None,
                        choices,
                        Some(min_label.clone()),
                        Some(max_label.clone()),
                    )
                }
            };
            QuestionView {
                id: question.id.clone(),
                field,
                number: index + 1,
                text: question.text.clone(),
                help: question.help.clone(),
                optional: question.optional,
                kind,
                input_type,
                max,
                choices,
                min_label,
                max_label,
                error: errors.by_question.get(&question.id).cloned(),
            }
        })
        .collect();
    QuizPage {
        title: quiz.title.clone(),
        quiz_id: quiz.id.clone(),
        version: quiz.version.clone(),
        mode: quiz.mode.as_str(),
        intro_html: quiz.intro.as_deref().map(markdown::to_html),
        chapter_url: quiz.chapter.as_ref().map(|c| chapter_url(&c.html_path())),
        action,
        questions,
        general_errors: errors.general.clone(),
        error_count: errors.by_question.len() + errors.general.len(),
        workshop: None,
        workshop_title: None,
    }
}

/// The bare form, as embedded in the book's chapters.
pub(super) fn render_form(templates: &super::Templates, quiz: &Quiz) -> anyhow::Result<String> {
    let page = quiz_page(
        quiz,
        &BTreeMap::new(),
        &FormErrors::default(),
        format!("/quiz/{}", quiz.id),
    );
    templates.render("quiz_form.html", &page)
}

/// A workshop's form: it posts to the workshop and says whose it is.
pub(super) fn for_workshop(mut page: QuizPage, join_code: &str, title: &str) -> QuizPage {
    page.action = format!("/a/{join_code}");
    page.workshop = Some(join_code.to_string());
    page.workshop_title = Some(title.to_string());
    page
}

// ---------------------------------------------------------------- handlers

fn find_quiz(state: &AppState, id: &str) -> Result<Arc<Quiz>, AppError> {
    state.catalog().get(id).cloned().ok_or_else(|| {
        AppError::NotFound(format!(
            "Aucun questionnaire ne porte l’identifiant «\u{a0}{}\u{a0}».",
            shorten(id)
        ))
    })
}

pub async fn show(
    State(state): State<AppState>,
    Param(id): Param<String>,
) -> Result<Response, AppError> {
    let quiz = find_quiz(&state, &id)?;
    // The blank form is the same for everyone: render it once per version.
    let key = format!("quiz/{}/{}", quiz.id, quiz.version);
    let body = state.cached_page(&key, || {
        let page = quiz_page(
            &quiz,
            &BTreeMap::new(),
            &FormErrors::default(),
            format!("/quiz/{}", quiz.id),
        );
        state.templates().render("quiz.html", &page)
    })?;
    let mut response = (StatusCode::OK, Html(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

pub async fn submit(
    State(state): State<AppState>,
    client: ClientKey,
    Param(id): Param<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    // The same limit as a workshop's answers: a script cannot fill the
    // statistics, a room sharing one address stays far below it.
    state.throttle(Bucket::Participation, client)?;
    let quiz = find_quiz(&state, &id)?;
    let fields = read_form(&headers, &body)?;
    // Workshop answers go to the workshop's own address, which checks it
    // is open: a workshop named here would be forged.
    if single_field(&fields, WORKSHOP_FIELD)?.is_some() {
        return Err(AppError::BadRequest(
            "Envoi refusé\u{a0}: les réponses d’un atelier s’envoient depuis la page de l’atelier. \
             Rien n’a été enregistré."
                .into(),
        ));
    }
    let answers = match check_answers(&state, &quiz, &fields, |page| page)? {
        Ok(answers) => answers,
        Err(refused) => return Ok(refused),
    };

    let token = ResultToken::generate();
    let result = new_result(&quiz, &answers, None)?;
    let store = state.store().clone();
    let hash = token.hash();
    tokio::task::spawn_blocking(move || store.insert_result(&hash, &result))
        .await
        .map_err(|e| AppError::internal(e.into()))?
        .map_err(|e| AppError::internal(e.into()))?;
    // The row is committed: only now may the participant be sent to it.
    Ok(Redirect::to(&format!("/r/{}", token.as_str())).into_response())
}

/// The hidden form field that names a workshop's join code.
pub(super) const WORKSHOP_FIELD: &str = "atelier";

/// Checks a submission against its quiz: the version the form was made
/// from, then every answer. A refused form comes back as its page (422),
/// each error next to its question and the valid answers kept; `decorate`
/// adapts that page (a workshop's form posts elsewhere).
pub(super) fn check_answers(
    state: &AppState,
    quiz: &Quiz,
    fields: &[(String, String)],
    decorate: impl FnOnce(QuizPage) -> QuizPage,
) -> Result<Result<Answers, Response>, AppError> {
    let version = single_field(fields, "version")?;
    if version.as_deref() != Some(quiz.version.as_str()) {
        return Err(AppError::Client(
            StatusCode::CONFLICT,
            "Ce questionnaire a été modifié depuis que vous avez ouvert la page\u{a0}: vos réponses n’ont pas été enregistrées. \
             Rechargez le questionnaire et répondez à nouveau."
                .into(),
        ));
    }

    match scoring::parse_form(quiz, fields) {
        Ok(answers) => Ok(Ok(answers)),
        Err(errors) => {
            let mut submitted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for (name, value) in fields {
                submitted
                    .entry(name.clone())
                    .or_default()
                    .insert(value.clone());
            }
            let page = decorate(quiz_page(
                quiz,
                &submitted,
                &errors,
                format!("/quiz/{}", quiz.id),
            ));
            Ok(Err(html_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                state.templates().render("quiz.html", &page)?,
            )))
        }
    }
}

pub(super) fn new_result(
    quiz: &Quiz,
    answers: &Answers,
    workshop_id: Option<i64>,
) -> Result<NewResult, AppError> {
    let outcome = scoring::score(quiz, answers);
    let (profile, score) = match &outcome {
        Outcome::SelfAssessment(o) => (Some(o.profile.clone()), Some(i64::from(o.overall))),
        Outcome::Knowledge(o) => (None, Some(i64::from(o.percent))),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Ok(NewResult {
        quiz_id: quiz.id.clone(),
        quiz_version: quiz.version.clone(),
        workshop_id,
        answers_json: serde_json::to_string(answers).map_err(|e| AppError::internal(e.into()))?,
        outcome_json: serde_json::to_string(&outcome).map_err(|e| AppError::internal(e.into()))?,
        profile,
        score,
        created_hour: round_to_hour(now),
    })
}

/// Reads an `application/x-www-form-urlencoded` body, refusing anything else.
pub(super) fn read_form(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Vec<(String, String)>, AppError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Err(AppError::Client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Envoi refusé\u{a0}: les réponses doivent venir du formulaire du questionnaire.".into(),
        ));
    }
    if std::str::from_utf8(body).is_err() {
        return Err(AppError::BadRequest(
            "Envoi refusé\u{a0}: le formulaire reçu n’est pas un texte valide (UTF-8).".into(),
        ));
    }
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| {
        AppError::BadRequest("Envoi refusé\u{a0}: le formulaire reçu est mal formé.".into())
    })?;
    if fields.len() > MAX_FIELDS {
        return Err(AppError::BadRequest(
            "Envoi refusé\u{a0}: le formulaire contient beaucoup trop de champs.".into(),
        ));
    }
    if fields
        .iter()
        .any(|(name, value)| name.contains('\u{fffd}') || value.contains('\u{fffd}'))
    {
        return Err(AppError::BadRequest(
            "Envoi refusé\u{a0}: le formulaire reçu n’est pas un texte valide (UTF-8).".into(),
        ));
    }
    Ok(fields)
}

/// A field that must appear at most once.
pub(super) fn single_field(
    fields: &[(String, String)],
    name: &str,
) -> Result<Option<String>, AppError> {
    let mut values = fields
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.clone());
    let first = values.next();
    if values.next().is_some() {
        return Err(AppError::BadRequest(format!(
            "Envoi refusé\u{a0}: le champ «\u{a0}{name}\u{a0}» est en double."
        )));
    }
    Ok(first)
}

// ---------------------------------------------------------------- result

#[derive(Serialize)]
struct ResultPage {
    title: String,
    quiz_id: String,
    quiz_title: String,
    token: String,
    created: String,
    stale_version: bool,
    /// Given in a workshop: deleted with it.
    in_workshop: bool,
    self_assessment: Option<SelfAssessmentView>,
    knowledge: Option<KnowledgeView>,
}

#[derive(Serialize)]
struct SelfAssessmentView {
    overall: u8,
    profile_label: String,
    profile_description: String,
    chart_svg: String,
    dimensions: Vec<DimensionView>,
    plan: Vec<StepView>,
}

#[derive(Serialize)]
struct DimensionView {
    label: String,
    percent: u8,
    answered: bool,
    description: Option<String>,
    chapter_url: Option<String>,
}

#[derive(Serialize)]
struct StepView {
    rank: usize,
    /// The action's short name, as in group results.
    action: String,
    title: String,
    /// Why this action was chosen, from the answers.
    reasons: Vec<String>,
    why: String,
    how_html: String,
    chapter_url: String,
    chapter_title: String,
    horizon: &'static str,
}

#[derive(Serialize)]
struct KnowledgeView {
    correct: usize,
    total: usize,
    percent: u8,
    questions: Vec<KnowledgeQuestionView>,
    /// The chapter to read again.
    chapter_url: Option<String>,
    chapter_title: Option<String>,
}

#[derive(Serialize)]
struct KnowledgeQuestionView {
    number: usize,
    text: String,
    correct: bool,
    /// Some right choices ticked, not all (or with wrong ones).
    partial: bool,
    choices: Vec<KnowledgeChoiceView>,
}

#[derive(Serialize)]
struct KnowledgeChoiceView {
    label: String,
    chosen: bool,
    correct: bool,
    explanation: Option<String>,
}

struct LoadedResult {
    quiz: Arc<Quiz>,
    stored: crate::store::StoredResult,
    answers: Answers,
    outcome: Outcome,
}

async fn load_result(state: &AppState, token: &str) -> Result<LoadedResult, AppError> {
    let gone = || AppError::NotFound("Ce résultat n’existe pas ou a été supprimé.".into());
    let token = ResultToken::parse(token).ok_or_else(gone)?;
    let store = state.store().clone();
    let hash = token.hash();
    let stored = tokio::task::spawn_blocking(move || store.find_result(&hash))
        .await
        .map_err(|e| AppError::internal(e.into()))?
        .map_err(|e| AppError::internal(e.into()))?
        .ok_or_else(gone)?;
    let quiz = state
        .catalog()
        .get(&stored.quiz_id)
        .cloned()
        .ok_or_else(gone)?;
    let answers: Answers =
        serde_json::from_str(&stored.answers_json).map_err(|e| AppError::internal(e.into()))?;
    let outcome: Outcome =
        serde_json::from_str(&stored.outcome_json).map_err(|e| AppError::internal(e.into()))?;
    Ok(LoadedResult {
        quiz,
        stored,
        answers,
        outcome,
    })
}

pub async fn result(
    State(state): State<AppState>,
    Param(token): Param<String>,
) -> Result<Response, AppError> {
    let loaded = load_result(&state, &token).await?;
    let page = result_page(&state, &loaded, &token);
    let mut response = html_page(
        StatusCode::OK,
        state.templates().render("result.html", &page)?,
    );
    private(&mut response);
    Ok(response)
}

fn result_page(state: &AppState, loaded: &LoadedResult, token: &str) -> ResultPage {
    let quiz = &loaded.quiz;
    let (self_assessment, knowledge) = match &loaded.outcome {
        Outcome::SelfAssessment(outcome) => {
            let dimensions: Vec<DimensionView> = outcome
                .dimensions
                .iter()
                .filter_map(|score| {
                    let dimension = quiz.dimension(&score.dimension)?;
                    Some(DimensionView {
                        label: dimension.label.clone(),
                        percent: score.percent,
                        answered: score.answered,
                        description: dimension.description.clone(),
                        chapter_url: dimension
                            .chapter
                            .as_ref()
                            .map(|c| chapter_url(&c.html_path())),
                    })
                })
                .collect();
            let bars: Vec<Bar<'_>> = dimensions
                .iter()
                .map(|d| Bar {
                    label: &d.label,
                    value: d.percent,
                })
                .collect();
            let plan = crate::scoring::plan_steps(quiz, &loaded.answers, outcome)
                .into_iter()
                .enumerate()
                .map(|(index, step)| StepView {
                    rank: index + 1,
                    action: step.recommendation.title.clone(),
                    title: step.variant.title.clone(),
                    reasons: step.reasons,
                    why: step.variant.why.clone(),
                    how_html: markdown::to_html(&step.variant.how),
                    chapter_url: chapter_url(&step.variant.chapter.html_path()),
                    chapter_title: state.chapter_title(&step.variant.chapter.path),
                    horizon: step.variant.horizon.label(),
                })
                .collect();
            let profile = quiz.profile(&outcome.profile);
            (
                Some(SelfAssessmentView {
                    overall: outcome.overall,
                    profile_label: profile
                        .map(|p| p.label.clone())
                        .unwrap_or_else(|| outcome.profile.clone()),
                    profile_description: profile.map(|p| p.description.clone()).unwrap_or_default(),
                    chart_svg: chart::bars(&bars),
                    dimensions,
                    plan,
                }),
                None,
            )
        }
        Outcome::Knowledge(outcome) => {
            let questions = quiz
                .questions
                .iter()
                .enumerate()
                .map(|(index, question)| {
                    let chosen: BTreeSet<&str> = match loaded.answers.get(&question.id) {
                        Some(Answer::Choices(ids)) => ids.iter().map(String::as_str).collect(),
                        _ => BTreeSet::new(),
                    };
                    let result = outcome.questions.iter().find(|r| r.question == question.id);
                    KnowledgeQuestionView {
                        number: index + 1,
                        text: question.text.clone(),
                        correct: result.is_some_and(|r| r.correct),
                        partial: result.is_some_and(|r| r.partial()),
                        choices: question
                            .choices
                            .iter()
                            .map(|choice| KnowledgeChoiceView {
                                label: choice.label.clone(),
                                chosen: chosen.contains(choice.id.as_str()),
                                correct: choice.correct,
                                explanation: choice.explanation.clone(),
                            })
                            .collect(),
                    }
                })
                .collect();
            (
                None,
                Some(KnowledgeView {
                    correct: outcome.correct,
                    total: outcome.total,
                    percent: outcome.percent,
                    questions,
                    chapter_url: quiz.chapter.as_ref().map(|c| chapter_url(&c.html_path())),
                    chapter_title: quiz.chapter.as_ref().map(|c| state.chapter_title(&c.path)),
                }),
            )
        }
    };
    ResultPage {
        title: format!("Votre résultat — {}", quiz.title),
        quiz_id: quiz.id.clone(),
        quiz_title: quiz.title.clone(),
        token: token.to_string(),
        created: format_hour(loaded.stored.created_hour),
        stale_version: loaded.stored.quiz_version != quiz.version,
        in_workshop: loaded.stored.workshop_id.is_some(),
        self_assessment,
        knowledge,
    }
}

/// "Download my answers": everything stored for this result, nothing more.
pub async fn result_json(
    State(state): State<AppState>,
    Param(token): Param<String>,
) -> Result<Response, AppError> {
    let loaded = load_result(&state, &token).await?;
    #[derive(Serialize)]
    struct Export<'a> {
        quiz_id: &'a str,
        quiz_version: &'a str,
        quiz_title: &'a str,
        created_hour_utc: String,
        answers: &'a Answers,
        outcome: &'a Outcome,
    }
    let export = Export {
        quiz_id: &loaded.stored.quiz_id,
        quiz_version: &loaded.stored.quiz_version,
        quiz_title: &loaded.quiz.title,
        created_hour_utc: iso_hour(loaded.stored.created_hour),
        answers: &loaded.answers,
        outcome: &loaded.outcome,
    };
    let body = serde_json::to_string_pretty(&export).map_err(|e| AppError::internal(e.into()))?;
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"chezsoi-mes-reponses.json\""),
            ),
        ],
        body,
    )
        .into_response();
    private(&mut response);
    Ok(response)
}

pub async fn delete(
    State(state): State<AppState>,
    Param(token): Param<String>,
) -> Result<Response, AppError> {
    let gone = || AppError::NotFound("Ce résultat n’existe pas ou a déjà été supprimé.".into());
    let token = ResultToken::parse(&token).ok_or_else(gone)?;
    let store = state.store().clone();
    let hash = token.hash();
    let deleted = tokio::task::spawn_blocking(move || store.delete_result(&hash))
        .await
        .map_err(|e| AppError::internal(e.into()))?
        .map_err(|e| AppError::internal(e.into()))?;
    if !deleted {
        return Err(gone());
    }
    #[derive(Serialize)]
    struct Deleted {
        title: &'static str,
    }
    let mut response = html_page(
        StatusCode::OK,
        state.templates().render(
            "deleted.html",
            &Deleted {
                title: "Résultat supprimé",
            },
        )?,
    );
    private(&mut response);
    Ok(response)
}

// ---------------------------------------------------------------- stats

#[derive(Serialize)]
struct StatsPage {
    title: String,
    quiz_id: String,
    quiz_title: String,
    min_group: usize,
    enough: bool,
    count: usize,
    mode: &'static str,
    profiles: Vec<BucketView>,
    dimensions: Vec<DimensionView>,
    chart_svg: String,
    knowledge_average: Option<u8>,
}

#[derive(Serialize)]
struct BucketView {
    label: String,
    /// None when the bucket holds fewer than `min_group` results (empty included).
    count: Option<usize>,
    percent: Option<u8>,
}

pub async fn stats(
    State(state): State<AppState>,
    Param(id): Param<String>,
) -> Result<Response, AppError> {
    let quiz = find_quiz(&state, &id)?;
    let store = state.store().clone();
    let quiz_id = quiz.id.clone();
    let outcomes = tokio::task::spawn_blocking(move || store.quiz_outcomes(&quiz_id))
        .await
        .map_err(|e| AppError::internal(e.into()))?
        .map_err(|e| AppError::internal(e.into()))?;
    let outcomes: Vec<Outcome> = outcomes
        .iter()
        .filter_map(|json| serde_json::from_str(json).ok())
        .collect();
    let min_group = state.min_group();
    let count = outcomes.len();
    let enough = count >= min_group;

    let mut page = StatsPage {
        title: format!("Statistiques anonymes — {}", quiz.title),
        quiz_id: quiz.id.clone(),
        quiz_title: quiz.title.clone(),
        min_group,
        enough,
        count: if enough { count } else { 0 },
        mode: quiz.mode.as_str(),
        profiles: Vec::new(),
        dimensions: Vec::new(),
        chart_svg: String::new(),
        knowledge_average: None,
    };
    if enough {
        match quiz.mode {
            Mode::SelfAssessment => {
                let assessments: Vec<_> = outcomes
                    .iter()
                    .filter_map(|o| match o {
                        Outcome::SelfAssessment(a) => Some(a),
                        Outcome::Knowledge(_) => None,
                    })
                    .collect();
                page.profiles = quiz
                    .profiles
                    .iter()
                    .map(|profile| {
                        let n = assessments
                            .iter()
                            .filter(|a| a.profile == profile.id)
                            .count();
                        let shown = n >= min_group;
                        BucketView {
                            label: profile.label.clone(),
                            count: shown.then_some(n),
                            percent: shown.then(|| percent(n, count)),
                        }
                    })
                    .collect();
                page.dimensions = quiz
                    .dimensions
                    .iter()
                    .map(|dimension| {
                        let values: Vec<u8> = assessments
                            .iter()
                            .filter_map(|a| {
                                a.dimensions
                                    .iter()
                                    .find(|d| d.dimension == dimension.id && d.answered)
                            })
                            .map(|d| d.percent)
                            .collect();
                        let average = if values.is_empty() {
                            0
                        } else {
                            percent(
                                values.iter().map(|v| usize::from(*v)).sum(),
                                values.len() * 100,
                            )
                        };
                        DimensionView {
                            label: dimension.label.clone(),
                            percent: average,
                            answered: !values.is_empty(),
                            description: dimension.description.clone(),
                            chapter_url: None,
                        }
                    })
                    .collect();
                let bars: Vec<Bar<'_>> = page
                    .dimensions
                    .iter()
                    .map(|d| Bar {
                        label: &d.label,
                        value: d.percent,
                    })
                    .collect();
                page.chart_svg = chart::bars(&bars);
            }
            Mode::Knowledge => {
                let sum: usize = outcomes
                    .iter()
                    .filter_map(|o| match o {
                        Outcome::Knowledge(k) => Some(usize::from(k.percent)),
                        Outcome::SelfAssessment(_) => None,
                    })
                    .sum();
                page.knowledge_average = Some(percent(sum, count * 100));
            }
        }
    }
    Ok(html_page(
        StatusCode::OK,
        state.templates().render("stats.html", &page)?,
    ))
}

// ---------------------------------------------------------------- helpers

/// `part / whole` as a rounded percentage.
fn percent(part: usize, whole: usize) -> u8 {
    if whole == 0 {
        return 0;
    }
    ((part * 100 + whole / 2) / whole).min(100) as u8
}

pub(super) fn html_page(status: StatusCode, body: String) -> Response {
    let mut response = (status, Html(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Results are private: never cached, never indexed.
pub(super) fn private(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
}

/// A site URL for a book page, safe to place unescaped in an attribute
/// (Tera would otherwise escape every `/`).
fn chapter_url(html_path: &str) -> String {
    let mut url = String::from("/");
    for c in html_path.chars() {
        match c {
            '"' | '\'' | '<' | '>' | '&' | ' ' | '\\' => {
                url.push_str(&format!("%{:02X}", c as u32))
            }
            c => url.push(c),
        }
    }
    url
}

/// A text from the request, cut for a message, without control characters
/// (a NUL or an escape sequence has no place in a page).
pub(super) fn shorten(text: &str) -> String {
    let mut chars = text.chars().filter(|c| !c.is_control());
    let mut short: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() {
        short.push('…');
    }
    short
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// "le 27/11/2026 vers 10 h (UTC)": the stored hour, no finer.
pub(super) fn format_hour(unix: i64) -> String {
    let (y, m, d) = civil_from_days(unix.div_euclid(86_400));
    let hour = unix.rem_euclid(86_400) / 3600;
    format!("le {d:02}/{m:02}/{y} vers {hour} h (UTC)")
}

pub(super) fn iso_hour(unix: i64) -> String {
    let (y, m, d) = civil_from_days(unix.div_euclid(86_400));
    let hour = unix.rem_euclid(86_400) / 3600;
    format!("{y:04}-{m:02}-{d:02}T{hour:02}:00:00Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_hours_in_french_and_iso() {
        assert_eq!(format_hour(0), "le 01/01/1970 vers 0 h (UTC)");
        // 2026-11-27T10:00:00Z
        assert_eq!(iso_hour(1_795_773_600), "2026-11-27T10:00:00Z");
        assert_eq!(format_hour(1_795_773_600), "le 27/11/2026 vers 10 h (UTC)");
    }

    #[test]
    fn percentages_round_half_up() {
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 67);
        assert_eq!(percent(0, 0), 0);
    }
}
