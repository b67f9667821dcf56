//! Source equivalence: for every fixture, the findings from the `.tf` directory and from its
//! `plan.json` are identical in (rule, resource address, outcome).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cbaudit::engine;
use cbaudit::policy::Policy;

type Key = (String, String, &'static str);

fn findings(input: &Path, policy: &Policy) -> Result<BTreeSet<Key>, String> {
    let inv = cbaudit::source::load(&[input]).map_err(|e| format!("{}: {e}", input.display()))?;
    let rules = engine::select_rules(policy, &[], &[]).expect("rules");
    let report = engine::run(&inv, policy, &rules);
    Ok(report.findings.iter().map(common::finding_key).collect())
}

/// Every fixture directory that holds both a configuration and its plan.
fn fixture_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut dirs = vec![
        root.join("clever-better/compliant"),
        root.join("clever-better/violating"),
        root.join("independent/compliant"),
        root.join("independent/violating"),
        root.join("independent-b/compliant"),
        root.join("independent-b/violating"),
        root.join("team-modules"),
    ];
    let mut rules: Vec<PathBuf> = std::fs::read_dir(root.join("rules"))
        .expect("fixtures/rules")
        .filter_map(Result::ok)
        .flat_map(|e| [e.path().join("pass"), e.path().join("fail")])
        .collect();
    rules.sort();
    dirs.extend(rules);
    dirs
}

#[test]
fn configuration_and_plan_give_the_same_findings() {
    let mut errors = Vec::new();
    for dir in fixture_dirs() {
        let policy_path = dir.join("policy.toml");
        let policy = match std::fs::read_to_string(&policy_path) {
            Ok(text) => Policy::parse(&policy_path.display().to_string(), &text).expect("policy"),
            Err(_) => Policy::default_policy(),
        };
        let from_plan = match findings(&dir.join("plan.json"), &policy) {
            Ok(f) => f,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let from_hcl = match findings(&dir, &policy) {
            Ok(f) => f,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if from_plan != from_hcl {
            let only_plan: Vec<_> = from_plan.difference(&from_hcl).collect();
            let only_hcl: Vec<_> = from_hcl.difference(&from_plan).collect();
            errors.push(format!(
                "{}:\n  only from the plan: {only_plan:?}\n  only from the .tf files: {only_hcl:?}",
                dir.display()
            ));
        }
    }
    assert!(
        errors.is_empty(),
        "{} fixtures differ:\n{}",
        errors.len(),
        errors.join("\n")
    );
}
