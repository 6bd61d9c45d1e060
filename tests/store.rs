//! The SQLite store on real files.

use std::sync::Arc;

use chezsoi::store::{Inserted, NewResult, Store, StoreError};

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
        message.contains("n’est pas une base de données SQLite"),
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

fn sample(n: usize) -> ([u8; 32], NewResult) {
    let mut hash = [0u8; 32];
    hash[..8].copy_from_slice(&(n as u64).to_le_bytes());
    let result = NewResult {
        quiz_id: "diagnostic".into(),
        quiz_version: "v1".into(),
        workshop_id: None,
        answers_json: format!("{{\"n\":{n}}}"),
        outcome_json: "{}".into(),
        profile: Some("transition".into()),
        score: Some((n % 101) as i64),
        created_hour: 3600,
        previous_hash: None,
    };
    (hash, result)
}

/// Starts one thread per result while the test holds the writer, waits
/// until every result is queued, then lets them go: the first thread to get
/// the writer commits the whole queue in one transaction. Returns what each
/// thread was told, in the order of `rows`.
fn insert_together(
    store: &Arc<Store>,
    rows: Vec<([u8; 32], NewResult)>,
) -> Vec<Result<Inserted, StoreError>> {
    let count = rows.len();
    let threads = store
        .with_writer(|_| {
            let threads: Vec<_> = rows
                .into_iter()
                .map(|(hash, result)| {
                    let store = store.clone();
                    std::thread::spawn(move || store.insert_result(&hash, &result))
                })
                .collect();
            // Each thread queues its row, then waits for the writer we hold.
            while store.pending_results() < count {
                std::thread::yield_now();
            }
            Ok(threads)
        })
        .unwrap();
    threads
        .into_iter()
        .map(|thread| thread.join().unwrap())
        .collect()
}

#[test]
fn concurrent_submissions_are_committed_together_by_group_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("chezsoi.db")).unwrap());
    let rows: Vec<_> = (0..16).map(sample).collect();
    let told = insert_together(&store, rows);
    for answer in &told {
        assert!(matches!(answer, Ok(Inserted::Stored { .. })), "{answer:?}");
    }
    assert_eq!(
        store.result_commits(),
        1,
        "sixteen results queued together are one transaction"
    );
    assert_eq!(store.count_results().unwrap(), 16);
    for n in 0..16 {
        let (hash, result) = sample(n);
        let stored = store
            .find_result(&hash)
            .unwrap()
            .expect("every acknowledged row is there");
        assert_eq!(stored.answers_json, result.answers_json);
    }
}

#[test]
fn a_failing_row_does_not_take_its_batch_down() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("chezsoi.db")).unwrap());
    // A row the database refuses: this test's trigger stands in for any
    // failure of one insert.
    store
        .with_writer(|c| {
            c.execute_batch(
                "CREATE TRIGGER refuse_one BEFORE INSERT ON results WHEN NEW.quiz_id = 'refusé'
                 BEGIN SELECT RAISE(ABORT, 'refusé par le test'); END;",
            )?;
            Ok(())
        })
        .unwrap();
    let commits = store.result_commits();
    // Five rows committed together; the third fails.
    let mut rows: Vec<_> = (2..7).map(sample).collect();
    rows[2].1.quiz_id = "refusé".into();
    let told = insert_together(&store, rows);
    assert_eq!(store.result_commits(), commits + 1, "one batch");
    for (index, answer) in told.iter().enumerate() {
        if index == 2 {
            assert!(
                matches!(answer, Err(StoreError::Commit(_))),
                "the failing row is refused: {answer:?}"
            );
        } else {
            assert!(
                matches!(answer, Ok(Inserted::Stored { .. })),
                "row {index}: {answer:?}"
            );
        }
    }
    assert_eq!(store.count_results().unwrap(), 4);
}

#[test]
fn a_token_already_stored_is_not_stored_twice() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("chezsoi.db")).unwrap());
    let (taken, first) = sample(1);
    assert!(matches!(
        store.insert_result(&taken, &first),
        Ok(Inserted::Stored { .. })
    ));
    // Later, and twice in one batch: the same token finds its row.
    let mut rows: Vec<_> = (2..7).map(sample).collect();
    rows[1].0 = taken;
    rows[3].0 = taken;
    let told = insert_together(&store, rows);
    for (index, answer) in told.iter().enumerate() {
        let expected = if index == 1 || index == 3 {
            matches!(answer, Ok(Inserted::AlreadyStored))
        } else {
            matches!(answer, Ok(Inserted::Stored { .. }))
        };
        assert!(expected, "row {index}: {answer:?}");
    }
    assert_eq!(store.count_results().unwrap(), 1 + 3);
    let (_, kept) = sample(1);
    assert_eq!(
        store.find_result(&taken).unwrap().unwrap().answers_json,
        kept.answers_json,
        "the first post keeps its row"
    );
    // A new token, posted twice in the same batch: one row.
    let (fresh, result) = sample(9);
    let told = insert_together(&store, vec![(fresh, result.clone()), (fresh, result)]);
    let stored = told
        .iter()
        .filter(|a| matches!(a, Ok(Inserted::Stored { .. })))
        .count();
    let again = told
        .iter()
        .filter(|a| matches!(a, Ok(Inserted::AlreadyStored)))
        .count();
    assert_eq!((stored, again), (1, 1), "{told:?}");
    assert_eq!(store.count_results().unwrap(), 5);
}

#[test]
fn online_backup_is_a_consistent_copy() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("chezsoi.db")).unwrap();
    for n in 0..20 {
        let (hash, result) = sample(n);
        store.insert_result(&hash, &result).unwrap();
    }
    let copy = dir.path().join("copie.db");
    store.backup_to(&copy).unwrap();
    let restored = Store::open(&copy).unwrap();
    assert_eq!(restored.count_results().unwrap(), 20);
    assert_eq!(restored.integrity_check().unwrap(), "ok");
    let (hash, result) = sample(7);
    assert_eq!(
        restored.find_result(&hash).unwrap().unwrap().answers_json,
        result.answers_json
    );
}
