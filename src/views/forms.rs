//! The quiz as an HTML form: one view for the quiz page, a workshop's page
//! and the form embedded in the book's chapters.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Templates, chapter_url, markdown};
use crate::quiz::{QuestionKind, Quiz};
use crate::scoring::{FIELD_PREFIX, FormErrors};

/// What `quiz.html` and `quiz_form.html` show.
#[derive(Serialize)]
pub struct QuizPage {
    title: String,
    quiz_id: String,
    version: String,
    mode: &'static str,
    intro_html: Option<String>,
    chapter_url: Option<String>,
    action: String,
    questions: Vec<QuestionView>,
    general_errors: Vec<String>,
    error_count: usize,
    /// The join code of the workshop this form belongs to, if any.
    workshop: Option<String>,
    workshop_title: Option<String>,
    /// The form's one-time nonce (`with_nonce`), if the server draws it.
    nonce: Option<String>,
    /// When re-taking the quiz from an earlier result (`for_retake`).
    retake: Option<RetakeView>,
}

/// The form's field that asks to link a re-take to the earlier result: its
/// value is `LINK_VALUE` when the reader ticked it, and it is absent
/// otherwise (nothing is linked).
pub const LINK_FIELD: &str = "relier";
/// The value of `LINK_FIELD` when ticked.
pub const LINK_VALUE: &str = "oui";

#[derive(Serialize)]
struct RetakeView {
    /// When the earlier result was given (« le 27/11/2026 vers 10 h (UTC) »).
    created: String,
    /// The link box is ticked (a corrected form keeps the reader's choice).
    link: bool,
    field: &'static str,
    value: &'static str,
}

/// Where a page rendered once and served many times has its nonce: each
/// response replaces it with a fresh one (`web::quiz`). Letters and an
/// underscore only, which HTML escaping leaves alone.
pub const NONCE_PLACEHOLDER: &str = "ENVOI_TIRE_A_CHAQUE_PAGE";

#[derive(Serialize)]
struct QuestionView {
    id: String,
    field: String,
    number: usize,
    text: String,
    help: Option<String>,
    optional: bool,
    kind: &'static str,
    input_type: &'static str,
    max: Option<usize>,
    choices: Vec<ChoiceView>,
    min_label: Option<String>,
    max_label: Option<String>,
    error: Option<String>,
}

#[derive(Serialize)]
struct ChoiceView {
    value: String,
    label: String,
    input_id: String,
    checked: bool,
}

/// The fields of a submission by name, to check again what was checked.
pub type Submitted = BTreeMap<String, BTreeSet<String>>;

/// Groups a submission's fields by name.
pub fn submitted(fields: &[(String, String)]) -> Submitted {
    let mut submitted = Submitted::new();
    for (name, value) in fields {
        submitted
            .entry(name.clone())
            .or_default()
            .insert(value.clone());
    }
    submitted
}

impl QuizPage {
    /// The quiz's form posting to `/quiz/{id}`: blank, or as submitted
    /// with each error next to its question.
    pub fn new(quiz: &Quiz, submitted: &Submitted, errors: &FormErrors) -> QuizPage {
        let questions = quiz
            .questions
            .iter()
            .enumerate()
            .map(|(index, question)| {
                let field = format!("{FIELD_PREFIX}{}", question.id);
                let previous = submitted.get(&field);
                let is_checked = |value: &str| previous.is_some_and(|set| set.contains(value));
                let (kind, input_type, max, choices, min_label, max_label) = match &question.kind {
                    QuestionKind::Single | QuestionKind::Multiple { .. } => {
                        let multiple = matches!(question.kind, QuestionKind::Multiple { .. });
                        let choices = question
                            .choices
                            .iter()
                            .map(|choice| ChoiceView {
                                value: choice.id.clone(),
                                label: choice.label.clone(),
                                input_id: format!("{field}-{}", choice.id),
                                checked: is_checked(&choice.id),
                            })
                            .collect();
                        let max = match question.kind {
                            QuestionKind::Multiple { max } => max,
                            _ => None,
                        };
                        (
                            if multiple { "multiple" } else { "single" },
                            if multiple { "checkbox" } else { "radio" },
                            max,
                            choices,
                            None,
                            None,
                        )
                    }
                    QuestionKind::Scale {
                        min,
                        max,
                        min_label,
                        max_label,
                        ..
                    } => {
                        let choices = (*min..=*max)
                            .map(|value| ChoiceView {
                                value: value.to_string(),
                                label: value.to_string(),
                                input_id: format!("{field}-{value}"),
                                checked: is_checked(&value.to_string()),
                            })
                            .collect();
                        (
                            "scale",
                            "radio",
                            None,
                            choices,
                            Some(min_label.clone()),
                            Some(max_label.clone()),
                        )
                    }
                };
                QuestionView {
                    id: question.id.clone(),
                    field,
                    number: index + 1,
                    text: question.text.clone(),
                    help: question.help.clone(),
                    optional: question.optional,
                    kind,
                    input_type,
                    max,
                    choices,
                    min_label,
                    max_label,
                    error: errors.by_question.get(&question.id).cloned(),
                }
            })
            .collect();
        QuizPage {
            title: quiz.title.clone(),
            quiz_id: quiz.id.clone(),
            version: quiz.version.clone(),
            mode: quiz.mode.as_str(),
            intro_html: quiz.intro.as_deref().map(markdown::to_html),
            chapter_url: quiz.chapter.as_ref().map(|c| chapter_url(&c.html_path())),
            action: format!("/quiz/{}", quiz.id),
            questions,
            general_errors: errors.general.clone(),
            error_count: errors.by_question.len() + errors.general.len(),
            workshop: None,
            workshop_title: None,
            nonce: None,
            retake: None,
        }
    }

    /// The form carries this one-time nonce (`web::form::NONCE_FIELD`).
    pub fn with_nonce(mut self, nonce: &str) -> QuizPage {
        self.nonce = Some(nonce.to_string());
        self
    }

    /// The form to re-take the quiz from an earlier result: it posts to
    /// `action` (`/r/{token}/refaire`) and asks, unticked, whether to link
    /// the new result to the one given `created`.
    pub fn for_retake(mut self, action: &str, created: &str, submitted: &Submitted) -> QuizPage {
        self.action = action.to_string();
        self.retake = Some(RetakeView {
            created: created.to_string(),
            link: submitted
                .get(LINK_FIELD)
                .is_some_and(|values| values.contains(LINK_VALUE)),
            field: LINK_FIELD,
            value: LINK_VALUE,
        });
        self
    }

    /// A workshop's form: it posts to the workshop and says whose it is.
    pub fn for_workshop(mut self, join_code: &str, title: &str) -> QuizPage {
        self.action = format!("/a/{join_code}");
        self.workshop = Some(join_code.to_string());
        self.workshop_title = Some(title.to_string());
        self
    }
}

/// The bare form, as embedded in the book's chapters.
pub fn render_form(templates: &Templates, quiz: &Quiz) -> anyhow::Result<String> {
    let page = QuizPage::new(quiz, &Submitted::new(), &FormErrors::default());
    templates.render("quiz_form.html", &page)
}
