//! Tera templates, compiled into the binary.

use std::sync::Arc;

use serde::Serialize;
use tera::{Context, Tera};

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("error.html", include_str!("templates/error.html")),
    ("quiz.html", include_str!("templates/quiz.html")),
    ("quiz_form.html", include_str!("templates/quiz_form.html")),
    ("worksheet.html", include_str!("templates/worksheet.html")),
    ("answer_key.html", include_str!("templates/answer_key.html")),
    ("result.html", include_str!("templates/result.html")),
    ("deleted.html", include_str!("templates/deleted.html")),
    (
        "result_delete.html",
        include_str!("templates/result_delete.html"),
    ),
    ("stats.html", include_str!("templates/stats.html")),
    ("join.html", include_str!("templates/join.html")),
    (
        "workshop_new.html",
        include_str!("templates/workshop_new.html"),
    ),
    (
        "workshop_manage.html",
        include_str!("templates/workshop_manage.html"),
    ),
    (
        "workshop_projector.html",
        include_str!("templates/workshop_projector.html"),
    ),
    (
        "workshop_results.html",
        include_str!("templates/workshop_results.html"),
    ),
    (
        "workshop_deleted.html",
        include_str!("templates/workshop_deleted.html"),
    ),
];

/// The compiled templates; cheap to clone.
#[derive(Clone)]
pub struct Templates {
    tera: Arc<Tera>,
}

impl Templates {
    /// Compiles every template; an error names the template that does not parse.
    pub fn new() -> anyhow::Result<Templates> {
        Ok(Templates {
            tera: Arc::new(build()?),
        })
    }

    /// Renders `name` with `view` as its context. Every value is escaped by
    /// `escape_html` unless the template marks it `| safe` (only HTML and
    /// SVG that this crate rendered itself).
    pub fn render(&self, name: &str, view: &impl Serialize) -> anyhow::Result<String> {
        let context = Context::from_serialize(view)?;
        Ok(self.tera.render(name, &context)?)
    }
}

/// Tera's HTML escaping (`tera::escape_html`), with `/` left as it is:
/// escaping it protects nothing in text or in quoted attributes, and keeps
/// addresses such as `/quiz/diagnostic` readable in the page and
/// recognisable by mdBook's rewriting of links in print.html.
pub fn escape_html(text: &str) -> String {
    tera::escape_html(text).replace("&#x2F;", "/")
}

fn build() -> anyhow::Result<Tera> {
    let mut tera = Tera::default();
    super::numbers::register(&mut tera);
    tera.add_raw_templates(TEMPLATES.iter().copied())?;
    tera.autoescape_on(vec![".html"]);
    tera.set_escape_fn(escape_html);
    Ok(tera)
}

#[derive(Serialize)]
struct ErrorView<'a> {
    title: &'a str,
    status: u16,
    message: &'a str,
    /// The way back to where the refused action came from, if any.
    back_url: Option<&'a str>,
    back_label: Option<&'a str>,
}

/// The French error page for an HTTP `status` (404, another 4xx, or a
/// server error). It needs no state: errors can happen before any is at hand.
pub fn render_error_page(status: u16, message: &str) -> String {
    error_page(status, message, None)
}

/// The error page with a first link back to `url` (named `label`), for a
/// refusal that has a page to return to: an early reveal goes back to the
/// projector view.
pub fn render_error_page_with_link(status: u16, message: &str, url: &str, label: &str) -> String {
    error_page(status, message, Some((url, label)))
}

fn error_page(status: u16, message: &str, back: Option<(&str, &str)>) -> String {
    static TERA: std::sync::OnceLock<Option<Tera>> = std::sync::OnceLock::new();
    let title = match status {
        404 => "Page introuvable",
        // What was there was erased on purpose (an expired workshop's
        // answers): nothing was refused.
        410 => "Plus disponible",
        400..=499 => "Requête refusée",
        _ => "Erreur du serveur",
    };
    let view = ErrorView {
        title,
        status,
        message,
        back_url: back.map(|(url, _)| url),
        back_label: back.map(|(_, label)| label),
    };
    TERA.get_or_init(|| build().ok())
        .as_ref()
        .and_then(|tera| {
            Context::from_serialize(&view)
                .ok()
                .and_then(|ctx| tera.render("error.html", &ctx).ok())
        })
        .unwrap_or_else(|| {
            format!("<!DOCTYPE html><html lang=\"fr\"><title>{title}</title><p>{status}</p></html>")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_but_keeps_addresses_readable() {
        assert_eq!(
            escape_html("<a href=\"/x\">l'&#x2F;</a>"),
            "&lt;a href=&quot;/x&quot;&gt;l&#x27;&amp;#x2F;&lt;/a&gt;"
        );
        #[derive(Serialize)]
        struct View {
            quiz_id: &'static str,
            title: &'static str,
            version: &'static str,
            action: &'static str,
            questions: Vec<()>,
            workshop: Option<()>,
        }
        let html = Templates::new()
            .unwrap()
            .render(
                "quiz_form.html",
                &View {
                    quiz_id: "q",
                    title: "t",
                    version: "v",
                    action: "/quiz/a\"><script>",
                    questions: Vec::new(),
                    workshop: None,
                },
            )
            .unwrap();
        assert!(
            html.contains("action=\"/quiz/a&quot;&gt;&lt;script&gt;\""),
            "{html}"
        );
    }
}
