//! The one way a result enters the database, with group commit. Every
//! acknowledged result must be on disk (`synchronous = FULL`), and one
//! fsync per result caps a room at a few hundred submissions a second. So
//! submissions queue up; whoever obtains the writer commits everything
//! queued in one transaction (one fsync), then tells each waiting submitter
//! how its row fared. Nobody is acknowledged before the transaction holding
//! its row has committed.
//!
//! A result given in a workshop is stored only if the workshop is still
//! open, checked in the same transaction: a workshop closed a moment before
//! gets nothing.
//!
//! A token already stored is not stored twice: the same form posted again
//! (a double tap, two requests at once, back and resubmit) carries the same
//! nonce, hence the same token (`web::submission`), and finds the row the
//! first post stored — in an earlier transaction or in the same one.
//!
//! Ticking an action of a plan off (or back on) is acknowledged too, so it
//! takes the same path: the queue holds writes of either kind (`Write`), and
//! each is applied in its own savepoint of the batch's transaction.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};

use rusqlite::{Connection, OptionalExtension, params};

use super::error::{Result, StoreError, describe};

/// What is stored for one submission — and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewResult {
    pub quiz_id: String,
    pub quiz_version: String,
    pub workshop_id: Option<i64>,
    /// JSON of the validated answers.
    pub answers_json: String,
    /// JSON of the computed outcome.
    pub outcome_json: String,
    pub profile: Option<String>,
    pub score: Option<i64>,
    /// Unix time rounded down to the hour.
    pub created_hour: i64,
    /// The SHA-256 of the previous result's token, when the reader asked to
    /// link this re-take to it. If that result is gone by the time this one
    /// is committed, this one is stored unlinked.
    pub previous_hash: Option<[u8; 32]>,
}

/// What became of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// Committed. For a workshop's result, the workshop's number of results
    /// once the transaction that holds it committed.
    Stored { workshop_answers: Option<usize> },
    /// A result with this token was stored before (the same form posted
    /// again): nothing new was stored.
    AlreadyStored,
    /// The workshop no longer accepts answers: nothing was stored.
    WorkshopClosed,
    /// No such workshop: nothing was stored.
    WorkshopMissing,
}

/// One write waiting for the group commit, on the result whose token has
/// the queued hash.
#[derive(Debug, Clone)]
pub enum Write {
    /// Store a new result.
    Insert(NewResult),
    /// Mark an action of the result's plan done (`done`) or not done.
    Mark { action: String, done: bool },
}

/// How a write fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    Inserted(Inserted),
    /// The result's actions marked done afterwards, sorted; `None` when no
    /// result has this token (deleted meanwhile).
    Marked(Option<Vec<String>>),
}

/// Results waiting for a commit, and how many transactions committed them.
#[derive(Default)]
pub struct Queue {
    pending: Mutex<Vec<Pending>>,
    commits: AtomicU64,
}

/// How one write fared: an outcome, or why it could not be stored.
type RowOutcome = Result<Written, String>;

struct Pending {
    token_hash: [u8; 32],
    write: Write,
    done: SyncSender<RowOutcome>,
}

impl Queue {
    /// Queues a write, then commits the queue with `writer` unless the
    /// writer's previous holder already did; when this returns, the write
    /// is committed to disk (or refused, and nothing of it is).
    pub fn write(
        &self,
        writer: &Mutex<Connection>,
        token_hash: &[u8; 32],
        write: Write,
    ) -> Result<Written> {
        let (done, outcome) = sync_channel(1);
        self.lock().push(Pending {
            token_hash: *token_hash,
            write,
            done,
        });
        {
            let mut conn = writer.lock().unwrap_or_else(|p| p.into_inner());
            // The writer we waited for may have committed our row already.
            if let Ok(answer) = outcome.try_recv() {
                return answer.map_err(StoreError::Commit);
            }
            let batch = std::mem::take(&mut *self.lock());
            if commit_batch(&mut conn, batch) {
                self.commits.fetch_add(1, Ordering::Relaxed);
            }
        }
        outcome
            .recv()
            .unwrap_or_else(|_| Err("la file d’écriture a été interrompue".to_string()))
            .map_err(StoreError::Commit)
    }

    /// Results waiting for the writer right now.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Transactions committed since the store was opened.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Pending>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// How many results a workshop holds (0 for a workshop that does not
/// exist): the number its row keeps (migration 8).
pub(super) fn count_results(conn: &Connection, workshop_id: i64) -> rusqlite::Result<usize> {
    let count: Option<i64> = conn
        .prepare_cached("SELECT answer_count FROM workshops WHERE id = ?1")?
        .query_row([workshop_id], |row| row.get(0))
        .optional()?;
    Ok(count.map_or(0, |count| usize::try_from(count).unwrap_or(0)))
}

/// Inserts every pending row in one transaction; true if it committed. A
/// row that fails is rolled back alone (savepoint) and its submitter told;
/// the others still commit.
fn commit_batch(conn: &mut Connection, batch: Vec<Pending>) -> bool {
    let mut rows: Vec<(
        SyncSender<RowOutcome>,
        Option<i64>,
        rusqlite::Result<Written>,
    )> = Vec::with_capacity(batch.len());
    let outcome = (|| -> rusqlite::Result<()> {
        let mut tx = conn.transaction()?;
        for pending in batch {
            let workshop = match &pending.write {
                Write::Insert(result) => result.workshop_id,
                Write::Mark { .. } => None,
            };
            let written = (|| {
                let savepoint = tx.savepoint()?;
                let written = match &pending.write {
                    Write::Insert(result) => {
                        Written::Inserted(insert_row(&savepoint, &pending.token_hash, result)?)
                    }
                    Write::Mark { action, done } => {
                        Written::Marked(mark_row(&savepoint, &pending.token_hash, action, *done)?)
                    }
                };
                savepoint.commit()?;
                Ok(written)
            })();
            rows.push((pending.done, workshop, written));
        }
        // Each workshop's number of results as of this transaction, for its
        // live count.
        let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
        for (_, workshop, written) in &mut rows {
            if let (Some(id), Ok(Written::Inserted(Inserted::Stored { workshop_answers }))) =
                (*workshop, written)
            {
                let count = match counts.get(&id) {
                    Some(count) => *count,
                    None => *counts.entry(id).or_insert(count_results(&tx, id)?),
                };
                *workshop_answers = Some(count);
            }
        }
        tx.commit()
    })();
    let committed = outcome.is_ok();
    for (done, _, inserted) in rows {
        let answer = match &outcome {
            Ok(()) => inserted.map_err(|e| describe(&e)),
            Err(error) => Err(format!(
                "la transaction a échoué\u{a0}: {}",
                describe(error)
            )),
        };
        let _ = done.send(answer);
    }
    committed
}

/// The one `INSERT INTO results`, after checking that no result has this
/// token yet and that the result's workshop, if any, accepts answers.
fn insert_row(
    tx: &Connection,
    token_hash: &[u8; 32],
    result: &NewResult,
) -> rusqlite::Result<Inserted> {
    let stored = tx
        .prepare_cached("SELECT 1 FROM results WHERE token_hash = ?1")?
        .exists([&token_hash[..]])?;
    if stored {
        return Ok(Inserted::AlreadyStored);
    }
    if let Some(workshop_id) = result.workshop_id {
        let closed: Option<Option<i64>> = tx
            .prepare_cached("SELECT closed_hour FROM workshops WHERE id = ?1")?
            .query_row([workshop_id], |row| row.get(0))
            .optional()?;
        match closed {
            None => return Ok(Inserted::WorkshopMissing),
            Some(Some(_)) => return Ok(Inserted::WorkshopClosed),
            Some(None) => {}
        }
    }
    // The result to follow may have been deleted since the form was shown:
    // this one is then stored on its own.
    let previous = match &result.previous_hash {
        Some(hash) => tx
            .prepare_cached("SELECT 1 FROM results WHERE token_hash = ?1")?
            .exists([&hash[..]])?
            .then_some(&hash[..]),
        None => None,
    };
    tx.prepare_cached(
        "INSERT INTO results (token_hash, quiz_id, quiz_version, workshop_id, answers, outcome, profile, score, created_hour, previous_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        &token_hash[..],
        result.quiz_id,
        result.quiz_version,
        result.workshop_id,
        result.answers_json,
        result.outcome_json,
        result.profile,
        result.score,
        result.created_hour,
        previous,
    ])?;
    Ok(Inserted::Stored {
        workshop_answers: None,
    })
}

/// Adds `action` to the result's done actions, or removes it; the list
/// afterwards, or `None` if no result has this token.
fn mark_row(
    tx: &Connection,
    token_hash: &[u8; 32],
    action: &str,
    done: bool,
) -> rusqlite::Result<Option<Vec<String>>> {
    let stored: Option<String> = tx
        .prepare_cached("SELECT done_actions FROM results WHERE token_hash = ?1")?
        .query_row([&token_hash[..]], |row| row.get(0))
        .optional()?;
    let Some(stored) = stored else {
        return Ok(None);
    };
    let mut actions = super::results::parse_done(&stored);
    if done {
        actions.insert(action.to_string());
    } else {
        actions.remove(action);
    }
    let actions: Vec<String> = actions.into_iter().collect();
    let json = serde_json::to_string(&actions)
        .map_err(|error| rusqlite::Error::ToSqlConversionFailure(Box::new(error)))?;
    tx.prepare_cached("UPDATE results SET done_actions = ?2 WHERE token_hash = ?1")?
        .execute(params![&token_hash[..], json])?;
    Ok(Some(actions))
}
