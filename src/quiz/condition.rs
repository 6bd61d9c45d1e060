//! The grammar of `when` conditions, without any knowledge of the quiz:
//!
//! ```text
//! condition  = threshold | answer
//! threshold  = NAME OP INTEGER            ; NAME is a dimension or `score`
//! answer     = "answer" QUESTION OP VALUE  ; VALUE is a choice id or an integer
//! OP         = "<" | "<=" | ">" | ">=" | "=" | "!="
//! ```
//!
//! Spaces around the operator are optional. Which operators fit which target
//! (no `=` on a dimension, no `<` on a choice) is decided by `validate`, which
//! knows the targets.

use super::model::Comparison;

/// A condition as written, names not yet resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParsedCondition<'t> {
    /// `propriete < 50` or `score >= 70`.
    Threshold {
        name: &'t str,
        comparison: Comparison,
        value: i64,
    },
    /// `answer activite != association` or `answer temps-hebdo >= 4`.
    Answer {
        question: &'t str,
        comparison: Comparison,
        value: &'t str,
    },
}

pub(crate) const EXPECTED_FORMS: &str = "formes attendues\u{a0}: «\u{a0}DIMENSION < N\u{a0}», «\u{a0}score >= N\u{a0}», \
     «\u{a0}answer QUESTION = CHOIX\u{a0}», «\u{a0}answer QUESTION != CHOIX\u{a0}» ou «\u{a0}answer QUESTION >= N\u{a0}»";

/// The word that introduces a condition on an answer; also why no dimension
/// or question may be called `score` or `answer`.
pub(crate) const ANSWER_KEYWORD: &str = "answer";
pub(crate) const OVERALL_KEYWORD: &str = "score";

/// The word that joins alternatives: `answer site = aucun or answer domaine = aucun`.
pub(crate) const OR_KEYWORD: &str = "or";

const OPERATOR_CHARS: &[char] = &['<', '>', '=', '!'];

/// Splits one `when` item on the word `or` into its alternatives (a single
/// one when there is no `or`), spaces normalised.
pub(crate) fn split_alternatives(text: &str) -> Result<Vec<String>, String> {
    let mut parts = vec![Vec::new()];
    for word in text.split_whitespace() {
        if word == OR_KEYWORD {
            parts.push(Vec::new());
        } else if let Some(part) = parts.last_mut() {
            part.push(word);
        }
    }
    if parts.len() > 1 && parts.iter().any(Vec::is_empty) {
        return Err(format!(
            "«\u{a0}{OR_KEYWORD}\u{a0}» relie deux conditions\u{a0}: il en manque une avant ou après ({EXPECTED_FORMS})"
        ));
    }
    Ok(parts.into_iter().map(|words| words.join(" ")).collect())
}

/// Parses one condition; the error is a French sentence for the author.
pub(crate) fn parse_condition(text: &str) -> Result<ParsedCondition<'_>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("condition vide ({EXPECTED_FORMS})"));
    }
    if let Some(rest) = text.strip_prefix(ANSWER_KEYWORD) {
        if rest.starts_with(char::is_whitespace) {
            let (question, comparison, value) = split_comparison(rest)?;
            return Ok(ParsedCondition::Answer {
                question,
                comparison,
                value,
            });
        }
    }
    let (name, comparison, value) = split_comparison(text)?;
    let value = value.parse::<i64>().map_err(|_| {
        format!(
            "«\u{a0}{value}\u{a0}» n’est pas un entier\u{a0}: après «\u{a0}{name} {}\u{a0}» il faut un nombre de 0 à 100 \
             (pour une réponse, écrivez «\u{a0}answer QUESTION {} CHOIX\u{a0}»)",
            comparison.as_str(),
            comparison.as_str()
        )
    })?;
    Ok(ParsedCondition::Threshold {
        name,
        comparison,
        value,
    })
}

/// Splits `NAME OP VALUE` into its three parts.
fn split_comparison(text: &str) -> Result<(&str, Comparison, &str), String> {
    let text = text.trim_start();
    let name_end = text
        .find(|c: char| c.is_whitespace() || OPERATOR_CHARS.contains(&c))
        .unwrap_or(text.len());
    let name = &text[..name_end];
    if name.is_empty() {
        return Err(format!("nom manquant avant l’opérateur ({EXPECTED_FORMS})"));
    }
    let rest = text[name_end..].trim_start();
    let operator_end = rest
        .find(|c: char| !OPERATOR_CHARS.contains(&c))
        .unwrap_or(rest.len());
    let comparison = match &rest[..operator_end] {
        "<" => Comparison::Less,
        "<=" => Comparison::LessOrEqual,
        ">" => Comparison::Greater,
        ">=" => Comparison::GreaterOrEqual,
        "=" => Comparison::Equal,
        "!=" => Comparison::NotEqual,
        "" => {
            return Err(format!(
                "opérateur manquant après «\u{a0}{name}\u{a0}» ({EXPECTED_FORMS})"
            ));
        }
        other => {
            return Err(format!(
                "opérateur «\u{a0}{other}\u{a0}» inconnu\u{a0}: utilisez <, <=, >, >=, = ou !="
            ));
        }
    };
    let value = rest[operator_end..].trim();
    if value.is_empty() {
        return Err(format!(
            "valeur manquante après «\u{a0}{name} {}\u{a0}» ({EXPECTED_FORMS})",
            comparison.as_str()
        ));
    }
    if value.contains(char::is_whitespace) {
        return Err(format!(
            "«\u{a0}{value}\u{a0}»\u{a0}: une seule valeur est attendue, une condition par élément de la liste \
             ({EXPECTED_FORMS})"
        ));
    }
    Ok((name, comparison, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_thresholds_with_or_without_spaces() {
        assert_eq!(
            parse_condition("propriete < 50"),
            Ok(ParsedCondition::Threshold {
                name: "propriete",
                comparison: Comparison::Less,
                value: 50
            })
        );
        assert_eq!(
            parse_condition("  score>=70 "),
            Ok(ParsedCondition::Threshold {
                name: "score",
                comparison: Comparison::GreaterOrEqual,
                value: 70
            })
        );
    }

    #[test]
    fn parses_answers_on_choices_and_scales() {
        assert_eq!(
            parse_condition("answer activite != association"),
            Ok(ParsedCondition::Answer {
                question: "activite",
                comparison: Comparison::NotEqual,
                value: "association"
            })
        );
        assert_eq!(
            parse_condition("answer temps-hebdo>=-2"),
            Ok(ParsedCondition::Answer {
                question: "temps-hebdo",
                comparison: Comparison::GreaterOrEqual,
                value: "-2"
            })
        );
    }

    #[test]
    fn alternatives_split_on_the_word_or() {
        assert_eq!(
            split_alternatives("answer site = aucun  or answer domaine=aucun"),
            Ok(vec![
                "answer site = aucun".to_owned(),
                "answer domaine=aucun".to_owned()
            ])
        );
        // A choice id that contains "or" is not a separator.
        assert_eq!(
            split_alternatives("answer public = ordinateur"),
            Ok(vec!["answer public = ordinateur".to_owned()])
        );
        for broken in [
            "or answer site = aucun",
            "answer site = aucun or",
            "a < 1 or or b < 2",
        ] {
            assert!(split_alternatives(broken).is_err(), "{broken}");
        }
    }

    #[test]
    fn a_dimension_may_start_with_the_answer_keyword() {
        assert_eq!(
            parse_condition("answers <= 3"),
            Ok(ParsedCondition::Threshold {
                name: "answers",
                comparison: Comparison::LessOrEqual,
                value: 3
            })
        );
    }

    #[test]
    fn syntax_errors_say_what_was_expected() {
        for (text, expected) in [
            ("", "condition vide"),
            ("propriete", "opérateur manquant"),
            ("propriete <", "valeur manquante"),
            ("propriete == 3", "opérateur «\u{a0}==\u{a0}» inconnu"),
            ("propriete < beaucoup", "n’est pas un entier"),
            ("< 3", "nom manquant"),
            ("answer activite = b2b et association", "une seule valeur"),
            ("answer", "opérateur manquant"),
        ] {
            let error = parse_condition(text).expect_err(text);
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }
}
