//! `chezsoi workshop new` and `chezsoi workshop purge`, as a facilitator or
//! an operator runs them: the real binary, a copy of the project, a temp
//! database.

mod support;

use chezsoi::store::Store;
use chezsoi::workshop::{FacilitatorKey, JOIN_CODE_ALPHABET};
use support::{FixtureProject, chezsoi, fails, succeeds};

/// The value printed after `label` on its own line.
fn printed<'a>(stdout: &'a str, label: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(label))
        .unwrap_or_else(|| panic!("no line « {label} » in:\n{stdout}"))
        .trim()
}

/// The `{id}/{key}` of the link printed after `label`, which starts with
/// `prefix`.
fn printed_link<'a>(stdout: &'a str, label: &str, prefix: &str) -> (&'a str, &'a str) {
    let link = printed(stdout, label);
    link.strip_prefix(prefix)
        .and_then(|rest| rest.split_once('/'))
        .unwrap_or_else(|| panic!("{link}"))
}

#[test]
fn workshop_new_prints_the_code_and_links_and_stores_only_the_key_hash() {
    let fixture = FixtureProject::real();
    let db = fixture.path("data/ateliers.db");
    let stdout = succeeds(
        chezsoi()
            .args([
                "workshop",
                "new",
                "--title",
                "Réseaux sociaux : reprendre la main",
                "--min-group",
                "4",
                "--root",
            ])
            .arg(fixture.root())
            .arg("--db")
            .arg(&db)
            .args(["--base-url", "https://atelier.example.org/"]),
    );
    assert!(
        stdout.contains("Atelier créé\u{a0}: «\u{a0}Réseaux sociaux : reprendre la main\u{a0}»"),
        "{stdout}"
    );

    let shown_code = printed(&stdout, "Code\u{a0}:");
    let code = shown_code.replace(' ', "");
    assert_eq!(code.len(), 6, "{shown_code}");
    assert!(
        code.bytes().all(|b| JOIN_CODE_ALPHABET.contains(&b)),
        "{code}"
    );
    assert_eq!(
        printed(&stdout, "Adresse de participation\u{a0}:"),
        format!("https://atelier.example.org/a/{code}")
    );
    let (id, key) = printed_link(
        &stdout,
        "Lien d’animation (secret, à ne pas projeter)\u{a0}:",
        "https://atelier.example.org/atelier/",
    );
    let key = FacilitatorKey::parse(key).expect("a 128-bit hex key");

    let store = Store::open(&db).unwrap();
    let workshop = store
        .find_workshop(id.parse().unwrap(), &key.hash())
        .unwrap()
        .expect("the workshop is in the database, found by its key's hash");
    assert_eq!(workshop.title, "Réseaux sociaux : reprendre la main");
    assert_eq!(workshop.quiz_id, "diagnostic");
    assert_eq!(workshop.min_group, 4);
    assert_eq!(workshop.join_code, code);
    assert!(workshop.is_open() && !workshop.revealed);
    assert_eq!(workshop.created_hour % 3600, 0, "rounded to the hour");
    let stored_key: Vec<u8> = store
        .with_writer(|c| Ok(c.query_row("SELECT key_hash FROM workshops", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(stored_key, key.hash(), "only the hash is stored");

    // The view to project: its own key, stored as its hash, not the private
    // one.
    let (projected_id, projector) = printed_link(
        &stdout,
        "Vue à projeter (ni fermeture, ni suppression, ni export)\u{a0}:",
        "https://atelier.example.org/projection/",
    );
    assert_eq!(projected_id, id);
    let projector = FacilitatorKey::parse(projector).expect("a 128-bit hex key");
    assert_ne!(projector, key);
    let projected = store
        .find_projected_workshop(id.parse().unwrap(), &projector.hash())
        .unwrap()
        .expect("found by the projector key's hash");
    assert_eq!(projected.id, workshop.id);
    assert_eq!(
        store.find_workshop(workshop.id, &projector.hash()).unwrap(),
        None,
        "the projector key is not the private key"
    );
}

#[test]
fn workshop_new_refuses_bad_input_in_french_and_stores_nothing() {
    let fixture = FixtureProject::real();
    let db = fixture.path("data/ateliers.db");
    for (args, message) in [
        (vec!["--title", "  "], "le titre est vide"),
        (
            vec!["--title", "Atelier", "--min-group", "2"],
            "entre 3 et 1000",
        ),
        (
            vec!["--title", "Atelier", "--quiz", "inconnu"],
            "aucun questionnaire",
        ),
        (
            vec!["--title", "Atelier", "--base-url", "atelier.example.org"],
            "http://",
        ),
    ] {
        let stderr = fails(
            chezsoi()
                .args(["workshop", "new"])
                .args(&args)
                .arg("--root")
                .arg(fixture.root())
                .arg("--db")
                .arg(&db),
        );
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    if db.exists() {
        assert_eq!(Store::open(&db).unwrap().count_workshops().unwrap(), 0);
    }
}

#[test]
fn workshop_purge_deletes_expired_workshops_and_their_results() {
    let fixture = FixtureProject::real();
    let db = fixture.path("data/ateliers.db");
    for title in ["Atelier ancien", "Atelier récent"] {
        succeeds(
            chezsoi()
                .args(["workshop", "new", "--title", title, "--root"])
                .arg(fixture.root())
                .arg("--db")
                .arg(&db),
        );
    }
    let store = Store::open(&db).unwrap();
    store
        .with_writer(|c| {
            // The old workshop is 40 days old and has two results.
            c.execute_batch(
                "UPDATE workshops SET created_hour = created_hour - 40 * 86400 WHERE title = 'Atelier ancien';
                 INSERT INTO results (token_hash, quiz_id, quiz_version, workshop_id, answers, outcome, created_hour)
                 SELECT randomblob(32), 'diagnostic', 'v', id, '{}', '{}', created_hour FROM workshops;
                 INSERT INTO results (token_hash, quiz_id, quiz_version, workshop_id, answers, outcome, created_hour)
                 SELECT randomblob(32), 'diagnostic', 'v', id, '{}', '{}', created_hour FROM workshops
                 WHERE title = 'Atelier ancien';",
            )?;
            Ok(())
        })
        .unwrap();
    drop(store);

    // 45 days keep both; 30 days (the default) drop the old one.
    let stdout = succeeds(
        chezsoi()
            .args(["workshop", "purge", "--retention-days", "45", "--db"])
            .arg(&db),
    );
    assert!(
        stdout.contains("Ateliers de plus de 45\u{a0}jours\u{a0}: 0."),
        "{stdout}"
    );
    let stdout = succeeds(chezsoi().args(["workshop", "purge", "--db"]).arg(&db));
    assert!(
        stdout.contains("Ateliers de plus de 30\u{a0}jours\u{a0}: 1. Réponses effacées\u{a0}: 2.")
            && stdout.contains("pendant 400\u{a0}jours\u{a0}: 0."),
        "{stdout}"
    );

    let store = Store::open(&db).unwrap();
    let titles: Vec<String> = store
        .with_writer(|c| {
            let mut stmt = c.prepare("SELECT title FROM workshops")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .unwrap();
    assert_eq!(titles, ["Atelier récent"]);
    assert_eq!(
        store.count_results().unwrap(),
        1,
        "the recent workshop's result stays"
    );

    // A retention of 0 days is refused.
    fails(
        chezsoi()
            .args(["workshop", "purge", "--retention-days", "0", "--db"])
            .arg(&db),
    );
}

#[test]
fn workshop_help_is_in_french_and_shows_the_settings() {
    let help = succeeds(chezsoi().args(["workshop", "--help"]));
    assert!(
        help.contains("  new ") && help.contains("  purge "),
        "{help}"
    );
    let new_options = [
        "--title",
        "--quiz",
        "--min-group",
        "--base-url",
        "--db",
        "--root",
        "CHEZSOI_BASE_URL",
    ];
    support::assert_help_shows(&["workshop", "new"], &new_options);
    let serve_options = ["--retention-days", "CHEZSOI_RETENTION_DAYS", "--base-url"];
    support::assert_help_shows(&["serve"], &serve_options);
    let purge = succeeds(chezsoi().args(["workshop", "purge", "--help"]));
    assert!(purge.contains("CHEZSOI_RETENTION_DAYS"), "{purge}");
    assert!(!purge.contains("Print help"), "{purge}");
}
