//! `GET` and `POST /atelier/nouveau`: creating a workshop from the web.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use super::facilitator_path;
use crate::quiz::Mode;
use crate::web::client::ClientKey;
use crate::web::error::AppError;
use crate::web::form::{self, FormBody};
use crate::web::pages;
use crate::web::state::{AppState, blocking};
use crate::web::throttle::Bucket;
use crate::workshop::{
    self as domain, DEFAULT_MIN_GROUP, RequestError, TITLE_MAX_CHARS, WorkshopRequest,
};

/// A workshop form's fields as typed: `titre`, `minimum` and, on the
/// creation form, `questionnaire` (a follow-up takes its first one's quiz).
pub(super) struct WorkshopForm {
    pub title: String,
    pub quiz_id: String,
    pub min_text: String,
}

impl WorkshopForm {
    /// Reads the form; `quiz_id`, when given, stands for its
    /// `questionnaire` field.
    pub fn read(fields: &form::Fields, quiz_id: Option<&str>) -> Result<WorkshopForm, AppError> {
        let quiz_id = match quiz_id {
            Some(id) => id.to_string(),
            None => form::single(fields, "questionnaire")?.unwrap_or_default(),
        };
        Ok(WorkshopForm {
            title: form::single(fields, "titre")?.unwrap_or_default(),
            quiz_id,
            min_text: form::single(fields, "minimum")?.unwrap_or_default(),
        })
    }

    /// The workshop asked for, checked against the quizzes there are, or
    /// every error at once.
    pub fn validate(&self, state: &AppState) -> Result<WorkshopRequest, Vec<RequestError>> {
        let catalog = state.catalog();
        WorkshopRequest {
            title: self.title.clone(),
            quiz_id: self.quiz_id.clone(),
            // Anything that is not a number is out of range, and said so.
            min_group: self.min_text.trim().parse().unwrap_or(0),
        }
        .validate(|id| catalog.get(id).is_some())
    }
}

/// Where creating a workshop leads: its management page, under the
/// facilitator's private link.
pub(super) fn to_management(created: &domain::Created) -> Response {
    pages::private(
        Redirect::to(&format!(
            "{}/gestion",
            facilitator_path(&created.workshop, &created.key)
        ))
        .into_response(),
    )
}

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

pub async fn form(State(state): State<AppState>) -> Result<Response, AppError> {
    let page = new_workshop_page(
        &state,
        "",
        "diagnostic",
        &DEFAULT_MIN_GROUP.to_string(),
        Vec::new(),
    );
    pages::render(&state, StatusCode::OK, "workshop_new.html", &page)
}

pub async fn create(
    State(state): State<AppState>,
    client: ClientKey,
    body: FormBody,
) -> Result<Response, AppError> {
    state.throttle(Bucket::Creation, client)?;
    let fields = body.fields()?;
    let typed = WorkshopForm::read(&fields, None)?;
    let request = match typed.validate(&state) {
        Ok(request) => request,
        Err(errors) => {
            let errors = errors
                .iter()
                .map(|error: &RequestError| FieldError {
                    field: error.field(),
                    message: capitalize(&error.to_string()),
                })
                .collect();
            let page = new_workshop_page(
                &state,
                &typed.title,
                &typed.quiz_id,
                &typed.min_text,
                errors,
            );
            return pages::render(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                "workshop_new.html",
                &page,
            );
        }
    };
    let now = domain::now_unix();
    let created = blocking(&state, move |store| domain::create(store, &request, now)).await?;
    Ok(to_management(&created))
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
