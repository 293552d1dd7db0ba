//! zplan compiles a declarative policy for ZFS replication and highly available NFS into
//! the configuration of sanoid, syncoid, systemd, the NFS server and its clients.
//!
//! The phases run one way: [`syntax`] → [`model`] → [`facts`] → [`check`] → [`plan`] →
//! [`render`]; the [`cli`] reads the policy and writes the rendered tree.

pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod facts;
pub mod fleet;
pub mod format;
pub mod graph;
pub mod model;
pub mod output;
mod parallel;
pub mod plan;
pub mod render;
pub mod syntax;

use diagnostic::{Problem, Problems};
use render::Tree;

/// The result of compiling one policy: its problems in source order, and the model and
/// output tree when there is no error among them.
#[derive(Debug)]
pub struct Compilation {
    pub problems: Vec<Problem>,
    pub policy: Option<model::Policy>,
    pub tree: Option<Tree>,
}

/// Compiles policy text. `policy_name` is the file name that generated files mention.
pub fn compile(source: &str, policy_name: &str) -> Compilation {
    let (policy, model_problems) = match syntax::parse(source) {
        Ok(file) => model::build(&file),
        Err(problem) => return Compilation::failed(problem),
    };
    let mut problems = Problems::default();
    problems.extend(model_problems);
    let facts = facts::Facts::derive(&policy);
    problems.extend(check::check(&facts));
    if problems.has_errors() {
        return Compilation { problems: problems.into_sorted(), policy: None, tree: None };
    }
    let tree = render::render(&plan::plan(&facts, policy_name));
    Compilation { problems: problems.into_sorted(), policy: Some(policy), tree: Some(tree) }
}

/// Compiles policy bytes as read from a file: refuses what is too large, has endless lines
/// or is not text, before anything quotes a line of it.
pub fn compile_bytes(bytes: &[u8], policy_name: &str) -> Compilation {
    match syntax::decode(bytes) {
        Ok(source) => compile(source, policy_name),
        Err(problem) => Compilation::failed(problem),
    }
}

impl Compilation {
    fn failed(problem: Problem) -> Compilation {
        Compilation { problems: vec![problem], policy: None, tree: None }
    }
}
