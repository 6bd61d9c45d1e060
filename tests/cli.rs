//! The real binary, as a user runs it.

mod support;

use std::path::Path;
use std::process::Command;

use support::{FixtureProject, chezsoi, fails, succeeds};

fn serve(root: &Path, db: &Path, addr: &str) -> Command {
    support::serve_command(addr, root, db)
}

#[test]
fn help_lists_every_subcommand_in_french() {
    let help = succeeds(chezsoi().arg("--help"));
    for sub in ["serve", "book", "quiz", "db", "preprocess", "supports"] {
        assert!(
            help.contains(&format!("  {sub} ")),
            "--help does not list {sub}:\n{help}"
        );
    }
    assert!(help.contains("Utilisation"), "{help}");
    assert!(help.contains("Commandes"), "{help}");
    assert!(
        !help.contains("Print help"),
        "clap's English label leaked:\n{help}"
    );

    let variables = ["CHEZSOI_ADDR", "CHEZSOI_DB", "CHEZSOI_ROOT"];
    support::assert_help_shows(&["serve"], &variables);
}

#[test]
fn book_build_writes_the_html_where_asked() {
    let fixture = FixtureProject::new();
    let out = fixture.path("sortie");
    let stdout = succeeds(
        chezsoi()
            .args(["book", "build", "--root"])
            .arg(fixture.root())
            .arg("--out")
            .arg(&out),
    );
    assert!(out.join("index.html").is_file());
    assert!(stdout.contains("Livre construit"));
}

#[test]
fn errors_are_one_french_paragraph_without_panic() {
    let empty = tempfile::tempdir().unwrap();
    let stderr = fails(
        chezsoi()
            .args(["book", "build", "--root"])
            .arg(empty.path()),
    );
    assert!(stderr.starts_with("erreur\u{a0}: "), "{stderr}");
    assert!(stderr.contains("book.toml"), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("stack backtrace"),
        "{stderr}"
    );
}

#[test]
fn serve_reports_a_busy_port_and_a_bad_database_folder() {
    let fixture = FixtureProject::new();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let stderr = fails(&mut serve(
        fixture.root(),
        &fixture.path("data/t.db"),
        &addr,
    ));
    assert!(stderr.contains("déjà utilisée"), "{stderr}");
    assert!(stderr.contains("--addr"), "{stderr}");

    let blocker = fixture.path("un-fichier");
    std::fs::write(&blocker, "").unwrap();
    let stderr = fails(&mut serve(
        fixture.root(),
        &blocker.join("t.db"),
        "127.0.0.1:0",
    ));
    assert!(
        stderr.contains("impossible de créer le dossier"),
        "{stderr}"
    );
    assert!(stderr.contains("--db"), "{stderr}");
}

#[test]
fn speaks_the_mdbook_preprocessor_protocol() {
    // mdBook asks `<command> supports <renderer>`, and book.toml's command
    // is `… preprocess`: both spellings must answer yes, without reading
    // standard input.
    for question in [
        ["preprocess", "supports", "html"].as_slice(),
        &["supports", "html"],
    ] {
        succeeds(chezsoi().args(question).stdin(std::process::Stdio::null()));
    }

    let fixture = FixtureProject::new();
    let input = serde_json::json!([
        {
            "root": fixture.root(),
            "config": {
                "book": { "title": "Essai", "src": "src", "language": "fr" },
                "build": { "build-dir": "out" }
            },
            "renderer": "html",
            "mdbook_version": "0.4.52"
        },
        {
            "sections": [{ "Chapter": {
                "name": "Essai",
                "content": "# Essai\n\n```admonish tip title=\"À retenir\"\nUne idée.\n```\n\n\\{{#quiz diagnostic}}\n",
                "number": null, "sub_items": [], "path": "essai.md", "source_path": "essai.md", "parent_names": []
            }}],
            "__non_exhaustive": null
        }
    ]);
    let mut child = chezsoi()
        .arg("preprocess")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    serde_json::to_writer(child.stdin.take().unwrap(), &input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let book: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let content = book["sections"][0]["Chapter"]["content"].as_str().unwrap();
    assert!(content.contains("admonish-tip"), "{content}");
    assert!(content.contains("À retenir"), "{content}");
    assert!(
        content.contains("{{#quiz diagnostic}}") && !content.contains("\\{{#quiz"),
        "{content}"
    );
}

#[test]
fn a_stock_mdbook_build_runs_the_preprocessor_from_book_toml() {
    // mdBook's own build (the library behind the `mdbook` command), on the
    // real project, with book.toml's `[preprocessor.chezsoi]` pointed at
    // this binary: mdBook asks `… preprocess supports html`, then pipes the
    // real `[context, book]` through `… preprocess`.
    let fixture = FixtureProject::real();
    fixture.set_book_toml_line(
        "command = ",
        &format!("command = \"{} preprocess\"", env!("CARGO_BIN_EXE_chezsoi")),
    );
    let stock = mdbook::MDBook::load(fixture.root()).expect("mdBook reads book.toml");
    stock.build().expect("a stock mdBook build");
    let page = std::fs::read_to_string(fixture.path("target/book/02-portee.html")).unwrap();
    assert!(
        !page.contains("{{#quiz"),
        "the quiz directive was left as text"
    );
    assert!(
        page.contains("data-worksheet=\"verif-portee\""),
        "no worksheet for the chapter's quiz"
    );
    assert!(
        page.contains("class=\"admonition admonish-"),
        "callouts were not rendered"
    );
    assert!(
        !page.contains("language-admonish"),
        "a callout was left as a code block"
    );
}

#[test]
fn db_backup_copies_a_running_database() {
    let fixture = FixtureProject::real();
    let db = fixture.path("data/live.db");
    let quiz = fixture.quiz("diagnostic");
    let server = support::Server::start(fixture.root(), &db, &[]);
    for pick in 0..3 {
        let reply = server.post_form("/quiz/diagnostic", &support::valid_answers(&quiz, pick));
        assert_eq!(reply.status, 303);
    }
    let copy = fixture.path("sauvegarde.db");
    let backup = || {
        let mut command = chezsoi();
        command
            .args(["db", "backup"])
            .arg(&copy)
            .arg("--db")
            .arg(&db);
        command
    };
    let stdout = succeeds(&mut backup());
    assert!(
        stdout.contains("3 résultats") && stdout.contains("intégrité vérifiée"),
        "{stdout}"
    );
    let restored = chezsoi::store::Store::open(&copy).unwrap();
    assert_eq!(restored.count_results().unwrap(), 3);

    assert!(fails(&mut backup()).contains("existe déjà"));
    drop(server);
}

#[test]
fn serve_refuses_to_start_on_a_broken_quiz_and_names_the_place() {
    let fixture = FixtureProject::real();
    std::fs::write(
        fixture.path("quizzes/casse.toml"),
        "mode = \"connaissances\"\ntitle = \"Essai\"\ntitel = 3\n",
    )
    .unwrap();
    let stderr = fails(&mut serve(
        fixture.root(),
        &fixture.path("data/t.db"),
        "127.0.0.1:0",
    ));
    assert!(stderr.contains("quizzes/casse.toml:3:1: titel"), "{stderr}");
    assert!(
        !fixture.path("data/t.db").exists(),
        "nothing may be created before the quizzes are valid"
    );
}

#[test]
fn serve_stops_cleanly_on_sigterm() {
    let fixture = FixtureProject::new();
    let mut server = support::Server::start(fixture.root(), &fixture.path("data/t.db"), &[]);
    let reply = support::http(&server.addr(), "GET", "/", &[], b"").unwrap();
    assert_eq!(reply.status, 200);
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = server.child.wait().unwrap();
    assert!(
        exit.success(),
        "SIGTERM must end the server cleanly, got {exit}"
    );
    // The pipe closes with the process: read what it said until then.
    let said: Vec<String> = server.stdout.iter().collect();
    assert!(
        said.iter().any(|l| l.contains("arrêté proprement")),
        "{said:?}"
    );
}

#[test]
fn serve_builds_the_site_version_of_the_book() {
    let fixture = FixtureProject::real();
    let server = support::Server::start(fixture.root(), &fixture.path("data/t.db"), &[]);
    let page = support::http(
        &server.addr(),
        "GET",
        "/05-action/diagnostic.html",
        &[],
        b"",
    )
    .unwrap();
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("<form class=\"chezsoi-quiz\" method=\"post\" action=\"/quiz/diagnostic\""),
        "served book without the quiz form"
    );
    assert!(
        !html.contains("data-live-reload"),
        "live reload only with --watch"
    );
    let home = support::http(&server.addr(), "GET", "/", &[], b"")
        .unwrap()
        .text();
    assert!(
        home.contains("class=\"chezsoi-join\""),
        "the served home page has no join form"
    );
}

#[test]
fn serve_watch_rebuilds_reloads_and_keeps_the_pages_through_a_failed_rebuild() {
    let fixture = FixtureProject::real();
    let server = support::Server::start(fixture.root(), &fixture.path("data/t.db"), &["--watch"]);
    let addr = server.addr();
    let page = |path: &str| server.get(path).text();
    assert!(
        page("/02-portee.html").contains("data-live-reload=\"__chezsoi/reload\""),
        "--watch pages must listen for reloads"
    );
    let chapter = fixture.path("book/02-portee.md");
    let original = std::fs::read_to_string(&chapter).unwrap();
    let mut reloads = support::EventStream::open(&addr, "/__chezsoi/reload");

    // Reload events until the page shows `text` (an editor's save may
    // come in two writes, and so in two rebuilds).
    let mut reloaded_with = |text: &str| {
        for _ in 0..5 {
            assert_eq!(reloads.next_event(), "reload");
            if page("/02-portee.html").contains(text) {
                return;
            }
        }
        panic!("no reload brought « {text} »");
    };

    // An edit: the book is rebuilt, then open pages are told to reload.
    let edited = format!("{original}\nUne phrase ajoutée pendant l’aperçu.\n");
    std::fs::write(&chapter, &edited).unwrap();
    reloaded_with("Une phrase ajoutée pendant l’aperçu.");

    // A broken chapter: the rebuild fails and says why; the pages stay.
    std::fs::write(
        &chapter,
        format!("{edited}\n{{{{#quiz questionnaire-fantome}}}}\n"),
    )
    .unwrap();
    server.wait_stderr("questionnaire-fantome");
    let kept = page("/02-portee.html");
    assert!(
        kept.contains("Une phrase ajoutée pendant l’aperçu."),
        "the last good pages are served"
    );
    assert!(
        kept.contains("data-worksheet=\"verif-portee\"")
            || kept.contains("action=\"/quiz/verif-portee\"")
    );

    // Mended: rebuilt and reloaded again.
    std::fs::write(&chapter, format!("{original}\nUne autre phrase.\n")).unwrap();
    reloaded_with("Une autre phrase.");
    assert!(!page("/02-portee.html").contains("Une phrase ajoutée pendant l’aperçu."));
}

#[test]
fn serve_min_group_sets_the_statistics_threshold() {
    let fixture = FixtureProject::real();
    let quiz = fixture.quiz("diagnostic");
    let server = support::Server::start(
        fixture.root(),
        &fixture.path("data/t.db"),
        &["--min-group", "4"],
    );
    let stats = || server.get("/stats/diagnostic").text();
    let post = |pick: usize| {
        let reply = server.post_form("/quiz/diagnostic", &support::valid_answers(&quiz, pick));
        assert_eq!(reply.status, 303);
    };
    for pick in 0..3 {
        post(pick);
    }
    let three = stats();
    assert!(three.contains("Pas encore assez de réponses"), "{three}");
    // The page writes a number and what it counts with a no-break space.
    assert!(three.contains("à partir de 4\u{a0}réponses"), "{three}");
    post(3);
    let four = stats();
    assert!(four.contains("4\u{a0}réponses enregistrées"), "{four}");
    assert!(four.contains("Moyenne par dimension"), "{four}");
}

/// One privacy floor for every group figure: `serve --min-group` refuses
/// what a workshop refuses, and takes what a workshop takes.
#[test]
fn serve_min_group_has_the_workshops_floor() {
    let floor = chezsoi::aggregate::MIN_GROUP_FLOOR;
    assert_eq!(
        floor,
        *chezsoi::workshop::MIN_GROUP_RANGE.start(),
        "workshops and serve share the floor"
    );
    let below = (floor - 1).to_string();
    let stderr = support::fails(support::chezsoi().args([
        "serve",
        "--min-group",
        &below,
        "--root",
        "/nonexistent",
    ]));
    assert!(stderr.contains("--min-group"), "{stderr}");
    assert!(stderr.contains(&below), "{stderr}");
    let request = chezsoi::workshop::WorkshopRequest {
        title: "Atelier".into(),
        quiz_id: "diagnostic".into(),
        min_group: floor - 1,
    };
    assert_eq!(
        request.validate(|_| true).unwrap_err(),
        vec![chezsoi::workshop::RequestError::MinGroup],
        "a workshop refuses {below} as well"
    );
    let at_floor = floor.to_string();
    // At the floor, serve goes past the option check (and stops on the
    // missing project instead).
    let stderr = support::fails(support::chezsoi().args([
        "serve",
        "--min-group",
        &at_floor,
        "--root",
        "/nonexistent",
    ]));
    assert!(!stderr.contains("--min-group"), "{stderr}");
}
