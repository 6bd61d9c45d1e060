//! `chezsoi workshop new` and `chezsoi workshop purge`.

use anyhow::{Context, Result};

use crate::cli::{WorkshopNewArgs, WorkshopPurgeArgs};
use crate::project::Project;
use crate::store::Store;
use crate::workshop::{self, WorkshopRequest};

/// Creates a workshop and prints what the facilitator needs; the key is
/// shown here once and never again.
pub fn new(args: WorkshopNewArgs) -> Result<()> {
    let project = Project::open(&args.root.root)?;
    let content = project.load_content()?;
    let request = WorkshopRequest {
        title: args.title,
        quiz_id: args.quiz,
        min_group: args.min_group,
    }
    .validate(|id| content.catalog.get(id).is_some())
    .map_err(|errors| {
        let reasons: Vec<String> = errors.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("atelier non créé\u{a0}: {}", reasons.join("\u{a0}; "))
    })?;
    let store = Store::open(&args.db.db)
        .with_context(|| "base de données (option --db ou CHEZSOI_DB)".to_string())?;
    let created = workshop::create(&store, &request, workshop::now_unix())?;
    let id = created.workshop.id;
    let code = &created.workshop.join_code;
    println!(
        "Atelier créé\u{a0}: «\u{a0}{}\u{a0}» (questionnaire «\u{a0}{}\u{a0}», résultats du groupe à partir de {} réponses).",
        created.workshop.title, created.workshop.quiz_id, created.workshop.min_group
    );
    println!("Code\u{a0}: {}", workshop::display_join_code(code));
    println!(
        "Adresse de participation\u{a0}: {}",
        workshop::join_url(&args.base_url, code)
    );
    println!(
        "Lien d’animation (secret, à ne pas projeter)\u{a0}: {}",
        workshop::facilitator_url(&args.base_url, id, &created.key)
    );
    println!("Gardez ce lien\u{a0}: il ne sera plus affiché, et c’est la seule clé de l’atelier.");
    Ok(())
}

/// Deletes the workshops older than the retention, with their results.
pub fn purge(args: WorkshopPurgeArgs) -> Result<()> {
    let store = Store::open(&args.db.db)
        .with_context(|| "base de données (option --db ou CHEZSOI_DB)".to_string())?;
    let purged = workshop::purge_expired(&store, args.retention.days, workshop::now_unix())?;
    println!(
        "{} atelier(s) de plus de {} jours supprimé(s), avec {} résultat(s).",
        purged.workshops, args.retention.days, purged.results
    );
    Ok(())
}
