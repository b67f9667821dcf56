//! The machine formats against their specifications, waived findings included: SARIF
//! validated against the SARIF 2.1.0 JSON schema shipped in `tests/data/`, GitLab code
//! quality against GitLab's documented format, JSON, JUnit and GitHub annotations against
//! what they promise about waivers, and the human summary.

mod waived;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use assert_cmd::Command;
use cbaudit::engine::Report;
use cbaudit::report::{self, Format, HumanOptions};
use serde_json::Value;

const SCHEMA: &str = "tests/data/sarif-schema-2.1.0.json";
/// The schema's own `id`: where the validator files it (nothing is fetched).
const SCHEMA_ID: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn cbaudit() -> Command {
    let mut cmd = Command::cargo_bin("cbaudit").expect("binary");
    cmd.env("NO_COLOR", "1").current_dir(root());
    cmd
}

/// The SARIF 2.1.0 schema, compiled (draft-04, formats asserted).
struct SarifSchema {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl SarifSchema {
    fn load() -> SarifSchema {
        let text = std::fs::read_to_string(root().join(SCHEMA)).expect("schema file");
        let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
        assert_eq!(schema["id"], SCHEMA_ID);
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler.enable_format_assertions();
        compiler
            .add_resource(SCHEMA_ID, schema)
            .expect("schema added");
        let index = compiler
            .compile(SCHEMA_ID, &mut schemas)
            .expect("the SARIF schema compiles");
        SarifSchema { schemas, index }
    }

    fn validate(&self, doc: &Value) -> Result<(), String> {
        self.schemas
            .validate(doc, self.index)
            .map_err(|e| format!("{e:#}"))
    }
}

fn human(show_waived: bool, quiet: bool) -> HumanOptions {
    HumanOptions {
        color: false,
        quiet,
        width: Some(100),
        show_waived,
    }
}

fn render(report: &Report, format: Format) -> String {
    report::render(report, format, &human(false, false))
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// A baseline file holding the CB-SG-* findings of the violating plan and one entry fixed
/// since, written by `--write-baseline` and cut down.
fn baseline_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("cbaudit.baseline.json");
    cbaudit()
        .args(["scan", waived::VIOLATING, "--fail-on", "never", "--quiet"])
        .arg("--write-baseline")
        .arg(&path)
        .assert()
        .code(0);
    let mut doc = json(&std::fs::read_to_string(&path).expect("baseline"));
    let entries = doc["findings"].as_array_mut().expect("findings");
    entries.retain(|e| {
        e["rule_id"]
            .as_str()
            .is_some_and(|r| r.starts_with("CB-SG-"))
    });
    assert!(!entries.is_empty());
    entries.push(serde_json::json!({
        "rule_id": "CB-S3-001",
        "subject": "aws_s3_bucket.logs",
        "fingerprint": waived::FIXED_FINGERPRINT,
        "outcome": "fail",
        "message": "aws_s3_bucket.logs: versioning is disabled",
    }));
    std::fs::write(&path, serde_json::to_string_pretty(&doc).expect("json")).expect("write");
    path
}

/// `cbaudit scan` of the violating plan with `tests/data/waivers.toml` and a baseline, on
/// 2027-01-15, in `format`. Exit 1: findings remain.
fn scan_waived(format: &str, dir: &Path) -> String {
    let baseline = baseline_file(dir);
    let out = cbaudit()
        .args(["scan", waived::VIOLATING, "--format", format])
        .args(["--waivers", waived::WAIVERS, "--today", waived::TODAY])
        .arg("--baseline")
        .arg(&baseline)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).expect("utf-8")
}

fn results(sarif: &Value) -> &Vec<Value> {
    sarif["runs"][0]["results"].as_array().expect("results")
}

/// Each result's `ruleIndex` points at the descriptor of its `ruleId`.
fn assert_rule_indexes(sarif: &Value) {
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    for r in results(sarif) {
        let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "{r}");
    }
}

/// The suppression kinds of the results, by rule.
fn suppressions_by_rule(sarif: &Value) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for r in results(sarif) {
        if let Some(s) = r.get("suppressions") {
            let s = s.as_array().expect("array");
            assert_eq!(s.len(), 1, "{r}");
            out.entry(r["ruleId"].as_str().expect("id").to_string())
                .or_default()
                .push(s[0].clone());
        }
    }
    out
}

#[test]
fn sarif_of_a_cli_scan_with_policy_waivers_and_a_baseline_is_valid_sarif() {
    let schema = SarifSchema::load();
    let dir = tempfile::tempdir().expect("tempdir");
    let sarif = json(&scan_waived("sarif", dir.path()));
    schema.validate(&sarif).expect("valid SARIF 2.1.0");
    assert_rule_indexes(&sarif);

    let by_rule = suppressions_by_rule(&sarif);
    let rds2 = &by_rule["CB-RDS-002"][0];
    assert_eq!(rds2["kind"], "external");
    assert_eq!(rds2["status"], "accepted");
    assert_eq!(
        rds2["justification"],
        "staging: single-AZ until the March migration (until 2027-02-01, owner platform, ticket OPS-42)"
    );
    assert_eq!(
        rds2["location"]["physicalLocation"]["artifactLocation"]["uri"],
        waived::WAIVERS
    );
    assert_eq!(by_rule["CB-ECR-001"].len(), 2);
    for s in by_rule.iter().filter(|(r, _)| r.starts_with("CB-SG-")) {
        for s in s.1 {
            assert_eq!(s["kind"], "external");
            assert_eq!(s["properties"]["cbaudit/kind"], "baseline");
            assert_eq!(s["justification"], "in the baseline");
        }
    }
    // The expired waiver: a failure again, not suppressed.
    let tls1: Vec<&Value> = results(&sarif)
        .iter()
        .filter(|r| r["ruleId"] == "CB-TLS-001")
        .collect();
    assert_eq!(tls1.len(), 1);
    assert!(tls1[0].get("suppressions").is_none());
    assert_eq!(tls1[0]["level"], "error");
    let text = tls1[0]["message"]["text"].as_str().expect("text");
    assert!(text.contains("expired on 2027-01-01"), "{text}");
    // The unused waiver is a result of CB-WVR-002, whose rule is described.
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert!(rules.iter().any(|r| r["id"] == "CB-WVR-002"));
    assert!(results(&sarif).iter().any(|r| r["ruleId"] == "CB-WVR-002"));
}

#[test]
fn sarif_with_inline_policy_and_baseline_suppressions_is_valid_sarif() {
    let schema = SarifSchema::load();
    let report = waived::report();
    let sarif = json(&render(&report, Format::Sarif));
    schema.validate(&sarif).expect("valid SARIF 2.1.0");
    assert_rule_indexes(&sarif);
    let by_rule = suppressions_by_rule(&sarif);
    let kinds: HashSet<&str> = by_rule
        .values()
        .flatten()
        .map(|s| s["properties"]["cbaudit/kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, HashSet::from(["inline", "policy", "baseline"]));
    for inline in &by_rule["CB-RDS-004"] {
        assert_eq!(inline["kind"], "inSource");
        assert_eq!(
            inline["location"]["physicalLocation"]["artifactLocation"]["uri"],
            "fixtures/clever-better/violating/rds.tf"
        );
        assert_eq!(
            inline["location"]["physicalLocation"]["region"]["startLine"],
            88
        );
    }
    let suppressed = results(&sarif)
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .count();
    assert_eq!(suppressed, report.summary.waived_findings);
    assert_eq!(
        suppressed,
        report.findings.iter().filter(|f| !f.is_active()).count()
    );
}

/// The validator is not a rubber stamp: documents SARIF forbids fail.
#[test]
fn the_schema_check_rejects_broken_sarif() {
    let schema = SarifSchema::load();
    let good = json(&render(&waived::report(), Format::Sarif));
    schema.validate(&good).expect("valid");
    let first_suppressed = results(&good)
        .iter()
        .position(|r| r.get("suppressions").is_some())
        .expect("a suppressed result");

    let mut bad_kind = good.clone();
    bad_kind["runs"][0]["results"][first_suppressed]["suppressions"][0]["kind"] =
        Value::from("waived");
    let err = schema.validate(&bad_kind).expect_err("kind is an enum");
    assert!(err.contains("suppressions"), "{err}");

    let mut bad_status = good.clone();
    bad_status["runs"][0]["results"][first_suppressed]["suppressions"][0]["status"] =
        Value::from("approved");
    schema.validate(&bad_status).expect_err("status is an enum");

    let mut no_kind = good.clone();
    no_kind["runs"][0]["results"][first_suppressed]["suppressions"][0]
        .as_object_mut()
        .expect("object")
        .remove("kind");
    schema.validate(&no_kind).expect_err("kind is required");

    let mut no_message = good.clone();
    no_message["runs"][0]["results"][0]
        .as_object_mut()
        .expect("object")
        .remove("message");
    schema
        .validate(&no_message)
        .expect_err("message is required");

    let mut bad_version = good;
    bad_version["version"] = Value::from("2.0.0");
    schema.validate(&bad_version).expect_err("version 2.1.0");
}

#[test]
fn json_carries_suppressions_expired_waivers_counts_and_fixed_entries() {
    let report = waived::report();
    let doc = json(&render(&report, Format::Json));
    assert_eq!(doc["schema_version"], 1);
    let findings = doc["findings"].as_array().expect("findings");
    let rds2 = findings
        .iter()
        .find(|f| f["rule_id"] == "CB-RDS-002")
        .expect("CB-RDS-002");
    assert_eq!(
        rds2["suppression"],
        serde_json::json!({
            "kind": "policy",
            "reason": "staging: single-AZ until the March migration",
            "until": "2027-02-01",
            "owner": "platform",
            "ticket": "OPS-42",
            "location": {"path": waived::WAIVERS, "line": 5, "column": 1},
        })
    );
    let inline: Vec<&Value> = findings
        .iter()
        .filter(|f| f["suppression"]["kind"] == "inline")
        .collect();
    assert_eq!(inline.len(), 2, "both CB-RDS-004 findings");
    assert_eq!(
        inline[0]["suppression"]["location"],
        serde_json::json!({"path": "fixtures/clever-better/violating/rds.tf", "line": 88, "column": 1})
    );
    assert!(inline[0]["suppression"].get("ticket").is_none());
    let ecr = findings
        .iter()
        .find(|f| f["rule_id"] == "CB-ECR-001")
        .expect("CB-ECR-001");
    assert!(ecr["suppression"].get("owner").is_none());
    let baseline = findings
        .iter()
        .find(|f| f["rule_id"] == "CB-SG-001")
        .expect("CB-SG-001");
    assert_eq!(baseline["suppression"]["kind"], "baseline");
    assert!(baseline["suppression"].get("until").is_none());
    assert_eq!(
        baseline["suppression"]["location"]["path"],
        "cbaudit.baseline.json"
    );

    let tls1 = findings
        .iter()
        .find(|f| f["rule_id"] == "CB-TLS-001")
        .expect("CB-TLS-001");
    assert!(tls1.get("suppression").is_none());
    assert_eq!(tls1["expired_waiver"]["until"], "2027-01-01");
    assert_eq!(tls1["expired_waiver"]["owner"], "edge");
    assert_eq!(tls1["expired_waiver"]["kind"], "policy");
    // Findings without waivers carry neither field.
    let plain = findings
        .iter()
        .find(|f| f["rule_id"] == "CB-RDS-001")
        .expect("CB-RDS-001");
    assert!(plain.get("suppression").is_none() && plain.get("expired_waiver").is_none());

    let summary = &doc["summary"];
    let waived_findings = findings
        .iter()
        .filter(|f| f.get("suppression").is_some())
        .count();
    // 1 CB-RDS-002 + 2 CB-ECR-001 (policy), 2 CB-RDS-004 (inline), 5 CB-SG-* (baseline).
    assert_eq!(waived_findings, 10);
    assert_eq!(summary["waived_findings"], 10);
    assert_eq!(summary["expiring_soon"], 1, "CB-RDS-002 ends on 2027-02-01");
    assert_eq!(summary["expired"], 1);
    assert_eq!(summary["fixed"], 1);
    assert_eq!(
        doc["fixed"],
        serde_json::json!([{
            "rule_id": "CB-S3-001",
            "subject": "aws_s3_bucket.logs",
            "fingerprint": waived::FIXED_FINGERPRINT,
            "message": "aws_s3_bucket.logs: versioning is disabled",
        }])
    );
    // Without a baseline there is no `fixed` list at all.
    let cli = json(&cbaudit_stdout(&[
        "scan",
        waived::VIOLATING,
        "--format",
        "json",
    ]));
    assert!(cli.get("fixed").is_none());
}

fn cbaudit_stdout(args: &[&str]) -> String {
    let out = cbaudit().args(args).output().expect("runs");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn junit_skips_waived_findings_with_their_reason() {
    let report = waived::report();
    let xml = render(&report, Format::Junit);
    let case = |subject: &str, rule: &str| -> String {
        let start = xml
            .find(&format!(
                "<testcase classname=\"{rule}\" name=\"{}\">",
                subject.replace('"', "&quot;")
            ))
            .unwrap_or_else(|| panic!("{rule} {subject}"));
        let end = start + xml[start..].find("</testcase>").expect("end");
        xml[start..end].to_string()
    };
    let rds2 = case("aws_db_instance.timescale", "CB-RDS-002");
    assert!(
        rds2.contains("<skipped message=\"waived (policy): staging: single-AZ until the March migration (until 2027-02-01, owner platform, ticket OPS-42);"),
        "{rds2}"
    );
    assert!(!rds2.contains("<failure"), "{rds2}");
    let sg = case("aws_security_group_rule.app_ssh", "CB-SG-001");
    assert!(
        sg.contains("<skipped message=\"waived (baseline): in the baseline;"),
        "{sg}"
    );
    let tls1 = case("aws_lb_listener.http", "CB-TLS-001");
    assert!(tls1.contains("<failure"), "expired waiver fails: {tls1}");
    // The totals count only active failures.
    let active_fails = report
        .findings
        .iter()
        .filter(|f| f.is_active() && f.outcome == cbaudit::rules::Status::Fail)
        .count();
    assert!(
        xml.contains(&format!(
            "<testsuites name=\"cbaudit\" tests=\"{}\" failures=\"{active_fails}\">",
            report.rules.len()
        )),
        "{}",
        xml.lines().nth(1).unwrap_or("")
    );
    assert_eq!(xml.matches("<failure ").count(), active_fails);
    assert!(xml.contains(
        "<testsuite name=\"CB-RDS-002 rds-multi-az\" tests=\"1\" failures=\"0\" skipped=\"1\">"
    ));
}

#[test]
fn github_annotations_leave_out_waived_findings() {
    let report = waived::report();
    let out = render(&report, Format::Github);
    assert_eq!(
        out.lines().count(),
        report.findings.iter().filter(|f| f.is_active()).count()
    );
    for rule in ["CB-RDS-002", "CB-RDS-004", "CB-ECR-001", "CB-SG-001"] {
        assert!(!out.contains(&format!("title={rule} ")), "{rule}: {out}");
    }
    let tls1 = out
        .lines()
        .find(|l| l.contains("title=CB-TLS-001 "))
        .expect("expired waiver annotates");
    assert!(tls1.starts_with("::error "), "{tls1}");
    assert!(tls1.contains("expired on 2027-01-01"), "{tls1}");
}

#[test]
fn human_counts_waived_findings_and_lists_them_on_request() {
    let report = waived::report();
    let plain = report::render(&report, Format::Human, &human(false, false));
    assert!(
        plain.contains(
            "10 waived (2 inline, 3 policy, 5 baseline), 1 expires within 30 days; 1 waiver expired (failing again); --show-waived lists them"
        ),
        "{plain}"
    );
    assert!(
        plain.contains("1 finding fixed since the baseline"),
        "{plain}"
    );
    assert!(!plain.contains("Waived ("), "{plain}");
    assert!(!plain.contains("CB-RDS-002 rds-multi-az"), "{plain}");
    assert!(plain.contains("CB-TLS-001"), "the expired waiver's finding");

    let shown = report::render(&report, Format::Human, &human(true, false));
    assert!(
        shown.contains("Waived (10): accepted by waivers or the baseline"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "      policy waiver: \"staging: single-AZ until the March migration\", until 2027-02-01 (expires soon), owner platform, ticket OPS-42, at tests/data/waivers.toml:5:1"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("      inline waiver: \"the maintenance windows follow the trading calendar\", until 2027-03-31, owner data, at fixtures/clever-better/violating/rds.tf:88:1"),
        "{shown}"
    );
    assert!(!shown.contains("--show-waived lists them"), "{shown}");

    let quiet = report::render(&report, Format::Human, &human(true, true));
    for line in ["waived (", "fixed since the baseline", "Waived ("] {
        assert!(!quiet.contains(line), "{line}: {quiet}");
    }
}

/// What GitLab reads (its documentation, "Implement a custom tool"): an array of issues,
/// each with these keys and types.
fn assert_gitlab_format(text: &str) -> Vec<Value> {
    assert!(!text.starts_with('\u{feff}'), "no byte order mark");
    let doc = json(text);
    let issues = doc.as_array().expect("an array").clone();
    let mut fingerprints = HashSet::new();
    for i in &issues {
        let o = i.as_object().expect("an object");
        let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "check_name",
                "description",
                "fingerprint",
                "location",
                "severity"
            ],
            "{i}"
        );
        for k in ["check_name", "description", "fingerprint"] {
            assert!(!i[k].as_str().expect(k).is_empty(), "{i}");
        }
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&i["severity"].as_str().expect("severity")),
            "{i}"
        );
        let path = i["location"]["path"].as_str().expect("path");
        assert!(!path.is_empty() && !Path::new(path).is_absolute(), "{i}");
        assert!(
            root().join(path).is_file(),
            "{path} is a file of the repository"
        );
        assert!(i["location"]["lines"]["begin"].as_u64().expect("line") >= 1);
        assert!(
            fingerprints.insert(i["fingerprint"].as_str().expect("fp").to_string()),
            "fingerprints are unique: {i}"
        );
    }
    issues
}

#[test]
fn gitlab_code_quality_has_the_documented_shape_without_waived_findings() {
    let report = waived::report();
    let issues = assert_gitlab_format(&render(&report, Format::Gitlab));
    let active: Vec<_> = report.findings.iter().filter(|f| f.is_active()).collect();
    assert_eq!(issues.len(), active.len());
    let written: HashSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().expect("fp"))
        .collect();
    for f in report.findings.iter().filter(|f| !f.is_active()) {
        assert!(
            !written.contains(f.fingerprint.as_str()),
            "{} waived",
            f.rule.id
        );
    }
    let by_check =
        |rule: &str| -> Vec<&Value> { issues.iter().filter(|i| i["check_name"] == rule).collect() };
    assert!(by_check("CB-RDS-002").is_empty() && by_check("CB-SG-001").is_empty());
    // Severities mapped: critical → blocker, high → critical, medium → major, low → minor,
    // info → info.
    for (rule, severity) in [
        ("CB-RDS-001", "blocker"),
        ("CB-TLS-001", "critical"),
        ("CB-RDS-006", "major"),
        ("CB-RDS-007", "minor"),
        ("CB-RDS-008", "info"),
    ] {
        let i = by_check(rule);
        assert_eq!(i.len(), 1, "{rule}");
        assert_eq!(i[0]["severity"], severity, "{rule}");
    }
    let tls1 = by_check("CB-TLS-001")[0];
    assert!(tls1["description"]
        .as_str()
        .expect("text")
        .contains("expired on 2027-01-01"));
    assert_eq!(
        tls1["location"]["path"],
        "fixtures/clever-better/violating/alb.tf"
    );
    // Something missing has no place of its own: the first input, line 1.
    let log = by_check("CB-LOG-001");
    assert_eq!(log[0]["location"]["path"], waived::VIOLATING);
    assert_eq!(log[0]["location"]["lines"]["begin"], 1);
    // The unused waiver points at its entry in the waivers file.
    let unused = by_check("CB-WVR-002");
    assert_eq!(unused[0]["location"]["path"], waived::WAIVERS);
    assert_eq!(unused[0]["location"]["lines"]["begin"], 29);
}

#[test]
fn gitlab_code_quality_from_the_cli() {
    let dir = tempfile::tempdir().expect("tempdir");
    let issues = assert_gitlab_format(&scan_waived("gitlab", dir.path()));
    assert!(issues.iter().all(|i| i["check_name"] != "CB-RDS-002"));
    assert!(issues.iter().any(|i| i["check_name"] == "CB-TLS-001"));

    // An absolute input path: the paths GitLab gets are still relative to the repository.
    let absolute = root().join(waived::VIOLATING);
    let out = cbaudit()
        .args(["scan", "--format", "gitlab"])
        .arg(&absolute)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let issues = assert_gitlab_format(&String::from_utf8(out.stdout).expect("utf-8"));
    assert_eq!(issues.len(), 46);

    // Two stacks holding the same addresses: fingerprints stay unique.
    let out = cbaudit()
        .args(["scan", "--format", "gitlab", waived::VIOLATING])
        .arg(&absolute)
        .output()
        .expect("runs");
    let issues = assert_gitlab_format(&String::from_utf8(out.stdout).expect("utf-8"));
    assert_eq!(issues.len(), 92);
}

/// Unknowns appear as in the other machine formats (a GitHub notice, a SARIF note): at
/// severity `info`, saying they are unknown.
#[test]
fn gitlab_code_quality_reports_unknowns_as_info() {
    let out = cbaudit_stdout(&[
        "scan",
        "fixtures/plan-features/plan.json",
        "--format",
        "gitlab",
    ]);
    let issues = assert_gitlab_format(&out);
    let unknown: Vec<&Value> = issues
        .iter()
        .filter(|i| {
            i["description"]
                .as_str()
                .is_some_and(|d| d.contains("(unknown, "))
        })
        .collect();
    assert_eq!(unknown.len(), 2, "{out}");
    for i in unknown {
        assert_eq!(i["severity"], "info", "{i}");
    }
}
