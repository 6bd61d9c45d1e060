//! The SQLite store on real files.

use chezsoi::store::{Store, StoreError};

#[test]
fn creates_the_file_and_its_folder_and_applies_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sous/dossier/chezsoi.db");
    let store = Store::open(&path).unwrap();
    assert!(path.is_file());
    assert_eq!(
        store.schema_version().unwrap(),
        chezsoi::store::LATEST_VERSION
    );
    let journal: String = store
        .with_writer(|c| Ok(c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(journal, "wal");
}

#[test]
fn opening_twice_applies_migrations_without_harm() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chezsoi.db");
    let first = Store::open(&path).unwrap();
    first
        .with_writer(|c| {
            c.execute(
                "INSERT INTO results (token_hash, quiz_id, quiz_version, answers, outcome, created_hour)
                 VALUES (x'00', 'q', 'v', '{}', '{}', 0)",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    let version = first.schema_version().unwrap();
    drop(first);
    let second = Store::open(&path).unwrap();
    assert_eq!(second.schema_version().unwrap(), version);
    let count: i64 = second
        .with_writer(|c| Ok(c.query_row("SELECT count(*) FROM results", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(count, 1, "reopening must keep the data");
}

#[test]
fn refuses_a_file_that_is_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(
        &path,
        "Ceci est un fichier texte, pas une base SQLite.\n".repeat(100),
    )
    .unwrap();
    let error = Store::open(&path).unwrap_err();
    assert!(
        matches!(error, StoreError::NotADatabase { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("n'est pas une base de données SQLite"),
        "{message}"
    );
    assert!(message.contains("notes.db"), "{message}");
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("Ceci est"),
        "the file was modified"
    );
}

#[test]
fn a_folder_that_cannot_be_created_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("fichier");
    std::fs::write(&blocker, "").unwrap();
    let error = Store::open(&blocker.join("base.db")).unwrap_err();
    assert!(
        error.to_string().contains("impossible de créer le dossier"),
        "{error}"
    );
}

#[test]
fn no_column_can_hold_a_visitor_identifier() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("chezsoi.db")).unwrap();
    let columns = store.schema_columns().unwrap();
    assert!(!columns.is_empty());
    for (table, column) in columns {
        let lower = column.to_lowercase();
        for banned in [
            "ip",
            "addr",
            "agent",
            "referer",
            "referrer",
            "cookie",
            "fingerprint",
            "email",
            "name",
            "comment",
        ] {
            assert!(
                !lower.split('_').any(|part| part == banned),
                "{table}.{column} looks like it could hold personal data"
            );
        }
    }
}
