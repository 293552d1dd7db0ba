//! The names of each kind of block, for resolution by lookup rather than by scanning: a
//! fleet has tens of thousands of nodes, and every pair names two of them.

use std::collections::{HashMap, HashSet};

/// The names of one kind of block: every declared one, valid or not, in declaration order
/// (for "did you mean"), and the resolved ones with their index in the policy.
#[derive(Debug, Default)]
pub struct NameTable {
    declared: Vec<String>,
    declared_set: HashSet<String>,
    resolved: HashMap<String, usize>,
}

impl NameTable {
    /// Records a declared name, even of a broken block, so that references to it stay quiet.
    pub fn declare(&mut self, name: &str) {
        if self.declared_set.insert(name.to_owned()) {
            self.declared.push(name.to_owned());
        }
    }

    /// Whether a block of this kind declared `name`.
    pub fn is_declared(&self, name: &str) -> bool {
        self.declared_set.contains(name)
    }

    /// Every declared name, in declaration order.
    pub fn declared(&self) -> impl Iterator<Item = &str> {
        self.declared.iter().map(String::as_str)
    }

    /// Records the resolved blocks, in policy order; the first of a name wins.
    pub fn resolve<'a>(&mut self, names: impl IntoIterator<Item = &'a String>) {
        for (index, name) in names.into_iter().enumerate() {
            self.resolved.entry(name.clone()).or_insert(index);
        }
    }

    /// Where the resolved block of this name is in the policy.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.resolved.get(name).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_and_resolved_names_are_found() {
        let mut table = NameTable::default();
        table.declare("b");
        table.declare("a");
        table.declare("b");
        table.resolve(&["a".to_owned()]);
        assert_eq!(table.declared().collect::<Vec<_>>(), ["b", "a"]);
        assert!(table.is_declared("b") && !table.is_declared("c"));
        assert_eq!((table.index_of("a"), table.index_of("b")), (Some(0), None));
    }
}
