//! The `zplan` binary: exit codes, what it writes, and that a failing policy writes nothing.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/proxmox-homelab.zplan");

pub(crate) fn zplan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zplan")).args(args).env("NO_COLOR", "1").output().unwrap()
}

pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && !path.is_symlink() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found.sort();
    found
}

#[test]
fn check_accepts_the_example() {
    let output = zplan(&["check", EXAMPLE]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stderr.is_empty());
}

#[test]
fn check_refuses_a_broken_policy_with_exit_1() {
    let dir = scratch("check-broken");
    let policy = dir.join("broken.zplan");
    fs::write(&policy, "node a {\n  adress 10.0.0.1\n}\n").unwrap();
    let output = zplan(&["check", policy.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("E0201") && stderr.contains("did you mean `address`?"), "{stderr}");
}

#[test]
fn a_usage_error_exits_2_and_an_unreadable_policy_4() {
    assert_eq!(zplan(&["check"]).status.code(), Some(2));
    assert_eq!(zplan(&["check", "/nonexistent/policy.zplan"]).status.code(), Some(4));
}

#[test]
fn build_writes_exactly_the_compiled_tree() {
    let dir = scratch("build-tree");
    let output = zplan(&["build", EXAMPLE, "-o", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let tree = zplan::compile(&fs::read_to_string(EXAMPLE).unwrap(), "proxmox-homelab.zplan").tree.unwrap();
    let written = files_under(&dir);
    assert_eq!(written.len(), tree.files.len() + 1, "every file plus manifest.json");
    for ((host, path), file) in &tree.files {
        let on_disk = dir.join(host).join(path);
        match &file.body {
            zplan::render::Body::Bytes(bytes) => {
                assert_eq!(&fs::read(&on_disk).unwrap(), bytes, "{}", on_disk.display());
                let mode = fs::metadata(&on_disk).unwrap().permissions().mode() & 0o7777;
                assert_eq!(mode, file.mode, "{}", on_disk.display());
            }
            zplan::render::Body::Link(target) => {
                assert_eq!(fs::read_link(&on_disk).unwrap(), Path::new(target));
            }
        }
    }
    assert_eq!(fs::read(dir.join("manifest.json")).unwrap(), tree.manifest.to_bytes());
}

#[test]
fn rebuilding_leaves_unchanged_files_untouched() {
    let dir = scratch("build-twice");
    assert_eq!(zplan(&["build", EXAMPLE, "-o", dir.to_str().unwrap()]).status.code(), Some(0));
    let conf = dir.join("acemagician/etc/exports.d/zplan.exports");
    let before = fs::metadata(&conf).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(zplan(&["build", EXAMPLE, "-o", dir.to_str().unwrap()]).status.code(), Some(0));
    assert_eq!(fs::metadata(&conf).unwrap().modified().unwrap(), before);
}

#[test]
fn a_policy_with_errors_writes_nothing() {
    let dir = scratch("build-broken");
    let policy = dir.join("broken.zplan");
    let source = fs::read_to_string(EXAMPLE).unwrap().replace("rpo       10m", "rpo       1m");
    fs::write(&policy, source).unwrap();
    let out = dir.join("out");
    let output = zplan(&["build", policy.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(!out.exists());
    assert!(String::from_utf8_lossy(&output.stderr).contains("E0401"));
}

#[test]
fn binary_and_oversized_input_are_refused() {
    let dir = scratch("hostile");
    let binary = dir.join("binary.zplan");
    fs::write(&binary, b"node a {\n  address \xff\xfe\n}\n").unwrap();
    let output = zplan(&["check", binary.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("E0107"));
    let nul = dir.join("nul.zplan");
    fs::write(&nul, b"node a {\n  address 10.0.0.1\0\n}\n").unwrap();
    assert!(String::from_utf8_lossy(&zplan(&["check", nul.to_str().unwrap()]).stderr).contains("E0107"));
}

#[test]
fn json_and_github_formats_carry_code_line_and_column() {
    let dir = scratch("formats");
    let policy = dir.join("p.zplan");
    fs::write(&policy, "node a {\n  adress 10.0.0.1\n}\n").unwrap();
    let json = zplan(&["--message-format", "json", "check", policy.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&json.stdout);
    let line: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap_or_default()).unwrap();
    assert_eq!(line["code"], "E0201");
    assert_eq!((line["line"].as_u64(), line["column"].as_u64()), (Some(2), Some(3)));
    assert_eq!(line["severity"], "error");
    let github = zplan(&["--message-format", "github", "check", policy.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&github.stdout);
    assert!(text.starts_with("::error file="), "{text}");
    assert!(text.contains(",line=2,col=3,title=E0201::"), "{text}");
}

/// Machine-readable diagnostics are data: `check` and `build` write them to stdout, as cargo
/// and ruff do, and leave stderr empty; the human report stays on stderr.
#[test]
fn machine_formats_go_to_stdout_and_the_human_report_to_stderr() {
    let dir = scratch("streams");
    let policy = dir.join("p.zplan");
    fs::write(&policy, "node a {\n  adress 10.0.0.1\n}\n").unwrap();
    let policy = policy.to_str().unwrap();
    for format in ["json", "github", "sarif"] {
        let output = zplan(&["--message-format", format, "check", policy]);
        assert_eq!(output.status.code(), Some(1), "{format}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("E0201"), "{format}: stdout is {stdout:?}");
        assert!(output.stderr.is_empty(), "{format}: stderr is {:?}", String::from_utf8_lossy(&output.stderr));
    }
    let human = zplan(&["--message-format", "human", "check", policy]);
    assert!(human.stdout.is_empty(), "human: stdout is {:?}", String::from_utf8_lossy(&human.stdout));
    assert!(String::from_utf8_lossy(&human.stderr).contains("E0201"));
}

/// A build with warnings reports them as JSON on stdout and still writes its tree.
#[test]
fn build_writes_json_warnings_to_stdout() {
    let dir = scratch("build-json");
    let policy = dir.join("p.zplan");
    fs::write(&policy, fs::read_to_string(EXAMPLE).unwrap().replace("hard timeo", "hard intr timeo")).unwrap();
    let out = dir.join("out");
    let output = zplan(&["--message-format", "json", "build", policy.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let warning: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap_or_default()).unwrap();
    assert_eq!(warning["code"], "W0601");
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(out.join("manifest.json").exists());
}

/// `graph` and `diff` own stdout: their diagnostics stay on stderr in every format, so that
/// stdout holds one document.
#[test]
fn graph_keeps_stdout_for_the_drawing() {
    let dir = scratch("graph-json");
    let policy = dir.join("p.zplan");
    fs::write(&policy, fs::read_to_string(EXAMPLE).unwrap().replace("hard timeo", "hard intr timeo")).unwrap();
    let output = zplan(&["--message-format", "json", "graph", policy.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("digraph") && !stdout.contains("W0601"), "{stdout}");
    let warning: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(warning["code"], "W0601");
}

#[test]
fn an_oversized_policy_is_refused_before_parsing() {
    let dir = scratch("oversized");
    let policy = dir.join("huge.zplan");
    let line = "# padding padding padding padding padding padding padding padding padding padding\n";
    fs::write(&policy, line.repeat(33 * 1024 * 1024 / line.len() + 1)).unwrap();
    let output = zplan(&["check", policy.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("E0108"));
}

#[test]
fn explain_prints_an_entry_and_refuses_an_unknown_code() {
    let output = zplan(&["explain", "e0401"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with("E0401: an RPO the schedule cannot meet"), "{text}");
    assert!(text.contains("Fixed:"));
    assert_eq!(zplan(&["explain", "E9999"]).status.code(), Some(2));
}

#[test]
fn deny_warnings_fails_a_policy_with_only_warnings() {
    let dir = scratch("deny");
    let policy = dir.join("p.zplan");
    let source = fs::read_to_string(EXAMPLE).unwrap().replace("hard timeo", "hard intr timeo");
    fs::write(&policy, source).unwrap();
    assert_eq!(zplan(&["check", policy.to_str().unwrap()]).status.code(), Some(0));
    let denied = zplan(&["--deny", "warnings", "check", policy.to_str().unwrap()]);
    assert_eq!(denied.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&denied.stderr).contains("W0601"));
}

#[test]
fn sarif_output_is_a_sarif_2_1_0_log_with_rules() {
    let dir = scratch("sarif");
    let policy = dir.join("p.zplan");
    fs::write(&policy, "node a {\n  adress 10.0.0.1\n}\n").unwrap();
    let output = zplan(&["--message-format", "sarif", "check", policy.to_str().unwrap()]);
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "E0201");
    assert_eq!(run["results"][0]["ruleId"], "E0201");
    assert_eq!(run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
}

#[test]
fn completions_are_valid_shell_and_know_every_subcommand() {
    let bash = zplan(&["completions", "bash"]);
    assert_eq!(bash.status.code(), Some(0));
    let script = String::from_utf8(bash.stdout).unwrap();
    for sub in ["check", "build", "diff", "fmt", "graph", "completions", "man"] {
        assert!(script.contains(sub), "{sub} is completed");
    }
    let mut check = Command::new("bash").arg("-n").stdin(std::process::Stdio::piped()).spawn().unwrap();
    std::io::Write::write_all(&mut check.stdin.take().unwrap(), script.as_bytes()).unwrap();
    assert!(check.wait().unwrap().success(), "bash parses the completion script");
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let output = zplan(&["completions", shell]);
        assert!(output.status.success() && !output.stdout.is_empty(), "{shell}");
    }
}

#[test]
fn the_manual_documents_every_subcommand_and_exit_status() {
    let page = String::from_utf8(zplan(&["man"]).stdout).unwrap();
    assert!(page.contains(".TH zplan 1"), "{page}");
    for sub in ["zplan\\-build(1)", "zplan\\-diff(1)", "zplan\\-fmt(1)", "zplan\\-graph(1)"] {
        assert!(page.contains(sub), "{sub} is listed");
    }
    for (code, _) in zplan::cli::EXIT_STATUSES {
        assert!(page.contains(&format!(".TP\n\\fB{code}\\fR\n")), "exit status {code}");
    }
    let dir = scratch("man");
    assert_eq!(zplan(&["man", "--dir", dir.to_str().unwrap()]).status.code(), Some(0));
    let build = fs::read_to_string(dir.join("zplan-build.1")).unwrap();
    let title = format!(".TH zplan-build 1  \"zplan {}\"", env!("CARGO_PKG_VERSION"));
    assert!(build.contains(&title) && build.contains("\\-\\-force"), "{build}");
}

/// The README's first command, `cargo run --release -- build …`, needs zplan to be the
/// crate's default binary now that the fleet generator is a binary too.
#[test]
fn zplan_is_the_default_binary_for_cargo_run() {
    let manifest = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    assert!(manifest.lines().any(|line| line.trim() == "default-run = \"zplan\""), "Cargo.toml lacks default-run");
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(readme.contains("cargo run --release -- build examples/proxmox-homelab.zplan -o out"));
}
