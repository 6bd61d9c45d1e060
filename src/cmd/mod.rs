//! One file per subcommand, each a thin layer over the library.

pub mod book;
pub mod db;
pub mod preprocess;
pub mod quiz;
pub mod serve;
pub mod workshop;
