//! Quizzes inside the book: the site's form, the offline worksheet, the
//! print version and the PDF.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::or_skip;

use chezsoi::book::{self, BuildOptions, Built, Target};
use chezsoi::project::Project;
use chezsoi::quiz::{QuestionKind, Quiz};
use std::sync::Arc;
use support::FixtureProject;

fn build(fixture: &FixtureProject, target: Target) -> anyhow::Result<book::Built> {
    let project = Project::open(fixture.root())?;
    book::build(
        &project,
        &BuildOptions {
            target,
            ..BuildOptions::default()
        },
    )
}

fn read(out: &std::path::Path, page: &str) -> String {
    std::fs::read_to_string(out.join(page)).unwrap()
}

/// The book built once for `target`, its diagnostic and the chapter that
/// holds it.
fn diagnostic_chapter(target: Target) -> (&'static Built, Arc<Quiz>, String) {
    let built = &support::shared_book(target).built;
    let quiz = built.content.catalog.get("diagnostic").unwrap().clone();
    (built, quiz, read(&built.out, "05-action/diagnostic.html"))
}

#[test]
fn the_site_embeds_the_real_form_with_every_question() {
    let (built, quiz, html) = diagnostic_chapter(Target::Site);
    assert!(
        html.contains("<form class=\"chezsoi-quiz\" method=\"post\" action=\"/quiz/diagnostic\""),
        "no form"
    );
    assert!(html.contains(&format!("name=\"version\" value=\"{}\"", quiz.version)));
    for question in &quiz.questions {
        assert!(
            html.contains(&format!("name=\"q-{}\"", question.id)),
            "question {} missing",
            question.id
        );
        assert!(
            html.contains(&question.text.replace('\'', "&#x27;")) || html.contains(&question.text),
            "text of {} missing",
            question.id
        );
    }
    assert!(html.contains("<script src=\"/_app/quiz.js\"></script>"));
    // The paper version travels with it, for print only.
    assert!(html.contains("<div class=\"chezsoi-print-only\">"));
    let check = read(&built.out, "02-portee.html");
    assert!(check.contains("action=\"/quiz/verif-portee\""));
    let home = read(&built.out, "index.html");
    assert!(
        home.contains("<form class=\"chezsoi-join\" method=\"get\" action=\"a\">"),
        "no join form on the site's home"
    );
}

#[test]
fn the_offline_book_shows_worksheets_and_no_form() {
    let (built, quiz, html) = diagnostic_chapter(Target::Offline);
    assert!(
        !html.contains("class=\"chezsoi-quiz\""),
        "a form that cannot be sent offline"
    );
    assert!(html.contains("data-worksheet=\"diagnostic\""));
    assert!(
        html.contains("version en ligne du guide"),
        "no note about the interactive version"
    );
    assert!(
        !html.contains("chezsoi serve") && !html.contains("cargo "),
        "the offline worksheet speaks to developers"
    );
    assert!(html.contains("Barème\u{a0}: compter ses points"));
    for profile in &quiz.profiles {
        assert!(
            html.contains(&profile.label),
            "profile band {} missing",
            profile.id
        );
    }
    for rec in &quiz.recommendations {
        assert!(
            html.contains(&rec.title.replace('\'', "&#x27;")) || html.contains(&rec.title),
            "recommendation {} missing",
            rec.id
        );
        for variant in &rec.variants {
            assert!(
                html.contains(&variant.title.replace('\'', "&#x27;"))
                    || html.contains(&variant.title),
                "variant {}.{} missing",
                rec.id,
                variant.id
            );
            assert!(
                html.contains(&format!("href=\"../{}\"", variant.chapter.html_path())),
                "{}.{}: no chapter link",
                rec.id,
                variant.id
            );
        }
    }
    // Points per answer are printed next to each choice.
    let first_scored = quiz
        .questions
        .iter()
        .find(|q| q.choices.iter().any(|c| !c.points.is_empty()))
        .unwrap();
    let choice = first_scored
        .choices
        .iter()
        .find(|c| !c.points.is_empty())
        .unwrap();
    assert!(
        html.contains("chezsoi-points"),
        "no points next to {}",
        choice.id
    );

    // A knowledge check keeps its answer key at the end of the chapter.
    let chapter = read(&built.out, "02-portee.html");
    let sheet = chapter
        .find("data-worksheet=\"verif-portee\"")
        .expect("worksheet");
    let key = chapter
        .find("data-answer-key=\"verif-portee\"")
        .expect("answer key");
    let remember = chapter.rfind("À retenir").unwrap();
    assert!(
        key > sheet && key > remember,
        "the key must close the chapter, after the questions"
    );
    let verif = built.content.catalog.get("verif-portee").unwrap();
    for question in &verif.questions {
        for choice in question.choices.iter().filter(|c| c.correct) {
            let label = choice.label.replace('\'', "&#x27;");
            assert!(
                chapter[key..].contains(&label) || chapter[key..].contains(&choice.label),
                "right answer missing from the key"
            );
        }
    }
    let _ = QuestionKind::Single;
}

#[test]
fn print_html_has_a_cover_contents_and_every_worksheet() {
    let built = &support::shared_book(Target::Site).built;
    let print = read(&built.out, "print.html");
    let cover = print.find("chezsoi-cover").expect("cover");
    let toc = print.find("chezsoi-print-toc").expect("contents");
    assert!(cover < toc);
    for (path, title) in &built.content.chapter_titles {
        let _ = path;
        assert!(
            print.contains(&title.replace('\'', "&#x27;")) || print.contains(title.as_str()),
            "{title} missing from print.html"
        );
    }
    for quiz in built.content.catalog.iter() {
        assert!(
            print.contains(&format!("data-worksheet=\"{}\"", quiz.id)),
            "worksheet {} missing",
            quiz.id
        );
    }
    assert!(print.contains("Barème\u{a0}: compter ses points"));
}

#[test]
fn an_unknown_quiz_fails_the_build_with_path_and_line() {
    let fixture = FixtureProject::real();
    let chapter = fixture.path("book/02-portee.md");
    let mut text = std::fs::read_to_string(&chapter).unwrap();
    let line = text.lines().count() + 2;
    text.push_str("\n{{#quiz questionnaire-fantome}}\n");
    std::fs::write(&chapter, text).unwrap();
    let error = build(&fixture, Target::Offline).unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains(&format!("book/02-portee.md:{line}")),
        "{message}"
    );
    assert!(message.contains("questionnaire-fantome"), "{message}");
}

#[test]
fn an_escaped_directive_stays_literal() {
    let fixture = FixtureProject::real();
    let chapter = fixture.path("book/annexes/glossaire.md");
    let mut text = std::fs::read_to_string(&chapter).unwrap();
    text.push_str(
        "\nPour insérer un questionnaire, écrivez \\{{#quiz diagnostic}} sur sa ligne.\n",
    );
    std::fs::write(&chapter, text).unwrap();
    let built = build(&fixture, Target::Offline).unwrap();
    let html = read(&built.out, "annexes/glossaire.html");
    assert!(html.contains("écrivez {{#quiz diagnostic}} sur sa ligne"));
    assert!(!html.contains("data-worksheet=\"diagnostic\""));
}

#[test]
fn the_pdf_has_the_chapters_and_the_scoring_key() {
    or_skip!(support::chromium_or_skip(
        "the_pdf_has_the_chapters_and_the_scoring_key"
    ));
    let pdftotext = or_skip!(support::tool_or_skip(
        "the_pdf",
        "pdftotext",
        "poppler-utils"
    ));
    let pdfinfo = or_skip!(support::tool_or_skip("the_pdf", "pdfinfo", "poppler-utils"));
    let fixture = FixtureProject::real();
    let out = fixture.path("sortie");
    let stdout = support::succeeds(
        support::chezsoi()
            .args(["book", "build", "--pdf", "--root"])
            .arg(fixture.root())
            .arg("--out")
            .arg(&out),
    );
    assert!(
        stdout.contains("[2/2] Impression du PDF"),
        "no progress shown: {stdout}"
    );
    let pdf: PathBuf = out.join("chezsoi.pdf");
    assert!(pdf.is_file());

    let text = String::from_utf8(
        Command::new(pdftotext)
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for title in [
        "La perte de portée",
        "Les alternatives",
        "Glossaire",
        "Table des matières",
    ] {
        assert!(flat.contains(title), "« {title} » not found in the PDF");
    }
    assert!(
        flat.contains("Barème : compter ses points"),
        "no scoring key in the PDF"
    );
    assert!(flat.contains("Corrigé"), "no answer key in the PDF");

    let info = String::from_utf8(Command::new(pdfinfo).arg(&pdf).output().unwrap().stdout).unwrap();
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("pdfinfo gives a page count");
    assert!(
        (40..=400).contains(&pages),
        "implausible page count {pages}"
    );
}

/// The console messages Chromium logs while it opens `url`, and the page
/// it rendered.
fn console_of(chromium: &Path, url: &str) -> (Vec<String>, String) {
    let profile = tempfile::tempdir().unwrap();
    let output = chezsoi::book::pdf::headless_command(chromium, profile.path())
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(url)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (
        console,
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn the_offline_book_opens_from_disk_without_console_errors() {
    let chromium = or_skip!(support::chromium_or_skip(
        "the_offline_book_opens_from_disk_without_console_errors"
    ));
    // The probe first: a page that logs an error must be caught.
    let probe = tempfile::tempdir().unwrap();
    let faulty = probe.path().join("fautive.html");
    std::fs::write(
        &faulty,
        "<!DOCTYPE html><html lang=\"fr\"><title>x</title><script>console.error(\"sonde\"); undefinedFunction();</script></html>",
    )
    .unwrap();
    let (caught, _) = console_of(&chromium, &format!("file://{}", faulty.display()));
    assert!(
        caught.iter().any(|l| l.contains("sonde")),
        "the probe does not see console errors: {caught:?}"
    );

    let built = &support::shared_book(Target::Offline).built;
    for page in ["index.html", "02-portee.html", "05-action/diagnostic.html"] {
        let url = format!("file://{}", built.out.join(page).display());
        let (console, dom) = console_of(&chromium, &url);
        assert!(
            console.is_empty(),
            "{page}: console messages:\n{}",
            console.join("\n")
        );
        assert!(
            dom.contains("sidebar-scrollbox"),
            "{page}: the page did not render"
        );
        if page != "index.html" {
            assert!(
                dom.contains("data-worksheet="),
                "{page}: no worksheet shown"
            );
        }
    }
}
