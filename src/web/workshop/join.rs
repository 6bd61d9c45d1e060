//! Joining a workshop: `GET /a` (the code form, `?code=…` redirects),
//! `GET /a/{CODE}` (the workshop's quiz) and `POST /a/{CODE}` (the answers,
//! through `submission`).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::{Refusal, join_page, refused, workshop_quiz};
use crate::scoring::FormErrors;
use crate::views::forms::Submitted;
use crate::web::path::Param;
use crate::web::submission::{self, Destination};
use crate::web::throttle::{Bucket, ClientKey};
use crate::web::{AppError, AppState, blocking, pages};
use crate::workshop::normalize_join_code;

/// `GET /a?code=…`: the form on the home page; without a code, the form
/// alone.
pub async fn by_code(
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
        None => refused(&state, &typed, Refusal::Unknown),
    }
}

/// The open workshop a join code designates, or the page that says why
/// there is none.
async fn joinable(state: &AppState, code: &str) -> Result<Result<Destination, Response>, AppError> {
    let Some(code) = normalize_join_code(code) else {
        return refused(state, code, Refusal::Unknown).map(Err);
    };
    let lookup = code.clone();
    match blocking(state, move |store| store.find_workshop_by_code(&lookup)).await? {
        None => refused(state, &code, Refusal::Unknown).map(Err),
        Some(workshop) if !workshop.is_open() => refused(state, &code, Refusal::Closed).map(Err),
        Some(workshop) => {
            let quiz = workshop_quiz(state, &workshop)?;
            Ok(Ok(Destination {
                quiz,
                workshop: Some(workshop),
            }))
        }
    }
}

/// `GET /a/{code}`: the workshop's quiz.
pub async fn show(
    State(state): State<AppState>,
    client: ClientKey,
    Param(code): Param<String>,
) -> Result<Response, AppError> {
    state.throttle(Bucket::Participation, client)?;
    let destination = match joinable(&state, &code).await? {
        Ok(destination) => destination,
        Err(page) => return Ok(page),
    };
    let page = destination.page(&Submitted::new(), &FormErrors::default());
    pages::render(&state, StatusCode::OK, "quiz.html", &page)
}

/// `POST /a/{code}`: a participant's answers, stored with the workshop
/// (through `submission`).
pub async fn answer(
    State(state): State<AppState>,
    client: ClientKey,
    Param(code): Param<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    submission::submit(&state, client, joinable(&state, &code), &headers, &body).await
}
