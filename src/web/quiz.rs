//! `GET /quiz/{id}`, the quiz as a plain HTML form; its answers go through
//! `submission`, addressed by `QuizId`.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::client::ClientKey;
use super::error::AppError;
use super::pages;
use super::path::Param;
use super::state::AppState;
use super::submission::{Address, Destination};
use crate::scoring::FormErrors;
use crate::store::Workshop;
use crate::views::forms::{NONCE_PLACEHOLDER, Submitted};

pub async fn show(
    State(state): State<AppState>,
    Param(id): Param<String>,
) -> Result<Response, AppError> {
    let quiz = state.quiz(&id)?;
    // The blank form is the same for everyone but its nonce: render it once
    // per version.
    let key = format!("quiz/{}/{}", quiz.id, quiz.version);
    pages::form_page(&state, &key, || {
        let destination = Destination {
            quiz: quiz.clone(),
            workshop: None,
            previous: None,
        };
        let page = destination
            .page(&Submitted::new(), &FormErrors::default())
            .with_nonce(NONCE_PLACEHOLDER);
        state.templates().render("quiz.html", &page)
    })
}

/// A quiz's id in `/quiz/{id}`: answers go to the quiz on its own.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct QuizId(String);

impl Address for QuizId {
    async fn destination(
        self,
        state: &AppState,
        client: ClientKey,
    ) -> Result<Result<Destination, Response>, AppError> {
        Ok(Ok(Destination {
            quiz: state.refusing(client, state.quiz(&self.0))?,
            workshop: None,
            previous: None,
        }))
    }

    fn gone(_: &AppState, _: &Workshop, _: bool) -> Result<Response, AppError> {
        Err(AppError::Internal(anyhow::anyhow!(
            "un résultat hors atelier refusé au nom d’un atelier"
        )))
    }
}
