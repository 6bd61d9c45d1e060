//! `GET /stats/{id}`: everyone's results for a quiz, aggregated like a
//! workshop's group (`crate::aggregate`), and shown only past the minimum
//! group size (`serve --min-group`); a profile held by fewer people than
//! that is not counted either.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::error::AppError;
use super::pages;
use super::path::Param;
use super::state::{AppState, participations};
use crate::aggregate::{self, Group};
use crate::quiz::Mode;
use crate::store::Participants;
use crate::views::charts::{self, Bar};

#[derive(Serialize)]
struct StatsPage {
    title: String,
    quiz_id: String,
    quiz_title: String,
    min_group: usize,
    enough: bool,
    count: usize,
    mode: &'static str,
    profiles: Vec<BucketView>,
    dimensions: Vec<DimensionView>,
    chart_svg: String,
    knowledge_average: Option<u8>,
}

#[derive(Serialize)]
struct BucketView {
    label: String,
    /// None when the bucket holds fewer than `min_group` results (empty included).
    count: Option<usize>,
    percent: Option<u8>,
}

#[derive(Serialize)]
struct DimensionView {
    label: String,
    /// The mean score out of 100 of those who answered.
    percent: u8,
    answered: bool,
}

pub async fn show(
    State(state): State<AppState>,
    Param(id): Param<String>,
) -> Result<Response, AppError> {
    let quiz = state.quiz(&id)?;
    let everyone = participations(&state, Participants::Quiz(quiz.id.clone())).await?;
    let min_group = state.min_group();
    let mut page = StatsPage {
        title: format!("Statistiques anonymes — {}", quiz.title),
        quiz_id: quiz.id.clone(),
        quiz_title: quiz.title.clone(),
        min_group,
        enough: false,
        count: 0,
        mode: quiz.mode.as_str(),
        profiles: Vec::new(),
        dimensions: Vec::new(),
        chart_svg: String::new(),
        knowledge_average: None,
    };
    if let Group::Results(results) = aggregate::group(&quiz, &everyone, min_group) {
        page.enough = true;
        page.count = results.answers;
        match quiz.mode {
            Mode::SelfAssessment => {
                page.profiles = results
                    .profiles
                    .iter()
                    .map(|share| {
                        let shown = share.count >= min_group;
                        BucketView {
                            label: share.label.clone(),
                            count: shown.then_some(share.count),
                            percent: shown.then_some(share.percent),
                        }
                    })
                    .collect();
                page.dimensions = results
                    .dimensions
                    .iter()
                    .map(|dimension| DimensionView {
                        label: dimension.label.clone(),
                        percent: dimension.spread.map_or(0, |s| s.mean),
                        answered: dimension.spread.is_some(),
                    })
                    .collect();
                let bars: Vec<Bar<'_>> = page
                    .dimensions
                    .iter()
                    .map(|d| Bar {
                        label: &d.label,
                        value: d.percent,
                    })
                    .collect();
                page.chart_svg = charts::bars(&bars);
            }
            Mode::Knowledge => {
                page.knowledge_average = Some(results.overall.map_or(0, |s| s.mean));
            }
        }
    }
    pages::render(&state, StatusCode::OK, "stats.html", &page)
}
