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

fn open(html: &mut String, class: &str) {
    let _ = write!(
        html,
        r#"<div class="chezsoi-chart {class}" aria-hidden="true">"#
    );
}

/// A row's label, then the opening of its bar's SVG with the rail drawn.
fn row_start(html: &mut String, label: &str) {
    let _ = write!(
        html,
        r#"<div class="chezsoi-chart-row"><span class="chezsoi-chart-label">{}</span><svg class="chezsoi-chart-track" focusable="false" xmlns="http://www.w3.org/2000/svg"><rect class="chezsoi-chart-rail" width="100%" height="100%" rx="3"/>"#,
        escape(label)
    );
}

/// The bar's rectangle, `value` percent long.
fn bar(html: &mut String, value: u8) {
    let _ = write!(
        html,
        r#"<rect class="chezsoi-chart-bar" width="{}%" height="100%" rx="3"/>"#,
        value.min(100)
    );
}

/// Closes the bar's SVG and the row, with the row's figures as text.
fn row_end(html: &mut String, value: &str) {
    let _ = write!(
        html,
        r#"</svg><span class="chezsoi-chart-value">{value}</span></div>"#
    );
}

/// Horizontal bars on a 0–100 scale, with a scale under them.
pub fn bars(bars: &[Bar<'_>]) -> String {
    let mut html = String::new();
    open(&mut html, "chezsoi-chart-bars");
    for row in bars {
        row_start(&mut html, row.label);
        html.push_str(r#"<line class="chezsoi-chart-grid" x1="50%" x2="50%" y1="0" y2="100%"/>"#);
        bar(&mut html, row.value);
        row_end(&mut html, &numbers::integer(i64::from(row.value)));
    }
    html.push_str(r#"<div class="chezsoi-chart-axis"><span class="chezsoi-chart-ticks">"#);
    for tick in [0, 50, 100] {
        let _ = write!(html, r#"<span class="chezsoi-chart-tick">{tick}</span>"#);
    }
    html.push_str("</span></div></div>");
    html
}

/// A distribution: one bar per answer, its length the share of
/// participants, labelled with the count and the percentage (« 3 · 60 % »).
pub fn shares(rows: &[ShareBar<'_>]) -> String {
    let mut html = String::new();
    open(&mut html, "chezsoi-chart-shares");
    for row in rows {
        row_start(&mut html, row.label);
        bar(&mut html, row.percent);
        row_end(
            &mut html,
            &format!(
                "{}\u{a0}· {}",
                numbers::integer(i64::try_from(row.count).unwrap_or(i64::MAX)),
                numbers::percent(i64::from(row.percent))
            ),
        );
    }
    html.push_str("</div>");
    html
}

/// Means on a 0–100 scale, each with a line from the lowest to the highest
/// score of the group. The line has a halo of the page's colour, so that it
/// stays visible over a dark bar as over the light rail (and in print).
pub fn spreads(rows: &[SpreadBar<'_>]) -> String {
    let mut html = String::new();
    open(&mut html, "chezsoi-chart-spreads");
    for row in rows {
        row_start(&mut html, row.label);
        bar(&mut html, row.mean);
        let (low, high) = (row.min.min(100), row.max.min(100));
        let lines = [
            (low, high, "50%", "50%"),
            (low, low, "15%", "85%"),
            (high, high, "15%", "85%"),
        ];
        html.push_str(r#"<g class="chezsoi-chart-range">"#);
        for class in ["chezsoi-chart-halo", "chezsoi-chart-whisker"] {
            for (x1, x2, y1, y2) in lines {
                let _ = write!(
                    html,
                    r#"<line class="{class}" x1="{x1}%" x2="{x2}%" y1="{y1}" y2="{y2}"/>"#
                );
            }
        }
        html.push_str("</g>");
        row_end(
            &mut html,
            &format!(
                "{} ({}–{})",
                numbers::integer(i64::from(row.mean)),
                numbers::integer(i64::from(low)),
                numbers::integer(i64::from(high))
            ),
        );
    }
    html.push_str("</div>");
    html
}

/// A change between two times on a 0–100 scale: for each row, a thin
/// muted bar for before over the accent bar for now, and the figures as
/// text (« 48 → 62 (+14) », a true minus sign for a fall). Used for a
/// person's evolution between two results and a group's between two
/// workshops.
pub fn changes(rows: &[ChangeBar<'_>]) -> String {
    let mut html = String::new();
    open(&mut html, "chezsoi-chart-changes");
    for row in rows {
        row_start(&mut html, row.label);
        if let Some(before) = row.before {
            let _ = write!(
                html,
                r#"<rect class="chezsoi-chart-before" width="{}%" height="35%" rx="2"/>"#,
                before.min(100)
            );
        }
        let _ = write!(
            html,
            r#"<rect class="chezsoi-chart-bar" y="45%" width="{}%" height="55%" rx="3"/>"#,
            row.after.min(100)
        );
        let after = numbers::integer(i64::from(row.after));
        let text = match row.before {
            Some(before) => format!(
                "{}\u{a0}→ {after} ({})",
                numbers::integer(i64::from(before)),
                numbers::signed(i64::from(row.after) - i64::from(before))
            ),
            None => after,
        };
        row_end(&mut html, &text);
    }
    html.push_str("</div>");
    html
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
