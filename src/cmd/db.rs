use anyhow::{Context, Result, bail};

use crate::cli::DbBackupArgs;
use crate::store::Store;

/// SQLite's online backup: a consistent snapshot while the server writes.
pub fn backup(args: DbBackupArgs) -> Result<()> {
    if args.file.exists() {
        bail!(
            "« {} » existe déjà : choisissez un nouveau nom de fichier, la sauvegarde n'écrase rien.",
            args.file.display()
        );
    }
    if !args.db.is_file() {
        bail!(
            "la base « {} » n'existe pas (option --db ou CHEZSOI_DB)",
            args.db.display()
        );
    }
    let store = Store::open(&args.db).context("base de données (option --db ou CHEZSOI_DB)")?;
    store
        .backup_to(&args.file)
        .with_context(|| format!("sauvegarde vers « {} » impossible", args.file.display()))?;
    let copy = Store::open(&args.file)?;
    let check = copy.integrity_check()?;
    if check != "ok" {
        bail!(
            "la copie « {} » ne passe pas la vérification d'intégrité : {check}",
            args.file.display()
        );
    }
    println!(
        "Sauvegarde écrite : {} ({} résultats, intégrité vérifiée).",
        args.file.display(),
        copy.count_results()?
    );
    Ok(())
}
