//! A result's pages: `GET /r/{token}` (profile, scores, chart and plan —
//! with the actions ticked off, and the evolution since the earlier result
//! when its owner linked them — or the corrections of a knowledge check),
//! `GET /r/{token}/reponses.json` (everything stored for it, the linked
//! history included) and `POST /r/{token}/supprimer` (asks for
//! confirmation, then deletes). Following the plan (ticking, reminder) is
//! in `plan`, re-taking in `retake`.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde::Serialize;

use super::changes::{self, ChangeRow};
use super::error::AppError;
use super::form::{self, FormBody};
use super::pages;
use super::path::Param;
use super::same_origin::SameOrigin;
use super::state::{AppState, blocking};
use super::token::ResultToken;
use crate::quiz::Quiz;
use crate::scoring::{Answer, Answers, Outcome, SelfAssessmentOutcome};
use crate::store::StoredResult;
use crate::views::calendar;
use crate::views::charts::{self, Bar};
use crate::views::dates::{format_hour, iso_hour};
use crate::views::{chapter_url, markdown, numbers};

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

/// « Suivre mon plan »: the reminder's form and the way to re-take.
#[derive(Serialize)]
struct FollowView {
    /// The reminder's date by default (three months from today), and the
    /// dates the form accepts, as a date field writes them.
    reminder_date: String,
    reminder_min: String,
    reminder_max: String,
    /// The default date in French.
    reminder_date_text: String,
    retake_url: String,
    /// For a result given in a workshop: the day it is erased, in French.
    erased_text: Option<String>,
}

/// How far the reader has got with the plan.
#[derive(Serialize)]
pub struct ProgressView {
    pub done: usize,
    pub total: usize,
    /// « Vous avez fait 2 actions sur 5. »
    pub text: String,
    /// `done` out of `total`, 0–100, for the bar.
    pub percent: u8,
}

/// The evolution since the earlier result this one is linked to.
#[derive(Serialize)]
struct EvolutionView {
    /// When the earlier result was given.
    since: String,
    chart_svg: String,
    /// The overall score, then each dimension.
    rows: Vec<ChangeRow>,
    /// What was ticked off on the earlier result: done since.
    completed: Vec<String>,
    /// Every linked result, oldest first, then this one: when, and the
    /// overall score (only when more than two are linked).
    history: Vec<HistoryRow>,
}

#[derive(Serialize)]
struct HistoryRow {
    created: String,
    overall: Option<u8>,
    current: bool,
}

#[derive(Serialize)]
struct SelfAssessmentView {
    overall: u8,
    profile_label: String,
    profile_description: String,
    chart_svg: String,
    dimensions: Vec<DimensionView>,
    plan: Vec<StepView>,
    progress: ProgressView,
    /// Actions this plan leaves out because they were done (ticked off on
    /// the results this one follows): their names.
    already_done: Vec<String>,
    follow: FollowView,
    evolution: Option<EvolutionView>,
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
    /// The action's id: what ticking it off sends.
    id: String,
    /// Ticked off by the reader.
    done: bool,
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
    pub token: String,
    /// The token's SHA-256, the result's key in the store.
    pub hash: [u8; 32],
    pub quiz: Arc<Quiz>,
    pub stored: StoredResult,
    pub answers: Answers,
    pub outcome: Outcome,
}

/// For a result given in a workshop: the day it is erased with the workshop
/// (its expiry, `--retention-days`), or `None` for any other result, or a
/// workshop already gone.
pub async fn erased_on(
    state: &AppState,
    loaded: &LoadedResult,
) -> Result<Option<time::Date>, AppError> {
    let Some(workshop_id) = loaded.stored.workshop_id else {
        return Ok(None);
    };
    let workshop = blocking(state, move |store| store.workshop_by_id(workshop_id)).await?;
    let retention = state.workshops().settings().retention_days;
    Ok(workshop.and_then(|workshop| {
        let hour = crate::workshop::expiry(workshop.created_hour, retention);
        time::OffsetDateTime::from_unix_timestamp(hour)
            .ok()
            .map(|at| at.date())
    }))
}

impl FromRequestParts<AppState> for LoadedResult {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Param(token) = Param::<String>::from_request_parts(parts, state).await?;
        load_result(state, token).await
    }
}

pub async fn load_result(state: &AppState, token: String) -> Result<LoadedResult, AppError> {
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
        hash,
        quiz,
        stored,
        answers,
        outcome,
    })
}

/// The results a result follows (its owner linked them), newest first.
async fn history(state: &AppState, loaded: &LoadedResult) -> Result<Vec<StoredResult>, AppError> {
    if loaded.stored.previous_hash.is_none() {
        return Ok(Vec::new());
    }
    let stored = loaded.stored.clone();
    let quiz_id = loaded.quiz.id.clone();
    let mut history = blocking(state, move |store| store.result_history(&stored)).await?;
    // A re-take is of the same quiz; anything else is not this evolution.
    history.retain(|previous| previous.quiz_id == quiz_id);
    Ok(history)
}

pub async fn show(
    State(state): State<AppState>,
    loaded: LoadedResult,
) -> Result<Response, AppError> {
    let history = history(&state, &loaded).await?;
    let erased = erased_on(&state, &loaded).await?;
    let page = result_page(&state, &loaded, &history, erased);
    Ok(pages::private(pages::render(
        &state,
        StatusCode::OK,
        "result.html",
        &page,
    )?))
}

/// The progress line of a plan of `total` actions, `done` of them ticked.
pub fn progress(done: usize, total: usize) -> ProgressView {
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let mut text = format!(
        "Vous avez fait {} sur {}.",
        numbers::count(count(done), "action", "actions"),
        numbers::integer(count(total))
    );
    if total > 0 && done >= total {
        text.push_str(" Tout votre plan est fait\u{a0}: refaites le diagnostic pour la suite.");
    }
    ProgressView {
        done,
        total,
        text,
        // An empty plan (everything done before the re-take) is at 0 %.
        percent: (done.min(total) * 100)
            .checked_div(total)
            .map_or(0, |percent| u8::try_from(percent).unwrap_or(100)),
    }
}

/// The actions of a self-assessment's plan as shown, with their ids.
pub fn shown_plan(loaded: &LoadedResult, outcome: &SelfAssessmentOutcome) -> Vec<String> {
    crate::scoring::plan_steps(&loaded.quiz, &loaded.answers, outcome)
        .iter()
        .map(|step| step.recommendation.id.clone())
        .collect()
}

/// The names of the actions `ids`, those the quiz still has.
fn action_titles(quiz: &Quiz, ids: &[String]) -> Vec<String> {
    ids.iter()
        .filter_map(|id| quiz.recommendation(id))
        .map(|recommendation| recommendation.title.clone())
        .collect()
}

fn follow_view(token: &str, erased: Option<time::Date>) -> FollowView {
    let today = time::OffsetDateTime::now_utc().date();
    let (first, last) = calendar::reminder_range(today);
    let default = calendar::three_months_after(today);
    FollowView {
        reminder_date: calendar::iso_date(default),
        reminder_min: calendar::iso_date(first),
        reminder_max: calendar::iso_date(last),
        reminder_date_text: calendar::french_date(default),
        retake_url: format!("/r/{token}/refaire"),
        erased_text: erased.map(calendar::french_date),
    }
}

/// The evolution from the newest of `history` (the result this one follows)
/// to this one.
fn evolution_view(
    quiz: &Quiz,
    outcome: &SelfAssessmentOutcome,
    created_hour: i64,
    history: &[StoredResult],
) -> Option<EvolutionView> {
    let previous = history.first()?;
    let Ok(Outcome::SelfAssessment(before)) =
        serde_json::from_str::<Outcome>(&previous.outcome_json)
    else {
        return None;
    };
    let mut rows = vec![ChangeRow::new(
        "Score global".to_string(),
        Some(before.overall),
        Some(outcome.overall),
    )];
    for score in &outcome.dimensions {
        let Some(dimension) = quiz.dimension(&score.dimension) else {
            continue;
        };
        let earlier = before
            .dimensions
            .iter()
            .find(|d| d.dimension == score.dimension && d.answered)
            .map(|d| d.percent);
        let now = score.answered.then_some(score.percent);
        rows.push(ChangeRow::new(dimension.label.clone(), earlier, now));
    }
    let chart_svg = changes::chart(&rows);
    let mut history_rows: Vec<HistoryRow> = history
        .iter()
        .rev()
        .map(|stored| HistoryRow {
            created: format_hour(stored.created_hour),
            overall: match serde_json::from_str::<Outcome>(&stored.outcome_json) {
                Ok(Outcome::SelfAssessment(o)) => Some(o.overall),
                _ => None,
            },
            current: false,
        })
        .collect();
    history_rows.push(HistoryRow {
        created: format_hour(created_hour),
        overall: Some(outcome.overall),
        current: true,
    });
    Some(EvolutionView {
        since: format_hour(previous.created_hour),
        chart_svg,
        rows,
        completed: action_titles(quiz, &previous.done_actions),
        history: if history_rows.len() > 2 {
            history_rows
        } else {
            Vec::new()
        },
    })
}

fn result_page(
    state: &AppState,
    loaded: &LoadedResult,
    history: &[StoredResult],
    erased: Option<time::Date>,
) -> ResultPage {
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
                    id: step.recommendation.id.clone(),
                    done: loaded.stored.done_actions.contains(&step.recommendation.id),
                    action: step.recommendation.title.clone(),
                    title: step.variant.title.clone(),
                    reasons: step.reasons,
                    why: step.variant.why.clone(),
                    how_html: markdown::to_html(&step.variant.how),
                    chapter_url: chapter_url(&step.variant.chapter.html_path()),
                    chapter_title: state.chapter_title(&step.variant.chapter.path),
                    horizon: step.variant.horizon.label(),
                })
                .collect::<Vec<StepView>>();
            let done = plan.iter().filter(|step| step.done).count();
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
                    progress: progress(done, plan.len()),
                    plan,
                    already_done: action_titles(quiz, &outcome.already_done),
                    follow: follow_view(&loaded.token, erased),
                    evolution: evolution_view(quiz, outcome, loaded.stored.created_hour, history),
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

/// "Download my answers": everything stored for this result, nothing more:
/// its answers, outcome and ticked actions, and the results it is linked to
/// (its history, newest first) — their content, never their keys.
pub async fn download(
    State(state): State<AppState>,
    loaded: LoadedResult,
) -> Result<Response, AppError> {
    #[derive(Serialize)]
    struct Export<'a> {
        quiz_id: &'a str,
        quiz_version: &'a str,
        quiz_title: &'a str,
        created_hour_utc: String,
        answers: &'a Answers,
        outcome: &'a Outcome,
        done_actions: &'a [String],
        /// Linked at re-taking: true when `history` follows.
        linked: bool,
        history: Vec<Earlier<'a>>,
    }
    #[derive(Serialize)]
    struct Earlier<'a> {
        quiz_version: &'a str,
        created_hour_utc: String,
        answers: serde_json::Value,
        outcome: serde_json::Value,
        done_actions: &'a [String],
    }
    let stored_history = history(&state, &loaded).await?;
    let history = stored_history
        .iter()
        .map(|earlier| -> Result<Earlier<'_>, serde_json::Error> {
            Ok(Earlier {
                quiz_version: &earlier.quiz_version,
                created_hour_utc: iso_hour(earlier.created_hour),
                answers: serde_json::from_str(&earlier.answers_json)?,
                outcome: serde_json::from_str(&earlier.outcome_json)?,
                done_actions: &earlier.done_actions,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let export = Export {
        quiz_id: &loaded.stored.quiz_id,
        quiz_version: &loaded.stored.quiz_version,
        quiz_title: &loaded.quiz.title,
        created_hour_utc: iso_hour(loaded.stored.created_hour),
        answers: &loaded.answers,
        outcome: &loaded.outcome,
        done_actions: &loaded.stored.done_actions,
        linked: !history.is_empty(),
        history,
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
    body: FormBody,
) -> Result<Response, AppError> {
    let gone = || AppError::NotFound("Ce résultat n’existe pas ou a déjà été supprimé.".into());
    let parsed = ResultToken::parse(&token).ok_or_else(gone)?;
    let fields = body.fields()?;
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
