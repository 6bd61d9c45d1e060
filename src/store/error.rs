//! What can go wrong with the database, in French for the operator.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "impossible de créer le dossier «\u{a0}{path}\u{a0}» de la base de données\u{a0}: {source}"
    )]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("impossible d’ouvrir la base de données «\u{a0}{path}\u{a0}»\u{a0}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "«\u{a0}{path}\u{a0}» n’est pas une base de données SQLite (fichier d’un autre type, chiffré ou endommagé)\u{a0}; indiquez un autre fichier avec --db ou CHEZSOI_DB"
    )]
    NotADatabase { path: PathBuf },
    #[error(
        "impossible de mettre à jour le schéma de la base «\u{a0}{path}\u{a0}»\u{a0}: {message}"
    )]
    Migration { path: PathBuf, message: String },
    #[error(
        "impossible de trouver un code d’atelier libre après {attempts} essais\u{a0}: fermez ou supprimez d’anciens ateliers"
    )]
    NoFreeJoinCode { attempts: usize },
    #[error("erreur de la base de données\u{a0}: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("le résultat n’a pas pu être enregistré\u{a0}: {0}")]
    Commit(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
