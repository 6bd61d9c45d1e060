//! What pages look like, shared by the server (`web`) and the book (`book`):
//! the Tera templates compiled into the binary, the quiz form, the paper
//! worksheets, the charts, Markdown from quiz files, numbers, hours and
//! dates, and the reminder's calendar file. Views
//! take the model and return HTML: no I/O, no HTTP, no SQL.

pub mod calendar;
pub mod charts;
pub mod dates;
pub mod forms;
pub mod markdown;
pub mod numbers;
pub mod templates;
pub mod worksheet;

pub use templates::{Templates, escape_html, render_error_page, render_error_page_with_link};

/// The site address of a page of the book: `05-action/canaux.html` →
/// `/05-action/canaux.html`. Templates escape it like any other value.
pub fn chapter_url(html_path: &str) -> String {
    format!("/{html_path}")
}
