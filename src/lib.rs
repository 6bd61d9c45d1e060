//! chezsoi — *Chez soi sur le web*.
//!
//! The flow goes one way: `cli`/`cmd` (thin edges) → `book` (mdBook build and
//! preprocessors) and `web` (HTTP) → `store` (all SQL).

pub mod book;
pub mod cli;
pub mod cmd;
pub mod project;
pub mod store;
pub mod web;
