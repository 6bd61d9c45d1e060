//! Conditions in plain French, for people rather than authors: the paper
//! worksheet's recommendation table («\u{a0}si vous n’avez pas encore de site\u{a0}»)
//! and the reasons shown beside each action of a plan. Choices speak through
//! their `fact`, scales through their `topic` (validation makes sure both
//! exist wherever a condition needs them).

use super::model::{Comparison, Condition, Quiz};

impl Quiz {
    /// A list of conditions that must all hold, as one phrase: «\u{a0}si A et
    /// B, sauf si C\u{a0}», or «\u{a0}dans tous les cas\u{a0}» when there is none.
    /// Exclusions come last, introduced by «\u{a0}sauf si\u{a0}», so that no
    /// condition reads as a double negative.
    pub fn describe_conditions<'c>(
        &self,
        conditions: impl IntoIterator<Item = &'c Condition>,
    ) -> String {
        let mut positive = Vec::new();
        let mut excluded = Vec::new();
        for condition in conditions {
            match condition {
                Condition::ChoiceNotSelected { question, choice } => {
                    excluded.push(self.fact(question, choice));
                }
                other => positive.push(self.describe(other)),
            }
        }
        let mut phrase = String::new();
        if !positive.is_empty() {
            phrase = format!("si {}", positive.join(" et "));
        }
        if !excluded.is_empty() {
            if !phrase.is_empty() {
                phrase.push_str(", ");
            }
            phrase.push_str(&format!("sauf si {}", excluded.join(" ou ")));
        }
        if phrase.is_empty() {
            "dans tous les cas".to_owned()
        } else {
            phrase
        }
    }

    /// One condition as a statement about the person: «\u{a0}vous n’avez pas
    /// encore de site\u{a0}», «\u{a0}temps passé chaque semaine sur les réseaux\u{a0}:
    /// au moins 3 sur 5\u{a0}».
    pub fn describe(&self, condition: &Condition) -> String {
        match condition {
            Condition::ChoiceSelected { question, choice } => self.fact(question, choice),
            Condition::ChoiceNotSelected { question, choice } => {
                format!("sauf si {}", self.fact(question, choice))
            }
            Condition::Dimension {
                dimension,
                comparison,
                value,
            } => {
                let label = self
                    .dimension(dimension)
                    .map_or(dimension.as_str(), |dimension| dimension.label.as_str());
                format!(
                    "votre score «\u{a0}{label}\u{a0}» est {} {value} sur 100",
                    compared(*comparison)
                )
            }
            Condition::Overall { comparison, value } => {
                format!(
                    "votre score global est {} {value} sur 100",
                    compared(*comparison)
                )
            }
            Condition::ScaleValue {
                question,
                comparison,
                value,
            } => {
                let question = self.question(question);
                let topic = question
                    .and_then(|question| question.topic.clone())
                    .unwrap_or_default();
                let max = question
                    .and_then(|question| question.scale_bounds())
                    .map_or(0, |(_, max)| max);
                format!(
                    "{topic}\u{a0}: {} {value} sur {max}",
                    compared_answer(*comparison)
                )
            }
            Condition::Any(alternatives) => alternatives
                .iter()
                .map(|alternative| self.describe(alternative))
                .collect::<Vec<_>>()
                .join(" ou "),
        }
    }

    /// What ticking `choice` says about the person; the question and the
    /// label quoted when the author gave no `fact`.
    pub fn fact(&self, question: &str, choice: &str) -> String {
        let question = self.question(question);
        let choice = question.and_then(|question| question.choice(choice));
        match (question, choice) {
            (_, Some(choice)) if choice.fact.is_some() => choice.fact.clone().unwrap_or_default(),
            (Some(question), Some(choice)) => format!(
                "vous avez répondu «\u{a0}{}\u{a0}» à «\u{a0}{}\u{a0}»",
                choice.label, question.text
            ),
            _ => String::new(),
        }
    }
}

/// «\u{a0}inférieur à\u{a0}», «\u{a0}d’au moins\u{a0}»… before a number.
fn compared(comparison: Comparison) -> &'static str {
    match comparison {
        Comparison::Less => "inférieur à",
        Comparison::LessOrEqual => "d’au plus",
        Comparison::Greater => "supérieur à",
        Comparison::GreaterOrEqual => "d’au moins",
        Comparison::Equal => "de",
        Comparison::NotEqual => "différent de",
    }
}

/// The same for the value given on a scale.
fn compared_answer(comparison: Comparison) -> &'static str {
    match comparison {
        Comparison::Less => "moins de",
        Comparison::LessOrEqual => "au plus",
        Comparison::Greater => "plus de",
        Comparison::GreaterOrEqual => "au moins",
        Comparison::Equal => "exactement",
        Comparison::NotEqual => "autre chose que",
    }
}
