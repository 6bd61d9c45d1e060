//! The group's aggregates as files: `GET /atelier/{id}/{key}/resultats.csv`
//! and `…/resultats.json`, refused below the minimum group size.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::facilitator::first_group;
use super::{Facilitator, group_of, still_needed, workshop_archived, workshop_quiz};
use crate::aggregate::{self, Group, GroupEvolution, GroupResults};
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
    if workshop.is_archived() {
        return Err(workshop_archived());
    }
    let quiz = workshop_quiz(state, &workshop)?;
    match group_of(state, &workshop, &quiz).await? {
        Group::TooFew { needed } => Err(AppError::Client(
            StatusCode::CONFLICT,
            format!("Rien à exporter pour l’instant. {}", still_needed(needed)),
        )),
        Group::Results(results) => Ok((workshop, quiz, results)),
    }
}

/// A follow-up's evolution, once both groups reached their minimum.
async fn evolution(
    state: &AppState,
    workshop: &Workshop,
    quiz: &Quiz,
    results: &GroupResults,
) -> Result<Option<GroupEvolution>, AppError> {
    Ok(match first_group(state, workshop, quiz).await? {
        Some((_, first)) => aggregate::evolution(
            export::overall_label(quiz),
            first.as_ref(),
            &Group::Results(results.clone()),
        ),
        None => None,
    })
}

/// `GET /atelier/{id}/{key}/resultats.csv`
pub async fn csv(
    State(state): State<AppState>,
    Facilitator { workshop, .. }: Facilitator,
) -> Result<Response, AppError> {
    download(&state, workshop, Format::Csv).await
}

/// `GET /atelier/{id}/{key}/resultats.json`
pub async fn json(
    State(state): State<AppState>,
    Facilitator { workshop, .. }: Facilitator,
) -> Result<Response, AppError> {
    download(&state, workshop, Format::Json).await
}

/// The two files of a workshop's aggregates.
enum Format {
    Csv,
    Json,
}

/// The aggregates of `workshop` (and its evolution, for a follow-up) as a
/// file in `format`, named after the workshop.
async fn download(
    state: &AppState,
    workshop: Workshop,
    format: Format,
) -> Result<Response, AppError> {
    let (workshop, quiz, results) = export_results(state, workshop).await?;
    let evolution = evolution(state, &workshop, &quiz, &results).await?;
    let evolution = evolution.as_ref();
    let (content_type, extension, body) = match format {
        Format::Csv => (
            "text/csv; charset=utf-8",
            "csv",
            export::csv(&workshop, &quiz, &results, evolution),
        ),
        Format::Json => (
            "application/json; charset=utf-8",
            "json",
            export::json(
                &workshop,
                &quiz,
                &results,
                evolution,
                iso_hour(workshop.created_hour),
            )?,
        ),
    };
    Ok(pages::download(
        content_type,
        &format!("atelier-{}-resultats.{extension}", workshop.id),
        body,
    ))
}
