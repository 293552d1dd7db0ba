//! Rules on option lists: no option twice, no two that contradict, and no option that
//! Linux ignores. Each option is compared with the first of its name and of each name it
//! contradicts, so a long list is checked in linear time.

use std::collections::HashMap;

use crate::diagnostic::Problem;
use crate::model::{OptionContext, OptionSetting, Policy, Spanned, REPEATABLE_MOUNT_OPTIONS};

/// Every export client's and every mount's options are consistent.
pub fn option_lists_consistent(policy: &Policy) -> Vec<Problem> {
    let exports = policy
        .nfs_servers
        .iter()
        .flat_map(|server| &server.exports)
        .flat_map(|export| &export.clients)
        .map(|client| (client.options.as_slice(), OptionContext::Export));
    let mounts = policy
        .clients
        .iter()
        .flat_map(|client| &client.mounts)
        .map(|mount| (mount.options.as_slice(), OptionContext::Mount));
    exports.chain(mounts).flat_map(|(options, context)| list_problems(options, context)).collect()
}

fn list_problems(options: &[Spanned<OptionSetting>], context: OptionContext) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut first_of: HashMap<&str, &Spanned<OptionSetting>> = HashMap::new();
    for option in options {
        let name = option.value.name;
        if context == OptionContext::Mount && name == "intr" {
            problems.push(Problem::IntrIgnored { span: option.span.into() });
        }
        let repeatable = context == OptionContext::Mount && REPEATABLE_MOUNT_OPTIONS.contains(&name);
        if let Some(first) = first_of.get(name).filter(|_| !repeatable) {
            problems.push(Problem::RepeatedOption {
                second: option.span.into(),
                first: first.span.into(),
                option: name.to_owned(),
            });
        }
        for partner in partners(name, context) {
            if let Some(first) = first_of.get(partner) {
                problems.push(Problem::ConflictingOptions {
                    second: option.span.into(),
                    first: first.span.into(),
                    first_name: partner.to_owned(),
                    second_name: name.to_owned(),
                });
            }
        }
        first_of.entry(name).or_insert(option);
    }
    problems
}

/// The options that contradict `name`.
fn partners(name: &str, context: OptionContext) -> impl Iterator<Item = &'static str> + '_ {
    context.conflicts().iter().filter_map(move |(a, b)| match name {
        _ if *a == name => Some(*b),
        _ if *b == name => Some(*a),
        _ => None,
    })
}
