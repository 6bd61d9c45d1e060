//! Markdown from quiz files (intro, "how" of a recommendation) to HTML.
//! Raw HTML in the source is shown as text: quiz files describe content,
//! never markup.

use pulldown_cmark::{Event, Options, Parser, html};

pub fn to_html(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, parser);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_lists_and_escapes_raw_html() {
        let html = super::to_html("1. Un\n2. Deux <script>alert(1)</script>\n");
        assert!(html.contains("<ol>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>"));
    }
}
