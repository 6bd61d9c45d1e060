//! Tera templates, compiled into the binary.

use std::sync::Arc;

use axum::http::StatusCode;
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

#[derive(Clone)]
pub struct Templates {
    tera: Arc<Tera>,
}

impl Templates {
    pub fn new() -> anyhow::Result<Templates> {
        Ok(Templates {
            tera: Arc::new(build()?),
        })
    }

    pub fn render(&self, name: &str, view: &impl Serialize) -> anyhow::Result<String> {
        let context = Context::from_serialize(view)?;
        Ok(self.tera.render(name, &context)?)
    }
}

fn build() -> anyhow::Result<Tera> {
    let mut tera = Tera::default();
    tera.add_raw_templates(TEMPLATES.iter().copied())?;
    tera.autoescape_on(vec![".html"]);
    Ok(tera)
}

#[derive(Serialize)]
struct ErrorView<'a> {
    title: &'a str,
    status: u16,
    message: &'a str,
}

/// The error page needs no state: errors can happen before any is at hand.
pub fn render_error_page(status: StatusCode, message: &str) -> String {
    static TERA: std::sync::OnceLock<Option<Tera>> = std::sync::OnceLock::new();
    let title = match status {
        StatusCode::NOT_FOUND => "Page introuvable",
        s if s.is_client_error() => "Requête refusée",
        _ => "Erreur du serveur",
    };
    let view = ErrorView {
        title,
        status: status.as_u16(),
        message,
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
