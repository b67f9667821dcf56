//! Metamorphic tests over the fixture plans: change one attribute of one resource in a way
//! whose right answer is known, scan again, and compare.
//!
//! 1. **Unknown never passes.** Turning an attribute into "known after apply" never turns a
//!    failing rule into a pass: every failure stays a failure or an unknown, or its rule
//!    reports an unknown somewhere.
//! 2. **Null is the AWS default.** For every row of `cbaudit::model::defaults::DEFAULTS` with
//!    one literal value, a resource with the attribute null (not set) gets exactly the
//!    verdicts it gets with the attribute set to that value.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use cbaudit::engine;
use cbaudit::model::defaults::DEFAULTS;
use cbaudit::policy::Policy;

type Key = (String, String, &'static str);

fn plans() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                if p.file_name()
                    .is_some_and(|n| n != "bad-input" && n != "aggregator")
                {
                    walk(&p, out);
                }
            } else if p.file_name().is_some_and(|n| n == "plan.json") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
        &mut out,
    );
    out.sort();
    assert!(out.len() > 50, "fixture plans not found");
    out
}

fn policy(plan: &Path) -> Policy {
    let path = plan.with_file_name("policy.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => Policy::parse(&path.display().to_string(), &text).expect("fixture policy"),
        Err(_) => Policy::default_policy(),
    }
}

/// Scans a plan given as JSON, away from any configuration directory, with the rules named
/// (all when empty).
fn scan(plan: &Value, policy: &Policy, select: &[String]) -> BTreeSet<Key> {
    let bytes = serde_json::to_vec(plan).expect("plan serializes");
    let mut inv = cbaudit::model::Inventory::new();
    cbaudit::source::load_bytes("plan.json", &bytes, &mut inv).expect("mutated plan loads");
    let rules = engine::select_rules(policy, select, &[]).expect("rules");
    engine::run(&inv, policy, &rules)
        .findings
        .iter()
        .map(common::finding_key)
        .collect()
}

/// Runs `f` over the plans on every core; adds up mutations checked and errors.
fn parallel(
    plans: &[PathBuf],
    f: impl Fn(&Path) -> (usize, Vec<String>) + Sync,
) -> (usize, Vec<String>) {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let results: Vec<(usize, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = (0, Vec::new());
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(path) = plans.get(i) else { break };
                        let (n, errors) = f(path);
                        out.0 += n;
                        out.1.extend(errors);
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker"))
            .collect()
    });
    let mut errors: Vec<String> = results.iter().flat_map(|r| r.1.clone()).collect();
    errors.sort();
    (results.iter().map(|r| r.0).sum(), errors)
}

fn changes(plan: &mut Value) -> Vec<&mut Value> {
    match plan.get_mut("resource_changes") {
        Some(Value::Array(items)) => items.iter_mut().collect(),
        _ => Vec::new(),
    }
}

#[test]
fn an_unknown_attribute_never_turns_a_failure_into_a_pass() {
    // The per-rule failing fixtures: small plans, each failing its rule.
    let fixtures: Vec<PathBuf> = plans()
        .into_iter()
        .filter(|p| p.parent().is_some_and(|d| d.ends_with("fail")))
        .collect();
    let (checked, errors) = parallel(&fixtures, |path| {
        let mut checked = 0;
        let mut errors = Vec::new();
        let policy = policy(path);
        let mut plan: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        // Without the configuration section, an unknown is an unknown (nothing says the
        // configuration left it null).
        plan.as_object_mut().unwrap().remove("configuration");
        let base = scan(&plan, &policy, &[]);
        let fails: Vec<&Key> = base.iter().filter(|k| k.2 == "fail").collect();
        if fails.is_empty() {
            return (0, errors);
        }
        let mut select: Vec<String> = fails.iter().map(|k| k.0.clone()).collect();
        select.dedup();
        // Failures and unknowns per rule: a failure may move to another subject (the
        // repository instead of its lifecycle policy), never vanish.
        let flagged = |set: &BTreeSet<Key>, rule: &str| {
            set.iter().filter(|k| k.0 == rule && k.2 != "pass").count()
        };
        let n = changes(&mut plan).len();
        for i in 0..n {
            let keys: Vec<String> = match changes(&mut plan)[i].pointer("/change/after") {
                Some(Value::Object(m)) => m
                    .iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, _)| k.clone())
                    .collect(),
                _ => continue,
            };
            for key in keys {
                let mut mutated = plan.clone();
                let change = &mut changes(&mut mutated)[i];
                let address = change["address"].as_str().unwrap_or_default().to_string();
                change["change"]["after"]
                    .as_object_mut()
                    .unwrap()
                    .remove(&key);
                if !change["change"]["after_unknown"].is_object() {
                    change["change"]["after_unknown"] = Value::Object(Default::default());
                }
                change["change"]["after_unknown"][&key] = Value::Bool(true);
                let got = scan(&mutated, &policy, &select);
                checked += 1;
                for (rule, resource, _) in &fails {
                    let still = got.contains(&(rule.clone(), resource.clone(), "fail"))
                        || got.contains(&(rule.clone(), resource.clone(), "unknown"))
                        || got.iter().any(|k| &k.0 == rule && k.2 == "unknown")
                        || flagged(&got, rule) >= flagged(&base, rule);
                    if !still {
                        errors.push(format!(
                            "{}: {address}.{key} unknown turned {rule} on {resource} into a pass",
                            path.display()
                        ));
                    }
                }
            }
        }
        (checked, errors)
    });
    eprintln!("{checked} attributes made unknown");
    assert!(checked > 500, "only {checked} mutations");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// Sets `path` (`a` or `block.a`) of a planned value; a nested block is its first element.
fn set(after: &mut Value, path: &str, value: Value) -> bool {
    let mut parts = path.split('.').peekable();
    let mut node = after;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            return match node {
                Value::Object(m) => {
                    m.insert(part.to_string(), value);
                    true
                }
                _ => false,
            };
        }
        let child = match node.get_mut(part) {
            Some(c) => c,
            None => return false,
        };
        node = match child {
            Value::Array(items) => match items.first_mut() {
                Some(first) => first,
                None => return false,
            },
            v @ Value::Object(_) => v,
            _ => return false,
        };
    }
    false
}

/// Clears "known after apply" and the configuration of `path`, so that the attribute is
/// simply what `after` says.
fn settle(change: &mut Value, path: &str) {
    let top = path.split('.').next().unwrap_or(path);
    if let Some(Value::Object(u)) = change.pointer_mut("/change/after_unknown") {
        u.remove(top);
    }
}

#[test]
fn a_null_attribute_gets_the_verdict_of_the_aws_default() {
    let (checked, errors) = parallel(&plans(), |path| {
        let mut checked = 0;
        let mut errors = Vec::new();
        let policy = policy(path);
        let mut plan: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        plan.as_object_mut().unwrap().remove("configuration");
        let n = changes(&mut plan).len();
        // In the large architecture plans, the first resource of each type is enough.
        let mut types_seen = BTreeSet::new();
        for i in 0..n {
            let rtype = changes(&mut plan)[i]["type"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if n > 40 && !types_seen.insert(rtype.clone()) {
                continue;
            }
            if changes(&mut plan)[i]
                .pointer("/change/after")
                .is_none_or(Value::is_null)
            {
                continue;
            }
            for d in DEFAULTS.iter().filter(|d| d.resource == rtype) {
                let Some(literal) = d.value else { continue };
                let default: Value = serde_json::from_str(literal).unwrap();
                let mut with_default = plan.clone();
                let mut with_null = plan.clone();
                let ok = {
                    let c = &mut changes(&mut with_default)[i];
                    settle(c, d.attribute);
                    set(&mut c["change"]["after"], d.attribute, default)
                } && {
                    let c = &mut changes(&mut with_null)[i];
                    settle(c, d.attribute);
                    set(&mut c["change"]["after"], d.attribute, Value::Null)
                };
                if !ok {
                    continue;
                }
                let (a, b) = (
                    scan(&with_default, &policy, &[]),
                    scan(&with_null, &policy, &[]),
                );
                checked += 1;
                if a != b {
                    let address = changes(&mut plan)[i]["address"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    errors.push(format!(
                        "{}: {address}.{} null gives {:?}, its default {literal} gives {:?}",
                        path.display(),
                        d.attribute,
                        b.difference(&a).collect::<Vec<_>>(),
                        a.difference(&b).collect::<Vec<_>>(),
                    ));
                }
            }
        }
        (checked, errors)
    });
    eprintln!("{checked} attributes set to null and to their default");
    assert!(checked > 100, "only {checked} mutations");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
