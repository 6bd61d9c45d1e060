//! `chezsoi book build`: the offline book, and its PDF.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};

use super::{HELP_TEMPLATE, RootArg};
use crate::book::{self, BuildOptions, Target};
use crate::project::Project;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Construit le livre en HTML autonome (et en PDF avec --pdf)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Options\u{a0}")]
    Build(BuildArgs),
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Dossier de sortie (par défaut, build-dir de book.toml : target/book)
    #[arg(long, env = "CHEZSOI_OUT", value_name = "DOSSIER")]
    pub out: Option<PathBuf>,
    /// Produit aussi DOSSIER/chezsoi.pdf avec Chromium (paquet Debian « chromium »)
    #[arg(long, env = "CHEZSOI_PDF")]
    pub pdf: bool,
    #[command(flatten)]
    pub root: RootArg,
    /// Version pour le site (formulaires reliés au serveur) : utilisé par `serve`
    #[arg(long, hide = true)]
    pub site: bool,
    /// Adresse du flux de rechargement (aperçu en direct) : utilisé par `serve --watch`
    #[arg(long, hide = true, value_name = "CHEMIN")]
    pub live_reload: Option<String>,
}

pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Build(args) => build(args),
    }
}

/// The offline book: opens from disk, quizzes as paper worksheets; with
/// `--pdf`, the same printed by Chromium. With the hidden `--site`, the
/// book `serve` serves (forms wired to the server), built in its child.
fn build(args: BuildArgs) -> Result<()> {
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
