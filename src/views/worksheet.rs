//! Paper versions of the quizzes, rendered at build time from the same
//! validated model the server uses: the questions with their points, how to
//! add them up, the profile bands and the recommendation table — so a group
//! can run the self-assessment without a network. Knowledge checks get their
//! answer key separately, at the end of the chapter.

use serde::Serialize;

use super::{Templates, numbers};
use crate::quiz::{Mode, PLAN_MAX, PLAN_MIN, QuestionKind, Quiz, WEEK_MAX};

#[derive(Serialize)]
struct WorksheetView<'a> {
    quiz_id: &'a str,
    plan_min: usize,
    plan_max: usize,
    week_max: usize,
    title: &'a str,
    self_assessment: bool,
    /// Shown when the page is not served by chezsoi (offline book, PDF).
    offline: bool,
    questions: Vec<QuestionView>,
    dimensions: Vec<DimensionView>,
    profiles: Vec<ProfileView>,
    recommendations: Vec<RecommendationView>,
}

#[derive(Serialize)]
struct QuestionView {
    number: usize,
    text: String,
    help: Option<String>,
    optional: bool,
    instructions: String,
    choices: Vec<ChoiceView>,
}

#[derive(Serialize)]
struct ChoiceView {
    label: String,
    /// "propriété +2, portée −1", empty when the choice gives nothing.
    points: String,
}

#[derive(Serialize)]
struct DimensionView {
    label: String,
    min: i64,
    max: i64,
}

#[derive(Serialize)]
struct ProfileView {
    label: String,
    /// «\u{a0}si …\u{a0}» in plain French; «\u{a0}dans tous les autres cas\u{a0}» for the last.
    conditions: String,
}

/// One row per variant: a group reads down the table and keeps, for each
/// action, the first row whose conditions hold.
#[derive(Serialize)]
struct RecommendationView {
    /// The action's name, on its first row only.
    action: Option<String>,
    /// When the action concerns someone at all, on its first row only.
    action_conditions: Option<String>,
    /// How many rows the action spans.
    rows: usize,
    title: String,
    conditions: String,
    /// The titles of the actions that come first, on the first row only.
    after: Option<String>,
    priority: u8,
    horizon: &'static str,
    chapter_href: String,
    chapter_title: String,
}

#[derive(Serialize)]
struct AnswerKeyView<'a> {
    quiz_id: &'a str,
    title: &'a str,
    questions: Vec<KeyQuestionView>,
}

#[derive(Serialize)]
struct KeyQuestionView {
    number: usize,
    text: String,
    right: Vec<String>,
    explanations: Vec<(String, bool, String)>,
}

fn points_text(quiz: &Quiz, points: impl Iterator<Item = (String, i64)>) -> String {
    points
        .filter(|(_, p)| *p != 0)
        .map(|(dimension, p)| {
            let label = quiz
                .dimension(&dimension)
                .map_or(dimension.clone(), |d| d.label.clone());
            format!("{label} {}", numbers::signed(p))
        })
        .collect::<Vec<_>>()
        .join("\u{a0}; ")
}

/// The worksheet of a quiz. `to_root` leads from the chapter to the book's
/// root; `chapter_title` names a chapter from its source path.
pub fn render(
    templates: &Templates,
    quiz: &Quiz,
    offline: bool,
    to_root: &str,
    chapter_title: &dyn Fn(&str) -> String,
) -> anyhow::Result<String> {
    let self_assessment = quiz.mode == Mode::SelfAssessment;
    let questions = quiz
        .questions
        .iter()
        .enumerate()
        .map(|(index, question)| {
            let choices = || {
                question
                    .choices
                    .iter()
                    .map(|c| ChoiceView {
                        label: c.label.clone(),
                        points: points_text(quiz, c.points.clone().into_iter()),
                    })
                    .collect()
            };
            let (instructions, choices) = match &question.kind {
                QuestionKind::Single => ("Cochez une seule réponse.".to_string(), choices()),
                QuestionKind::Multiple { max } => (
                    match max {
                        Some(max) => {
                            format!("Cochez jusqu’à {max} réponses\u{a0}; additionnez leurs points.")
                        }
                        None => {
                            "Cochez toutes les réponses qui conviennent\u{a0}; additionnez leurs points."
                                .to_string()
                        }
                    },
                    choices(),
                ),
                QuestionKind::Scale {
                    min,
                    max,
                    min_label,
                    max_label,
                    points_per_step,
                } => {
                    let per_step = points_text(quiz, points_per_step.clone().into_iter());
                    (
                        format!(
                            "Entourez une valeur de {min} ({min_label}) à {max} ({max_label}).{}",
                            if per_step.is_empty() {
                                String::new()
                            } else {
                                format!(" Pour chaque cran au-dessus de {min}\u{a0}: {per_step}.")
                            }
                        ),
                        (*min..=*max)
                            .map(|value| ChoiceView {
                                label: value.to_string(),
                                points: points_text(
                                    quiz,
                                    points_per_step
                                        .iter()
                                        .map(|(d, p)| (d.clone(), p * (value - min))),
                                ),
                            })
                            .collect(),
                    )
                }
            };
            QuestionView {
                number: index + 1,
                text: question.text.clone(),
                help: question.help.clone(),
                optional: question.optional,
                instructions,
                choices: if self_assessment {
                    choices
                } else {
                    // A knowledge check on paper shows no points: its key is
                    // at the end of the chapter.
                    choices
                        .into_iter()
                        .map(|c| ChoiceView {
                            label: c.label,
                            points: String::new(),
                        })
                        .collect()
                },
            }
        })
        .collect();
    let view = WorksheetView {
        quiz_id: &quiz.id,
        plan_min: PLAN_MIN,
        plan_max: PLAN_MAX,
        week_max: WEEK_MAX,
        title: &quiz.title,
        self_assessment,
        offline,
        questions,
        dimensions: quiz
            .dimensions
            .iter()
            .map(|d| DimensionView {
                label: d.label.clone(),
                min: d.min_points,
                max: d.max_points,
            })
            .collect(),
        profiles: quiz
            .profiles
            .iter()
            .map(|p| ProfileView {
                label: p.label.clone(),
                conditions: if p.conditions.is_empty() {
                    "dans tous les autres cas".to_string()
                } else {
                    quiz.describe_conditions(&p.conditions)
                },
            })
            .collect(),
        recommendations: quiz
            .recommendations
            .iter()
            .flat_map(|r| {
                let after = r
                    .after
                    .iter()
                    .filter_map(|id| quiz.recommendation(id))
                    .map(|before| format!("«\u{a0}{}\u{a0}»", before.title))
                    .collect::<Vec<_>>()
                    .join(", ");
                r.variants.iter().enumerate().map(move |(index, v)| {
                    let first = index == 0;
                    RecommendationView {
                        action: first.then(|| r.title.clone()),
                        rows: r.variants.len(),
                        title: v.title.clone(),
                        action_conditions: (first && !r.conditions.is_empty())
                            .then(|| quiz.describe_conditions(&r.conditions)),
                        // A default variant after others applies when they do
                        // not: say so rather than «\u{a0}dans tous les cas\u{a0}».
                        conditions: if !first && v.conditions.is_empty() {
                            "dans les autres cas".to_string()
                        } else {
                            quiz.describe_conditions(&v.conditions)
                        },
                        after: (first && !after.is_empty()).then(|| after.clone()),
                        priority: v.priority,
                        horizon: v.horizon.label(),
                        chapter_href: format!("{to_root}{}", v.chapter.html_path()),
                        chapter_title: chapter_title(&v.chapter.path),
                    }
                })
            })
            .collect(),
    };
    templates.render("worksheet.html", &view)
}

/// The answer key of a knowledge check, for the end of its chapter.
pub fn render_answer_key(templates: &Templates, quiz: &Quiz) -> anyhow::Result<String> {
    let view = AnswerKeyView {
        quiz_id: &quiz.id,
        title: &quiz.title,
        questions: quiz
            .questions
            .iter()
            .enumerate()
            .map(|(index, question)| KeyQuestionView {
                number: index + 1,
                text: question.text.clone(),
                right: question
                    .choices
                    .iter()
                    .filter(|c| c.correct)
                    .map(|c| c.label.clone())
                    .collect(),
                explanations: question
                    .choices
                    .iter()
                    .map(|c| {
                        (
                            c.label.clone(),
                            c.correct,
                            c.explanation.clone().unwrap_or_default(),
                        )
                    })
                    .collect(),
            })
            .collect(),
    };
    templates.render("answer_key.html", &view)
}
