//! A workshop's aggregates as CSV and JSON, for a spreadsheet or a report.
//! Only aggregates: there is no row, field or key for a participant.

use serde::Serialize;

use crate::aggregate::{
    DimensionSpread, GroupEvolution, GroupResults, QuestionDistribution, Share, Spread,
};
use crate::quiz::Quiz;
use crate::store::Workshop;

/// The CSV columns, in French for the spreadsheet's reader.
pub const CSV_HEADER: [&str; 9] = [
    "rubrique",
    "identifiant",
    "libelle",
    "repondants",
    "nombre",
    "pourcentage",
    "moyenne",
    "minimum",
    "maximum",
];

/// One CSV row per aggregate: the workshop itself, each profile, each
/// dimension, the overall score, each frequent first action, each possible
/// answer of each question and, for a follow-up whose two groups reached
/// their minimum, each mean in the first workshop (`evolution_avant`) and
/// now (`evolution_apres`). RFC 4180: comma-separated, quoted when needed,
/// CRLF line ends.
pub fn csv(
    workshop: &Workshop,
    quiz: &Quiz,
    results: &GroupResults,
    evolution: Option<&GroupEvolution>,
) -> String {
    let mut rows: Vec<[String; 9]> = Vec::new();
    let answers = results.answers.to_string();
    let count_row = |section: &str, share: &Share, base: usize| {
        [
            section.to_string(),
            share.id.clone(),
            share.label.clone(),
            base.to_string(),
            share.count.to_string(),
            share.percent.to_string(),
            String::new(),
            String::new(),
            String::new(),
        ]
    };
    let spread_row = |section: &str, id: &str, label: &str, spread: Option<&Spread>| {
        let field = |f: fn(&Spread) -> String| spread.map(f).unwrap_or_default();
        [
            section.to_string(),
            id.to_string(),
            label.to_string(),
            spread.map_or_else(|| "0".to_string(), |s| s.respondents.to_string()),
            String::new(),
            String::new(),
            field(|s| s.mean.to_string()),
            field(|s| s.min.to_string()),
            field(|s| s.max.to_string()),
        ]
    };

    rows.push([
        "atelier".into(),
        quiz.id.clone(),
        workshop.title.clone(),
        answers.clone(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ]);
    for profile in &results.profiles {
        rows.push(count_row("profil", profile, results.answers));
    }
    for DimensionSpread { id, label, spread } in &results.dimensions {
        rows.push(spread_row("dimension", id, label, spread.as_ref()));
    }
    if let Some(overall) = &results.overall {
        rows.push(spread_row(
            "score_global",
            "",
            overall_label(quiz),
            Some(overall),
        ));
    }
    for action in &results.first_actions {
        rows.push(count_row("premiere_action", action, results.answers));
    }
    for QuestionDistribution {
        id,
        text,
        respondents,
        answers,
        ..
    } in &results.questions
    {
        for answer in answers {
            let mut row = count_row("reponse", answer, *respondents);
            row[1] = format!("{id}/{}", answer.id);
            row[2] = format!("{text} — {}", answer.label);
            rows.push(row);
        }
    }

    if let Some(evolution) = evolution {
        for change in &evolution.changes {
            for (section, answers, mean) in [
                ("evolution_avant", evolution.before_answers, change.before),
                ("evolution_apres", evolution.after_answers, change.after),
            ] {
                rows.push([
                    section.to_string(),
                    change.id.clone(),
                    change.label.clone(),
                    answers.to_string(),
                    String::new(),
                    String::new(),
                    mean.map(|m| m.to_string()).unwrap_or_default(),
                    String::new(),
                    String::new(),
                ]);
            }
        }
    }

    let mut out = String::new();
    push_line(&mut out, CSV_HEADER.iter().copied());
    for row in &rows {
        push_line(&mut out, row.iter().map(String::as_str));
    }
    out
}

/// What the overall spread measures for this quiz.
pub fn overall_label(quiz: &Quiz) -> &'static str {
    match quiz.mode {
        crate::quiz::Mode::SelfAssessment => "Score global d’autonomie sur 100",
        crate::quiz::Mode::Knowledge => "Bonnes réponses, en pourcentage",
    }
}

fn push_line<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    let cells: Vec<String> = cells.map(csv_cell).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// Quotes a cell when needed; a cell a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@`…) is prefixed with an apostrophe.
fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The JSON export: the workshop's description and its aggregates.
#[derive(Debug, Serialize)]
pub struct JsonExport<'a> {
    pub workshop: WorkshopSummary<'a>,
    #[serde(flatten)]
    pub results: &'a GroupResults,
    /// For a follow-up workshop, the group's averages then and now, when
    /// both workshops reached their minimum group size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evolution: Option<&'a GroupEvolution>,
}

#[derive(Debug, Serialize)]
pub struct WorkshopSummary<'a> {
    pub title: &'a str,
    pub quiz_id: &'a str,
    pub quiz_title: &'a str,
    pub quiz_version: &'a str,
    pub min_group: u32,
    pub created_hour_utc: String,
    pub closed: bool,
    pub overall_measures: &'static str,
}

pub fn json(
    workshop: &Workshop,
    quiz: &Quiz,
    results: &GroupResults,
    evolution: Option<&GroupEvolution>,
    created_hour_utc: String,
) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&JsonExport {
        workshop: WorkshopSummary {
            title: &workshop.title,
            quiz_id: &quiz.id,
            quiz_title: &quiz.title,
            quiz_version: &quiz.version,
            min_group: workshop.min_group,
            created_hour_utc,
            closed: !workshop.is_open(),
            overall_measures: overall_label(quiz),
        },
        results,
        evolution,
    })
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("simple"), "simple");
        assert_eq!(csv_cell("a, b"), "\"a, b\"");
        assert_eq!(csv_cell("dit \"oui\""), "\"dit \"\"oui\"\"\"");
        assert_eq!(csv_cell("deux\nlignes"), "\"deux\nlignes\"");
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell(""), "");
    }
}
