//! The group's aggregates as files: `GET /atelier/{id}/{key}/resultats.csv`
//! and `…/resultats.json`, refused below the minimum group size.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::{Facilitator, group_of, still_needed, workshop_quiz};
use crate::aggregate::{Group, GroupResults};
use crate::quiz::Quiz;
use crate::store::Workshop;
use crate::views::dates::iso_hour;
use crate::web::error::AppError;
use crate::web::pages;
use crate::web::state::AppState;
use crate::workshop::export;

/// The aggregates for an export, refused below the minimum group size.
async fn export_results(
    state: &AppState,
    workshop: Workshop,
) -> Result<(Workshop, Arc<Quiz>, GroupResults), AppError> {
    let quiz = workshop_quiz(state, &workshop)?;
    match group_of(state, &workshop, &quiz).await? {
        Group::TooFew { needed } => Err(AppError::Client(
            StatusCode::CONFLICT,
            format!("Rien à exporter pour l’instant. {}", still_needed(needed)),
        )),
        Group::Results(results) => Ok((workshop, quiz, results)),
    }
}

/// `GET /atelier/{id}/{key}/resultats.csv`
pub async fn csv(
    State(state): State<AppState>,
    Facilitator { workshop, .. }: Facilitator,
) -> Result<Response, AppError> {
    let (workshop, quiz, results) = export_results(&state, workshop).await?;
    Ok(pages::download(
        "text/csv; charset=utf-8",
        &format!("atelier-{}-resultats.csv", workshop.id),
        export::csv(&workshop, &quiz, &results),
    ))
}

/// `GET /atelier/{id}/{key}/resultats.json`
pub async fn json(
    State(state): State<AppState>,
    Facilitator { workshop, .. }: Facilitator,
) -> Result<Response, AppError> {
    let (workshop, quiz, results) = export_results(&state, workshop).await?;
    let body = export::json(&workshop, &quiz, &results, iso_hour(workshop.created_hour))?;
    Ok(pages::download(
        "application/json; charset=utf-8",
        &format!("atelier-{}-resultats.json", workshop.id),
        body,
    ))
}
