//! Pure scoring: a validated quiz and the answers to it give an outcome.
//! Also turns submitted form fields into answers.
//!
//! Rounding: every percentage and mean is computed in integers and rounded
//! half up (`(2·a + b) / (2·b)` for `a / b` with `a, b ≥ 0`), so 49.5 → 50 and
//! the same answers always give the same numbers on every machine.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::quiz::{
    Comparison, Condition, Horizon, Mode, Question, QuestionKind, Quiz, Recommendation, Variant,
};
pub use crate::quiz::{PLAN_MAX, PLAN_MIN, WEEK_MAX};

/// The score given to a dimension none of whose questions was answered.
const UNANSWERED_DIMENSION_SCORE: u8 = 50;

/// Answers by question id.
pub type Answers = BTreeMap<String, Answer>;

/// One question's answer. Serialized compactly (`["b2b"]` or `3`) since
/// results are stored as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// Choice ids, sorted and without duplicates; never empty.
    Choices(Vec<String>),
    /// The value given on a scale.
    Scale(i64),
}

/// Problems with a submitted form, in French, to show next to the questions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormErrors {
    /// One message per question id.
    pub by_question: BTreeMap<String, String>,
    /// Problems that belong to no question of the quiz.
    pub general: Vec<String>,
}

impl FormErrors {
    pub fn is_empty(&self) -> bool {
        self.by_question.is_empty() && self.general.is_empty()
    }
}

/// The prefix of the form field that carries a question's answer:
/// `q-{question id}`.
pub const FIELD_PREFIX: &str = "q-";

/// Longest piece of a submitted value echoed back in a message.
const ECHO_MAX_CHARS: usize = 40;

/// Reads the answers from submitted form fields (`q-{question}` = choice id,
/// repeated for a multiple choice, or the number for a scale). Fields with
/// other names are ignored; empty values count as no answer.
pub fn parse_form(quiz: &Quiz, fields: &[(String, String)]) -> Result<Answers, FormErrors> {
    let mut errors = FormErrors::default();
    let mut values_by_question: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, value) in fields {
        let Some(question_id) = name.strip_prefix(FIELD_PREFIX) else {
            continue;
        };
        if quiz.question(question_id).is_none() {
            let message = format!("question inconnue «\u{a0}{}\u{a0}»", echo(question_id));
            if !errors.general.contains(&message) {
                errors.general.push(message);
            }
            continue;
        }
        let value = value.trim();
        if !value.is_empty() {
            values_by_question
                .entry(question_id)
                .or_default()
                .push(value);
        }
    }

    let mut answers = Answers::new();
    for question in &quiz.questions {
        let values = values_by_question
            .get(question.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        if values.is_empty() {
            if !question.optional {
                errors.by_question.insert(
                    question.id.clone(),
                    "Cette question attend une réponse.".into(),
                );
            }
            continue;
        }
        match answer_from_values(question, values) {
            Ok(answer) => {
                answers.insert(question.id.clone(), answer);
            }
            Err(message) => {
                errors.by_question.insert(question.id.clone(), message);
            }
        }
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}

fn answer_from_values(question: &Question, values: &[&str]) -> Result<Answer, String> {
    let mut distinct: Vec<&str> = values.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    match &question.kind {
        QuestionKind::Scale { min, max, .. } => {
            let [value] = distinct[..] else {
                return Err("Une seule valeur est attendue sur cette échelle.".into());
            };
            match value.parse::<i64>() {
                Ok(number) if (*min..=*max).contains(&number) => Ok(Answer::Scale(number)),
                _ => Err(format!(
                    "«\u{a0}{}\u{a0}» n’est pas une valeur de l’échelle\u{a0}: un nombre entier de {min} à {max} \
                     est attendu.",
                    echo(value)
                )),
            }
        }
        QuestionKind::Single | QuestionKind::Multiple { .. } => {
            if let Some(unknown) = distinct
                .iter()
                .find(|value| question.choice(value).is_none())
            {
                return Err(format!(
                    "«\u{a0}{}\u{a0}» n’est pas un des choix proposés.",
                    echo(unknown)
                ));
            }
            if distinct.len() > 1 {
                if let Some(alone) = distinct
                    .iter()
                    .filter_map(|value| question.choice(value))
                    .find(|choice| choice.exclusive)
                {
                    return Err(format!(
                        "«\u{a0}{}\u{a0}» ne se coche pas avec une autre réponse.",
                        alone.label
                    ));
                }
            }
            let max = question.max_choices();
            if distinct.len() > max {
                return Err(if max == 1 {
                    "Un seul choix est attendu.".into()
                } else {
                    format!("Au plus {max} choix ({} cochés).", distinct.len())
                });
            }
            Ok(Answer::Choices(
                distinct.into_iter().map(str::to_owned).collect(),
            ))
        }
    }
}

/// A submitted value shortened for a message: forms can be forged.
fn echo(value: &str) -> String {
    let mut shown: String = value.chars().take(ECHO_MAX_CHARS).collect();
    if value.chars().nth(ECHO_MAX_CHARS).is_some() {
        shown.push('…');
    }
    shown
}

/// What a set of answers gives. Ids and numbers only: the view looks labels
/// up in the quiz (of the same version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode")]
pub enum Outcome {
    #[serde(rename = "autodiagnostic")]
    SelfAssessment(SelfAssessmentOutcome),
    #[serde(rename = "connaissances")]
    Knowledge(KnowledgeOutcome),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfAssessmentOutcome {
    /// Rounded mean of the answered dimensions' percentages, 0–100 (50 when
    /// no dimension was answered).
    pub overall: u8,
    /// The first profile whose conditions hold.
    pub profile: String,
    /// In the quiz's dimension order.
    pub dimensions: Vec<DimensionScore>,
    /// Recommendation ids in the order to follow them: this week's first,
    /// each after those it depends on; `PLAN_MIN` to `PLAN_MAX` of them, at
    /// most `WEEK_MAX` for this week (fewer when actions already done leave
    /// too few, see `score_after`). The variant of each is recomputed from
    /// the answers by `plan_steps`.
    pub plan: Vec<String>,
    /// The actions known to be done when this plan was made (ticked off on
    /// the results this one follows): left out of `plan`, sorted. Empty, and
    /// absent from the JSON, for a result that follows none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub already_done: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionScore {
    pub dimension: String,
    /// Points earned by the answers.
    pub raw: i64,
    /// Lowest and highest points the answered questions could give.
    pub min: i64,
    pub max: i64,
    /// `raw` placed between `min` (0) and `max` (100), rounded half up.
    pub percent: u8,
    /// False when no answered question moves this dimension; `percent` is
    /// then 50 and the dimension stays out of the overall score.
    pub answered: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnowledgeOutcome {
    /// Questions answered exactly right.
    pub correct: usize,
    pub total: usize,
    /// The mean of the questions' credits, rounded half up.
    pub percent: u8,
    /// In question order.
    pub questions: Vec<QuestionResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionResult {
    pub question: String,
    /// Exactly the right choices ticked.
    pub correct: bool,
    /// Share of the question's point earned, 0–100: for a multiple choice,
    /// (right choices ticked − wrong choices ticked) ÷ right choices, at
    /// least 0. Absent from results stored before partial credit existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<u8>,
}

impl QuestionResult {
    /// The credit, 100 or 0 for results stored without one.
    pub fn credit(&self) -> u8 {
        self.credit.unwrap_or(if self.correct { 100 } else { 0 })
    }

    /// Some right choices ticked, but not exactly the right ones.
    pub fn partial(&self) -> bool {
        !self.correct && self.credit() > 0
    }
}

/// Scores answers (normally from `parse_form`). Answers that do not fit the
/// quiz — unknown questions or choices, a scale value out of range, choices
/// for a scale — are ignored rather than trusted, so stored answers can be
/// rescored safely.
pub fn score(quiz: &Quiz, answers: &Answers) -> Outcome {
    score_after(quiz, answers, &BTreeSet::new())
}

/// `score`, for someone who has already done the actions `done` (ids of
/// the quiz's recommendations, ticked off on an earlier result): none of
/// them is recommended again, and an action that comes after one of them
/// no longer waits for it (a dependency done is a dependency met). The plan
/// may then hold fewer than `PLAN_MIN` actions, none when everything that
/// applies is done. Ids the quiz does not know are ignored. Scores and
/// profile do not depend on `done`.
pub fn score_after(quiz: &Quiz, answers: &Answers, done: &BTreeSet<String>) -> Outcome {
    match quiz.mode {
        Mode::SelfAssessment => Outcome::SelfAssessment(self_assessment(quiz, answers, done)),
        Mode::Knowledge => Outcome::Knowledge(knowledge(quiz, answers)),
    }
}

/// The answer to `question` if it fits it.
fn usable_answer<'a>(question: &Question, answers: &'a Answers) -> Option<&'a Answer> {
    let answer = answers.get(&question.id)?;
    let fits = match (answer, &question.kind) {
        (Answer::Scale(value), QuestionKind::Scale { min, max, .. }) => {
            (min..=max).contains(&value)
        }
        (Answer::Choices(choices), QuestionKind::Single | QuestionKind::Multiple { .. }) => {
            !choices.is_empty()
                && choices.len() <= question.max_choices()
                // Sorted without duplicates, so no choice counts twice.
                && choices.windows(2).all(|pair| pair[0] < pair[1])
                && choices.iter().all(|choice| question.choice(choice).is_some())
                && (choices.len() == 1
                    || choices
                        .iter()
                        .filter_map(|choice| question.choice(choice))
                        .all(|choice| !choice.exclusive))
        }
        _ => false,
    };
    fits.then_some(answer)
}

fn points_earned(question: &Question, answer: &Answer, dimension: &str) -> i64 {
    match (answer, &question.kind) {
        (
            Answer::Scale(value),
            QuestionKind::Scale {
                min,
                points_per_step,
                ..
            },
        ) => points_per_step
            .get(dimension)
            .copied()
            .unwrap_or(0)
            .saturating_mul(value.saturating_sub(*min)),
        (Answer::Choices(choices), _) => choices
            .iter()
            .filter_map(|id| question.choice(id))
            .map(|choice| choice.points_for(dimension))
            .fold(0, i64::saturating_add),
        _ => 0,
    }
}

/// `numerator / denominator` as a percentage rounded half up, clamped to
/// 0–100. `denominator` must be positive.
fn percent(numerator: i64, denominator: i64) -> u8 {
    let numerator = i128::from(numerator.clamp(0, denominator));
    let denominator = i128::from(denominator);
    let rounded = (200 * numerator + denominator) / (2 * denominator);
    u8::try_from(rounded.clamp(0, 100)).unwrap_or(100)
}

fn self_assessment(
    quiz: &Quiz,
    answers: &Answers,
    done: &BTreeSet<String>,
) -> SelfAssessmentOutcome {
    let answered: Vec<(&Question, &Answer)> = quiz
        .questions
        .iter()
        .filter_map(|question| usable_answer(question, answers).map(|answer| (question, answer)))
        .collect();

    let dimensions: Vec<DimensionScore> = quiz
        .dimensions
        .iter()
        .map(|dimension| {
            let (mut raw, mut min, mut max) = (0_i64, 0_i64, 0_i64);
            for (question, answer) in &answered {
                let (low, high) = question.point_range(&dimension.id);
                raw = raw.saturating_add(points_earned(question, answer, &dimension.id));
                min = min.saturating_add(low);
                max = max.saturating_add(high);
            }
            let has_range = max > min;
            DimensionScore {
                dimension: dimension.id.clone(),
                raw,
                min,
                max,
                percent: if has_range {
                    percent(raw.saturating_sub(min), max.saturating_sub(min))
                } else {
                    UNANSWERED_DIMENSION_SCORE
                },
                answered: has_range,
            }
        })
        .collect();

    let answered_percents: Vec<i64> = dimensions
        .iter()
        .filter(|score| score.answered)
        .map(|score| i64::from(score.percent))
        .collect();
    let overall = if answered_percents.is_empty() {
        UNANSWERED_DIMENSION_SCORE
    } else {
        let count = i64::try_from(answered_percents.len()).unwrap_or(i64::MAX);
        // The mean of percentages is itself a percentage of `count * 100`.
        percent(answered_percents.iter().sum(), count.saturating_mul(100))
    };
    let facts = Facts {
        quiz,
        answers,
        dimensions: &dimensions,
        overall,
    };
    let profile = quiz
        .profiles
        .iter()
        .find(|profile| profile.conditions.iter().all(|c| facts.holds(c)))
        .map(|profile| profile.id.clone())
        .unwrap_or_default();
    let plan = choose_plan(quiz, &facts, done);
    let already_done = quiz
        .recommendations
        .iter()
        .filter(|recommendation| done.contains(&recommendation.id))
        .map(|recommendation| recommendation.id.clone())
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect();

    SelfAssessmentOutcome {
        overall,
        profile,
        dimensions,
        plan,
        already_done,
    }
}

fn chosen(quiz: &Quiz, answers: &Answers, question_id: &str, choice: &str) -> bool {
    quiz.question(question_id)
        .and_then(|question| usable_answer(question, answers))
        .is_some_and(
            |answer| matches!(answer, Answer::Choices(choices) if choices.iter().any(|id| id == choice)),
        )
}

/// What the conditions of profiles and recommendations are checked against.
struct Facts<'a> {
    quiz: &'a Quiz,
    answers: &'a Answers,
    dimensions: &'a [DimensionScore],
    overall: u8,
}

impl Facts<'_> {
    fn dimension_percent(&self, id: &str) -> i64 {
        self.dimensions
            .iter()
            .find(|score| score.dimension == id)
            .map_or(i64::from(UNANSWERED_DIMENSION_SCORE), |score| {
                i64::from(score.percent)
            })
    }

    fn scale_value(&self, question: &str) -> Option<i64> {
        match self
            .quiz
            .question(question)
            .and_then(|question| usable_answer(question, self.answers))
        {
            Some(Answer::Scale(given)) => Some(*given),
            _ => None,
        }
    }

    fn holds(&self, condition: &Condition) -> bool {
        match condition {
            Condition::Dimension {
                dimension,
                comparison,
                value,
            } => comparison.holds(self.dimension_percent(dimension), *value),
            Condition::Overall { comparison, value } => {
                comparison.holds(i64::from(self.overall), *value)
            }
            Condition::ChoiceSelected { question, choice } => {
                chosen(self.quiz, self.answers, question, choice)
            }
            Condition::ChoiceNotSelected { question, choice } => {
                !chosen(self.quiz, self.answers, question, choice)
            }
            Condition::ScaleValue {
                question,
                comparison,
                value,
            } => match self.scale_value(question) {
                Some(given) => comparison.holds(given, *value),
                None => *comparison == Comparison::NotEqual,
            },
            Condition::Any(alternatives) => alternatives.iter().any(|c| self.holds(c)),
        }
    }

    /// The variant this person gets, if the action applies to them.
    fn variant<'q>(&self, recommendation: &'q Recommendation) -> Option<&'q Variant> {
        if !recommendation.conditions.iter().all(|c| self.holds(c)) {
            return None;
        }
        recommendation
            .variants
            .iter()
            .find(|variant| variant.conditions.iter().all(|c| self.holds(c)))
    }

    /// A condition that holds, as a reason the person recognises; `None`
    /// for exclusions («\u{a0}sauf si…\u{a0}»), which explain nothing.
    fn reason(&self, condition: &Condition) -> Option<String> {
        match condition {
            Condition::ChoiceSelected { question, choice } => {
                Some(self.quiz.fact(question, choice))
            }
            Condition::ChoiceNotSelected { .. } => None,
            Condition::Dimension { dimension, .. } => {
                let label = self
                    .quiz
                    .dimension(dimension)
                    .map_or(dimension.as_str(), |dimension| dimension.label.as_str());
                Some(format!(
                    "votre score «\u{a0}{label}\u{a0}» est de {} sur 100",
                    self.dimension_percent(dimension)
                ))
            }
            Condition::Overall { .. } => Some(format!(
                "votre score global est de {} sur 100",
                self.overall
            )),
            Condition::ScaleValue { question, .. } => {
                let given = self.scale_value(question)?;
                let question = self.quiz.question(question)?;
                let (_, max) = question.scale_bounds()?;
                Some(format!(
                    "{}\u{a0}: vous avez répondu {given} sur {max}",
                    question.topic.clone().unwrap_or_default()
                ))
            }
            Condition::Any(alternatives) => alternatives
                .iter()
                .filter(|alternative| self.holds(alternative))
                .find_map(|alternative| self.reason(alternative)),
        }
    }
}

/// Chooses and orders the actions of a plan.
///
/// Applicable actions (conditions true, a variant found) are taken by
/// decreasing priority (file order between equals), each together with the
/// applicable actions it depends on, as long as the plan keeps at most
/// `PLAN_MAX` actions and `WEEK_MAX` for this week; an action that does not
/// fit is left out whole, so a step never refers to a missing earlier one.
/// Then the plan is ordered by horizon, dependencies first, priority next.
/// Validation guarantees `PLAN_MIN` fallback actions that always fit, and
/// that no action is more urgent than what it depends on.
///
/// Actions in `done` are not applicable: never chosen, and, like any
/// action that does not apply, they count as done for those that come
/// after them.
fn choose_plan(quiz: &Quiz, facts: &Facts<'_>, done: &BTreeSet<String>) -> Vec<String> {
    // (file index, variant) of every applicable action, by id.
    let applicable: BTreeMap<&str, (usize, &Variant)> = quiz
        .recommendations
        .iter()
        .enumerate()
        .filter(|(_, recommendation)| !done.contains(&recommendation.id))
        .filter_map(|(index, recommendation)| {
            facts
                .variant(recommendation)
                .map(|variant| (recommendation.id.as_str(), (index, variant)))
        })
        .collect();
    let rank = |id: &str| {
        applicable
            .get(id)
            .map(|(index, variant)| (std::cmp::Reverse(variant.priority), *index))
    };
    let mut candidates: Vec<&str> = applicable.keys().copied().collect();
    candidates.sort_by_key(|id| rank(id));

    let is_week = |id: &str| {
        applicable
            .get(id)
            .is_some_and(|(_, variant)| variant.horizon == Horizon::Semaine)
    };
    let mut chosen: Vec<&str> = Vec::new();
    for candidate in candidates {
        if chosen.contains(&candidate) {
            continue;
        }
        let mut group = Vec::new();
        with_dependencies(quiz, &applicable, candidate, &chosen, &mut group, 0);
        let size = chosen.len() + group.len();
        let week = chosen.iter().chain(&group).filter(|id| is_week(id)).count();
        if size <= PLAN_MAX && week <= WEEK_MAX {
            chosen.extend(group);
        }
    }

    // Kahn's algorithm: among the actions whose chosen dependencies are
    // placed, the earliest horizon, then the highest priority, goes next. A
    // dependency borrows the priority of what waits for it, so that an
    // urgent action is not held back behind less urgent ones.
    let depends = |id: &str| -> Vec<&str> {
        quiz.recommendation(id)
            .map(|recommendation| {
                recommendation
                    .after
                    .iter()
                    .map(String::as_str)
                    .filter(|dependency| chosen.contains(dependency))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut urgency: BTreeMap<&str, (std::cmp::Reverse<u8>, usize)> = chosen
        .iter()
        .filter_map(|id| rank(id).map(|rank| (*id, rank)))
        .collect();
    // At most PLAN_MAX actions: as many passes settle every chain.
    for _ in 0..chosen.len() {
        for id in &chosen {
            let Some(own) = urgency.get(id).copied() else {
                continue;
            };
            for dependency in depends(id) {
                if let Some(borrowed) = urgency.get_mut(dependency) {
                    borrowed.0 = borrowed.0.min(own.0);
                }
            }
        }
    }
    let mut ordered: Vec<&str> = Vec::new();
    while ordered.len() < chosen.len() {
        let next = chosen
            .iter()
            .filter(|id| !ordered.contains(id))
            .filter(|id| {
                depends(id)
                    .iter()
                    .all(|dependency| ordered.contains(dependency))
            })
            .min_by_key(|id| {
                let horizon = applicable.get(**id).map(|(_, variant)| variant.horizon);
                (horizon, urgency.get(**id).copied())
            });
        match next {
            Some(id) => ordered.push(id),
            // Unreachable once validated (no cycles); never loop forever.
            None => break,
        }
    }
    ordered.into_iter().map(str::to_owned).collect()
}

/// `id` preceded by the applicable actions it depends on, recursively,
/// leaving out those already chosen or already in `group`. `depth` bounds
/// the recursion should a quiz built in code (not validated) have a cycle.
fn with_dependencies<'q>(
    quiz: &'q Quiz,
    applicable: &BTreeMap<&str, (usize, &Variant)>,
    id: &'q str,
    chosen: &[&str],
    group: &mut Vec<&'q str>,
    depth: usize,
) {
    if chosen.contains(&id) || group.contains(&id) || depth > quiz.recommendations.len() {
        return;
    }
    if let Some(recommendation) = quiz.recommendation(id) {
        for dependency in &recommendation.after {
            // A dependency that does not apply is already done.
            if applicable.contains_key(dependency.as_str()) {
                with_dependencies(quiz, applicable, dependency, chosen, group, depth + 1);
            }
        }
    }
    group.push(id);
}

/// The reason given for an action that holds whatever the answers.
pub const ALWAYS_REASON: &str = "cette étape est utile quelle que soit votre situation";

/// One action of a plan as the person reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanStep<'q> {
    pub recommendation: &'q Recommendation,
    /// The wording that fits this person.
    pub variant: &'q Variant,
    /// Why this action was chosen: what the answers say, in plain French,
    /// each true for this person («\u{a0}vous n’avez pas encore de site\u{a0}»).
    pub reasons: Vec<String>,
}

/// The steps of a self-assessment's plan, in its order, with the variant and
/// the reasons that the answers give. Actions the quiz no longer has, or
/// that no longer apply (the quiz changed since), are left out.
pub fn plan_steps<'q>(
    quiz: &'q Quiz,
    answers: &Answers,
    outcome: &SelfAssessmentOutcome,
) -> Vec<PlanStep<'q>> {
    let facts = Facts {
        quiz,
        answers,
        dimensions: &outcome.dimensions,
        overall: outcome.overall,
    };
    outcome
        .plan
        .iter()
        .filter_map(|id| quiz.recommendation(id))
        .filter_map(|recommendation| {
            let variant = facts.variant(recommendation)?;
            let mut reasons: Vec<String> = Vec::new();
            for condition in recommendation.conditions.iter().chain(&variant.conditions) {
                if let Some(reason) = facts.reason(condition) {
                    if !reasons.contains(&reason) {
                        reasons.push(reason);
                    }
                }
            }
            if reasons.is_empty() {
                reasons.push(ALWAYS_REASON.to_owned());
            }
            Some(PlanStep {
                recommendation,
                variant,
                reasons,
            })
        })
        .collect()
}

fn knowledge(quiz: &Quiz, answers: &Answers) -> KnowledgeOutcome {
    let questions: Vec<QuestionResult> = quiz
        .questions
        .iter()
        .map(|question| {
            let (correct, credit) = match usable_answer(question, answers) {
                Some(Answer::Choices(ticked)) => {
                    let right = question.choices.iter().filter(|choice| choice.correct);
                    let right_count = i64::try_from(right.clone().count()).unwrap_or(1);
                    let hits = ticked
                        .iter()
                        .filter(|id| question.choice(id).is_some_and(|choice| choice.correct))
                        .count();
                    let misses = ticked.len() - hits;
                    let exact = misses == 0 && i64::try_from(hits).ok() == Some(right_count);
                    // Ticking every choice must not earn anything: each wrong
                    // tick cancels a right one.
                    let net = i64::try_from(hits)
                        .unwrap_or(0)
                        .saturating_sub(i64::try_from(misses).unwrap_or(i64::MAX));
                    (exact, percent(net, right_count.max(1)))
                }
                _ => (false, 0),
            };
            QuestionResult {
                question: question.id.clone(),
                correct,
                credit: Some(credit),
            }
        })
        .collect();
    let total = questions.len();
    let correct = questions.iter().filter(|result| result.correct).count();
    let percent = if total == 0 {
        0
    } else {
        let credits: i64 = questions
            .iter()
            .map(|result| i64::from(result.credit()))
            .sum();
        percent(
            credits,
            i64::try_from(total).unwrap_or(1).saturating_mul(100),
        )
    };
    KnowledgeOutcome {
        correct,
        total,
        percent,
        questions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::tests::{mini, verif_mini};
    use proptest::prelude::*;

    /// Form fields written as a query string, `q-canaux=site&q-canaux=liste`.
    fn form(query: &str) -> Vec<(String, String)> {
        serde_urlencoded::from_str(query).expect("form fields")
    }

    /// The first worked example of mini-worked.toml.
    const WORST_OF_AN_ASSOCIATION: &str =
        "q-activite=association&q-canaux=reseaux&q-temps-hebdo=5&q-mesure=non&q-vie-privee=non";

    /// The answers of a valid form, or a panic naming it.
    fn answers_of(quiz: &Quiz, query: &str) -> Answers {
        parse_form(quiz, &form(query)).expect(query)
    }

    /// The errors of an invalid form, or a panic naming it.
    fn errors_of(quiz: &Quiz, query: &str) -> FormErrors {
        parse_form(quiz, &form(query)).expect_err(query)
    }

    fn self_assessment_of(quiz: &Quiz, answers: &Answers) -> SelfAssessmentOutcome {
        self_assessment_after(quiz, answers, &BTreeSet::new())
    }

    fn self_assessment_after(
        quiz: &Quiz,
        answers: &Answers,
        done: &BTreeSet<String>,
    ) -> SelfAssessmentOutcome {
        match score_after(quiz, answers, done) {
            Outcome::SelfAssessment(outcome) => outcome,
            Outcome::Knowledge(_) => panic!("{} is a self-assessment", quiz.id),
        }
    }

    fn knowledge_of(quiz: &Quiz, answers: &Answers) -> KnowledgeOutcome {
        match score(quiz, answers) {
            Outcome::Knowledge(outcome) => outcome,
            Outcome::SelfAssessment(_) => panic!("{} is a knowledge check", quiz.id),
        }
    }

    fn percents(outcome: &SelfAssessmentOutcome) -> Vec<(&str, u8, bool)> {
        outcome
            .dimensions
            .iter()
            .map(|score| (score.dimension.as_str(), score.percent, score.answered))
            .collect()
    }

    /// One worked example of `tests/fixtures/quizzes/mini-worked.toml`.
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct WorkedExample {
        name: String,
        /// The form, as a query string.
        answers: String,
        /// How the expected figures were worked out, shown on failure.
        calculation: String,
        dimensions: Option<Vec<(String, u8, bool)>>,
        ranges: Option<Vec<(String, i64, i64, i64)>>,
        overall: Option<u8>,
        profile: Option<String>,
        plan: Option<Vec<String>>,
    }

    #[test]
    fn worked_examples_match_the_hand_calculation() {
        #[derive(serde::Deserialize)]
        struct File {
            case: Vec<WorkedExample>,
        }
        let file: File = toml::from_str(include_str!("../tests/fixtures/quizzes/mini-worked.toml"))
            .expect("mini-worked.toml");
        assert!(file.case.len() >= 7, "{} worked examples", file.case.len());
        let quiz = mini();
        for case in &file.case {
            let answers = answers_of(&quiz, &case.answers);
            let outcome = self_assessment_of(&quiz, &answers);
            let (name, calculation) = (&case.name, &case.calculation);
            if let Some(dimensions) = &case.dimensions {
                let expected: Vec<_> = dimensions
                    .iter()
                    .map(|(id, percent, answered)| (id.as_str(), *percent, *answered))
                    .collect();
                assert_eq!(
                    percents(&outcome),
                    expected,
                    "{name}: dimensions\n{calculation}"
                );
            }
            for (id, raw, min, max) in case.ranges.iter().flatten() {
                let score = outcome
                    .dimensions
                    .iter()
                    .find(|score| &score.dimension == id)
                    .expect(id);
                assert_eq!(
                    (score.raw, score.min, score.max),
                    (*raw, *min, *max),
                    "{name}: {id}\n{calculation}"
                );
            }
            if let Some(overall) = case.overall {
                assert_eq!(outcome.overall, overall, "{name}: overall\n{calculation}");
            }
            if let Some(profile) = &case.profile {
                assert_eq!(&outcome.profile, profile, "{name}: profile\n{calculation}");
            }
            if let Some(plan) = &case.plan {
                assert_eq!(&outcome.plan, plan, "{name}: plan\n{calculation}");
            }
        }
    }

    #[test]
    fn an_exclusion_explains_nothing_in_a_plan() {
        // The worst answers of an association (mini-worked.toml): site comes
        // in its association variant, for the one reason that holds.
        let quiz = mini();
        let answers = answers_of(
            &quiz,
            "q-activite=association&q-canaux=reseaux&q-temps-hebdo=5",
        );
        let outcome = self_assessment_of(&quiz, &answers);
        let steps = plan_steps(&quiz, &answers, &outcome);
        let site = steps
            .iter()
            .find(|step| step.recommendation.id == "site")
            .expect("site");
        assert_eq!(site.variant.id, "association");
        assert_eq!(
            site.reasons,
            ["vous représentez une association"],
            "the exclusion « canaux != site » explains nothing"
        );
    }

    #[test]
    fn actions_already_done_are_neither_recommended_again_nor_waited_for() {
        // The worst answers' plan is temps, decrocher, association, site,
        // liste. With site and temps done (and an id the quiz does not
        // know): the scores stay; site and temps leave; liste no longer
        // needs site (done) and comes alone; temps's place this week goes
        // to portabilite (35, semaine). Taken by priority: association 90,
        // liste 80, decrocher 55, mesurer 40, portabilite 35. Order:
        // decrocher, portabilite (semaine), then association, liste,
        // mesurer (mois).
        let quiz = mini();
        let answers = answers_of(&quiz, WORST_OF_AN_ASSOCIATION);
        let before = self_assessment_of(&quiz, &answers);
        assert!(before.already_done.is_empty());
        let done: BTreeSet<String> = ["site", "temps", "inconnue"].map(str::to_owned).into();
        let after = self_assessment_after(&quiz, &answers, &done);
        assert_eq!(
            (&after.dimensions, after.overall, &after.profile),
            (&before.dimensions, before.overall, &before.profile)
        );
        assert_eq!(
            after.plan,
            [
                "decrocher",
                "portabilite",
                "association",
                "liste",
                "mesurer"
            ]
        );
        assert_eq!(after.already_done, ["site", "temps"]);
        let json = serde_json::to_string(&Outcome::SelfAssessment(after.clone())).unwrap();
        let back: Outcome = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Outcome::SelfAssessment(after));

        // Everything done: nothing left to recommend.
        let all: BTreeSet<String> = quiz
            .recommendations
            .iter()
            .map(|recommendation| recommendation.id.clone())
            .collect();
        let finished = self_assessment_after(&quiz, &answers, &all);
        assert!(finished.plan.is_empty(), "{:?}", finished.plan);
        assert!(plan_steps(&quiz, &answers, &finished).is_empty());
    }

    #[test]
    fn an_exclusive_choice_stands_alone() {
        let form = "q-activite=b2b&q-canaux=aucun&q-canaux=site&q-temps-hebdo=2";
        let errors = errors_of(&mini(), form);
        assert!(
            errors.by_question["canaux"].contains("ne se coche pas avec une autre réponse"),
            "{errors:?}"
        );
        // Stored answers that break the rule are not trusted either.
        let stored = Answer::Choices(vec!["aucun".into(), "site".into()]);
        let outcome = self_assessment_of(&mini(), &Answers::from([("canaux".into(), stored)]));
        assert!(!outcome.dimensions[0].answered);
    }

    #[test]
    fn percent_rounds_half_up_in_integers() {
        // 12.5 → 13, 55.6 → 56; out of range → the nearest bound.
        let fractions = [(1, 8), (5, 9), (1, 3), (0, 7), (7, 7), (-3, 7), (9, 7)];
        let percents = fractions.map(|(numerator, denominator)| percent(numerator, denominator));
        assert_eq!(percents, [13, 56, 33, 0, 100, 0, 100]);
        assert_eq!(percent(i64::MAX, i64::MAX), 100, "no overflow");
    }

    #[test]
    fn knowledge_check_counts_exact_answers() {
        let quiz = verif_mini();
        let all_right = answers_of(&quiz, "q-portee=payer&q-canaux=site&q-canaux=liste");
        let outcome = knowledge_of(&quiz, &all_right);
        assert_eq!(
            (outcome.correct, outcome.total, outcome.percent),
            (2, 2, 100)
        );

        // Half the right choices: half the point. (1 + 0.5) / 2 = 75 %.
        let partial = answers_of(&quiz, "q-portee=payer&q-canaux=site");
        let outcome = knowledge_of(&quiz, &partial);
        assert_eq!((outcome.correct, outcome.percent), (1, 75));
        assert_eq!(
            outcome.questions,
            [
                QuestionResult {
                    question: "portee".into(),
                    correct: true,
                    credit: Some(100),
                },
                QuestionResult {
                    question: "canaux".into(),
                    correct: false,
                    credit: Some(50),
                },
            ]
        );
        assert!(outcome.questions[1].partial());

        // A wrong tick cancels a right one. canaux has two right choices
        // (site, liste) and one wrong (page): ticking all three gives
        // (2 − 1) / 2 = 50; with portee wrong (0), the score is
        // (0 + 50) / 2 = 25 %.
        let canaux = quiz.question("canaux").expect("canaux");
        let every: Vec<(String, String)> = canaux
            .choices
            .iter()
            .map(|choice| ("q-canaux".to_owned(), choice.id.clone()))
            .chain([("q-portee".to_owned(), "hasard".to_owned())])
            .collect();
        let outcome = knowledge_of(&quiz, &parse_form(&quiz, &every).expect("valid"));
        assert_eq!(outcome.questions[1].credit, Some(50));
        assert_eq!((outcome.correct, outcome.percent), (0, 25));

        // Results stored before partial credit count as all or nothing.
        let old: QuestionResult =
            serde_json::from_str(r#"{"question":"q","correct":true}"#).expect("old result");
        assert_eq!((old.credit(), old.partial()), (100, false));
    }

    #[test]
    fn form_errors_are_per_question_and_in_french() {
        let errors = errors_of(
            &mini(),
            "q-activite=b2b&q-activite=association&q-canaux=site&q-canaux=liste&q-canaux=reseaux&q-temps-hebdo=9&q-mesure=peut-etre&q-inconnue=x&csrf=ignored",
        );
        assert_eq!(errors.by_question["activite"], "Un seul choix est attendu.");
        assert!(errors.by_question["canaux"].contains("Au plus 2 choix"));
        assert!(errors.by_question["temps-hebdo"].contains("de 1 à 5"));
        assert!(
            errors.by_question["mesure"].contains("«\u{a0}peut-etre\u{a0}» n’est pas un des choix")
        );
        assert!(!errors.by_question.contains_key("vie-privee"));
        assert_eq!(errors.general, ["question inconnue «\u{a0}inconnue\u{a0}»"]);

        let errors = errors_of(&mini(), "q-temps-hebdo=3&q-temps-hebdo=4");
        assert!(errors.by_question["temps-hebdo"].contains("Une seule valeur"));
        let unanswered = ["activite", "canaux"].map(|id| errors.by_question[id].as_str());
        assert_eq!(unanswered, ["Cette question attend une réponse."; 2]);
    }

    #[test]
    fn answers_are_sorted_deduplicated_and_stored_compactly() {
        let quiz = mini();
        // Spaces around a choice, a choice twice, an empty optional answer.
        let untidy =
            "q-activite=+b2b+&q-canaux=site&q-canaux=liste&q-canaux=site&q-temps-hebdo=2&q-mesure=";
        let answers = answers_of(&quiz, untidy);
        assert_eq!(
            answers["canaux"],
            Answer::Choices(vec!["liste".into(), "site".into()])
        );
        assert!(!answers.contains_key("mesure"));
        let json = serde_json::to_string(&answers).expect("serialize");
        assert_eq!(
            json,
            r#"{"activite":["b2b"],"canaux":["liste","site"],"temps-hebdo":2}"#
        );
        let back: Answers = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, answers);

        let outcome = score(&quiz, &answers);
        let json = serde_json::to_string(&outcome).expect("serialize");
        assert!(json.starts_with(r#"{"mode":"autodiagnostic","#), "{json}");
        let back: Outcome = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, outcome);
    }

    #[test]
    fn answers_that_do_not_fit_are_ignored_by_score() {
        let quiz = mini();
        let mut answers = Answers::new();
        answers.insert(
            "canaux".into(),
            Answer::Choices(vec!["site".into(), "site".into()]),
        );
        answers.insert("temps-hebdo".into(), Answer::Scale(99));
        answers.insert("activite".into(), Answer::Scale(1));
        answers.insert("inconnue".into(), Answer::Choices(vec!["x".into()]));
        let outcome = self_assessment_of(&quiz, &answers);
        assert!(outcome.dimensions.iter().all(|score| !score.answered));
        assert_eq!(outcome.overall, 50);
        assert!(!outcome.plan.is_empty());
    }

    /// Any valid answer set for mini.toml, optional questions sometimes skipped.
    fn valid_fields() -> impl Strategy<Value = Vec<(String, String)>> {
        let quiz = mini();
        let per_question: Vec<BoxedStrategy<Vec<(String, String)>>> = quiz
            .questions
            .iter()
            .map(|question| {
                let name = format!("{FIELD_PREFIX}{}", question.id);
                let answer: BoxedStrategy<Vec<String>> = match &question.kind {
                    QuestionKind::Scale { min, max, .. } => (*min..=*max)
                        .prop_map(|value| vec![value.to_string()])
                        .boxed(),
                    _ => {
                        let ids: Vec<String> = question
                            .choices
                            .iter()
                            .map(|choice| choice.id.clone())
                            .collect();
                        let exclusive: Vec<String> = question
                            .choices
                            .iter()
                            .filter(|choice| choice.exclusive)
                            .map(|choice| choice.id.clone())
                            .collect();
                        proptest::sample::subsequence(ids.clone(), 1..=question.max_choices())
                            .prop_map(move |mut picked| {
                                // An exclusive choice is only ever ticked alone.
                                if picked.len() > 1 {
                                    picked.retain(|id| !exclusive.contains(id));
                                }
                                picked
                            })
                            .boxed()
                    }
                };
                let optional = question.optional;
                (answer, any::<bool>())
                    .prop_map(move |(values, skip)| {
                        if optional && skip {
                            Vec::new()
                        } else {
                            values
                                .into_iter()
                                .map(|value| (name.clone(), value))
                                .collect()
                        }
                    })
                    .boxed()
            })
            .collect();
        per_question.prop_map(|groups| groups.into_iter().flatten().collect())
    }

    proptest! {
        #[test]
        fn valid_answers_score_in_range_with_a_bounded_plan(fields in valid_fields()) {
            let quiz = mini();
            let answers = parse_form(&quiz, &fields);
            prop_assert!(answers.is_ok(), "{:?}", answers);
            let answers = answers.unwrap_or_default();
            let Outcome::SelfAssessment(outcome) = score(&quiz, &answers) else {
                return Err(TestCaseError::fail("self-assessment expected"));
            };
            for dimension in &outcome.dimensions {
                prop_assert!(dimension.percent <= 100);
                prop_assert!(dimension.min <= dimension.raw && dimension.raw <= dimension.max);
            }
            prop_assert!(outcome.overall <= 100);
            prop_assert!(quiz.profile(&outcome.profile).is_some());
            prop_assert!((PLAN_MIN..=PLAN_MAX).contains(&outcome.plan.len()), "{:?}", outcome.plan);
        }

        #[test]
        fn arbitrary_form_fields_never_panic(
            fields in proptest::collection::vec(
                ("(q-)?[a-z-]{0,12}|\\PC{0,8}", "[a-z0-9 -]{0,8}|\\PC{0,8}"),
                0..20,
            )
        ) {
            for quiz in [mini(), verif_mini()] {
                if let Ok(answers) = parse_form(&quiz, &fields) {
                    let _ = score(&quiz, &answers);
                }
            }
        }
    }
}
