//! Generated messages read right: every fixture (each plan beside its configuration, the
//! plan alone, and the configuration directory) is scanned, and no message or help puts a
//! singular verb after a plural noun ("the container definitions is unknown", "the task
//! role's policies is unknown") or misspells a plural ("scaling policys").

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cbaudit::engine::{self, Finding};
use cbaudit::policy::Policy;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every directory under `fixtures/` holding a `plan.json`.
fn fixture_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    if entries.iter().any(|p| p.ends_with("plan.json")) {
        out.push(dir.to_path_buf());
    }
    for p in entries {
        if p.is_dir() {
            fixture_dirs(&p, out);
        }
    }
}

/// The plural nouns the model's field names end with (`container_definitions` →
/// `definitions`, `security_groups` → `groups`), read from the model's source, plus the
/// nouns rules use in their own words.
fn plural_nouns() -> BTreeSet<String> {
    let mut words: BTreeSet<String> = [
        "definitions",
        "policies",
        "rules",
        "groups",
        "subnets",
        "parameters",
        "actions",
        "statements",
        "tags",
        "topics",
        "names",
        "flows",
        "containers",
        "listeners",
        "targets",
        "resources",
        "services",
        "zones",
        "ports",
        "roles",
        "buckets",
        "routes",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let model = root().join("src/model");
    for entry in std::fs::read_dir(&model).expect("src/model").flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for line in text.lines() {
            let Some(rest) = line.trim().strip_prefix("pub ") else {
                continue;
            };
            let Some((name, _)) = rest.split_once(':') else {
                continue;
            };
            if name.contains(char::is_whitespace) || name.contains('(') {
                continue;
            }
            let last = name.rsplit('_').next().unwrap_or(name);
            if last.len() > 3 && last.ends_with('s') && !last.ends_with("ss") {
                words.insert(last.to_string());
            }
        }
    }
    // Singular words ending in s that are field names.
    for w in ["status", "address", "access", "alias", "days", "https"] {
        words.remove(w);
    }
    words
}

fn scan(paths: &[&Path], plan_alone: bool) -> Option<Vec<Finding>> {
    let inv = if plan_alone {
        let bytes = std::fs::read(paths[0]).ok()?;
        let mut inv = cbaudit::model::Inventory::new();
        cbaudit::source::load_bytes("plan.json", &bytes, &mut inv).ok()?;
        inv
    } else {
        cbaudit::source::load(paths).ok()?
    };
    let policy_path = paths[0].parent().map(|d| {
        if paths[0].is_dir() {
            paths[0].join("policy.toml")
        } else {
            d.join("policy.toml")
        }
    })?;
    let policy = match std::fs::read_to_string(&policy_path) {
        Ok(text) => Policy::parse(&policy_path.display().to_string(), &text).ok()?,
        Err(_) => Policy::default_policy(),
    };
    let rules = engine::select_rules(&policy, &[], &[]).ok()?;
    Some(engine::run(&inv, &policy, &rules).findings)
}

#[test]
fn no_message_breaks_agreement() {
    let plurals = plural_nouns();
    assert!(
        plurals.contains("definitions") && plurals.len() > 20,
        "{plurals:?}"
    );
    let mut dirs = Vec::new();
    fixture_dirs(&root().join("fixtures"), &mut dirs);
    assert!(dirs.len() > 40, "fixtures found: {}", dirs.len());
    let misspelt = ["policys", "entrys", "statuss", "accesss", "addresss"];
    let mut scanned = 0;
    let mut unknowns = 0;
    let mut bad = Vec::new();
    for dir in &dirs {
        let plan = dir.join("plan.json");
        let has_tf = std::fs::read_dir(dir)
            .map(|es| {
                es.flatten()
                    .any(|e| e.path().extension().is_some_and(|x| x == "tf"))
            })
            .unwrap_or(false);
        let mut ways: Vec<(String, Option<Vec<Finding>>)> = vec![
            ("plan".into(), scan(&[&plan], false)),
            ("plan alone".into(), scan(&[&plan], true)),
        ];
        if has_tf {
            ways.push(("directory".into(), scan(&[dir.as_path()], false)));
        }
        for (way, findings) in ways {
            let Some(findings) = findings else { continue };
            scanned += 1;
            for f in &findings {
                if f.outcome == cbaudit::rules::Status::Unknown {
                    unknowns += 1;
                }
                // A product (`period × evaluation periods is 300 s`) is one quantity.
                let text = format!("{} {}", f.message, f.help.as_deref().unwrap_or(""))
                    .replace("period × evaluation periods", "evaluation window");
                let lower = text.to_ascii_lowercase();
                let words: Vec<&str> = lower
                    .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '\''))
                    .filter(|w| !w.is_empty())
                    .collect();
                // A "whether …" clause is singular whatever its last noun: its first `is`
                // belongs to the clause.
                let mut in_whether = false;
                for pair in words.windows(2) {
                    if pair[0] == "whether" {
                        in_whether = true;
                    }
                    if pair[1] == "is" && std::mem::take(&mut in_whether) {
                        continue;
                    }
                    let noun = pair[0].rsplit('_').next().unwrap_or(pair[0]);
                    let noun = noun.trim_end_matches("'s");
                    if pair[1] == "is" && plurals.contains(noun) {
                        bad.push(format!("{} ({way}) {}: {text}", dir.display(), f.rule.id));
                    }
                }
                if let Some(w) = misspelt.iter().find(|w| words.contains(w)) {
                    bad.push(format!(
                        "{} ({way}) {}: `{w}` in {text}",
                        dir.display(),
                        f.rule.id
                    ));
                }
            }
        }
    }
    assert!(scanned > 80, "scans that ran: {scanned}");
    assert!(
        unknowns > 20,
        "the fixtures give unknowns to read: {unknowns}"
    );
    assert!(
        bad.is_empty(),
        "{} messages break agreement:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

fn line_of(file: &Path, needle: &str) -> u64 {
    let text = std::fs::read_to_string(file).expect("fixture file");
    let index = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in {}", file.display()));
    text[..index].matches('\n').count() as u64 + 1
}

fn cbaudit(args: &[&str], path: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cbaudit"))
        .arg("scan")
        .arg(path)
        .args(["--select", "CB-RDS-001", "--color", "never"])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

/// A value set through module inputs names the module arguments that set it, the root's
/// last: in JSON (`related_locations`), SARIF (`relatedLocations`) and the human snippet,
/// scanning the directory and the plan beside it.
#[test]
fn module_inputs_name_the_arguments_that_set_them() {
    let dir = root().join("fixtures/module-inputs");
    let root_tf = dir.join("main.tf");
    let platform_tf = dir.join("modules/platform/main.tf");
    let direct = (
        "module.reporting_db.aws_db_instance.this",
        vec![("main.tf", line_of(&root_tf, "storage_encrypted = false"))],
    );
    let nested = (
        "module.platform.module.db.aws_db_instance.this",
        vec![
            (
                "modules/platform/main.tf",
                line_of(&platform_tf, "storage_encrypted = var.encrypt"),
            ),
            ("main.tf", line_of(&root_tf, "encrypt = false")),
        ],
    );
    let attribute_line = line_of(&dir.join("modules/db/main.tf"), "storage_encrypted ");
    for input in [dir.clone(), dir.join("plan.json")] {
        let what = input.display().to_string();
        let out = cbaudit(&["--format", "json"], &input);
        assert_eq!(out.status.code(), Some(1), "{what}");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let findings = report["findings"].as_array().expect("findings");
        for (address, want) in [&direct, &nested] {
            let f = findings
                .iter()
                .find(|f| f["resource"] == *address)
                .unwrap_or_else(|| panic!("{what}: a finding on {address}"));
            assert!(
                f["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .ends_with("modules/db/main.tf")
                    && f["location"]["line"] == attribute_line,
                "{what}: the finding points at the attribute in the module: {f}"
            );
            let related: Vec<(String, u64)> = f["related_locations"]
                .as_array()
                .unwrap_or_else(|| panic!("{what}: related_locations on {address}: {f}"))
                .iter()
                .map(|l| {
                    (
                        l["path"].as_str().unwrap_or_default().to_string(),
                        l["line"].as_u64().unwrap_or_default(),
                    )
                })
                .collect();
            assert_eq!(related.len(), want.len(), "{what}: {related:?}");
            for ((path, line), (want_path, want_line)) in related.iter().zip(want) {
                assert!(
                    path.ends_with(&format!("module-inputs/{want_path}")) && line == want_line,
                    "{what} {address}: {path}:{line}, want {want_path}:{want_line}"
                );
            }
        }

        let out = cbaudit(&["--format", "sarif"], &input);
        let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("sarif");
        let results = sarif["runs"][0]["results"].as_array().expect("results");
        let lines: BTreeSet<u64> = results
            .iter()
            .flat_map(|r| {
                r["relatedLocations"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|l| l["physicalLocation"]["region"]["startLine"].as_u64())
            .collect();
        for (_, want) in [&direct, &nested] {
            for (_, line) in want {
                assert!(
                    lines.contains(line),
                    "{what}: SARIF relatedLocations {lines:?}"
                );
            }
        }

        let out = cbaudit(&[], &input);
        let human = String::from_utf8_lossy(&out.stdout);
        assert!(
            human.contains("storage_encrypted is set by a module argument at")
                && human.contains("encrypt = false")
                && human.contains("storage_encrypted = var.encrypt"),
            "{what}: the human report shows the arguments:\n{human}"
        );
    }
}

/// A short secret (`db`) masks the values equal to it in a snippet, never the attribute
/// names or longer values that contain it; the secret never shows as a value.
#[test]
fn snippets_mask_secret_values_not_their_substrings() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("main.tf"),
        r#"resource "aws_db_instance" "main" {
  identifier              = "reporting"
  storage_encrypted       = true
  password                = "db"
  backup_retention_period = 1
  tags                    = { db_name = "db-reporting", role = "db" }
}
"#,
    )
    .expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cbaudit"))
        .arg("scan")
        .arg(dir.path())
        .args(["--select", "CB-RDS-003", "--color", "never"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("backup_retention_period = 1"), "{human}");
    for kept in ["db_name", "\"db-reporting\""] {
        assert!(human.contains(kept), "`{kept}` is not masked:\n{human}");
    }
    assert!(
        human.contains("password                = \"**\""),
        "the password is masked:\n{human}"
    );
    assert!(
        !human.contains("\"db\""),
        "the secret never shows as a value:\n{human}"
    );
}
