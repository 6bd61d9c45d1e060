//! Building a book in-process: output location, callouts, safety of sources.

mod support;

use chezsoi::book::{self, BuildOptions};
use chezsoi::project::Project;
use support::FixtureProject;

fn build(fixture: &FixtureProject) -> anyhow::Result<std::path::PathBuf> {
    let project = Project::open(fixture.root())?;
    book::build(&project, &BuildOptions::default()).map(|built| built.out)
}

/// A page of the fixture book, built once for the tests that only read it.
fn page(path: &str) -> String {
    static BUILT: std::sync::OnceLock<(FixtureProject, std::path::PathBuf)> =
        std::sync::OnceLock::new();
    let (_, out) = BUILT.get_or_init(|| {
        let fixture = FixtureProject::new();
        let out = build(&fixture).expect("the fixture book builds");
        (fixture, out)
    });
    std::fs::read_to_string(out.join(path)).unwrap()
}

#[test]
fn builds_html_into_the_build_dir_and_never_into_the_sources() {
    let fixture = FixtureProject::new();
    let before = fixture.snapshot_sources();
    let out = build(&fixture).expect("the fixture book builds");

    assert_eq!(
        out,
        fixture.root().canonicalize().unwrap().join("target/book")
    );
    for page in [
        "index.html",
        "chapitre-1.html",
        "dossier/chapitre-2.html",
        "print.html",
        "searchindex.js",
        "toc.js",
    ] {
        assert!(out.join(page).is_file(), "{page} is missing from the build");
    }
    assert_eq!(
        before,
        fixture.snapshot_sources(),
        "sources changed during the build"
    );
    let stray: Vec<_> = fixture
        .snapshot_sources()
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "html"))
        .collect();
    assert!(stray.is_empty(), "HTML written into the sources: {stray:?}");
}

#[test]
fn pages_are_french_and_callouts_keep_their_french_title() {
    let chapter = page("chapitre-1.html");

    assert!(
        chapter.contains("<html lang=\"fr\""),
        "page language is not French"
    );
    assert!(
        chapter.contains("class=\"admonition admonish-warning\""),
        "the callout was not rendered"
    );
    assert!(
        chapter.contains("<p>Attention</p>"),
        "the callout lost its French title"
    );
    assert!(
        !chapter.contains("```admonish"),
        "raw admonish fence left in the page"
    );
    for label in [
        "Chercher dans le livre",
        "Chapitre précédent",
        "Chapitre suivant",
        "Changer de thème",
        "Imprimer le livre",
    ] {
        assert!(
            chapter.contains(label),
            "interface label « {label} » missing"
        );
    }
    let intro = page("index.html");
    assert!(intro.contains("<p>À retenir</p>"));
}

#[test]
fn pages_have_no_inline_script_and_no_third_party_origin() {
    for name in ["index.html", "chapitre-1.html", "print.html", "toc.html"] {
        let html = page(name);
        for (i, _) in html.match_indices("<script") {
            let tag_end = html[i..].find('>').unwrap() + i;
            let tag = &html[i..tag_end];
            assert!(
                tag.contains("src=") || tag.contains("application/json"),
                "{name}: inline script {tag}"
            );
        }
        for attr in [
            "src=\"http",
            "href=\"http",
            "src=\"//",
            "href=\"//",
            "url(http",
        ] {
            assert!(
                !html.contains(attr),
                "{name} loads something from another origin ({attr})"
            );
        }
    }
}

#[test]
fn search_index_covers_the_chapters() {
    let index = page("searchindex.js");
    assert!(
        index.contains("diffusion"),
        "a word of chapter 2 is not indexed"
    );
}

#[test]
fn quiz_directive_in_code_is_left_alone() {
    let html = page("dossier/chapitre-2.html");
    assert!(html.contains("{{#quiz littéral-dans-du-code}}"));
}

#[test]
fn refuses_a_build_dir_that_would_delete_the_chapters() {
    for unsafe_dir in ["\"book\"", "\".\"", "\"book/html\"", "\"./book/../book\""] {
        let fixture = FixtureProject::new();
        fixture.set_book_toml_line("build-dir", &format!("build-dir = {unsafe_dir}"));
        let before = fixture.snapshot_sources();
        let error = build(&fixture).expect_err("an unsafe build dir must be refused");
        let message = format!("{error:#}");
        assert!(
            message.contains("dossier de construction refusé"),
            "{unsafe_dir}: {message}"
        );
        assert!(
            message.contains("effacerait les chapitres"),
            "{unsafe_dir}: {message}"
        );
        assert_eq!(
            before,
            fixture.snapshot_sources(),
            "{unsafe_dir}: the sources were touched"
        );
    }
}

#[test]
fn refuses_an_out_folder_inside_the_sources() {
    let fixture = FixtureProject::new();
    let project = Project::open(fixture.root()).unwrap();
    let options = BuildOptions {
        out: Some(fixture.path("book/sortie")),
        ..BuildOptions::default()
    };
    let error = book::build(&project, &options).unwrap_err();
    assert!(format!("{error:#}").contains("dossier de construction refusé"));
    assert!(fixture.path("book/SUMMARY.md").is_file());
}

#[test]
fn a_missing_chapter_is_a_french_error_naming_the_summary() {
    let fixture = FixtureProject::new();
    std::fs::remove_file(fixture.path("book/chapitre-1.md")).unwrap();
    let error = build(&fixture).unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("SUMMARY.md"), "{message}");
    assert!(message.contains("chapitre-1.md"), "{message}");
    assert!(
        !fixture.path("book/chapitre-1.md").exists(),
        "the missing chapter must not be created"
    );
}

#[test]
fn a_missing_book_toml_is_a_french_error() {
    let dir = tempfile::tempdir().unwrap();
    let error = Project::open(dir.path()).unwrap_err();
    assert!(format!("{error:#}").contains("aucun fichier book.toml"));
}

#[test]
fn an_unreadable_book_toml_names_the_file() {
    let fixture = FixtureProject::new();
    std::fs::write(fixture.path("book.toml"), "[book\ntitle = ").unwrap();
    let error = build(&fixture).unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("book.toml"), "{message}");
    assert!(
        message.contains("impossible de lire la configuration"),
        "{message}"
    );
}
