//! The one way answers become a result, for `POST /quiz/{id}` and
//! `POST /a/{CODE}` alike: throttle → find where they go → read the form →
//! check the answers → draw a token → store → redirect to the result
//! (POST/redirect/GET). Every refusal stores nothing.

use std::future::Future;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

use super::error::AppError;
use super::form::{self, WORKSHOP_FIELD};
use super::pages;
use super::path::Param;
use super::state::{AppState, blocking};
use super::throttle::{Bucket, ClientKey};
use super::token::ResultToken;
use crate::quiz::Quiz;
use crate::scoring::{self, Answers, FormErrors, Outcome};
use crate::store::{Inserted, NewResult, Workshop, round_to_hour};
use crate::views::forms::{self, QuizPage};
use crate::workshop::normalize_join_code;

/// Where answers go: a quiz on its own, or a workshop's quiz.
pub struct Destination {
    pub quiz: Arc<Quiz>,
    pub workshop: Option<Workshop>,
}

impl Destination {
    /// The form of this destination, blank or as submitted with its errors.
    pub fn page(&self, submitted: &forms::Submitted, errors: &FormErrors) -> QuizPage {
        let page = QuizPage::new(&self.quiz, submitted, errors);
        match &self.workshop {
            Some(workshop) => page.for_workshop(&workshop.join_code, &workshop.title),
            None => page,
        }
    }
}

/// An address answers are posted to: a quiz id (`/quiz/{id}`) or a
/// workshop's join code (`/a/{code}`).
pub trait Address: DeserializeOwned + Send + 'static {
    /// Where answers posted here go, or the page that says why they
    /// cannot (an unknown or closed workshop).
    fn destination(
        self,
        state: &AppState,
    ) -> impl Future<Output = Result<Result<Destination, Response>, AppError>> + Send;

    /// The page for answers to `workshop` when it closed (`closed`) or was
    /// deleted between the form and the commit: nothing was stored.
    fn gone(state: &AppState, workshop: &Workshop, closed: bool) -> Result<Response, AppError>;
}

/// `POST /quiz/{id}` and `POST /a/{code}`: the whole pipeline.
pub async fn submit<A: Address>(
    State(state): State<AppState>,
    client: ClientKey,
    Param(address): Param<A>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    // The same limit for a quiz as for a workshop: a script cannot fill the
    // statistics, a room sharing one address stays far below it. Checked
    // before the address is even looked up.
    state.throttle(Bucket::Participation, client)?;
    let destination = match address.destination(&state).await? {
        Ok(destination) => destination,
        Err(page) => return Ok(page),
    };
    let fields = form::read(&headers, &body)?;
    check_workshop_field(&destination, &fields)?;
    let answers = match check_answers(&state, &destination, &fields)? {
        Ok(answers) => answers,
        Err(refused) => return Ok(refused),
    };
    let token = ResultToken::generate();
    let workshop_id = destination.workshop.as_ref().map(|w| w.id);
    let result = new_result(&destination.quiz, &answers, workshop_id)?;
    let hash = token.hash();
    let inserted = blocking(&state, move |store| store.insert_result(&hash, &result)).await?;
    match (inserted, &destination.workshop) {
        (Inserted::Stored { workshop_answers }, workshop) => {
            if let (Some(workshop), Some(answers)) = (workshop, workshop_answers) {
                state.workshops().announce(workshop.id, answers);
            }
            // The row is committed: only now may the participant be sent to it.
            Ok(Redirect::to(&format!("/r/{}", token.as_str())).into_response())
        }
        (Inserted::WorkshopClosed, Some(workshop)) => A::gone(&state, workshop, true),
        (Inserted::WorkshopMissing, Some(workshop)) => A::gone(&state, workshop, false),
        (Inserted::WorkshopClosed | Inserted::WorkshopMissing, None) => Err(AppError::Internal(
            anyhow::anyhow!("un résultat hors atelier refusé au nom d’un atelier"),
        )),
    }
}

/// A workshop's answers go to the workshop's own address, which checks it
/// is open: a quiz form naming a workshop is forged, and so is a workshop
/// form naming another workshop.
fn check_workshop_field(
    destination: &Destination,
    fields: &[(String, String)],
) -> Result<(), AppError> {
    let named = form::single(fields, WORKSHOP_FIELD)?;
    match (&destination.workshop, named) {
        (None, Some(_)) => Err(AppError::BadRequest(
            "Envoi refusé\u{a0}: les réponses d’un atelier s’envoient depuis la page de l’atelier. \
             Rien n’a été enregistré."
                .into(),
        )),
        (Some(workshop), Some(named))
            if normalize_join_code(&named).as_deref() != Some(workshop.join_code.as_str()) =>
        {
            Err(AppError::BadRequest(
                "Envoi refusé\u{a0}: le formulaire ne correspond pas à cet atelier. Rien n’a été \
                 enregistré\u{a0}; rouvrez l’atelier avec son code."
                    .into(),
            ))
        }
        _ => Ok(()),
    }
}

/// Checks a submission against its quiz: the version the form was made
/// from (400 if there is none, 409 if it changed), then every answer. A refused form comes back
/// as its page (422), each error next to its question and the valid answers
/// kept.
fn check_answers(
    state: &AppState,
    destination: &Destination,
    fields: &[(String, String)],
) -> Result<Result<Answers, Response>, AppError> {
    let quiz = &destination.quiz;
    let Some(version) = form::single(fields, "version")? else {
        // Not a form of an older version: no form of ours at all (an empty
        // or truncated body, a script).
        return Err(AppError::BadRequest(
            "Envoi incomplet\u{a0}: le formulaire est arrivé vide, ou sans l’indication de sa version. \
             Rien n’a été enregistré\u{a0}; rouvrez le questionnaire et répondez à nouveau."
                .into(),
        ));
    };
    if version != quiz.version {
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
            let page = destination.page(&forms::submitted(fields), &errors);
            Ok(Err(pages::render(
                state,
                StatusCode::UNPROCESSABLE_ENTITY,
                "quiz.html",
                &page,
            )?))
        }
    }
}

/// The row to store: the answers, their outcome, and the hour.
fn new_result(
    quiz: &Quiz,
    answers: &Answers,
    workshop_id: Option<i64>,
) -> Result<NewResult, AppError> {
    let outcome = scoring::score(quiz, answers);
    let (profile, score) = match &outcome {
        Outcome::SelfAssessment(o) => (Some(o.profile.clone()), Some(i64::from(o.overall))),
        Outcome::Knowledge(o) => (None, Some(i64::from(o.percent))),
    };
    Ok(NewResult {
        quiz_id: quiz.id.clone(),
        quiz_version: quiz.version.clone(),
        workshop_id,
        answers_json: serde_json::to_string(answers)?,
        outcome_json: serde_json::to_string(&outcome)?,
        profile,
        score,
        created_hour: round_to_hour(crate::workshop::now_unix()),
    })
}
