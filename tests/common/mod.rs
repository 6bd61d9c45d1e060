//! Kept only for tests/book_content.rs, which still says `mod common;`: the
//! shared helpers live in tests/support/ (say `mod support;`).

#[path = "../support/mod.rs"]
mod support;

pub use support::*;
