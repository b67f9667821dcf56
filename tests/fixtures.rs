//! Fixture tests: each fixture's plan yields exactly the findings its `expected.json` lists
//! (rule, resource address or missing subject, outcome) and no others.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cbaudit::engine;
use cbaudit::policy::Policy;
use cbaudit::rules;

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
            let (rule, resource, outcome) = common::finding_key(f);
            (rule, resource, outcome.to_string())
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

/// An architecture written from the document alone by someone who had not seen the rules
/// or the other fixtures: no false positive on its compliant form, every seeded violation
/// (and its documented consequences) on the violating one.
#[test]
fn independently_written_architecture() {
    for author in ["independent", "independent-b"] {
        assert_fixture(&root().join(author).join("compliant"), None);
        assert_fixture(&root().join(author).join("violating"), None);
    }
}

/// A stack organised as teams do (network and database modules, tfvars, for_each over
/// maps, dynamic blocks): only the documented resources it does not hold are reported.
#[test]
fn team_organised_configuration() {
    assert_fixture(&root().join("team-modules"), None);
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

#[test]
fn plan_features_destroyed_resources_are_not_checked() {
    let dir = root().join("plan-features");
    let inv = cbaudit::source::load(&[dir.join("plan.json")]).expect("loads");
    assert!(
        inv.by_address("aws_db_instance.legacy").is_none(),
        "delete-only resources are skipped"
    );
    // The replaced log group is read with its new name, the updated one with its new value.
    assert!(inv.by_address("aws_cloudwatch_log_group.ml").is_some());
    let report = {
        let policy = Policy::default_policy();
        let rules = engine::select_rules(&policy, &[], &[]).expect("rules");
        engine::run(&inv, &policy, &rules)
    };
    assert!(report
        .findings
        .iter()
        .all(|f| f.resource.as_deref() != Some("aws_db_instance.legacy")));
    assert!(!report.findings.iter().any(|f| f.rule.id == "CB-LOG-002"
        && f.resource.as_deref() == Some("aws_cloudwatch_log_group.bot")));
}

#[test]
fn plan_features_known_ids_resolve_to_existing_groups() {
    use cbaudit::model::{SecurityGroup, SecurityGroupRule};
    let dir = root().join("plan-features");
    let inv = cbaudit::source::load(&[dir.join("plan.json")]).expect("loads");
    let rule = inv
        .all::<SecurityGroupRule>()
        .find(|r| r.address() == "aws_vpc_security_group_ingress_rule.db_from_app")
        .expect("rule");
    let groups = inv
        .resolve::<SecurityGroup>(&rule.group)
        .complete()
        .expect("resolves by id");
    assert_eq!(
        groups.iter().map(|g| g.address()).collect::<Vec<_>>(),
        vec!["aws_security_group.db"]
    );
}

#[test]
fn a_plan_without_resource_changes_is_read_from_planned_values_without_false_failures() {
    let dir = root().join("clever-better/compliant");
    let text = std::fs::read_to_string(dir.join("plan.json")).expect("plan");
    let mut plan: serde_json::Value = serde_json::from_str(&text).expect("json");
    plan.as_object_mut()
        .expect("object")
        .remove("resource_changes");
    // Next to the .tf files, as the original, so locals resolve the same way.
    let copy = dir.join("planned-values-only.test.json");
    std::fs::write(&copy, serde_json::to_string(&plan).expect("json")).expect("write");
    let findings = actual(&copy, None);
    let _ = std::fs::remove_file(&copy);
    let fails: Vec<_> = findings.iter().filter(|(_, _, o)| o == "fail").collect();
    assert!(
        fails.is_empty(),
        "planned_values omit unknowns; they must not become failures: {fails:#?}"
    );
    let inv_count = findings.len();
    assert!(
        inv_count < 20,
        "only what planned_values cannot tell is unknown: {findings:#?}"
    );
}

/// Away from its `.tf` files a plan cannot say which instances a filtered `for` keeps:
/// such references become unknown, never a false failure.
#[test]
fn a_plan_away_from_its_configuration_reports_unknowns_not_false_failures() {
    for fixture in [
        "team-modules",
        "clever-better/compliant",
        "independent/compliant",
    ] {
        let near = root().join(fixture).join("plan.json");
        let dir = tempfile::tempdir().expect("tempdir");
        let away = dir.path().join("plan.json");
        std::fs::copy(&near, &away).expect("copy");
        let fails = |set: BTreeSet<Key>| -> BTreeSet<Key> {
            set.into_iter().filter(|(_, _, o)| o == "fail").collect()
        };
        let near_fails = fails(actual(&near, None));
        let away_fails = fails(actual(&away, None));
        let extra: Vec<_> = away_fails.difference(&near_fails).collect();
        assert!(
            extra.is_empty(),
            "{fixture}: false failures away from the .tf files: {extra:#?}"
        );
    }
}
