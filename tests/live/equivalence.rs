//! Against moto seeded from a plan fixture, the live findings equal the plan findings for
//! every rule the live source covers.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cbaudit::engine;
use cbaudit::policy::Policy;
use cbaudit::rules::{Rule, RULES};
use cbaudit::source::live::{scan_async, LiveOptions, LiveScan, Recorder};

use super::harness::{self, Moto, REGION};
use super::proxy::{Faults, Proxy};
use super::seed::{seed_all, Seeder};

pub type Key = (String, String, String);

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The rules the live source covers; `CBAUDIT_LIVE_RULES=ID,ID` names others instead
/// (while a reader is being written).
pub fn covered() -> Vec<&'static Rule> {
    if let Ok(only) = std::env::var("CBAUDIT_LIVE_RULES") {
        let only: Vec<&str> = only.split(',').map(str::trim).collect();
        return RULES
            .iter()
            .copied()
            .filter(|r| only.contains(&r.id))
            .collect();
    }
    // Every rule runs on live accounts.
    RULES.to_vec()
}

pub fn options(endpoint: &str) -> LiveOptions {
    LiveOptions {
        regions: vec![REGION.to_string()],
        endpoint_url: Some(endpoint.to_string()),
        concurrency: 4,
        timeout: Duration::from_secs(120),
        call_timeout: Duration::from_secs(30),
        ..LiveOptions::default()
    }
}

/// Starts moto and seeds it from `fixtures/<name>/plan.json`.
pub async fn seeded(name: &str) -> (Moto, Seeder) {
    let moto = Moto::start();
    let mut seeder = Seeder::new(moto.sdk().await, &fixture(name));
    seed_all(&mut seeder).await;
    (moto, seeder)
}

/// Scans moto through the proxy without faults (it mends moto's known deviations from
/// the AWS wire format; see `proxy::mend`).
pub async fn live_scan(moto: &Moto) -> LiveScan {
    harness::set_scan_env();
    let proxy = Proxy::start(moto.port, Faults::none(), 1).await;
    scan_async(&options(&proxy.endpoint()), Recorder::default())
        .await
        .expect("the live scan runs")
}

fn key(rule: &str, address: Option<&str>, subject: &str, outcome: &str) -> Key {
    (
        rule.to_string(),
        address.unwrap_or(unregioned(subject)).to_string(),
        outcome.to_string(),
    )
}

/// A missing finding's subject without its region (`GuardDuty detector in eu-west-1` →
/// `GuardDuty detector`): the seeder puts a plan of any region into moto's one region.
fn unregioned(subject: &str) -> &str {
    match subject.rsplit_once(" in ") {
        Some((head, region))
            if region.split('-').count() >= 3
                && region.ends_with(|c: char| c.is_ascii_digit())
                && region
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') =>
        {
            head
        }
        _ => subject,
    }
}

/// The policy a live scan of fixture `name` runs with: the embedded one, whose `[scope]`
/// (tag `Project = clever-better`, names `*clever-better*`) covers the clever-better
/// fixtures; the first independent author named the architecture `cb-prod`, and live its
/// alarms' and ECS services' tags are not read, so its team's scope names that prefix too.
pub fn live_policy(name: &str) -> Policy {
    let text = if name.starts_with("independent/") {
        cbaudit::policy::DEFAULT_POLICY.replace(
            "names = [\"*clever-better*\"]",
            "names = [\"*clever-better*\", \"*cb-prod*\"]",
        )
    } else {
        cbaudit::policy::DEFAULT_POLICY.to_string()
    };
    Policy::parse("live-policy.toml", &text).expect("valid policy")
}

pub fn plan_findings(seeder: &Seeder, rules: &[&'static Rule]) -> BTreeSet<Key> {
    let policy = Policy::default_policy();
    engine::run(&seeder.plan, &policy, rules)
        .findings
        .iter()
        .map(|f| {
            key(
                f.rule.id,
                f.resource.as_deref(),
                &f.subject,
                f.outcome.as_str(),
            )
        })
        .collect()
}

/// Live findings, each live address replaced by the plan address it was seeded from.
pub fn live_findings(seeder: &Seeder, scan: &LiveScan, rules: &[&'static Rule]) -> BTreeSet<Key> {
    live_findings_with(seeder, scan, rules, &Policy::default_policy())
}

pub fn live_findings_with(
    seeder: &Seeder,
    scan: &LiveScan,
    rules: &[&'static Rule],
    policy: &Policy,
) -> BTreeSet<Key> {
    let mut out = BTreeSet::new();
    for inv in &scan.inventories {
        for f in engine::run(inv, policy, rules).findings {
            let address = f
                .resource
                .as_deref()
                .map(|a| seeder.owner(a).unwrap_or(a).to_string());
            out.insert(key(
                f.rule.id,
                address.as_deref(),
                &f.subject,
                f.outcome.as_str(),
            ));
        }
    }
    out
}

/// Plan and live findings of `rules` (live under `policy`), each without the rule ×
/// resource pairs the seeder could not mirror in moto (it says so): those are left out on
/// both sides.
pub fn mirrored_findings(
    seeder: &Seeder,
    scan: &LiveScan,
    rules: &[&'static Rule],
    policy: &Policy,
) -> (BTreeSet<Key>, BTreeSet<Key>) {
    let mirrored = |(rule, address, _): &Key| {
        !seeder
            .deviations
            .iter()
            .any(|(r, a, _)| r == rule && a == address)
    };
    let mut plan = plan_findings(seeder, rules);
    plan.retain(mirrored);
    let mut live = live_findings_with(seeder, scan, rules, policy);
    live.retain(mirrored);
    (plan, live)
}

fn diff(plan: &BTreeSet<Key>, live: &BTreeSet<Key>) -> String {
    let mut s = String::new();
    for k in plan.difference(live) {
        s.push_str(&format!("  only in plan: {k:?}\n"));
    }
    for k in live.difference(plan) {
        s.push_str(&format!("  only live:    {k:?}\n"));
    }
    s
}

async fn assert_equal(name: &str) -> (BTreeSet<Key>, LiveScan) {
    let rules = covered();
    assert!(!rules.is_empty(), "no rule claims the live source");
    let (moto, seeder) = seeded(name).await;
    let scan = live_scan(&moto).await;
    let policy = live_policy(name);
    let (plan, live) = mirrored_findings(&seeder, &scan, &rules, &policy);
    if plan != live {
        // The messages of the differing live findings, to tell why.
        let mut why = String::new();
        for inv in &scan.inventories {
            for f in engine::run(inv, &policy, &rules).findings {
                let address = f
                    .resource
                    .as_deref()
                    .map(|a| seeder.owner(a).unwrap_or(a).to_string());
                let k = key(
                    f.rule.id,
                    address.as_deref(),
                    &f.subject,
                    f.outcome.as_str(),
                );
                if !plan.contains(&k) {
                    why.push_str(&format!("  live {}: {}\n", f.rule.id, f.message));
                }
            }
        }
        panic!(
            "{name}: live findings differ from plan findings over {} rules:\n{}{why}",
            rules.len(),
            diff(&plan, &live)
        );
    }
    (live, scan)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn violating_live_findings_equal_plan_findings() {
    let (live, scan) = assert_equal("clever-better/violating").await;
    assert!(
        !live.is_empty(),
        "the violating architecture has findings live"
    );
    assert!(
        scan.missing_permissions.is_empty(),
        "{:?}",
        scan.missing_permissions
    );
    eprintln!(
        "violating: {} findings, {} API calls ({} attempts) in {:?}",
        live.len(),
        scan.calls.calls(),
        scan.calls.attempts(),
        scan.elapsed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compliant_live_scan_has_no_findings() {
    let (live, _) = assert_equal("clever-better/compliant").await;
    assert!(
        live.is_empty(),
        "compliant architecture, live findings: {live:?}"
    );
}

// Architectures written from the document by other authors, and the rules without a
// finding in the clever-better fixtures: the live source is not fitted to one layout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn independent_architectures_live_equal_plan() {
    for name in [
        "independent/compliant",
        "independent/violating",
        "independent-b/compliant",
        "independent-b/violating",
        "rules/CB-NET-001/fail",
        "rules/CB-S3-001/fail",
    ] {
        let (live, scan) = assert_equal(name).await;
        eprintln!(
            "{name}: {} findings, {} API calls",
            live.len(),
            scan.calls.calls()
        );
    }
}
