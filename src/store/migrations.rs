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
    // 3: the projector view's own key, stored as its SHA-256 only. It is
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
];

/// The schema version once every migration is applied.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }
}
