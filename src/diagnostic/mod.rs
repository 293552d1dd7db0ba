//! Diagnostics: the problems of a policy, in source order, and how they are shown.

pub mod catalogue;
mod problem;
mod report;

pub use problem::Problem;
pub use report::{line_column, render_github, render_human, render_json, render_sarif, Theme};

/// All problems found in one policy, sorted by where they start and without repeats.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Problems(Vec<Problem>);

impl Problems {
    /// Records one problem.
    pub fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    /// Records every problem of another run.
    pub fn extend(&mut self, problems: impl IntoIterator<Item = Problem>) {
        self.0.extend(problems);
    }

    /// Whether any problem is an error (warnings alone let a build proceed).
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Problem::is_error)
    }

    /// The problems in source order, each once.
    pub fn into_sorted(mut self) -> Vec<Problem> {
        self.0.sort_by_key(Problem::offset);
        let mut unique: Vec<Problem> = Vec::with_capacity(self.0.len());
        let mut group_start = 0;
        for problem in self.0 {
            if unique.last().is_some_and(|last| last.offset() != problem.offset()) {
                group_start = unique.len();
            }
            // Equal problems start at the same offset: only that group needs a look.
            if !unique[group_start..].contains(&problem) {
                unique.push(problem);
            }
        }
        unique
    }
}

impl From<Problem> for Problems {
    fn from(problem: Problem) -> Self {
        Problems(vec![problem])
    }
}
