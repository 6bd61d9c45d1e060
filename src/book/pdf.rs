//! The PDF, printed from print.html by headless Chromium (Debian's
//! `chromium`). Page numbers, page breaks and the look of callouts come from
//! the print stylesheet, so the PDF and a browser's print agree.
//!
//! Chromium cannot print « see page N » by itself (no CSS `target-counter`),
//! so the contents get their page numbers in two passes: print, read each
//! page's text back with `pdftotext` (poppler-utils) to find where each
//! chapter starts, write the numbers into print.html, print again. The
//! numbers' slots have a fixed width, so the second layout is the first one.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Where Chromium is: `CHEZSOI_CHROMIUM`, else the usual names on PATH.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHEZSOI_CHROMIUM") {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    let dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    names
        .iter()
        .flat_map(|name| dirs.iter().map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// The flags every headless Chromium of the project starts with, the PDF's
/// and the browser tests' alike: no sandbox (CI runs as root), no GPU, no
/// network chatter, no first-run pages.
pub const HEADLESS_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
];

/// A headless Chromium for printing: `HEADLESS_FLAGS`, no extensions, local
/// files allowed to load each other (print.html and its assets), and a
/// throw-away profile.
pub fn headless_command(chromium: &Path, profile: &Path) -> Command {
    let mut command = Command::new(chromium);
    command.args(HEADLESS_FLAGS).args([
        "--disable-extensions",
        "--no-default-browser-check",
        "--allow-file-access-from-files",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// Prints `book_dir/print.html` to `pdf`, showing progress on stdout.
pub fn print_pdf(book_dir: &Path, pdf: &Path) -> Result<()> {
    let Some(chromium) = find_chromium() else {
        bail!(
            "Chromium est introuvable\u{a0}: il faut le navigateur Chromium pour produire le PDF. \
             Installez le paquet Debian «\u{a0}chromium\u{a0}» (sudo apt-get install chromium), \
             ou indiquez son chemin avec la variable CHEZSOI_CHROMIUM."
        );
    };
    let print_html = book_dir.join("print.html");
    if !print_html.is_file() {
        bail!(
            "«\u{a0}{}\u{a0}» manque\u{a0}: activez [output.html.print] dans book.toml",
            print_html.display()
        );
    }
    run_chromium(&chromium, &print_html, pdf)?;
    let Some(texts) = page_texts(pdf) else {
        println!(
            "  pdftotext introuvable\u{a0}: la table des matières reste sans numéros de page \
             (paquet Debian «\u{a0}poppler-utils\u{a0}»)"
        );
        return Ok(());
    };
    let html = std::fs::read_to_string(&print_html)
        .with_context(|| format!("lecture de «\u{a0}{}\u{a0}»", print_html.display()))?;
    let entries = super::print::contents_entries(&html);
    let pages = super::print::find_start_pages(&entries, &texts);
    if pages.len() < entries.len() {
        println!(
            "  {} chapitres sur {} retrouvés dans le PDF pour la table des matières",
            pages.len(),
            entries.len()
        );
    }
    super::print::set_page_numbers(&print_html, &pages)?;
    run_chromium(&chromium, &print_html, pdf)
}

/// The text of each page of `pdf`, or `None` without `pdftotext`.
pub fn page_texts(pdf: &Path) -> Option<Vec<String>> {
    let output = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Some(text.split('\u{c}').map(str::to_string).collect())
}

/// One pass: print.html to `pdf`, showing progress on stdout.
fn run_chromium(chromium: &Path, print_html: &Path, pdf: &Path) -> Result<()> {
    let profile =
        tempfile::tempdir().context("dossier temporaire impossible à créer pour Chromium")?;
    let url = format!("file://{}", print_html.canonicalize()?.display());
    let mut child = headless_command(chromium, profile.path())
        .arg("--no-pdf-header-footer")
        // Bookmarks from the headings: the PDF's own table of contents.
        .arg("--generate-pdf-document-outline")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(url)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("impossible de lancer «\u{a0}{}\u{a0}»", chromium.display()))?;
    // Drained on its own thread: a full pipe would stall Chromium.
    let stderr_pipe = child.stderr.take();
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = stderr_pipe {
            use std::io::Read;
            let _ = pipe.read_to_string(&mut text);
        }
        text
    });

    // Chromium says nothing while it lays out a few hundred pages: show time passing.
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            bail!("Chromium n’a pas fini le PDF en 5 minutes\u{a0}; abandon");
        }
        print!("\r  impression en cours… {} s", started.elapsed().as_secs());
        let _ = std::io::stdout().flush();
        std::thread::sleep(Duration::from_millis(500));
    };
    println!(
        "\r  impression terminée en {:.1} s   ",
        started.elapsed().as_secs_f32()
    );
    if !status.success() || !pdf.is_file() {
        let stderr = stderr_reader.join().unwrap_or_default();
        let last: Vec<&str> = stderr.lines().rev().take(5).collect();
        bail!(
            "Chromium n’a pas produit le PDF (code {status}).{}",
            if last.is_empty() {
                String::new()
            } else {
                format!(
                    "\nDernières lignes\u{a0}:\n{}",
                    last.into_iter().rev().collect::<Vec<_>>().join("\n")
                )
            }
        );
    }
    Ok(())
}
