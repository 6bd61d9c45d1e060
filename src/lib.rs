//! chezsoi — *Chez soi sur le web*.
//!
//! Data flows one way, from the edges down:
//!
//! ```text
//! main → cli → cmd/ (one file per subcommand, owning its Args and run)
//!                → book/ (mdBook build, preprocessors, PDF)   → views/ (templates, forms, charts,
//!                → web/  (router, handlers, submission)          markdown, worksheets, numbers, hours)
//!                → content (quizzes + chapter titles) → project (paths)
//!                → workshop/ (codes, keys, creation, expiry, exports)
//!                → aggregate, scoring (pure) → quiz/ (format → validate → model)
//!                → store/ (all SQL, one write path) → secret
//! ```
//!
//! `quiz`, `scoring` and `aggregate` import no I/O crate (tokio, axum,
//! rusqlite); `views` does no I/O either; `book` never imports `web`.

pub mod aggregate;
pub mod book;
pub mod cli;
pub mod cmd;
pub mod content;
pub mod project;
pub mod quiz;
pub mod scoring;
pub mod secret;
pub mod store;
pub mod views;
pub mod web;
pub mod workshop;
