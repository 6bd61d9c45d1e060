//! The one way answers become a result, for `POST /quiz/{id}` and
//! `POST /a/{CODE}` alike: find where they go → throttle → read the form →
//! check the answers → derive the token → store → redirect to the result
//! (POST/redirect/GET). Every refusal stores nothing.
//!
//! **Exactly one result per form.** Each form carries a one-time nonce
//! (`form::NONCE_FIELD`, 128 random bits drawn with the page). The result's
//! token is derived from it: HMAC-SHA256 under the server's key
//! (`Store::result_key`) of the destination and the nonce, cut to 128 bits.
//! The same form posted twice — a double tap, two requests at once, back and
//! resubmit — gives the same token; the store keeps one row per token
//! (`Inserted::AlreadyStored`), and every post is redirected to the same
//! result page. Two people answering alike have two pages, hence two
//! nonces and two results. Only the token's SHA-256 is stored, as for any
//! result; the nonce is stored nowhere, so the database (key included)
//! leads to no result page. A form without a nonce (an old page) gets a
//! random token, as before.
//!
//! **Re-taking.** A quiz re-taken from an earlier result (`/r/{token}/refaire`)
//! goes the same way. Only if the form's link box was ticked
//! (`forms::LINK_FIELD`) does the new result store the earlier one's key
//! (its token's SHA-256) and get a plan that leaves out what was done
//! since; otherwise nothing connects the two.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;

use super::same_origin::is_same_origin;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

use super::client::ClientKey;
use super::error::AppError;
use super::form::{self, FormBody, NONCE_FIELD, WORKSHOP_FIELD};
use super::pages;
use super::path::Param;
use super::state::{AppState, blocking};
use super::throttle::Bucket;
use super::token::ResultToken;
use crate::quiz::Quiz;
use crate::scoring::{self, Answers, FormErrors, Outcome};
use crate::store::{Inserted, NewResult, Workshop, round_to_hour};
use crate::views::forms::{self, LINK_FIELD, LINK_VALUE, NONCE_PLACEHOLDER, QuizPage};
use crate::workshop::normalize_join_code;

/// Where answers go: a quiz on its own, a workshop's quiz, or a quiz
/// re-taken from an earlier result.
pub struct Destination {
    pub quiz: Arc<Quiz>,
    pub workshop: Option<Workshop>,
    pub previous: Option<Previous>,
}

/// The earlier result a quiz is re-taken from.
pub struct Previous {
    /// The re-take's address, `/r/{token}/refaire`.
    pub action: String,
    /// The SHA-256 of its token: what a linked re-take stores.
    pub hash: [u8; 32],
    /// When it was given, as its page says it.
    pub created: String,
    /// The actions known done by then: ticked off on it, or already done
    /// when its own plan was made. A linked re-take's plan leaves them out.
    pub done: BTreeSet<String>,
}

impl Destination {
    /// The form of this destination, blank or as submitted with its errors.
    pub fn page(&self, submitted: &forms::Submitted, errors: &FormErrors) -> QuizPage {
        let page = QuizPage::new(&self.quiz, submitted, errors);
        let page = match &self.previous {
            Some(previous) => page.for_retake(&previous.action, &previous.created, submitted),
            None => page,
        };
        match &self.workshop {
            Some(workshop) => page.for_workshop(&workshop.join_code, &workshop.title),
            None => page,
        }
    }

    /// The blank form, the same for everyone but its nonce: rendered once
    /// under `key` (a quiz version, a workshop's), then served from memory
    /// with a fresh nonce each time (`pages::form_page`), so that a flood of
    /// visits costs little.
    pub fn blank_form(&self, state: &AppState, key: &str) -> Result<Response, AppError> {
        pages::form_page(state, key, || {
            let page = self
                .page(&forms::Submitted::new(), &FormErrors::default())
                .with_nonce(NONCE_PLACEHOLDER);
            state.templates().render("quiz.html", &page)
        })
    }
}

/// An address answers are posted to: a quiz id (`/quiz/{id}`) or a
/// workshop's join code (`/a/{code}`).
pub trait Address: DeserializeOwned + Send + 'static {
    /// Where answers posted here go, or the page that says why they
    /// cannot (an unknown or closed workshop). An address that leads
    /// nowhere counts as one of `client`'s refusals (`AppState::refuse`).
    fn destination(
        self,
        state: &AppState,
        client: ClientKey,
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
    body: FormBody,
) -> Result<Response, AppError> {
    let destination = match address.destination(&state, client).await? {
        Ok(destination) => destination,
        Err(page) => return Ok(page),
    };
    // A quiz on its own is limited per client: a script cannot fill the
    // statistics. A workshop's answers are limited per workshop, below,
    // once the form proves to be one: a room behind one address is never
    // locked out by one phone sending junk.
    if destination.workshop.is_none() {
        state.throttle(Bucket::QuizAnswers, client)?;
    }
    let fields = state.refusing(client, body.fields())?;
    state.refusing(client, check_workshop_field(&destination, &fields))?;
    let nonce = state.refusing(client, read_nonce(&fields))?;
    if let Some(workshop) = &destination.workshop {
        state.throttle_workshop(workshop.id)?;
    }
    let answers = match check_answers(&state, client, &destination, &fields, nonce.as_ref())? {
        Ok(answers) => answers,
        Err(refused) => return Ok(refused),
    };
    // Linked only if the reader ticked the box on a re-take's form, on a
    // page of this site: another site's page that knows a result's address
    // must not link results in the reader's name.
    let link = state.refusing(client, form::single(&fields, LINK_FIELD))?;
    if destination.previous.is_some()
        && link.as_deref() == Some(LINK_VALUE)
        && !is_same_origin(&headers, state.workshops().settings().public_url.as_deref())
    {
        return Err(AppError::Client(
            StatusCode::FORBIDDEN,
            "Lien refusé\u{a0}: cette demande de relier deux résultats vient d’une page d’un autre \
             site. Rien n’a été enregistré\u{a0}; refaites le diagnostic depuis votre page de \
             résultat."
                .into(),
        ));
    }
    let previous = destination
        .previous
        .as_ref()
        .filter(|_| link.as_deref() == Some(LINK_VALUE));
    let token = result_token(&state, &destination, nonce.as_ref());
    let workshop_id = destination.workshop.as_ref().map(|w| w.id);
    let result = new_result(&destination.quiz, &answers, workshop_id, previous)?;
    let hash = token.hash();
    let inserted = blocking(&state, move |store| store.insert_result(&hash, &result)).await?;
    let to_result = || Redirect::to(&format!("/r/{}", token.as_str())).into_response();
    match (inserted, &destination.workshop) {
        (Inserted::Stored { workshop_answers }, workshop) => {
            if let (Some(workshop), Some(answers)) = (workshop, workshop_answers) {
                state.workshops().announce(workshop.id, answers);
            }
            // The row is committed: only now may the participant be sent to it.
            Ok(to_result())
        }
        // The same form again: the result its first post stored.
        (Inserted::AlreadyStored, _) => Ok(to_result()),
        (Inserted::WorkshopClosed, Some(workshop)) => A::gone(&state, workshop, true),
        (Inserted::WorkshopMissing, Some(workshop)) => A::gone(&state, workshop, false),
        (Inserted::WorkshopClosed | Inserted::WorkshopMissing, None) => Err(AppError::Internal(
            anyhow::anyhow!("un résultat hors atelier refusé au nom d’un atelier"),
        )),
    }
}

/// The form's nonce, if it has one (32 lowercase hex digits).
fn read_nonce(fields: &[(String, String)]) -> Result<Option<ResultToken>, AppError> {
    match form::single(fields, NONCE_FIELD)? {
        None => Ok(None),
        Some(text) => ResultToken::parse(&text).map(Some).ok_or_else(|| {
            AppError::BadRequest(
                "Envoi refusé\u{a0}: le formulaire reçu est mal formé. Rien n’a été enregistré\u{a0}; \
                 rechargez la page du questionnaire."
                    .into(),
            )
        }),
    }
}

/// The result's token: derived from the form's nonce (the same form, the
/// same token), or drawn at random for a form without one.
fn result_token(
    state: &AppState,
    destination: &Destination,
    nonce: Option<&ResultToken>,
) -> ResultToken {
    match nonce {
        None => ResultToken::generate(),
        Some(nonce) => {
            // The destination is part of the message: a nonce copied into
            // another quiz's form leads to another result.
            let workshop = destination
                .workshop
                .as_ref()
                .map_or(String::new(), |w| w.id.to_string());
            let message = format!(
                "résultat\0{}\0{workshop}\0{}",
                destination.quiz.id,
                nonce.as_str()
            );
            ResultToken::derived(state.store().result_key(), message.as_bytes())
        }
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
    client: ClientKey,
    destination: &Destination,
    fields: &[(String, String)],
    nonce: Option<&ResultToken>,
) -> Result<Result<Answers, Response>, AppError> {
    let quiz = &destination.quiz;
    // A repeated field is no form's doing: a refusal. A stale version is
    // an honest page opened before the quiz changed: not one.
    let Some(version) = state.refusing(client, form::single(fields, "version"))? else {
        // Not a form of an older version: no form of ours at all (an empty
        // or truncated body, a script).
        return Err(state.refuse(
            client,
            AppError::BadRequest(
                "Envoi incomplet\u{a0}: le formulaire est arrivé vide, ou sans l’indication de sa version. \
                 Rien n’a été enregistré\u{a0}; rouvrez le questionnaire et répondez à nouveau."
                    .into(),
            ),
        )?);
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
            // The corrected form keeps its nonce: still one result, however
            // many times it is sent.
            let nonce = nonce.cloned().unwrap_or_else(ResultToken::generate);
            let page = destination
                .page(&forms::submitted(fields), &errors)
                .with_nonce(nonce.as_str());
            Ok(Err(pages::render(
                state,
                StatusCode::UNPROCESSABLE_ENTITY,
                "quiz.html",
                &page,
            )?))
        }
    }
}

/// The row to store: the answers, their outcome, the hour, and the
/// earlier result it follows if the reader linked them (whose done actions
/// its plan then leaves out).
fn new_result(
    quiz: &Quiz,
    answers: &Answers,
    workshop_id: Option<i64>,
    previous: Option<&Previous>,
) -> Result<NewResult, AppError> {
    let outcome = match previous {
        Some(previous) => scoring::score_after(quiz, answers, &previous.done),
        None => scoring::score(quiz, answers),
    };
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
        previous_hash: previous.map(|previous| previous.hash),
    })
}
