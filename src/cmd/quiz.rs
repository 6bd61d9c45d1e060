use anyhow::Result;

use crate::cli::QuizCheckArgs;
use crate::project::Project;

/// Validates every quiz file; all problems are reported at once.
pub fn check(args: QuizCheckArgs) -> Result<()> {
    let project = Project::open(&args.root.root)?;
    let content = project.load_content()?;
    for quiz in content.catalog.iter() {
        println!(
            "quizzes/{}.toml\u{a0}: {} — {} questions, version {}",
            quiz.id,
            quiz.mode.as_str(),
            quiz.questions.len(),
            quiz.version
        );
    }
    println!("{} questionnaire(s) valide(s).", content.catalog.len());
    Ok(())
}
