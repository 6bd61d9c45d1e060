//! Safe to put on the open internet, through the router in-process: a
//! health check that is never cached and fails when the database cannot be
//! written, private pages kept out of caches, stored results that reveal no
//! order, and messages that say what happened.

#[path = "support/router.rs"]
mod router;
mod support;

use axum::http::{StatusCode, header};
use chezsoi::store::{Store, migrations};
use router::App;

/// Another program holds a write transaction on `app`'s database.
fn lock_database(app: &App) -> rusqlite::Connection {
    let other = rusqlite::Connection::open(app.data.path().join("test.db")).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    other
}

#[tokio::test]
async fn the_health_check_is_never_cached_and_fails_when_nothing_can_be_written() {
    let app = App::new();
    let ok = app.get("/sante").await;
    assert_eq!((ok.status, ok.body.as_str()), (StatusCode::OK, "ok"));
    assert_eq!(ok.header(header::CACHE_CONTROL), Some("no-store"));

    let other = lock_database(&app);
    let locked = app.get("/sante").await;
    assert_eq!(
        locked.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        locked.body
    );
    assert!(locked.is_html());
    assert!(
        locked.body.contains("ne peut pas enregistrer de résultats"),
        "{}",
        locked.body
    );
    assert_eq!(locked.header(header::CACHE_CONTROL), Some("no-store"));
    assert!(locked.header(header::CONTENT_SECURITY_POLICY).is_some());

    other.execute_batch("ROLLBACK").unwrap();
    assert_eq!(app.get("/sante").await.status, StatusCode::OK);
}

#[tokio::test]
async fn private_pages_are_never_stored_and_a_deletion_clears_what_the_browser_kept() {
    let app = App::new();
    let result = app.take_quiz("diagnostic", 0).await;
    let workshop = app.workshop("Atelier privé").await;
    for uri in [
        result.clone(),
        format!("{result}/reponses.json"),
        workshop.projection(""),
        workshop.path("/gestion"),
    ] {
        let reply = app.get_expecting(&uri, StatusCode::OK).await;
        assert_eq!(
            reply.header(header::CACHE_CONTROL),
            Some("no-store"),
            "{uri}"
        );
    }

    let deleted = app
        .post_form(&format!("{result}/supprimer"), "confirmation=oui")
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert_eq!(deleted.header(header::CACHE_CONTROL), Some("no-store"));
    assert_eq!(deleted.header("clear-site-data"), Some("\"cache\""));
    // The confirmation loads what clears the back/forward cache once the
    // result page has entered it (tests/browser.rs sees it work).
    assert!(
        deleted.body.contains("href=\"/_app/oubli.css\""),
        "{}",
        deleted.body
    );
    let forget = app.get("/_app/oubli.css").await;
    assert_eq!(forget.status, StatusCode::OK);
    assert_eq!(forget.header("clear-site-data"), Some("\"cache\""));
    assert_eq!(forget.header(header::CACHE_CONTROL), Some("no-store"));
    let gone = app.get(&result).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    let deleted = app
        .post_form(&workshop.path("/supprimer"), "confirmation=oui")
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert_eq!(deleted.header("clear-site-data"), Some("\"cache\""));
    assert!(deleted.body.contains("href=\"/_app/oubli.css\""));
}

/// Exactly what the README says is stored for a result.
const RESULT_COLUMNS: [&str; 11] = [
    "token_hash",
    "quiz_id",
    "quiz_version",
    "workshop_id",
    "answers",
    "outcome",
    "profile",
    "score",
    "created_hour",
    "done_actions",
    "previous_hash",
];

fn result_columns(store: &Store) -> Vec<String> {
    store
        .schema_columns()
        .unwrap()
        .into_iter()
        .filter(|(table, _)| table == "results")
        .map(|(_, column)| column)
        .collect()
}

/// The rows of the results table in the order SQLite keeps them, and
/// whether a rowid (an insertion order) can be read.
fn stored_order(path: &std::path::Path) -> (Vec<Vec<u8>>, bool) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let rows = conn
        .prepare("SELECT token_hash FROM results")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<Vec<Vec<u8>>>>()
        .unwrap();
    let has_rowid = conn.prepare("SELECT rowid FROM results").is_ok();
    (rows, has_rowid)
}

#[tokio::test]
async fn results_created_one_after_another_cannot_be_put_back_in_order() {
    let app = App::new();
    for pick in 0..12 {
        app.take_quiz("diagnostic", pick).await;
    }
    assert_eq!(result_columns(&app.store), RESULT_COLUMNS);
    let (rows, has_rowid) = stored_order(&app.data.path().join("test.db"));
    assert!(!has_rowid, "a rowid keeps the insertion order");
    assert_eq!(rows.len(), 12);
    let mut by_key = rows.clone();
    by_key.sort();
    assert_eq!(
        rows, by_key,
        "rows are kept in the order of their random key"
    );
    // Every row of the same hour: the hour is the finest order stored.
    let hours = app.count("SELECT count(DISTINCT created_hour) FROM results");
    assert!(hours <= 2, "{hours}");
}

#[test]
fn an_old_database_loses_its_insertion_order_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    // A database as version 2 left it: results with consecutive ids.
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    migrations().to_version(&mut conn, 2).unwrap();
    let markers: Vec<String> = (0..40).map(|n| format!("marqueur-{n:04}-ordre")).collect();
    for (n, marker) in markers.iter().enumerate() {
        let hash: [u8; 32] = rand::random();
        conn.execute(
            "INSERT INTO results (id, token_hash, quiz_id, quiz_version, answers, outcome, created_hour)
             VALUES (?1, ?2, 'diagnostic', '1', ?3, '{}', 0)",
            rusqlite::params![n as i64 + 1, &hash[..], format!("{{\"m\":\"{marker}\"}}")],
        )
        .unwrap();
    }
    drop(conn);

    let store = Store::open(&path).unwrap();
    assert_eq!(store.count_results().unwrap(), 40, "no result is lost");
    assert_eq!(result_columns(&store), RESULT_COLUMNS);
    assert_eq!(store.check_integrity().unwrap(), ());
    drop(store);
    let (rows, has_rowid) = stored_order(&path);
    assert!(!has_rowid);
    let mut by_key = rows.clone();
    by_key.sort();
    assert_eq!(rows, by_key);
    // The old table's pages were zeroed: each answer is in the file once,
    // in its new place only.
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("old.db-wal")) {
        bytes.extend(wal);
    }
    for marker in &markers {
        let copies = bytes
            .windows(marker.len())
            .filter(|w| *w == marker.as_bytes())
            .count();
        assert_eq!(copies, 1, "{marker} is in the file {copies} times");
    }
}

#[tokio::test]
async fn messages_say_what_happened() {
    let app = App::new();

    // An empty submission is no form of an older version.
    let empty = app.post_form("/quiz/diagnostic", "").await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{}", empty.body);
    assert!(empty.body.contains("Envoi incomplet"), "{}", empty.body);
    assert!(!empty.body.contains("modifié"), "{}", empty.body);
    assert_eq!(app.results(), 0);

    // A NUL in an address does not name another quiz.
    let nul = app.get("/quiz/diag%00nostic").await;
    assert_eq!(nul.status, StatusCode::NOT_FOUND);
    assert!(
        !nul.body.contains("«\u{a0}diagnostic\u{a0}»"),
        "{}",
        nul.body
    );
    assert!(nul.body.contains("diag\u{fffd}nostic"), "{}", nul.body);

    // A deletion that fails does not say that nothing was stored.
    let result = app.take_quiz("diagnostic", 0).await;
    let other = rusqlite::Connection::open(app.data.path().join("test.db")).unwrap();
    other
        .execute_batch(
            "CREATE TRIGGER full_disk BEFORE DELETE ON results
             BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END;",
        )
        .unwrap();
    let failed = app
        .post_form(&format!("{result}/supprimer"), "confirmation=oui")
        .await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        !failed.body.contains("Rien n’a été enregistré"),
        "{}",
        failed.body
    );
    assert!(
        failed.body.contains("n’a peut-être pas abouti"),
        "{}",
        failed.body
    );
    assert_eq!(app.results(), 1, "the result is still there");
}
