//! What prints, through headless Chromium's PDF (as a reader's « Imprimer »
//! would): a result on at most two pages, a workshop's group results on at
//! most four.

mod support;

use chezsoi::scoring::{self, Outcome};
use support::{FixtureProject, Server, valid_answers};

/// The number of pages Chromium prints `url` on, or None when Chromium or
/// pdfinfo is missing (a visible "skipped"; a failure under CI=true).
fn printed_pages(test: &str, fixture: &FixtureProject, url: &str) -> Option<usize> {
    support::chromium_or_skip(test)?;
    let pdfinfo = support::tool_or_skip(test, "pdfinfo", "poppler-utils")?;
    let chromium = chezsoi::book::pdf::find_chromium().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let pdf = fixture.path("printed.pdf");
    let _ = std::fs::remove_file(&pdf);
    let status = chezsoi::book::pdf::headless_command(&chromium, profile.path())
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success() && pdf.is_file(), "{url} did not print");
    let info = String::from_utf8(
        std::process::Command::new(pdfinfo)
            .arg(&pdf)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|p| p.trim().parse().ok())
        .expect("pdfinfo gives the number of pages");
    Some(pages)
}

/// Pages of the printed result of `quiz` for the `pick`-th valid answers.
fn printed_result(test: &str, quiz: &str, pick: usize) -> Option<usize> {
    let fixture = FixtureProject::real();
    let quiz = fixture.quiz(quiz);
    let server = Server::start(fixture.root(), &fixture.path("data/t.db"), &[]);
    let result = server.answer(&format!("/quiz/{}", quiz.id), &quiz, pick);
    printed_pages(test, &fixture, &format!("{}{result}", server.base_url))
}

#[test]
fn the_longest_plan_prints_on_two_pages_at_most() {
    let quiz = FixtureProject::real().quiz("diagnostic");
    // The answers whose plan is longest: the hardest case.
    let pick = (0..6)
        .max_by_key(|pick| {
            let fields = valid_answers(&quiz, *pick);
            match scoring::score(&quiz, &scoring::parse_form(&quiz, &fields).unwrap()) {
                Outcome::SelfAssessment(outcome) => outcome.plan.len(),
                Outcome::Knowledge(_) => 0,
            }
        })
        .unwrap();
    let test = "the_longest_plan_prints_on_two_pages_at_most";
    if let Some(pages) = printed_result(test, "diagnostic", pick) {
        assert!(pages <= 2, "the printed plan runs to {pages} pages");
    }
}

#[test]
fn a_comprehension_check_prints_on_two_pages_at_most() {
    let test = "a_comprehension_check_prints_on_two_pages_at_most";
    // Different answers, different corrections: each prints short.
    for pick in 0..4 {
        if let Some(pages) = printed_result(test, "verif-portee", pick) {
            assert!(
                pages <= 2,
                "answers {pick}: the corrections run to {pages} pages"
            );
        }
    }
}

#[test]
fn group_results_print_on_four_pages_at_most() {
    let fixture = FixtureProject::real();
    let quiz = fixture.quiz("diagnostic");
    let server = Server::start(fixture.root(), &fixture.path("data/t.db"), &[]);
    let (base, code, _) = server.create_workshop("Atelier imprimé", "diagnostic", 3);
    // Varied answers: every chart has several bars.
    for pick in 0..6 {
        server.answer(&format!("/a/{code}"), &quiz, pick);
    }
    server.reveal(&base);
    let test = "group_results_print_on_four_pages_at_most";
    let url = format!("{}{base}", server.base_url);
    if let Some(pages) = printed_pages(test, &fixture, &url) {
        assert!(pages <= 4, "the printed group results run to {pages} pages");
    }
}
