//! What the plan decides about each output file: where it goes, its mode, what it holds
//! (as typed content for a template) and what a deployer must do when it changes.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

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

/// A command a deployer runs after a file changes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    DaemonReload,
    Stop(String),
    EnableNow(String),
    ExportfsReload,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::DaemonReload => f.write_str("systemctl daemon-reload"),
            Action::Stop(unit) => write!(f, "systemctl stop {unit}"),
            Action::EnableNow(unit) => write!(f, "systemctl enable --now {unit}"),
            Action::ExportfsReload => f.write_str("exportfs -ra"),
        }
    }
}

/// One file of one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    pub mode: u32,
    pub content: Content,
    pub actions: Vec<Action>,
}

/// Every file of every host, keyed by host and path relative to the host's root.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Files(pub BTreeMap<(String, String), PlannedFile>);

impl Files {
    /// Adds a file; a file that several parts of the policy need (a mask) is added once.
    pub fn add(&mut self, host: &str, path: impl Into<String>, mode: u32, content: Content, actions: Vec<Action>) {
        self.0.entry((host.to_owned(), path.into())).or_insert(PlannedFile { mode, content, actions });
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
