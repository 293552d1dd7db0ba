//! What the plan decides about each output file: where it goes, its mode, what it holds
//! (as typed content for a template) and what a deployer must do when it changes.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The content of one file, typed, before any text is made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    SanoidConf(SanoidConf),
    SanoidDefaults,
    Unit(Unit),
    Script(Script),
    Exports(Exports),
    Fstab(Fstab),
    /// A symbolic link, such as a mask to `/dev/null`.
    Link(String),
}

/// A command a deployer runs after a file changes. The variant order is the order a
/// deployer runs the due actions of a host in: units are reloaded before they are started.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    DaemonReload,
    Stop(String),
    DisableNow(String),
    EnableNow(String),
    ExportfsReload,
}

/// When a removal action runs: before the file goes (it still needs the file) or after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    BeforeRemoval,
    AfterRemoval,
}

impl Action {
    /// What undoes this action once the file that asked for it is removed, if anything must.
    pub fn on_removal(&self) -> Option<(Moment, Action)> {
        match self {
            Action::DaemonReload => Some((Moment::AfterRemoval, Action::DaemonReload)),
            Action::EnableNow(unit) => Some((Moment::BeforeRemoval, Action::DisableNow(unit.clone()))),
            Action::ExportfsReload => Some((Moment::AfterRemoval, Action::ExportfsReload)),
            Action::Stop(_) | Action::DisableNow(_) => None,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::DaemonReload => f.write_str("systemctl daemon-reload"),
            Action::Stop(unit) => write!(f, "systemctl stop {unit}"),
            Action::DisableNow(unit) => write!(f, "systemctl disable --now {unit}"),
            Action::EnableNow(unit) => write!(f, "systemctl enable --now {unit}"),
            Action::ExportfsReload => f.write_str("exportfs -ra"),
        }
    }
}

/// An action string that no zplan action is written as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an action zplan writes")]
pub struct UnknownAction(pub String);

impl FromStr for Action {
    type Err = UnknownAction;

    /// Reads an action back from a manifest, the exact inverse of `Display`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let unit = |rest: &str| {
            let valid = !rest.is_empty() && !rest.contains(char::is_whitespace);
            valid.then(|| rest.to_owned())
        };
        let action = match text {
            "systemctl daemon-reload" => Some(Action::DaemonReload),
            "exportfs -ra" => Some(Action::ExportfsReload),
            _ => None,
        };
        action
            .or_else(|| text.strip_prefix("systemctl stop ").and_then(unit).map(Action::Stop))
            .or_else(|| text.strip_prefix("systemctl disable --now ").and_then(unit).map(Action::DisableNow))
            .or_else(|| text.strip_prefix("systemctl enable --now ").and_then(unit).map(Action::EnableNow))
            .ok_or_else(|| UnknownAction(text.to_owned()))
    }
}

impl Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Who owns a file on its host; the deployer applies it, the output tree does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub user: &'static str,
    pub group: &'static str,
}

impl Owner {
    /// root and its group, the owner of every configuration file zplan writes on Linux.
    pub const ROOT: Owner = Owner { user: "root", group: "root" };
}

/// One file of one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    pub mode: u32,
    pub owner: Owner,
    pub content: Content,
    pub actions: Vec<Action>,
}

/// Every file of every host, keyed by host and path relative to the host's root.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Files(pub BTreeMap<(String, String), PlannedFile>);

impl Files {
    /// Adds a file; a file that several parts of the policy need (a mask) is added once.
    pub fn add(&mut self, host: &str, path: impl Into<String>, mode: u32, content: Content, actions: Vec<Action>) {
        self.0.entry((host.to_owned(), path.into())).or_insert(PlannedFile {
            mode,
            owner: Owner::ROOT,
            content,
            actions,
        });
    }
}

/// A systemd unit or drop-in: comment lines, then sections of `Key=value` entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Unit {
    pub comments: Vec<String>,
    pub sections: Vec<Section>,
}

/// One `[Section]` of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    pub name: &'static str,
    pub entries: Vec<Entry>,
}

/// One `Key=value` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub key: &'static str,
    pub value: String,
}

impl Unit {
    /// Adds a comment line under the generated header.
    pub fn comment(mut self, line: impl Into<String>) -> Self {
        self.comments.push(line.into());
        self
    }

    /// Adds a section with its entries in order.
    pub fn section(mut self, name: &'static str, entries: Vec<(&'static str, String)>) -> Self {
        let entries = entries.into_iter().map(|(key, value)| Entry { key, value }).collect();
        self.sections.push(Section { name, entries });
        self
    }
}

/// A sanoid.conf for one role of one pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SanoidConf {
    pub pair: String,
    pub role: &'static str,
    pub datasets: Vec<SanoidDataset>,
    pub template: SanoidTemplate,
}

/// A dataset section of a sanoid.conf; toggles already spelled `yes` or `no`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SanoidDataset {
    pub name: String,
    pub recursive: &'static str,
    pub autosnap: &'static str,
    pub autoprune: &'static str,
}

/// The `[template_NAME]` section with every count written out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SanoidTemplate {
    pub name: String,
    pub frequent_period: u64,
    pub counts: Vec<SanoidCount>,
}

/// One `kind = count` line of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SanoidCount {
    pub kind: &'static str,
    pub count: u32,
}

/// A generated POSIX shell script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "script")]
pub enum Script {
    /// Decides the role from the Proxmox guest a node hosts, checked several times.
    RoleFollowsGuest { pair: String, node: String, guest: u32, checks: u32, pause_seconds: u32 },
    /// Answers a role fixed by the policy.
    RoleStatic { pair: String, node: String, role: &'static str },
    /// Refuses replication when the source is far smaller than the target.
    Guard { pair: String, peer: String, percent: u8 },
    /// Starts the NFS server where the pair is active and stops it elsewhere.
    NfsFollow { pair: String, role_script: String },
}

/// An exports file: one line per exported path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exports {
    pub lines: Vec<ExportLine>,
}

/// One export: its path, where it comes from and its clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportLine {
    pub path: String,
    pub comment: String,
    pub clients: Vec<ExportClientLine>,
}

/// One `host(options)` of an export line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportClientLine {
    pub who: String,
    pub options: String,
}

/// An fstab fragment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fstab {
    pub lines: Vec<FstabLine>,
}

/// One NFS line of an fstab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FstabLine {
    pub what: String,
    pub at: String,
    pub options: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_back_as_written() {
        let unit = "zplan-snapshot-storage.timer".to_owned();
        let actions = [
            Action::DaemonReload,
            Action::Stop(unit.clone()),
            Action::DisableNow(unit.clone()),
            Action::EnableNow(unit),
            Action::ExportfsReload,
        ];
        for action in actions {
            assert_eq!(action.to_string().parse::<Action>(), Ok(action));
        }
    }

    #[test]
    fn unknown_actions_are_refused() {
        for text in ["", "systemctl stop ", "systemctl stop a b", "rm -rf /", "exportfs -ra "] {
            assert!(text.parse::<Action>().is_err(), "{text:?}");
        }
    }

    #[test]
    fn an_enabled_unit_is_disabled_before_its_file_goes() {
        let enable = Action::EnableNow("x.timer".to_owned());
        assert_eq!(enable.on_removal(), Some((Moment::BeforeRemoval, Action::DisableNow("x.timer".to_owned()))));
        assert_eq!(Action::Stop("x.timer".to_owned()).on_removal(), None);
    }
}
