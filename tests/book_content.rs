//! The real book: every chapter exists and says something, every relative
//! link and anchor of the built HTML resolves, the section anchors the
//! diagnostic links to exist, every figure and year has a source in the
//! figures annex, and the French typography holds.
//!
//! The book is built once for the whole test binary, from a copy of the
//! project in `CARGO_TARGET_TMPDIR`.

mod support;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chezsoi::book::{self, BuildOptions};
use chezsoi::project::Project;

/// The anchors the diagnostic's recommendations link to: the contract between
/// the book and the quiz files (`FILE#id`). The book may add anchors, never
/// drop or rename these.
const CONTRACT: &[(&str, &[&str])] = &[
    (
        "05-action/index.md",
        &["premier-jour", "premiere-semaine", "premier-mois"],
    ),
    (
        "05-action/site.md",
        &[
            "nom-de-domaine",
            "creer-son-site",
            "reprendre-son-site",
            "referencement",
        ],
    ),
    (
        "05-action/liste.md",
        &[
            "choisir-un-outil",
            "consentement",
            "formulaire",
            "inviter-son-public",
            "premier-envoi",
        ],
    ),
    (
        "05-action/publier.md",
        &[
            "chez-soi-d-abord",
            "presence-minimale",
            "linkedin",
            "fediverse",
            "moins-de-temps",
        ],
    ),
    (
        "05-action/independants.md",
        &["parcours", "references", "prospection"],
    ),
    (
        "05-action/commerce.md",
        &["parcours", "fiche-etablissement", "horaires", "avis"],
    ),
    (
        "05-action/createurs.md",
        &["parcours", "soutiens", "relier-soutiens-liste"],
    ),
    (
        "05-action/associations.md",
        &[
            "parcours",
            "remplacer-whatsapp",
            "adhesions",
            "espace-membres",
        ],
    ),
    (
        "05-action/exporter.md",
        &[
            "exporter-contacts",
            "exporter-contenus",
            "quitter-une-plateforme",
        ],
    ),
    (
        "05-action/mesurer.md",
        &[
            "comment-m-avez-vous-connu",
            "utm",
            "mesure-respectueuse",
            "tableau-de-bord",
            "publicite",
        ],
    ),
];

/// Heading ids of the argument chapters as they stood when the diagnostic
/// started linking to them (automatic mdBook ids): the book keeps them, so
/// that a recommendation pointing to an argument section never breaks. The
/// ids of the comprehension checks come from the quiz titles and are not
/// listed.
const ARGUMENT_IDS: &[(&str, &[&str])] = &[
    (
        "01-incontournables.md",
        &[
            "pourquoi-les-réseaux-sociaux-sont-devenus-incontournables",
            "des-chiffres-vertigineux-qui-ne-disent-pas-tout",
            "la-rente-de-situation",
            "youtube--les-mêmes-outils-pas-la-même-audience",
            "rien-de-neuf-sous-le-soleil-du-web",
            "lâge-dor-des-blogs",
            "exister-en-ligne-cest-faire-réagir",
            "trois-moteurs-de-la-croissance",
            "une-foule-déjà-là",
            "un-démarrage-relativement-simple",
            "la-gratuité",
            "ce-que-cela-signifie-pour-vous",
            "vérifiez-votre-compréhension",
        ],
    ),
    (
        "02-portee.md",
        &[
            "la-perte-de-portée",
            "pourquoi-tout-le-monde-publie-sur-les-réseaux",
            "un-coût-bien-réel--votre-temps",
            "le-succès-puni",
            "des-résultats-imprévisibles",
            "qui-travaille-pour-qui-",
            "ce-que-veulent-les-plateformes--votre-attention",
            "toute-réaction-est-bonne-à-prendre",
            "lalgorithme-vous-dicte-sa-ligne",
            "ce-que-vous-voulez--des-visites-et-des-ventes",
            "la-prime-au-contenu-natif",
            "noyé-dans-la-masse",
            "une-dynamique-malsaine",
            "ni-tout-ni-rien",
            "vérifiez-votre-compréhension",
        ],
    ),
    (
        "03-audience.md",
        &[
            "À-qui-appartient-votre-audience-",
            "rien-nest-gratuit-sur-le-web",
            "derrière-chaque-page-une-facture",
            "locataire-sans-bail",
            "votre-communauté-nest-pas-à-vous",
            "ce-que-vous-contrôlez-ce-qui-vous-échappe",
            "une-suppression-et-tout-disparaît",
            "quand-la-plateforme-elle-même-séteint",
            "gratuit-pour-vous-rentable-pour-qui-",
            "ce-qui-fait-monter-la-valeur-dun-réseau",
            "les-vrais-clients-sont-les-annonceurs",
            "victimes-et-complices-à-la-fois",
            "des-questions-de-principe",
            "des-plateformes-surtout-américaines",
            "un-contexte-politique-qui-peut-changer-la-donne",
            "lavertissement-snowden",
            "le-principe-de-réalité",
            "partir-seul-ou-rester-docile--un-choix-en-trompe-lœil",
            "vérifiez-votre-compréhension",
        ],
    ),
    (
        "04-alternatives.md",
        &[
            "les-alternatives",
            "un-faux-dilemme",
            "on-se-rencontrait-avant-facebook",
            "trois-milliards-dun-côté-cinq-de-lautre",
            "une-présence-minimale-suffit",
            "faire-acte-de-présence-sans-en-attendre-de-trafic",
            "si-vous-payez-payez-au-bon-endroit",
            "le-référencement-naturel-travaille-pour-vous-dans-la-durée",
            "des-canaux-qui-vous-appartiennent",
            "démodé-et-pourtant-imbattable",
            "la-portée-organique-nest-plus-votre-affaire",
            "chez-vous-vous-ne-luttez-contre-personne",
            "un-abonné-engage-davantage-quun-suiveur",
            "personne-dautre-ne-peut-les-fermer",
            "la-qualité-plutôt-que-la-quantité",
            "compter-autrement",
            "tipeee-ko-fi-et-le-découplage",
            "linkedin-le-réseau-à-garder",
            "un-réseau-imparfait",
            "-mais-incontournable-dans-le-monde-du-travail",
            "les-bonnes-personnes-pour-de-bonnes-raisons",
            "le-fediverse-des-réseaux-au-service-de-leurs-membres",
            "libres-et-décentralisés",
            "un-logiciel-qui-travaille-pour-vous",
            "tous-copropriétaires",
            "et-maintenant-",
            "vérifiez-votre-compréhension",
        ],
    ),
];

/// A copy of the real project (book, quizzes, theme, book.toml), built once.
struct RealBook {
    root: PathBuf,
    out: PathBuf,
}

fn real_book() -> &'static RealBook {
    static BUILT: OnceLock<RealBook> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("book_content");
        if root.exists() {
            std::fs::remove_dir_all(&root).unwrap();
        }
        std::fs::create_dir_all(&root).unwrap();
        let manifest = Path::new(support::MANIFEST_DIR);
        std::fs::copy(manifest.join("book.toml"), root.join("book.toml")).unwrap();
        for folder in ["theme", "book", "quizzes"] {
            support::copy_dir(&manifest.join(folder), &root.join(folder));
        }
        let project = Project::open(&root).unwrap();
        let built = book::build(&project, &BuildOptions::default())
            .unwrap_or_else(|e| panic!("the real book builds: {e:#}"));
        RealBook {
            root,
            out: built.out,
        }
    })
}

fn source_root() -> &'static Path {
    Path::new(support::MANIFEST_DIR)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            html_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

/// Values of an attribute (`href="…"`) in a page.
fn attribute_values<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    let needle = format!(" {attribute}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let start = i + needle.len();
            html[start..].find('"').map(|end| &html[start..start + end])
        })
        .collect()
}

/// Ids carried by headings (`<h2 id="…">`) in a page.
fn heading_ids(html: &str) -> BTreeSet<String> {
    html.match_indices("<h")
        .filter_map(|(i, _)| {
            let rest = &html[i + 2..];
            let level = rest.chars().next()?;
            if !('1'..='6').contains(&level) {
                return None;
            }
            let tag_end = rest.find('>')?;
            attribute_values(&rest[..tag_end], "id")
                .first()
                .map(|id| id.to_string())
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Targets of `[title](target)` links.
fn markdown_link_targets(markdown: &str) -> Vec<&str> {
    markdown
        .match_indices("](")
        .filter_map(|(i, _)| {
            markdown[i + 2..]
                .find(')')
                .map(|end| &markdown[i + 2..i + 2 + end])
        })
        .collect()
}

/// The chapters listed in SUMMARY.md, as paths relative to `book/`.
fn summary_chapters() -> Vec<String> {
    let summary = read(&source_root().join("book/SUMMARY.md"));
    markdown_link_targets(&summary)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// Chapters in the sense of the figures rule: every page but the annexes.
fn chapters_outside_annexes() -> Vec<String> {
    summary_chapters()
        .into_iter()
        .filter(|c| !c.starts_with("annexes/"))
        .collect()
}

/// The prose of a Markdown page, line by line (number, text): fenced code
/// blocks other than callouts are dropped; inline code, link targets and
/// bare URLs are blanked out. Callout fence lines are kept, so that their
/// titles are checked like the prose.
fn prose_lines(markdown: &str) -> Vec<(usize, String)> {
    let mut lines = Vec::new();
    let mut in_code = false;
    for (number, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            if in_code {
                in_code = false;
            } else if !info.is_empty() && !info.starts_with("admonish") {
                in_code = true;
            } else {
                lines.push((number + 1, line.to_owned()));
            }
            continue;
        }
        if !in_code {
            lines.push((number + 1, blank_code_and_targets(line)));
        }
    }
    lines
}

fn blank_code_and_targets(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('`') {
            match after.find('`') {
                Some(end) => {
                    out.push(' ');
                    rest = &after[end + 1..];
                }
                None => rest = "",
            }
        } else if let Some(after) = rest.strip_prefix("](") {
            out.push(']');
            rest = after.find(')').map_or("", |end| &after[end + 1..]);
        } else if rest.starts_with("http://") || rest.starts_with("https://") {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            rest = &rest[end..];
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Small numbers written in words, as they appear before « milliards ».
const NUMBER_WORDS: &[(&str, &str)] = &[
    ("un", "1"),
    ("deux", "2"),
    ("trois", "3"),
    ("quatre", "4"),
    ("cinq", "5"),
    ("six", "6"),
    ("sept", "7"),
    ("huit", "8"),
    ("neuf", "9"),
    ("dix", "10"),
];

/// The unit that makes a number a figure to be sourced, normalised
/// (`milliards` → `milliard`, `euros` → `€`), if `word` is one.
fn unit(word: &str) -> Option<&'static str> {
    match word.trim_end_matches([',', '.', ';', ')', '*']) {
        "milliard" | "milliards" => Some("milliard"),
        "million" | "millions" => Some("million"),
        "%" => Some("%"),
        "€" | "euro" | "euros" => Some("€"),
        _ => None,
    }
}

/// A number token (`3`, `3,07`, `2,5`) or a number word.
fn number(word: &str) -> Option<String> {
    let word = word.trim_matches('*').trim_start_matches(['(', '«']);
    if let Some((_, digits)) = NUMBER_WORDS
        .iter()
        .find(|(w, _)| word.eq_ignore_ascii_case(w))
    {
        return Some(digits.to_string());
    }
    let word = word.trim_end_matches([',', '.', ';', ')', '*']);
    let valid = !word.is_empty()
        && word.chars().next().unwrap().is_ascii_digit()
        && word.chars().all(|c| c.is_ascii_digit() || c == ',')
        && !word.ends_with(',');
    valid.then(|| word.to_owned())
}

/// Figures in a text: a number followed by a unit (`3 milliards`, `8 %`,
/// `20 €`), and both ends of a range (`de 10 à 20 € par an`).
fn figures(text: &str) -> BTreeSet<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut found = BTreeSet::new();
    for (i, word) in words.iter().enumerate() {
        let Some(value) = number(word) else { continue };
        let next = words.get(i + 1).copied().unwrap_or("");
        if let Some(unit) = unit(next) {
            found.insert(format!("{value} {unit}"));
        } else if next == "à" {
            let (Some(upper), Some(unit)) = (
                words.get(i + 2).and_then(|w| number(w)),
                words.get(i + 3).and_then(|w| unit(w)),
            ) else {
                continue;
            };
            found.insert(format!("{value} {unit}"));
            found.insert(format!("{upper} {unit}"));
        }
    }
    found
}

/// Years in a text: four-digit numbers from 1900 to 2099 standing alone.
fn years(text: &str) -> BTreeSet<u32> {
    let mut found = BTreeSet::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let before = start.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i).copied();
            let glued = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '/');
            if i - start == 4 && !glued(before) && !glued(after) {
                let value: u32 = chars[start..i].iter().collect::<String>().parse().unwrap();
                if (1900..2100).contains(&value) {
                    found.insert(value);
                }
            }
        } else {
            i += 1;
        }
    }
    found
}

/// Rows of the figures annex that name a source: the text of every row of
/// every table whose `Source` column is filled in.
fn sourced_annex_rows() -> Vec<String> {
    let annex = read(&source_root().join("book/annexes/chiffres.md"));
    let mut rows = Vec::new();
    let mut source_column: Option<usize> = None;
    let mut in_table = false;
    for line in annex.lines() {
        if !line.starts_with('|') {
            in_table = false;
            source_column = None;
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if !in_table {
            in_table = true;
            source_column = cells.iter().position(|c| *c == "Source");
            continue;
        }
        if cells.iter().all(|c| c.chars().all(|ch| ch == '-')) {
            continue;
        }
        let column = source_column.expect("every table of the figures annex has a Source column");
        let source = cells.get(column).copied().unwrap_or("");
        if !source.is_empty() && source != "—" {
            rows.push(line.replace('\u{a0}', " "));
        }
    }
    rows
}

#[test]
fn every_chapter_of_the_summary_exists_and_is_substantial() {
    let chapters = summary_chapters();
    assert!(
        chapters.len() >= 10,
        "SUMMARY.md lists only {} chapters",
        chapters.len()
    );
    for chapter in chapters {
        let text = std::fs::read_to_string(source_root().join("book").join(&chapter))
            .unwrap_or_else(|_| panic!("{chapter} is listed in SUMMARY.md but missing"));
        let words = text
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphabetic))
            .count();
        assert!(words >= 400, "{chapter} has only {words} words");
        let h1 = text.lines().filter(|l| l.starts_with("# ")).count();
        assert_eq!(h1, 1, "{chapter} must have exactly one level-1 heading");
        if chapter.starts_with('0') {
            assert!(
                text.contains("```admonish tip title=\"À retenir\""),
                "{chapter} has no « À retenir » callout"
            );
        }
    }
}

/// Counted as `cat book/*.md book/*/*.md | wc -w` counts.
#[test]
fn the_book_is_between_twelve_and_twenty_two_thousand_words() {
    let book = source_root().join("book");
    let mut files = Vec::new();
    for dir in [book.clone(), book.join("05-action"), book.join("annexes")] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    let words: usize = files
        .iter()
        .map(|f| read(f).split_whitespace().count())
        .sum();
    assert!(
        (12_000..=22_000).contains(&words),
        "the book has {words} words, outside 12,000–22,000"
    );
}

#[test]
fn argument_chapters_embed_their_comprehension_check() {
    let out = &real_book().out;
    for (page, quiz) in [
        ("01-incontournables.html", "verif-incontournables"),
        ("02-portee.html", "verif-portee"),
        ("03-audience.html", "verif-audience"),
        ("04-alternatives.html", "verif-alternatives"),
    ] {
        let html = read(&out.join(page));
        assert!(
            html.contains(&format!("data-quiz=\"{quiz}\"")),
            "{page} does not embed {quiz}"
        );
    }
    let intro = read(&out.join("index.html"));
    assert!(
        intro.contains("05-action/diagnostic.html"),
        "the introduction does not link the diagnostic"
    );
    let diagnostic = read(&out.join("05-action/diagnostic.html"));
    assert!(diagnostic.contains("data-quiz=\"diagnostic\""));
}

/// The last paragraph of a page is not a plug for the diagnostic: the book
/// links it where it helps (the foreword, « Passer à l’action »), not at the
/// foot of every page.
#[test]
fn pages_do_not_end_with_a_plug_for_the_diagnostic() {
    let mut plugs = Vec::new();
    for chapter in summary_chapters() {
        let text = read(&source_root().join("book").join(&chapter));
        let last = text
            .split("\n\n")
            .map(str::trim)
            .filter(|block| {
                !block.is_empty()
                    && !block.starts_with("```")
                    && !block.starts_with('#')
                    && !block.starts_with("{{#")
            })
            .last()
            .unwrap_or("");
        if last.contains("diagnostic.md") && chapter != "05-action/diagnostic.md" {
            plugs.push(chapter);
        }
    }
    assert!(
        plugs.is_empty(),
        "pages ending with a plug for the diagnostic: {plugs:?}"
    );
}

#[test]
fn every_anchor_of_the_contract_is_a_heading_of_the_built_book() {
    let out = &real_book().out;
    let mut missing = Vec::new();
    let mut checked = 0;
    for (chapter, anchors) in CONTRACT {
        let page = out.join(chapter.replace(".md", ".html"));
        let ids = heading_ids(&read(&page));
        for anchor in *anchors {
            checked += 1;
            if !ids.contains(*anchor) {
                missing.push(format!("{chapter}#{anchor}"));
            }
        }
    }
    assert_eq!(checked, 39, "the contract lists 39 anchors");
    assert!(missing.is_empty(), "anchors missing: {missing:?}");
}

#[test]
fn the_argument_chapters_keep_their_heading_ids() {
    let out = &real_book().out;
    let mut missing = Vec::new();
    for (chapter, anchors) in ARGUMENT_IDS {
        let ids = heading_ids(&read(&out.join(chapter.replace(".md", ".html"))));
        missing.extend(
            anchors
                .iter()
                .filter(|anchor| !ids.contains(**anchor))
                .map(|anchor| format!("{chapter}#{anchor}")),
        );
    }
    assert!(
        missing.is_empty(),
        "argument headings renamed or removed: {missing:?}"
    );
}

/// Every `chapter = "FILE#id"` of a quiz file resolves to a heading of the
/// built book (the quiz validator checks the file, not the anchor).
#[test]
fn every_anchor_a_quiz_file_links_to_exists() {
    let book = real_book();
    let mut links = Vec::new();
    for entry in std::fs::read_dir(book.root.join("quizzes")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let document: toml_edit::DocumentMut = read(&path).parse().unwrap();
        collect_chapters(document.as_item(), &path, &mut links);
    }
    assert!(!links.is_empty(), "no quiz file names a chapter");
    let mut broken = Vec::new();
    for (quiz, link) in &links {
        let (file, anchor) = link.split_once('#').unwrap_or((link, ""));
        let page = book.out.join(file.replace(".md", ".html"));
        let Ok(html) = std::fs::read_to_string(&page) else {
            broken.push(format!("{}: {link} (no page)", quiz.display()));
            continue;
        };
        if !anchor.is_empty() && !heading_ids(&html).contains(anchor) {
            broken.push(format!("{}: {link} (no heading #{anchor})", quiz.display()));
        }
    }
    assert!(broken.is_empty(), "quiz links broken: {broken:#?}");
}

fn collect_chapters(item: &toml_edit::Item, quiz: &Path, out: &mut Vec<(PathBuf, String)>) {
    use toml_edit::{Item, Value};
    fn value(v: &Value, quiz: &Path, out: &mut Vec<(PathBuf, String)>) {
        match v {
            Value::InlineTable(table) => {
                for (key, v) in table.iter() {
                    match (key, v) {
                        ("chapter", Value::String(link)) => {
                            out.push((quiz.to_path_buf(), link.value().clone()))
                        }
                        _ => value(v, quiz, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| value(v, quiz, out)),
            _ => {}
        }
    }
    let table = |table: &toml_edit::Table, out: &mut Vec<(PathBuf, String)>| {
        for (key, item) in table.iter() {
            match (key, item.as_str()) {
                ("chapter", Some(link)) => out.push((quiz.to_path_buf(), link.to_string())),
                _ => collect_chapters(item, quiz, out),
            }
        }
    };
    match item {
        Item::Table(t) => table(t, out),
        Item::ArrayOfTables(tables) => tables.iter().for_each(|t| table(t, out)),
        Item::Value(v) => value(v, quiz, out),
        Item::None => {}
    }
}

#[test]
fn every_year_and_figure_of_the_chapters_has_a_sourced_row_in_the_annex() {
    let rows = sourced_annex_rows();
    assert!(
        rows.len() >= 20,
        "only {} sourced rows in the annex",
        rows.len()
    );
    let row_years: Vec<BTreeSet<u32>> = rows.iter().map(|r| years(r)).collect();
    let row_figures: Vec<BTreeSet<String>> = rows.iter().map(|r| figures(r)).collect();
    let mut unsourced = Vec::new();
    let mut seen = 0;
    for chapter in chapters_outside_annexes() {
        let text = read(&source_root().join("book").join(&chapter));
        for (line, prose) in prose_lines(&text) {
            let prose = prose.replace('\u{a0}', " ");
            for year in years(&prose) {
                seen += 1;
                if !row_years.iter().any(|ys| ys.contains(&year)) {
                    unsourced.push(format!("{chapter}:{line}: {year}"));
                }
            }
            for figure in figures(&prose) {
                seen += 1;
                if !row_figures.iter().any(|fs| fs.contains(&figure)) {
                    unsourced.push(format!("{chapter}:{line}: {figure}"));
                }
            }
        }
    }
    assert!(
        seen >= 20,
        "only {seen} years and figures found in the chapters"
    );
    assert!(
        unsourced.is_empty(),
        "not in the figures annex with a source:\n{}",
        unsourced.join("\n")
    );
}

#[test]
fn no_two_key_figure_boxes_carry_the_same_figure() {
    let mut boxes: Vec<(String, BTreeSet<String>)> = Vec::new();
    for chapter in summary_chapters() {
        let text = read(&source_root().join("book").join(&chapter)).replace('\u{a0}', " ");
        let mut inside = None::<String>;
        for (number, line) in text.lines().enumerate() {
            if line.starts_with("```admonish") && line.contains("title=\"Chiffre clé\"") {
                inside = Some(String::new());
                boxes.push((format!("{chapter}:{}", number + 1), BTreeSet::new()));
            } else if line.starts_with("```") && inside.is_some() {
                let body = inside.take().unwrap();
                boxes.last_mut().unwrap().1 = figures(&body);
            } else if let Some(body) = inside.as_mut() {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    assert!(
        boxes.len() >= 2,
        "only {} « Chiffre clé » boxes",
        boxes.len()
    );
    for (place, figures) in &boxes {
        assert!(
            !figures.is_empty(),
            "the « Chiffre clé » box at {place} has no figure"
        );
    }
    for (i, (first, a)) in boxes.iter().enumerate() {
        for (second, b) in &boxes[i + 1..] {
            let shared: Vec<_> = a.intersection(b).collect();
            assert!(
                shared.is_empty(),
                "« Chiffre clé » boxes at {first} and {second} both carry {shared:?}"
            );
        }
    }
}

/// A straight apostrophe between two letters (`l'article`) in the book's
/// prose, in callout titles, or anywhere in a quiz file.
#[test]
fn no_straight_apostrophe_inside_a_french_word() {
    fn straight_apostrophes(text: &str) -> usize {
        let chars: Vec<char> = text.chars().collect();
        (1..chars.len().saturating_sub(1))
            .filter(|&i| {
                chars[i] == '\'' && chars[i - 1].is_alphabetic() && chars[i + 1].is_alphabetic()
            })
            .count()
    }
    let mut found = Vec::new();
    let mut pages = summary_chapters();
    pages.push("SUMMARY.md".to_owned());
    for page in pages {
        let text = read(&source_root().join("book").join(&page));
        for (line, prose) in prose_lines(&text) {
            if straight_apostrophes(&prose) > 0 {
                found.push(format!("book/{page}:{line}: {}", prose.trim()));
            }
        }
    }
    for entry in std::fs::read_dir(source_root().join("quizzes")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        for (number, line) in read(&path).lines().enumerate() {
            if straight_apostrophes(line) > 0 {
                found.push(format!(
                    "quizzes/{}:{}: {}",
                    path.file_name().unwrap().to_string_lossy(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "straight apostrophes in French words:\n{}",
        found.join("\n")
    );
}

/// The glossary is one h1 then one h2 per entry, in alphabetical order
/// (accents and case ignored), so that each entry is its own search result.
#[test]
fn the_glossary_headings_are_in_order() {
    fn sort_key(term: &str) -> String {
        term.chars()
            .flat_map(char::to_lowercase)
            .map(|c| match c {
                'à' | 'â' | 'ä' => 'a',
                'é' | 'è' | 'ê' | 'ë' => 'e',
                'î' | 'ï' => 'i',
                'ô' | 'ö' => 'o',
                'ù' | 'û' | 'ü' => 'u',
                'ç' => 'c',
                other => other,
            })
            .filter(|c| c.is_alphanumeric() || *c == ' ')
            .collect()
    }
    let text = read(&source_root().join("book/annexes/glossaire.md"));
    let headings: Vec<(usize, String)> = prose_lines(&text)
        .into_iter()
        .filter(|(_, l)| l.starts_with('#'))
        .map(|(_, l)| {
            let level = l.chars().take_while(|c| *c == '#').count();
            (level, l[level..].trim().to_owned())
        })
        .collect();
    assert_eq!(
        headings.first().map(|h| h.0),
        Some(1),
        "the glossary opens with its h1"
    );
    let entries: Vec<&str> = headings[1..]
        .iter()
        .map(|(level, title)| {
            assert_eq!(*level, 2, "glossary entry « {title} » is not an h2");
            title.as_str()
        })
        .collect();
    assert!(
        entries.len() >= 20,
        "only {} glossary entries",
        entries.len()
    );
    for pair in entries.windows(2) {
        assert!(
            sort_key(pair[0]) < sort_key(pair[1]),
            "glossary out of order: « {} » before « {} »",
            pair[0],
            pair[1]
        );
    }
    let html = read(&real_book().out.join("annexes/glossaire.html"));
    let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
    let h2 = main.matches("<h2 ").count();
    assert_eq!(h2, entries.len(), "every entry is an h2 of the built page");
}

#[test]
fn every_relative_link_and_anchor_resolves() {
    let out = &real_book().out;
    let mut pages = Vec::new();
    html_files(out, &mut pages);
    let mut ids: HashMap<PathBuf, Vec<String>> = HashMap::new();
    for page in &pages {
        let html = read(page);
        ids.insert(
            page.clone(),
            attribute_values(&html, "id")
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
    }
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in &pages {
        let html = read(page);
        for href in attribute_values(&html, "href")
            .into_iter()
            .chain(attribute_values(&html, "src"))
        {
            if href.starts_with("http:")
                || href.starts_with("https:")
                || href.starts_with("mailto:")
                || href.starts_with('/')
                || href.is_empty()
            {
                continue;
            }
            let href = href.replace("&amp;", "&");
            let (path_part, anchor) = match href.split_once('#') {
                Some((p, a)) => (p.to_string(), Some(decode(a))),
                None => (href.clone(), None),
            };
            let path_part = path_part.split('?').next().unwrap().to_string();
            let target = if path_part.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(decode(&path_part))
            };
            let target = if target.is_dir() {
                target.join("index.html")
            } else {
                target
            };
            // Links to the server's own routes (quiz pages, workshops) are
            // not files.
            let normalized: PathBuf = target.components().fold(PathBuf::new(), |mut acc, c| {
                match c {
                    std::path::Component::ParentDir => {
                        acc.pop();
                    }
                    other => acc.push(other),
                }
                acc
            });
            if normalized.strip_prefix(out).is_ok_and(|rel| {
                ["quiz", "a", "atelier"]
                    .iter()
                    .any(|route| rel.starts_with(route))
            }) {
                continue;
            }
            let target = normalized;
            checked += 1;
            if !target.exists() {
                broken.push(format!(
                    "{}: {href} (no such file)",
                    page.strip_prefix(out).unwrap().display()
                ));
                continue;
            }
            if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
                let known = ids
                    .get(&target.canonicalize().unwrap_or(target.clone()))
                    .or_else(|| ids.get(&target));
                if !known.is_some_and(|ids| ids.contains(&anchor)) {
                    broken.push(format!(
                        "{}: {href} (no anchor #{anchor})",
                        page.strip_prefix(out).unwrap().display()
                    ));
                }
            }
        }
    }
    assert!(
        checked > 200,
        "only {checked} links checked: the checker is not seeing the pages"
    );
    assert!(
        broken.is_empty(),
        "{} broken links:\n{}",
        broken.len(),
        broken.join("\n")
    );
}

/// The extractors the rules above rely on.
#[test]
fn figures_and_years_are_read_as_a_reader_reads_them() {
    assert_eq!(
        figures(
            "plus de 3 milliards, puis 3,07 milliards ; de 10 à 20 € par an ; 8 % ; trois milliards"
        ),
        ["10 €", "20 €", "3 milliard", "3,07 milliard", "8 %"]
            .into_iter()
            .map(String::from)
            .collect()
    );
    assert!(figures("2e trimestre, 1er février, 60 à 90 minutes").is_empty());
    assert_eq!(
        years("en 1979, au 31 décembre 2023 ; (UE) 2016/679 ; 12345 ; 2500 envois"),
        [1979, 2023].into_iter().collect()
    );
}

/// Pages that moved keep their old address: a French page, without inline
/// script, that sends the reader on to the new one.
#[test]
fn moved_pages_send_readers_to_their_new_address() {
    let book = real_book();
    let old = read(&book.out.join("05-action/canaux.html"));
    assert!(old.contains("URL=site.html"), "{old}");
    assert!(old.contains("lang=\"fr\""), "{old}");
    assert!(!old.contains("<script"), "{old}");
    assert!(book.out.join("05-action/site.html").exists());
}
