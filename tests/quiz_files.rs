//! What the quiz files say, beyond what validation checks: comprehension
//! checks that cannot be answered by picking the longest choice, the
//! inclusive-writing convention, and a diagnostic whose announced length is
//! true and stated the same way in the book.

use std::path::Path;

use chezsoi::quiz::{self, Catalog, ChapterIndex, Mode, QuestionKind};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn catalog() -> Catalog {
    let summary = std::fs::read_to_string(root().join("book/SUMMARY.md")).expect("book/SUMMARY.md");
    let chapters = summary
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|path| path.ends_with(".md"))
        .map(str::to_owned);
    quiz::load_dir(&root().join("quizzes"), &ChapterIndex::new(chapters))
        .unwrap_or_else(|errors| panic!("{errors}"))
}

fn length(text: &str) -> f64 {
    text.chars().count() as f64
}

#[test]
fn the_right_answer_does_not_stand_out_by_its_length() {
    let catalog = catalog();
    let (mut singles, mut longest, mut shortest) = (0_usize, 0_usize, 0_usize);
    let mut problems = Vec::new();
    for quiz in catalog.iter().filter(|quiz| quiz.mode == Mode::Knowledge) {
        assert!(
            quiz.chapter.is_some(),
            "{}: a comprehension check links back to its chapter",
            quiz.id
        );
        for question in &quiz.questions {
            let right: Vec<f64> = question
                .choices
                .iter()
                .filter(|choice| choice.correct)
                .map(|choice| length(&choice.label))
                .collect();
            let wrong: Vec<f64> = question
                .choices
                .iter()
                .filter(|choice| !choice.correct)
                .map(|choice| length(&choice.label))
                .collect();
            let mean_wrong = wrong.iter().sum::<f64>() / wrong.len() as f64;
            for length in &right {
                let ratio = length / mean_wrong;
                if !(0.75..=1.33).contains(&ratio) {
                    problems.push(format!(
                        "{}/{}: a right answer {ratio:.2} times as long as the wrong ones",
                        quiz.id, question.id
                    ));
                }
            }
            match question.kind {
                QuestionKind::Single => {
                    singles += 1;
                    let max_wrong = wrong.iter().copied().fold(f64::MIN, f64::max);
                    let min_wrong = wrong.iter().copied().fold(f64::MAX, f64::min);
                    longest += usize::from(right[0] > max_wrong);
                    shortest += usize::from(right[0] < min_wrong);
                }
                QuestionKind::Multiple { .. } => {
                    // Ticking everything must not be a strategy.
                    if right.len() * 2 > question.choices.len() {
                        problems.push(format!(
                            "{}/{}: {} right answers out of {}",
                            quiz.id,
                            question.id,
                            right.len(),
                            question.choices.len()
                        ));
                    }
                }
                QuestionKind::Scale { .. } => {}
            }
        }
    }
    assert!(singles >= 8, "only {singles} single-choice questions");
    assert!(
        longest * 3 <= singles,
        "the right answer is the longest in {longest} of {singles} questions"
    );
    assert!(
        shortest * 3 <= singles,
        "the right answer is the shortest in {shortest} of {singles} questions"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn quiz_files_write_inclusively_without_a_middle_dot() {
    for entry in std::fs::read_dir(root().join("quizzes")).expect("quizzes/") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("quiz file");
        for (number, line) in text.lines().enumerate() {
            assert!(
                !line.contains('·'),
                "{}:{}: a middle dot; write « celles et ceux » or an epicene word",
                path.display(),
                number + 1
            );
        }
    }
}

#[test]
fn the_diagnostic_announces_its_true_length_as_the_book_does() {
    let catalog = catalog();
    let diagnostic = catalog.get("diagnostic").expect("diagnostic");
    let intro = diagnostic.intro.as_deref().expect("intro");
    // "Quinze questions" must stay true.
    assert_eq!(diagnostic.questions.len(), 15);
    let announced = "Quinze questions sur **votre** situation, une dizaine de minutes.";
    assert!(intro.starts_with(announced), "{intro}");
    let chapter = std::fs::read_to_string(root().join("book/05-action/diagnostic.md"))
        .expect("book/05-action/diagnostic.md");
    assert!(
        chapter.contains(announced),
        "05-action/diagnostic.md does not announce the diagnostic as its intro does"
    );
    for other in ["cinq minutes", "quelques minutes", "quinze minutes"] {
        assert!(
            !intro.contains(other) && !chapter.contains(other),
            "{other}"
        );
    }
}

/// On paper an exclusion reads «\u{a0}sauf si {fact}\u{a0}»: a negative fact there
/// would be a double negative («\u{a0}sauf si vous n’avez pas…\u{a0}»).
#[test]
fn exclusions_read_without_a_double_negative() {
    use chezsoi::quiz::Condition;
    fn exclusions(condition: &Condition, found: &mut Vec<(String, String)>) {
        match condition {
            Condition::ChoiceNotSelected { question, choice } => {
                found.push((question.clone(), choice.clone()));
            }
            Condition::Any(alternatives) => {
                for alternative in alternatives {
                    exclusions(alternative, found);
                }
            }
            _ => {}
        }
    }
    let catalog = catalog();
    let diagnostic = catalog.get("diagnostic").expect("diagnostic");
    let mut found = Vec::new();
    let conditions = diagnostic
        .profiles
        .iter()
        .flat_map(|profile| &profile.conditions)
        .chain(
            diagnostic
                .recommendations
                .iter()
                .flat_map(|recommendation| {
                    recommendation.conditions.iter().chain(
                        recommendation
                            .variants
                            .iter()
                            .flat_map(|variant| &variant.conditions),
                    )
                }),
        );
    for condition in conditions {
        exclusions(condition, &mut found);
    }
    assert!(!found.is_empty(), "the diagnostic uses exclusions");
    for (question, choice) in found {
        let fact = diagnostic.fact(&question, &choice);
        let negative = ["n’", " ne ", " pas ", " ni ", "aucun"]
            .iter()
            .any(|word| format!(" {fact} ").contains(word));
        assert!(
            !negative,
            "answer {question} != {choice}: «\u{a0}sauf si {fact}\u{a0}» is a double negative"
        );
    }
}
