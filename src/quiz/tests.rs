//! Loading tests: one fixture per family of errors, each error checked for
//! its line, field and message; and the valid fixtures.

use std::path::Path;

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

macro_rules! invalid {
    ($name:literal) => {
        (
            concat!("quizzes/", $name, ".toml"),
            include_str!(concat!(
                "../../tests/fixtures/quizzes/invalid/",
                $name,
                ".toml"
            )),
        )
    };
}

/// Parses an invalid fixture and returns its errors.
fn errors_of((path, text): (&str, &str)) -> Vec<QuizError> {
    match parse_quiz(Path::new(path), text, &chapters()) {
        Ok(_) => panic!("{path} should not validate"),
        Err(errors) => errors.0,
    }
}

/// Checks that the errors are exactly the expected ones, in order:
/// (line, field, part of the message).
#[track_caller]
fn assert_errors(fixture: (&str, &str), expected: &[(usize, &str, &str)]) {
    let errors = errors_of(fixture);
    let shown = QuizErrors(errors.clone()).to_string();
    assert_eq!(errors.len(), expected.len(), "got:\n{shown}");
    for (error, (line, field, message)) in errors.iter().zip(expected) {
        assert_eq!(error.path, Path::new(fixture.0), "got:\n{shown}");
        assert_eq!(
            (error.line, error.field.as_str()),
            (*line, *field),
            "got:\n{shown}"
        );
        assert!(error.column >= 1, "got:\n{shown}");
        assert!(
            error.message.contains(message),
            "expected {message:?} in:\n{shown}"
        );
    }
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

#[test]
fn toml_syntax_error_has_a_position() {
    assert_errors(invalid!("syntax"), &[(2, "", "TOML invalide")]);
}

#[test]
fn every_unknown_field_is_reported_at_its_key() {
    assert_errors(
        invalid!("unknown-fields"),
        &[
            (2, "titel", "champ inconnu «\u{a0}titel\u{a0}»"),
            (9, "questions[0].aide", "champ inconnu «\u{a0}aide\u{a0}»"),
            (
                16,
                "questions[0].choices[0].explication",
                "champ inconnu «\u{a0}explication\u{a0}»",
            ),
        ],
    );
}

#[test]
fn wrong_types_are_reported_once() {
    assert_errors(
        invalid!("types"),
        &[
            (
                2,
                "title",
                "un texte entre guillemets est attendu, pas un entier",
            ),
            (8, "questions[0].optional", "un booléen"),
            (13, "questions[0].choices[0].correct", "un booléen"),
        ],
    );
}

#[test]
fn missing_required_fields() {
    assert_errors(
        invalid!("missing"),
        &[
            (1, "mode", "champ obligatoire manquant\u{a0}: mode"),
            (
                3,
                "questions[0].text",
                "champ obligatoire manquant\u{a0}: text",
            ),
            (
                7,
                "questions[0].choices[0].id",
                "champ obligatoire manquant\u{a0}: id",
            ),
        ],
    );
}

#[test]
fn bad_and_duplicate_ids() {
    assert_errors(
        invalid!("ids"),
        &[
            (
                5,
                "questions[0].id",
                "identifiant «\u{a0}Question-1\u{a0}» invalide",
            ),
            (
                27,
                "questions[1].choices[1].id",
                "déjà utilisé par questions[1].choices[0]",
            ),
            (32, "questions[2].id", "déjà utilisé par questions[1]"),
        ],
    );
}

#[test]
fn malformed_questions() {
    assert_errors(
        invalid!("questions"),
        &[
            (8, "questions[0].choices", "la liste des choix est vide"),
            (13, "questions[1].max", "entre 1 et le nombre de choix (2)"),
            (
                30,
                "questions[2].max",
                "min (5) doit être inférieur à max (1)",
            ),
            (34, "questions[3].min_label", "champ obligatoire manquant"),
            (34, "questions[3].max_label", "champ obligatoire manquant"),
            (39, "questions[3].max", "12 crans\u{a0}: 11 au plus"),
            (
                42,
                "questions[3].choices",
                "une échelle (scale) n’a pas de choix",
            ),
            (
                48,
                "questions[4].kind",
                "type «\u{a0}echelle\u{a0}» inconnu",
            ),
        ],
    );
}

#[test]
fn unknown_unfed_and_reserved_dimensions() {
    assert_errors(
        invalid!("dimensions"),
        &[
            (
                12,
                "questions[0].choices[0].points.proprete",
                "la dimension «\u{a0}proprete\u{a0}» n’existe pas (dimensions connues\u{a0}: propriete, oubliee)",
            ),
            (
                23,
                "dimensions[1].id",
                "aucune question ne fait varier la dimension «\u{a0}oubliee\u{a0}»",
            ),
            (
                27,
                "dimensions[2].id",
                "«\u{a0}score\u{a0}» est un mot réservé",
            ),
        ],
    );
}

#[test]
fn dangling_chapter() {
    assert_errors(
        invalid!("chapters"),
        &[(
            3,
            "chapter",
            "le chapitre «\u{a0}02-porte.md\u{a0}» n’est pas dans SUMMARY.md",
        )],
    );
}

#[test]
fn profiles_are_tried_in_order_and_the_last_has_no_condition() {
    assert_errors(
        invalid!("profiles"),
        &[
            (
                23,
                "profiles[0].when",
                "seul le dernier profil peut être sans condition",
            ),
            (
                32,
                "profiles[1].when[0]",
                "le choix «\u{a0}non\u{a0}» de la question «\u{a0}site\u{a0}» sert dans une condition\u{a0}: \
                 donnez-lui un fact",
            ),
            (
                38,
                "profiles[2].when",
                "le dernier profil doit être sans condition",
            ),
        ],
    );
}

#[test]
fn recommendation_rules() {
    assert_errors(
        invalid!("recommendations"),
        &[
            (
                18,
                "questions[0].choices[1].exclusive",
                "exclusive ne s’applique qu’aux choix d’une question «\u{a0}multiple\u{a0}»",
            ),
            (
                40,
                "recommendations",
                "il faut au moins 3 recommandations toujours applicables",
            ),
            (
                48,
                "recommendations[0].after",
                "dépendances en cycle, aucune ne pourrait venir en premier\u{a0}: a → b → a",
            ),
            (
                48,
                "recommendations[0].after[1]",
                "recommandation inconnue «\u{a0}inconnue\u{a0}» (recommandations connues\u{a0}: a, b, c, d, e)",
            ),
            (
                48,
                "recommendations[0].after[2]",
                "«\u{a0}a\u{a0}» ne peut pas venir après elle-même",
            ),
            (
                49,
                "recommendations[0].when[0]",
                "la question «\u{a0}temps\u{a0}» sert dans une condition\u{a0}: donnez-lui un topic",
            ),
            (
                60,
                "recommendations[1].when[0]",
                "«\u{a0}or\u{a0}» relie deux conditions\u{a0}: il en manque une",
            ),
            (
                70,
                "recommendations[2].after[0]",
                "«\u{a0}c\u{a0}» vient après «\u{a0}e\u{a0}», mais sa variante «\u{a0}c\u{a0}» est pour «\u{a0}semaine\u{a0}»",
            ),
            (
                81,
                "recommendations[3].variants[0].when",
                "seule la dernière variante peut être sans condition",
            ),
            (
                86,
                "recommendations[3].variants[1].how",
                "champ obligatoire manquant\u{a0}: how (dans la variante ou dans sa recommandation)",
            ),
            (
                93,
                "recommendations[3].variants[2].when",
                "mêmes conditions que la variante «\u{a0}b2b\u{a0}»",
            ),
            (
                99,
                "recommendations[3].variants[3].when",
                "conditions contradictoires, jamais vraies ensemble\u{a0}: «\u{a0}d < 50\u{a0}» et «\u{a0}d > 60\u{a0}»",
            ),
        ],
    );
}

#[test]
fn knowledge_check_rules() {
    assert_errors(
        invalid!("knowledge"),
        &[
            (
                9,
                "questions[0].choices",
                "exactement une bonne réponse (correct = true), celle-ci en a 2",
            ),
            (
                15,
                "questions[0].choices[1].explanation",
                "champ obligatoire manquant",
            ),
            (
                19,
                "questions[0].choices[1].points",
                "ne compte pas de points",
            ),
            (26, "questions[1].choices", "au moins une bonne réponse"),
            (
                37,
                "questions[2].choices",
                "2 bonnes réponses alors qu’on ne peut cocher que 1",
            ),
            (51, "questions[3].kind", "n’admet pas d’échelle"),
            (58, "dimensions", "n’a pas de dimensions"),
        ],
    );
}

#[test]
fn self_assessment_rules() {
    assert_errors(
        invalid!("self-assessment"),
        &[
            (
                12,
                "questions[0].choices[0].correct",
                "pas de bonne réponse",
            ),
            (
                13,
                "questions[0].choices[0].explanation",
                "questionnaire «\u{a0}connaissances\u{a0}»",
            ),
            (
                31,
                "recommendations",
                "il faut au moins 3 recommandations toujours applicables",
            ),
            (
                37,
                "recommendations[0].priority",
                "priority = 101 hors de 0 à 100",
            ),
            (
                38,
                "recommendations[0].horizon",
                "horizon «\u{a0}annee\u{a0}» inconnu",
            ),
        ],
    );
}

#[test]
fn condition_errors() {
    assert_errors(
        invalid!("conditions"),
        &[
            (
                42,
                "recommendations",
                "il faut au moins 3 recommandations toujours applicables",
            ),
            (
                50,
                "recommendations[0].when[0]",
                "valeur manquante après «\u{a0}d <\u{a0}» (formes attendues",
            ),
            (
                50,
                "recommendations[0].when[1]",
                "opérateur «\u{a0}==\u{a0}» inconnu",
            ),
            (
                50,
                "recommendations[0].when[2]",
                "opérateur manquant après «\u{a0}activite\u{a0}»",
            ),
            (
                60,
                "recommendations[1].when[0]",
                "dimension inconnue «\u{a0}x\u{a0}»",
            ),
            (
                60,
                "recommendations[1].when[1]",
                "question inconnue «\u{a0}nulle\u{a0}»",
            ),
            (
                60,
                "recommendations[1].when[2]",
                "n’a pas de choix «\u{a0}artisan\u{a0}» (choix possibles\u{a0}: b2b, asso)",
            ),
            (
                60,
                "recommendations[1].when[3]",
                "«\u{a0}activite\u{a0}» est une question\u{a0}: écrivez «\u{a0}answer activite …\u{a0}»",
            ),
            (
                70,
                "recommendations[2].when[0]",
                "est à choix\u{a0}: seuls = et != s’appliquent",
            ),
            (
                70,
                "recommendations[2].when[1]",
                "échelle de 1 à 5\u{a0}: comparez-la à un nombre",
            ),
            (
                70,
                "recommendations[2].when[2]",
                "«\u{a0}=\u{a0}» ne s’applique pas à un score",
            ),
            (
                80,
                "recommendations[3].when[0]",
                "«\u{a0}d > 100\u{a0}» ne peut jamais être vraie",
            ),
            (
                80,
                "recommendations[3].when[1]",
                "«\u{a0}score < 0\u{a0}» ne peut jamais être vraie",
            ),
            (
                80,
                "recommendations[3].when[2]",
                "l’échelle «\u{a0}temps\u{a0}» va de 1 à 5",
            ),
            (
                80,
                "recommendations[3].when[3]",
                "«\u{a0}score >= 101\u{a0}» ne peut jamais être vraie",
            ),
            (
                90,
                "recommendations[4].when",
                "«\u{a0}d < 20\u{a0}» et «\u{a0}d > 60\u{a0}»",
            ),
            (
                90,
                "recommendations[4].when",
                "«\u{a0}answer activite = b2b\u{a0}» et «\u{a0}answer activite = asso\u{a0}»",
            ),
            (
                100,
                "recommendations[5].when",
                "«\u{a0}answer activite = b2b\u{a0}» et «\u{a0}answer activite != b2b\u{a0}»",
            ),
            (
                100,
                "recommendations[5].when",
                "«\u{a0}answer temps >= 3\u{a0}» et «\u{a0}answer temps <= 3\u{a0}» et «\u{a0}answer temps != 3\u{a0}»",
            ),
        ],
    );
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
