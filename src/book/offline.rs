//! Pages that must work with less: the offline book (opened from disk) has
//! no server behind it, so a link to a server route (the workshop creation
//! page `atelier/nouveau`, a quiz page…) would lead nowhere: such links
//! become their text, while links to the book's pages, anchors and the web
//! stay. And the contents page (toc.html) serves readers without JavaScript.
//! mdBook also writes files that no page of this book loads (icon font,
//! code highlighter, clipboard helper): they are removed, so that the
//! offline folder carries only what it uses.

use std::path::Path;
use std::sync::LazyLock;

use anyhow::{Context, Result};
use regex::{Captures, Regex};

use super::print::{is_external, normalize_path};

static LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?s)<a\b[^>]*\bhref="([^"]*)"[^>]*>(.*?)</a>"#).unwrap());

/// Unwraps, in every page under `root`, the links that lead to no file of
/// the book.
pub fn unlink_server_routes(root: &Path) -> Result<()> {
    visit(root, root)
}

fn visit(root: &Path, dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir)
        .with_context(|| format!("lecture de «\u{a0}{}\u{a0}»", dir.display()))?
    {
        let path = entry?.path();
        if path.is_dir() {
            visit(root, &path)?;
        } else if path.extension().is_some_and(|e| e == "html") {
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let folder = relative.rsplit_once('/').map_or("", |(folder, _)| folder);
            let html = std::fs::read_to_string(&path)
                .with_context(|| format!("lecture de «\u{a0}{}\u{a0}»", path.display()))?;
            let fixed = LINK.replace_all(&html, |c: &Captures| {
                let href = &c[1];
                let file = href.split(['#', '?']).next().unwrap_or("");
                if is_external(href) || file.is_empty() {
                    return c[0].to_string();
                }
                let target = normalize_path(&format!("{folder}/{file}"));
                let exists =
                    root.join(&target).is_file() || root.join(&target).join("index.html").is_file();
                if exists {
                    c[0].to_string()
                } else {
                    c[2].to_string()
                }
            });
            if fixed != html {
                std::fs::write(&path, fixed.as_bytes())
                    .with_context(|| format!("écriture de «\u{a0}{}\u{a0}»", path.display()))?;
            }
        }
    }
    Ok(())
}

/// toc.html is mdBook's contents for a frame (`target="_parent"` links); here
/// it is a page of its own, where the contents button leads without
/// JavaScript: its links open in place.
pub fn open_contents_in_place(dir: &Path) -> Result<()> {
    let path = dir.join("toc.html");
    let Ok(html) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    std::fs::write(&path, html.replace(" target=\"_parent\"", ""))
        .with_context(|| format!("écriture de «\u{a0}{}\u{a0}»", path.display()))
}

/// What mdBook writes for books with code or icons: no page here loads them
/// (theme/index.hbs), so they go.
const UNUSED: [&str; 6] = [
    "FontAwesome",
    "highlight.js",
    "highlight.css",
    "tomorrow-night.css",
    "ayu-highlight.css",
    "clipboard.min.js",
];

/// Removes mdBook's files that no page of the book loads.
pub fn remove_unused_assets(dir: &Path) -> Result<()> {
    for name in UNUSED {
        let path = dir.join(name);
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else if path.is_file() {
            std::fs::remove_file(&path)
        } else {
            continue;
        };
        removed.with_context(|| format!("suppression de «\u{a0}{}\u{a0}»", path.display()))?;
    }
    Ok(())
}
