//! Rules on option lists: no option twice, no two that contradict, and no option that
//! Linux ignores.

use crate::diagnostic::Problem;
use crate::model::{OptionContext, OptionSetting, Policy, Spanned};

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
    for (index, option) in options.iter().enumerate() {
        let name = option.value.name;
        if context == OptionContext::Mount && name == "intr" {
            problems.push(Problem::IntrIgnored { span: option.span.into() });
        }
        for earlier in &options[..index] {
            if let Some(problem) = clash(earlier, option, context) {
                problems.push(problem);
            }
        }
    }
    problems
}

fn clash(first: &Spanned<OptionSetting>, second: &Spanned<OptionSetting>, context: OptionContext) -> Option<Problem> {
    let (a, b) = (first.value.name, second.value.name);
    if a == b {
        return Some(Problem::RepeatedOption {
            second: second.span.into(),
            first: first.span.into(),
            option: a.to_owned(),
        });
    }
    let contradicts = context.conflicts().iter().any(|(x, y)| (*x == a && *y == b) || (*x == b && *y == a));
    contradicts.then(|| Problem::ConflictingOptions {
        second: second.span.into(),
        first: first.span.into(),
        first_name: a.to_owned(),
        second_name: b.to_owned(),
    })
}
