//! Server-made SVG charts: no script, no external library, readable in
//! print, each with a text equivalent next to it in the page.

use std::fmt::Write;

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

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

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
