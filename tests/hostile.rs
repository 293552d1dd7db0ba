//! Hostile input through the real binary, each in a child process held to 2 GiB of address
//! space: binary data, NUL bytes, invalid UTF-8, endless input, huge files, deep nesting,
//! 100,000 blocks or statements, a 1 MB line, and names with every character that breaks a
//! format. Each is refused with its diagnostic, without a crash or a stack overflow, with a
//! report of bounded size, and with no file written. How fast is for the benchmarks; a child
//! that spins forever is stopped by a CPU-time limit far above any real run, whatever else
//! the machine is doing.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::cli::scratch;

/// CPU seconds a child may use before the kernel stops it: only a hang reaches it (the
/// slowest case takes about a minute of CPU in a debug build).
const CPU_SECONDS_LIMIT: u64 = 1_800;

/// The address space a child may use, in KiB.
const MEMORY_LIMIT_KIB: u64 = 2 * 1024 * 1024;

/// More than a screenful, far less than the input: diagnostics never echo a whole input.
const MAX_REPORT_BYTES: usize = 256 * 1024;

/// Runs `zplan build FILE -o DIR/out` with limited memory and CPU time; returns its output
/// and whether the output directory exists.
fn build_limited(policy: &Path) -> (Output, bool) {
    let out = policy.with_extension("out");
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_LIMIT_KIB} && ulimit -t {CPU_SECONDS_LIMIT} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_zplan"))
        .args(["build", policy.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (output, out.exists())
}

/// Asserts that the policy is refused with `code`, cleanly and without output.
fn assert_refused(case: &str, bytes: &[u8], code: &str) {
    let dir = scratch(&format!("hostile-{case}"));
    let policy = dir.join(format!("{case}.zplan"));
    fs::write(&policy, bytes).unwrap();
    assert_refused_at(case, &policy, code);
}

fn assert_refused_at(case: &str, policy: &Path, code: &str) {
    let (output, wrote) = build_limited(policy);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let head: String = stderr.chars().take(2_000).collect();
    assert_eq!(output.status.code(), Some(1), "{case}: killed or wrong exit ({:?}): {head}", output.status);
    assert!(stderr.contains(code), "{case}: expected {code}: {head}");
    assert!(stderr.len() < MAX_REPORT_BYTES, "{case}: {} bytes of diagnostics", stderr.len());
    assert!(!wrote, "{case}: an output directory was created");
}

/// Deterministic pseudo-random bytes.
fn noise(length: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..length)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

const TEN_MB: usize = 10 * 1024 * 1024;

/// The smallest valid policy, which the cases below spoil one way each.
fn minimal() -> String {
    fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ui/ok_minimal.zplan")).unwrap()
}

#[test]
fn binary_data_nul_and_invalid_utf8_are_not_text() {
    assert_refused("binary", &noise(TEN_MB), "E0107");
    assert_refused("nul", b"node a {\n  address 10.0.0.1\0\n}\n", "E0107");
    assert_refused("invalid-utf8", b"node a {\n  address 10.0.0.1\n}\nnode \xc3\x28 {\n}\n", "E0107");
}

#[test]
fn input_past_the_size_limit_is_refused_unread() {
    let mut huge = b"# a comment line\n".repeat(zplan::syntax::MAX_INPUT_BYTES / 17 + 1);
    huge.extend_from_slice(b"node a {\n}\n");
    assert_refused("huge", &huge, "E0108");
    assert_refused_at("endless", Path::new("/dev/zero"), "E0108");
}

#[test]
fn a_ten_megabyte_policy_of_mistakes_is_reported() {
    let mut text = String::with_capacity(TEN_MB + 64);
    let mut index = 0;
    while text.len() < TEN_MB {
        let _ = write!(text, "node n{index} {{\n  adress 10.0.0.1\n}}\n");
        index += 1;
    }
    assert_refused("ten-megabytes", text.as_bytes(), "E0201");
}

#[test]
fn deep_nesting_is_refused_before_the_grammar_recurses() {
    assert_refused("nested-lines", "node a {\n".repeat(100_000).as_bytes(), "E0105");
    assert_refused("nested-line", format!("node a {}\n", "{".repeat(100_000)).as_bytes(), "E0110");
    let closed = format!("{}{}", "x {\n".repeat(8), "}\n".repeat(8));
    assert_refused("nested-closed", closed.repeat(10_000).as_bytes(), "E0201");
}

#[test]
fn a_hundred_thousand_blocks_or_statements_are_reported() {
    let blocks: String = (0..100_000).map(|i| format!("node n{i} {{\n  address 10.0.0.1\n  adress 1\n}}\n")).collect();
    assert_refused("blocks", blocks.as_bytes(), "E0201");
    let statements = format!("pair p {{\n{}}}\n", "  rpo 10m\n".repeat(100_000));
    assert_refused("statements", statements.as_bytes(), "E0204");
    let options = minimal().replace(
        "hard timeo 10s retrans 30 _netdev nofail",
        &"hard soft hard soft hard soft hard soft\n".repeat(12_500),
    );
    assert_refused("options", options.as_bytes(), "E0503");
    let nodes = (0..20_000).map(|i| format!("node m{i} {{\n  address 10.0.{}.{}\n}}\n", i / 250, i % 250 + 1));
    let pairs =
        (0..50_000).map(|i| format!("pair p{i} {{\n  nodes x{i} y{i}\n  active follows proxmox-guest 100\n}}\n"));
    let references: String = nodes.chain(pairs).collect();
    assert_refused("references", references.as_bytes(), "E0202");
}

#[test]
fn long_lines_and_long_value_lists_are_refused() {
    assert_refused("one-megabyte-line", format!("node {} {{\n}}\n", "a".repeat(1 << 20)).as_bytes(), "E0110");
    let comment = format!("# {}\nnode a {{\n}}\n", "x".repeat(1 << 20));
    assert_refused("one-megabyte-comment", comment.as_bytes(), "E0110");
    let values = minimal().replace("nodes     alpha beta", &format!("nodes{}", " alpha".repeat(1_300)));
    assert_refused("long-value-list", values.as_bytes(), "E0206");
}

/// Every character that would break a format, in every kind of name that reaches one.
#[test]
fn names_that_would_break_a_format_are_refused() {
    let template = minimal();
    let places =
        [("node alpha", "node {}"), ("tank/data recursive", "tank/{} recursive"), ("at /mnt/data", "at /mnt/{}")];
    let pieces = ["a\nb", "a\"b", "a#b", "a$b", "a%b", "a\\b", "a b", "..", "a/../b", "a'b", "a\tb"];
    for (place, (original, pattern)) in places.iter().enumerate() {
        for (number, piece) in pieces.iter().enumerate() {
            let policy = template.replacen(original, &pattern.replace("{}", piece), 1);
            let compilation = zplan::compile(&policy, "hostile.zplan");
            assert!(compilation.tree.is_none(), "`{piece}` in `{original}` compiled");
            if place == 0 && number < 3 {
                assert_refused(&format!("name-{place}-{number}"), policy.as_bytes(), "E0");
            }
        }
    }
}
