//! Anonymous quiz results.

use rusqlite::OptionalExtension;

use super::database::Store;
use super::error::Result;

/// Whose results to aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Participants {
    /// Everyone who took this quiz (its id), in a workshop or not.
    Quiz(String),
    /// The participants of this workshop (its id).
    Workshop(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResult {
    pub quiz_id: String,
    pub quiz_version: String,
    pub workshop_id: Option<i64>,
    pub answers_json: String,
    pub outcome_json: String,
    pub created_hour: i64,
}

/// Rounds a Unix time down to the hour.
pub fn round_to_hour(unix_seconds: i64) -> i64 {
    unix_seconds - unix_seconds.rem_euclid(3600)
}

impl Store {
    pub fn find_result(&self, token_hash: &[u8; 32]) -> Result<Option<StoredResult>> {
        self.with_reader(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT quiz_id, quiz_version, workshop_id, answers, outcome, created_hour
                     FROM results WHERE token_hash = ?1",
                )?
                .query_row([&token_hash[..]], |row| {
                    Ok(StoredResult {
                        quiz_id: row.get(0)?,
                        quiz_version: row.get(1)?,
                        workshop_id: row.get(2)?,
                        answers_json: row.get(3)?,
                        outcome_json: row.get(4)?,
                        created_hour: row.get(5)?,
                    })
                })
                .optional()?)
        })
    }

    /// Deletes a result; false if there was none.
    pub fn delete_result(&self, token_hash: &[u8; 32]) -> Result<bool> {
        self.with_writer(|conn| {
            let deleted = conn.execute(
                "DELETE FROM results WHERE token_hash = ?1",
                [&token_hash[..]],
            )?;
            Ok(deleted > 0)
        })
    }

    /// The answers and outcome (JSON) of each result of a quiz or a
    /// workshop, for aggregates only.
    pub fn participations(&self, who: Participants) -> Result<Vec<(String, String)>> {
        self.with_reader(|conn| {
            let (sql, key): (&str, &dyn rusqlite::ToSql) = match &who {
                Participants::Quiz(quiz_id) => (
                    "SELECT answers, outcome FROM results WHERE quiz_id = ?1",
                    quiz_id,
                ),
                Participants::Workshop(workshop_id) => (
                    "SELECT answers, outcome FROM results WHERE workshop_id = ?1",
                    workshop_id,
                ),
            };
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt.query_map([key], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    pub fn count_results(&self) -> Result<i64> {
        self.with_reader(|conn| {
            Ok(conn.query_row("SELECT count(*) FROM results", [], |row| row.get(0))?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::round_to_hour;

    #[test]
    fn rounds_down_to_the_hour() {
        assert_eq!(round_to_hour(7_199), 3_600);
        assert_eq!(round_to_hour(7_200), 7_200);
        assert_eq!(round_to_hour(0), 0);
    }
}
