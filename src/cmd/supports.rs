//! `chezsoi supports RENDERER` and `chezsoi preprocess supports RENDERER`:
//! mdBook's question before it runs a preprocessor. mdBook asks
//! `<command> supports <renderer>` where `<command>` is book.toml's
//! `preprocessor.chezsoi.command`, and skips the preprocessor unless the
//! answer is exit code 0.

use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Nom du moteur de rendu (html, markdown…)
    pub renderer: String,
}

/// Says yes for every renderer: both preprocessors work for all of them
/// (admonish strips its markup where it cannot render it).
pub fn run(args: Args) -> Result<()> {
    let Args { renderer: _ } = args;
    Ok(())
}
