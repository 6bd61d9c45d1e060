//! A group's results, computed from its participants' answers and outcomes:
//! a workshop's group, or everyone who took a quiz (`/stats`).
//!
//! Pure and gated: `group` returns nothing but the number still needed while
//! the group is smaller than its minimum size, so no caller can show an
//! average, a distribution or a count per answer too early. Past the
//! minimum, every figure is an aggregate; no participant's row survives.
//!
//! Rounding follows `scoring`: integers, rounded half up.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::quiz::{QuestionKind, Quiz};
use crate::scoring::{Answer, Answers, Outcome};

/// How many first actions the group view lists.
pub const TOP_FIRST_ACTIONS: usize = 5;

/// One participant's stored answers and outcome.
#[derive(Debug, Clone)]
pub struct Participation {
    pub answers: Answers,
    pub outcome: Outcome,
}

impl Participation {
    /// From the stored JSON of the answers and of the outcome; `None` if
    /// either no longer reads (a row written by an older format is left out
    /// of the group rather than failing the page).
    pub fn parse(answers: &str, outcome: &str) -> Option<Participation> {
        Some(Participation {
            answers: serde_json::from_str(answers).ok()?,
            outcome: serde_json::from_str(outcome).ok()?,
        })
    }
}

/// Either too few answers, or the group's aggregates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Group {
    /// Fewer answers than the minimum: only how many are still needed.
    TooFew {
        needed: usize,
    },
    Results(GroupResults),
}

/// The group's aggregates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupResults {
    /// Number of answers.
    pub answers: usize,
    /// Profiles in the quiz's order (self-assessment).
    pub profiles: Vec<Share>,
    /// Dimensions in the quiz's order (self-assessment).
    pub dimensions: Vec<DimensionSpread>,
    /// Overall autonomy score (self-assessment) or percentage of right
    /// answers (knowledge check).
    pub overall: Option<Spread>,
    /// The first recommendation of each plan, most frequent first, at most
    /// `TOP_FIRST_ACTIONS` of them (self-assessment).
    pub first_actions: Vec<Share>,
    /// Every question's distribution of answers, in the quiz's order.
    pub questions: Vec<QuestionDistribution>,
}

/// How many participants fall in a group, and their share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Share {
    pub id: String,
    pub label: String,
    pub count: usize,
    /// `count` over the relevant number of participants, rounded half up.
    pub percent: u8,
}

/// Mean and range of scores from 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Spread {
    /// Participants who have this score.
    pub respondents: usize,
    pub mean: u8,
    pub min: u8,
    pub max: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DimensionSpread {
    pub id: String,
    pub label: String,
    /// `None` when no participant answered a question of this dimension.
    pub spread: Option<Spread>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionDistribution {
    pub id: String,
    pub text: String,
    /// "single", "multiple" or "scale".
    pub kind: &'static str,
    /// Participants who answered this question: the base of its percentages.
    pub respondents: usize,
    /// One entry per choice, or per step of a scale. For a multiple choice
    /// the percentages add up to more than 100.
    pub answers: Vec<Share>,
}

/// The privacy floor, the one for every group figure (the site's
/// statistics and each workshop): below three answers, each participant
/// could work out the others' answers from the group's figures and their
/// own. `serve --min-group` and a workshop's minimum may be higher, never
/// lower.
pub const MIN_GROUP_FLOOR: u32 = 3;
/// The minimum group size when the operator or the facilitator says
/// nothing (PRODUCT.md: "default 5").
pub const DEFAULT_MIN_GROUP: u32 = 5;

/// The group's aggregates if it has at least `min_group` answers (and never
/// below `MIN_GROUP_FLOOR`, whatever the caller asks).
pub fn group(quiz: &Quiz, participations: &[Participation], min_group: usize) -> Group {
    let min_group = min_group.max(MIN_GROUP_FLOOR as usize);
    if participations.len() < min_group {
        return Group::TooFew {
            needed: min_group - participations.len(),
        };
    }
    Group::Results(aggregate(quiz, participations))
}

/// How a group's averages moved from a first workshop to its follow-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupEvolution {
    /// Answers in the first workshop, and in the follow-up.
    pub before_answers: usize,
    pub after_answers: usize,
    /// The overall score first (id `score`), then each dimension in the
    /// quiz's order.
    pub changes: Vec<MeanChange>,
}

/// A group mean then and now, from 0 to 100; `None` where the group had no
/// answer for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeanChange {
    pub id: String,
    pub label: String,
    pub before: Option<u8>,
    pub after: Option<u8>,
}

/// What a follow-up compares with: a group's size and means, nothing else.
/// A workshop keeps only this once its answers are erased at expiry
/// (`workshop::purge_expired`), and only if the group reached its minimum
/// size. Stored as JSON, e.g.
/// `{"answers":12,"overall":48,"dimensions":{"propriete":37,"vie-privee":56}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Number of answers.
    pub answers: usize,
    /// Mean overall score, 0–100 (self-assessment), or mean percentage of
    /// right answers (knowledge check).
    pub overall: Option<u8>,
    /// Mean score of each dimension someone answered, 0–100, by dimension
    /// id (self-assessment).
    pub dimensions: BTreeMap<String, u8>,
}

/// The group's size and means if it has at least `min_group` answers (never
/// below `MIN_GROUP_FLOOR`), computed as `group` computes them, without
/// the quiz: a workshop's answers can be summed up at expiry even if its
/// quiz has changed or gone since.
pub fn baseline(participations: &[Participation], min_group: usize) -> Option<Baseline> {
    if participations.len() < min_group.max(MIN_GROUP_FLOOR as usize) {
        return None;
    }
    let mut by_dimension: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    for participation in participations {
        if let Outcome::SelfAssessment(outcome) = &participation.outcome {
            for score in outcome.dimensions.iter().filter(|d| d.answered) {
                by_dimension
                    .entry(score.dimension.as_str())
                    .or_default()
                    .push(score.percent);
            }
        }
    }
    Some(Baseline {
        answers: participations.len(),
        overall: spread(participations.iter().map(|p| match &p.outcome {
            Outcome::SelfAssessment(outcome) => outcome.overall,
            Outcome::Knowledge(outcome) => outcome.percent,
        }))
        .map(|s| s.mean),
        dimensions: by_dimension
            .into_iter()
            .filter_map(|(id, values)| Some((id.to_string(), spread(values.into_iter())?.mean)))
            .collect(),
    })
}

/// The evolution from `before` (the first workshop's group, kept only if it
/// reached its minimum size) to `after` (its follow-up's), only when the
/// follow-up reached its own: a group below it has no results
/// (`Group::TooFew`), and then there is no evolution either, so that no
/// mean of a group too small can be worked out from a difference.
/// `overall_label` names the overall score.
pub fn evolution(
    overall_label: &str,
    before: Option<&Baseline>,
    after: &Group,
) -> Option<GroupEvolution> {
    let (Some(before), Group::Results(after)) = (before, after) else {
        return None;
    };
    let mut changes = vec![MeanChange {
        id: "score".to_string(),
        label: overall_label.to_string(),
        before: before.overall,
        after: after.overall.map(|s| s.mean),
    }];
    for dimension in &after.dimensions {
        changes.push(MeanChange {
            id: dimension.id.clone(),
            label: dimension.label.clone(),
            before: before.dimensions.get(&dimension.id).copied(),
            after: dimension.spread.map(|s| s.mean),
        });
    }
    Some(GroupEvolution {
        before_answers: before.answers,
        after_answers: after.answers,
        changes,
    })
}

fn aggregate(quiz: &Quiz, participations: &[Participation]) -> GroupResults {
    let total = participations.len();
    let assessments: Vec<_> = participations
        .iter()
        .filter_map(|p| match &p.outcome {
            Outcome::SelfAssessment(outcome) => Some(outcome),
            Outcome::Knowledge(_) => None,
        })
        .collect();

    let profiles = quiz
        .profiles
        .iter()
        .map(|profile| {
            let count = assessments
                .iter()
                .filter(|a| a.profile == profile.id)
                .count();
            share(&profile.id, &profile.label, count, total)
        })
        .collect();

    let dimensions = quiz
        .dimensions
        .iter()
        .map(|dimension| {
            let values = assessments.iter().filter_map(|a| {
                a.dimensions
                    .iter()
                    .find(|d| d.dimension == dimension.id && d.answered)
                    .map(|d| d.percent)
            });
            DimensionSpread {
                id: dimension.id.clone(),
                label: dimension.label.clone(),
                spread: spread(values),
            }
        })
        .collect();

    let overall = spread(participations.iter().map(|p| match &p.outcome {
        Outcome::SelfAssessment(outcome) => outcome.overall,
        Outcome::Knowledge(outcome) => outcome.percent,
    }));

    let mut first_counts: BTreeMap<&str, usize> = BTreeMap::new();
    for assessment in &assessments {
        if let Some(first) = assessment.plan.first() {
            *first_counts.entry(first.as_str()).or_default() += 1;
        }
    }
    let mut first: Vec<(usize, usize, &str)> = first_counts
        .into_iter()
        .map(|(id, count)| {
            let order = quiz
                .recommendations
                .iter()
                .position(|r| r.id == id)
                .unwrap_or(usize::MAX);
            (count, order, id)
        })
        .collect();
    // Most frequent first; the quiz's order breaks ties.
    first.sort_by_key(|(count, order, _)| (std::cmp::Reverse(*count), *order));
    let first_actions = first
        .into_iter()
        .take(TOP_FIRST_ACTIONS)
        .map(|(count, _, id)| {
            let label = quiz
                .recommendation(id)
                .map_or_else(|| id.to_string(), |r| r.title.clone());
            share(id, &label, count, total)
        })
        .collect();

    let questions = quiz
        .questions
        .iter()
        .map(|question| {
            let given: Vec<&Answer> = participations
                .iter()
                .filter_map(|p| p.answers.get(&question.id))
                .collect();
            let respondents = given.len();
            let (kind, answers) = match &question.kind {
                QuestionKind::Scale { min, max, .. } => (
                    "scale",
                    (*min..=*max)
                        .map(|step| {
                            let count = given
                                .iter()
                                .filter(|a| matches!(a, Answer::Scale(v) if *v == step))
                                .count();
                            let label = step.to_string();
                            share(&label, &label, count, respondents)
                        })
                        .collect(),
                ),
                QuestionKind::Single | QuestionKind::Multiple { .. } => (
                    if matches!(question.kind, QuestionKind::Single) {
                        "single"
                    } else {
                        "multiple"
                    },
                    question
                        .choices
                        .iter()
                        .map(|choice| {
                            let count = given
                                .iter()
                                .filter(|a| {
                                    matches!(a, Answer::Choices(ids) if ids.contains(&choice.id))
                                })
                                .count();
                            share(&choice.id, &choice.label, count, respondents)
                        })
                        .collect(),
                ),
            };
            QuestionDistribution {
                id: question.id.clone(),
                text: question.text.clone(),
                kind,
                respondents,
                answers,
            }
        })
        .collect();

    GroupResults {
        answers: total,
        profiles,
        dimensions,
        overall,
        first_actions,
        questions,
    }
}

fn share(id: &str, label: &str, count: usize, base: usize) -> Share {
    Share {
        id: id.to_string(),
        label: label.to_string(),
        count,
        percent: rounded_percent(count, base),
    }
}

fn spread(values: impl Iterator<Item = u8>) -> Option<Spread> {
    let values: Vec<u8> = values.collect();
    let (min, max) = (values.iter().min()?, values.iter().max()?);
    let sum: usize = values.iter().map(|v| usize::from(*v)).sum();
    Some(Spread {
        respondents: values.len(),
        mean: rounded_ratio(sum, values.len()),
        min: *min,
        max: *max,
    })
}

/// `part / whole` in percent, rounded half up; 0 when `whole` is 0.
pub fn rounded_percent(part: usize, whole: usize) -> u8 {
    rounded_ratio(part.saturating_mul(100), whole)
}

/// `numerator / denominator` rounded half up, clamped to 0–100.
fn rounded_ratio(numerator: usize, denominator: usize) -> u8 {
    if denominator == 0 {
        return 0;
    }
    let rounded = (2 * numerator as u128 + denominator as u128) / (2 * denominator as u128);
    u8::try_from(rounded.min(100)).unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_up() {
        assert_eq!(rounded_percent(1, 8), 13);
        assert_eq!(rounded_percent(1, 3), 33);
        assert_eq!(rounded_percent(2, 3), 67);
        assert_eq!(rounded_percent(0, 0), 0);
        assert_eq!(rounded_ratio(101, 2), 51);
    }

    #[test]
    fn spread_of_nothing_is_none() {
        assert_eq!(spread(std::iter::empty()), None);
        assert_eq!(
            spread([10, 20, 35].into_iter()),
            Some(Spread {
                respondents: 3,
                mean: 22,
                min: 10,
                max: 35
            })
        );
    }
}
