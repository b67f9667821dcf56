//! The command line as a user meets it: exit status, help, errors on bad input.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

fn cbaudit() -> Command {
    let mut cmd = Command::cargo_bin("cbaudit").expect("binary");
    cmd.env("NO_COLOR", "1");
    cmd
}

#[test]
fn compliant_plan_exits_zero() {
    cbaudit()
        .args(["scan"])
        .arg(fixture("clever-better/compliant/plan.json"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no findings"));
}

#[test]
fn violating_plan_exits_one() {
    cbaudit()
        .args(["scan"])
        .arg(fixture("clever-better/violating/plan.json"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("CB-RDS-003"));
}

#[test]
fn fail_on_threshold_decides_the_exit_status() {
    let plan = fixture("clever-better/violating/plan.json");
    cbaudit()
        .arg("scan")
        .arg(&plan)
        .args(["--fail-on", "never"])
        .assert()
        .code(0);
    cbaudit()
        .arg("scan")
        .arg(&plan)
        .args(["--fail-on", "critical"])
        .assert()
        .code(1);
    // CB-RDS-008 is an info-severity rule: below the default threshold `low`.
    cbaudit()
        .arg("scan")
        .arg(&plan)
        .args(["--select", "CB-RDS-008"])
        .assert()
        .code(0);
    cbaudit()
        .arg("scan")
        .arg(&plan)
        .args(["--select", "rds-instance-class", "--fail-on", "info"])
        .assert()
        .code(1);
}

#[test]
fn ignore_removes_rules() {
    let plan = fixture("rules/CB-RDS-003/fail/plan.json");
    cbaudit()
        .arg("scan")
        .arg(&plan)
        .args(["--select", "CB-RDS-003", "--ignore", "rds-backup-retention"])
        .assert()
        .code(0);
}

#[test]
fn fail_on_unknown_counts_unknowns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = dir.path().join("plan.json");
    // A plan copied away from its .tf files: references through locals stay unknown.
    std::fs::copy(fixture("clever-better/compliant/plan.json"), &plan).expect("copy");
    let out = cbaudit()
        .arg("scan")
        .arg(&plan)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let unknowns = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["outcome"] == "unknown")
        .count();
    assert!(
        unknowns > 0,
        "a plan away from its configuration has unknowns"
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "unknowns alone do not fail the gate"
    );
    cbaudit()
        .arg("scan")
        .arg(&plan)
        .arg("--fail-on-unknown")
        .assert()
        .code(1);
}

#[test]
fn output_file_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("report.sarif");
    cbaudit()
        .arg("scan")
        .arg(fixture("clever-better/violating/plan.json"))
        .args(["--format", "sarif", "--output"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("json");
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn rules_lists_every_rule() {
    let out = cbaudit()
        .args(["rules", "--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(rules.len(), cbaudit::rules::RULES.len());
    assert!(rules
        .iter()
        .all(|r| r["scope"].is_string() && r.get("sources").is_none()));
    cbaudit().arg("rules").assert().success().stdout(
        predicate::str::contains("CB-RDS-003")
            .and(predicate::str::contains("rds-backup-retention")),
    );
}

#[test]
fn explain_by_id_and_by_name() {
    for key in ["CB-RDS-003", "rds-backup-retention", "cb-rds-003"] {
        cbaudit().args(["explain", key]).assert().success().stdout(
            predicate::str::contains("## What it checks").and(predicate::str::contains("## Peers")),
        );
    }
    cbaudit()
        .args(["explain", "CB-NOPE-001"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule"));
}

#[test]
fn help_shows_ci_examples_and_version() {
    cbaudit()
        .args(["scan", "--help"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("terraform show -json")
                .and(predicate::str::contains("--fail-on")),
        );
    cbaudit()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

/// Runs a scan that must fail with status 2, one clear cause and no panic.
fn assert_run_error(path: &Path, cause: &str) {
    let out = cbaudit().arg("scan").arg(path).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}: {stderr}", path.display());
    assert!(!stderr.contains("panicked"), "{}: {stderr}", path.display());
    assert!(
        stderr.contains(cause),
        "{}: expected `{cause}` in {stderr}",
        path.display()
    );
    assert!(
        out.stdout.is_empty(),
        "{}: no report on failure",
        path.display()
    );
}

#[test]
fn bad_inputs_exit_two_with_a_cause() {
    let bad = fixture("bad-input");
    assert_run_error(&bad.join("truncated.json"), "ends too early");
    assert_run_error(&bad.join("not-a-plan.json"), "not a Terraform plan");
    assert_run_error(
        &bad.join("format-v2.json"),
        "unsupported plan format_version 2.0",
    );
    assert_run_error(&bad.join("empty.json"), "the file is empty");
    assert_run_error(&bad.join("binary.json"), "not a text file");
    assert_run_error(&bad.join("array.json"), "not a Terraform plan");
    assert_run_error(&bad.join("main.tf.txt"), "not a recognised input");
    assert_run_error(
        &bad.join("does-not-exist.json"),
        "no such file or directory",
    );
    assert_run_error(&bad.join("empty-dir"), "no Terraform plan or configuration");
}

#[test]
fn deeply_nested_json_exits_two() {
    let dir = tempfile::tempdir().expect("tempdir");
    let depth = 100_000;
    let cases = [
        ("arrays.json", format!("{}{}", "[".repeat(depth), "]".repeat(depth)), "not a Terraform plan"),
        (
            "objects.json",
            format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth)),
            "not a Terraform plan",
        ),
        (
            "planned.json",
            format!(
                "{{\"format_version\":\"1.2\",\"planned_values\":{}{}}}",
                "[".repeat(depth),
                "]".repeat(depth)
            ),
            "planned_values is not an object",
        ),
        (
            "after.json",
            format!(
                "{{\"format_version\":\"1.2\",\"resource_changes\":[{{\"address\":\"aws_vpc.a\",\"type\":\"aws_vpc\",\
                 \"change\":{{\"actions\":[\"create\"],\"after\":{}1{}}}}}]}}",
                "{\"a\":".repeat(depth),
                "}".repeat(depth)
            ),
            "recursion limit exceeded",
        ),
    ];
    for (name, text, cause) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        assert_run_error(&path, cause);
    }
}

#[test]
fn bad_policy_exits_two_with_a_span() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("cbaudit.toml");
    let text = cbaudit::policy::DEFAULT_POLICY
        .replace("vpc_cidr = \"10.0.0.0/16\"", "vpc_cidr = \"10.0.0.0/99\"");
    std::fs::write(&policy, text).expect("write");
    cbaudit()
        .arg("scan")
        .arg(fixture("clever-better/compliant/plan.json"))
        .arg("--policy")
        .arg(&policy)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("invalid CIDR")
                .and(predicate::str::contains("cbaudit::policy::invalid"))
                .and(predicate::str::contains("10.0.0.0/99")),
        );
}

#[test]
fn unknown_rule_in_select_exits_two() {
    cbaudit()
        .arg("scan")
        .arg(fixture("clever-better/compliant/plan.json"))
        .args(["--select", "CB-XYZ-001"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule `CB-XYZ-001`"));
}

#[test]
fn bad_arguments_exit_two() {
    cbaudit()
        .args(["scan", "--format", "yaml", "x.json"])
        .assert()
        .code(2);
    cbaudit().arg("scan").assert().code(2);
}

#[test]
fn several_inputs_are_checked_each_on_its_own() {
    // The same stack twice (as configuration and as plan): two stacks, no duplicate NATs.
    let out = cbaudit()
        .arg("scan")
        .arg(fixture("clever-better/compliant"))
        .arg(fixture("clever-better/compliant/plan.json"))
        .args(["--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let kinds: Vec<&str> = report["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .filter_map(|i| i["kind"].as_str())
        .collect();
    assert_eq!(kinds, vec!["hcl", "plan"]);
}
