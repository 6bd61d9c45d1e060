//! Conditions in plain French, for people rather than authors: the paper
//! worksheet's recommendation table («\u{a0}si vous n’avez pas encore de site\u{a0}»)
//! and the reasons shown beside each action of a plan. Choices speak through
//! their `fact`, scales through their `topic` (validation makes sure both
//! exist wherever a condition needs them).

use super::model::{Comparison, Condition, Quiz};

impl Quiz {
    /// A list of conditions that must all hold, as one phrase: «\u{a0}si A, et
    /// si B ou si C, sauf si D\u{a0}», or «\u{a0}dans tous les cas\u{a0}» when there
    /// is none. Every condition gets its own «\u{a0}si\u{a0}», so that «\u{a0}et\u{a0}» and
    /// «\u{a0}ou\u{a0}» cannot be read the wrong way round on paper. Exclusions
    /// come last, introduced by «\u{a0}sauf si\u{a0}», so that no condition reads as
    /// a double negative.
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
                Condition::Any(alternatives) => {
                    let facts = alternatives
                        .iter()
                        .map(|alternative| format!("si {}", self.describe(alternative)))
                        .collect::<Vec<_>>()
                        .join(" ou ");
                    // Whichever reads shorter.
                    positive.push(match self.ticked_among(alternatives) {
                        Some(ticked) if ticked.chars().count() < facts.chars().count() => ticked,
                        _ => facts,
                    });
                }
                other => positive.push(format!("si {}", self.describe(other))),
            }
        }
        let mut phrase = positive.join(", et ");
        if !excluded.is_empty() {
            if !phrase.is_empty() {
                phrase.push_str(", ");
            }
            phrase.push_str(&format!("sauf si {}", excluded.join(" ou si ")));
        }
        if phrase.is_empty() {
            "dans tous les cas".to_owned()
        } else {
            phrase
        }
    }

    /// Three choices or more of one question, any of them: a list of facts
    /// may be long, so the labels can be quoted with the question's number,
    /// as a worksheet numbers them («\u{a0}si vous avez coché «\u{a0}Facebook\u{a0}»,
    /// «\u{a0}Instagram\u{a0}» ou «\u{a0}TikTok\u{a0}» à la question 2\u{a0}»).
    fn ticked_among(&self, alternatives: &[Condition]) -> Option<String> {
        let mut question_id = None;
        let mut labels = Vec::new();
        for alternative in alternatives {
            let Condition::ChoiceSelected { question, choice } = alternative else {
                return None;
            };
            if question_id.is_some_and(|id| id != question) {
                return None;
            }
            question_id = Some(question);
            let label = self.question(question)?.choice(choice)?.label.clone();
            labels.push(format!("«\u{a0}{label}\u{a0}»"));
        }
        let question_id = question_id?;
        if labels.len() < 3 {
            return None;
        }
        let number = self
            .questions
            .iter()
            .position(|question| &question.id == question_id)?
            + 1;
        let last = labels.pop()?;
        Some(format!(
            "si vous avez coché {} ou {last} à la question {number}",
            labels.join(", ")
        ))
    }

    /// One condition as a statement about the person: «\u{a0}vous n’avez pas
    /// encore de site\u{a0}», «\u{a0}le temps passé chaque semaine sur les réseaux
    /// vaut au moins 3 sur 5\u{a0}».
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
                    "{topic} vaut {} {value} sur {max}",
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
