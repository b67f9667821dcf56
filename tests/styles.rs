//! Style fixtures (`fixtures/styles/<class>/<project>/`): small Terraform projects written in
//! styles the architecture fixtures do not use, each planned with real Terraform. Every
//! project is scanned three ways and must give exactly its expected findings each way:
//!
//! - `beside`: the `plan.json` where it sits, next to its `.tf` files;
//! - `directory`: the `.tf` directory itself;
//! - `alone`: the `plan.json` copied into an empty directory.
//!
//! `expected.json` is an object:
//!
//! ```json
//! { "select": ["CB-TLS-002"],
//!   "findings": [
//!     { "rule_id": "CB-TLS-002", "resource": "aws_lb_listener.https", "outcome": "fail",
//!       "message": "TLS 1.0" },
//!     { "rule_id": "CB-RDS-002", "resource": "aws_db_instance.db", "outcome": "fail",
//!       "alone": { "outcome": "unknown", "message": "not in the plan" } }
//!   ] }
//! ```
//!
//! `select` names the rules run (IDs or names; all rules when absent). Each finding holds for
//! every way unless a way (`beside`, `directory`, `alone`) overrides its `outcome` and
//! `message` (a substring the finding's message must contain), or says `null` for "no
//! finding that way". `resource` is the address, or `"missing:<subject>"` for something
//! missing. A finding that is not listed fails the test, so a pass is asserted too.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cbaudit::engine;
use cbaudit::policy::Policy;

const WAYS: [&str; 3] = ["beside", "directory", "alone"];

#[derive(Debug, Clone, PartialEq)]
struct Want {
    outcome: String,
    message: Option<String>,
}

type Key = (String, String);

fn projects() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/styles");
    let mut out = Vec::new();
    let Ok(classes) = std::fs::read_dir(&root) else {
        return out;
    };
    for class in classes.filter_map(Result::ok) {
        let Ok(projects) = std::fs::read_dir(class.path()) else {
            continue;
        };
        for p in projects.filter_map(Result::ok) {
            if p.path().join("expected.json").is_file() {
                out.push(p.path());
            }
        }
    }
    out.sort();
    out
}

fn policy(dir: &Path) -> Policy {
    let path = dir.join("policy.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => Policy::parse(&path.display().to_string(), &text)
            .unwrap_or_else(|e| panic!("{}: {e:?}", path.display())),
        Err(_) => Policy::default_policy(),
    }
}

fn expected(dir: &Path) -> (Vec<String>, BTreeMap<&'static str, BTreeMap<Key, Want>>) {
    let path = dir.join("expected.json");
    let text = std::fs::read_to_string(&path).expect("expected.json");
    let doc: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let select = doc["select"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().expect("select: strings").to_string())
                .collect()
        })
        .unwrap_or_default();
    let mut per_way: BTreeMap<&'static str, BTreeMap<Key, Want>> = BTreeMap::new();
    for f in doc["findings"].as_array().expect("findings: an array") {
        let key = (
            f["rule_id"].as_str().expect("rule_id").to_string(),
            f["resource"].as_str().expect("resource").to_string(),
        );
        let base = Want {
            outcome: f["outcome"].as_str().unwrap_or("fail").to_string(),
            message: f["message"].as_str().map(str::to_string),
        };
        for way in WAYS {
            let want = match f.get(way) {
                None => Some(base.clone()),
                Some(serde_json::Value::Null) => None,
                Some(o) => Some(Want {
                    outcome: o["outcome"].as_str().unwrap_or(&base.outcome).to_string(),
                    message: o["message"]
                        .as_str()
                        .map(str::to_string)
                        .or_else(|| base.message.clone()),
                }),
            };
            if let Some(w) = want {
                per_way.entry(way).or_default().insert(key.clone(), w);
            }
        }
    }
    (select, per_way)
}

/// Scans one way; (rule, resource) → (outcome, message).
fn scan(input: &Path, policy: &Policy, select: &[String]) -> BTreeMap<Key, Vec<(String, String)>> {
    let inv =
        cbaudit::source::load(&[input]).unwrap_or_else(|e| panic!("{}: {e:?}", input.display()));
    let rules = engine::select_rules(policy, select, &[]).expect("rules");
    let report = engine::run(&inv, policy, &rules);
    let mut out: BTreeMap<Key, Vec<(String, String)>> = BTreeMap::new();
    for f in &report.findings {
        let (rule, resource, outcome) = common::finding_key(f);
        out.entry((rule, resource))
            .or_default()
            .push((outcome.to_string(), f.message.clone()));
    }
    out
}

fn compare(
    dir: &Path,
    way: &str,
    want: &BTreeMap<Key, Want>,
    got: &BTreeMap<Key, Vec<(String, String)>>,
) -> Vec<String> {
    let mut errors = Vec::new();
    for (key, w) in want {
        match got.get(key) {
            None => errors.push(format!(
                "{} [{way}]: missing {} {} ({})",
                dir.display(),
                key.0,
                key.1,
                w.outcome
            )),
            Some(found) => {
                let hit = found.iter().any(|(o, m)| {
                    o == &w.outcome && w.message.as_ref().is_none_or(|s| m.contains(s.as_str()))
                });
                if !hit {
                    errors.push(format!(
                        "{} [{way}]: {} {} expected {} {:?}, got {found:?}",
                        dir.display(),
                        key.0,
                        key.1,
                        w.outcome,
                        w.message
                    ));
                }
            }
        }
    }
    for (key, found) in got {
        if !want.contains_key(key) {
            errors.push(format!(
                "{} [{way}]: unexpected {} {}: {found:?}",
                dir.display(),
                key.0,
                key.1
            ));
        }
    }
    errors
}

#[test]
fn style_fixtures_give_their_findings_three_ways() {
    let projects = projects();
    assert!(!projects.is_empty(), "no project under fixtures/styles");
    let mut errors = Vec::new();
    for dir in &projects {
        let policy = policy(dir);
        let (select, per_way) = expected(dir);
        let empty = BTreeMap::new();
        let alone = tempfile::tempdir().expect("tempdir");
        std::fs::copy(dir.join("plan.json"), alone.path().join("plan.json"))
            .unwrap_or_else(|e| panic!("{}: plan.json: {e}", dir.display()));
        for way in WAYS {
            let input = match way {
                "beside" => dir.join("plan.json"),
                "directory" => dir.clone(),
                _ => alone.path().join("plan.json"),
            };
            let got = scan(&input, &policy, &select);
            errors.extend(compare(dir, way, per_way.get(way).unwrap_or(&empty), &got));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
