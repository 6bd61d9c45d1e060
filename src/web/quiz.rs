//! `GET /quiz/{id}`, the quiz as a plain HTML form; its answers go through
//! `submission`, addressed by `QuizId`.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::client::ClientKey;
use super::error::AppError;
use super::path::Param;
use super::state::AppState;
use super::submission::{Address, Destination};
use crate::store::Workshop;

pub async fn show(
    State(state): State<AppState>,
    Param(id): Param<String>,
) -> Result<Response, AppError> {
    let quiz = state.quiz(&id)?;
    // One blank form per quiz version.
    let key = format!("quiz/{}/{}", quiz.id, quiz.version);
    let destination = Destination {
        quiz,
        workshop: None,
        previous: None,
    };
    destination.blank_form(&state, &key)
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
