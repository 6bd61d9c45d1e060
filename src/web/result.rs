//! A result's pages: `GET /r/{token}` (profile, scores, chart and plan, or
//! the corrections of a knowledge check), `GET /r/{token}/reponses.json`
//! (everything stored for it) and `POST /r/{token}/supprimer` (asks for
//! confirmation, then deletes).

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;

use super::error::AppError;
use super::form;
use super::pages;
use super::path::Param;
use super::same_origin::SameOrigin;
use super::state::{AppState, blocking};
use super::token::ResultToken;
use crate::quiz::Quiz;
use crate::scoring::{Answer, Answers, Outcome};
use crate::store::StoredResult;
use crate::views::charts::{self, Bar};
use crate::views::dates::{format_hour, iso_hour};
use crate::views::{chapter_url, markdown};

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

/// The result a permalink (`/r/{token}/…`) designates, with its quiz; a
/// malformed, unknown or deleted token is one 404.
pub struct LoadedResult {
    token: String,
    quiz: Arc<Quiz>,
    stored: StoredResult,
    answers: Answers,
    outcome: Outcome,
}

impl FromRequestParts<AppState> for LoadedResult {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Param(token) = Param::<String>::from_request_parts(parts, state).await?;
        load_result(state, token).await
    }
}

async fn load_result(state: &AppState, token: String) -> Result<LoadedResult, AppError> {
    let gone = || AppError::NotFound("Ce résultat n’existe pas ou a été supprimé.".into());
    let hash = ResultToken::parse(&token).ok_or_else(gone)?.hash();
    let stored = blocking(state, move |store| store.find_result(&hash))
        .await?
        .ok_or_else(gone)?;
    let quiz = state
        .catalog()
        .get(&stored.quiz_id)
        .cloned()
        .ok_or_else(gone)?;
    let answers: Answers = serde_json::from_str(&stored.answers_json)?;
    let outcome: Outcome = serde_json::from_str(&stored.outcome_json)?;
    Ok(LoadedResult {
        token,
        quiz,
        stored,
        answers,
        outcome,
    })
}

pub async fn show(
    State(state): State<AppState>,
    loaded: LoadedResult,
) -> Result<Response, AppError> {
    let page = result_page(&state, &loaded);
    Ok(pages::private(pages::render(
        &state,
        StatusCode::OK,
        "result.html",
        &page,
    )?))
}

fn result_page(state: &AppState, loaded: &LoadedResult) -> ResultPage {
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
                    chart_svg: charts::bars(&bars),
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
        token: loaded.token.clone(),
        created: format_hour(loaded.stored.created_hour),
        stale_version: loaded.stored.quiz_version != quiz.version,
        in_workshop: loaded.stored.workshop_id.is_some(),
        self_assessment,
        knowledge,
    }
}

/// "Download my answers": everything stored for this result, nothing more.
pub async fn download(loaded: LoadedResult) -> Result<Response, AppError> {
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
    Ok(pages::download(
        "application/json; charset=utf-8",
        "chezsoi-mes-reponses.json",
        serde_json::to_string_pretty(&export)?,
    ))
}

/// `GET /r/{token}/supprimer`: the page that asks to confirm a deletion,
/// where the result page's button leads without JavaScript. A page of its
/// own (not the answer to a POST): after the deletion, Back comes to it and
/// asks the server again, which says the result is gone.
pub async fn confirm_delete(
    State(state): State<AppState>,
    Param(token): Param<String>,
) -> Result<Response, AppError> {
    confirmation_page(&state, token).await
}

async fn confirmation_page(state: &AppState, token: String) -> Result<Response, AppError> {
    let loaded = load_result(state, token).await?;
    #[derive(Serialize)]
    struct Confirm {
        title: &'static str,
        token: String,
        quiz_title: String,
        created: String,
    }
    Ok(pages::private(pages::render(
        state,
        StatusCode::OK,
        "result_delete.html",
        &Confirm {
            title: "Supprimer ce résultat\u{a0}?",
            token: loaded.token,
            quiz_title: loaded.quiz.title.clone(),
            created: format_hour(loaded.stored.created_hour),
        },
    )?))
}

/// `POST /r/{token}/supprimer`, from a page of this site only (another
/// site's page cannot make a visitor's browser delete their result):
/// deletes the result once confirmed (the form's `confirmation=oui`).
/// Without it, nothing is deleted: the page that asks for confirmation,
/// whose form sends it.
pub async fn delete(
    State(state): State<AppState>,
    Param(token): Param<String>,
    _: SameOrigin,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let gone = || AppError::NotFound("Ce résultat n’existe pas ou a déjà été supprimé.".into());
    let parsed = ResultToken::parse(&token).ok_or_else(gone)?;
    let fields = form::read(&headers, &body)?;
    if form::single(&fields, "confirmation")?.as_deref() != Some("oui") {
        return confirmation_page(&state, token).await;
    }
    let hash = parsed.hash();
    let deleted = blocking(&state, move |store| store.delete_result(&hash)).await?;
    if !deleted {
        return Err(gone());
    }
    #[derive(Serialize)]
    struct Deleted {
        title: &'static str,
    }
    Ok(pages::changed(pages::private(pages::render(
        &state,
        StatusCode::OK,
        "deleted.html",
        &Deleted {
            title: "Résultat supprimé",
        },
    )?)))
}
