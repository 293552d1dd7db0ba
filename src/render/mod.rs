//! Render: the plan's typed files through the templates into an in-memory tree, with the
//! manifest that tells a deployer what each file is and what to do when it changes.

mod manifest;
mod templates;

use std::collections::BTreeMap;

use crate::plan::{Content, Plan};

pub use manifest::manifest;

/// What one output path holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Bytes(Vec<u8>),
    Link(String),
}

/// One rendered file of one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub mode: u32,
    pub body: Body,
    pub actions: Vec<String>,
}

/// The whole output: files by host and path, plus `manifest.json` at the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    pub files: BTreeMap<(String, String), OutputFile>,
    pub manifest: Vec<u8>,
}

/// Renders every planned file; templates and plans are ours, so a failure is a bug.
pub fn render(plan: &Plan) -> Tree {
    let templates = templates::Templates::new(&plan.policy_name);
    let files: BTreeMap<(String, String), OutputFile> = plan
        .files
        .0
        .iter()
        .map(|(key, planned)| {
            let body = match &planned.content {
                Content::Link(target) => Body::Link(target.clone()),
                content => Body::Bytes(templates.render(content).into_bytes()),
            };
            let actions = planned.actions.iter().map(ToString::to_string).collect();
            (key.clone(), OutputFile { mode: planned.mode, body, actions })
        })
        .collect();
    let manifest = manifest(&plan.policy_name, &files);
    Tree { files, manifest }
}
