//! Server-made SVG charts: no script, no external library, readable in
//! print, each with a text equivalent next to it in the page.

use std::fmt::Write;

use super::escape_html as escape;

/// One bar: a label and a value from 0 to 100.
pub struct Bar<'a> {
    pub label: &'a str,
    pub value: u8,
}

/// Horizontal bars on a 0–100 scale. The SVG is decorative for assistive
/// technologies (`aria-hidden`): the page carries the same figures as text.
pub fn bars(bars: &[Bar<'_>]) -> String {
    const LABEL_W: u32 = 250;
    const BAR_W: u32 = 300;
    const ROW_H: u32 = 34;
    let height = ROW_H * bars.len() as u32 + 24;
    let width = LABEL_W + BAR_W + 50;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chezsoi-chart" viewBox="0 0 {width} {height}" width="100%" role="img" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">"#
    );
    for tick in [0u32, 50, 100] {
        let x = LABEL_W + BAR_W * tick / 100;
        let _ = write!(
            svg,
            r#"<line class="chezsoi-chart-grid" x1="{x}" y1="0" x2="{x}" y2="{}"/><text class="chezsoi-chart-tick" x="{x}" y="{}" text-anchor="middle">{tick}</text>"#,
            height - 18,
            height - 4
        );
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = ROW_H * i as u32;
        let w = BAR_W * u32::from(bar.value.min(100)) / 100;
        let _ = write!(
            svg,
            r#"<text class="chezsoi-chart-label" x="{}" y="{}" text-anchor="end">{}</text><rect class="chezsoi-chart-track" x="{LABEL_W}" y="{}" width="{BAR_W}" height="20" rx="3"/><rect class="chezsoi-chart-bar" x="{LABEL_W}" y="{}" width="{w}" height="20" rx="3"/><text class="chezsoi-chart-value" x="{}" y="{}">{}</text>"#,
            LABEL_W - 10,
            y + 20,
            escape(bar.label),
            y + 6,
            y + 6,
            LABEL_W + w + 6,
            y + 21,
            bar.value
        );
    }
    svg.push_str("</svg>");
    svg
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

/// Width of the stacked charts (label above its bar): long labels such as
/// an answer's wording keep the full width.
const STACKED_W: u32 = 640;
const STACKED_ROW_H: u32 = 58;
const STACKED_BAR_W: u32 = 500;
/// Longer labels are cut in the chart; the table next to it has them whole.
const STACKED_LABEL_CHARS: usize = 70;

fn stacked_open(rows: usize, class: &str) -> String {
    let height = STACKED_ROW_H * rows as u32 + 8;
    format!(
        r#"<svg class="chezsoi-chart {class}" viewBox="0 0 {STACKED_W} {height}" width="100%" role="img" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">"#
    )
}

fn stacked_label(svg: &mut String, y: u32, label: &str) {
    let mut short: String = label.chars().take(STACKED_LABEL_CHARS).collect();
    if label.chars().count() > STACKED_LABEL_CHARS {
        short.push('…');
    }
    let _ = write!(
        svg,
        r#"<text class="chezsoi-chart-label" x="0" y="{}">{}</text><rect class="chezsoi-chart-track" x="0" y="{}" width="{STACKED_BAR_W}" height="22" rx="3"/>"#,
        y + 18,
        escape(&short),
        y + 26,
    );
}

/// A distribution: one bar per answer, its length the share of
/// participants, labelled with the count and the percentage.
pub fn shares(rows: &[ShareBar<'_>]) -> String {
    let mut svg = stacked_open(rows.len(), "chezsoi-chart-shares");
    for (i, row) in rows.iter().enumerate() {
        let y = STACKED_ROW_H * i as u32;
        let w = STACKED_BAR_W * u32::from(row.percent.min(100)) / 100;
        stacked_label(&mut svg, y, row.label);
        let _ = write!(
            svg,
            r#"<rect class="chezsoi-chart-bar" x="0" y="{}" width="{w}" height="22" rx="3"/><text class="chezsoi-chart-value" x="{}" y="{}">{} · {} %</text>"#,
            y + 26,
            STACKED_BAR_W + 10,
            y + 43,
            row.count,
            row.percent,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Means on a 0–100 scale, each with a line from the lowest to the highest
/// score of the group.
pub fn spreads(rows: &[SpreadBar<'_>]) -> String {
    let mut svg = stacked_open(rows.len(), "chezsoi-chart-spreads");
    let x = |value: u8| STACKED_BAR_W * u32::from(value.min(100)) / 100;
    for (i, row) in rows.iter().enumerate() {
        let y = STACKED_ROW_H * i as u32;
        stacked_label(&mut svg, y, row.label);
        let (low, high) = (x(row.min), x(row.max));
        let middle = y + 37;
        let _ = write!(
            svg,
            r#"<rect class="chezsoi-chart-bar" x="0" y="{}" width="{}" height="22" rx="3"/><line class="chezsoi-chart-range" x1="{low}" y1="{middle}" x2="{high}" y2="{middle}"/><line class="chezsoi-chart-range" x1="{low}" y1="{}" x2="{low}" y2="{}"/><line class="chezsoi-chart-range" x1="{high}" y1="{}" x2="{high}" y2="{}"/><text class="chezsoi-chart-value" x="{}" y="{}">{} ({}–{})</text>"#,
            y + 26,
            x(row.mean),
            middle - 7,
            middle + 7,
            middle - 7,
            middle + 7,
            STACKED_BAR_W + 10,
            y + 43,
            row.mean,
            row.min,
            row.max,
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_spreads_draw_one_row_each_with_their_figures() {
        let svg = shares(&[
            ShareBar {
                label: "Locataire <des> plateformes",
                count: 3,
                percent: 60,
            },
            ShareBar {
                label: &"long ".repeat(40),
                count: 2,
                percent: 40,
            },
        ]);
        assert_eq!(svg.matches("chezsoi-chart-bar").count(), 2);
        assert!(svg.contains("Locataire &lt;des&gt; plateformes"));
        assert!(svg.contains(">3 · 60 %<"));
        assert!(svg.contains(r#"width="300" height="22""#), "60 % of 500 px");
        assert!(svg.contains('…'), "long labels are cut");

        let svg = spreads(&[SpreadBar {
            label: "Propriété",
            mean: 50,
            min: 20,
            max: 90,
        }]);
        assert!(svg.contains(">50 (20–90)<"));
        assert!(
            svg.contains(r#"x1="100" y1="37" x2="450" y2="37""#),
            "range from 20 to 90"
        );
    }

    #[test]
    fn one_bar_per_value_with_escaped_labels() {
        let svg = bars(&[
            Bar {
                label: "Propriété <a>",
                value: 40,
            },
            Bar {
                label: "Portée",
                value: 100,
            },
        ]);
        assert_eq!(svg.matches("chezsoi-chart-bar").count(), 2);
        assert!(svg.contains("Propriété &lt;a&gt;"));
        assert!(svg.contains(r#"width="120""#), "40 % of 300 px");
        assert!(
            svg.contains(r#"width="300" height="20" rx="3"/><text class="chezsoi-chart-value""#)
        );
    }
}
