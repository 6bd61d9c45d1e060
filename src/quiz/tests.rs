//! Loading tests: one fixture per family of errors, each error checked for
//! its line, field and message (listed in
//! tests/fixtures/quizzes/invalid-errors.toml); and the valid fixtures.

use std::path::Path;

use serde::Deserialize;

use super::*;

/// The chapters of the book at the time of writing (book/SUMMARY.md).
pub(crate) fn chapters() -> ChapterIndex {
    ChapterIndex::new(
        [
            "introduction.md",
            "01-incontournables.md",
            "02-portee.md",
            "03-audience.md",
            "04-alternatives.md",
            "05-action/index.md",
            "05-action/diagnostic.md",
            "05-action/canaux.md",
            "05-action/publier.md",
            "05-action/exporter.md",
            "05-action/mesurer.md",
            "05-action/atelier.md",
        ]
        .map(String::from),
    )
}

pub(crate) const MINI: &str = include_str!("../../tests/fixtures/quizzes/mini.toml");
pub(crate) const VERIF_MINI: &str = include_str!("../../tests/fixtures/quizzes/verif-mini.toml");

pub(crate) fn mini() -> Quiz {
    parse_quiz(Path::new("quizzes/mini.toml"), MINI, &chapters()).expect("mini.toml is valid")
}

pub(crate) fn verif_mini() -> Quiz {
    parse_quiz(
        Path::new("quizzes/verif-mini.toml"),
        VERIF_MINI,
        &chapters(),
    )
    .expect("verif-mini.toml is valid")
}

#[test]
fn valid_fixtures_load_with_derived_ranges() {
    let quiz = mini();
    assert_eq!(quiz.id, "mini");
    assert_eq!(quiz.mode, Mode::SelfAssessment);
    assert_eq!(quiz.version, version_of(MINI));
    assert_eq!(quiz.version.len(), 16);
    // propriete: canaux (-2 alone … 4 + 3) + mesure (0 … 1) = -2 … 8
    // temps: temps-hebdo (-8 … 0) + mesure (0 … 2) = -8 … 2
    let ranges: Vec<(&str, i64, i64)> = quiz
        .dimensions
        .iter()
        .map(|dimension| {
            (
                dimension.id.as_str(),
                dimension.min_points,
                dimension.max_points,
            )
        })
        .collect();
    assert_eq!(
        ranges,
        [("propriete", -2, 8), ("temps", -8, 2), ("valeurs", 0, 2)]
    );
    let liste = quiz.recommendation("liste").expect("liste");
    // Without variants, an action is its own single variant.
    assert_eq!(liste.variants.len(), 1);
    assert_eq!(
        liste.variants[0].chapter.html_path(),
        "05-action/canaux.html#liste"
    );
    assert_eq!(liste.variants[0].horizon, Horizon::Mois);
    assert_eq!(liste.after, ["site"]);
    // A variant takes what it does not say from its action.
    let site = quiz.recommendation("site").expect("site");
    let ids: Vec<&str> = site.variants.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["association", "defaut"]);
    assert_eq!(site.variants[0].title, "Ouvrir le site de l’association");
    assert_eq!(site.variants[1].title, site.title);
    assert_eq!(site.variants[0].priority, 70);
    assert_eq!(site.variants[0].why, site.variants[1].why);
    assert_eq!(
        quiz.recommendation("temps").map(|r| r.conditions.len()),
        Some(2)
    );
    assert_eq!(verif_mini().mode, Mode::Knowledge);
}

/// What one invalid fixture must give (tests/fixtures/quizzes/invalid-errors.toml).
#[derive(Deserialize)]
struct Expected {
    /// What the fixture checks, said when it fails.
    checks: String,
    /// Every error, in order: (line, field, part of the message).
    errors: Vec<(usize, String, String)>,
}

#[test]
fn each_invalid_fixture_gives_exactly_its_errors() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quizzes");
    let read = |path: &Path| std::fs::read_to_string(path).expect("readable fixture");
    let expected: BTreeMap<String, Expected> =
        toml::from_str(&read(&fixtures.join("invalid-errors.toml"))).expect("invalid-errors.toml");
    // No fixture goes unchecked, and no expectation lacks its fixture.
    let mut names: Vec<String> = std::fs::read_dir(fixtures.join("invalid"))
        .expect("invalid/")
        .map(|entry| entry.expect("entry").path())
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_owned()))
        .collect();
    names.sort();
    assert_eq!(names, expected.keys().cloned().collect::<Vec<_>>());
    // Every fixture is checked, so that one failing does not hide another.
    let failures: Vec<String> = expected
        .iter()
        .filter_map(|(name, expected)| {
            let text = read(&fixtures.join("invalid").join(format!("{name}.toml")));
            let path = format!("quizzes/{name}.toml");
            let problem = differences(&path, &text, &expected.errors).err()?;
            Some(format!("{name}.toml ({}): {problem}", expected.checks))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Whether `text` gives exactly the `expected` errors, in order: (line,
/// field, part of the message); if not, what differs.
fn differences(path: &str, text: &str, expected: &[(usize, String, String)]) -> Result<(), String> {
    let errors = match parse_quiz(Path::new(path), text, &chapters()) {
        Ok(_) => return Err("it validates".to_owned()),
        Err(errors) => errors,
    };
    let shown = errors.to_string();
    if errors.len() != expected.len() {
        let count = expected.len();
        return Err(format!("{count} errors expected, got:\n{shown}"));
    }
    for (error, (line, field, message)) in errors.iter().zip(expected) {
        let located = error.path == Path::new(path)
            && (error.line, error.field.as_str()) == (*line, field.as_str())
            && error.column >= 1;
        if !located || !error.message.contains(message.as_str()) {
            return Err(format!(
                "expected {line}, {field}: {message:?}; got:\n{shown}"
            ));
        }
    }
    Ok(())
}

#[test]
fn bad_file_name_is_an_error() {
    let errors =
        parse_quiz(Path::new("quizzes/Mini Quiz.toml"), MINI, &chapters()).expect_err("bad id");
    assert_eq!(errors.len(), 1);
    assert_eq!((errors.0[0].line, errors.0[0].column), (1, 1));
    assert!(
        errors.0[0]
            .message
            .contains("nom de fichier «\u{a0}Mini Quiz\u{a0}» invalide")
    );
}

#[test]
fn load_dir_reads_sorted_toml_files_and_gathers_errors_of_all() {
    let dir = std::env::temp_dir().join(format!("chezsoi-quiz-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("mini.toml"), MINI).expect("write");
    std::fs::write(dir.join("verif-mini.toml"), VERIF_MINI).expect("write");
    std::fs::write(dir.join("README.md"), "# pas un questionnaire").expect("write");
    let catalog = load_dir(&dir, &chapters()).expect("valid directory");
    let ids: Vec<&str> = catalog.iter().map(|quiz| quiz.id.as_str()).collect();
    assert_eq!(ids, ["mini", "verif-mini"]);
    assert!(catalog.get("mini").is_some());

    std::fs::write(dir.join("a-casse.toml"), "mode = ").expect("write");
    std::fs::write(dir.join("b-casse.toml"), b"\xff\xfe").expect("write");
    let errors = load_dir(&dir, &chapters()).expect_err("broken files");
    let shown = errors.to_string();
    assert_eq!(errors.len(), 2, "{shown}");
    assert!(errors.0[0].path.ends_with("a-casse.toml"), "{shown}");
    assert!(errors.0[1].path.ends_with("b-casse.toml"), "{shown}");
    assert!(errors.0[1].message.contains("illisible"), "{shown}");
    std::fs::remove_dir_all(&dir).expect("cleanup");

    let missing = load_dir(&dir, &chapters()).expect_err("missing directory");
    assert!(missing.to_string().contains("illisible"));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever the text, loading never panics, and every error points
        /// inside the file.
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
            check_text(&text)?;
        }

        /// Mangled versions of a valid file: the same, with a slice removed
        /// and arbitrary text put in its place.
        #[test]
        fn mangled_fixture_never_panics(
            start in 0..MINI.len(),
            length in 0..200_usize,
            insert in "[a-z0-9=\"\\[\\]{}<>!#., \n-]{0,30}",
        ) {
            let mut start = start;
            while !MINI.is_char_boundary(start) { start -= 1; }
            let mut end = (start + length).min(MINI.len());
            while !MINI.is_char_boundary(end) { end -= 1; }
            let text = format!("{}{}{}", &MINI[..start], insert, &MINI[end..]);
            check_text(&text)?;
        }
    }

    fn check_text(text: &str) -> Result<(), TestCaseError> {
        if let Err(errors) = parse_quiz(Path::new("quizzes/x.toml"), text, &chapters()) {
            prop_assert!(!errors.is_empty());
            for error in errors.iter() {
                prop_assert!(error.line >= 1 && error.column >= 1, "{}", error);
            }
        }
        Ok(())
    }
}

#[test]
fn conditions_read_as_plain_french() {
    let quiz = mini();
    let rule = |id: &str| {
        quiz.recommendation(id)
            .map(|recommendation| recommendation.conditions.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        quiz.describe_conditions(&rule("temps")),
        "si votre score «\u{a0}Temps\u{a0}» est inférieur à 50 sur 100, et si le temps passé \
         à publier vaut au moins 4 sur 5"
    );
    // An exclusion comes last, with its fact, never as a double negative.
    assert_eq!(
        quiz.describe_conditions(&rule("site")),
        "sauf si vous avez un site"
    );
    assert_eq!(
        quiz.describe_conditions(&rule("bilan")),
        "dans tous les cas"
    );
    let transition = quiz.profile("transition").expect("transition");
    assert_eq!(
        quiz.describe_conditions(&transition.conditions),
        "si vous avez un site ou si vous avez une liste"
    );
}
