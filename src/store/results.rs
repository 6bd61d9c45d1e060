//! Anonymous quiz results.

use std::collections::BTreeSet;

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
    /// The actions of its plan its owner ticked off, sorted.
    pub done_actions: Vec<String>,
    /// The SHA-256 of the token of the result this one follows, if its owner
    /// linked them when re-taking the quiz.
    pub previous_hash: Option<[u8; 32]>,
}

/// Longest chain of linked results read back (`Store::result_history`):
/// more than anyone re-takes a quiz, and a bound on the work of a page.
pub const HISTORY_MAX: usize = 24;

/// The stored list of done actions; anything that is not a JSON list of
/// strings counts as none.
pub(super) fn parse_done(json: &str) -> BTreeSet<String> {
    serde_json::from_str::<Vec<String>>(json)
        .map(|actions| actions.into_iter().collect())
        .unwrap_or_default()
}

const RESULT_COLUMNS: &str = "quiz_id, quiz_version, workshop_id, answers, outcome, created_hour, done_actions, previous_hash";

fn read_result(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredResult> {
    let previous: Option<Vec<u8>> = row.get(7)?;
    Ok(StoredResult {
        quiz_id: row.get(0)?,
        quiz_version: row.get(1)?,
        workshop_id: row.get(2)?,
        answers_json: row.get(3)?,
        outcome_json: row.get(4)?,
        created_hour: row.get(5)?,
        done_actions: parse_done(&row.get::<_, String>(6)?).into_iter().collect(),
        previous_hash: previous.and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok()),
    })
}

/// Rounds a Unix time down to the hour.
pub fn round_to_hour(unix_seconds: i64) -> i64 {
    unix_seconds - unix_seconds.rem_euclid(3600)
}

impl Store {
    pub fn find_result(&self, token_hash: &[u8; 32]) -> Result<Option<StoredResult>> {
        self.with_reader(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {RESULT_COLUMNS} FROM results WHERE token_hash = ?1"
                ))?
                .query_row([&token_hash[..]], read_result)
                .optional()?)
        })
    }

    /// The results a result follows, from the one it links to back to the
    /// first of the chain (at most `HISTORY_MAX`): only links its owner
    /// made, read from the newest one. Nothing leads from a result to those
    /// that follow it.
    pub fn result_history(&self, result: &StoredResult) -> Result<Vec<StoredResult>> {
        self.with_reader(|conn| {
            let mut history: Vec<StoredResult> = Vec::new();
            let mut next = result.previous_hash;
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {RESULT_COLUMNS} FROM results WHERE token_hash = ?1"
            ))?;
            while let Some(hash) = next {
                if history.len() >= HISTORY_MAX {
                    break;
                }
                let Some(previous) = statement.query_row([&hash[..]], read_result).optional()?
                else {
                    break;
                };
                next = previous.previous_hash;
                history.push(previous);
            }
            Ok(history)
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
