//! Step 3 of loading: every rule of quizzes/README.md, checked on the mirror,
//! every broken rule reported (none stops the others), and the validated
//! model built only when nothing is wrong.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::ChapterIndex;
use super::condition::{self, ANSWER_KEYWORD, OR_KEYWORD, OVERALL_KEYWORD, ParsedCondition};
use super::error::Diagnostics;
use super::format::{
    Located, PointsTable, RawChoice, RawDimension, RawItem, RawProfile, RawQuestion, RawQuiz,
    RawRecommendation, RawTable, RawVariant, field_path,
};
use super::model::{
    ChapterRef, Choice, Comparison, Condition, Dimension, Horizon, Mode, PLAN_MIN, Profile,
    Question, QuestionKind, Quiz, Recommendation, Variant,
};

/// Scores of dimensions and the overall score go from 0 to 100.
const SCORE_RANGE: (i64, i64) = (0, 100);
/// A scale has at most this many steps, `min` and `max` included.
pub(crate) const MAX_SCALE_STEPS: i64 = 11;
/// Where the whole file is at fault (a missing top-level field).
const FILE_START: Range<usize> = 0..0;

/// Whether `id` is made of lower-case ASCII letters, digits and dashes.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Builds the validated quiz, or returns `None` after recording every error.
pub(crate) fn validate(
    raw: RawQuiz,
    id: String,
    version: String,
    chapters: &ChapterIndex,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<Quiz> {
    let mut validator = Validator {
        diagnostics,
        chapters,
    };
    let quiz = validator.quiz(raw, id, version);
    if validator.diagnostics.has_errors() {
        None
    } else {
        quiz
    }
}

struct Validator<'d, 't, 'c> {
    diagnostics: &'d mut Diagnostics<'t>,
    chapters: &'c ChapterIndex,
}

/// What the checks of later sections need to know about earlier ones, even
/// when those had errors: names that exist, so that a broken question does
/// not also make every condition naming it "unknown".
struct Known<'q> {
    dimensions: Vec<String>,
    question_ids: BTreeSet<String>,
    /// The questions, when every one of them is valid.
    questions: Option<&'q [Question]>,
}

/// What the questions are checked against: the quiz's mode (`None` when it
/// is unreadable) and the dimensions that points may name.
#[derive(Clone, Copy)]
struct Scoring<'d> {
    mode: Option<Mode>,
    dimension_ids: &'d [String],
}

/// The valid items of a list, or `None` if any is invalid. Collects them
/// all first, so that every item is checked and all their errors reported.
fn all_valid<T>(items: impl Iterator<Item = Option<T>>) -> Option<Vec<T>> {
    items.collect::<Vec<_>>().into_iter().collect()
}

/// The conditions of a resolved `when` list, without their texts.
fn without_texts(resolved: Vec<(Condition, &Located<String>)>) -> Vec<Condition> {
    resolved
        .into_iter()
        .map(|(condition, _)| condition)
        .collect()
}

impl Validator<'_, '_, '_> {
    fn error(&mut self, span: &Range<usize>, field: impl Into<String>, message: impl Into<String>) {
        self.diagnostics.error(span, field, message);
    }

    /// Reports a missing required field, unless it is there with the wrong
    /// type (already reported).
    fn missing(
        &mut self,
        span: &Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) {
        let field = field.into();
        if !self.diagnostics.has_error_under(&field) {
            self.error(span, field, message);
        }
    }

    fn quiz(&mut self, raw: RawQuiz, id: String, version: String) -> Option<Quiz> {
        let mode = self.mode(raw.mode.as_ref());
        let title = self.required_text(&raw, "title", raw.title.as_ref());
        let intro = self.optional_text(raw.intro.as_ref(), "intro");
        let chapter = raw
            .chapter
            .as_ref()
            .and_then(|chapter| self.chapter(chapter, "chapter"));

        // Dimension ids are needed to check points, so they come first even
        // though they are usually written after the questions.
        let dimension_list = raw
            .dimensions
            .as_ref()
            .map(|dimensions| &dimensions.value[..]);
        let dimension_ids = self.dimension_ids(dimension_list.unwrap_or_default());

        let questions = match &raw.questions {
            Some(questions) if !questions.value.is_empty() => {
                let scoring = Scoring {
                    mode,
                    dimension_ids: &dimension_ids,
                };
                self.questions(&questions.value, scoring)
            }
            Some(questions) => {
                self.error(
                    &questions.span,
                    "questions",
                    "il faut au moins une question",
                );
                None
            }
            None => {
                self.error(
                    &raw.span,
                    raw.field("questions"),
                    "il faut au moins une question ([[questions]])",
                );
                None
            }
        };
        let known = Known {
            dimensions: dimension_ids,
            question_ids: raw
                .questions
                .iter()
                .flat_map(|questions| &questions.value)
                .filter_map(|question| question.id.as_ref().map(|id| id.value.clone()))
                .collect(),
            questions: questions.as_deref(),
        };

        let mut dimensions = None;
        let mut profiles = None;
        let mut recommendations = None;
        match mode {
            Some(Mode::SelfAssessment) => {
                dimensions = self.dimensions(&raw, known.questions);
                profiles = self.profiles(&raw, &known);
                recommendations = self.recommendations(&raw, &known);
            }
            Some(Mode::Knowledge) => {
                for (present, field) in [
                    (raw.dimensions.as_ref().map(|list| &list.span), "dimensions"),
                    (raw.profiles.as_ref().map(|list| &list.span), "profiles"),
                    (
                        raw.recommendations.as_ref().map(|list| &list.span),
                        "recommendations",
                    ),
                ] {
                    if let Some(span) = present {
                        self.error(
                            span,
                            field,
                            format!(
                                "un questionnaire «\u{a0}connaissances\u{a0}» n’a pas de {field} \
                                 (réservé au mode «\u{a0}autodiagnostic\u{a0}»)"
                            ),
                        );
                    }
                }
                dimensions = Some(Vec::new());
                profiles = Some(Vec::new());
                recommendations = Some(Vec::new());
            }
            None => {}
        }

        Some(Quiz {
            id,
            version,
            mode: mode?,
            title: title?,
            intro,
            chapter,
            questions: questions?,
            dimensions: dimensions?,
            profiles: profiles?,
            recommendations: recommendations?,
        })
    }

    fn mode(&mut self, mode: Option<&Located<String>>) -> Option<Mode> {
        let Some(mode) = mode else {
            self.missing(
                &FILE_START,
                "mode",
                "champ obligatoire manquant\u{a0}: mode = \"autodiagnostic\" ou \"connaissances\"",
            );
            return None;
        };
        match mode.value.as_str() {
            "autodiagnostic" => Some(Mode::SelfAssessment),
            "connaissances" => Some(Mode::Knowledge),
            other => {
                self.error(
                    &mode.span,
                    "mode",
                    format!("mode «\u{a0}{other}\u{a0}» inconnu\u{a0}: \"autodiagnostic\" ou \"connaissances\""),
                );
                None
            }
        }
    }

    /// The `key` text of `table`: required and not blank. A missing one is
    /// located at the table.
    fn required_text(
        &mut self,
        table: &impl RawTable,
        key: &str,
        value: Option<&Located<String>>,
    ) -> Option<String> {
        let Some(text) = value else {
            self.missing(
                table.span(),
                table.field(key),
                format!("champ obligatoire manquant\u{a0}: {key}"),
            );
            return None;
        };
        self.non_blank(text, &table.field(key))
    }

    /// An optional text: if given, not blank.
    fn optional_text(&mut self, value: Option<&Located<String>>, field: &str) -> Option<String> {
        value.and_then(|text| self.non_blank(text, field))
    }

    fn non_blank(&mut self, text: &Located<String>, field: &str) -> Option<String> {
        if text.value.trim().is_empty() {
            self.error(&text.span, field, "le texte est vide");
            None
        } else {
            Some(text.value.clone())
        }
    }

    /// The item's id: required and well-formed.
    fn id(&mut self, item: &impl RawItem) -> Option<String> {
        let field = item.field("id");
        let Some(id) = item.id() else {
            self.missing(item.span(), field, "champ obligatoire manquant\u{a0}: id");
            return None;
        };
        if is_valid_id(&id.value) {
            Some(id.value.clone())
        } else {
            self.error(
                &id.span,
                field,
                format!(
                    "identifiant «\u{a0}{}\u{a0}» invalide\u{a0}: lettres minuscules non accentuées, chiffres et \
                     tirets seulement",
                    id.value
                ),
            );
            None
        }
    }

    /// Reports ids used twice among `items` (first use wins).
    fn duplicate_ids(&mut self, items: &[impl RawItem], what: &str) {
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for item in items {
            let Some(id) = item.id() else { continue };
            if let Some(first) = seen.get(id.value.as_str()) {
                let message = format!(
                    "identifiant «\u{a0}{}\u{a0}» déjà utilisé par {first} ({what} en double)",
                    id.value
                );
                self.error(&id.span, item.field("id"), message);
            } else {
                seen.insert(&id.value, item.path());
            }
        }
    }

    fn chapter(&mut self, chapter: &Located<String>, field: &str) -> Option<ChapterRef> {
        let (path, anchor) = match chapter.value.split_once('#') {
            Some((path, anchor)) => (path, Some(anchor)),
            None => (chapter.value.as_str(), None),
        };
        if let Some(anchor) = anchor {
            if anchor.is_empty() || anchor.contains(char::is_whitespace) {
                self.error(
                    &chapter.span,
                    field,
                    format!("ancre «\u{a0}#{anchor}\u{a0}» invalide\u{a0}: ni vide ni espace"),
                );
                return None;
            }
        }
        if !self.chapters.contains(path) {
            let known: Vec<&str> = self.chapters.iter().collect();
            let known = if known.is_empty() {
                "aucun chapitre connu".to_owned()
            } else {
                format!("chapitres connus\u{a0}: {}", known.join(", "))
            };
            self.error(
                &chapter.span,
                field,
                format!("le chapitre «\u{a0}{path}\u{a0}» n’est pas dans SUMMARY.md ({known})"),
            );
            return None;
        }
        Some(ChapterRef {
            path: path.to_owned(),
            anchor: anchor.map(str::to_owned),
        })
    }

    /// Dimension ids (well-formed, not reserved), duplicates reported.
    fn dimension_ids(&mut self, dimensions: &[RawDimension]) -> Vec<String> {
        self.duplicate_ids(dimensions, "dimension");
        let mut ids = Vec::new();
        for dimension in dimensions {
            let Some(id) = &dimension.id else { continue };
            if [OVERALL_KEYWORD, ANSWER_KEYWORD, OR_KEYWORD].contains(&id.value.as_str()) {
                self.error(
                    &id.span,
                    dimension.field("id"),
                    format!(
                        "«\u{a0}{}\u{a0}» est un mot réservé des conditions (when)\u{a0}: choisissez un autre \
                         identifiant",
                        id.value
                    ),
                );
            } else if is_valid_id(&id.value) && !ids.contains(&id.value) {
                ids.push(id.value.clone());
            }
        }
        ids
    }

    fn questions(
        &mut self,
        raw_questions: &[RawQuestion],
        scoring: Scoring<'_>,
    ) -> Option<Vec<Question>> {
        self.duplicate_ids(raw_questions, "question");
        all_valid(raw_questions.iter().map(|raw| self.question(raw, scoring)))
    }

    fn question(&mut self, raw: &RawQuestion, scoring: Scoring<'_>) -> Option<Question> {
        let id = self.id(raw);
        let text = self.required_text(raw, "text", raw.text.as_ref());
        let help = self.optional_text(raw.help.as_ref(), &raw.field("help"));
        let topic = self.optional_text(raw.topic.as_ref(), &raw.field("topic"));
        if kind_is_not(raw, "multiple") {
            for choice in raw.choices.iter().flat_map(|choices| &choices.value) {
                if let Some(exclusive) = &choice.exclusive {
                    self.error(
                        &exclusive.span,
                        choice.field("exclusive"),
                        "exclusive ne s’applique qu’aux choix d’une question «\u{a0}multiple\u{a0}»",
                    );
                }
            }
        }
        let optional = raw.optional.as_ref().is_some_and(|optional| optional.value);

        let kind_field = raw.field("kind");
        let Some(kind_word) = &raw.kind else {
            self.missing(
                &raw.span,
                kind_field,
                "champ obligatoire manquant\u{a0}: kind = \"single\", \"multiple\" ou \"scale\"",
            );
            return None;
        };
        let (kind, choices) = match kind_word.value.as_str() {
            "single" | "multiple" => {
                self.forbid_scale_fields(raw, &kind_word.value);
                let choices = self.choices(raw, scoring);
                let kind = if kind_word.value == "single" {
                    if let Some(max) = &raw.max {
                        self.error(
                            &max.span,
                            raw.field("max"),
                            "max ne s’applique qu’à une question «\u{a0}multiple\u{a0}» ou «\u{a0}scale\u{a0}»",
                        );
                    }
                    Some(QuestionKind::Single)
                } else {
                    self.multiple_max(raw)
                        .map(|max| QuestionKind::Multiple { max })
                };
                (kind, choices)
            }
            "scale" => {
                if scoring.mode == Some(Mode::Knowledge) {
                    self.error(
                        &kind_word.span,
                        &kind_field,
                        "un questionnaire «\u{a0}connaissances\u{a0}» n’admet pas d’échelle (scale)",
                    );
                }
                (self.scale(raw, scoring), Some(Vec::new()))
            }
            other => {
                self.error(
                    &kind_word.span,
                    kind_field,
                    format!("type «\u{a0}{other}\u{a0}» inconnu\u{a0}: \"single\", \"multiple\" ou \"scale\""),
                );
                return None;
            }
        };
        if let (Some(Mode::Knowledge), Some(kind)) = (scoring.mode, &kind) {
            self.correct_answers(raw, kind);
        }
        let (kind, choices) = (kind?, choices?);
        let question = Question {
            id: id?,
            kind,
            text: text?,
            help,
            topic,
            optional,
            choices,
        };
        Some(question)
    }

    fn forbid_scale_fields(&mut self, raw: &RawQuestion, kind: &str) {
        let spans = [
            (raw.min.as_ref().map(|min| &min.span), "min"),
            (raw.min_label.as_ref().map(|label| &label.span), "min_label"),
            (raw.max_label.as_ref().map(|label| &label.span), "max_label"),
            (
                raw.points_per_step.as_ref().map(|points| &points.span),
                "points_per_step",
            ),
        ];
        for (span, key) in spans {
            if let Some(span) = span {
                self.error(
                    span,
                    raw.field(key),
                    format!(
                        "{key} ne s’applique qu’à une échelle (scale), pas à «\u{a0}{kind}\u{a0}»"
                    ),
                );
            }
        }
    }

    /// `max` of a multiple-choice question: between 1 and the number of choices.
    fn multiple_max(&mut self, raw: &RawQuestion) -> Option<Option<usize>> {
        let Some(max) = &raw.max else {
            return Some(None);
        };
        let choice_count = raw
            .choices
            .as_ref()
            .map_or(0, |choices| choices.value.len());
        match usize::try_from(max.value) {
            Ok(value) if value >= 1 && value <= choice_count => Some(Some(value)),
            _ => {
                self.error(
                    &max.span,
                    raw.field("max"),
                    format!(
                        "max = {} hors limites\u{a0}: entre 1 et le nombre de choix ({choice_count})",
                        max.value
                    ),
                );
                None
            }
        }
    }

    fn choices(&mut self, raw: &RawQuestion, scoring: Scoring<'_>) -> Option<Vec<Choice>> {
        let field = raw.field("choices");
        let raw_choices = match &raw.choices {
            None => {
                self.error(
                    &raw.span,
                    field,
                    "il faut au moins un choix ([[questions.choices]])",
                );
                return None;
            }
            Some(choices) if choices.value.is_empty() => {
                self.error(&choices.span, field, "la liste des choix est vide");
                return None;
            }
            Some(choices) => &choices.value,
        };
        self.duplicate_ids(raw_choices, "choix");
        all_valid(raw_choices.iter().map(|raw| self.choice(raw, scoring)))
    }

    fn choice(&mut self, raw: &RawChoice, scoring: Scoring<'_>) -> Option<Choice> {
        let id = self.id(raw);
        let label = self.required_text(raw, "label", raw.label.as_ref());
        let mut points = BTreeMap::new();
        let mut explanation = None;
        match scoring.mode {
            Some(Mode::SelfAssessment) => {
                let field = raw.field("points");
                points = self.points(raw.points.as_ref(), &field, scoring.dimension_ids);
                if let Some(correct) = &raw.correct {
                    self.error(
                        &correct.span,
                        raw.field("correct"),
                        "un autodiagnostic n’a pas de bonne réponse\u{a0}: retirez «\u{a0}correct\u{a0}»",
                    );
                }
                if let Some(text) = &raw.explanation {
                    self.error(
                        &text.span,
                        raw.field("explanation"),
                        "«\u{a0}explanation\u{a0}» n’est affichée que dans un questionnaire «\u{a0}connaissances\u{a0}»",
                    );
                }
            }
            Some(Mode::Knowledge) => {
                if let Some(points) = &raw.points {
                    self.error(
                        &points.span,
                        raw.field("points"),
                        "un questionnaire «\u{a0}connaissances\u{a0}» ne compte pas de points par dimension\u{a0}: \
                         marquez les bonnes réponses avec correct = true",
                    );
                }
                explanation = self.required_text(raw, "explanation", raw.explanation.as_ref());
            }
            None => {}
        }
        let fact = self.optional_text(raw.fact.as_ref(), &raw.field("fact"));
        Some(Choice {
            id: id?,
            label: label?,
            points,
            correct: raw.correct.as_ref().is_some_and(|correct| correct.value),
            explanation,
            fact,
            exclusive: raw
                .exclusive
                .as_ref()
                .is_some_and(|exclusive| exclusive.value),
        })
    }

    /// Points per dimension; every name must be a dimension.
    fn points(
        &mut self,
        raw: Option<&Located<PointsTable>>,
        field: &str,
        dimension_ids: &[String],
    ) -> BTreeMap<String, i64> {
        // Unknown names are reported and dropped: the rest of the quiz can
        // still be checked (the errors keep the quiz from being used).
        let mut points = BTreeMap::new();
        for (name, value) in raw.map(|points| &points.value[..]).unwrap_or_default() {
            if dimension_ids.contains(&name.value) {
                points.insert(name.value.clone(), value.value);
            } else {
                self.error(
                    &name.span,
                    field_path(field, &name.value),
                    format!(
                        "la dimension «\u{a0}{}\u{a0}» n’existe pas ({})",
                        name.value,
                        known_list("dimensions connues", dimension_ids)
                    ),
                );
            }
        }
        points
    }

    fn scale(&mut self, raw: &RawQuestion, scoring: Scoring<'_>) -> Option<QuestionKind> {
        if let Some(choices) = &raw.choices {
            self.error(
                &choices.span,
                raw.field("choices"),
                "une échelle (scale) n’a pas de choix\u{a0}: ses crans vont de min à max",
            );
        }
        let mut bounds = [("min", &raw.min), ("max", &raw.max)].map(|(key, value)| {
            if value.is_none() {
                self.missing(
                    &raw.span,
                    raw.field(key),
                    format!("champ obligatoire manquant pour une échelle\u{a0}: {key}"),
                );
            }
            value.as_ref()
        });
        if let [Some(min), Some(max)] = bounds {
            if min.value >= max.value {
                self.error(
                    &max.span,
                    raw.field("max"),
                    format!(
                        "l’échelle doit aller en montant\u{a0}: min ({}) doit être inférieur à max ({})",
                        min.value, max.value
                    ),
                );
                bounds = [None, None];
            } else if max.value.saturating_sub(min.value) >= MAX_SCALE_STEPS {
                self.error(
                    &max.span,
                    raw.field("max"),
                    format!(
                        "de {} à {}, l’échelle a {} crans\u{a0}: {MAX_SCALE_STEPS} au plus",
                        min.value,
                        max.value,
                        max.value.saturating_sub(min.value).saturating_add(1)
                    ),
                );
                bounds = [None, None];
            }
        }
        let min_label = self.required_text(raw, "min_label", raw.min_label.as_ref());
        let max_label = self.required_text(raw, "max_label", raw.max_label.as_ref());
        let points_per_step = match scoring.mode {
            Some(Mode::Knowledge) => BTreeMap::new(),
            _ => self.points(
                raw.points_per_step.as_ref(),
                &raw.field("points_per_step"),
                scoring.dimension_ids,
            ),
        };
        let [Some(min), Some(max)] = bounds else {
            return None;
        };
        Some(QuestionKind::Scale {
            min: min.value,
            max: max.value,
            min_label: min_label?,
            max_label: max_label?,
            points_per_step,
        })
    }

    /// Knowledge check: a single choice has exactly one right answer; a
    /// multiple choice at least one and no more than `max`.
    fn correct_answers(&mut self, raw: &RawQuestion, kind: &QuestionKind) {
        let field = raw.field("choices");
        // A `correct` of the wrong type would make the count meaningless.
        let unreadable = raw
            .choices
            .iter()
            .flat_map(|choices| &choices.value)
            .any(|choice| self.diagnostics.has_error_under(&choice.field("correct")));
        if unreadable {
            return;
        }
        let correct = raw
            .choices
            .iter()
            .flat_map(|choices| &choices.value)
            .filter(|choice| choice.correct.as_ref().is_some_and(|correct| correct.value))
            .count();
        let span = raw
            .choices
            .as_ref()
            .map_or(&raw.span, |choices| &choices.span);
        match *kind {
            QuestionKind::Single if correct != 1 => self.error(
                span,
                field,
                format!(
                    "une question «\u{a0}single\u{a0}» a exactement une bonne réponse (correct = true), \
                     celle-ci en a {correct}"
                ),
            ),
            QuestionKind::Multiple { .. } if correct == 0 => self.error(
                span,
                field,
                "une question «\u{a0}multiple\u{a0}» a au moins une bonne réponse (correct = true)",
            ),
            QuestionKind::Multiple { max: Some(max) } if correct > max => self.error(
                span,
                field,
                format!(
                    "{correct} bonnes réponses alors qu’on ne peut cocher que {max} choix (max)"
                ),
            ),
            _ => {}
        }
    }

    /// A list that a self-assessment must have, with at least one item; a
    /// missing one is reported at the file's start.
    fn required_list<'r, T>(
        &mut self,
        list: Option<&'r Located<Vec<T>>>,
        field: &str,
        message: impl Into<String>,
    ) -> Option<&'r Located<Vec<T>>> {
        match list {
            Some(list) if !list.value.is_empty() => Some(list),
            _ => {
                self.error(list.map_or(&FILE_START, |list| &list.span), field, message);
                None
            }
        }
    }

    fn dimensions(
        &mut self,
        quiz: &RawQuiz,
        questions: Option<&[Question]>,
    ) -> Option<Vec<Dimension>> {
        let raw = self.required_list(
            quiz.dimensions.as_ref(),
            "dimensions",
            "un autodiagnostic a au moins une dimension ([[dimensions]])",
        )?;
        all_valid(
            raw.value
                .iter()
                .map(|dimension| self.dimension(dimension, questions)),
        )
    }

    fn dimension(
        &mut self,
        raw: &RawDimension,
        questions: Option<&[Question]>,
    ) -> Option<Dimension> {
        let id = self.id(raw);
        let label = self.required_text(raw, "label", raw.label.as_ref());
        let description = self.optional_text(raw.description.as_ref(), &raw.field("description"));
        let chapter = raw
            .chapter
            .as_ref()
            .and_then(|chapter| self.chapter(chapter, &raw.field("chapter")));
        let chapter_sound = raw.chapter.is_none() || chapter.is_some();
        let (Some(id), Some(label)) = (id, label) else {
            return None;
        };
        // Without valid questions the range is unknown; the question errors
        // already explain why.
        let questions = questions?;
        let (min_points, max_points) =
            questions
                .iter()
                .fold((0_i64, 0_i64), |(low, high), question| {
                    let (question_low, question_high) = question.point_range(&id);
                    (
                        low.saturating_add(question_low),
                        high.saturating_add(question_high),
                    )
                });
        if min_points == max_points && !self.diagnostics.has_error_under(&raw.field("id")) {
            let span = raw.id.as_ref().map_or(&raw.span, |id| &id.span);
            self.error(
                span,
                raw.field("id"),
                format!(
                    "aucune question ne fait varier la dimension «\u{a0}{id}\u{a0}»\u{a0}: donnez-lui des \
                     points dans au moins un choix (points) ou une échelle (points_per_step)"
                ),
            );
            return None;
        }
        chapter_sound.then_some(Dimension {
            id,
            label,
            description,
            chapter,
            min_points,
            max_points,
        })
    }

    /// Profiles: the first whose conditions hold is the person's, so the
    /// last one has none and no other may lack them.
    fn profiles(&mut self, quiz: &RawQuiz, known: &Known) -> Option<Vec<Profile>> {
        let list = self.required_list(
            quiz.profiles.as_ref(),
            "profiles",
            "un autodiagnostic a au moins un profil ([[profiles]]), le dernier sans condition",
        )?;
        let raw = &list.value;
        self.duplicate_ids(raw, "profil");
        let last = raw.len() - 1;
        all_valid(
            raw.iter()
                .enumerate()
                .map(|(index, profile)| self.profile(profile, index == last, known)),
        )
    }

    fn profile(&mut self, raw: &RawProfile, is_last: bool, known: &Known) -> Option<Profile> {
        let id = self.id(raw);
        let label = self.required_text(raw, "label", raw.label.as_ref());
        let description = self.required_text(raw, "description", raw.description.as_ref());
        let conditions = self.resolve_when(raw.when.as_ref(), &raw.path, known);
        if let Some(resolved) = &conditions {
            self.contradictions(resolved, &raw.path, known);
        }
        let unconditional = raw.when.as_ref().is_none_or(|when| when.value.is_empty());
        if is_last && !unconditional {
            let span = raw.when.as_ref().map_or(&raw.span, |when| &when.span);
            self.error(
                span,
                raw.field("when"),
                "le dernier profil doit être sans condition\u{a0}: c’est celui des personnes \
                 qu’aucun autre profil ne décrit",
            );
            return None;
        }
        if !is_last && unconditional {
            self.error(
                &raw.span,
                raw.field("when"),
                "seul le dernier profil peut être sans condition\u{a0}: les profils suivants ne \
                 seraient jamais attribués",
            );
            return None;
        }
        Some(Profile {
            id: id?,
            label: label?,
            description: description?,
            conditions: without_texts(conditions?),
        })
    }

    fn recommendations(&mut self, quiz: &RawQuiz, known: &Known) -> Option<Vec<Recommendation>> {
        let list = self.required_list(
            quiz.recommendations.as_ref(),
            "recommendations",
            format!(
                "un autodiagnostic a des recommandations ([[recommendations]]), dont au moins \
                 {PLAN_MIN} toujours applicables"
            ),
        )?;
        let raw = &list.value;
        self.duplicate_ids(raw, "recommandation");
        let checked: Vec<Option<Recommendation>> = raw
            .iter()
            .map(|recommendation| self.recommendation(recommendation, known))
            .collect();
        let dependencies_sound = self.dependencies(raw);
        // On the recommendations that are valid so far: the others' errors
        // are already reported.
        let valid: Vec<&Recommendation> = checked.iter().flatten().collect();
        self.dependency_horizons(raw, &valid);
        let enough_fallbacks = self.fallbacks(list);
        let recommendations: Option<Vec<Recommendation>> = checked.into_iter().collect();
        recommendations.filter(|_| dependencies_sound && enough_fallbacks)
    }

    /// Whether there are enough recommendations that apply to everyone for
    /// every plan to be full; reported at the list when there are not.
    fn fallbacks(&mut self, list: &Located<Vec<RawRecommendation>>) -> bool {
        let fallbacks: Vec<&str> = list
            .value
            .iter()
            .filter(|recommendation| is_fallback(recommendation))
            .filter_map(|recommendation| recommendation.id.as_ref().map(|id| id.value.as_str()))
            .collect();
        if fallbacks.len() >= PLAN_MIN {
            return true;
        }
        let found = if fallbacks.is_empty() {
            "aucune".to_owned()
        } else {
            fallbacks.join(", ")
        };
        self.error(
            &list.span,
            "recommendations",
            format!(
                "il faut au moins {PLAN_MIN} recommandations toujours applicables (sans when ni \
                 after, une variante par défaut, aucune pour «\u{a0}semaine\u{a0}») pour que tout plan \
                 ait {PLAN_MIN} actions\u{a0}; trouvées\u{a0}: {found}"
            ),
        );
        false
    }

    /// `after` lists: known ids, not the recommendation itself, no cycle.
    /// Returns whether they are all sound.
    fn dependencies(&mut self, raw: &[RawRecommendation]) -> bool {
        let ids: Vec<&str> = raw
            .iter()
            .filter_map(|recommendation| recommendation.id.as_ref().map(|id| id.value.as_str()))
            .collect();
        let mut sound = true;
        let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for recommendation in raw {
            let (Some(id), Some(after)) = (&recommendation.id, &recommendation.after) else {
                continue;
            };
            for (index, target) in after.value.iter().enumerate() {
                let field = format!("{}.after[{index}]", recommendation.path);
                if target.value == id.value {
                    self.error(
                        &target.span,
                        field,
                        format!(
                            "«\u{a0}{}\u{a0}» ne peut pas venir après elle-même",
                            id.value
                        ),
                    );
                    sound = false;
                } else if !ids.contains(&target.value.as_str()) {
                    let known: Vec<String> = ids.iter().map(|id| (*id).to_owned()).collect();
                    self.error(
                        &target.span,
                        field,
                        format!(
                            "recommandation inconnue «\u{a0}{}\u{a0}» ({})",
                            target.value,
                            known_list("recommandations connues", &known)
                        ),
                    );
                    sound = false;
                } else {
                    edges
                        .entry(id.value.as_str())
                        .or_default()
                        .push(target.value.as_str());
                }
            }
        }
        // Each cycle is reported once, at the `after` of its first member in
        // file order.
        let mut reported: BTreeSet<&str> = BTreeSet::new();
        for recommendation in raw {
            let (Some(id), Some(after)) = (&recommendation.id, &recommendation.after) else {
                continue;
            };
            if reported.contains(id.value.as_str()) {
                continue;
            }
            if let Some(cycle) = find_cycle(&edges, &id.value) {
                reported.extend(cycle.iter().copied());
                self.error(
                    &after.span,
                    format!("{}.after", recommendation.path),
                    format!(
                        "dépendances en cycle, aucune ne pourrait venir en premier\u{a0}: {}",
                        cycle.join(" → ")
                    ),
                );
                sound = false;
            }
        }
        sound
    }

    /// An action comes after those it depends on, so none of its variants
    /// may be for an earlier horizon than any variant of theirs: this
    /// week's actions come first in a plan.
    fn dependency_horizons(&mut self, raw: &[RawRecommendation], built: &[&Recommendation]) {
        let find = |id: &str| {
            built
                .iter()
                .find(|recommendation| recommendation.id == id)
                .copied()
        };
        for recommendation in raw {
            let (Some(id), Some(after)) = (&recommendation.id, &recommendation.after) else {
                continue;
            };
            let Some(action) = find(&id.value) else {
                continue;
            };
            for (index, target) in after.value.iter().enumerate() {
                let Some(before) = find(&target.value) else {
                    continue;
                };
                let clash = action.variants.iter().find_map(|late| {
                    before
                        .variants
                        .iter()
                        .find(|early| early.horizon > late.horizon)
                        .map(|early| (late, early))
                });
                if let Some((late, early)) = clash {
                    self.error(
                        &target.span,
                        format!("{}.after[{index}]", recommendation.path),
                        format!(
                            "«\u{a0}{}\u{a0}» vient après «\u{a0}{}\u{a0}», mais sa variante «\u{a0}{}\u{a0}» est pour \
                             «\u{a0}{}\u{a0}» et la variante «\u{a0}{}\u{a0}» de «\u{a0}{}\u{a0}» pour «\u{a0}{}\u{a0}»\u{a0}: \
                             une action ne peut pas être plus urgente que ce dont elle dépend",
                            action.id,
                            before.id,
                            late.id,
                            late.horizon.as_str(),
                            early.id,
                            before.id,
                            early.horizon.as_str()
                        ),
                    );
                }
            }
        }
    }

    fn recommendation(&mut self, raw: &RawRecommendation, known: &Known) -> Option<Recommendation> {
        let path = raw.path.as_str();
        let id = self.id(raw);
        let title = self.required_text(raw, "title", raw.title.as_ref());
        // Fields a variant may take from its action: read once, here.
        let defaults = VariantFields {
            given: [
                ("why", raw.why.is_some()),
                ("how", raw.how.is_some()),
                ("chapter", raw.chapter.is_some()),
                ("priority", raw.priority.is_some()),
                ("horizon", raw.horizon.is_some()),
            ]
            .into_iter()
            .filter_map(|(key, given)| given.then_some(key))
            .collect(),
            title: title.clone(),
            why: self.optional_text(raw.why.as_ref(), &raw.field("why")),
            how: self.optional_text(raw.how.as_ref(), &raw.field("how")),
            chapter: raw
                .chapter
                .as_ref()
                .and_then(|chapter| self.chapter(chapter, &raw.field("chapter"))),
            priority: raw
                .priority
                .as_ref()
                .and_then(|priority| self.priority(priority, path)),
            horizon: raw
                .horizon
                .as_ref()
                .and_then(|horizon| self.horizon(horizon, path)),
        };
        let action_when = self.resolve_when(raw.when.as_ref(), path, known);
        if let Some(resolved) = &action_when {
            self.contradictions(resolved, path, known);
        }
        let action_sound =
            action_when.is_some() && !self.diagnostics.has_error_under(&raw.field("when"));
        let after = raw
            .after
            .as_ref()
            .map(|after| after.value.iter().map(|id| id.value.clone()).collect())
            .unwrap_or_default();

        let variants = match &raw.variants {
            None => {
                // The action is its own single variant: every field required.
                let fields = self.resolve_variant_fields(&defaults, None, &raw.span, path);
                match (id.clone(), fields) {
                    (Some(id), Some(fields)) => Some(vec![fields.into_variant(id, Vec::new())]),
                    _ => None,
                }
            }
            Some(list) if list.value.is_empty() => {
                self.error(
                    &list.span,
                    raw.field("variants"),
                    "la liste des variantes est vide\u{a0}: retirez-la ou ajoutez-en une",
                );
                None
            }
            Some(list) => {
                let action = Action {
                    defaults: &defaults,
                    when: action_when.as_deref().filter(|_| action_sound),
                };
                self.variants(&list.value, &action, known)
            }
        };
        Some(Recommendation {
            id: id?,
            title: title?,
            after,
            conditions: without_texts(action_when?),
            variants: variants?,
        })
    }

    fn variants(
        &mut self,
        raw: &[RawVariant],
        action: &Action<'_, '_>,
        known: &Known,
    ) -> Option<Vec<Variant>> {
        self.duplicate_ids(raw, "variante");
        // Condition texts of earlier variants: the same set again could never
        // be chosen.
        let mut seen: Vec<(BTreeSet<String>, String)> = Vec::new();
        let last = raw.len() - 1;
        all_valid(
            raw.iter().enumerate().map(|(index, variant)| {
                self.variant(variant, index == last, &mut seen, action, known)
            }),
        )
    }

    /// One variant of an action; `seen` holds the condition texts of the
    /// variants before it, and gets its own.
    fn variant(
        &mut self,
        raw: &RawVariant,
        is_last: bool,
        seen: &mut Vec<(BTreeSet<String>, String)>,
        action: &Action<'_, '_>,
        known: &Known,
    ) -> Option<Variant> {
        let path = raw.path.as_str();
        let id = self.id(raw);
        let fields = self.resolve_variant_fields(action.defaults, Some(raw), &raw.span, path);
        let resolved = self.resolve_when(raw.when.as_ref(), path, known);
        if let (Some(resolved), Some(action_when)) = (&resolved, action.when) {
            let mut together: Vec<(Condition, &Located<String>)> = action_when.to_vec();
            together.extend(resolved.iter().cloned());
            self.contradictions(&together, path, known);
        }
        let texts: BTreeSet<String> = raw
            .when
            .iter()
            .flat_map(|when| &when.value)
            .map(|text| text.value.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        let mut reachable = true;
        if texts.is_empty() && !is_last {
            self.error(
                &raw.span,
                raw.field("when"),
                "seule la dernière variante peut être sans condition\u{a0}: les variantes suivantes \
                 ne seraient jamais retenues",
            );
            reachable = false;
        } else if let Some((_, earlier)) = seen.iter().find(|(set, _)| *set == texts) {
            let span = raw.when.as_ref().map_or(&raw.span, |when| &when.span);
            self.error(
                span,
                raw.field("when"),
                format!(
                    "mêmes conditions que la variante «\u{a0}{earlier}\u{a0}»\u{a0}: celle-ci ne serait \
                     jamais retenue"
                ),
            );
            reachable = false;
        }
        if let Some(id) = &id {
            seen.push((texts, id.clone()));
        }
        let variant = fields?.into_variant(id?, without_texts(resolved?));
        reachable.then_some(variant)
    }

    /// A variant's fields, each taken from the variant or else from its
    /// action; a field found in neither is reported missing.
    fn resolve_variant_fields(
        &mut self,
        defaults: &VariantFields,
        raw: Option<&RawVariant>,
        span: &Range<usize>,
        path: &str,
    ) -> Option<VariantFields> {
        let missing = |validator: &mut Self, key: &str, hint: &str| {
            if defaults.given.contains(&key) {
                return;
            }
            let where_ = if raw.is_some() {
                " (dans la variante ou dans sa recommandation)"
            } else {
                ""
            };
            validator.missing(
                span,
                field_path(path, key),
                format!("champ obligatoire manquant\u{a0}: {key}{hint}{where_}"),
            );
        };
        let title = match raw.and_then(|raw| raw.title.as_ref()) {
            Some(title) => self.non_blank(title, &field_path(path, "title")),
            None => defaults.title.clone(),
        };
        let why = match raw.and_then(|raw| raw.why.as_ref()) {
            Some(why) => self.non_blank(why, &field_path(path, "why")),
            None => defaults.why.clone(),
        };
        if why.is_none() && raw.is_none_or(|raw| raw.why.is_none()) {
            missing(self, "why", "");
        }
        let how = match raw.and_then(|raw| raw.how.as_ref()) {
            Some(how) => self.non_blank(how, &field_path(path, "how")),
            None => defaults.how.clone(),
        };
        if how.is_none() && raw.is_none_or(|raw| raw.how.is_none()) {
            missing(self, "how", "");
        }
        let chapter = match raw.and_then(|raw| raw.chapter.as_ref()) {
            Some(chapter) => self.chapter(chapter, &field_path(path, "chapter")),
            None => defaults.chapter.clone(),
        };
        if chapter.is_none() && raw.is_none_or(|raw| raw.chapter.is_none()) {
            missing(
                self,
                "chapter",
                " (la section du livre qui explique l’action)",
            );
        }
        let priority = match raw.and_then(|raw| raw.priority.as_ref()) {
            Some(priority) => self.priority(priority, path),
            None => defaults.priority,
        };
        if priority.is_none() && raw.is_none_or(|raw| raw.priority.is_none()) {
            missing(self, "priority", " (de 0 à 100)");
        }
        let horizon = match raw.and_then(|raw| raw.horizon.as_ref()) {
            Some(horizon) => self.horizon(horizon, path),
            None => defaults.horizon,
        };
        if horizon.is_none() && raw.is_none_or(|raw| raw.horizon.is_none()) {
            missing(self, "horizon", " = \"semaine\", \"mois\" ou \"trimestre\"");
        }
        Some(VariantFields {
            given: Vec::new(),
            title: Some(title?),
            why: Some(why?),
            how: Some(how?),
            chapter: Some(chapter?),
            priority: Some(priority?),
            horizon: Some(horizon?),
        })
    }

    fn priority(&mut self, priority: &Located<i64>, path: &str) -> Option<u8> {
        match u8::try_from(priority.value) {
            Ok(value) if value <= 100 => Some(value),
            _ => {
                self.error(
                    &priority.span,
                    field_path(path, "priority"),
                    format!("priority = {} hors de 0 à 100", priority.value),
                );
                None
            }
        }
    }

    fn horizon(&mut self, horizon: &Located<String>, path: &str) -> Option<Horizon> {
        let parsed = Horizon::parse(&horizon.value);
        if parsed.is_none() {
            self.error(
                &horizon.span,
                field_path(path, "horizon"),
                format!(
                    "horizon «\u{a0}{}\u{a0}» inconnu\u{a0}: \"semaine\", \"mois\" ou \"trimestre\"",
                    horizon.value
                ),
            );
        }
        parsed
    }

    /// The `when` list of a profile, recommendation or variant, each
    /// condition resolved (contradictions are checked by the caller, who
    /// knows which conditions go together). `None` after an error.
    fn resolve_when<'w>(
        &mut self,
        when: Option<&'w Located<Vec<Located<String>>>>,
        path: &str,
        known: &Known,
    ) -> Option<Vec<(Condition, &'w Located<String>)>> {
        let texts = when.iter().flat_map(|when| &when.value);
        all_valid(texts.enumerate().map(|(index, text)| {
            let condition = self.alternatives(text, path, index, known)?;
            Some((condition, text))
        }))
    }

    /// The value `parsed` from the text of a condition, or `None` after
    /// reporting why the text does not parse.
    fn parsed<T>(
        &mut self,
        text: &Located<String>,
        field: &str,
        parsed: Result<T, String>,
    ) -> Option<T> {
        parsed
            .map_err(|message| self.error(&text.span, field, message))
            .ok()
    }

    /// The `when` item at `index` of the table at `path`: a condition, or
    /// several joined by `or`.
    fn alternatives(
        &mut self,
        text: &Located<String>,
        path: &str,
        index: usize,
        known: &Known,
    ) -> Option<Condition> {
        let field = &format!("{path}.when[{index}]");
        let parts = self.parsed(text, field, condition::split_alternatives(&text.value))?;
        if parts.len() == 1 {
            return self.condition(text, field, known);
        }
        all_valid(parts.into_iter().map(|part| {
            let located = Located {
                value: part,
                span: text.span.clone(),
            };
            self.condition(&located, field, known)
        }))
        .map(Condition::Any)
    }

    fn condition(
        &mut self,
        text: &Located<String>,
        field: &str,
        known: &Known,
    ) -> Option<Condition> {
        match self.parsed(text, field, condition::parse_condition(&text.value))? {
            ParsedCondition::Threshold {
                name,
                comparison,
                value,
            } => {
                let is_overall = name == OVERALL_KEYWORD;
                if !is_overall && !known.dimensions.iter().any(|dimension| dimension == name) {
                    let hint = if known.question_ids.contains(name) {
                        format!(
                            "\u{a0}; «\u{a0}{name}\u{a0}» est une question\u{a0}: écrivez «\u{a0}answer {name} …\u{a0}»"
                        )
                    } else {
                        String::new()
                    };
                    self.error(
                        &text.span,
                        field,
                        format!(
                            "dimension inconnue «\u{a0}{name}\u{a0}» ({}, ou «\u{a0}score\u{a0}» pour le score \
                             global){hint}",
                            known_list("dimensions connues", &known.dimensions)
                        ),
                    );
                    return None;
                }
                if matches!(comparison, Comparison::Equal | Comparison::NotEqual) {
                    self.error(
                        &text.span,
                        field,
                        format!(
                            "«\u{a0}{}\u{a0}» ne s’applique pas à un score\u{a0}: utilisez <, <=, > ou >=",
                            comparison.as_str()
                        ),
                    );
                    return None;
                }
                if !can_hold(comparison, value, SCORE_RANGE) {
                    self.error(
                        &text.span,
                        field,
                        format!(
                            "«\u{a0}{}\u{a0}» ne peut jamais être vraie\u{a0}: un score va de 0 à 100",
                            text.value.trim()
                        ),
                    );
                    return None;
                }
                Some(if is_overall {
                    Condition::Overall { comparison, value }
                } else {
                    Condition::Dimension {
                        dimension: name.to_owned(),
                        comparison,
                        value,
                    }
                })
            }
            ParsedCondition::Answer {
                question: question_id,
                comparison,
                value,
            } => {
                let question = known
                    .questions
                    .unwrap_or_default()
                    .iter()
                    .find(|question| question.id == question_id);
                let Some(question) = question else {
                    // A question that exists but has errors is already reported.
                    if !known.question_ids.contains(question_id) {
                        let ids: Vec<String> = known.question_ids.iter().cloned().collect();
                        self.error(
                            &text.span,
                            field,
                            format!(
                                "question inconnue «\u{a0}{question_id}\u{a0}» ({})",
                                known_list("questions connues", &ids)
                            ),
                        );
                    }
                    return None;
                };
                self.answer_condition(text, field, question, comparison, value)
            }
        }
    }

    fn answer_condition(
        &mut self,
        text: &Located<String>,
        field: &str,
        question: &Question,
        comparison: Comparison,
        value: &str,
    ) -> Option<Condition> {
        if let Some((min, max)) = question.scale_bounds() {
            let Ok(number) = value.parse::<i64>() else {
                self.error(
                    &text.span,
                    field,
                    format!(
                        "la question «\u{a0}{}\u{a0}» est une échelle de {min} à {max}\u{a0}: comparez-la à un \
                         nombre, pas à «\u{a0}{value}\u{a0}»",
                        question.id
                    ),
                );
                return None;
            };
            if !can_hold(comparison, number, (min, max)) {
                self.error(
                    &text.span,
                    field,
                    format!(
                        "«\u{a0}{}\u{a0}» ne peut jamais être vraie\u{a0}: l’échelle «\u{a0}{}\u{a0}» va de {min} à {max}",
                        text.value.trim(),
                        question.id
                    ),
                );
                return None;
            }
            if question.topic.is_none() {
                self.error(
                    &text.span,
                    field,
                    format!(
                        "la question «\u{a0}{}\u{a0}» sert dans une condition\u{a0}: donnez-lui un topic \
                         (ce qu’elle mesure, par exemple «\u{a0}le temps passé chaque semaine sur \
                         les réseaux\u{a0}») pour que le plan puisse expliquer ses choix",
                        question.id
                    ),
                );
                return None;
            }
            return Some(Condition::ScaleValue {
                question: question.id.clone(),
                comparison,
                value: number,
            });
        }
        let choice_ids: Vec<String> = question
            .choices
            .iter()
            .map(|choice| choice.id.clone())
            .collect();
        if !matches!(comparison, Comparison::Equal | Comparison::NotEqual) {
            self.error(
                &text.span,
                field,
                format!(
                    "la question «\u{a0}{}\u{a0}» est à choix\u{a0}: seuls = et != s’appliquent \
                     («\u{a0}answer {} = CHOIX\u{a0}»)",
                    question.id, question.id
                ),
            );
            return None;
        }
        if question.choice(value).is_none() {
            self.error(
                &text.span,
                field,
                format!(
                    "la question «\u{a0}{}\u{a0}» n’a pas de choix «\u{a0}{value}\u{a0}» ({})",
                    question.id,
                    known_list("choix possibles", &choice_ids)
                ),
            );
            return None;
        }
        if question
            .choice(value)
            .is_some_and(|choice| choice.fact.is_none())
        {
            self.error(
                &text.span,
                field,
                format!(
                    "le choix «\u{a0}{value}\u{a0}» de la question «\u{a0}{}\u{a0}» sert dans une condition\u{a0}: \
                     donnez-lui un fact, ce que ce choix dit de la personne en français simple \
                     («\u{a0}vous n’avez pas encore de site\u{a0}»), pour que le plan puisse expliquer ses choix",
                    question.id
                ),
            );
            return None;
        }
        let question = question.id.clone();
        let choice = value.to_owned();
        Some(if comparison == Comparison::Equal {
            Condition::ChoiceSelected { question, choice }
        } else {
            Condition::ChoiceNotSelected { question, choice }
        })
    }

    /// Reports conditions of one rule that cannot all be true together.
    fn contradictions(
        &mut self,
        conditions: &[(Condition, &Located<String>)],
        path: &str,
        known: &Known,
    ) {
        let questions = known.questions.unwrap_or_default();
        // Numeric targets: the interval allowed by all comparisons on the
        // same dimension, overall score or scale, minus the `!=` values.
        let mut numeric: BTreeMap<String, NumericTarget<'_>> = BTreeMap::new();
        // Choice targets: what must and must not be ticked per question.
        let mut choices: BTreeMap<&str, ChoiceTarget<'_>> = BTreeMap::new();
        for (condition, text) in conditions {
            let (key, domain, comparison, value) = match condition {
                Condition::Dimension {
                    dimension,
                    comparison,
                    value,
                } => (format!("d:{dimension}"), SCORE_RANGE, *comparison, *value),
                Condition::Overall { comparison, value } => {
                    ("s:".to_owned(), SCORE_RANGE, *comparison, *value)
                }
                Condition::ScaleValue {
                    question,
                    comparison,
                    value,
                } => {
                    let domain = questions
                        .iter()
                        .find(|candidate| &candidate.id == question)
                        .and_then(Question::scale_bounds)
                        .unwrap_or((i64::MIN, i64::MAX));
                    (format!("q:{question}"), domain, *comparison, *value)
                }
                // An alternative constrains nothing on its own.
                Condition::Any(_) => continue,
                Condition::ChoiceSelected { question, choice }
                | Condition::ChoiceNotSelected { question, choice } => {
                    let target = choices.entry(question).or_default();
                    if matches!(condition, Condition::ChoiceSelected { .. }) {
                        target.selected.push(choice);
                    } else {
                        target.not_selected.push(choice);
                    }
                    target.texts.push(text);
                    continue;
                }
            };
            let target = numeric.entry(key).or_insert_with(|| NumericTarget {
                low: domain.0,
                high: domain.1,
                excluded: Vec::new(),
                texts: Vec::new(),
            });
            match comparison.interval(value) {
                Some((low, high)) => {
                    target.low = target.low.max(low);
                    target.high = target.high.min(high);
                }
                None => target.excluded.push(value),
            }
            target.texts.push(text);
        }
        for target in numeric.values() {
            if target.is_empty() {
                self.contradiction(&target.texts, path);
            }
        }
        for (question_id, target) in &choices {
            let Some(question) = questions
                .iter()
                .find(|question| &question.id == question_id)
            else {
                continue;
            };
            let both = target
                .selected
                .iter()
                .any(|choice| target.not_selected.contains(choice));
            let mut required: Vec<&str> = target
                .selected
                .iter()
                .map(|choice| choice.as_str())
                .collect();
            required.sort_unstable();
            required.dedup();
            if both || required.len() > question.max_choices() {
                self.contradiction(&target.texts, path);
            }
        }
    }

    fn contradiction(&mut self, texts: &[&Located<String>], path: &str) {
        let Some(last) = texts.last() else { return };
        let quoted: Vec<String> = texts
            .iter()
            .map(|text| format!("«\u{a0}{}\u{a0}»", text.value.trim()))
            .collect();
        self.error(
            &last.span,
            format!("{path}.when"),
            format!(
                "conditions contradictoires, jamais vraies ensemble\u{a0}: {}",
                quoted.join(" et ")
            ),
        );
    }
}

struct NumericTarget<'a> {
    low: i64,
    high: i64,
    excluded: Vec<i64>,
    texts: Vec<&'a Located<String>>,
}

impl NumericTarget<'_> {
    /// No value in `low..=high` escapes the `!=` exclusions.
    fn is_empty(&self) -> bool {
        if self.low > self.high {
            return true;
        }
        // Only a short interval can be entirely excluded by a short list.
        let width = self.high.saturating_sub(self.low);
        usize::try_from(width).is_ok_and(|width| width < self.excluded.len())
            && (self.low..=self.high).all(|value| self.excluded.contains(&value))
    }
}

#[derive(Default)]
struct ChoiceTarget<'a> {
    selected: Vec<&'a String>,
    not_selected: Vec<&'a String>,
    texts: Vec<&'a Located<String>>,
}

/// Whether `x <comparison> value` holds for some `x` in the inclusive `domain`.
fn can_hold(comparison: Comparison, value: i64, domain: (i64, i64)) -> bool {
    match comparison.interval(value) {
        Some((low, high)) => low.max(domain.0) <= high.min(domain.1),
        // `!=` excludes one value: only a one-value domain can be emptied.
        None => domain.0 != domain.1 || domain.0 != value,
    }
}

fn known_list(what: &str, names: &[String]) -> String {
    if names.is_empty() {
        format!("{what}\u{a0}: aucune")
    } else {
        format!("{what}\u{a0}: {}", names.join(", "))
    }
}

/// What the variants of an action get from it.
struct Action<'a, 'w> {
    defaults: &'a VariantFields,
    /// The action's own conditions, which hold with each variant's; `None`
    /// when they have errors (then no contradiction is looked for).
    when: Option<&'a [(Condition, &'w Located<String>)]>,
}

/// The fields a variant may inherit from its action.
#[derive(Clone)]
struct VariantFields {
    /// The fields the action gives, valid or not: a variant that inherits an
    /// invalid one is not reported again as missing it.
    given: Vec<&'static str>,
    title: Option<String>,
    why: Option<String>,
    how: Option<String>,
    chapter: Option<ChapterRef>,
    priority: Option<u8>,
    horizon: Option<Horizon>,
}

impl VariantFields {
    /// Only called once every field has been resolved.
    fn into_variant(self, id: String, conditions: Vec<Condition>) -> Variant {
        Variant {
            id,
            title: self.title.unwrap_or_default(),
            why: self.why.unwrap_or_default(),
            how: self.how.unwrap_or_default(),
            chapter: self.chapter.unwrap_or(ChapterRef {
                path: String::new(),
                anchor: None,
            }),
            priority: self.priority.unwrap_or_default(),
            horizon: self.horizon.unwrap_or(Horizon::Trimestre),
            conditions,
        }
    }
}

/// Whether a recommendation applies to everyone, whatever the answers, and
/// can always take a place in a plan: no condition, no dependency, a
/// default variant, never for this week (whose places are capped).
fn is_fallback(raw: &RawRecommendation) -> bool {
    let empty = |list: &Option<Located<Vec<Located<String>>>>| {
        list.as_ref().is_none_or(|list| list.value.is_empty())
    };
    let week = |horizon: Option<&Located<String>>| {
        horizon.is_some_and(|horizon| horizon.value == Horizon::Semaine.as_str())
    };
    if !empty(&raw.when) || !empty(&raw.after) {
        return false;
    }
    match &raw.variants {
        None => !week(raw.horizon.as_ref()),
        Some(variants) => {
            variants.value.last().is_some_and(|last| empty(&last.when))
                && variants
                    .value
                    .iter()
                    .all(|variant| !week(variant.horizon.as_ref().or(raw.horizon.as_ref())))
        }
    }
}

/// A cycle of `after` links through `start`, as the ids along it with
/// `start` at both ends; `None` when `start` is on no cycle.
fn find_cycle<'a>(edges: &BTreeMap<&'a str, Vec<&'a str>>, start: &'a str) -> Option<Vec<&'a str>> {
    // Depth-first search from `start`, keeping the path, until it comes back.
    let mut path: Vec<(&str, usize)> = vec![(start, 0)];
    let mut visited: BTreeSet<&str> = BTreeSet::new();
    while let Some((node, next)) = path.last().copied() {
        let targets = edges.get(node).map(Vec::as_slice).unwrap_or_default();
        if let Some(target) = targets.get(next) {
            if let Some(top) = path.last_mut() {
                top.1 += 1;
            }
            if *target == start {
                let mut cycle: Vec<&str> = path.iter().map(|(id, _)| *id).collect();
                cycle.push(start);
                return Some(cycle);
            }
            if visited.insert(target) {
                path.push((target, 0));
            }
        } else {
            path.pop();
        }
    }
    None
}

/// Whether the question's `kind` is given and is not `kind`.
fn kind_is_not(raw: &RawQuestion, kind: &str) -> bool {
    raw.kind.as_ref().is_some_and(|given| given.value != kind)
}
