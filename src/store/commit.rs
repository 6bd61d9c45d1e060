//! Group commit for results. Every acknowledged result must be on disk
//! (`synchronous = FULL`), and one fsync per result caps a room at a few
//! hundred submissions a second. So submissions queue up; whoever obtains the
//! writer commits everything queued in one transaction (one fsync), then
//! tells each waiting submitter how its row fared. Nobody is acknowledged
//! before the transaction holding its row has committed.

use std::sync::Mutex;
use std::sync::mpsc::{SyncSender, sync_channel};

use rusqlite::params;

use super::{NewResult, Result, Store, StoreError};

/// Results waiting for a commit.
#[derive(Default)]
pub struct Queue(Mutex<Vec<Pending>>);

/// How one row fared: committed, or why not.
type RowOutcome = Result<(), String>;

struct Pending {
    token_hash: [u8; 32],
    result: NewResult,
    done: SyncSender<RowOutcome>,
}

impl Store {
    /// Stores a result; when this returns `Ok`, the row is committed to disk.
    pub fn insert_result(&self, token_hash: &[u8; 32], result: &NewResult) -> Result<()> {
        let (done, outcome) = sync_channel(1);
        self.pending
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Pending {
                token_hash: *token_hash,
                result: result.clone(),
                done,
            });
        {
            let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
            // The writer we waited for may have committed our row already.
            if let Ok(answer) = outcome.try_recv() {
                return answer.map_err(StoreError::Commit);
            }
            let batch =
                std::mem::take(&mut *self.pending.0.lock().unwrap_or_else(|p| p.into_inner()));
            commit_batch(&mut conn, batch);
        }
        outcome
            .recv()
            .unwrap_or_else(|_| Err("la file d’écriture a été interrompue".to_string()))
            .map_err(StoreError::Commit)
    }
}

/// Inserts every pending row in one transaction. A row that fails is rolled
/// back alone (savepoint) and its submitter told; the others still commit.
fn commit_batch(conn: &mut rusqlite::Connection, batch: Vec<Pending>) {
    let mut answers: Vec<(SyncSender<RowOutcome>, RowOutcome)> = Vec::with_capacity(batch.len());
    let outcome = (|| -> rusqlite::Result<()> {
        let mut tx = conn.transaction()?;
        for pending in batch {
            let inserted = (|| -> rusqlite::Result<()> {
                let savepoint = tx.savepoint()?;
                savepoint
                    .prepare_cached(
                        "INSERT INTO results (token_hash, quiz_id, quiz_version, workshop_id, answers, outcome, profile, score, created_hour)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    )?
                    .execute(params![
                        &pending.token_hash[..],
                        pending.result.quiz_id,
                        pending.result.quiz_version,
                        pending.result.workshop_id,
                        pending.result.answers_json,
                        pending.result.outcome_json,
                        pending.result.profile,
                        pending.result.score,
                        pending.result.created_hour,
                    ])?;
                savepoint.commit()
            })();
            answers.push((pending.done, inserted.map_err(|e| e.to_string())));
        }
        tx.commit()
    })();
    for (done, answer) in answers {
        let answer = match &outcome {
            Ok(()) => answer,
            Err(error) => Err(format!("la transaction a échoué\u{a0}: {error}")),
        };
        let _ = done.send(answer);
    }
}
