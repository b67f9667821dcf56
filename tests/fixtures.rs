//! Fixture tests: each fixture's plan yields exactly the findings its `expected.json` lists
//! (rule, resource address or missing subject, outcome) and no others.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cbaudit::engine;
use cbaudit::policy::Policy;
use cbaudit::rules::{self, Status};

type Key = (String, String, String);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn expected(dir: &Path) -> BTreeSet<Key> {
    let text = std::fs::read_to_string(dir.join("expected.json"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let items: Vec<serde_json::Value> = serde_json::from_str(&text).expect("expected.json parses");
    items
        .iter()
        .map(|f| {
            let resource = match f["resource"].as_str() {
                Some(r) => r.to_string(),
                None => format!("missing:{}", f["subject"].as_str().unwrap_or_default()),
            };
            (
                f["rule_id"].as_str().expect("rule_id").to_string(),
                resource,
                f["outcome"].as_str().unwrap_or("fail").to_string(),
            )
        })
        .collect()
}

fn actual(plan: &Path, only: Option<&str>) -> BTreeSet<Key> {
    let inv = cbaudit::source::load(&[plan]).unwrap_or_else(|e| panic!("{}: {e}", plan.display()));
    // A fixture may carry its own policy (e.g. one that requires SSE-KMS).
    let policy_path = plan.with_file_name("policy.toml");
    let policy = match std::fs::read_to_string(&policy_path) {
        Ok(text) => {
            Policy::parse(&policy_path.display().to_string(), &text).expect("fixture policy")
        }
        Err(_) => Policy::default_policy(),
    };
    let select: Vec<String> = only.map(|r| vec![r.to_string()]).unwrap_or_default();
    let rules = engine::select_rules(&policy, &select, &[]).expect("rules");
    let report = engine::run(&inv, &policy, &rules);
    report
        .findings
        .iter()
        .map(|f| {
            let resource = match &f.resource {
                Some(r) => r.clone(),
                None => format!("missing:{}", f.subject),
            };
            let outcome = match f.outcome {
                Status::Fail => "fail",
                Status::Unknown => "unknown",
                Status::Pass => "pass",
            };
            (f.rule.id.to_string(), resource, outcome.to_string())
        })
        .collect()
}

fn compare(dir: &Path, only: Option<&str>) -> Result<(), String> {
    let want = expected(dir);
    let got = actual(&dir.join("plan.json"), only);
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    if missing.is_empty() && extra.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}:\n  missing: {missing:#?}\n  unexpected: {extra:#?}",
            dir.display()
        ))
    }
}

fn assert_fixture(dir: &Path, only: Option<&str>) {
    if let Err(e) = compare(dir, only) {
        panic!("{e}");
    }
}

#[test]
fn compliant_architecture_has_no_findings() {
    let dir = root().join("clever-better/compliant");
    assert!(expected(&dir).is_empty());
    assert_fixture(&dir, None);
}

#[test]
fn violating_architecture_has_exactly_its_documented_findings() {
    let dir = root().join("clever-better/violating");
    let want = expected(&dir);
    assert!(
        want.len() >= 20,
        "the violating fixture documents at least 20 violations"
    );
    assert_fixture(&dir, None);
}

#[test]
fn every_rule_has_a_passing_and_a_failing_fixture() {
    let mut errors = Vec::new();
    for rule in rules::RULES {
        let dir = root().join("rules").join(rule.id);
        let pass = dir.join("pass");
        let fail = dir.join("fail");
        assert!(
            pass.join("plan.json").is_file(),
            "{}: no passing fixture",
            rule.id
        );
        assert!(
            fail.join("plan.json").is_file(),
            "{}: no failing fixture",
            rule.id
        );
        assert!(
            expected(&pass).is_empty(),
            "{}: pass fixture expects findings",
            rule.id
        );
        let fails = expected(&fail);
        assert!(
            fails
                .iter()
                .any(|(id, _, outcome)| id == rule.id && outcome == "fail"),
            "{}: the failing fixture expects no failure",
            rule.id
        );
        errors.extend(compare(&pass, Some(rule.id)).err());
        errors.extend(compare(&fail, Some(rule.id)).err());
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
