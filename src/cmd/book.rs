use anyhow::Result;

use crate::book::{self, BuildOptions, Target};
use crate::cli::BookBuildArgs;
use crate::project::Project;

/// The offline book: opens from disk, quizzes as paper worksheets; with
/// `--pdf`, the same printed by Chromium. With the hidden `--site`, the
/// book `serve` serves (forms wired to the server), built in its child.
pub fn build(args: BookBuildArgs) -> Result<()> {
    let project = Project::open(&args.root.root)?;
    if args.site {
        let options = BuildOptions {
            target: Target::Site,
            out: args.out,
            live_reload_endpoint: args.live_reload,
        };
        book::build(&project, &options)?;
        return Ok(());
    }
    let steps = if args.pdf { 2 } else { 1 };
    println!("[1/{steps}] Vérification des questionnaires et construction du livre…");
    let options = BuildOptions {
        target: Target::Offline,
        out: args.out,
        ..BuildOptions::default()
    };
    let built = book::build(&project, &options)?;
    let out = built.out;
    println!("Livre construit dans {}", out.display());
    println!(
        "Ouvrez {} dans un navigateur, même sans connexion.",
        out.join("index.html").display()
    );
    if args.pdf {
        println!("[2/{steps}] Impression du PDF avec Chromium…");
        let pdf = out.join("chezsoi.pdf");
        book::pdf::print_pdf(&out, &pdf)?;
        let size = std::fs::metadata(&pdf).map(|m| m.len()).unwrap_or(0);
        println!("PDF écrit\u{a0}: {} ({} Ko)", pdf.display(), size / 1024);
    }
    Ok(())
}
