//! Every problem zplan can report about a policy: one variant each, with a stable code,
//! the spans it is about and a help line that says how to fix it.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// A problem in a policy. Codes are stable: `E01xx` syntax, `E02xx` structure and names,
/// `E03xx` values, `E04xx` replication, `E05xx` NFS, `W06xx` warnings, `E07xx` zrepl, static
/// pairs and FreeBSD.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum Problem {
    #[error("unexpected character `{found}`")]
    #[diagnostic(
        code(E0101),
        help("names may contain letters, digits and `_ - . / : @ +`; everything after `#` is a comment")
    )]
    UnexpectedCharacter {
        #[label("not part of the language")]
        span: SourceSpan,
        found: String,
    },

    #[error("`=` does not belong between a setting and its value")]
    #[diagnostic(code(E0102), help("write the setting and its value separated by a space, such as `hourly 24`"))]
    EqualsSign {
        #[label("remove this `=`")]
        span: SourceSpan,
    },

    #[error("this `{{` is never closed")]
    #[diagnostic(code(E0103), help("add a `}}` after the last statement of this block"))]
    UnclosedBrace {
        #[label("opened here")]
        span: SourceSpan,
    },

    #[error("this `}}` closes no block")]
    #[diagnostic(code(E0104), help("remove it, or add the `{{` that it should close"))]
    UnmatchedBrace {
        #[label("nothing to close")]
        span: SourceSpan,
    },

    #[error("blocks are nested more than {limit} deep")]
    #[diagnostic(code(E0105), help("a policy needs at most three levels of blocks; close the blocks you opened"))]
    NestingTooDeep {
        #[label("too deep")]
        span: SourceSpan,
        limit: usize,
    },

    #[error("expected {expected}, found {found}")]
    #[diagnostic(
        code(E0106),
        help("each line holds one statement: a keyword, its values and an optional `{{ … }}` block")
    )]
    Expected {
        #[label("expected {expected}")]
        span: SourceSpan,
        expected: String,
        found: String,
    },

    #[error("the policy is not text")]
    #[diagnostic(code(E0107), help("zplan reads UTF-8 text without NUL bytes; check that the right file was given"))]
    NotText {
        #[label("not text")]
        span: SourceSpan,
    },

    #[error("the policy is larger than the {limit} bytes zplan reads")]
    #[diagnostic(code(E0108), help("split the fleet into several policies"))]
    TooLarge { limit: usize },

    #[error("line {line} is {length} bytes long, more than the {limit} a policy line may have")]
    #[diagnostic(
        code(E0110),
        help("one statement per line: split long lists over several statements, and check that this is a policy")
    )]
    LineTooLong { line: usize, length: usize, limit: usize },

    #[error("values are written without quotes")]
    #[diagnostic(code(E0109), help("remove the quotes; names, paths and addresses are written bare"))]
    Quoted {
        #[label("quote")]
        span: SourceSpan,
    },

    #[error("unknown {what} `{keyword}`")]
    #[diagnostic(code(E0201))]
    UnknownKeyword {
        #[label("not known here")]
        span: SourceSpan,
        what: String,
        keyword: String,
        #[help]
        help: Option<String>,
    },

    #[error("no {kind} is named `{name}`")]
    #[diagnostic(code(E0202))]
    UnknownName {
        #[label("not defined")]
        span: SourceSpan,
        kind: &'static str,
        name: String,
        #[help]
        help: Option<String>,
    },

    #[error("{kind} `{name}` is defined twice")]
    #[diagnostic(code(E0203), help("give each {kind} a name of its own, or merge the two"))]
    DuplicateDefinition {
        #[label("defined again here")]
        second: SourceSpan,
        #[label("first defined here")]
        first: SourceSpan,
        kind: &'static str,
        name: String,
    },

    #[error("a policy has one `{keyword}` block, and this is a second one")]
    #[diagnostic(code(E0209), help("move its statements into the first `{keyword}` block and delete this one"))]
    DuplicateBlock {
        #[label("a second block here")]
        second: SourceSpan,
        #[label("the first one")]
        first: SourceSpan,
        keyword: &'static str,
    },

    #[error("`{keyword}` is set twice in this block")]
    #[diagnostic(code(E0204), help("keep one of them"))]
    DuplicateSetting {
        #[label("set again here")]
        second: SourceSpan,
        #[label("first set here")]
        first: SourceSpan,
        keyword: String,
    },

    #[error("{owner} has no `{keyword}`")]
    #[diagnostic(code(E0205), help("add a line such as `{example}`"))]
    MissingSetting {
        #[label("`{keyword}` is needed here")]
        span: SourceSpan,
        owner: String,
        keyword: &'static str,
        example: &'static str,
    },

    #[error("`{keyword}` takes {expected}")]
    #[diagnostic(code(E0206), help("write it as `{example}`"))]
    WrongValueCount {
        #[label("here")]
        span: SourceSpan,
        keyword: String,
        expected: &'static str,
        example: &'static str,
    },

    #[error("`{keyword}` {needs}")]
    #[diagnostic(code(E0207), help("write it as `{example}`"))]
    BlockShape {
        #[label("here")]
        span: SourceSpan,
        keyword: String,
        needs: &'static str,
        example: &'static str,
    },

    #[error("`allow {code}` cannot be honoured: {reason}")]
    #[diagnostic(
        code(E0208),
        help("`allow` takes warning codes (W…) that `zplan explain` lists, and in a client `E0506 because REASON` for a soft mount on purpose")
    )]
    InvalidAllow {
        #[label("not a warning code")]
        span: SourceSpan,
        code: String,
        reason: &'static str,
    },

    #[error("expected {expected}, found `{found}`")]
    #[diagnostic(code(E0301))]
    WrongKind {
        #[label("not {expected}")]
        span: SourceSpan,
        expected: &'static str,
        found: String,
        #[help]
        help: String,
    },

    #[error("`{name}` is not a valid ZFS dataset name: {reason}")]
    #[diagnostic(
        code(E0302),
        help("a dataset is a pool name and components separated by `/`, made of letters, digits and `_ - . :`")
    )]
    InvalidDataset {
        #[label("invalid dataset")]
        span: SourceSpan,
        name: String,
        reason: &'static str,
    },

    #[error("`{name}` is not a valid name: {reason}")]
    #[diagnostic(
        code(E0303),
        help("names are lowercase letters, digits and `-`, start with a letter or digit, at most 63 characters")
    )]
    InvalidName {
        #[label("invalid name")]
        span: SourceSpan,
        name: String,
        reason: &'static str,
    },

    #[error("`{text}` is not a valid {what}")]
    #[diagnostic(code(E0304), help("write {example}"))]
    InvalidAddress {
        #[label("invalid {what}")]
        span: SourceSpan,
        text: String,
        what: &'static str,
        example: &'static str,
    },

    #[error("`{text}` is not a usable path: {reason}")]
    #[diagnostic(
        code(E0305),
        help("write an absolute path of letters, digits and `_ - . + @ :`, without `.` or `..` components")
    )]
    InvalidPath {
        #[label("invalid path")]
        span: SourceSpan,
        text: String,
        reason: &'static str,
    },

    #[error("{what} `{text}` is out of range")]
    #[diagnostic(code(E0306), help("use a value from {range}"))]
    OutOfRange {
        #[label("out of range")]
        span: SourceSpan,
        what: &'static str,
        text: String,
        range: &'static str,
    },

    #[error("unknown {context} option `{option}`")]
    #[diagnostic(code(E0307))]
    UnknownOption {
        #[label("unknown option")]
        span: SourceSpan,
        context: &'static str,
        option: String,
        #[help]
        help: Option<String>,
    },

    #[error("option `{option}` needs {expected}")]
    #[diagnostic(code(E0308), help("write it as `{example}`"))]
    OptionValue {
        #[label("needs {expected}")]
        span: SourceSpan,
        option: String,
        expected: &'static str,
        example: &'static str,
    },

    #[error("the unit name `{unit}` would be {length} characters, more than the 255 systemd takes")]
    #[diagnostic(code(E0309), help("{help}"))]
    UnitNameTooLong {
        #[label("this name is part of the unit name")]
        span: SourceSpan,
        unit: String,
        length: usize,
        help: &'static str,
    },

    #[error("`{text}` cannot be the address of {owner}: it is {reason}")]
    #[diagnostic(code(E0310))]
    UnusableAddress {
        #[label("no other host reaches this")]
        span: SourceSpan,
        text: String,
        owner: &'static str,
        reason: &'static str,
        #[help]
        help: &'static str,
    },

    #[error("nodes `{first_node}` and `{second_node}` have the same address `{address}`")]
    #[diagnostic(
        code(E0311),
        help("give each node the address it is reached at; two names for one machine make a pair between them replicate onto itself, and put two hosts' files on one machine")
    )]
    SharedNodeAddress {
        #[label("`{second_node}` here")]
        second: SourceSpan,
        #[label("`{first_node}` here")]
        first: SourceSpan,
        first_node: String,
        second_node: String,
        address: String,
    },

    #[error("`{name}` is not a usable host name: {reason}")]
    #[diagnostic(
        code(E0350),
        help("write an IP address such as `192.168.1.10`, or a DNS name of dot-separated labels of letters, digits and `-`, such as `nas.lan`")
    )]
    InvalidHostName {
        #[label("invalid host name")]
        span: SourceSpan,
        name: String,
        reason: &'static str,
    },

    #[error("zrepl's tcp transport cannot know node `{node}` by the host name `{name}`: the `clients` map of `{server}` takes IP addresses and networks only")]
    #[diagnostic(
        code(E0351),
        help("give `{node}` the IP address it connects from, or use `transport tls` (certificates name the nodes) or `transport ssh`, which reach a node by its host name")
    )]
    TcpClientHostName {
        #[label("a host name")]
        span: SourceSpan,
        #[label("pair `{pair}` uses zrepl's tcp transport")]
        transport: SourceSpan,
        node: String,
        name: String,
        server: String,
        pair: String,
    },

    #[error("`{name}` is not a usable account name: {reason}")]
    #[diagnostic(
        code(E0352),
        help("write the account as useradd(8) creates it, such as `zfsbackup` or `_syncoid`: a lowercase letter or `_`, then lowercase letters, digits, `_` and `-`")
    )]
    InvalidUserName {
        #[label("invalid account name")]
        span: SourceSpan,
        name: String,
        reason: &'static str,
    },

    #[error("ssh option `{name}` cannot be set with `option`: {reason}")]
    #[diagnostic(
        code(E0353),
        help("set the node's address, `user`, `port` and `key` with their own statements, and give `option` only ssh_config(5) settings that change how ssh connects, such as `option StrictHostKeyChecking yes`")
    )]
    SshOptionRefused {
        #[label("refused")]
        span: SourceSpan,
        name: String,
        reason: String,
    },

    #[error("zrepl pair `{pair}` cannot replicate as another account: its `{keyword}` is for syncoid pairs")]
    #[diagnostic(
        code(E0354),
        help("zrepl's daemon runs every job as root, and reaches its peer with `transport ssh user U port N key PATH`: remove `{keyword}`, or use `engine syncoid` to replicate as an account with `zfs allow` rights")
    )]
    IdentityOnZrepl {
        #[label("not for zrepl")]
        span: SourceSpan,
        #[label("the pair's engine")]
        engine: SourceSpan,
        pair: String,
        keyword: &'static str,
    },

    #[error("{what} cannot be `/`, the root file system of {whose}")]
    #[diagnostic(code(E0312))]
    RootPath {
        #[label("the root file system")]
        span: SourceSpan,
        what: &'static str,
        whose: &'static str,
        #[help]
        help: &'static str,
    },
    #[error("syncoid has no compression method `{method}`")]
    #[diagnostic(code(E0335))]
    UnknownCompression {
        #[label("not a syncoid `--compress` method")]
        span: SourceSpan,
        method: String,
        #[help]
        help: String,
    },

    #[error("mbuffer cannot read the size `{text}` of `{keyword}`")]
    #[diagnostic(
        code(E0337),
        help("syncoid hands `{keyword}` to mbuffer, whose sizes stop at T (TiB): write it in K, M, G or T")
    )]
    MbufferSize {
        #[label("a size in P")]
        span: SourceSpan,
        keyword: &'static str,
        text: String,
    },

    #[error("`{dataset}` on node `{node}` has the node's own snapshot policy and is {role} by pair `{pair}`")]
    #[diagnostic(
        code(E0320),
        help("give a dataset one snapshot policy per node: drop the node's `snapshot` statement and let pair `{pair}` snapshot and prune it, or take it out of the pair")
    )]
    SnapshotAndPair {
        #[label("node `{node}` snapshots and prunes it here")]
        snapshot: SourceSpan,
        #[label("{role} by pair `{pair}` here")]
        pair_span: SourceSpan,
        dataset: String,
        node: String,
        pair: String,
        role: &'static str,
    },

    #[error("`{dataset}` on node `{node}` falls under two `snapshot` statements {why}")]
    #[diagnostic(
        code(E0321),
        help("snapshot each dataset once per node; a child may carry its own retention below a `recursive` parent of the same engine")
    )]
    SnapshotTwice {
        #[label("second here")]
        second: SourceSpan,
        #[label("first here")]
        first: SourceSpan,
        dataset: String,
        node: String,
        why: &'static str,
    },

    #[error("`{child_name}` has its own retention inside the atomic snapshot of `{parent}` on node `{node}`")]
    #[diagnostic(
        code(E0322),
        help("`recursive atomic` takes `{parent}` and every child in one `zfs snapshot -r` with the parent's kinds, so a child's own retention would prune snapshots it never took: drop `atomic`, or the child's statement")
    )]
    ChildOfAtomic {
        #[label("own retention `{retention}`")]
        child: SourceSpan,
        #[label("atomic here")]
        atomic: SourceSpan,
        child_name: String,
        parent: String,
        node: String,
        retention: String,
    },

    #[error("zrepl cannot take the {kind} snapshots of retention `{retention}` {when}")]
    #[diagnostic(
        code(E0323),
        help("zrepl snapshots on an interval counted from its last snapshot, not at a time of day: drop the time, or use sanoid (`engine sanoid` for a node's snapshots, `engine syncoid` for a pair)")
    )]
    TimeOfDayForZrepl {
        #[label("a time of day")]
        time: SourceSpan,
        #[label("zrepl keeps it here")]
        user: SourceSpan,
        kind: &'static str,
        retention: String,
        when: String,
    },

    #[error("sanoid cannot keep the newest {count} snapshots of retention `{retention}` for node `{node}`")]
    #[diagnostic(
        code(E0324),
        help("sanoid keeps a count of each kind (`hourly 24`, `daily 14`), not the newest N of all kinds: write counts, or take these snapshots with `engine zrepl`")
    )]
    LastForSanoid {
        #[label("`last {count}`")]
        last: SourceSpan,
        #[label("sanoid keeps it here")]
        user: SourceSpan,
        count: u32,
        retention: String,
        node: String,
    },

    #[error("zrepl cannot snapshot `{dataset}` and its children atomically")]
    #[diagnostic(
        code(E0325),
        help("a zrepl `snap` job snapshots each file system on its own; for one `zfs snapshot -r` of the whole tree use `engine sanoid`, or drop `atomic`")
    )]
    AtomicForZrepl {
        #[label("atomic")]
        atomic: SourceSpan,
        #[label("zrepl")]
        engine: SourceSpan,
        dataset: String,
    },

    #[error("pair `{pair}` cannot meet its rpo of {rpo} with the snapshots node `{node}` takes of `{dataset}`: the worst case is {worst}")]
    #[diagnostic(code(E0326))]
    FanOutRpoUnmet {
        #[label("rpo {rpo}")]
        rpo_span: SourceSpan,
        #[label("a snapshot every {gap} at most")]
        snapshot: SourceSpan,
        pair: String,
        node: String,
        dataset: String,
        rpo: String,
        worst: String,
        gap: String,
        #[help]
        help: String,
    },

    #[error("retention `{retention}` keeps the snapshots of `{dataset}` on node `{node}` for {horizon} ({makeup}), too short for the {outage} outage of pair `{pair}`")]
    #[diagnostic(
        code(E0327),
        help("the sender keeps what the slowest target has not received only as long as its retention does: keep the node's snapshots longer than {needed} (the outage and one replication period), or declare a shorter `outage` for pair `{pair}`")
    )]
    FanOutOutage {
        #[label("outage {outage}")]
        outage_span: SourceSpan,
        #[label("keeps {horizon}")]
        retention_span: SourceSpan,
        retention: String,
        dataset: String,
        node: String,
        pair: String,
        horizon: String,
        makeup: String,
        outage: String,
        needed: String,
    },

    #[error("{count} syncoid pairs send `{dataset}` from node `{node}`: {pairs}")]
    #[diagnostic(
        code(E0328),
        help("syncoid's `--create-bookmark` names the bookmark after the snapshot it sent, retries once with a guid suffix when a target before it took that name, and fails the third (syncoid 2.1.0, lines 840-857): send to at most two targets from one node")
    )]
    TooManyTargets {
        #[label("a third sender")]
        third: SourceSpan,
        #[label("first")]
        first: SourceSpan,
        count: usize,
        dataset: String,
        node: String,
        pairs: String,
    },

    #[error("pair `{pair}` cannot meet its rpo of {rpo} at the end of a cascade: the worst case is {worst}")]
    #[diagnostic(
        code(E0420),
        help("a copy sent on waits for every pair before it: declare an rpo of at least {total}, or make the pairs before it ({upstream}) replicate more often")
    )]
    CascadeRpoUnmet {
        #[label("rpo {rpo}")]
        rpo_span: SourceSpan,
        #[label("arrives from pair `{previous}`")]
        dataset: SourceSpan,
        pair: String,
        previous: String,
        upstream: String,
        rpo: String,
        worst: String,
        total: String,
    },

    #[error("`{dataset}` replicates in a loop: {chain}")]
    #[diagnostic(
        code(E0421),
        help("a copy must not come back to where it started: there every pair of the loop would only send what it receives, and nothing would take its snapshots; receive the last hop under another dataset (`target NODE under DATASET`), or end the chain before it returns")
    )]
    CascadeLoop {
        #[label("sent on from here")]
        first: SourceSpan,
        #[label("and back")]
        last: SourceSpan,
        dataset: String,
        chain: String,
    },

    #[error("{pair} cannot meet its rpo of {rpo}: the worst case is {worst}")]
    #[diagnostic(code(E0401))]
    RpoUnmet {
        #[label("rpo {rpo}")]
        span: SourceSpan,
        pair: String,
        rpo: String,
        worst: String,
        #[help]
        help: String,
    },

    #[error("retention `{retention}` keeps {horizon} of snapshots, not longer than the {outage} outage of {pair} plus one replication: {sum}")]
    #[diagnostic(
        code(E0402),
        help("keep snapshots longer (for example with `weekly 4`), or declare a shorter `outage`; otherwise the last common snapshot can be pruned while replication is down, forcing a full resend")
    )]
    RetentionTooShort {
        #[label("outage {outage}")]
        outage_span: SourceSpan,
        #[label("keeps {horizon}")]
        retention_span: SourceSpan,
        retention: String,
        pair: String,
        horizon: String,
        outage: String,
        /// The outage plus one replication period, term by term.
        sum: String,
    },

    #[error("retention `{retention}` keeps no frequent snapshots, which {pair} needs for its rpo")]
    #[diagnostic(
        code(E0403),
        help("remove `frequently 0` and zplan keeps an hour of them, or give a count of at least 1")
    )]
    NoFrequentSnapshots {
        #[label("frequently 0")]
        span: SourceSpan,
        retention: String,
        pair: String,
    },

    #[error("pair `{pair}` replicates node `{node}` to itself")]
    #[diagnostic(code(E0404), help("a pair names two different nodes"))]
    SameNode {
        #[label("and again here")]
        second: SourceSpan,
        #[label("named here")]
        first: SourceSpan,
        pair: String,
        node: String,
    },

    #[error("`{dataset}` is already replicated by `{other}`")]
    #[diagnostic(code(E0405), help("replicate each dataset once: drop this line, or drop `recursive` from the other"))]
    DatasetTwice {
        #[label("replicated again here")]
        second: SourceSpan,
        #[label("already covered here")]
        first: SourceSpan,
        dataset: String,
        other: String,
    },

    #[error("datasets `{first_name}` and `{second_name}` would share the unit name `{unit}`")]
    #[diagnostic(code(E0406), help("rename one of the datasets; unit names replace `/` with `-`"))]
    UnitNameClash {
        #[label("this one")]
        second: SourceSpan,
        #[label("and this one")]
        first: SourceSpan,
        first_name: String,
        second_name: String,
        unit: String,
    },

    #[error("engine `{engine}` is not supported")]
    #[diagnostic(code(E0407))]
    UnsupportedEngine {
        #[label("unsupported engine")]
        span: SourceSpan,
        engine: String,
        #[help]
        help: Option<String>,
    },

    #[error("{owner} mixes a followed active node with a static source and target")]
    #[diagnostic(
        code(E0408),
        help("either write `nodes A B` and `active follows proxmox-guest ID`, or `source A` and `target B`")
    )]
    MixedRoles {
        #[label("followed here")]
        follows: SourceSpan,
        #[label("static here")]
        fixed: SourceSpan,
        owner: String,
    },

    #[error("`{text}` cannot be a timer period: {reason}")]
    #[diagnostic(
        code(E0409),
        help("use one of 1m 2m 3m 4m 5m 6m 10m 12m 15m 20m 30m, so that the timer fires at the same minutes of every hour")
    )]
    PeriodNotDivisor {
        #[label("{label}")]
        span: SourceSpan,
        text: String,
        reason: &'static str,
        label: &'static str,
    },

    #[error("the transfer time is both declared and estimated")]
    #[diagnostic(
        code(E0412),
        help("keep `transfer` to state the time one incremental may take, or `link` and `changes` to let zplan estimate it per snapshot interval, not both")
    )]
    TransferTwice {
        #[label("declared here")]
        declared: SourceSpan,
        #[label("estimated from here")]
        estimated: SourceSpan,
    },

    #[error("pair `{pair}` writes {changes}, more than it can send")]
    #[diagnostic(code(E0413))]
    ChangesOutpaceRate {
        #[label("{changes}")]
        changes_span: SourceSpan,
        #[label("sends at most {rate} per second")]
        rate_span: SourceSpan,
        pair: String,
        changes: String,
        rate: String,
        #[help]
        help: String,
    },
    #[error("`{second}` and `{first}` of pair `{pair}` both land on `{copy}` on node `{node}`")]
    #[diagnostic(
        code(E0441),
        help("give each copy its own dataset: a second receive into one copy rolls back and destroys the snapshots of the first")
    )]
    CopiesCollide {
        #[label("lands on `{second_copy}`")]
        second_span: SourceSpan,
        #[label("lands on `{first_copy}`")]
        first_span: SourceSpan,
        pair: String,
        node: String,
        first: String,
        second: String,
        first_copy: String,
        second_copy: String,
        copy: String,
    },

    #[error("{what} cannot say where pair `{pair}`'s copies land: {reason}")]
    #[diagnostic(code(E0442))]
    CopyNameNotExpressible {
        #[label("not possible here")]
        span: SourceSpan,
        what: String,
        pair: String,
        reason: &'static str,
        #[help]
        help: &'static str,
    },

    #[error("syncoid {version} on node `{node}` does not accept `{option}`: it came with syncoid {since}")]
    #[diagnostic(
        code(E0443),
        help("declare the release the node runs (`sanoid {since}` in node `{node}`) if it is that new, or remove the statement")
    )]
    SyncoidTooOld {
        #[label("needs syncoid {since}")]
        span: SourceSpan,
        #[label("node `{node}` runs syncoid {version}")]
        node_span: SourceSpan,
        option: String,
        node: String,
        version: &'static str,
        since: &'static str,
    },

    #[error(
        "`delete-target-snapshots` would destroy the {kind} snapshots the target of pair `{pair}` keeps: {arithmetic}"
    )]
    #[diagnostic(
        code(E0444),
        help("syncoid deletes every snapshot of the copy that the source no longer has: keep no kind longer on the target than on the source, or remove `delete-target-snapshots` and let the target's sanoid prune")
    )]
    DeleteTargetKeeps {
        #[label("deletes what the source pruned")]
        span: SourceSpan,
        #[label("the target keeps {kind} {target_count}")]
        retention_span: SourceSpan,
        pair: String,
        kind: &'static str,
        target_count: u32,
        arithmetic: String,
    },

    #[error("`delete-target-snapshots` on pair `{pair}`, whose role follows a guest, would destroy the snapshots a failed-over node took")]
    #[diagnostic(
        code(E0445),
        help("after a failover the old active node's snapshots exist only on the standby; they are what the runbook recovers from. Remove `delete-target-snapshots`; each node's sanoid prunes its own")
    )]
    DeleteTargetFollowed {
        #[label("deletes every snapshot the new active node lacks")]
        span: SourceSpan,
        #[label("the role follows a guest")]
        follows: SourceSpan,
        pair: String,
    },

    #[error("`replicate-every {text}` cannot be a timer's cadence: {reason}")]
    #[diagnostic(
        code(E0430),
        help("use minutes that divide an hour (1m … 30m), hours that divide a day (1h 2h 3h 4h 6h 8h 12h), `1d [at HH:MM]` or `1w [on DAY] [at HH:MM]`")
    )]
    CadenceNotCalendar {
        #[label("not a calendar cadence")]
        span: SourceSpan,
        text: String,
        reason: String,
    },

    #[error("`{start}` cannot start this replication: {reason}")]
    #[diagnostic(code(E0431))]
    CadenceStartMisplaced {
        #[label("{start}")]
        span: SourceSpan,
        start: String,
        reason: String,
        #[help]
        help: String,
    },

    #[error("{pair} pulls, but its roles follow a Proxmox guest")]
    #[diagnostic(
        code(E0432),
        help("a puller must know which node to fetch from before it runs; write a static pair or a `backup` with `source` and `target`, or remove `mode pull`")
    )]
    PullFollows {
        #[label("mode pull")]
        mode: SourceSpan,
        #[label("the source changes at run time")]
        follows: SourceSpan,
        pair: String,
    },

    #[error("`{keyword}` has no place in {backup}: a backup's source and target are fixed")]
    #[diagnostic(
        code(E0433),
        help("name the two ends with `source NODE` and `target NODE [under DATASET]`; for a pair whose roles follow a Proxmox guest, write a `pair` block")
    )]
    BackupRoles {
        #[label("not in a backup")]
        span: SourceSpan,
        keyword: &'static str,
        backup: String,
    },

    #[error("{pair} snapshots every {interval}, but one transfer may take {transfer}")]
    #[diagnostic(
        code(E0435),
        help("zrepl drops the wake-up of a snapshot taken while a replication still runs, so the worst case would not be {interval} + {transfer}; write `snapshot-every {transfer}` or longer, or lower `transfer` if one transfer is faster")
    )]
    PushOutpacesTransfer {
        #[label("every {interval}")]
        span: SourceSpan,
        pair: String,
        interval: String,
        transfer: String,
    },

    #[error("{pair} has neither an `rpo` nor a cadence")]
    #[diagnostic(
        code(E0434),
        help("add `{example}` to say how often it runs, or an `rpo` and zplan chooses the periods")
    )]
    NoCadence {
        #[label("how often does it replicate?")]
        span: SourceSpan,
        pair: String,
        example: &'static str,
    },

    #[error("`{dataset}` on node `{node}` is written by pair `{second_pair}` and by pair `{first_pair}`")]
    #[diagnostic(
        code(E0410),
        help("give every dataset one writer per node: no node may receive a dataset that another pair also snapshots or receives there; to send one dataset to two targets, let its node take the snapshots (`snapshot DATASET … retention NAME` in the node) and the syncoid pairs only send them, or send the very same datasets from zrepl pairs of one source (a fan-out)")
    )]
    TwoWriters {
        #[label("{second_role} here")]
        second: SourceSpan,
        #[label("{first_role} here")]
        first: SourceSpan,
        dataset: String,
        node: String,
        first_pair: String,
        second_pair: String,
        first_role: &'static str,
        second_role: &'static str,
    },

    #[error("export `{path}` serves `{dataset}`, which pair `{pair}` does not replicate")]
    #[diagnostic(code(E0501))]
    ExportNotReplicated {
        #[label("not replicated")]
        span: SourceSpan,
        path: String,
        dataset: String,
        pair: String,
        #[help]
        help: String,
    },

    #[error("options `{first_name}` and `{second_name}` contradict each other")]
    #[diagnostic(code(E0502), help("keep one of them; the tools would silently use the last"))]
    ConflictingOptions {
        #[label("this one")]
        second: SourceSpan,
        #[label("contradicts this one")]
        first: SourceSpan,
        first_name: String,
        second_name: String,
    },

    #[error("option `{option}` is given twice")]
    #[diagnostic(code(E0503), help("remove one of them"))]
    RepeatedOption {
        #[label("again here")]
        second: SourceSpan,
        #[label("first here")]
        first: SourceSpan,
        option: String,
    },

    #[error("exports `{first_path}` and `{second_path}` have the same fsid {fsid}")]
    #[diagnostic(code(E0504), help("give one of them an explicit `fsid` of its own"))]
    FsidClash {
        #[label("fsid {fsid}")]
        second: SourceSpan,
        #[label("fsid {fsid}")]
        first: SourceSpan,
        first_path: String,
        second_path: String,
        fsid: u32,
    },

    #[error("nfs server `{server}` exports no `{path}`")]
    #[diagnostic(code(E0505))]
    UnknownExport {
        #[label("not exported")]
        span: SourceSpan,
        server: String,
        path: String,
        #[help]
        help: Option<String>,
    },

    #[error("this soft mount gives up after {budget}, before the {failover} failover of nfs server `{server}`")]
    #[diagnostic(code(E0506))]
    SoftMountGivesUp {
        #[label("gives up after {budget}")]
        soft: SourceSpan,
        #[label("failover {declared}")]
        failover_span: SourceSpan,
        budget: String,
        failover: String,
        declared: String,
        server: String,
        #[help]
        help: String,
    },

    #[error("export `{path}` serves `{dataset}` on node `{node}`, which receives it from pair `{pair}`")]
    #[diagnostic(
        code(E0507),
        help("a replication target is overwritten by every receive: export the dataset from the node that writes it, or serve the copy read-only from a server `on node` there, by the name it lands under")
    )]
    ExportOfReceivedData {
        #[label("exported here")]
        export: SourceSpan,
        #[label("received here")]
        receive: SourceSpan,
        path: String,
        dataset: String,
        node: String,
        pair: String,
    },

    #[error("nfs server `{server}` declares a {failover} failover, but moving it to the new active node and waiting out its grace period takes up to {delay}")]
    #[diagnostic(code(E0508))]
    FailoverTooShort {
        #[label("failover {failover}")]
        span: SourceSpan,
        server: String,
        failover: String,
        delay: String,
        #[help]
        help: String,
    },

    #[error("node `{node}` would run the NFS server for pairs `{first_pair}` and `{second_pair}`")]
    #[diagnostic(
        code(E0509),
        help("one NFS server per node follows one pair, because the pairs may be active on different nodes; serve the second pair's exports from its own nodes, or replicate both sets of datasets in one pair")
    )]
    SharedNfsServer {
        #[label("follows pair `{second_pair}`")]
        second: SourceSpan,
        #[label("follows pair `{first_pair}`")]
        first: SourceSpan,
        node: String,
        first_pair: String,
        second_pair: String,
    },

    #[error("export `{path}` is not where `{dataset}` is mounted on {nodes}")]
    #[diagnostic(code(E0510))]
    ExportOutsideMountpoint {
        #[label("exported here")]
        span: SourceSpan,
        #[label("mounted at `{mountpoint}`")]
        dataset_span: SourceSpan,
        path: String,
        dataset: String,
        /// The nodes that would serve it, named in backticks.
        nodes: String,
        mountpoint: String,
        #[help]
        help: String,
    },

    #[error("nfs server `{server}` has the address `{address}` of {holder}")]
    #[diagnostic(code(E0511))]
    ServiceAddressTaken {
        #[label("the address clients mount")]
        span: SourceSpan,
        #[label("the address of {holder}")]
        taken: SourceSpan,
        server: String,
        address: String,
        holder: String,
        #[help]
        help: &'static str,
    },

    #[error("path `{path}` on node `{node}` would serve `{second_dataset}` for nfs server `{second_server}` and `{first_dataset}` for nfs server `{first_server}`")]
    #[diagnostic(
        code(E0512),
        help(
            "a path of a node serves one dataset, and clients would get either: give one of the exports another path"
        )
    )]
    ExportPathClash {
        #[label("exported again here")]
        second: SourceSpan,
        #[label("first exported here")]
        first: SourceSpan,
        path: String,
        node: String,
        first_dataset: String,
        second_dataset: String,
        first_server: String,
        second_server: String,
    },

    #[error("nfs servers `{first_server}` and `{second_server}` both run on node `{node}`, with different grace periods or leases")]
    #[diagnostic(
        code(E0520),
        help("one nfsd serves every export of a node, with one grace period and one lease: give both servers the same `grace` and `lease`")
    )]
    NfsdTimesDisagree {
        #[label("{second_times}")]
        second: SourceSpan,
        #[label("{first_times}")]
        first: SourceSpan,
        node: String,
        first_server: String,
        second_server: String,
        first_times: String,
        second_times: String,
    },

    #[error("nfs server `{server}` has a {grace} grace period, shorter than its {lease} lease")]
    #[diagnostic(
        code(E0521),
        help("a client may not notice that the server restarted until its lease runs out, and then it is too late to reclaim its locks: make `grace` at least as long as `lease`")
    )]
    GraceShorterThanLease {
        #[label("grace {grace}")]
        grace_span: SourceSpan,
        #[label("lease {lease}")]
        lease_span: SourceSpan,
        server: String,
        grace: String,
        lease: String,
    },

    #[error("nfs server on a node has `{keyword}`, but it never moves")]
    #[diagnostic(
        code(E0530),
        help("remove `{keyword}`: a server `on node` always runs on that node; to serve data that moves with a pair's role, place the server `on pair`")
    )]
    FailoverOnNodeServer {
        #[label("nothing fails over here")]
        span: SourceSpan,
        keyword: &'static str,
    },

    #[error("zplan writes `{option}` on every export line itself")]
    #[diagnostic(code(E0540))]
    OptionOwnedByZplan {
        #[label("written by zplan")]
        span: SourceSpan,
        option: String,
        #[help]
        help: &'static str,
    },

    #[error("`sec {flavours}` names `{flavour}` twice")]
    #[diagnostic(
        code(E0541),
        help("name each flavour once, the one the server prefers first, such as `sec krb5p:krb5i:krb5`")
    )]
    RepeatedFlavour {
        #[label("`{flavour}` again")]
        span: SourceSpan,
        flavours: String,
        flavour: String,
    },

    #[error("export `{path}` gives root to every client: `{who}` with {grant} is a world export in all but name")]
    #[diagnostic(code(E0542))]
    WorldRootExport {
        #[label("every client")]
        who_span: SourceSpan,
        #[label("root access")]
        option_span: SourceSpan,
        path: String,
        who: String,
        grant: String,
        #[help]
        help: String,
    },

    #[error("`{pattern}` is not a host name pattern exports(5) can match: {reason}")]
    #[diagnostic(code(E0543))]
    InvalidHostPattern {
        #[label("invalid pattern")]
        span: SourceSpan,
        pattern: String,
        reason: String,
        #[help]
        help: String,
    },

    #[error("`{option} {locations}` is not a list of NFSv4 locations: {reason}")]
    #[diagnostic(
        code(E0544),
        help("write `PATH@HOST`, with more hosts as `+HOST` and more locations after `:`, such as `{option} /srv/data@nas2.lan+10.0.0.2`")
    )]
    InvalidFsLocations {
        #[label("invalid locations")]
        span: SourceSpan,
        option: String,
        locations: String,
        reason: String,
    },

    #[error("export `{path}` names client `{who}` twice")]
    #[diagnostic(
        code(E0545),
        help("give `{who}` one `client` line with every option it needs; exportfs refuses a client named twice for one path")
    )]
    RepeatedClient {
        #[label("again here")]
        second: SourceSpan,
        #[label("first here")]
        first: SourceSpan,
        who: String,
        path: String,
    },

    #[error("mount option `{option}` is for {wanted} only, and this mount asks for NFS {vers}")]
    #[diagnostic(code(E0560))]
    OptionForOtherVersion {
        #[label("{wanted} only")]
        option_span: SourceSpan,
        #[label("NFS {vers}")]
        vers_span: SourceSpan,
        option: String,
        wanted: &'static str,
        vers: String,
        #[help]
        help: String,
    },

    #[error("`{min_name}` ({min}) is longer than `{max_name}` ({max})")]
    #[diagnostic(
        code(E0561),
        help("the client caches attributes for at least the minimum and at most the maximum, so the minimum must not exceed the maximum: shorten `{min_name}` or lengthen `{max_name}` (nfs(5) defaults: acregmin 3s, acregmax 1m, acdirmin 30s, acdirmax 1m)")
    )]
    AttributeCacheInverted {
        #[label("minimum {min}")]
        min_span: SourceSpan,
        #[label("maximum {max}")]
        max_span: SourceSpan,
        min_name: &'static str,
        max_name: &'static str,
        min: String,
        max: String,
    },

    #[error("`idle-timeout` applies to an automount, and this mount has no `automount`")]
    #[diagnostic(
        code(E0562),
        help("systemd unmounts an automounted file system once it has been idle that long; add `automount`, or remove `idle-timeout`, which a mount mounted at boot would ignore")
    )]
    IdleTimeoutWithoutAutomount {
        #[label("ignored without `automount`")]
        span: SourceSpan,
    },

    #[error("`allow {code}` needs a reason: {why}")]
    #[diagnostic(code(E0563))]
    AcknowledgementWithoutReason {
        #[label("no reason given")]
        span: SourceSpan,
        code: String,
        why: &'static str,
        #[help]
        help: String,
    },

    #[error("nfs server `{server}` moves its address with a role, but pair `{pair}` has no role decided at run time")]
    #[diagnostic(
        code(E0570),
        help("a static pair's failover is a person's work, and its runbook says when to move the address: remove `address-moves`")
    )]
    AddressMoveNotFollowed {
        #[label("moves the address")]
        span: SourceSpan,
        #[label("a static pair")]
        pair_span: SourceSpan,
        server: String,
        pair: String,
    },

    #[error("keepalived cannot hold `{address}`, the address of nfs server `{server}`: it is a host name")]
    #[diagnostic(
        code(E0571),
        help("a VRRP instance holds IP addresses: write the server's `address` as the IP literal `{address}` resolves to")
    )]
    KeepalivedNeedsIp {
        #[label("a host name")]
        span: SourceSpan,
        #[label("moved by keepalived")]
        moves: SourceSpan,
        server: String,
        address: String,
    },

    #[error("nfs servers `{first_server}` and `{second_server}` would both use VRRP router id {router_id} on interface `{interface}`")]
    #[diagnostic(code(E0572))]
    RouterIdClash {
        #[label("router id {router_id} again")]
        second: SourceSpan,
        #[label("router id {router_id} first")]
        first: SourceSpan,
        first_server: String,
        second_server: String,
        router_id: u8,
        interface: String,
        #[help]
        help: String,
    },

    #[error("nfs server `{server}` cannot run in guest `{name}`: {holder}")]
    #[diagnostic(code(E0573))]
    GuestNameTaken {
        #[label("the guest")]
        span: SourceSpan,
        #[label("taken here")]
        taken: SourceSpan,
        name: String,
        server: String,
        holder: String,
        #[help]
        help: &'static str,
    },

    #[error("`{name}` is not a network interface name: {reason}")]
    #[diagnostic(
        code(E0574),
        help("write the interface that carries the service address, as `ip link` shows it, such as `vmbr0`")
    )]
    InvalidInterface {
        #[label("interface")]
        span: SourceSpan,
        name: String,
        reason: &'static str,
    },

    #[error("nfs server `{server}` on node `{node}` exports `{dataset}`, which {pair} replicates between `{node}` and `{other}`")]
    #[diagnostic(code(E0531))]
    NodeServerExportsFollowedData {
        #[label("exported here")]
        span: SourceSpan,
        #[label("replicated here")]
        replicated: SourceSpan,
        server: String,
        node: String,
        other: String,
        dataset: String,
        pair: String,
        #[help]
        help: String,
    },

    #[error("nfs server `{server}` on node `{node}` would stop whenever `{node}` is the standby of {pair}")]
    #[diagnostic(code(E0532))]
    NodeServerBehindGate {
        #[label("runs on `{node}`")]
        span: SourceSpan,
        #[label("stops `nfs-server` on the standby")]
        gate: SourceSpan,
        server: String,
        node: String,
        pair: String,
        #[help]
        help: String,
    },

    #[error("path `{path}` on node `{node}` is exported by nfs servers `{first_server}` and `{second_server}`")]
    #[diagnostic(
        code(E0533),
        help("one nfsd serves every export of a node, whatever address a client mounts: export the path once, from one server, with all of its clients")
    )]
    ExportPathTwice {
        #[label("exported again here")]
        second: SourceSpan,
        #[label("first exported here")]
        first: SourceSpan,
        path: String,
        node: String,
        first_server: String,
        second_server: String,
    },

    #[error("node `{node}` says twice where `{dataset}` is mounted")]
    #[diagnostic(code(E0534))]
    MountpointDeclaredTwice {
        #[label("declared again here")]
        second: SourceSpan,
        #[label("first declared here")]
        first: SourceSpan,
        node: String,
        dataset: String,
        #[help]
        help: String,
    },

    #[error("nfs server `{server}` on node `{node}` exports `{dataset}`, which the policy places on node `{other}`")]
    #[diagnostic(code(E0535))]
    ExportOfAnotherNodesData {
        #[label("not a dataset of `{node}`")]
        span: SourceSpan,
        server: String,
        node: String,
        other: String,
        dataset: String,
        #[help]
        help: String,
    },

    #[error(
        "export `{path}` of `{dataset}` on node `{node}` has `crossmnt`, which would serve `{below}` below it, {what}"
    )]
    #[diagnostic(
        code(E0537),
        help("`crossmnt` serves every file system mounted below the export with the export's own options: drop it and export what lies below on its own, where zplan serves a copy read-only and refuses a followed pair's data")
    )]
    CrossmntReachesMovingData {
        #[label("crosses into `{below}`")]
        span: SourceSpan,
        path: String,
        dataset: String,
        node: String,
        below: String,
        what: String,
    },

    #[error("sendmail cannot deliver to `{address}`: {reason}")]
    #[diagnostic(
        code(E0810),
        help("write an address such as `notify mail zfs-alerts@example.org`, or a local user name such as `notify mail root`")
    )]
    NotifyMailAddress {
        #[label("not an address")]
        span: SourceSpan,
        address: String,
        reason: String,
    },

    #[error("curl cannot post the failure notices to `{url}`: the scheme is `{scheme}`")]
    #[diagnostic(
        code(E0811),
        help("{kind} targets are reached over HTTP: write the URL with `https://` (or `http://` on a trusted network), such as `notify {kind} https://{rest}`")
    )]
    NotifyUrlScheme {
        #[label("not http or https")]
        span: SourceSpan,
        url: String,
        scheme: String,
        kind: &'static str,
        rest: String,
    },

    #[error("`{url}` is not a URL curl can post to: {reason}")]
    #[diagnostic(
        code(E0812),
        help("write `https://HOST[:PORT]/PATH[?QUERY]` with a host name or address, and percent-escape any other character (a space is `%20`)")
    )]
    NotifyUrlMalformed {
        #[label("{what}")]
        span: SourceSpan,
        url: String,
        reason: String,
        what: String,
    },

    #[error("ntfy URL `{url}` names no topic")]
    #[diagnostic(
        code(E0813),
        help("ntfy publishes to `https://SERVER/TOPIC`, a topic of letters, digits, `-` and `_` (at most 64): such as `notify ntfy https://ntfy.sh/zfs-alerts`")
    )]
    NtfyWithoutTopic {
        #[label("{found}")]
        span: SourceSpan,
        url: String,
        found: String,
    },

    #[error("notify command `{command}` is not an absolute path")]
    #[diagnostic(
        code(E0814),
        help("the notice runs as root from a unit or cron, whose PATH is not the admin's: give the program's full path, such as `notify command /usr/local/bin/page-oncall storage`")
    )]
    NotifyCommandNotAbsolute {
        #[label("{what}")]
        span: SourceSpan,
        command: String,
        what: String,
    },

    #[error("notify-every {every} is {comparison} {bound}")]
    #[diagnostic(code(E0815), help("{advice}"))]
    NotifyEveryOutOfRange {
        #[label("{comparison} {bound}")]
        span: SourceSpan,
        every: String,
        comparison: &'static str,
        bound: &'static str,
        advice: &'static str,
    },

    #[error("`notify {target}` is declared twice")]
    #[diagnostic(code(E0816), help("every target gets each notice once: remove the second `notify {target}`"))]
    NotifyTargetTwice {
        #[label("again here")]
        span: SourceSpan,
        #[label("first here")]
        first: SourceSpan,
        target: String,
    },

    #[error("`notify {kind} {url}` sends failure notices in clear text")]
    #[diagnostic(
        code(W0643),
        severity(Warning),
        help("anyone on the path reads the host names, datasets and errors in them, and can forge or drop them: use `https://`, or write `allow W0643` in the monitoring block when the server is on a trusted network")
    )]
    NotifyInClear {
        #[label("http://")]
        span: SourceSpan,
        kind: &'static str,
        url: String,
    },

    #[error("export `{path}` serves the copy `{dataset}` on node `{node}`, which the policy mounts nowhere")]
    #[diagnostic(code(E0536))]
    CopyExportUnmounted {
        #[label("exported here")]
        span: SourceSpan,
        path: String,
        node: String,
        dataset: String,
        #[help]
        help: String,
    },

    #[error(
        "export `{path}` asks for `rw`, but node `{node}` serves `{dataset}` read-only: it is a copy {pair} receives"
    )]
    #[diagnostic(
        code(W0620),
        severity(Warning),
        help("a copy is overwritten by every receive, so zplan serves it `ro` whatever the export says: write `ro`, or export the live data from the node that sends it")
    )]
    CopyServedReadOnly {
        #[label("served `ro`")]
        span: SourceSpan,
        path: String,
        node: String,
        dataset: String,
        pair: String,
    },

    #[error("`{server}:{path}` is written relative to a pseudo-root, and nfs server `{server}` declares none")]
    #[diagnostic(
        code(E0550),
        help("add `root {root}` to nfs server `{server}`, so that NFSv4 clients mount `{path}` under it; or mount the export by its own path, `{server}:{export}`")
    )]
    PseudoRootMissing {
        #[label("no export `{path}`; export `{export}` ends with it")]
        span: SourceSpan,
        server: String,
        path: String,
        root: String,
        export: String,
    },

    #[error("`{server}:{path}` is not a path under the pseudo-root `{root}` of nfs server `{server}`: {why}")]
    #[diagnostic(code(E0551))]
    MountOutsideRoot {
        #[label("not a path under `{root}`")]
        span: SourceSpan,
        #[label("the pseudo-root")]
        root_span: SourceSpan,
        server: String,
        path: String,
        root: String,
        why: String,
        #[help]
        help: String,
    },

    #[error("export `{path}` is outside the pseudo-root `{root}` of nfs server `{server}`, which offers only NFSv4 ({versions})")]
    #[diagnostic(
        code(E0552),
        help("NFSv4 clients reach only what is under the pseudo-root: export it under `{root}` (zplan bind-mounts the dataset there), or offer NFSv3 too with `versions 3 {versions}`")
    )]
    ExportOutsideRoot {
        #[label("not under `{root}`")]
        span: SourceSpan,
        #[label("the pseudo-root")]
        root_span: SourceSpan,
        path: String,
        root: String,
        server: String,
        versions: String,
    },

    #[error("export `{path}` is the pseudo-root of nfs server `{server}` itself")]
    #[diagnostic(
        code(E0553),
        help("the pseudo-root is a read-only directory that leads NFSv4 clients to the exports below it: export the dataset at a directory below it, such as `{path}/data`")
    )]
    ExportAtRoot {
        #[label("the export")]
        span: SourceSpan,
        #[label("the pseudo-root")]
        root_span: SourceSpan,
        path: String,
        server: String,
    },

    #[error("nfs servers `{first_server}` and `{second_server}` both run on node `{node}`, with different NFS versions, thread counts or pseudo-roots")]
    #[diagnostic(
        code(E0554),
        help("one nfsd serves every export of a node, with one set of versions, one thread count and one NFSv4 pseudo-root: give both servers the same `versions`, `threads` and `root`")
    )]
    NfsdSettingsDisagree {
        #[label("{second_settings}")]
        second: SourceSpan,
        #[label("{first_settings}")]
        first: SourceSpan,
        node: String,
        first_server: String,
        second_server: String,
        first_settings: String,
        second_settings: String,
    },

    #[error("client `{client}` mounts nfs server `{server}` with `vers {version}`, which the server does not offer (versions {versions})")]
    #[diagnostic(
        code(E0555),
        help("mount with a version the server offers, such as `vers {newest}`, or add `{version}` to the server's `versions`")
    )]
    MountVersionOff {
        #[label("not offered")]
        span: SourceSpan,
        #[label("versions {versions}")]
        versions_span: SourceSpan,
        client: String,
        server: String,
        version: String,
        versions: String,
        newest: String,
    },

    #[error("client `{client}` mounts `{server}:{path}` with `sec {flavour}`, which export `{export}` does not offer (it offers {offered})")]
    #[diagnostic(
        code(E0556),
        help("mount with `sec {first}`, a flavour the export offers, or add `{flavour}` to the export's `sec`")
    )]
    MountFlavourNotOffered {
        #[label("not offered")]
        span: SourceSpan,
        #[label("the export")]
        export_span: SourceSpan,
        client: String,
        server: String,
        path: String,
        export: String,
        flavour: String,
        offered: String,
        first: String,
    },

    #[error("nfs server `{server}` has a pseudo-root on FreeBSD node `{node}`")]
    #[diagnostic(
        code(E0557),
        help("FreeBSD keeps one `V4:` root for the whole host in /etc/exports, which zplan does not own: remove `root` and mount the exports by their own paths, or serve from a Linux node")
    )]
    RootOnFreeBsd {
        #[label("a pseudo-root")]
        span: SourceSpan,
        server: String,
        node: String,
    },

    #[error("nfs server `{server}` has a pseudo-root but offers no NFSv4 (versions {versions})")]
    #[diagnostic(code(E0558), help("only NFSv4 clients see a pseudo-root: add `4.2` to `versions`, or remove `root`"))]
    RootWithoutV4 {
        #[label("a pseudo-root")]
        span: SourceSpan,
        #[label("versions {versions}")]
        versions_span: SourceSpan,
        server: String,
        versions: String,
    },

    #[error("engine `zrepl` cannot follow a role decided at run time")]
    #[diagnostic(
        code(E0701),
        help("zrepl runs every job of its config all the time; name the pair's ends with `source A` and `target B`")
    )]
    ZreplFollows {
        #[label("zrepl pair")]
        engine: SourceSpan,
        #[label("role decided at run time")]
        follows: SourceSpan,
    },

    #[error("`{keyword}` does not apply to {context}")]
    #[diagnostic(code(E0702))]
    NotApplicable {
        #[label("not used here")]
        span: SourceSpan,
        keyword: String,
        context: String,
        #[help]
        help: String,
    },

    #[error("zrepl cannot express {what} `{text}`")]
    #[diagnostic(code(E0703))]
    NotExpressible {
        #[label("{reason}")]
        span: SourceSpan,
        what: &'static str,
        text: String,
        reason: &'static str,
        #[help]
        help: &'static str,
    },

    #[error("{engine} cannot keep the `{keyword}` snapshots of retention `{retention}`")]
    #[diagnostic(code(E0704))]
    RetentionNotExpressible {
        #[label("not expressible in {engine}")]
        span: SourceSpan,
        #[label("used by pair `{pair}`")]
        pair_span: SourceSpan,
        engine: &'static str,
        keyword: &'static str,
        retention: String,
        pair: String,
        #[help]
        help: &'static str,
    },

    #[error("the zrepl grid of {pair} shrinks: {earlier} buckets come before {later} ones")]
    #[diagnostic(
        code(E0705),
        help("zrepl refuses a grid whose intervals get shorter; snapshot at most every {later} (`snapshot-every`), or drop the `{later_kind}` count")
    )]
    GridShrinks {
        #[label("snapshots every {earlier}")]
        interval: SourceSpan,
        #[label("{later_kind} buckets of {later}")]
        kind: SourceSpan,
        pair: String,
        earlier: String,
        later: String,
        later_kind: &'static str,
    },

    #[error(
        "target retention `{target}` keeps {kind} snapshots that the source of {pair} can prune before they are sent"
    )]
    #[diagnostic(code(E0706))]
    SenderUnprotected {
        #[label("kept on the target")]
        target_span: SourceSpan,
        #[label("{source_keeps} on the source")]
        source_span: SourceSpan,
        target: String,
        pair: String,
        kind: &'static str,
        source_keeps: String,
        #[help]
        help: String,
    },

    #[error("zrepl jobs `{first_job}` and `{second_job}` on `{host}` both cover `{dataset}`")]
    #[diagnostic(
        code(E0707),
        help("zrepl needs every root a host receives into to be apart from the datasets of its other jobs; receive under a dataset that no other job sends or receives into")
    )]
    JobsOverlap {
        #[label("here")]
        second: SourceSpan,
        #[label("overlaps this")]
        first: SourceSpan,
        host: String,
        first_job: String,
        second_job: String,
        dataset: String,
    },

    #[error("pairs `{first_pair}` and `{second_pair}` both use {listener} on `{host}`")]
    #[diagnostic(code(E0708))]
    SharedListener {
        #[label("this one")]
        second: SourceSpan,
        #[label("and this one")]
        first: SourceSpan,
        host: String,
        listener: String,
        first_pair: String,
        second_pair: String,
        #[help]
        help: &'static str,
    },

    #[error("FreeBSD host `{host}` cannot have {feature}")]
    #[diagnostic(code(E0709))]
    LinuxOnly {
        #[label("Linux only")]
        span: SourceSpan,
        #[label("`{host}` runs FreeBSD")]
        os: SourceSpan,
        host: String,
        feature: String,
        #[help]
        help: &'static str,
    },

    #[error("transport `{transport}` {needs}")]
    #[diagnostic(code(E0710))]
    TransportNodes {
        #[label("transport `{transport}`")]
        span: SourceSpan,
        #[label("nodes here")]
        nodes: SourceSpan,
        transport: &'static str,
        needs: &'static str,
        #[help]
        help: &'static str,
    },

    #[error("export `{path}` is served read-only on target `{target}`, where the copy of `{dataset}` is {mounted}")]
    #[diagnostic(code(E0711))]
    TargetExportUnmounted {
        #[label("exported here")]
        span: SourceSpan,
        #[label("replicated here")]
        replicated: SourceSpan,
        path: String,
        target: String,
        dataset: String,
        mounted: String,
        #[help]
        help: String,
    },

    #[error("pair `{pair}` asks zrepl to guarantee nothing for {step} replication")]
    #[diagnostic(
        code(E0720),
        help("zrepl then keeps no replication cursor: its pruner fails with `replication cursor bookmark does not exist` (zrepl #682), and nothing keeps the incremental base; write `protection incremental` or `protection resumability`")
    )]
    ProtectionNothing {
        #[label("guarantee_nothing")]
        span: SourceSpan,
        pair: String,
        step: &'static str,
    },

    #[error("the grid shrinks: buckets of {later_length} come after buckets of {earlier_length}")]
    #[diagnostic(
        code(E0721),
        help("zrepl refuses a grid whose intervals get shorter, unless every longer one before them keeps all (`:all`); order the buckets from the shortest interval to the longest")
    )]
    WrittenGridShrinks {
        #[label("{later_length} intervals")]
        later: SourceSpan,
        #[label("after {earlier_length} intervals")]
        earlier: SourceSpan,
        earlier_length: String,
        later_length: String,
    },

    #[error("`{excluded}` cannot be excluded: {why}")]
    #[diagnostic(code(E0722))]
    ExcludeOutside {
        #[label("excluded here")]
        span: SourceSpan,
        #[label("replicated here")]
        replicated: SourceSpan,
        excluded: String,
        why: String,
        #[help]
        help: &'static str,
    },

    #[error("node `{node}` has no TLS {missing} for pair `{pair}`")]
    #[diagnostic(
        code(E0723),
        help("give the node its own files with `zrepl-cert PATH` and `zrepl-key PATH`, or give the transport `cert PATH key PATH` for every node that has none")
    )]
    TlsIdentityMissing {
        #[label("`{node}` connects over tls here")]
        span: SourceSpan,
        #[label("node `{node}`")]
        node_span: SourceSpan,
        node: String,
        pair: String,
        missing: &'static str,
    },

    #[error("retention `{retention}` says what to keep twice: `{written}` and `{other}`")]
    #[diagnostic(
        code(E0724),
        help("a zrepl `grid` or `all` is the whole retention: drop the counts and `last`, or write them as grid buckets (`hourly 24` is `24x1h`)")
    )]
    RetentionMixesGrid {
        #[label("`{written}` here")]
        span: SourceSpan,
        #[label("`{other}` here")]
        other_span: SourceSpan,
        retention: String,
        written: &'static str,
        other: String,
    },

    #[error("pair `{pair}` pushes `{dataset}`, which pair `{other}` also pushes from `{source_node}`")]
    #[diagnostic(
        code(E0725),
        help("in a zrepl fan-out one job snapshots the datasets: the one push, which replicates right after each snapshot it takes; a second push would wait for a wake-up nothing sends, so let the other targets fetch with `mode pull`")
    )]
    FanOutPush {
        #[label("a push")]
        span: SourceSpan,
        #[label("pushed by `{other}`")]
        other_span: SourceSpan,
        pair: String,
        other: String,
        dataset: String,
        source_node: String,
    },

    #[error("pairs `{first}` and `{second}` send the same datasets, snapshotted by one zrepl job, but {what}: {first_value} and {second_value}")]
    #[diagnostic(code(E0726))]
    FanOutDisagrees {
        #[label("{first_value}")]
        first_span: SourceSpan,
        #[label("{second_value}")]
        second_span: SourceSpan,
        first: String,
        second: String,
        what: &'static str,
        first_value: String,
        second_value: String,
        #[help]
        help: String,
    },

    #[error("zrepl job `{job}` on `{source_node}` prunes what pair `{pair}` has not fetched yet: retention `{retention}` keeps {horizon}, and {arithmetic}")]
    #[diagnostic(code(E0727))]
    FanOutPrunesUnsent {
        #[label("keeps {horizon}")]
        span: SourceSpan,
        #[label("pair `{pair}`")]
        pair_span: SourceSpan,
        job: String,
        source_node: String,
        pair: String,
        retention: String,
        horizon: String,
        arithmetic: String,
        #[help]
        help: String,
    },

    #[error("nfs server `{server}` offers Kerberos (`sec {flavour}`) at the IP address {address}")]
    #[diagnostic(
        code(W0630),
        severity(Warning),
        help("rpc.gssd finds the server's principal, `nfs/HOST@REALM`, by the reverse DNS name of an address: give the server the host name of its principal (`address files.lan`), or `allow W0630` in the server once the address's PTR record names it")
    )]
    KerberosByAddress {
        #[label("an IP address")]
        span: SourceSpan,
        #[label("Kerberos")]
        flavour_span: SourceSpan,
        server: String,
        flavour: String,
        address: String,
    },

    #[error("mount option `intr` has no effect")]
    #[diagnostic(
        code(W0601),
        severity(Warning),
        help(
            "remove it: Linux ignores `intr` since 2.6.25, and a process blocked on a `hard` mount can still be killed"
        )
    )]
    IntrIgnored {
        #[label("ignored by Linux")]
        span: SourceSpan,
    },

    #[error("`preserve-properties` gives the copies of pair `{pair}` on `{target}` every property set locally on `{sender}`, `mountpoint` included")]
    #[diagnostic(
        code(W0615),
        severity(Warning),
        help("syncoid's first full send then mounts a copy where its source is mounted on `{sender}`, over whatever `{target}` has there, instead of where the policy says (unmounted, or `mount PATH`). Set mountpoints on `{sender}` by inheritance only, or remove `preserve-properties`; `allow W0615` in the pair once you have checked")
    )]
    PreserveProperties {
        #[label("copies `mountpoint` too")]
        span: SourceSpan,
        pair: String,
        sender: String,
        target: String,
    },

    #[error("an outage of {outage} leaves up to {count} snapshots per dataset of pair `{pair}` to send: {makeup}")]
    #[diagnostic(code(W0606), severity(Warning))]
    PileUp {
        #[label("outage {outage}")]
        span: SourceSpan,
        outage: String,
        count: u64,
        makeup: String,
        pair: String,
        #[help]
        help: String,
    },

    #[error("nfs server `{server}` may fail over to `{node}`, where pair `{pair}` receives as `{user}`, which cannot mount on Linux: a copy its first replication creates there stays unmounted, and is not served")]
    #[diagnostic(
        code(W0617),
        severity(Warning),
        help("after the first replication, mount the copies as root on `{node}` (`zfs mount -a`, or a reboot); acknowledge this with `allow W0617` in the nfs block once that is part of the setup, or replicate pair `{pair}` as root")
    )]
    UnmountedStandbyCopy {
        #[label("replicates as `{user}`")]
        span: SourceSpan,
        #[label("serves wherever the pair is active")]
        server_span: SourceSpan,
        server: String,
        pair: String,
        node: String,
        user: String,
    },

    #[error("`every {every}` takes no snapshots of `{dataset}`: retention `{retention}` keeps no frequent ones")]
    #[diagnostic(
        code(W0610),
        severity(Warning),
        help("add `frequently N` to retention `{retention}` to keep N snapshots taken every {every}, or drop `every`")
    )]
    EveryWithoutFrequent {
        #[label("every {every}")]
        every_span: SourceSpan,
        every: String,
        dataset: String,
        retention: String,
    },

    #[error("the capacity warning at {warn}% never shows: pools are critical from {critical}%")]
    #[diagnostic(code(E0800))]
    CapacityUnordered {
        #[label("capacity warn {warn}% critical {critical}%")]
        span: SourceSpan,
        warn: u8,
        critical: u8,
        #[help]
        help: String,
    },

    #[error("`alert-after {after}` would fire on a healthy system: the copy of {dataset} is up to {bound} old")]
    #[diagnostic(code(E0801))]
    AlertBeforeBound {
        #[label("{pair}'s copies alert at {after}")]
        span: SourceSpan,
        pair: String,
        after: String,
        dataset: String,
        bound: String,
        #[help]
        help: String,
    },

    #[error("`check-every {every}` cannot be a calendar timer")]
    #[diagnostic(
        code(E0802),
        help("give whole minutes below an hour (`check-every 15m`), whole hours below a day (`check-every 2h`) or `check-every 1d`")
    )]
    CheckEveryOffCalendar {
        #[label("check-every {every}")]
        span: SourceSpan,
        every: String,
    },

    #[error("`alert-after {after}` fires only once the copies of {pair} are past its outage of {outage}")]
    #[diagnostic(
        code(W0640),
        severity(Warning),
        help("past the outage the next replication may need a full resend: alert before it, `alert-after` below {outage}")
    )]
    AlertAfterOutage {
        #[label("alert-after {after}")]
        span: SourceSpan,
        #[label("outage {outage}")]
        outage_span: SourceSpan,
        pair: String,
        after: String,
        outage: String,
    },

    #[error("mount.nfs retries this mount for {retry}, but systemd stops it after {timeout}")]
    #[diagnostic(code(W0635), severity(Warning))]
    RetryOutlastsMountTimeout {
        #[label("retry {retry}")]
        span: SourceSpan,
        retry: String,
        timeout: String,
        #[help]
        help: String,
    },

    #[error("network mount without `_netdev`")]
    #[diagnostic(
        code(W0602),
        severity(Warning),
        help("add `_netdev` so that systemd orders the mount after the network, whatever the mount helper says")
    )]
    NoNetdev {
        #[label("mount without `_netdev`")]
        span: SourceSpan,
    },

    #[error("`no_root_squash` is given to {group}, {who}")]
    #[diagnostic(code(W0603), severity(Warning))]
    NoRootSquashNetwork {
        #[label("root on every host of {who}")]
        span: SourceSpan,
        group: &'static str,
        who: String,
        #[help]
        help: String,
    },

    #[error("`insecure` lets unprivileged ports mount the export")]
    #[diagnostic(
        code(W0604),
        severity(Warning),
        help("any local user of a client can then speak NFS as any uid; drop `insecure`, or write `allow W0604` in the nfs block to accept it")
    )]
    InsecurePorts {
        #[label("any source port")]
        span: SourceSpan,
    },

    #[error("export `{path}` is open to every address")]
    #[diagnostic(
        code(W0605),
        severity(Warning),
        help("export to the networks that need it, or write `allow W0605` in the nfs block to accept it")
    )]
    WorldExport {
        #[label("every address")]
        span: SourceSpan,
        path: String,
    },

    #[error("`{option} 0` gives squashed requests the {whose} of root")]
    #[diagnostic(
        code(W0625),
        severity(Warning),
        help("root squashing then maps root to {id} 0, and `all_squash` maps every user to it: give an unprivileged id such as `{option} 65534`, or write `allow W0625` in the nfs block to accept it")
    )]
    AnonymousRoot {
        #[label("squashed to {id} 0")]
        span: SourceSpan,
        option: String,
        whose: &'static str,
        id: &'static str,
    },

    #[error("`nohide` has no effect for {who}")]
    #[diagnostic(
        code(W0626),
        severity(Warning),
        help("nfsd honours `nohide` only on an export to a single host: give the child's export to single addresses or names, put `crossmnt` on the parent's, or let clients mount with NFSv4, which never hides; or write `allow W0626` in the nfs block to accept it")
    )]
    NohideOnGroup {
        #[label("not a single host")]
        span: SourceSpan,
        who: String,
    },
}

impl Problem {
    /// Whether this problem stops the build (warnings do not).
    pub fn is_error(&self) -> bool {
        !matches!(self.severity(), Some(miette::Severity::Warning | miette::Severity::Advice))
    }

    /// Where the problem starts in the source, to report problems in source order.
    pub fn offset(&self) -> usize {
        self.labels().and_then(|mut labels| labels.next()).map_or(0, |label| label.offset())
    }
}
