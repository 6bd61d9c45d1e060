use anyhow::{Context, Result, bail};

use crate::cli::DbBackupArgs;
use crate::store::Store;

/// SQLite's online backup: a consistent snapshot while the server writes.
pub fn backup(args: DbBackupArgs) -> Result<()> {
    if args.file.exists() {
        bail!(
            "«\u{a0}{}\u{a0}» existe déjà\u{a0}: choisissez un nouveau nom de fichier, la sauvegarde n’écrase rien.",
            args.file.display()
        );
    }
    if !args.db.is_file() {
        bail!(
            "la base «\u{a0}{}\u{a0}» n’existe pas (option --db ou CHEZSOI_DB)",
            args.db.display()
        );
    }
    let store = Store::open(&args.db).context("base de données (option --db ou CHEZSOI_DB)")?;
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
