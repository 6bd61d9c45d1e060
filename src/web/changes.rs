//! An evolution as the pages show it, the same for one reader's result
//! against the one it follows (`result`) and for a follow-up workshop's
//! group against the first workshop's (`workshop::facilitator`): a row for
//! each measure, and their chart.

use serde::Serialize;

use crate::views::charts::{self, ChangeBar};

/// A measure then and now, each a score from 0 to 100 (`None` when there
/// was none: a dimension added to the quiz since, or left without answer).
#[derive(Serialize)]
pub struct ChangeRow {
    pub label: String,
    pub before: Option<u8>,
    pub after: Option<u8>,
    /// `after − before`, when both are known.
    pub change: Option<i64>,
}

impl ChangeRow {
    pub fn new(label: String, before: Option<u8>, after: Option<u8>) -> ChangeRow {
        ChangeRow {
            label,
            before,
            after,
            change: before
                .zip(after)
                .map(|(before, after)| i64::from(after) - i64::from(before)),
        }
    }
}

/// The chart of `rows` (`charts::changes`): a bar for each measure known
/// now.
pub fn chart(rows: &[ChangeRow]) -> String {
    let bars: Vec<ChangeBar<'_>> = rows
        .iter()
        .filter_map(|row| {
            Some(ChangeBar {
                label: &row.label,
                before: row.before,
                after: row.after?,
            })
        })
        .collect();
    charts::changes(&bars)
}
