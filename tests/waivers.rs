//! Inline waivers (`# cbaudit:waive` comments in `.tf` files), end to end.
//!
//! Each case under `fixtures/waivers/<case>/` holds a small Terraform project (`main.tf`,
//! local modules), its `plan.json` (real Terraform, `fixtures/generate-plans.sh`) and an
//! `expected.json`:
//!
//! ```json
//! { "select": ["CB-RDS-002"], "today": "2027-01-15", "exit": 0,
//!   "controls": "max_waiver_days = 90\n",
//!   "findings": [
//!     { "rule_id": "CB-RDS-002", "resource": "aws_db_instance.above",
//!       "suppression": { "kind": "inline", "reason": "…", "until": "2027-03-31",
//!                        "owner": "platform", "ticket": null, "path": "main.tf", "line": 24 } },
//!     { "rule_id": "CB-RDS-002", "resource": "aws_db_instance.staging",
//!       "message": ["expired on 2027-01-10"], "expired": { … } },
//!     { "rule_id": "CB-WVR-002", "resource": null, "line": 48, "message": ["…"] } ] }
//! ```
//!
//! Every listed finding fails; `suppression` says it is waived (and how), `expired` that
//! its waiver matched but expired; a waiver finding (`CB-WVR-*`, no resource) is named by
//! its comment's line. `controls` replaces the default policy's `[waiver_controls]`
//! table. Each case is scanned three ways, through the CLI (JSON output: `suppression`,
//! `expired_waiver`, summary, exit status) and the library (the `Suppression` of each
//! finding):
//!
//! - `beside`: the plan where it sits, next to its `.tf` files: the waivers apply;
//! - `directory`: the `.tf` directory: the same findings, the same waivers;
//! - `alone`: the plan copied into an empty directory: no configuration, so no inline
//!   waiver applies and every listed finding with a resource fails (no waiver finding).
//!
//! Malformed waivers (`fixtures/waivers/malformed/<case>/waiver.tf`, no plan) are exit-2
//! diagnostics whose span is on the comment.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use cbaudit::engine::{self, Report};
use cbaudit::policy::Policy;
use cbaudit::source::{self, hcl::HclOptions, LoadOptions};
use cbaudit::waiver::{SuppressionKind, Waivers};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/waivers")
}

fn cbaudit() -> Command {
    let mut cmd = Command::cargo_bin("cbaudit").expect("binary");
    cmd.env("NO_COLOR", "1");
    cmd
}

#[derive(Debug, Clone, PartialEq)]
struct Sup {
    reason: String,
    until: Option<String>,
    owner: Option<String>,
    ticket: Option<String>,
    path: String,
    line: u32,
}

#[derive(Debug, Clone)]
struct Want {
    rule: String,
    resource: Option<String>,
    line: Option<u32>,
    message: Vec<String>,
    suppression: Option<Sup>,
    expired: Option<Sup>,
}

impl Want {
    fn key(&self) -> String {
        match (&self.resource, self.line) {
            (Some(r), _) => format!("{} {r}", self.rule),
            (None, Some(line)) => format!("{} waiver at line {line}", self.rule),
            (None, None) => panic!("{}: a resource or a line", self.rule),
        }
    }
}

struct Case {
    dir: PathBuf,
    select: Vec<String>,
    today: String,
    exit: i32,
    controls: Option<String>,
    findings: Vec<Want>,
}

fn sup(v: &serde_json::Value) -> Option<Sup> {
    if v.is_null() {
        return None;
    }
    assert_eq!(v["kind"], "inline", "{v}");
    let s = |k: &str| v[k].as_str().map(str::to_string);
    Some(Sup {
        reason: s("reason").expect("reason"),
        until: s("until"),
        owner: s("owner"),
        ticket: s("ticket"),
        path: s("path").expect("path"),
        line: v["line"].as_u64().expect("line") as u32,
    })
}

fn case(name: &str) -> Case {
    let dir = root().join(name);
    let text = std::fs::read_to_string(dir.join("expected.json")).expect("expected.json");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("expected.json parses");
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|s| s.as_str().expect("a string").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let findings = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| Want {
            rule: f["rule_id"].as_str().expect("rule_id").to_string(),
            resource: f["resource"].as_str().map(str::to_string),
            line: f["line"].as_u64().map(|l| l as u32),
            message: strings(&f["message"]),
            suppression: sup(&f["suppression"]),
            expired: sup(&f["expired"]),
        })
        .collect();
    Case {
        select: strings(&doc["select"]),
        today: doc["today"].as_str().expect("today").to_string(),
        exit: doc["exit"].as_i64().expect("exit") as i32,
        controls: doc["controls"].as_str().map(str::to_string),
        findings,
        dir,
    }
}

/// The default policy with its `[waiver_controls]` table replaced by the case's, written
/// into `tmp`.
fn policy_file(case: &Case, tmp: &Path) -> Option<PathBuf> {
    let controls = case.controls.as_ref()?;
    let default = cbaudit::policy::DEFAULT_POLICY;
    let start = default
        .find("\n[waiver_controls]\n")
        .expect("the default policy has [waiver_controls]")
        + 1;
    let end = default[start + 1..]
        .find("\n[")
        .map_or(default.len(), |n| start + 1 + n + 1);
    let text = format!(
        "{}[waiver_controls]\n{controls}\n{}",
        &default[..start],
        &default[end..]
    );
    let path = tmp.join("cbaudit.toml");
    std::fs::write(&path, text).expect("write policy");
    Some(path)
}

/// `cbaudit scan INPUT --format json`: exit status and document.
fn cli(case: &Case, input: &Path, policy: Option<&Path>, today: &str) -> (i32, serde_json::Value) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut cmd = cbaudit();
    cmd.current_dir(tmp.path())
        .arg("scan")
        .arg(input)
        .args(["--select", &case.select.join(",")])
        .args(["--today", today, "--format", "json"]);
    if let Some(p) = policy {
        cmd.arg("--policy").arg(p);
    }
    let out = cmd.output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let doc = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{}: {e}\nstdout: {stdout}\nstderr: {}",
            input.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().expect("exit status"), doc)
}

fn json_key(f: &serde_json::Value) -> String {
    let rule = f["rule_id"].as_str().expect("rule_id");
    match f["resource"].as_str() {
        Some(r) => format!("{rule} {r}"),
        None => format!("{rule} waiver at line {}", f["location"]["line"]),
    }
}

/// A JSON `suppression` / `expired_waiver` object, as the expectations write it (an
/// inline waiver's location relative to the case).
fn json_suppression(case: &Case, v: &serde_json::Value) -> Option<Sup> {
    if v.is_null() {
        return None;
    }
    assert_eq!(v["kind"], "inline", "{v}");
    let s = |k: &str| v[k].as_str().map(str::to_string);
    let path = v["location"]["path"].as_str().expect("location.path");
    Some(Sup {
        reason: s("reason").expect("reason"),
        until: s("until"),
        owner: s("owner"),
        ticket: s("ticket"),
        path: Path::new(path)
            .strip_prefix(&case.dir)
            .unwrap_or_else(|_| panic!("{path} outside the case"))
            .display()
            .to_string(),
        line: v["location"]["line"].as_u64().expect("location.line") as u32,
    })
}

/// The scan as the CLI does it, through the library: the findings with their
/// `Suppression`.
fn library(case: &Case, input: &Path, policy: Option<&Path>, today: &str) -> Report {
    let policy = match policy {
        Some(p) => {
            let text = std::fs::read_to_string(p).expect("policy");
            Policy::parse_for(&p.display().to_string(), &text, &|k| {
                cbaudit::rules::find(k).is_some()
            })
            .expect("policy parses")
        }
        None => Policy::default_policy(),
    };
    let opts = LoadOptions {
        hcl: HclOptions {
            is_rule: Some(|k| cbaudit::rules::find(k).is_some()),
            ..HclOptions::default()
        },
        source_dir: None,
    };
    let src = source::detect(input, &opts).expect("detected");
    let loaded = source::read(src.as_ref()).unwrap_or_else(|e| panic!("{e:?}"));
    let selected = engine::select_rules(&policy, &case.select, &[]).expect("rules");
    let reports = loaded
        .inventories
        .iter()
        .map(|inv| engine::run(inv, &policy, &selected))
        .collect();
    Waivers {
        file: &policy.waivers,
        controls: &policy.waiver_controls,
        today: cbaudit::waiver::parse_date(today).expect("today"),
    }
    .apply(reports)
}

fn check_suppression(
    case: &Case,
    what: &str,
    got: Option<&cbaudit::waiver::Suppression>,
    want: Option<&Sup>,
) {
    match (got, want) {
        (None, None) => {}
        (Some(s), Some(w)) => {
            assert_eq!(s.kind, SuppressionKind::Inline, "{what}");
            let loc = s.location.as_ref().expect("a waiver's location");
            let got = Sup {
                reason: s.reason.clone(),
                until: s.until.map(|d| d.to_string()),
                owner: s.owner.clone(),
                ticket: s.ticket.clone(),
                path: Path::new(&*loc.path)
                    .strip_prefix(&case.dir)
                    .unwrap_or_else(|_| panic!("{what}: {} outside the case", loc.path))
                    .display()
                    .to_string(),
                line: loc.line,
            };
            assert_eq!(&got, w, "{what}");
        }
        (got, want) => panic!("{what}: got {got:?}, want {want:?}"),
    }
}

/// One way of scanning a case: `alone` drops every waiver.
fn check_way(case: &Case, way: &str, input: &Path, policy: Option<&Path>) {
    let alone = way == "alone";
    let wants: BTreeMap<String, Want> = case
        .findings
        .iter()
        .filter(|w| !alone || w.resource.is_some())
        .map(|w| {
            let mut w = w.clone();
            if alone {
                (w.suppression, w.expired, w.message) = (None, None, Vec::new());
            }
            (w.key(), w)
        })
        .collect();
    let what = format!("{} ({way})", case.dir.display());

    // The CLI: the findings, their messages, the summary, the exit status.
    let (code, doc) = cli(case, input, policy, &case.today);
    let findings = doc["findings"].as_array().expect("findings");
    let got: BTreeSet<String> = findings.iter().map(json_key).collect();
    let want: BTreeSet<String> = wants.keys().cloned().collect();
    assert_eq!(got, want, "{what}: findings");
    for f in findings {
        let w = &wants[&json_key(f)];
        assert_eq!(f["outcome"], "fail", "{what}: {}", w.key());
        let fw = format!("{what}: {}", w.key());
        assert_eq!(
            json_suppression(case, &f["suppression"]),
            w.suppression,
            "{fw}: suppression"
        );
        assert_eq!(
            json_suppression(case, &f["expired_waiver"]),
            w.expired,
            "{fw}: expired_waiver"
        );
        let message = f["message"].as_str().expect("message");
        for part in &w.message {
            assert!(
                message.contains(part.as_str()),
                "{what}: {message:?} lacks {part:?}"
            );
        }
    }
    let waived = wants.values().filter(|w| w.suppression.is_some()).count();
    let expired = wants.values().filter(|w| w.expired.is_some()).count();
    assert_eq!(doc["summary"]["waived_findings"], waived, "{what}: summary");
    assert_eq!(doc["summary"]["expired"], expired, "{what}: summary");
    let exit = if alone { 1 } else { case.exit };
    assert_eq!(code, exit, "{what}: exit status");

    // The library: each finding's suppression (kind, reason, until, owner, ticket, where).
    let report = library(case, input, policy, &case.today);
    assert_eq!(report.findings.len(), wants.len(), "{what}");
    for f in &report.findings {
        let key = match &f.resource {
            Some(r) => format!("{} {r}", f.rule.id),
            None => format!(
                "{} waiver at line {}",
                f.rule.id,
                f.location.as_ref().expect("location").line
            ),
        };
        let w = wants
            .get(&key)
            .unwrap_or_else(|| panic!("{what}: unexpected {key}"));
        let fw = format!("{what}: {key}");
        check_suppression(case, &fw, f.suppression.as_ref(), w.suppression.as_ref());
        check_suppression(case, &fw, f.expired.as_ref(), w.expired.as_ref());
        if let Some(line) = w.line {
            let loc = f.location.as_ref().expect("location");
            assert_eq!(loc.line, line, "{fw}");
            assert_eq!(Path::new(&*loc.path), case.dir.join("main.tf"), "{fw}");
        }
    }
    if alone {
        assert!(report.declared_waivers.is_empty(), "{what}");
    }
}

fn run_case(name: &str) {
    let case = case(name);
    let tmp = tempfile::tempdir().expect("tempdir");
    let policy = policy_file(&case, tmp.path());
    let policy = policy.as_deref();
    check_way(&case, "beside", &case.dir.join("plan.json"), policy);
    check_way(&case, "directory", &case.dir, policy);
    let alone = tmp.path().join("alone");
    std::fs::create_dir(&alone).expect("mkdir");
    std::fs::copy(case.dir.join("plan.json"), alone.join("plan.json")).expect("copy");
    check_way(&case, "alone", &alone.join("plan.json"), policy);
}

/// Above a block, at the end of its first line, on attributes, on `count` and `for_each`
/// resources, several rules (ID and name) in one comment, `#`, `//` and `/* */`; comments
/// in strings and heredocs are not waivers. Everything is waived: exit 0.
#[test]
fn forms() {
    run_case("forms");
}

/// A waiver on a `module` block covers every resource of every instance of the call; one
/// in a module's own file covers that block in every call (nested calls too).
#[test]
fn modules() {
    run_case("modules");
}

/// An expired waiver: the finding fails again and says when, whose and why; a waiver that
/// matches nothing is a CB-WVR-002 finding.
#[test]
fn expired() {
    run_case("expired");
}

/// `[waiver_controls]`: a critical rule waived inline, an `until` too far away, no
/// `until` at all: CB-WVR-001 findings, and the original findings still fail.
#[test]
fn forbidden() {
    run_case("forbidden");
}

/// A waiver applies until the day before its `until`: from that day the finding fails the
/// run again.
#[test]
fn expiry_decides_the_exit_status() {
    let case = case("forms");
    let dir = case.dir.clone();
    let (code, doc) = cli(&case, &dir, None, "2027-03-30");
    assert_eq!(code, 0);
    assert_eq!(
        doc["summary"]["expiring_soon"], 1,
        "above expires 2027-03-31"
    );
    let (code, doc) = cli(&case, &dir, None, "2027-03-31");
    assert_eq!(code, 1);
    assert_eq!(doc["summary"]["expired"], 1);
    let above = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["resource"] == "aws_db_instance.above")
        .expect("above");
    let message = above["message"].as_str().expect("message");
    assert!(
        message.contains(
            "(owner platform: \"staging: single-AZ until the March migration\") expired on 2027-03-31"
        ),
        "{message}"
    );
    // `each` (until 2027-06-30) still applies.
    assert_eq!(doc["summary"]["waived_findings"], 9);
}

/// A plan away from its configuration gets the inline waivers through `--source-dir`.
#[test]
fn source_dir_brings_the_waivers_to_a_plan() {
    let case = case("forms");
    let tmp = tempfile::tempdir().expect("tempdir");
    let plan = tmp.path().join("plan.json");
    std::fs::copy(case.dir.join("plan.json"), &plan).expect("copy");
    let out = cbaudit()
        .arg("scan")
        .arg(&plan)
        .arg("--source-dir")
        .arg(&case.dir)
        .args(["--select", "CB-RDS-002,CB-RDS-003", "--today", "2027-01-15"])
        .args(["--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["summary"]["waived_findings"], 10);
    assert_eq!(doc["summary"]["fail"], 0);
}

/// (case, file under the case, the comment's line, what the message says)
const MALFORMED: &[(&str, &str, u32, &str)] = &[
    ("no-reason", "waiver.tf", 3, "a waiver needs a reason"),
    ("empty-reason", "waiver.tf", 3, "a waiver's reason is empty"),
    ("unknown-rule", "waiver.tf", 3, "unknown rule `CB-XYZ-999`"),
    (
        "impossible-date",
        "waiver.tf",
        5,
        "invalid date `2027-02-29`: February 2027 has no day 29",
    ),
    (
        "malformed-date",
        "waiver.tf",
        3,
        "invalid date `2027-3-31`: expected YYYY-MM-DD",
    ),
    (
        "unknown-key",
        "waiver.tf",
        3,
        "unknown waiver key `expires`",
    ),
    (
        "unterminated-quote",
        "waiver.tf",
        3,
        "unterminated quote in `reason`",
    ),
    ("no-rule", "waiver.tf", 3, "waiver names no rule"),
    (
        "blank-line",
        "waiver.tf",
        3,
        "waiver attached to nothing: a blank line separates it",
    ),
    (
        "end-of-file",
        "waiver.tf",
        8,
        "waiver attached to nothing: nothing follows it",
    ),
    (
        "on-variable",
        "waiver.tf",
        3,
        "waiver attached to nothing: it is attached to a `variable` block",
    ),
    (
        "misspelt",
        "waiver.tf",
        3,
        "`cbaudit:waiver` is not a cbaudit directive: did you mean `cbaudit:waive`?",
    ),
    (
        "misspelt-space",
        "waiver.tf",
        3,
        "`cbaudit: waive` is not a cbaudit directive: did you mean `cbaudit:waive`?",
    ),
    (
        "in-module",
        "modules/db/waiver.tf",
        2,
        "a waiver needs a reason",
    ),
];

/// Each malformed waiver is a diagnostic (exit 2) naming the comment's file and line,
/// with its span on that line; never a panic, never silently ignored.
#[test]
fn malformed_waivers_are_diagnostics_on_the_comment() {
    for (name, file, line, message) in MALFORMED {
        let dir = root().join("malformed").join(name);
        let out = cbaudit()
            .arg("scan")
            .arg(&dir)
            .args(["--today", "2027-01-15"])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(message), "{name}: {stderr}");
        let at = format!("{}:{line}: ", dir.join(file).display());
        assert!(stderr.contains(&at), "{name}: {at} in {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");

        // The span (the label miette draws) lies on the comment's line.
        let opts = LoadOptions {
            hcl: HclOptions {
                is_rule: Some(|k| cbaudit::rules::find(k).is_some()),
                ..HclOptions::default()
            },
            source_dir: None,
        };
        let err = source::load_with(&[&dir], &opts).expect_err(name);
        let label = miette::Diagnostic::labels(&err)
            .and_then(|mut l| l.next())
            .unwrap_or_else(|| panic!("{name}: a label"));
        let text = std::fs::read_to_string(dir.join(file)).expect("read");
        let span_line = text[..label.offset()].matches('\n').count() as u32 + 1;
        assert_eq!(span_line, *line, "{name}");
        assert!(!label.is_empty(), "{name}: an empty span");
    }
}

/// Without a rule checker (a library user's default) any rule key is accepted: the
/// unknown rule then simply matches no finding.
#[test]
fn without_a_rule_checker_any_key_is_accepted() {
    let dir = root().join("malformed/unknown-rule");
    let inv = source::load_with(&[&dir], &LoadOptions::default()).expect("loads");
    assert_eq!(inv.waivers.len(), 1);
    assert_eq!(inv.waivers[0].rules, ["CB-RDS-002", "CB-XYZ-999"]);
    assert_eq!(inv.waivers[0].covers, ["aws_db_instance.main"]);
}

/// A malformed waiver is an error for a plan scanned beside its configuration too (and
/// with `--source-dir`); the plan alone has no waivers to check.
#[test]
fn malformed_waivers_fail_plan_scans_with_configuration() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let plan = tmp.path().join("plan.json");
    std::fs::copy(root().join("forms/plan.json"), &plan).expect("copy plan");
    let malformed = root().join("malformed/misspelt");
    std::fs::copy(malformed.join("waiver.tf"), tmp.path().join("waiver.tf")).expect("copy tf");
    cbaudit()
        .arg("scan")
        .arg(&plan)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("did you mean `cbaudit:waive`?"));
    let alone = tempfile::tempdir().expect("tempdir");
    let plan_alone = alone.path().join("plan.json");
    std::fs::copy(&plan, &plan_alone).expect("copy");
    cbaudit()
        .arg("scan")
        .arg(&plan_alone)
        .args(["--select", "CB-RDS-002"])
        .assert()
        .code(1);
    cbaudit()
        .arg("scan")
        .arg(&plan_alone)
        .arg("--source-dir")
        .arg(&malformed)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("did you mean `cbaudit:waive`?"));
}

/// The `covers` of a module's waiver name the block through every call path, as
/// configuration addresses without instance keys.
#[test]
fn covers_name_every_call_path() {
    let dir = root().join("modules");
    let inv = source::load_with(&[&dir], &LoadOptions::default()).expect("loads");
    let covers: BTreeMap<u32, Vec<String>> = inv
        .waivers
        .iter()
        .map(|w| (w.location.line, w.covers.clone()))
        .collect();
    assert_eq!(
        covers,
        BTreeMap::from([
            (22, vec!["module.b".to_string()]),
            (
                9,
                vec![
                    "module.a.aws_db_instance.this".to_string(),
                    "module.b.aws_db_instance.this".to_string(),
                    "module.w.module.inner.aws_db_instance.this".to_string(),
                ]
            ),
        ])
    );
}
