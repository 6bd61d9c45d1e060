//! Workshop pages: creating one (`create`), joining with a code and
//! answering (`join`), the facilitator's pages — the view to project with
//! its live count and the group's results, the management page, closing and
//! deleting (`facilitator`) — and the aggregate exports (`downloads`). What
//! they share is here.
//!
//! Two capabilities, two addresses. The facilitator's private link
//! (`/atelier/{id}/{key}/…`) manages: exports, closing, deleting. The view to
//! project (`/projection/{id}/{projector key}/…`) shows the code, the QR code,
//! the live count and the group's results, and can reveal them — nothing
//! more: its key, read by the whole room on the screen and printed in the
//! footer of the group's results, closes, deletes and exports nothing, and
//! does not lead back to the private key. A wrong key gets exactly the page
//! of a workshop that does not exist. Request logs name the route template,
//! never the path, so keys stay out of them.

pub mod create;
pub mod downloads;
pub mod facilitator;
pub mod join;

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::Serialize;

use super::error::{AppError, shorten};
use super::pages;
use super::state::{AppState, blocking, participations};
use crate::aggregate::{self, Group};
use crate::quiz::Quiz;
use crate::secret::Secret;
use crate::store::{Participants, Store, Workshop};
use crate::workshop::{self as domain, FacilitatorKey, ProjectorKey};

// ---------------------------------------------------------------- helpers

/// The one answer for an unknown workshop, a wrong key or a malformed
/// link: nothing tells which.
pub fn workshop_not_found() -> AppError {
    AppError::NotFound(
        "Cet atelier n’existe pas, ou plus. Vérifiez le lien d’animation\u{a0}: il a peut-être été \
         mal copié, ou l’atelier a été supprimé."
            .into(),
    )
}

/// The answer for what needs a workshop's answers once they were erased at
/// expiry (`workshop::purge_expired`): the view to project, the live
/// count, the exports.
pub fn workshop_archived() -> AppError {
    AppError::Client(
        StatusCode::GONE,
        "Les réponses de cet atelier ont été effacées à son expiration\u{a0}: il n’y a plus rien \
         à projeter ni à exporter. Seules les moyennes du groupe restent, pour un atelier de suivi."
            .into(),
    )
}

/// The workshop the facilitator's private link (`/atelier/{id}/{key}/…`)
/// designates, with its key; a wrong key gets the 404 of an unknown
/// workshop.
pub struct Facilitator {
    pub workshop: Workshop,
    pub key: FacilitatorKey,
}

/// The workshop the view to project (`/projection/{id}/{key}/…`)
/// designates, with its projector key; a wrong key — a facilitator key
/// included — gets the 404 of an unknown workshop.
pub struct Projected {
    pub workshop: Workshop,
    pub key: ProjectorKey,
}

/// The workshop a workshop address (`/atelier/{id}/{key}/…` or
/// `/projection/{id}/{key}/…`) designates, looked up by `find` from its id
/// and its key's SHA-256, and that key. An address that does not decode, an
/// id not written as the link has it (digits, no sign, no leading zero: each
/// workshop has one address), a malformed key, a key that opens no workshop:
/// all get the same 404.
async fn designated(
    parts: &mut Parts,
    state: &AppState,
    find: fn(&Store, i64, &[u8; 32]) -> crate::store::Result<Option<Workshop>>,
) -> Result<(Workshop, Secret), AppError> {
    let Path((id, key)) = Path::<(String, String)>::from_request_parts(parts, state)
        .await
        .map_err(|_| workshop_not_found())?;
    let canonical =
        !id.is_empty() && !id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit());
    let id: i64 = canonical
        .then(|| id.parse().ok())
        .flatten()
        .ok_or_else(workshop_not_found)?;
    let key = Secret::parse(&key).ok_or_else(workshop_not_found)?;
    let hash = key.hash();
    let workshop = blocking(state, move |store| find(store, id, &hash))
        .await?
        .ok_or_else(workshop_not_found)?;
    Ok((workshop, key))
}

impl FromRequestParts<AppState> for Facilitator {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let (workshop, key) = designated(parts, state, Store::find_workshop).await?;
        Ok(Facilitator { workshop, key })
    }
}

impl FromRequestParts<AppState> for Projected {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let (workshop, key) = designated(parts, state, Store::find_projected_workshop).await?;
        if workshop.is_archived() {
            return Err(workshop_archived());
        }
        Ok(Projected { workshop, key })
    }
}

/// The workshop's quiz; a quiz removed from `quizzes/` since is an error
/// the facilitator can understand.
pub fn workshop_quiz(state: &AppState, workshop: &Workshop) -> Result<Arc<Quiz>, AppError> {
    state
        .catalog()
        .get(&workshop.quiz_id)
        .cloned()
        .ok_or_else(|| {
            AppError::Client(
                StatusCode::GONE,
                format!(
                    "Le questionnaire «\u{a0}{}\u{a0}» de cet atelier n’existe plus sur ce site.",
                    shorten(&workshop.quiz_id)
                ),
            )
        })
}

/// The site's address as participants should type it: `serve --base-url`,
/// or else the address the facilitator's browser used (its `Host`, and
/// `X-Forwarded-Proto` behind a proxy); empty when neither tells.
pub struct SiteUrl(pub String);

impl FromRequestParts<AppState> for SiteUrl {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(SiteUrl(site_url(state, &parts.headers)))
    }
}

fn site_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = state.workshops().settings().public_url {
        return url;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|host| {
            !host.is_empty()
                && host.len() <= 255
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        });
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
    match host {
        Some(host) => format!("{}://{host}", if https { "https" } else { "http" }),
        None => String::new(),
    }
}

/// `/atelier/{id}/{key}`: the facilitator's base path.
pub fn facilitator_path(workshop: &Workshop, key: &FacilitatorKey) -> String {
    format!("/atelier/{}/{}", workshop.id, key.as_str())
}

/// `/projection/{id}/{projector key}`: the view to project.
pub fn projector_path(workshop: &Workshop, key: &ProjectorKey) -> String {
    format!("/projection/{}/{}", workshop.id, key.as_str())
}

/// `count` and its noun, singular up to 1, joined by a no-break space.
pub fn plural(count: usize, one: &str, many: &str) -> String {
    crate::views::numbers::count(i64::try_from(count).unwrap_or(i64::MAX), one, many)
}

/// A workshop's aggregates, or how many answers are still needed.
pub async fn group_of(
    state: &AppState,
    workshop: &Workshop,
    quiz: &Quiz,
) -> Result<Group, AppError> {
    let group = participations(state, Participants::Workshop(workshop.id)).await?;
    let min_group = usize::try_from(workshop.min_group).unwrap_or(usize::MAX);
    Ok(aggregate::group(quiz, &group, min_group))
}

pub fn still_needed(needed: usize) -> String {
    format!(
        "Il manque encore {} pour afficher les résultats du groupe\u{a0}: en dessous du minimum, \
         aucun chiffre de groupe n’est montré, pour que personne ne puisse être reconnu.",
        plural(needed, "réponse", "réponses")
    )
}

// ---------------------------------------------------------------- joining

#[derive(Serialize)]
struct JoinPage {
    title: &'static str,
    /// How many characters a join code has, written in digits.
    code_length: usize,
    code: String,
    error: Option<String>,
}

pub fn join_page(
    state: &AppState,
    status: StatusCode,
    code: &str,
    error: Option<String>,
) -> Result<Response, AppError> {
    let page = JoinPage {
        title: "Rejoindre un atelier",
        code_length: domain::JOIN_CODE_LEN,
        code: code.chars().filter(|c| !c.is_control()).take(20).collect(),
        error,
    };
    pages::render(state, status, "join.html", &page)
}

/// Why a join code leads nowhere.
pub enum Refusal {
    /// No open workshop has this code (404).
    Unknown,
    /// Its workshop is closed (410).
    Closed,
}

/// The join page with the code typed and why it leads nowhere. Nothing
/// was stored.
pub fn refused(state: &AppState, code: &str, refusal: Refusal) -> Result<Response, AppError> {
    match refusal {
        Refusal::Unknown => join_page(
            state,
            StatusCode::NOT_FOUND,
            code,
            Some(unknown_code_message()),
        ),
        Refusal::Closed => join_page(state, StatusCode::GONE, code, Some(closed_message())),
    }
}

fn unknown_code_message() -> String {
    format!(
        "Aucun atelier ouvert ne porte ce code. Vérifiez-le auprès de l’animateur\u{a0}: il compte {}\u{a0}\
         caractères, lettres et chiffres.",
        domain::JOIN_CODE_LEN
    )
}

fn closed_message() -> String {
    "Cet atelier est fermé\u{a0}: il n’accepte plus de réponses, et rien n’a été enregistré. \
     Vous pouvez toujours faire l’autodiagnostic pour vous-même depuis le guide."
        .to_string()
}

/// Any other address under `/atelier/`: routed (not left to the book's
/// fallback) so that the log names the route template, not a path that
/// might hold a key.
pub async fn not_found() -> AppError {
    workshop_not_found()
}
