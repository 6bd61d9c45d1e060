//! The database file and its connections: one writer (SQLite takes one at
//! a time), a small pool of readers (in WAL mode they never wait for the
//! writer), and the queue of results waiting for the next group commit.

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::commit::{Inserted, NewResult, Queue, Write, Written};
use super::error::{Result, StoreError};
use super::migrations::migrations;

/// The database: every query goes through it.
pub struct Store {
    path: PathBuf,
    /// The single writer: SQLite allows one at a time, and owning it here
    /// avoids busy errors under load.
    writer: Mutex<Connection>,
    /// Results waiting for the next group commit (see `commit.rs`).
    queue: Queue,
    /// Read-only connections, reused: in WAL mode readers never wait for
    /// the writer. At most `READER_POOL` are open at once, so that however
    /// many requests come together, the database holds a known number of
    /// file descriptors (`FILE_DESCRIPTORS`).
    readers: Mutex<Readers>,
    /// Signalled when a reader goes back to the pool.
    reader_returned: Condvar,
    /// The server's key for result tokens (see `result_key`).
    result_key: [u8; 32],
}

#[derive(Default)]
struct Readers {
    idle: Vec<Connection>,
    /// Readers open, idle or in use.
    open: usize,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (and creates if needed) the database file, then applies migrations.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let mut conn = open_connection(path)?;
        let before: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| classify(path, e))?;
        migrations().to_latest(&mut conn).map_err(|e| match e {
            rusqlite_migration::Error::RusqliteError { err, .. } => classify(path, err),
            other => StoreError::Migration {
                path: path.to_path_buf(),
                message: other.to_string(),
            },
        })?;
        if before < super::LATEST_VERSION {
            // A migration rewrote tables: the old pages' images must not
            // linger in the write-ahead log either (migration 3 removes an
            // insertion order). Another program reading the file may delay
            // this; what it leaves goes at the next checkpoint.
            let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
        let result_key = server_key(&conn, RESULT_KEY_PURPOSE).map_err(|e| classify(path, e))?;
        Ok(Store {
            result_key,
            queue: Queue::default(),
            readers: Mutex::new(Readers::default()),
            reader_returned: Condvar::new(),
            path: path.to_path_buf(),
            writer: Mutex::new(conn),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// 32 random bytes drawn when the database was created, kept in it: the
    /// key that turns a form's one-time nonce into its result's token
    /// (`web::submission`). Without the nonce, which only the participant's
    /// page holds, it leads to no result.
    pub fn result_key(&self) -> &[u8; 32] {
        &self.result_key
    }

    /// Stores a result (group commit, see `commit.rs`); when this returns
    /// `Inserted::Stored`, the row is committed to disk.
    pub fn insert_result(&self, token_hash: &[u8; 32], result: &NewResult) -> Result<Inserted> {
        match self
            .queue
            .write(&self.writer, token_hash, Write::Insert(result.clone()))?
        {
            Written::Inserted(inserted) => Ok(inserted),
            Written::Marked(_) => Err(StoreError::Commit("écriture inattendue".into())),
        }
    }

    /// Marks an action of a result's plan done (`done`) or not done, through
    /// the group commit like a new result: when this returns, the change is
    /// on disk. The result's done actions afterwards, sorted; `None` if no
    /// result has this token. The caller checks that the action is one of
    /// the result's plan.
    pub fn mark_action(
        &self,
        token_hash: &[u8; 32],
        action: &str,
        done: bool,
    ) -> Result<Option<Vec<String>>> {
        let write = Write::Mark {
            action: action.to_string(),
            done,
        };
        match self.queue.write(&self.writer, token_hash, write)? {
            Written::Marked(actions) => Ok(actions),
            Written::Inserted(_) => Err(StoreError::Commit("écriture inattendue".into())),
        }
    }

    /// Results waiting for the writer right now.
    pub fn pending_results(&self) -> usize {
        self.queue.len()
    }

    /// Transactions committed by `insert_result` since the store was opened:
    /// fewer than the results stored when submissions came together.
    pub fn result_commits(&self) -> u64 {
        self.queue.commits()
    }

    /// Runs `f` with the writer connection.
    pub fn with_writer<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut conn = self
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut conn)
    }

    /// Runs `f` with a read-only connection from the pool; when all
    /// `READER_POOL` are in use, waits for one (queries take milliseconds).
    pub fn with_reader<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let lease = self.lease_reader()?;
        f(lease.conn.as_ref().expect("a leased reader"))
    }

    fn lease_reader(&self) -> Result<ReaderLease<'_>> {
        let mut readers = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(conn) = readers.idle.pop() {
                return Ok(ReaderLease {
                    store: self,
                    conn: Some(conn),
                });
            }
            if readers.open < READER_POOL {
                readers.open += 1;
                drop(readers);
                return match open_reader(&self.path) {
                    Ok(conn) => Ok(ReaderLease {
                        store: self,
                        conn: Some(conn),
                    }),
                    Err(error) => {
                        self.readers.lock().unwrap_or_else(|p| p.into_inner()).open -= 1;
                        self.reader_returned.notify_one();
                        Err(error)
                    }
                };
            }
            readers = self
                .reader_returned
                .wait(readers)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    /// What `/sante` checks: a reader answers a query on the results, and
    /// the writer commits a write (it flips the one number of the `health`
    /// table), within about a second. A database locked by another program,
    /// read-only, or on a full disk fails here.
    pub fn check_health(&self) -> Result<()> {
        self.with_reader(|conn| {
            conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM results)")?
                .query_row([], |row| row.get::<_, bool>(0))?;
            Ok(())
        })?;
        self.check_writable(HEALTH_BUSY_TIMEOUT)
    }

    /// Commits a write (the `health` table's flip), waiting at most `wait`
    /// for another program's lock: proof that results can be stored.
    pub fn check_writable(&self, wait: Duration) -> Result<()> {
        self.with_writer(|conn| {
            conn.busy_timeout(wait)?;
            let written = conn.execute_batch(
                "BEGIN IMMEDIATE;
                 UPDATE health SET flip = 1 - flip WHERE id = 1;
                 COMMIT;",
            );
            if written.is_err() && !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            conn.busy_timeout(BUSY_TIMEOUT)?;
            written.map_err(|error| StoreError::NotWritable {
                path: self.path.clone(),
                error,
            })
        })
    }

    /// `PRAGMA integrity_check` at start: the database is refused, with
    /// what to do, unless SQLite finds it sound.
    pub fn check_integrity(&self) -> Result<()> {
        let report = self
            .with_writer(|conn| {
                let mut stmt = conn.prepare("PRAGMA integrity_check(10)")?;
                let lines = stmt.query_map([], |row| row.get::<_, String>(0))?;
                Ok(lines.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .map_err(|error| match error {
                StoreError::Sqlite(e) => classify(&self.path, e),
                other => other,
            })?;
        if report.len() == 1 && report[0] == "ok" {
            return Ok(());
        }
        Err(StoreError::Corrupt {
            path: self.path.clone(),
            report: report.join(" ; "),
        })
    }

    /// Copies the whole database into `target` (SQLite's online backup: a
    /// consistent snapshot even while the server writes).
    pub fn backup_to(&self, target: &Path) -> Result<()> {
        self.with_reader(|conn| {
            let mut out = Connection::open(target).map_err(|error| StoreError::Open {
                path: target.to_path_buf(),
                error,
            })?;
            let backup = rusqlite::backup::Backup::new(conn, &mut out)?;
            backup.run_to_completion(256, std::time::Duration::from_millis(2), None)?;
            Ok(())
        })
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound (its first line).
    pub fn integrity_check(&self) -> Result<String> {
        self.with_reader(|conn| Ok(conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))?))
    }

    /// The schema version (number of applied migrations).
    pub fn schema_version(&self) -> Result<i64> {
        self.with_writer(|conn| Ok(conn.query_row("PRAGMA user_version", [], |row| row.get(0))?))
    }

    /// Names of the tables and their columns, for audits and tests.
    pub fn schema_columns(&self) -> Result<Vec<(String, String)>> {
        self.with_writer(|conn| {
            let mut stmt = conn.prepare(
                "SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid",
            )?;
            let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}

fn open_connection(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|error| StoreError::Open {
        path: path.to_path_buf(),
        error,
    })?;
    // journal_mode is the first statement that reads the file: that is where a
    // file that is not a database shows itself.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(|e| classify(path, e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Migration {
            path: path.to_path_buf(),
            message: format!("le mode WAL n’a pas pu être activé (mode «\u{a0}{mode}\u{a0}»)"),
        });
    }
    // FULL: an acknowledged result is on disk before the answer leaves.
    // secure_delete: a deleted result, or a page a migration frees, is
    // overwritten with zeros, not left readable in the file.
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;",
    )
    .map_err(|e| classify(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| classify(path, e))?;
    Ok(conn)
}

/// The `server_keys` row of the result-token key.
const RESULT_KEY_PURPOSE: &str = "jetons de résultat";

/// The server key for `purpose`, drawn now (from the operating system's
/// randomness, through `rand`) if the database has none yet.
fn server_key(conn: &Connection, purpose: &str) -> rusqlite::Result<[u8; 32]> {
    use rusqlite::OptionalExtension;
    let read = |conn: &Connection| {
        conn.query_row(
            "SELECT value FROM server_keys WHERE purpose = ?1",
            [purpose],
            |row| row.get::<_, Vec<u8>>(0),
        )
        .optional()
    };
    // Read first: a database that another program holds locked still opens
    // (and the start-up check then says why it cannot be written).
    let stored = match read(conn)? {
        Some(stored) => stored,
        None => {
            let fresh: [u8; 32] = rand::random();
            conn.execute(
                "INSERT OR IGNORE INTO server_keys (purpose, value) VALUES (?1, ?2)",
                rusqlite::params![purpose, &fresh[..]],
            )?;
            read(conn)?.unwrap_or_default()
        }
    };
    // The column's CHECK keeps it at 32 bytes; a file edited by hand is
    // refused rather than trusted.
    <[u8; 32]>::try_from(stored.as_slice()).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, Box::new(error))
    })
}

/// Most read-only connections open at once.
const READER_POOL: usize = 8;

/// How long a statement waits for another program's lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the health check waits for it: a probe wants a quick answer.
const HEALTH_BUSY_TIMEOUT: Duration = Duration::from_secs(1);

/// File descriptors the database may hold at once: the database file and
/// its write-ahead log for the writer and each reader, the shared-memory
/// index, and a few for SQLite's temporary files.
pub const FILE_DESCRIPTORS: usize = (1 + READER_POOL) * 2 + 1 + 4;

/// A reader taken from the pool; it goes back when dropped, even if the
/// work that used it panicked.
struct ReaderLease<'a> {
    store: &'a Store,
    conn: Option<Connection>,
}

impl Drop for ReaderLease<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.store
                .readers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .idle
                .push(conn);
            self.store.reader_returned.notify_one();
        }
    }
}

fn open_reader(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|error| StoreError::Open {
        path: path.to_path_buf(),
        error,
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| classify(path, e))?;
    Ok(conn)
}

fn classify(path: &Path, error: rusqlite::Error) -> StoreError {
    if is_not_a_database(&error) {
        StoreError::NotADatabase {
            path: path.to_path_buf(),
        }
    } else if matches!(&error, rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::DatabaseCorrupt)
    {
        StoreError::Corrupt {
            path: path.to_path_buf(),
            report: super::error::describe(&error),
        }
    } else {
        StoreError::Open {
            path: path.to_path_buf(),
            error,
        }
    }
}

fn is_not_a_database(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::NotADatabase)
}
