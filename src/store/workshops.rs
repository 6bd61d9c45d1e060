//! Workshops and the results given in them.

use rusqlite::{ErrorCode, OptionalExtension, TransactionBehavior, params};

use super::commit::count_results;
use super::database::Store;
use super::error::{Result, StoreError};

/// What is stored when a workshop is created — and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWorkshop {
    pub title: String,
    pub quiz_id: String,
    pub min_group: u32,
    /// SHA-256 of the facilitator key.
    pub key_hash: [u8; 32],
    /// SHA-256 of the projector key.
    pub projector_hash: [u8; 32],
    /// Unix time rounded down to the hour.
    pub created_hour: i64,
    /// The workshop this one is the follow-up of, if any.
    pub follows: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workshop {
    pub id: i64,
    pub title: String,
    pub quiz_id: String,
    pub min_group: u32,
    pub join_code: String,
    pub created_hour: i64,
    /// The hour it stopped accepting answers, if it did.
    pub closed_hour: Option<i64>,
    /// Whether the facilitator revealed the group's results.
    pub revealed: bool,
    /// The workshop this one is the follow-up of, while it exists.
    pub follows: Option<i64>,
    /// The hour its answers were erased at expiry, if they were; it then
    /// keeps only `baseline`.
    pub archived_hour: Option<i64>,
    /// Once archived: the JSON of its group's size and means
    /// (`aggregate::Baseline`).
    pub baseline: Option<String>,
}

impl Workshop {
    pub fn is_open(&self) -> bool {
        self.closed_hour.is_none()
    }

    /// Whether its answers were erased at expiry (see `archived_hour`).
    pub fn is_archived(&self) -> bool {
        self.archived_hour.is_some()
    }
}

/// The outcome of asking to reveal a workshop's results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkshopReveal {
    Revealed,
    /// Still below the minimum group size by this many answers.
    TooFew {
        needed: usize,
    },
    Missing,
}

/// Reads a workshop from a row by its columns' names, which are its
/// fields' names; `COLUMNS` lists them for a `SELECT` or a `RETURNING`. One
/// list gives both, so that the query and the reader cannot drift apart.
macro_rules! read_by_name {
    ($($field:ident),+ $(,)?) => {
        const COLUMNS: &str = stringify!($($field),+);

        fn read_workshop(row: &rusqlite::Row<'_>) -> rusqlite::Result<Workshop> {
            Ok(Workshop { $($field: row.get(stringify!($field))?),+ })
        }
    };
}

read_by_name! {
    id, title, quiz_id, min_group, join_code, created_hour, closed_hour, revealed, follows,
    archived_hour, baseline,
}

/// Whether an insert failed only because its join code is taken by an open
/// workshop.
fn is_join_code_taken(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, Some(message))
        if e.code == ErrorCode::ConstraintViolation && message.contains("workshops.join_code"))
}

impl Store {
    /// Creates a workshop with the first code from `next_code` that no open
    /// workshop uses, trying at most `attempts` codes.
    pub fn create_workshop(
        &self,
        workshop: &NewWorkshop,
        attempts: usize,
        mut next_code: impl FnMut() -> String,
    ) -> Result<Workshop> {
        self.with_writer(|conn| {
            for _ in 0..attempts {
                let code = next_code();
                // RETURNING reads the row back as every other query does.
                let inserted = conn
                    .prepare_cached(&format!(
                        "INSERT INTO workshops (title, quiz_id, min_group, join_code, key_hash, projector_hash, created_hour, follows)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                         RETURNING {COLUMNS}"
                    ))?
                    .query_row(
                        params![
                            workshop.title,
                            workshop.quiz_id,
                            workshop.min_group,
                            code,
                            &workshop.key_hash[..],
                            &workshop.projector_hash[..],
                            workshop.created_hour,
                            workshop.follows,
                        ],
                        read_workshop,
                    );
                match inserted {
                    Ok(created) => return Ok(created),
                    Err(error) if is_join_code_taken(&error) => continue,
                    Err(error) => return Err(error.into()),
                }
            }
            Err(StoreError::NoFreeJoinCode { attempts })
        })
    }

    /// The workshop with this id whose facilitator key has this hash.
    pub fn find_workshop(&self, id: i64, key_hash: &[u8; 32]) -> Result<Option<Workshop>> {
        self.workshop_where("id = ?1 AND key_hash = ?2", params![id, &key_hash[..]])
    }

    /// The workshop with this id, whoever asks: for the workshop a follow-up
    /// follows, which its facilitator opened from this one's private page.
    pub fn workshop_by_id(&self, id: i64) -> Result<Option<Workshop>> {
        self.workshop_where("id = ?1", [id])
    }

    /// The workshop with this id whose projector key has this hash.
    pub fn find_projected_workshop(
        &self,
        id: i64,
        projector_hash: &[u8; 32],
    ) -> Result<Option<Workshop>> {
        self.workshop_where(
            "id = ?1 AND projector_hash = ?2",
            params![id, &projector_hash[..]],
        )
    }

    /// Gives a workshop created before projector keys existed the hash of
    /// its projector key; a workshop that has one keeps it.
    pub fn ensure_projector_hash(&self, id: i64, projector_hash: &[u8; 32]) -> Result<()> {
        let missing = self.with_reader(|conn| {
            Ok(conn
                .prepare_cached("SELECT 1 FROM workshops WHERE id = ?1 AND projector_hash IS NULL")?
                .exists([id])?)
        })?;
        if missing {
            self.with_writer(|conn| {
                conn.execute(
                    "UPDATE workshops SET projector_hash = ?2 WHERE id = ?1 AND projector_hash IS NULL",
                    params![id, &projector_hash[..]],
                )?;
                Ok(())
            })?;
        }
        Ok(())
    }

    /// The open workshop with this join code or, if none, the most recent
    /// closed one that had it.
    pub fn find_workshop_by_code(&self, join_code: &str) -> Result<Option<Workshop>> {
        self.workshop_where(
            "join_code = ?1 ORDER BY closed_hour IS NOT NULL, id DESC LIMIT 1",
            [join_code],
        )
    }

    /// The first workshop that the `WHERE` clause `selection` (with its
    /// parameters) selects, if any.
    fn workshop_where(
        &self,
        selection: &str,
        parameters: impl rusqlite::Params,
    ) -> Result<Option<Workshop>> {
        self.with_reader(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM workshops WHERE {selection}"
                ))?
                .query_row(parameters, read_workshop)
                .optional()?)
        })
    }

    pub fn count_workshop_results(&self, workshop_id: i64) -> Result<usize> {
        self.with_reader(|conn| Ok(count_results(conn, workshop_id)?))
    }

    /// Marks the results revealed if the workshop has reached its minimum
    /// group size.
    pub fn reveal_workshop(&self, workshop_id: i64) -> Result<WorkshopReveal> {
        self.with_writer(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let min_group: Option<u32> = tx
                .prepare_cached("SELECT min_group FROM workshops WHERE id = ?1")?
                .query_row([workshop_id], |row| row.get(0))
                .optional()?;
            let Some(min_group) = min_group else {
                return Ok(WorkshopReveal::Missing);
            };
            let answers = count_results(&tx, workshop_id)?;
            let min_group = usize::try_from(min_group).unwrap_or(usize::MAX);
            if answers < min_group {
                return Ok(WorkshopReveal::TooFew {
                    needed: min_group - answers,
                });
            }
            tx.execute(
                "UPDATE workshops SET revealed = 1 WHERE id = ?1",
                [workshop_id],
            )?;
            tx.commit()?;
            Ok(WorkshopReveal::Revealed)
        })
    }

    /// Stops a workshop from accepting answers (its first closing hour is
    /// kept); false if there is no such workshop.
    pub fn close_workshop(&self, workshop_id: i64, hour: i64) -> Result<bool> {
        self.with_writer(|conn| {
            let updated = conn.execute(
                "UPDATE workshops SET closed_hour = coalesce(closed_hour, ?2) WHERE id = ?1",
                params![workshop_id, hour],
            )?;
            Ok(updated > 0)
        })
    }

    /// Deletes a workshop and its results; `None` if there was no such
    /// workshop, otherwise the number of results deleted with it.
    pub fn delete_workshop(&self, workshop_id: i64) -> Result<Option<usize>> {
        self.with_writer(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let results = count_results(&tx, workshop_id)?;
            let deleted = tx.execute("DELETE FROM workshops WHERE id = ?1", [workshop_id])?;
            tx.commit()?;
            Ok((deleted > 0).then_some(results))
        })
    }

    /// The workshops created before `cutoff` (Unix time) whose answers are
    /// still there: those to erase.
    pub fn workshops_to_archive(&self, cutoff: i64) -> Result<Vec<Workshop>> {
        self.with_reader(|conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM workshops
                 WHERE created_hour < ?1 AND archived_hour IS NULL ORDER BY id"
            ))?;
            let rows = statement.query_map([cutoff], read_workshop)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Erases a workshop's results, in one transaction: the workshop stays,
    /// closed, with only `baseline` (the JSON of its group's size and means)
    /// from `hour` on, or goes too when there is no baseline to keep.
    /// Returns whether the workshop stays, and how many results were erased;
    /// `None` if there was no such workshop still holding answers.
    pub fn archive_workshop(
        &self,
        workshop_id: i64,
        baseline: Option<&str>,
        hour: i64,
    ) -> Result<Option<(bool, usize)>> {
        self.with_writer(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let results = count_results(&tx, workshop_id)?;
            tx.execute("DELETE FROM results WHERE workshop_id = ?1", [workshop_id])?;
            let changed = match baseline {
                Some(baseline) => tx.execute(
                    "UPDATE workshops SET archived_hour = ?2, baseline = ?3,
                         closed_hour = coalesce(closed_hour, ?2)
                     WHERE id = ?1 AND archived_hour IS NULL",
                    params![workshop_id, hour, baseline],
                )?,
                None => tx.execute(
                    "DELETE FROM workshops WHERE id = ?1 AND archived_hour IS NULL",
                    [workshop_id],
                )?,
            };
            tx.commit()?;
            Ok((changed > 0).then_some((baseline.is_some(), results)))
        })
    }

    /// The follow-ups opened from a workshop: their titles and creation
    /// hours, oldest first.
    pub fn follow_ups_of(&self, workshop_id: i64) -> Result<Vec<(String, i64)>> {
        self.with_reader(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT title, created_hour FROM workshops WHERE follows = ?1 ORDER BY id",
            )?;
            let rows = statement.query_map([workshop_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Deletes the archived workshops whose answers were erased before
    /// `cutoff` (Unix time); returns how many.
    pub fn purge_archives_before(&self, cutoff: i64) -> Result<usize> {
        self.with_writer(|conn| {
            Ok(conn.execute("DELETE FROM workshops WHERE archived_hour < ?1", [cutoff])?)
        })
    }

    pub fn count_workshops(&self) -> Result<i64> {
        self.with_reader(|conn| {
            Ok(conn.query_row("SELECT count(*) FROM workshops", [], |row| row.get(0))?)
        })
    }
}
