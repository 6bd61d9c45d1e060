//! The database file and its connections: one writer (SQLite takes one at
//! a time), a small pool of readers (in WAL mode they never wait for the
//! writer), and the queue of results waiting for the next group commit.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags};

use super::commit::{Inserted, NewResult, Queue};
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
    /// the writer.
    readers: Mutex<Vec<Connection>>,
    /// The server's key for result tokens (see `result_key`).
    result_key: [u8; 32],
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
        migrations().to_latest(&mut conn).map_err(|e| match e {
            rusqlite_migration::Error::RusqliteError { err, .. } if is_not_a_database(&err) => {
                StoreError::NotADatabase {
                    path: path.to_path_buf(),
                }
            }
            other => StoreError::Migration {
                path: path.to_path_buf(),
                message: other.to_string(),
            },
        })?;
        let result_key = server_key(&conn, RESULT_KEY_PURPOSE).map_err(|e| classify(path, e))?;
        Ok(Store {
            result_key,
            queue: Queue::default(),
            readers: Mutex::new(Vec::new()),
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
        self.queue.insert(&self.writer, token_hash, result)
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

    /// Runs `f` with a read-only connection (taken from a small pool).
    pub fn with_reader<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => open_reader(&self.path)?,
        };
        let result = f(&conn);
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < READER_POOL {
            pool.push(conn);
        }
        result
    }

    /// Copies the whole database into `target` (SQLite's online backup: a
    /// consistent snapshot even while the server writes).
    pub fn backup_to(&self, target: &Path) -> Result<()> {
        self.with_reader(|conn| {
            let mut out = Connection::open(target).map_err(|source| StoreError::Open {
                path: target.to_path_buf(),
                source,
            })?;
            let backup = rusqlite::backup::Backup::new(conn, &mut out)?;
            backup.run_to_completion(256, std::time::Duration::from_millis(2), None)?;
            Ok(())
        })
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
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
    let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
        path: path.to_path_buf(),
        source,
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
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;",
    )
    .map_err(|e| classify(path, e))?;
    Ok(conn)
}

/// The `server_keys` row of the result-token key.
const RESULT_KEY_PURPOSE: &str = "jetons de résultat";

/// The server key for `purpose`, drawn now (from the operating system's
/// randomness, through `rand`) if the database has none yet.
fn server_key(conn: &Connection, purpose: &str) -> rusqlite::Result<[u8; 32]> {
    let fresh: [u8; 32] = rand::random();
    conn.execute(
        "INSERT OR IGNORE INTO server_keys (purpose, value) VALUES (?1, ?2)",
        rusqlite::params![purpose, &fresh[..]],
    )?;
    let stored: Vec<u8> = conn.query_row(
        "SELECT value FROM server_keys WHERE purpose = ?1",
        [purpose],
        |row| row.get(0),
    )?;
    // The column's CHECK keeps it at 32 bytes; a file edited by hand is
    // refused rather than trusted.
    <[u8; 32]>::try_from(stored.as_slice()).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, Box::new(error))
    })
}

/// Most read-only connections kept open between requests.
const READER_POOL: usize = 8;

fn open_reader(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    conn.execute_batch("PRAGMA busy_timeout = 5000;")
        .map_err(|e| classify(path, e))?;
    Ok(conn)
}

fn classify(path: &Path, error: rusqlite::Error) -> StoreError {
    if is_not_a_database(&error) {
        StoreError::NotADatabase {
            path: path.to_path_buf(),
        }
    } else {
        StoreError::Open {
            path: path.to_path_buf(),
            source: error,
        }
    }
}

fn is_not_a_database(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::NotADatabase)
}
