//! zplan compiles a declarative policy for ZFS replication and highly available NFS into
//! the configuration of sanoid, syncoid, systemd, the NFS server and its clients.
//!
//! The phases run one way: [`syntax`] → [`model`] → [`check`] → [`plan`] → [`render`];
//! the [`cli`] reads the policy and writes the rendered tree.

pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod manifest;
pub mod model;
pub mod naming;
pub mod output;
pub mod plan;
pub mod render;
pub mod schedule;
pub mod syntax;

use diagnostic::{Problem, Problems};
use render::Tree;

/// The result of compiling one policy: its problems in source order, and the output tree
/// when there is no error among them.
#[derive(Debug)]
pub struct Compilation {
    pub problems: Vec<Problem>,
    pub tree: Option<Tree>,
}

/// Compiles policy text. `policy_name` is the file name that generated files mention.
pub fn compile(source: &str, policy_name: &str) -> Compilation {
    let file = match syntax::parse(source) {
        Ok(file) => file,
        Err(problem) => return Compilation { problems: vec![problem], tree: None },
    };
    let (policy, model_problems) = model::build(&file);
    let mut problems = Problems::default();
    problems.extend(model_problems);
    problems.extend(check::check(&policy));
    let tree = (!problems.has_errors()).then(|| render::render(&plan::plan(&policy, policy_name)));
    Compilation { problems: problems.into_sorted(), tree }
}

/// Compiles policy bytes as read from a file: refuses what is too large or not text.
pub fn compile_bytes(bytes: &[u8], policy_name: &str) -> Compilation {
    if bytes.len() > syntax::MAX_INPUT_BYTES {
        let problem = Problem::TooLarge { span: (0, 0).into(), size: bytes.len(), limit: syntax::MAX_INPUT_BYTES };
        return Compilation { problems: vec![problem], tree: None };
    }
    match std::str::from_utf8(bytes) {
        Ok(source) => compile(source, policy_name),
        Err(error) => {
            let offset = error.valid_up_to();
            let problem = Problem::NotText { span: (offset, 1).into() };
            Compilation { problems: vec![problem], tree: None }
        }
    }
}
