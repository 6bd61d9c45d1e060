//! Schema history. Append new migrations; never edit an applied one.

use rusqlite_migration::{M, Migrations};

/// Each entry is one migration; the schema version is their count.
const MIGRATIONS: &[&str] = &[
    // 1: anonymous results.
    "CREATE TABLE results (
            id            INTEGER PRIMARY KEY,
            -- SHA-256 of the random permalink token; the token itself is never stored.
            token_hash    BLOB    NOT NULL UNIQUE,
            quiz_id       TEXT    NOT NULL,
            quiz_version  TEXT    NOT NULL,
            workshop_id   INTEGER,
            answers       TEXT    NOT NULL,  -- JSON: question id -> choice ids or scale value
            outcome       TEXT    NOT NULL,  -- JSON: scores, profile, plan
            profile       TEXT,
            score         INTEGER,
            -- Unix time rounded down to the hour: enough for statistics, too
            -- coarse to link a result to a visit.
            created_hour  INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX results_quiz ON results (quiz_id, created_hour);
        CREATE INDEX results_workshop ON results (workshop_id) WHERE workshop_id IS NOT NULL;",
    // 2: workshops. Nothing about the facilitator: the secret key of the
    // facilitator link is stored as its SHA-256 only.
    "CREATE TABLE workshops (
            -- AUTOINCREMENT: a deleted workshop's id is never given again.
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            title         TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
            quiz_id       TEXT    NOT NULL,
            min_group     INTEGER NOT NULL CHECK (min_group BETWEEN 3 AND 1000),
            join_code     TEXT    NOT NULL,
            key_hash      BLOB    NOT NULL UNIQUE,
            -- Unix time rounded down to the hour, like results.
            created_hour  INTEGER NOT NULL,
            -- NULL while the workshop accepts answers.
            closed_hour   INTEGER,
            revealed      INTEGER NOT NULL DEFAULT 0 CHECK (revealed IN (0, 1))
        ) STRICT;
        -- A join code designates one open workshop; closed ones free theirs.
        CREATE UNIQUE INDEX workshops_open_join_code ON workshops (join_code) WHERE closed_hour IS NULL;
        CREATE INDEX workshops_created ON workshops (created_hour);
        -- results.workshop_id predates this table (no foreign key can be
        -- added in place): deleting a workshop deletes its results here.
        CREATE TRIGGER workshops_delete_results AFTER DELETE ON workshops
        BEGIN
            DELETE FROM results WHERE workshop_id = OLD.id;
        END;",
    // 3: results keyed by the hash of their random token, not by a
    // sequential id. A rowid table stores its rows in insertion order, and
    // within one workshop and one hour that order pairs rows with the people
    // a facilitator saw answer one after another. Without a rowid, rows are
    // kept in the order of a random key and nothing stored orders them finer
    // than the hour. Existing rows are copied in that order, and the old
    // table's pages are zeroed as they are freed (the writer runs with
    // `secure_delete`, see database.rs).
    "DROP TRIGGER workshops_delete_results;
        CREATE TABLE results_by_token (
            -- SHA-256 of the random permalink token: the key, and the only
            -- order the table has.
            token_hash    BLOB    NOT NULL PRIMARY KEY,
            quiz_id       TEXT    NOT NULL,
            quiz_version  TEXT    NOT NULL,
            workshop_id   INTEGER,
            answers       TEXT    NOT NULL,
            outcome       TEXT    NOT NULL,
            profile       TEXT,
            score         INTEGER,
            created_hour  INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        INSERT INTO results_by_token
            SELECT token_hash, quiz_id, quiz_version, workshop_id, answers, outcome, profile, score, created_hour
            FROM results ORDER BY token_hash;
        DROP TABLE results;
        ALTER TABLE results_by_token RENAME TO results;
        CREATE INDEX results_quiz ON results (quiz_id, created_hour);
        CREATE INDEX results_workshop ON results (workshop_id) WHERE workshop_id IS NOT NULL;
        CREATE TRIGGER workshops_delete_results AFTER DELETE ON workshops
        BEGIN
            DELETE FROM results WHERE workshop_id = OLD.id;
        END;",
    // 4: what the health check (`/sante`) writes to prove the database can
    // be written: one row, one number flipped by each check. Nothing about
    // anyone.
    "CREATE TABLE health (
            id    INTEGER PRIMARY KEY CHECK (id = 1),
            flip  INTEGER NOT NULL CHECK (flip IN (0, 1))
        ) STRICT;
        INSERT INTO health (id, flip) VALUES (1, 0);",
    // 5: the projector view's own key, stored as its SHA-256 only. It is
    // derived from the facilitator key (which only the facilitator holds),
    // so workshops created before have none until their management page is
    // opened again. And the server's random key that turns the one-time
    // nonce of a form into its result's token, so that the same form posted
    // twice finds the same result.
    "ALTER TABLE workshops ADD COLUMN projector_hash BLOB;
        CREATE TABLE server_keys (
            purpose  TEXT PRIMARY KEY,
            value    BLOB NOT NULL CHECK (length(value) = 32)
        ) STRICT;",
    // 6: coming back (issue #17). A result keeps the actions of its plan its
    // owner ticked off (a JSON list of action ids, no time), and — only when
    // its owner asked for it while re-taking the quiz — the key of the
    // result it follows: the previous token's SHA-256, never the token. The
    // link goes when either result is deleted (`ON DELETE SET NULL` for the
    // previous one; the row itself for the new one). A workshop may follow
    // another (a follow-up session), to compare the two groups' averages.
    // Nothing here orders results finer than the hour: the link orders two
    // results of one person, at their request.
    "ALTER TABLE results ADD COLUMN done_actions TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE results ADD COLUMN previous_hash BLOB
            REFERENCES results (token_hash) ON DELETE SET NULL;
        CREATE INDEX results_previous ON results (previous_hash) WHERE previous_hash IS NOT NULL;
        ALTER TABLE workshops ADD COLUMN follows INTEGER
            REFERENCES workshops (id) ON DELETE SET NULL;
        CREATE INDEX workshops_follows ON workshops (follows) WHERE follows IS NOT NULL;",
    // 7: what a workshop keeps past its expiry, for a follow-up months
    // later: its answers are erased, and if the group reached its minimum
    // size, the workshop stays with the group's size and means only
    // (`baseline`, JSON of `aggregate::Baseline`) from `archived_hour` until
    // it is purged in its turn (`workshop::BASELINE_DAYS`).
    "ALTER TABLE workshops ADD COLUMN archived_hour INTEGER;
        ALTER TABLE workshops ADD COLUMN baseline TEXT;",
    // 8: each workshop's number of results, kept by triggers in the very
    // statement that adds, removes or moves a result, so that the live
    // count read after each batch of answers is one row, not a count of
    // the workshop's results again (it grew with the room). A number, not
    // a list: it orders nothing.
    "ALTER TABLE workshops ADD COLUMN answer_count INTEGER NOT NULL DEFAULT 0;
        UPDATE workshops SET answer_count = (SELECT count(*) FROM results WHERE workshop_id = workshops.id);
        CREATE TRIGGER results_count_insert AFTER INSERT ON results
        WHEN NEW.workshop_id IS NOT NULL
        BEGIN
            UPDATE workshops SET answer_count = answer_count + 1 WHERE id = NEW.workshop_id;
        END;
        CREATE TRIGGER results_count_delete AFTER DELETE ON results
        WHEN OLD.workshop_id IS NOT NULL
        BEGIN
            UPDATE workshops SET answer_count = answer_count - 1 WHERE id = OLD.workshop_id;
        END;
        CREATE TRIGGER results_count_move AFTER UPDATE OF workshop_id ON results
        WHEN OLD.workshop_id IS NOT NEW.workshop_id
        BEGIN
            UPDATE workshops SET answer_count = answer_count - 1 WHERE id = OLD.workshop_id;
            UPDATE workshops SET answer_count = answer_count + 1 WHERE id = NEW.workshop_id;
        END;",
];

/// The schema version once every migration is applied.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }

    /// Each workshop's `answer_count` against a count of its results.
    fn counts(conn: &Connection) -> Vec<(i64, i64, i64)> {
        conn.prepare(
            "SELECT id, answer_count, (SELECT count(*) FROM results WHERE workshop_id = workshops.id)
             FROM workshops ORDER BY id",
        )
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    }

    #[test]
    fn each_workshop_keeps_the_number_of_its_results() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::migrations().to_version(&mut conn, 7).unwrap();
        let workshop =
            "INSERT INTO workshops (title, quiz_id, min_group, join_code, key_hash, created_hour)
                        VALUES ('Atelier', 'diagnostic', 3, ?1, CAST(?1 AS BLOB), 0)";
        let result = "INSERT INTO results (token_hash, quiz_id, quiz_version, workshop_id, answers, outcome, created_hour)
                      VALUES (?1, 'diagnostic', 'v', ?2, '{}', '{}', 0)";
        for code in ["AAAAAA", "BBBBBB", "CCCCCC"] {
            conn.execute(workshop, [code]).unwrap();
        }
        for (token, workshop_id) in [(1_u8, Some(1)), (2, Some(1)), (3, Some(2)), (4, None)] {
            conn.execute(result, rusqlite::params![[token; 32], workshop_id])
                .unwrap();
        }

        // The migration counts the results already there.
        super::migrations().to_latest(&mut conn).unwrap();
        assert_eq!(counts(&conn), [(1, 2, 2), (2, 1, 1), (3, 0, 0)]);

        // Then every way a result comes, goes or moves keeps the number.
        let changes = [
            "INSERT INTO results (token_hash, quiz_id, quiz_version, workshop_id, answers, outcome, created_hour)
             VALUES (x'05', 'diagnostic', 'v', 3, '{}', '{}', 0)",
            "DELETE FROM results WHERE token_hash = x'05'",
            "UPDATE results SET workshop_id = 3 WHERE workshop_id = 2",
            "UPDATE results SET workshop_id = 1 WHERE workshop_id IS NULL",
            "DELETE FROM workshops WHERE id = 1",
        ];
        for change in changes {
            conn.execute(change, []).unwrap();
            for (id, kept, counted) in counts(&conn) {
                assert_eq!(kept, counted, "workshop {id} after {change}");
            }
        }
        assert_eq!(counts(&conn), [(2, 0, 0), (3, 1, 1)]);
    }
}
