//! The real sanoid 2.1.0 (Debian's package, as the oracles unpack it) checks every sanoid
//! config of every example against a stub `zfs` listing, for each monitored dataset and
//! kind, a snapshot just inside its warning age (OK, exit 0), just past it (WARN, exit 1)
//! and just past its critical age (CRIT, exit 2); and capacity the same way. The fleet
//! the oracles check in CI is checked too. The sanoid tests run when asked
//! (`cargo test -- --ignored`, as `.ci/run` does once the oracles are installed), and fail
//! without sanoid rather than pass unchecked; the zrepl check script needs only `sh`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use zplan::render::Body;

use crate::support::{examples, file_name};

/// How far inside or past a threshold the stub's snapshot is: well above the time one
/// sanoid run takes, well below the smallest gap between a warning and a critical age.
const MARGIN: u64 = 20;

/// The sanoid script and the defaults file it reads, as the oracles' install.sh unpacks them.
fn sanoid() -> (PathBuf, PathBuf) {
    let root = std::env::var("SANOID_DEB_ROOT").unwrap_or_else(|_| "/var/cache/zplan-oracles/sanoid-deb".to_owned());
    let script = Path::new(&root).join("usr/sbin/sanoid");
    let defaults = Path::new(&root).join("usr/share/sanoid/sanoid.defaults.conf");
    assert!(
        script.is_file() && defaults.is_file(),
        "sanoid 2.1.0 is missing under {root}: run the oracles' install.sh"
    );
    (script, defaults)
}

/// One dataset section of a generated sanoid.conf, as far as monitoring goes.
#[derive(Debug)]
struct Monitored {
    dataset: String,
    /// Warning and critical age in seconds, by kind; kinds set to 0 are left out.
    ages: BTreeMap<String, (u64, u64)>,
}

/// An age as sanoid reads it (`convertTimePeriod`): a number with `s`, `m`, `h` or `d`.
fn seconds(value: &str) -> u64 {
    let (number, unit) = value.split_at(value.len() - 1);
    let size = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => panic!("zplan writes every age with a unit: {value}"),
    };
    number.parse::<u64>().unwrap() * size
}

/// The monitored sections of a sanoid.conf: not templates, not `process_children_only`.
fn monitored(conf: &str) -> Vec<Monitored> {
    let mut sections: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    for line in conf.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sections.push((name.to_owned(), BTreeMap::new()));
        } else if let (Some((key, value)), Some((_, keys))) = (line.split_once(" = "), sections.last_mut()) {
            keys.insert(key.to_owned(), value.to_owned());
        }
    }
    sections
        .into_iter()
        .filter(|(name, keys)| !name.starts_with("template_") && !keys.contains_key("process_children_only"))
        .map(|(dataset, keys)| {
            let ages = ["frequently", "hourly", "daily", "weekly", "monthly", "yearly"]
                .into_iter()
                .filter_map(|kind| {
                    let warn = keys.get(&format!("{kind}_warn"))?;
                    let crit = keys.get(&format!("{kind}_crit"))?;
                    (crit != "0").then(|| (kind.to_owned(), (seconds(warn), seconds(crit))))
                })
                .collect();
            Monitored { dataset, ages }
        })
        .collect()
}

/// A work dir with the config, a sanoid that reads the Debian defaults from it, and stub
/// `zfs`/`zpool` commands that list what the test writes to `snapshots` and `capacity`.
struct Bench {
    dir: PathBuf,
}

impl Bench {
    fn new(name: &str, conf: &str, script: &Path, defaults: &Path) -> Bench {
        let dir = std::env::temp_dir().join(format!("zplan-freshness-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for sub in ["conf", "bin", "cache", "run"] {
            fs::create_dir_all(dir.join(sub)).unwrap();
        }
        fs::write(dir.join("conf/sanoid.conf"), conf).unwrap();
        fs::copy(defaults, dir.join("conf/sanoid.defaults.conf")).unwrap();
        let patched = fs::read_to_string(script).unwrap().replace(
            "\"/usr/share/sanoid/sanoid.defaults.conf\"",
            &format!("\"{}\"", dir.join("conf/sanoid.defaults.conf").display()),
        );
        fs::write(dir.join("sanoid"), patched).unwrap();
        let zfs = format!(
            "#!/bin/sh\n# zfs list -o name -t filesystem,volume -Hr FS: the dataset alone; zfs get: the listing.\ncase \"$1\" in\n  list) for last; do :; done; echo \"$last\" ;;\n  get) cat '{}' ;;\n  *) echo \"zfs stub: $*\" >&2; exit 2 ;;\nesac\n",
            dir.join("snapshots").display()
        );
        let zpool = format!("#!/bin/sh\ncat '{}'\n", dir.join("capacity").display());
        for (name, text) in [("zfs", zfs), ("zpool", zpool)] {
            let path = dir.join("bin").join(name);
            fs::write(&path, text).unwrap();
            Command::new("chmod").arg("755").arg(&path).status().unwrap();
        }
        Bench { dir }
    }

    /// Lists one snapshot of each monitored kind, `age(warn, crit)` seconds old.
    fn list(&self, sections: &[Monitored], age: impl Fn(u64, u64) -> u64) {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let mut listing = String::new();
        for section in sections {
            for (kind, (warn, crit)) in &section.ages {
                let created = now - age(*warn, *crit);
                listing.push_str(&format!(
                    "{}@autosnap_2026-01-01_00:00:00_{kind}\tcreation\t{created}\t-\n",
                    section.dataset
                ));
            }
        }
        fs::write(self.dir.join("snapshots"), listing).unwrap();
    }

    /// Runs sanoid with `pass`, returning its exit code and output.
    fn run(&self, pass: &str) -> (i32, String) {
        let path = format!("{}:{}", self.dir.join("bin").display(), std::env::var("PATH").unwrap_or_default());
        let output = Command::new("perl")
            .arg(self.dir.join("sanoid"))
            .arg(format!("--configdir={}", self.dir.join("conf").display()))
            .arg(format!("--cache-dir={}", self.dir.join("cache").display()))
            .arg(format!("--run-dir={}", self.dir.join("run").display()))
            .arg(pass)
            .env("PATH", path)
            .env("TZ", "UTC")
            .output()
            .unwrap();
        let _ = fs::remove_file(self.dir.join("cache/snapshots.txt"));
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        (output.status.code().unwrap_or(-1), text)
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Every example, and the fleet the oracles check in CI, by name.
fn policies() -> Vec<(String, String)> {
    let mut policies: Vec<(String, String)> =
        examples().into_iter().map(|path| (file_name(&path), fs::read_to_string(&path).unwrap())).collect();
    policies.push(("fleet 4 --seed 33".to_owned(), zplan::fleet::fleet_policy(4, 33)));
    policies
}

/// Every generated sanoid.conf of the examples and the fleet, by policy and path.
fn sanoid_configs() -> Vec<(String, String)> {
    let mut configs = Vec::new();
    for (name, source) in policies() {
        let tree = zplan::compile(&source, &name).tree.unwrap();
        for ((host, file), generated) in &tree.files {
            if let (true, Body::Bytes(bytes)) = (file.ends_with("/sanoid.conf"), &generated.body) {
                configs.push((format!("{name}:{host}/{file}"), String::from_utf8(bytes.clone()).unwrap()));
            }
        }
    }
    configs
}

#[test]
#[ignore = "needs sanoid 2.1.0 from ../shared/oracles/install.sh: cargo test -- --ignored"]
fn sanoid_finds_fresh_snapshots_ok_and_stale_ones_warning_then_critical() {
    let (script, defaults) = sanoid();
    let mut kinds_checked = 0;
    for (index, (label, conf)) in sanoid_configs().into_iter().enumerate() {
        let sections = monitored(&conf);
        let bench = Bench::new(&index.to_string(), &conf, &script, &defaults);
        bench.list(&sections, |warn, _| warn - MARGIN);
        let (code, text) = bench.run("--monitor-snapshots");
        assert!(code == 0 && text.starts_with("OK:"), "{label}: just inside every warning age\n{text}");
        if sections.iter().all(|s| s.ages.is_empty()) {
            continue;
        }
        bench.list(&sections, |warn, _| warn + MARGIN);
        let (code, text) = bench.run("--monitor-snapshots");
        assert!(code == 1 && text.contains("WARN:") && !text.contains("CRIT:"), "{label}: just past warning\n{text}");
        bench.list(&sections, |_, crit| crit + MARGIN);
        let (code, text) = bench.run("--monitor-snapshots");
        assert!(code == 2 && text.contains("CRIT:"), "{label}: just past critical\n{text}");
        kinds_checked += sections.iter().map(|s| s.ages.len()).sum::<usize>();
    }
    assert!(kinds_checked > 50, "only {kinds_checked} kinds were checked");
}

#[test]
#[ignore = "needs sanoid 2.1.0 from ../shared/oracles/install.sh: cargo test -- --ignored"]
fn sanoid_checks_the_declared_pool_capacity() {
    let (script, defaults) = sanoid();
    let with_capacity: Vec<(String, String)> =
        sanoid_configs().into_iter().filter(|(_, conf)| conf.contains("capacity_warn = ")).collect();
    assert!(!with_capacity.is_empty(), "no example declares capacity thresholds");
    for (index, (label, conf)) in with_capacity.into_iter().enumerate() {
        let percent = |key: &str| -> u32 {
            let line = conf.lines().find(|line| line.starts_with(key)).unwrap();
            line.rsplit(' ').next().unwrap().parse().unwrap()
        };
        let (warn, crit) = (percent("capacity_warn = "), percent("capacity_crit = "));
        let bench = Bench::new(&format!("capacity-{index}"), &conf, &script, &defaults);
        for (capacity, expected) in [(warn - 1, 0), (warn, 1), (crit - 1, 1), (crit, 2)] {
            fs::write(bench.dir.join("capacity"), format!("{capacity}%\n")).unwrap();
            let (code, text) = bench.run("--monitor-capacity");
            assert_eq!(code, expected, "{label}: pools {capacity}% full\n{text}");
        }
    }
}

/// One `check` line of a generated zrepl check script.
struct ScriptCheck {
    dataset: String,
    warn: u64,
    crit: u64,
    /// Subtrees the line leaves out.
    left_out: Vec<String>,
}

fn script_checks(script: &str) -> Vec<ScriptCheck> {
    script
        .lines()
        .filter_map(|line| line.strip_prefix("check '"))
        .map(|rest| {
            let (dataset, rest) = rest.split_once("' ").unwrap();
            let fields: Vec<&str> = rest.split(' ').collect();
            ScriptCheck {
                dataset: dataset.to_owned(),
                warn: fields[2].parse().unwrap(),
                crit: fields[3].parse().unwrap(),
                left_out: fields[4..].iter().map(|field| field.trim_matches('\'').to_owned()).collect(),
            }
        })
        .collect()
}

/// Runs a check script against a stub `zfs`: each checked dataset has one child, and each
/// dataset (child included) one zrepl snapshot whose age `ages` gives, or none; the subtrees
/// a line leaves out exist, with a child, and have no snapshot at all.
fn run_check_script(
    dir: &Path,
    script: &str,
    checks: &[ScriptCheck],
    age: &dyn Fn(u64, u64) -> Option<u64>,
) -> (i32, String) {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let mut table = String::new();
    let mut tree = String::new();
    for check in checks {
        let dataset = &check.dataset;
        let created = age(check.warn, check.crit).map_or_else(|| "none".to_owned(), |age| (now - age).to_string());
        for name in [dataset.clone(), format!("{dataset}/child")] {
            table.push_str(&format!("{name}\t{created}\n"));
            tree.push_str(&format!("{dataset}\t{name}\n"));
        }
        for subtree in &check.left_out {
            for name in [subtree.clone(), format!("{subtree}/child")] {
                table.push_str(&format!("{name}\tnone\n"));
                tree.push_str(&format!("{dataset}\t{name}\n"));
            }
        }
    }
    fs::write(dir.join("tree"), tree).unwrap();
    fs::write(dir.join("ages"), table).unwrap();
    fs::write(dir.join("check-snapshots"), script).unwrap();
    let stub = format!(
        "#!/bin/sh\n# zfs list -H -o name -r ... DS | zfs list -Hp -t snapshot ... -d 1 DS\nfor last; do :; done\ncase \"$*\" in\n  *'-t snapshot'*) awk -F '\\t' -v ds=\"$last\" '$1 == ds && $2 != \"none\" {{ print ds \"@zrepl_20260101_000000_000\\t\" $2 }}' '{}' ;;\n  *' -r '*) awk -F '\\t' -v ds=\"$last\" '$1 == ds {{ print $2 }}' '{}' ;;\n  *) echo \"zfs stub: $*\" >&2; exit 2 ;;\nesac\n",
        dir.join("ages").display(),
        dir.join("tree").display()
    );
    fs::create_dir_all(dir.join("bin")).unwrap();
    fs::write(dir.join("bin/zfs"), stub).unwrap();
    Command::new("chmod").arg("755").arg(dir.join("bin/zfs")).status().unwrap();
    let path = format!("{}:{}", dir.join("bin").display(), std::env::var("PATH").unwrap_or_default());
    let output = Command::new("sh").arg(dir.join("check-snapshots")).env("PATH", path).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.code().unwrap_or(-1), text)
}

#[test]
fn the_zrepl_check_finds_fresh_snapshots_ok_and_stale_ones_warning_then_critical() {
    let dir = std::env::temp_dir().join(format!("zplan-check-snapshots-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let mut scripts = 0;
    let mut left_out = 0;
    for (name, source) in policies() {
        let tree = zplan::compile(&source, &name).tree.unwrap();
        for ((host, file), generated) in &tree.files {
            let (true, Body::Bytes(bytes)) = (file.ends_with("libexec/zplan/check-snapshots"), &generated.body) else {
                continue;
            };
            let script = String::from_utf8(bytes.clone()).unwrap();
            let checks = script_checks(&script);
            left_out += checks.iter().map(|check| check.left_out.len()).sum::<usize>();
            assert!(!checks.is_empty(), "{name}:{host}: a check script checks something");
            let label = format!("{name}:{host}");
            let (code, text) = run_check_script(&dir, &script, &checks, &|warn, _| Some(warn - MARGIN));
            assert!(code == 0 && text.starts_with("OK:"), "{label}: inside\n{text}");
            let (code, text) = run_check_script(&dir, &script, &checks, &|warn, _| Some(warn + MARGIN));
            assert!(code == 1 && text.contains("WARN:") && !text.contains("CRIT:"), "{label}: past warning\n{text}");
            let (code, text) = run_check_script(&dir, &script, &checks, &|_, crit| Some(crit + MARGIN));
            assert!(code == 2 && text.contains("CRIT:"), "{label}: past critical\n{text}");
            let (code, text) = run_check_script(&dir, &script, &checks, &|_, _| None);
            assert!(code == 2 && text.contains("no zrepl_ snapshots at all"), "{label}: none\n{text}");
            scripts += 1;
        }
    }
    let _ = fs::remove_dir_all(&dir);
    assert!(scripts >= 4, "only {scripts} check scripts");
    assert!(left_out > 0, "no check script leaves a subtree out");
}
