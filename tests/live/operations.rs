//! Every operation the live source issues (recorded by its SDK interceptor) is a read
//! operation listed in the least-privilege auditor policy, `docs/auditor-policy.json`.

use std::collections::BTreeSet;

use super::equivalence::{live_scan, seeded};

/// The actions the auditor policy allows.
pub fn auditor_actions() -> BTreeSet<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/auditor-policy.json");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("auditor policy"))
            .expect("JSON");
    let mut out = BTreeSet::new();
    for st in doc["Statement"].as_array().expect("statements") {
        assert_eq!(st["Effect"], "Allow", "the auditor policy only allows");
        for a in st["Action"].as_array().expect("action list") {
            out.insert(a.as_str().expect("action").to_string());
        }
    }
    out
}

/// Read-only by name: IAM's read verbs.
fn is_read(action: &str) -> bool {
    let op = action.split(':').nth(1).unwrap_or("");
    ["Describe", "Get", "List", "Select"]
        .iter()
        .any(|verb| op.starts_with(verb))
}

#[test]
fn the_auditor_policy_grants_reads_only() {
    for a in auditor_actions() {
        assert!(!a.contains('*'), "no wildcard: {a}");
        assert!(is_read(&a), "{a} is not a read operation");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_is_a_listed_read() {
    let (moto, _seeder) = seeded("clever-better/violating").await;
    let scan = live_scan(&moto).await;
    let allowed = auditor_actions();
    let issued: BTreeSet<&String> = scan.calls.actions.keys().collect();
    for action in &issued {
        assert!(
            is_read(action),
            "the live source issued {action}, not a read"
        );
        assert!(
            allowed.contains(*action),
            "the live source issued {action}, which docs/auditor-policy.json does not list"
        );
    }
    // Every service reader issued calls.
    for service in cbaudit::source::live::READERS.iter().map(|r| r.service) {
        assert!(
            issued.iter().any(|a| a.starts_with(&format!("{service}:"))),
            "no call to {service}: {issued:?}"
        );
    }
    eprintln!(
        "{} operations, {} calls: {issued:?}",
        issued.len(),
        scan.calls.calls()
    );
}

/// Regional services are read in every region, global ones (IAM, S3's bucket list) once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regions_each_once_globals_once() {
    let (moto, _seeder) = seeded("clever-better/compliant").await;
    super::harness::set_scan_env();
    let mut opts = super::equivalence::options(&moto.endpoint());
    opts.regions = vec![super::harness::REGION.into(), "us-east-1".into()];
    let scan = cbaudit::source::live::scan_async(&opts, cbaudit::source::live::Recorder::default())
        .await
        .expect("scan");
    let calls = |a: &str| scan.calls.actions.get(a).map_or(0, |c| c.0);
    assert_eq!(calls("ec2:DescribeVpcs"), 2, "{:?}", scan.calls.actions);
    assert_eq!(calls("rds:DescribeDBInstances"), 2);
    assert_eq!(calls("iam:ListRoles"), 1);
    assert_eq!(calls("s3:ListAllMyBuckets"), 1);
    let inputs: Vec<&str> = scan.inventories[0]
        .inputs
        .iter()
        .map(|i| i.path.as_str())
        .collect();
    assert_eq!(inputs.len(), 2, "{inputs:?}");
    // Resources carry the region they were read in: the seeded VPC is in the first one.
    let vpcs: Vec<_> = scan.inventories[0]
        .resources()
        .iter()
        .filter(|r| r.resource_type == "aws_vpc")
        .filter_map(|r| r.provenance.region.clone())
        .collect();
    assert!(vpcs.iter().all(|r| r == super::harness::REGION), "{vpcs:?}");
}
