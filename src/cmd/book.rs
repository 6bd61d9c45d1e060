use anyhow::Result;

use crate::book::{self, BuildOptions};
use crate::cli::BookBuildArgs;
use crate::project::Project;

pub fn build(args: BookBuildArgs) -> Result<()> {
    let project = Project::open(&args.root.root)?;
    let built = book::build(
        &project,
        &BuildOptions {
            out: args.out,
            ..BuildOptions::default()
        },
    )?;
    let out = built.out;
    println!("Livre construit dans {}", out.display());
    println!(
        "Ouvrez {} dans un navigateur.",
        out.join("index.html").display()
    );
    Ok(())
}
