//! Builds the book with mdBook, in-process.
//!
//! mdBook 0.4 has two traps that this module steps around:
//! - every `[preprocessor.X]` table in book.toml becomes a *command*
//!   preprocessor, so the table meant for a stock `mdbook` (`chezsoi`) is
//!   removed from the loaded configuration, and the default preprocessors are
//!   turned off and registered here in their documented order;
//! - mdbook-admonish refuses to run without `preprocessor.admonish.assets_version`,
//!   which must be set *after* loading (setting it before would add a command
//!   preprocessor named `admonish`).

mod offline;
pub mod pdf;
pub mod preprocessor;
pub mod print;
pub mod search;

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use mdbook::MDBook;
use mdbook::config::Config;
use mdbook::preprocess::{IndexPreprocessor, LinkPreprocessor, Preprocessor};

pub use preprocessor::{Directive, QuizDirectives, Target, directives};

use crate::content::Content;
use crate::project::Project;

/// The assets version our own admonition stylesheet is written for.
const ADMONISH_ASSETS_VERSION: &str = "3.0.0";

/// Name of the table in book.toml that configures the stock-mdBook path.
const OWN_PREPROCESSOR: &str = "chezsoi";

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub target: Target,
    /// Where to write the HTML; defaults to book.toml's `build.build-dir`.
    pub out: Option<PathBuf>,
    /// Path (without leading slash) of the server's live-reload event stream.
    pub live_reload_endpoint: Option<String>,
}

/// The preprocessors that transform chapter content, in order. Shared by the
/// in-process build and `chezsoi preprocess`.
pub fn content_preprocessors(
    content: Arc<Content>,
    target: Target,
) -> Result<Vec<Box<dyn Preprocessor>>> {
    Ok(vec![
        Box::new(QuizDirectives::new(content, target)?),
        Box::new(mdbook_admonish::Admonish),
    ])
}

/// Sets what mdbook-admonish needs on an already loaded configuration.
pub fn prepare_admonish_config(config: &mut Config) -> Result<()> {
    config
        .set(
            "preprocessor.admonish.assets_version",
            ADMONISH_ASSETS_VERSION,
        )
        .context("configuration des encadrés impossible")?;
    config
        .set("preprocessor.admonish.on_failure", "bail")
        .context("configuration des encadrés impossible")?;
    Ok(())
}

/// Reads book.toml and checks it before anything is built.
pub fn load_config(project: &Project, out: Option<&Path>) -> Result<Config> {
    let mut config = project.read_config()?;
    if let Some(out) = out {
        let out = if out.is_absolute() {
            out.to_path_buf()
        } else {
            std::env::current_dir()?.join(out)
        };
        config.build.build_dir = out;
    }
    check_build_dir(&project.root, &config)?;
    if let Some(table) = config
        .get_mut("preprocessor")
        .and_then(|v| v.as_table_mut())
    {
        table.remove(OWN_PREPROCESSOR);
    }
    config.build.use_default_preprocessors = false;
    config.build.create_missing = false;
    Ok(config)
}

/// Refuses a build directory that equals, contains or sits inside the
/// chapters' folder: mdBook empties its build directory first, which would
/// delete the chapters.
pub fn check_build_dir(root: &Path, config: &Config) -> Result<()> {
    let src = normalize(&root.join(&config.book.src));
    let build = normalize(&root.join(&config.build.build_dir));
    if src.starts_with(&build) || build.starts_with(&src) {
        bail!(
            "dossier de construction refusé\u{a0}: «\u{a0}{}\u{a0}» {} le dossier des chapitres «\u{a0}{}\u{a0}». \
             mdBook vide son dossier de construction avant d’écrire, ce qui effacerait les chapitres. \
             Choisissez un autre dossier (build-dir = \"target/book\" dans book.toml, ou --out).",
            build.display(),
            if src == build {
                "est"
            } else if src.starts_with(&build) {
                "contient"
            } else {
                "est à l’intérieur de"
            },
            src.display()
        );
    }
    Ok(())
}

/// Lexical normalisation (`.` and `..`), since the build folder may not exist yet.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Loads the book with our preprocessors registered, ready to build.
pub fn load(project: &Project, options: &BuildOptions, content: Arc<Content>) -> Result<MDBook> {
    let mut config = load_config(project, options.out.as_deref())?;
    if let Some(endpoint) = &options.live_reload_endpoint {
        config.set("output.html.live-reload-endpoint", endpoint)?;
    }
    let mut book = MDBook::load_with_config(&project.root, config).with_context(|| {
        format!(
            "impossible de charger le livre\u{a0}: vérifiez que chaque chapitre listé dans «\u{a0}{}\u{a0}» existe",
            project.root.join("book/SUMMARY.md").display()
        )
    })?;
    prepare_admonish_config(&mut book.config)?;
    // Quiz directives go first: mdBook's link preprocessor strips the
    // backslash of *every* escaped `\{{#…}}`, which would turn an escaped
    // quiz directive into a live one.
    let mut preprocessors = content_preprocessors(content, options.target)?.into_iter();
    if let Some(quizzes) = preprocessors.next() {
        book.with_preprocessor(BoxedPreprocessor(quizzes));
    }
    book.with_preprocessor(LinkPreprocessor::new());
    book.with_preprocessor(IndexPreprocessor::new());
    for preprocessor in preprocessors {
        book.with_preprocessor(BoxedPreprocessor(preprocessor));
    }
    Ok(book)
}

/// A built book: where its HTML is, and the content it was built from.
#[derive(Debug, Clone)]
pub struct Built {
    pub out: PathBuf,
    pub content: Content,
}

/// Validates the quizzes, then builds the HTML book.
pub fn build(project: &Project, options: &BuildOptions) -> Result<Built> {
    let content = Content::load(project)?;
    let book = load(project, options, Arc::new(content.clone()))?;
    let out = book.build_dir_for("html");
    book.build().context("la construction du livre a échoué")?;
    search::write_for(&book, &out)?;
    print::finish(&book, &out)?;
    if options.target == Target::Offline {
        offline::unlink_server_routes(&out)?;
    }
    name_callout_anchors(&out)?;
    offline::open_contents_in_place(&out)?;
    offline::remove_unused_assets(&out)?;
    Ok(Built { out, content })
}

/// `with_preprocessor` wants a concrete type; this adapts a boxed one.
struct BoxedPreprocessor(Box<dyn Preprocessor>);

impl Preprocessor for BoxedPreprocessor {
    fn name(&self) -> &str {
        self.0.name()
    }

    fn run(
        &self,
        ctx: &mdbook::preprocess::PreprocessorContext,
        book: mdbook::book::Book,
    ) -> mdbook::errors::Result<mdbook::book::Book> {
        self.0.run(ctx, book)
    }

    fn supports_renderer(&self, renderer: &str) -> bool {
        self.0.supports_renderer(renderer)
    }
}

/// mdbook-admonish gives each callout an anchor link with no text (its "§"
/// comes from CSS): screen readers would announce an empty link. Every built
/// page gets a name for them.
fn name_callout_anchors(dir: &Path) -> Result<()> {
    const BARE: &str = "<a class=\"admonition-anchor-link\" href=";
    const NAMED: &str =
        "<a class=\"admonition-anchor-link\" aria-label=\"Lien vers cet encadré\" href=";
    for entry in std::fs::read_dir(dir)
        .with_context(|| format!("lecture de «\u{a0}{}\u{a0}»", dir.display()))?
    {
        let path = entry?.path();
        if path.is_dir() {
            name_callout_anchors(&path)?;
        } else if path.extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(&path)?;
            if html.contains(BARE) {
                std::fs::write(&path, html.replace(BARE, NAMED))?;
            }
        }
    }
    Ok(())
}
