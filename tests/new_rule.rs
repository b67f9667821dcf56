//! The rule scaffold (`cargo xtask new-rule AREA NAME`, `xtask/src/new_rule.rs`) run on a
//! copy of the repository's rules: the files it writes are where the registry, the fixture
//! tests and `cbaudit explain` look for them, in the shape they need (rustfmt parses every
//! rule module of the copy and finds it formatted; the registry lists every rule file under
//! sorted IDs; the fixtures' JSON parses).

use std::path::{Path, PathBuf};
use std::process::Command;

use cbaudit::rules::RULES;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A copy of what the scaffold reads and writes: `src/rules`, `docs/rule-semantics.md` and
/// the per-rule fixtures of one existing rule (`fixtures/rules/` exists, as in the repo).
fn repository_copy() -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_dir(&root.join("src/rules"), &tmp.path().join("src/rules"));
    std::fs::create_dir_all(tmp.path().join("docs")).expect("docs");
    std::fs::copy(
        root.join("docs/rule-semantics.md"),
        tmp.path().join("docs/rule-semantics.md"),
    )
    .expect("rule-semantics.md");
    copy_dir(
        &root.join("fixtures/rules/CB-RDS-001"),
        &tmp.path().join("fixtures/rules/CB-RDS-001"),
    );
    tmp
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The IDs of `RULES` in the copy's `src/rules/mod.rs`, each read from the file its entry
/// (`&area::module::STATIC,`) names, in the order listed.
fn registered_ids(root: &Path) -> Vec<String> {
    let registry = read(root.join("src/rules/mod.rs"));
    let list = registry
        .split("pub static RULES: &[&Rule] = &[")
        .nth(1)
        .and_then(|rest| rest.split("];").next())
        .expect("RULES");
    list.lines()
        .filter_map(|l| l.trim().strip_prefix('&')?.strip_suffix(','))
        .map(|entry| {
            let parts: Vec<&str> = entry.split("::").collect();
            let [area, module, name] = parts[..] else {
                panic!("entry {entry}");
            };
            let text = read(root.join(format!("src/rules/{area}/{module}.rs")));
            assert!(
                text.contains(&format!("pub static {name} = Rule {{")),
                "{area}/{module}.rs declares {name}"
            );
            let id = text
                .split("id: \"")
                .nth(1)
                .and_then(|r| r.split('"').next());
            id.expect("an id").to_string()
        })
        .collect()
}

fn next_id(area: &str) -> String {
    let prefix = format!("CB-{}-", area.to_ascii_uppercase());
    let last = RULES
        .iter()
        .filter_map(|r| r.id.strip_prefix(&prefix)?.parse::<u32>().ok())
        .max()
        .expect("rules in the area");
    format!("{prefix}{:03}", last + 1)
}

#[test]
fn new_rule_writes_a_registered_documented_rule_and_its_fixtures() {
    let tmp = repository_copy();
    let root = tmp.path();
    let id = next_id("rds");
    let rule = xtask::new_rule::scaffold(root, "rds", "rds-deletion-protection").expect("ok");
    assert_eq!(rule.id, id);
    assert_eq!(rule.stem, "deletion_protection");
    let fixtures = format!("fixtures/rules/{id}");
    let mut created: Vec<String> = rule
        .created
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    created.sort();
    assert_eq!(
        created,
        vec![
            format!("{fixtures}/fail/expected.json"),
            format!("{fixtures}/fail/main.tf"),
            format!("{fixtures}/pass/expected.json"),
            format!("{fixtures}/pass/main.tf"),
            "src/rules/rds/deletion_protection.rs".to_string(),
        ]
    );
    let edited: Vec<String> = rule
        .edited
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(
        edited,
        vec![
            "src/rules/rds/mod.rs",
            "src/rules/mod.rs",
            "docs/rule-semantics.md"
        ]
    );
    assert!(rule.notes.is_empty(), "{:?}", rule.notes);

    // The rule file: the declaration the registry and `explain` read.
    let text = read(root.join("src/rules/rds/deletion_protection.rs"));
    for line in [
        "declare_rule! {".to_string(),
        "pub static RDS_DELETION_PROTECTION = Rule {".to_string(),
        format!("id: \"{id}\","),
        "name: \"rds-deletion-protection\",".to_string(),
        "area: Database,".to_string(),
        "check: check,".to_string(),
        "fn check(c: &mut Check<'_>) {".to_string(),
        "run(&RDS_DELETION_PROTECTION, &inventory([]))".to_string(),
    ] {
        assert!(
            text.contains(&line),
            "the rule file lacks `{line}`:\n{text}"
        );
    }
    for section in [
        "## What it checks",
        "## Why",
        "## Example",
        "## Use instead",
        "## Peers",
        "```hcl",
    ] {
        assert!(text.contains(section), "the rule's doc lacks {section}");
    }

    // Registered: module declared, listed once in RULES in ID order, counted.
    assert!(read(root.join("src/rules/rds/mod.rs")).contains("\npub mod deletion_protection;\n"));
    let ids = registered_ids(root);
    assert_eq!(ids.len(), RULES.len() + 1);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "sorted: {ids:?}");
    assert!(ids.contains(&id));
    let registry = read(root.join("src/rules/mod.rs"));
    assert!(registry.contains(&format!("RULES.len(),\n            {},", RULES.len() + 1)));

    // rustfmt parses every module of the copy (the new one through `pub mod`) and finds
    // nothing to change: the scaffold writes valid, formatted Rust where rustfmt keeps it.
    let rustfmt = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".into());
    let out = Command::new(rustfmt)
        .args(["--check", "--edition", "2021"])
        .arg(root.join("src/rules/mod.rs"))
        .output()
        .expect("rustfmt runs");
    assert!(
        out.status.success(),
        "rustfmt --check:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // The fixtures: a provider block, `[]` for pass, a failure of this rule for fail.
    for case in ["pass", "fail"] {
        let tf = read(root.join(format!("{fixtures}/{case}/main.tf")));
        assert!(tf.contains("provider \"aws\"") && tf.contains(&format!("# {id} {case}")));
    }
    let pass: serde_json::Value =
        serde_json::from_str(&read(root.join(format!("{fixtures}/pass/expected.json"))))
            .expect("pass/expected.json");
    assert_eq!(pass, serde_json::json!([]));
    let fail: serde_json::Value =
        serde_json::from_str(&read(root.join(format!("{fixtures}/fail/expected.json"))))
            .expect("fail/expected.json");
    assert_eq!(fail[0]["rule_id"], id.as_str());
    assert_eq!(fail[0]["outcome"], "fail");

    // The semantics line follows the area's last rule.
    let semantics = read(root.join("docs/rule-semantics.md"));
    let new_line = semantics
        .find(&format!("- **{id} rds-deletion-protection**"))
        .expect("a semantics line");
    let previous = RULES.iter().rfind(|r| r.id.starts_with("CB-RDS-"));
    let previous = semantics
        .find(&format!("- **{}", previous.expect("an RDS rule").id))
        .expect("the previous rule's line");
    assert!(previous < new_line);
    assert!(!semantics[previous..new_line].contains("\n\n"));

    // The report names the plan generation.
    assert!(rule.report().contains(&format!(
        "fixtures/generate-plans.sh {fixtures}/pass {fixtures}/fail"
    )));
}

#[test]
fn new_rule_refuses_without_writing() {
    let tmp = repository_copy();
    let root = tmp.path();
    let before = read(root.join("src/rules/mod.rs"));
    // A name another area's rule has (names are unique across areas).
    let existing = RULES.iter().find(|r| r.id.starts_with("CB-NET-")).unwrap();
    for (area, name, says) in [
        ("nope", "nope-rule", "no area `nope`"),
        ("rds", existing.name, "already declares a rule named"),
        ("rds", "Rds_Bad", "not a kebab-case"),
    ] {
        let err = xtask::new_rule::scaffold(root, area, name).expect_err(name);
        assert!(err.contains(says), "{name}: {err}");
    }
    // The fixture directory of the next ID exists: nothing is written.
    let id = next_id("rds");
    std::fs::create_dir_all(root.join(format!("fixtures/rules/{id}"))).expect("mkdir");
    let err = xtask::new_rule::scaffold(root, "rds", "rds-other").expect_err("exists");
    assert!(err.contains("exists already"), "{err}");
    assert!(!root.join("src/rules/rds/other.rs").exists());
    assert_eq!(read(root.join("src/rules/mod.rs")), before);
}
