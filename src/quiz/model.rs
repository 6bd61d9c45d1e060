//! The validated quiz, as the rest of the application sees it: owned, with
//! every reference checked, cheap to share behind an `Arc`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A quiz whose every field and reference has been checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Quiz {
    /// The file name without `.toml`.
    pub id: String,
    /// First 16 hex digits of the SHA-256 of the file's text.
    pub version: String,
    pub mode: Mode,
    pub title: String,
    /// Markdown.
    pub intro: Option<String>,
    pub chapter: Option<ChapterRef>,
    pub questions: Vec<Question>,
    /// Empty for a knowledge check.
    pub dimensions: Vec<Dimension>,
    /// Empty for a knowledge check; otherwise in file order, the first one
    /// whose conditions hold being the person's, the last one unconditional.
    pub profiles: Vec<Profile>,
    /// Empty for a knowledge check; in file order.
    pub recommendations: Vec<Recommendation>,
}

/// A plan holds at least this many actions: validation demands as many
/// always-applicable actions (see quizzes/README.md).
pub const PLAN_MIN: usize = 3;
/// A plan holds at most this many actions, so that it stays doable.
pub const PLAN_MAX: usize = 5;
/// At most this many of a plan's actions are for this week.
pub const WEEK_MAX: usize = 2;

impl Quiz {
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|question| question.id == id)
    }

    pub fn dimension(&self, id: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|dimension| dimension.id == id)
    }

    pub fn profile(&self, id: &str) -> Option<&Profile> {
        self.profiles.iter().find(|profile| profile.id == id)
    }

    pub fn recommendation(&self, id: &str) -> Option<&Recommendation> {
        self.recommendations
            .iter()
            .find(|recommendation| recommendation.id == id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Mode {
    /// `mode = "autodiagnostic"`: dimensions, profile and action plan.
    #[serde(rename = "autodiagnostic")]
    SelfAssessment,
    /// `mode = "connaissances"`: right and wrong answers with explanations.
    #[serde(rename = "connaissances")]
    Knowledge,
}

impl Mode {
    /// The word used in quiz files.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::SelfAssessment => "autodiagnostic",
            Mode::Knowledge => "connaissances",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub text: String,
    pub help: Option<String>,
    /// A short noun phrase, with its article, naming what a scale measures
    /// («\u{a0}le temps passé chaque semaine sur les réseaux\u{a0}»), used to
    /// explain a condition on it.
    pub topic: Option<String>,
    /// An optional question may be left unanswered; it then counts for
    /// nothing in the dimension scores.
    pub optional: bool,
    /// Empty for a scale.
    pub choices: Vec<Choice>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum QuestionKind {
    Single,
    /// `max`: at most this many choices (always between 1 and the number of
    /// choices); `None` means all of them.
    Multiple {
        max: Option<usize>,
    },
    Scale {
        min: i64,
        max: i64,
        min_label: String,
        max_label: String,
        /// Points per dimension for each step above `min`.
        points_per_step: BTreeMap<String, i64>,
    },
}

impl Question {
    pub fn choice(&self, id: &str) -> Option<&Choice> {
        self.choices.iter().find(|choice| choice.id == id)
    }

    /// How many choices may be ticked at most (1 for a single choice, 0 for
    /// a scale).
    pub fn max_choices(&self) -> usize {
        match &self.kind {
            QuestionKind::Single => 1,
            QuestionKind::Multiple { max } => max.unwrap_or(self.choices.len()),
            QuestionKind::Scale { .. } => 0,
        }
    }

    /// The lowest and highest points this question can give `dimension` once
    /// answered. A multiple-choice answer ticks between 1 and `max_choices`
    /// choices, so the bound takes the most (un)favourable choice and then
    /// only adds further choices that push it further.
    pub fn point_range(&self, dimension: &str) -> (i64, i64) {
        match &self.kind {
            QuestionKind::Scale {
                min,
                max,
                points_per_step,
                ..
            } => {
                let per_step = points_per_step.get(dimension).copied().unwrap_or(0);
                let at_max = per_step.saturating_mul(max.saturating_sub(*min));
                (at_max.min(0), at_max.max(0))
            }
            QuestionKind::Single | QuestionKind::Multiple { .. } => {
                let mut values: Vec<i64> = self
                    .choices
                    .iter()
                    .map(|choice| choice.points_for(dimension))
                    .collect();
                if values.is_empty() {
                    return (0, 0);
                }
                values.sort_unstable();
                let picks = self.max_choices().max(1);
                let lowest = values[0].saturating_add(
                    values[1..]
                        .iter()
                        .take(picks - 1)
                        .filter(|value| **value < 0)
                        .sum(),
                );
                let last = values.len() - 1;
                let highest = values[last].saturating_add(
                    values[..last]
                        .iter()
                        .rev()
                        .take(picks - 1)
                        .filter(|value| **value > 0)
                        .sum(),
                );
                (lowest, highest)
            }
        }
    }

    /// The dimensions this question can move.
    pub fn feeds(&self, dimension: &str) -> bool {
        let (lowest, highest) = self.point_range(dimension);
        lowest != highest
    }

    /// For a scale question, its bounds.
    pub fn scale_bounds(&self) -> Option<(i64, i64)> {
        match &self.kind {
            QuestionKind::Scale { min, max, .. } => Some((*min, *max)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub id: String,
    pub label: String,
    /// Self-assessment: points per dimension id (absent = 0).
    pub points: BTreeMap<String, i64>,
    /// Knowledge check: whether this choice belongs to the right answer.
    pub correct: bool,
    /// Knowledge check: shown after submission (always present there).
    pub explanation: Option<String>,
    /// What ticking this choice says about the person, in plain French
    /// («\u{a0}vous n’avez pas encore de site\u{a0}»): explains conditions.
    pub fact: Option<String>,
    /// Multiple choice: this choice cannot be ticked with another one
    /// («\u{a0}Aucun\u{a0}»).
    pub exclusive: bool,
}

impl Choice {
    pub fn points_for(&self, dimension: &str) -> i64 {
        self.points.get(dimension).copied().unwrap_or(0)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    pub id: String,
    pub label: String,
    pub description: Option<String>,
    pub chapter: Option<ChapterRef>,
    /// Lowest raw points reachable when every question is answered.
    pub min_points: i64,
    /// Highest raw points reachable when every question is answered; always
    /// greater than `min_points`.
    pub max_points: i64,
}

/// A profile follows what the person does: the first one of the file whose
/// conditions all hold is theirs (the last one has none).
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub id: String,
    pub label: String,
    /// Markdown; true for everyone whose answers lead to this profile.
    pub description: String,
    /// All must hold; empty only for the last profile.
    pub conditions: Vec<Condition>,
}

/// One action of a plan, worded in one or more variants.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    pub id: String,
    /// The action's short name, the same whatever the variant: group
    /// results and worksheets show it.
    pub title: String,
    /// Actions that must come before this one when both are in a plan; an
    /// action whose conditions do not hold counts as done.
    pub after: Vec<String>,
    /// All must hold for any variant to apply; empty = always.
    pub conditions: Vec<Condition>,
    /// Never empty. The first whose conditions hold is the one a person
    /// gets; if none holds, the action does not apply.
    pub variants: Vec<Variant>,
}

impl Recommendation {
    pub fn variant(&self, id: &str) -> Option<&Variant> {
        self.variants.iter().find(|variant| variant.id == id)
    }
}

/// One wording of an action for one situation, every field resolved (a
/// variant's missing field comes from its action).
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Unique within its action; the action's id when it has no variants.
    pub id: String,
    pub title: String,
    pub why: String,
    /// Markdown.
    pub how: String,
    /// The section of the book that explains how to do it.
    pub chapter: ChapterRef,
    /// 0 to 100, higher is more urgent.
    pub priority: u8,
    pub horizon: Horizon,
    /// All must hold, besides the action's own; empty = the default variant.
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Horizon {
    Semaine,
    Mois,
    Trimestre,
}

impl Horizon {
    /// The word used in quiz files.
    pub fn as_str(self) -> &'static str {
        match self {
            Horizon::Semaine => "semaine",
            Horizon::Mois => "mois",
            Horizon::Trimestre => "trimestre",
        }
    }

    /// For display in an action plan.
    pub fn label(self) -> &'static str {
        match self {
            Horizon::Semaine => "Cette semaine",
            Horizon::Mois => "Ce mois-ci",
            Horizon::Trimestre => "Ce trimestre",
        }
    }

    pub(crate) fn parse(word: &str) -> Option<Self> {
        match word {
            "semaine" => Some(Horizon::Semaine),
            "mois" => Some(Horizon::Mois),
            "trimestre" => Some(Horizon::Trimestre),
            _ => None,
        }
    }
}

/// A chapter of the book: a path listed in SUMMARY.md, and an optional anchor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChapterRef {
    /// As written in SUMMARY.md, e.g. `05-action/site.md`.
    pub path: String,
    /// Without the `#`.
    pub anchor: Option<String>,
}

impl ChapterRef {
    /// The page mdBook renders for it, relative to the book root:
    /// `05-action/site.html#liste`.
    pub fn html_path(&self) -> String {
        let page = match self.path.strip_suffix(".md") {
            Some(stem) => format!("{stem}.html"),
            None => self.path.clone(),
        };
        match &self.anchor {
            Some(anchor) => format!("{page}#{anchor}"),
            None => page,
        }
    }
}

/// One `when` condition, with every name checked against the quiz.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `propriete < 50`: a dimension's score, 0–100.
    Dimension {
        dimension: String,
        comparison: Comparison,
        value: i64,
    },
    /// `score >= 70`: the overall score, 0–100.
    Overall { comparison: Comparison, value: i64 },
    /// `answer activite = association`: the choice is part of the answer.
    ChoiceSelected { question: String, choice: String },
    /// `answer activite != association`: the choice is not part of the
    /// answer (true as well when the question was not answered).
    ChoiceNotSelected { question: String, choice: String },
    /// `answer temps-hebdo >= 4`: the value given on a scale (false when the
    /// question was not answered, except for `!=`).
    ScaleValue {
        question: String,
        comparison: Comparison,
        value: i64,
    },
    /// `A or B`: at least one holds (never nested).
    Any(Vec<Condition>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparison {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
}

impl Comparison {
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
            Comparison::Greater => ">",
            Comparison::GreaterOrEqual => ">=",
            Comparison::Equal => "=",
            Comparison::NotEqual => "!=",
        }
    }

    pub fn holds(self, left: i64, right: i64) -> bool {
        match self {
            Comparison::Less => left < right,
            Comparison::LessOrEqual => left <= right,
            Comparison::Greater => left > right,
            Comparison::GreaterOrEqual => left >= right,
            Comparison::Equal => left == right,
            Comparison::NotEqual => left != right,
        }
    }

    /// The values `x` with `x <op> value` as an inclusive interval, for the
    /// comparisons that have one (`!=` does not).
    pub(crate) fn interval(self, value: i64) -> Option<(i64, i64)> {
        match self {
            Comparison::Less => Some((i64::MIN, value.saturating_sub(1))),
            Comparison::LessOrEqual => Some((i64::MIN, value)),
            Comparison::Greater => Some((value.saturating_add(1), i64::MAX)),
            Comparison::GreaterOrEqual => Some((value, i64::MAX)),
            Comparison::Equal => Some((value, value)),
            Comparison::NotEqual => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(id: &str, points: i64) -> Choice {
        Choice {
            id: id.into(),
            label: id.into(),
            points: BTreeMap::from([("d".to_owned(), points)]),
            correct: false,
            explanation: None,
            fact: None,
            exclusive: false,
        }
    }

    fn question(kind: QuestionKind, points: &[i64]) -> Question {
        Question {
            id: "q".into(),
            kind,
            text: "?".into(),
            help: None,
            topic: None,
            optional: false,
            choices: points
                .iter()
                .enumerate()
                .map(|(index, value)| choice(&format!("c{index}"), *value))
                .collect(),
        }
    }

    #[test]
    fn single_choice_range_is_lowest_and_highest_choice() {
        let single = question(QuestionKind::Single, &[3, -2, 0, 5]);
        assert_eq!(single.point_range("d"), (-2, 5));
        assert_eq!(single.point_range("absent"), (0, 0));
    }

    #[test]
    fn multiple_choice_range_needs_one_choice_and_respects_max() {
        // All of them may be ticked: -1 + -4 at worst, 2 + 3 at best.
        let unlimited = question(QuestionKind::Multiple { max: None }, &[2, -1, 3, -4]);
        assert_eq!(unlimited.point_range("d"), (-5, 5));
        // At most one: the single worst and best.
        let one = question(QuestionKind::Multiple { max: Some(1) }, &[2, -1, 3, -4]);
        assert_eq!(one.point_range("d"), (-4, 3));
        // All positive: at least one choice is ticked, so the least is 1.
        let positive = question(QuestionKind::Multiple { max: Some(2) }, &[1, 2, 4]);
        assert_eq!(positive.point_range("d"), (1, 6));
    }

    #[test]
    fn scale_range_follows_sign_of_points_per_step() {
        let scale = Question {
            kind: QuestionKind::Scale {
                min: 1,
                max: 5,
                min_label: "peu".into(),
                max_label: "beaucoup".into(),
                points_per_step: BTreeMap::from([("d".to_owned(), -2)]),
            },
            ..question(QuestionKind::Single, &[])
        };
        assert_eq!(scale.point_range("d"), (-8, 0));
        assert!(scale.feeds("d"));
        assert!(!scale.feeds("e"));
    }

    #[test]
    fn chapter_html_path_keeps_anchor() {
        let chapter = ChapterRef {
            path: "05-action/site.md".into(),
            anchor: Some("liste".into()),
        };
        assert_eq!(chapter.html_path(), "05-action/site.html#liste");
        let plain = ChapterRef {
            path: "02-portee.md".into(),
            anchor: None,
        };
        assert_eq!(plain.html_path(), "02-portee.html");
    }
}
