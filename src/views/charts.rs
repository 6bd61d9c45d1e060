//! Charts drawn by the server: no script, no external library, readable in
//! print and from the back of a room.
//!
//! A chart is a list of HTML rows: its labels and figures are text, sized
//! by the stylesheet like the rest of the page, so they never shrink with
//! the chart on a phone (an SVG scaled to fit a narrow column took its text
//! down to 6–8 px) and they wrap instead of being cut. Each row's bar is a
//! small SVG without a `viewBox`, its geometry in percentages of the row's
//! width: nothing in it scales but the bar's length.
//!
//! Charts are hidden from assistive technologies (`aria-hidden`): every page
//! that shows one carries a table of the same figures next to it.

use std::fmt::Write;

use super::escape_html as escape;
use super::numbers;

/// One bar: a label and a score from 0 to 100.
pub struct Bar<'a> {
    pub label: &'a str,
    pub value: u8,
}

/// One row of a distribution: how many chose it, and their share.
pub struct ShareBar<'a> {
    pub label: &'a str,
    pub count: usize,
    pub percent: u8,
}

/// One row of scores from 0 to 100: their mean and range.
pub struct SpreadBar<'a> {
    pub label: &'a str,
    pub mean: u8,
    pub min: u8,
    pub max: u8,
}

/// One row of a change between two times, each a score from 0 to 100:
/// `before` is `None` when there was no score then (a dimension added to
/// the quiz since, or left without answer).
pub struct ChangeBar<'a> {
    pub label: &'a str,
    pub before: Option<u8>,
    pub after: u8,
}

/// One row as drawn: its label, the shapes of its bar (inside the row's
/// SVG, after the rail) and its figures as text.
struct Drawn<'r> {
    label: &'r str,
    shapes: String,
    figures: String,
}

/// A chart of `class`: each row's label, its bar over the rail and its
/// figures, then `footer` (a scale) before the chart closes.
fn chart<'r, R>(
    class: &str,
    rows: &'r [R],
    footer: &str,
    draw: impl Fn(&'r R) -> Drawn<'r>,
) -> String {
    let mut html = format!(r#"<div class="chezsoi-chart {class}" aria-hidden="true">"#);
    for Drawn {
        label,
        shapes,
        figures,
    } in rows.iter().map(draw)
    {
        let _ = write!(
            html,
            r#"<div class="chezsoi-chart-row"><span class="chezsoi-chart-label">{}</span><svg class="chezsoi-chart-track" focusable="false" xmlns="http://www.w3.org/2000/svg"><rect class="chezsoi-chart-rail" width="100%" height="100%" rx="3"/>{shapes}</svg><span class="chezsoi-chart-value">{figures}</span></div>"#,
            escape(label)
        );
    }
    html.push_str(footer);
    html.push_str("</div>");
    html
}

/// The bar's rectangle, `value` percent long.
fn bar(value: u8) -> String {
    format!(
        r#"<rect class="chezsoi-chart-bar" width="{}%" height="100%" rx="3"/>"#,
        value.min(100)
    )
}

/// Horizontal bars on a 0–100 scale, with a scale under them.
pub fn bars(bars: &[Bar<'_>]) -> String {
    let ticks = [0, 50, 100]
        .map(|tick| format!(r#"<span class="chezsoi-chart-tick">{tick}</span>"#))
        .concat();
    let scale = format!(
        r#"<div class="chezsoi-chart-axis"><span class="chezsoi-chart-ticks">{ticks}</span></div>"#
    );
    chart("chezsoi-chart-bars", bars, &scale, |row| Drawn {
        label: row.label,
        shapes: format!(
            r#"<line class="chezsoi-chart-grid" x1="50%" x2="50%" y1="0" y2="100%"/>{}"#,
            bar(row.value)
        ),
        figures: numbers::integer(i64::from(row.value)),
    })
}

/// A distribution: one bar per answer, its length the share of
/// participants, labelled with the count and the percentage (« 3 · 60 % »).
pub fn shares(rows: &[ShareBar<'_>]) -> String {
    chart("chezsoi-chart-shares", rows, "", |row| {
        let count = numbers::integer(i64::try_from(row.count).unwrap_or(i64::MAX));
        let percent = numbers::percent(i64::from(row.percent));
        Drawn {
            label: row.label,
            shapes: bar(row.percent),
            figures: format!("{count}\u{a0}· {percent}"),
        }
    })
}

/// Means on a 0–100 scale, each with a line from the lowest to the highest
/// score of the group. The line has a halo of the page's colour, so that it
/// stays visible over a dark bar as over the light rail (and in print).
pub fn spreads(rows: &[SpreadBar<'_>]) -> String {
    chart("chezsoi-chart-spreads", rows, "", |row| {
        let (low, high) = (row.min.min(100), row.max.min(100));
        let lines = [
            (low, high, "50%", "50%"),
            (low, low, "15%", "85%"),
            (high, high, "15%", "85%"),
        ];
        let mut shapes = bar(row.mean);
        shapes.push_str(r#"<g class="chezsoi-chart-range">"#);
        for class in ["chezsoi-chart-halo", "chezsoi-chart-whisker"] {
            for (x1, x2, y1, y2) in lines {
                let _ = write!(
                    shapes,
                    r#"<line class="{class}" x1="{x1}%" x2="{x2}%" y1="{y1}" y2="{y2}"/>"#
                );
            }
        }
        shapes.push_str("</g>");
        let [mean, low, high] = [row.mean, low, high].map(|n| numbers::integer(i64::from(n)));
        Drawn {
            label: row.label,
            shapes,
            figures: format!("{mean} ({low}–{high})"),
        }
    })
}

/// A change between two times on a 0–100 scale: for each row, a thin
/// muted bar for before over the accent bar for now, and the figures as
/// text (« 48 → 62 (+14) », a true minus sign for a fall). Used for a
/// person's evolution between two results and a group's between two
/// workshops.
pub fn changes(rows: &[ChangeBar<'_>]) -> String {
    chart("chezsoi-chart-changes", rows, "", |row| {
        let mut shapes = String::new();
        if let Some(before) = row.before {
            let _ = write!(
                shapes,
                r#"<rect class="chezsoi-chart-before" width="{}%" height="35%" rx="2"/>"#,
                before.min(100)
            );
        }
        let _ = write!(
            shapes,
            r#"<rect class="chezsoi-chart-bar" y="45%" width="{}%" height="55%" rx="3"/>"#,
            row.after.min(100)
        );
        let after = numbers::integer(i64::from(row.after));
        let figures = match row.before {
            Some(before) => format!(
                "{}\u{a0}→ {after} ({})",
                numbers::integer(i64::from(before)),
                numbers::signed(i64::from(row.after) - i64::from(before))
            ),
            None => after,
        };
        Drawn {
            label: row.label,
            shapes,
            figures,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_spreads_draw_one_row_each_with_their_figures() {
        let long = "long ".repeat(40);
        let html = shares(&[
            ShareBar {
                label: "Locataire <des> plateformes",
                count: 3,
                percent: 60,
            },
            ShareBar {
                label: &long,
                count: 1200,
                percent: 100,
            },
        ]);
        assert_eq!(html.matches(r#"class="chezsoi-chart-bar""#).count(), 2);
        assert!(html.contains(">Locataire &lt;des&gt; plateformes<"));
        assert!(html.contains(&format!(">{long}<")), "labels are whole");
        assert!(html.contains(">3\u{a0}· 60\u{202f}%<"), "{html}");
        assert!(
            html.contains(">1\u{202f}200\u{a0}· 100\u{202f}%<"),
            "{html}"
        );
        assert!(html.contains(r#"class="chezsoi-chart-bar" width="60%""#));
        assert!(!html.contains("viewBox"), "text is never scaled");

        let html = spreads(&[SpreadBar {
            label: "Propriété",
            mean: 50,
            min: 20,
            max: 90,
        }]);
        assert!(html.contains(">50 (20–90)<"));
        assert!(html.contains(r#"width="50%""#));
        for class in ["chezsoi-chart-halo", "chezsoi-chart-whisker"] {
            assert!(
                html.contains(&format!(
                    r#"<line class="{class}" x1="20%" x2="90%" y1="50%" y2="50%"/>"#
                )),
                "range from 20 to 90, with its halo: {html}"
            );
        }
        assert!(
            html.find("chezsoi-chart-halo").unwrap() < html.find("chezsoi-chart-whisker").unwrap(),
            "the halo is drawn under the line"
        );
    }

    #[test]
    fn changes_show_before_and_now_with_a_true_minus_sign() {
        let html = changes(&[
            ChangeBar {
                label: "Score global",
                before: Some(48),
                after: 62,
            },
            ChangeBar {
                label: "Temps",
                before: Some(70),
                after: 55,
            },
            ChangeBar {
                label: "Nouvelle",
                before: None,
                after: 40,
            },
        ]);
        assert_eq!(html.matches(r#"class="chezsoi-chart-bar""#).count(), 3);
        assert_eq!(html.matches(r#"class="chezsoi-chart-before""#).count(), 2);
        assert!(html.contains(r#"class="chezsoi-chart-before" width="48%""#));
        assert!(html.contains(r#"y="45%" width="62%""#));
        assert!(html.contains(">48\u{a0}→ 62 (+14)<"), "{html}");
        assert!(html.contains(">70\u{a0}→ 55 (\u{2212}15)<"), "{html}");
        assert!(html.contains(r#"<span class="chezsoi-chart-value">40</span>"#));
        assert!(!html.contains("viewBox"));
    }

    #[test]
    fn one_bar_per_value_with_escaped_labels_and_a_scale() {
        let html = bars(&[
            Bar {
                label: "Propriété <a>",
                value: 40,
            },
            Bar {
                label: "Portée",
                value: 100,
            },
        ]);
        assert_eq!(html.matches(r#"class="chezsoi-chart-bar""#).count(), 2);
        assert!(html.contains("Propriété &lt;a&gt;"));
        assert!(html.contains(r#"class="chezsoi-chart-bar" width="40%""#));
        assert!(html.contains(r#"<span class="chezsoi-chart-value">100</span>"#));
        assert_eq!(html.matches("chezsoi-chart-tick\"").count(), 3);
        assert!(
            html.starts_with(
                r#"<div class="chezsoi-chart chezsoi-chart-bars" aria-hidden="true">"#
            )
        );
    }
}
