use anyhow::Result;

use crate::book::{self, BuildOptions};
use crate::cli::BookBuildArgs;
use crate::project::Project;

pub fn build(args: BookBuildArgs) -> Result<()> {
    let project = Project::open(&args.root.root)?;
    let out = book::build(
        &project,
        &BuildOptions {
            out: args.out,
            ..BuildOptions::default()
        },
    )?;
    println!("Livre construit dans {}", out.display());
    println!(
        "Ouvrez {} dans un navigateur.",
        out.join("index.html").display()
    );
    Ok(())
}
