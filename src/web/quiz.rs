//! `GET /quiz/{id}`, the quiz as a plain HTML form, and `POST /quiz/{id}`,
//! its answers (through `submission`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::path::Param;
use super::submission::{self, Destination};
use super::throttle::ClientKey;
use super::{AppError, AppState};
use crate::scoring::FormErrors;
use crate::views::forms::Submitted;

pub async fn show(
    State(state): State<AppState>,
    Param(id): Param<String>,
) -> Result<Response, AppError> {
    let quiz = state.quiz(&id)?;
    // The blank form is the same for everyone: render it once per version.
    let key = format!("quiz/{}/{}", quiz.id, quiz.version);
    let body = state.cached_page(&key, || {
        let destination = Destination {
            quiz: quiz.clone(),
            workshop: None,
        };
        let page = destination.page(&Submitted::new(), &FormErrors::default());
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
    let destination = async {
        Ok(Ok(Destination {
            quiz: state.quiz(&id)?,
            workshop: None,
        }))
    };
    submission::submit(&state, client, destination, &headers, &body).await
}
