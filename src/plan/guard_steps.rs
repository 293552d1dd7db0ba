//! The runbook steps for a replication that the guard script refused because the copy has
//! snapshots the source lacks: syncoid would destroy them, and only a person can say
//! whether they matter. Both kinds of runbook carry them, with the guard's own words.

use super::files::{RunbookSection, RunbookStep};

/// The placeholders the steps use; the guard's journal message gives their values.
const DATASET: &str = "DATASET";
const COMMON: &str = "COMMON";

/// What the journal says when the guard refuses, so that a search of the runbook finds it.
fn refusal_intro(guard_path: &str) -> String {
    format!(
        "`{guard_path}` runs before every replication. When the copy has snapshots that the source lacks \
         (compared by guid: names do not prove lineage) newer than the newest snapshot both share, it \
         refuses, since syncoid would roll the copy back and destroy them, and the journal of the \
         replication unit says `zplan: refusing to replicate …`. It names the copy ({DATASET} below; a \
         child of a recursive dataset is named itself) and the newest snapshot both share ({COMMON}). \
         That dataset does not replicate until one of the steps below is done, so the worst-case loss \
         of the source grows meanwhile."
    )
}

/// See what diverged, then keep it or drop it; replication then resumes by itself.
fn divergence_steps(copy_host: &str) -> Vec<RunbookStep> {
    vec![
        RunbookStep::new(
            format!("See what only the copy has: its snapshots after {COMMON}, and the files changed since {COMMON}."),
            copy_host,
            vec![
                format!("zfs list -H -d 1 -t snapshot -o name,guid,used,creation -s createtxg {DATASET}"),
                format!("zfs diff {DATASET}@{COMMON} {DATASET}"),
            ],
        ),
        RunbookStep::new(
            "To keep it, move the copy aside, read-only and unmounted: a mountpoint set on the dataset moves \
             with it, and it must not stay where the export and the next copy belong. Mount it elsewhere to \
             take files from it (`zfs set mountpoint=/mnt/recover DATASET-diverged`). The next replication \
             sends the dataset whole again, as the first one did; where the policy declares a `mount`, set it \
             on the new copy after that (`zfs set mountpoint=PATH DATASET`): until then nfsd does not export \
             the path (`mp=`).",
            copy_host,
            vec![
                format!("zfs rename {DATASET} {DATASET}-diverged"),
                format!("zfs set readonly=on {DATASET}-diverged"),
                format!("zfs set mountpoint=none {DATASET}-diverged"),
            ],
        ),
        RunbookStep::new(
            format!(
                "Or, once nothing there is needed, roll the copy back to {COMMON}: this destroys its snapshots \
                 after {COMMON} and what was written there since."
            ),
            copy_host,
            vec![format!("zfs rollback -r {DATASET}@{COMMON}")],
        ),
        RunbookStep::new(
            format!(
                "Replication resumes at the next run of its timer. Once you have what you need from a copy \
                 moved aside, destroy it with `zfs destroy -r {DATASET}-diverged`."
            ),
            copy_host,
            Vec::new(),
        ),
    ]
}

/// The section of a runbook for a refusal of the guard, its steps on `copy_host`.
pub(super) fn divergence_section(guard_path: &str, copy_host: &str, extra_intro: &str) -> RunbookSection {
    RunbookSection {
        heading: "When the guard refuses: the copy has snapshots of its own".to_owned(),
        intro: format!("{}{extra_intro}", refusal_intro(guard_path)),
        steps: divergence_steps(copy_host),
    }
}
