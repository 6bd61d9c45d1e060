//! Workshops in the SQLite store: join codes unique among open workshops,
//! results that cannot outlive their workshop, reveal gated by the minimum.

use chezsoi::store::{Inserted, NewResult, NewWorkshop, Store, WorkshopReveal};

/// A new store in a temp folder, removed with the folder.
fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db")).unwrap();
    (dir, store)
}

/// Creates a workshop (key hash `[key; 32]`) that must get `code`.
fn with_code(store: &Store, key: u8, code: &str) -> chezsoi::store::Workshop {
    store
        .create_workshop(&new_workshop(key), 1, || code.into())
        .unwrap()
}

fn new_workshop(key: u8) -> NewWorkshop {
    NewWorkshop {
        title: "Atelier".into(),
        quiz_id: "diagnostic".into(),
        min_group: 3,
        key_hash: [key; 32],
        projector_hash: [key.wrapping_add(128); 32],
        created_hour: 7200,
        follows: None,
    }
}

fn result() -> NewResult {
    in_workshop(None)
}

fn in_workshop(workshop_id: Option<i64>) -> NewResult {
    NewResult {
        quiz_id: "diagnostic".into(),
        quiz_version: "v".into(),
        workshop_id,
        answers_json: "{}".into(),
        outcome_json: "{}".into(),
        profile: None,
        score: None,
        created_hour: 7200,
        previous_hash: None,
    }
}

#[test]
fn a_join_code_taken_by_an_open_workshop_is_drawn_again() {
    let (_dir, store) = store();
    let first = with_code(&store, 1, "ACDEFG");
    assert_eq!(first.join_code, "ACDEFG");

    let mut drawn = vec!["ACDEFG", "ACDEFG", "HJKMNP"].into_iter();
    let second = store
        .create_workshop(&new_workshop(2), 5, || drawn.next().unwrap().into())
        .unwrap();
    assert_eq!(second.join_code, "HJKMNP", "collisions are retried");

    let error = store
        .create_workshop(&new_workshop(3), 3, || "ACDEFG".into())
        .unwrap_err();
    assert!(
        error.to_string().contains("code d’atelier libre"),
        "{error}"
    );

    // Closing a workshop frees its code; the open one wins a lookup.
    assert!(store.close_workshop(first.id, 10_800).unwrap());
    let third = with_code(&store, 4, "ACDEFG");
    assert_eq!(
        store.find_workshop_by_code("ACDEFG").unwrap().unwrap().id,
        third.id
    );
    assert!(store.close_workshop(third.id, 10_800).unwrap());
    assert_eq!(
        store.find_workshop_by_code("ACDEFG").unwrap().unwrap().id,
        third.id,
        "then the latest closed one"
    );
    assert_eq!(store.find_workshop_by_code("ZZZZZZ").unwrap(), None);
}

#[test]
fn results_go_with_their_workshop_and_never_into_a_closed_one() {
    let (_dir, store) = store();
    let workshop = with_code(&store, 1, "ACDEFG");
    assert_eq!(
        store.insert_result(&[9; 32], &result()).unwrap(),
        Inserted::Stored {
            workshop_answers: None
        }
    );
    let mine = in_workshop(Some(workshop.id));
    for n in 0..2u8 {
        let stored = store.insert_result(&[n; 32], &mine).unwrap();
        assert_eq!(
            stored,
            Inserted::Stored {
                workshop_answers: Some(usize::from(n) + 1)
            },
            "each result tells its workshop's new count"
        );
    }
    assert_eq!(
        store.reveal_workshop(workshop.id).unwrap(),
        WorkshopReveal::TooFew { needed: 1 }
    );
    assert_eq!(
        store
            .insert_result(&[7; 32], &in_workshop(Some(workshop.id + 1)))
            .unwrap(),
        Inserted::WorkshopMissing
    );
    store.insert_result(&[3; 32], &mine).unwrap();
    assert_eq!(
        store.reveal_workshop(workshop.id).unwrap(),
        WorkshopReveal::Revealed
    );
    store.close_workshop(workshop.id, 10_800).unwrap();
    assert_eq!(
        store.insert_result(&[4; 32], &mine).unwrap(),
        Inserted::WorkshopClosed
    );
    assert_eq!(store.count_workshop_results(workshop.id).unwrap(), 3);

    // Deleting the row, even by hand, takes its results with it.
    store
        .with_writer(|c| {
            c.execute("DELETE FROM workshops WHERE id = ?1", [workshop.id])?;
            Ok(())
        })
        .unwrap();
    assert_eq!(
        store.count_results().unwrap(),
        1,
        "only the result outside it"
    );
    assert_eq!(store.delete_workshop(workshop.id).unwrap(), None);
}

#[test]
fn the_schema_refuses_out_of_range_settings() {
    let (_dir, store) = store();
    for (min_group, title) in [
        (2, "Atelier"),
        (1001, "Atelier"),
        (5, ""),
        (5, &"x".repeat(121)[..]),
    ] {
        let mut workshop = new_workshop(1);
        workshop.min_group = min_group;
        workshop.title = title.into();
        assert!(
            store
                .create_workshop(&workshop, 1, || "ACDEFG".into())
                .is_err(),
            "{min_group} {title}"
        );
    }
    assert_eq!(store.count_workshops().unwrap(), 0);
}
