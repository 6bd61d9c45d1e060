//! Joining a workshop: `GET /a` (the code form, `?code=…` redirects) and
//! `GET /a/{CODE}` (the workshop's quiz); its answers go through
//! `submission`, addressed by `JoinCode`.
//!
//! Joining is not counted against any limit: a participant costs one counted
//! request, the answer (`throttle`). A code that leads to no workshop
//! counts as one of the client's refusals.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Refusal, join_page, refused, workshop_quiz};
use crate::store::Workshop;
use crate::web::client::ClientKey;
use crate::web::error::AppError;
use crate::web::path::Param;
use crate::web::state::{AppState, blocking};
use crate::web::submission::{Address, Destination};
use crate::workshop::normalize_join_code;

/// `GET /a?code=…`: the form on the home page; without a code, the form
/// alone.
pub async fn by_code(
    State(state): State<AppState>,
    client: ClientKey,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
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
        None => state.refuse(client, refused(&state, &typed, Refusal::Unknown)?),
    }
}

/// The open workshop a join code designates, or the page that says why
/// there is none. A code that designates no workshop counts as one of
/// `client`'s refusals; a closed workshop does not (its room did nothing
/// wrong).
async fn joinable(
    state: &AppState,
    client: ClientKey,
    code: &str,
) -> Result<Result<Destination, Response>, AppError> {
    let Some(code) = normalize_join_code(code) else {
        return state
            .refuse(client, refused(state, code, Refusal::Unknown)?)
            .map(Err);
    };
    let lookup = code.clone();
    match blocking(state, move |store| store.find_workshop_by_code(&lookup)).await? {
        None => state
            .refuse(client, refused(state, &code, Refusal::Unknown)?)
            .map(Err),
        Some(workshop) if !workshop.is_open() => refused(state, &code, Refusal::Closed).map(Err),
        Some(workshop) => {
            let quiz = workshop_quiz(state, &workshop)?;
            Ok(Ok(Destination {
                quiz,
                workshop: Some(workshop),
                previous: None,
            }))
        }
    }
}

/// `GET /a/{code}`: the workshop's quiz, the same for everyone but its
/// nonce: rendered once per workshop and quiz version, then served from
/// memory, so that a flood of joins costs little.
pub async fn show(
    State(state): State<AppState>,
    client: ClientKey,
    Param(code): Param<String>,
) -> Result<Response, AppError> {
    let destination = match joinable(&state, client, &code).await? {
        Ok(destination) => destination,
        Err(page) => return Ok(page),
    };
    // Workshop ids are never given twice (AUTOINCREMENT); a workshop's
    // title and code never change.
    let id = destination.workshop.as_ref().map_or(0, |w| w.id);
    let key = format!("atelier/{id}/{}", destination.quiz.version);
    destination.blank_form(&state, &key)
}

/// A join code in `/a/{code}`, as typed: answers go to its open workshop.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct JoinCode(String);

impl Address for JoinCode {
    async fn destination(
        self,
        state: &AppState,
        client: ClientKey,
    ) -> Result<Result<Destination, Response>, AppError> {
        joinable(state, client, &self.0).await
    }

    fn gone(state: &AppState, workshop: &Workshop, closed: bool) -> Result<Response, AppError> {
        let why = if closed {
            Refusal::Closed
        } else {
            Refusal::Unknown
        };
        refused(state, &workshop.join_code, why)
    }
}
