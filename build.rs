//! Installs the npm package whose French Snowball stemmer the book's search
//! runs in the browser (lunr-languages), so that a reader's query is stemmed
//! exactly as the index was. The files are embedded in the binary
//! (`include_str!` in src/book/search.rs): `chezsoi` then needs neither npm
//! nor a network at run time.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Pinned: the query-side stemmer must stay the one the tests compared with
/// the index-side stemmer (rust-stemmers).
const LUNR_LANGUAGES: &str = "lunr-languages@1.22.0";
const FILES: [&str; 3] = [
    "min/lunr.stemmer.support.min.js",
    "min/lunr.fr.min.js",
    "LICENSE",
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=NPM");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let prefix = out.join("npm");
    let package = prefix.join("node_modules/lunr-languages");
    if !FILES.iter().all(|file| package.join(file).is_file()) {
        install(&prefix);
    }
    for file in FILES {
        let from = package.join(file);
        let name = Path::new(file).file_name().expect("a file name");
        std::fs::copy(&from, out.join(name))
            .unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    }
}

fn install(prefix: &Path) {
    std::fs::create_dir_all(prefix).expect("OUT_DIR is writable");
    let npm = std::env::var("NPM").unwrap_or_else(|_| "npm".to_string());
    let status = Command::new(&npm)
        .args([
            "install",
            "--no-save",
            "--no-package-lock",
            "--no-audit",
            "--no-fund",
            "--prefer-offline",
            "--ignore-scripts",
            "--loglevel=error",
            "--prefix",
        ])
        .arg(prefix)
        .arg(LUNR_LANGUAGES)
        .status();
    match status {
        Ok(status) if status.success() => {}
        Ok(status) => panic!(
            "`{npm} install {LUNR_LANGUAGES}` failed ({status}): the book's search needs this \
             npm package (French stemmer). Check the connection to the npm registry."
        ),
        Err(e) => panic!(
            "`{npm}` cannot be run ({e}): building chezsoi needs Node.js's npm to install \
             {LUNR_LANGUAGES}, the French stemmer of the book's search \
             (Debian: apt-get install npm; or set NPM to its path)."
        ),
    }
}
