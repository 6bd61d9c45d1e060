//! chezsoi — *Chez soi sur le web*.
//!
//! The flow goes one way: `cli`/`cmd` (thin edges) → `book` (mdBook build and
//! preprocessors) and `web` (HTTP) → `quiz` (file format, validation, model)
//! and `scoring` (pure) → `store` (all SQL). `workshop` (codes, keys,
//! creation, expiry, pure aggregates) is shared by `cmd` and `web`.

pub mod book;
pub mod cli;
pub mod cmd;
pub mod project;
pub mod quiz;
pub mod scoring;
pub mod secret;
pub mod store;
pub mod web;
pub mod workshop;
