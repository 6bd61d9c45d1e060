//! `chezsoi`: the guide, the self-assessment and the workshops in one binary.
//! The binary is a thin edge: everything lives in the library crate.

use std::process::ExitCode;

fn main() -> ExitCode {
    chezsoi::cli::main()
}
