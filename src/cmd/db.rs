//! `chezsoi db backup`: a copy of the database while the server runs.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};

use super::{DbArg, HELP_TEMPLATE};
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Copie cohérente de la base dans FICHIER, même pendant que le serveur tourne
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Options\u{a0}")]
    Backup(BackupArgs),
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Fichier de sauvegarde à créer (il ne doit pas exister)
    #[arg(value_name = "FICHIER")]
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DbArg,
}

pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Backup(args) => backup(args),
    }
}

/// SQLite's online backup: a consistent snapshot while the server writes.
fn backup(args: BackupArgs) -> Result<()> {
    if args.file.exists() {
        bail!(
            "«\u{a0}{}\u{a0}» existe déjà\u{a0}: choisissez un nouveau nom de fichier, la sauvegarde n’écrase rien.",
            args.file.display()
        );
    }
    if !args.db.db.is_file() {
        bail!(
            "la base «\u{a0}{}\u{a0}» n’existe pas (option --db ou CHEZSOI_DB)",
            args.db.db.display()
        );
    }
    let store = Store::open(&args.db.db).context("base de données (option --db ou CHEZSOI_DB)")?;
    store.backup_to(&args.file).with_context(|| {
        format!(
            "sauvegarde vers «\u{a0}{}\u{a0}» impossible",
            args.file.display()
        )
    })?;
    let copy = Store::open(&args.file)?;
    let check = copy.integrity_check()?;
    if check != "ok" {
        bail!(
            "la copie «\u{a0}{}\u{a0}» ne passe pas la vérification d’intégrité\u{a0}: {check}",
            args.file.display()
        );
    }
    println!(
        "Sauvegarde écrite\u{a0}: {} ({} résultats, intégrité vérifiée).",
        args.file.display(),
        copy.count_results()?
    );
    Ok(())
}
