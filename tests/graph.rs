//! `zplan graph`: the topology of every example as DOT and Mermaid, snapshotted, and
//! independent of the order of blocks. (`.ci/run` also draws the DOT with Graphviz.)

use std::fs;
use std::process::Command;

use zplan::graph::{graph, GraphFormat};

use crate::support::{examples, file_name, with_snapshots};

fn both_formats(source: &str) -> String {
    let policy = zplan::compile(source, "p.zplan").policy.expect("the example compiles");
    format!("{}\n{}", graph(&policy, GraphFormat::Dot), graph(&policy, GraphFormat::Mermaid))
}

#[test]
fn example_graphs_match_their_snapshots() {
    with_snapshots(|| {
        for path in examples() {
            let name = file_name(&path);
            let snapshot = format!("graph__{}", name.trim_end_matches(".zplan"));
            insta::assert_snapshot!(snapshot, both_formats(&fs::read_to_string(&path).unwrap()));
        }
    });
}

#[test]
fn the_order_of_blocks_does_not_change_the_graph() {
    for path in examples() {
        let source = fs::read_to_string(&path).unwrap();
        let mut blocks: Vec<&str> = source.split("\n}\n").filter(|block| !block.trim().is_empty()).collect();
        blocks.reverse();
        let reversed: String = blocks.iter().map(|block| format!("{block}\n}}\n")).collect();
        assert_eq!(both_formats(&reversed), both_formats(&source), "{}", path.display());
    }
}

#[test]
fn the_cli_prints_dot_by_default_and_mermaid_on_request() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/proxmox-homelab.zplan");
    let dot = Command::new(env!("CARGO_BIN_EXE_zplan")).args(["graph", example]).output().unwrap();
    assert_eq!(dot.status.code(), Some(0));
    assert!(dot.stdout.starts_with(b"digraph zplan {\n"));
    let mermaid =
        Command::new(env!("CARGO_BIN_EXE_zplan")).args(["graph", "--format", "mermaid", example]).output().unwrap();
    assert!(mermaid.stdout.starts_with(b"flowchart LR\n"));
}
