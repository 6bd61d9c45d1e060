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
