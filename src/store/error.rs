//! What can go wrong with the database, in French for the operator: SQLite's
//! own English text only follows a French explanation when no code of ours
//! fits.

use std::path::PathBuf;

use rusqlite::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "impossible de créer le dossier «\u{a0}{path}\u{a0}» de la base de données\u{a0}: {source}"
    )]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    /// (`error` is told by `describe`, not chained: its English would
    /// follow the French.)
    #[error("impossible d’ouvrir la base de données «\u{a0}{path}\u{a0}»\u{a0}: {}", describe(.error))]
    Open {
        path: PathBuf,
        error: rusqlite::Error,
    },
    #[error(
        "«\u{a0}{path}\u{a0}» n’est pas une base de données SQLite (fichier d’un autre type, chiffré ou endommagé)\u{a0}; indiquez un autre fichier avec --db ou CHEZSOI_DB"
    )]
    NotADatabase { path: PathBuf },
    /// `PRAGMA integrity_check` found damage (or SQLite met it while
    /// reading): nothing more may be written to the file.
    #[error(
        "la base de données «\u{a0}{path}\u{a0}» est endommagée ({report}). chezsoi ne s’en sert pas, pour ne rien abîmer de plus. \
         Arrêtez tout programme qui l’utilise, remplacez-la par votre dernière sauvegarde (faite avec «\u{a0}chezsoi db backup\u{a0}») \
         et supprimez les fichiers «\u{a0}-wal\u{a0}» et «\u{a0}-shm\u{a0}» qui l’accompagnent\u{a0}: le README l’explique \
         («\u{a0}Sauvegarder et restaurer\u{a0}»)"
    )]
    Corrupt { path: PathBuf, report: String },
    /// A write could not be committed: what the health check and the start
    /// of `serve` test.
    #[error("la base de données «\u{a0}{path}\u{a0}» ne peut pas être écrite\u{a0}: {}", describe(.error))]
    NotWritable {
        path: PathBuf,
        error: rusqlite::Error,
    },
    #[error(
        "impossible de mettre à jour le schéma de la base «\u{a0}{path}\u{a0}»\u{a0}: {message}"
    )]
    Migration { path: PathBuf, message: String },
    #[error(
        "impossible de trouver un code d’atelier libre après {attempts} essais\u{a0}: fermez ou supprimez d’anciens ateliers"
    )]
    NoFreeJoinCode { attempts: usize },
    #[error("erreur de la base de données\u{a0}: {}", describe(.0))]
    Sqlite(rusqlite::Error),
    #[error("le résultat n’a pas pu être enregistré\u{a0}: {0}")]
    Commit(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// `?` on a SQLite call; not `#[from]`, which would also chain SQLite's
/// English after the French.
impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        StoreError::Sqlite(error)
    }
}

/// A SQLite error as an operator can act on it, in French; SQLite's own
/// words follow only for errors without a code of ours.
pub fn describe(error: &rusqlite::Error) -> String {
    let rusqlite::Error::SqliteFailure(failure, _) = error else {
        return format!("erreur SQLite ({error})");
    };
    match failure.code {
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
            "elle est verrouillée par un autre programme (un autre chezsoi serve, un outil SQLite ouvert \
             sur le même fichier…)\u{a0}: fermez-le, puis réessayez"
                .into()
        }
        ErrorCode::ReadOnly => {
            "elle est en lecture seule\u{a0}: vérifiez les droits d’écriture sur le fichier, sur ses \
             fichiers «\u{a0}-wal\u{a0}» et «\u{a0}-shm\u{a0}» et sur leur dossier"
                .into()
        }
        ErrorCode::DiskFull => "le disque est plein\u{a0}: libérez de la place, puis réessayez".into(),
        ErrorCode::DatabaseCorrupt => "le fichier est endommagé".into(),
        ErrorCode::CannotOpen => {
            "le fichier ne peut pas être ouvert (dossier absent, droits insuffisants ou trop de \
             fichiers ouverts)"
                .into()
        }
        ErrorCode::PermissionDenied => "permission refusée par le système".into(),
        ErrorCode::SystemIoFailure => {
            "erreur d’entrée-sortie du disque (disque plein, retiré ou défaillant)".into()
        }
        ErrorCode::OutOfMemory => "mémoire insuffisante".into(),
        _ => format!("erreur SQLite ({error})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(code: i32) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None)
    }

    #[test]
    fn the_usual_failures_are_told_in_french_without_sqlite_words() {
        for (code, expected) in [
            (
                rusqlite::ffi::SQLITE_BUSY,
                "verrouillée par un autre programme",
            ),
            (rusqlite::ffi::SQLITE_READONLY, "en lecture seule"),
            (rusqlite::ffi::SQLITE_FULL, "le disque est plein"),
            (rusqlite::ffi::SQLITE_CORRUPT, "endommagé"),
        ] {
            let error = StoreError::NotWritable {
                path: "data/chezsoi.db".into(),
                error: sqlite(code),
            };
            assert!(
                std::error::Error::source(&error).is_none(),
                "no English cause"
            );
            let text = error.to_string();
            assert!(text.contains(expected), "{text}");
            assert!(text.contains("ne peut pas être écrite"), "{text}");
            for english in [
                "database",
                "locked",
                "readonly",
                "disk is full",
                "malformed",
            ] {
                assert!(!text.contains(english), "{english} in {text}");
            }
        }
    }
}
