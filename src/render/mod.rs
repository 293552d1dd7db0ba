//! Render: the plan's typed files through the templates into an in-memory tree, with the
//! manifest that tells a deployer what each file is and what to do when it changes.

pub mod manifest;
mod templates;

use std::collections::BTreeMap;

use crate::parallel;
use crate::plan::{Action, Content, Owner, Plan, PlannedFile};
use crate::render::manifest::Manifest;

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
    pub owner: Owner,
    pub body: Body,
    pub actions: Vec<Action>,
}

/// The whole output: files by host and path (relative to the host's root), plus the
/// manifest that goes at the top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    pub files: BTreeMap<(String, String), OutputFile>,
    pub manifest: Manifest,
}

/// Renders every planned file; templates and plans are ours, so a failure is a bug. A large
/// plan is rendered on every core, with the same bytes as on one.
pub fn render(plan: &Plan) -> Tree {
    let planned: Vec<(&(String, String), &PlannedFile)> = plan.files.0.iter().collect();
    let rendered = parallel::map_chunks(&planned, |part| {
        let templates = templates::Templates::new(&plan.policy_name);
        part.iter().map(|(key, planned)| ((*key).clone(), render_file(&templates, planned))).collect()
    });
    let files: BTreeMap<(String, String), OutputFile> = rendered.into_iter().collect();
    let manifest = Manifest::of(&plan.policy_name, &files);
    Tree { files, manifest }
}

fn render_file(templates: &templates::Templates, planned: &PlannedFile) -> OutputFile {
    let body = match &planned.content {
        Content::Link(target) => Body::Link(target.clone()),
        content => Body::Bytes(templates.render(content).into_bytes()),
    };
    OutputFile { mode: planned.mode, owner: planned.owner, body, actions: planned.actions.clone() }
}
