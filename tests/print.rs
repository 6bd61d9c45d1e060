//! A result page prints as a one-page plan (headless Chromium's PDF).

mod support;

use chezsoi::scoring::{self, Outcome};
use support::{FixtureProject, Server, valid_answers};

#[test]
fn the_longest_plan_prints_on_one_page() {
    let Some(_) = support::chromium_or_skip("the_longest_plan_prints_on_one_page") else {
        return;
    };
    let Some(pdfinfo) = support::tool_or_skip(
        "the_longest_plan_prints_on_one_page",
        "pdfinfo",
        "poppler-utils",
    ) else {
        return;
    };
    let fixture = FixtureProject::real();
    let quiz = fixture.quiz("diagnostic");
    // The answers whose plan is longest: the hardest case for one page.
    let fields = (0..6)
        .map(|pick| valid_answers(&quiz, pick))
        .max_by_key(|fields| {
            match scoring::score(&quiz, &scoring::parse_form(&quiz, fields).unwrap()) {
                Outcome::SelfAssessment(outcome) => outcome.plan.len(),
                Outcome::Knowledge(_) => 0,
            }
        })
        .unwrap();

    let server = Server::start(fixture.root(), &fixture.path("data/t.db"), &[]);
    let reply = server.post_form("/quiz/diagnostic", &fields);
    assert_eq!(reply.status, 303);
    let url = format!("{}{}", server.base_url, reply.header("location").unwrap());

    let chromium = chezsoi::book::pdf::find_chromium().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let pdf = fixture.path("plan.pdf");
    let status = chezsoi::book::pdf::headless_command(&chromium, profile.path())
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(&url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success() && pdf.is_file());
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
        .map(str::trim);
    assert_eq!(
        pages,
        Some("1"),
        "the printed plan does not fit on one page"
    );
}
