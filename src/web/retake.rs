//! « Refaire le diagnostic » from a result: `GET /r/{token}/refaire` is the
//! quiz's form with a fresh nonce, like any form, and an unticked box that
//! asks whether to link the new result to this one; its answers go through
//! `submission`, addressed by `RetakeOf`. Only if the box is ticked does the
//! new result store this one's key — never its token — and get a plan that
//! leaves out what was done since.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::client::ClientKey;
use super::error::AppError;
use super::pages;
use super::result::{LoadedResult, load_result};
use super::state::AppState;
use super::submission::{Address, Destination, Previous};
use super::token::ResultToken;
use crate::quiz::Mode;
use crate::scoring::{FormErrors, Outcome};
use crate::store::Workshop;
use crate::views::dates::format_hour;
use crate::views::forms::Submitted;

/// The re-take's destination: the result's quiz on its own, and the result
/// as the one it may follow.
fn destination(loaded: &LoadedResult) -> Destination {
    let mut done: BTreeSet<String> = loaded.stored.done_actions.iter().cloned().collect();
    if let Outcome::SelfAssessment(outcome) = &loaded.outcome {
        done.extend(outcome.already_done.iter().cloned());
    }
    Destination {
        quiz: loaded.quiz.clone(),
        workshop: None,
        previous: Some(Previous {
            action: format!("/r/{}/refaire", loaded.token),
            hash: loaded.hash,
            created: format_hour(loaded.stored.created_hour),
            done,
        }),
    }
}

/// `GET /r/{token}/refaire`: the form. A knowledge check has no plan to
/// follow: it is simply taken again.
pub async fn show(
    State(state): State<AppState>,
    loaded: LoadedResult,
) -> Result<Response, AppError> {
    if loaded.quiz.mode != Mode::SelfAssessment {
        return Ok(Redirect::to(&format!("/quiz/{}", loaded.quiz.id)).into_response());
    }
    let nonce = ResultToken::generate();
    let page = destination(&loaded)
        .page(&Submitted::new(), &FormErrors::default())
        .with_nonce(nonce.as_str());
    // The page holds the earlier result's address: private.
    Ok(pages::private(pages::render(
        &state,
        StatusCode::OK,
        "quiz.html",
        &page,
    )?))
}

/// The token in `/r/{token}/refaire`: answers go to the result's quiz, as a
/// re-take of that result.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct RetakeOf(String);

impl Address for RetakeOf {
    async fn destination(
        self,
        state: &AppState,
        client: ClientKey,
    ) -> Result<Result<Destination, Response>, AppError> {
        let loaded = state.refusing(client, load_result(state, self.0).await)?;
        if loaded.quiz.mode != Mode::SelfAssessment {
            return Err(state.refuse(
                client,
                AppError::NotFound(
                    "Ce questionnaire se refait depuis sa propre page, sans lien avec le résultat."
                        .into(),
                ),
            )?);
        }
        Ok(Ok(destination(&loaded)))
    }

    fn gone(_: &AppState, _: &Workshop, _: bool) -> Result<Response, AppError> {
        Err(AppError::Internal(anyhow::anyhow!(
            "une reprise refusée au nom d’un atelier"
        )))
    }
}
