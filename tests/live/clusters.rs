//! Aurora clusters and read replicas seeded into moto (`CreateDBCluster`,
//! `CreateDBInstanceReadReplica`) give the same database findings live as the plan they were
//! seeded from (the style fixtures `clusters/aurora-module` and
//! `replicas/same-and-cross-region`).

use std::collections::BTreeSet;

use cbaudit::rules::{Rule, RULES};

use super::equivalence::{live_policy, live_scan, mirrored_findings, seeded, Key};
use super::seed_database::DATABASE_RULES;

fn rules() -> Vec<&'static Rule> {
    RULES
        .iter()
        .copied()
        .filter(|r| DATABASE_RULES.contains(&r.id))
        .collect()
}

/// Plan and live database findings of fixture `name` (pairs moto cannot hold left out).
async fn both(name: &str) -> (BTreeSet<Key>, BTreeSet<Key>) {
    let rules = rules();
    let (moto, seeder) = seeded(name).await;
    let scan = live_scan(&moto).await;
    assert!(
        scan.missing_permissions.is_empty(),
        "{:?}",
        scan.missing_permissions
    );
    mirrored_findings(&seeder, &scan, &rules, &live_policy(name))
}

fn has(set: &BTreeSet<Key>, rule: &str, address: &str, outcome: &str) -> bool {
    set.contains(&(rule.into(), address.into(), outcome.into()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_clusters_give_the_plan_findings_live() {
    let (plan, live) = both("styles/clusters/aurora-module").await;
    assert_eq!(plan, live, "plan and live database findings differ");
    let scratch = r#"module.aurora["scratch"].aws_rds_cluster.this"#;
    for rule in ["CB-RDS-001", "CB-RDS-002", "CB-RDS-003"] {
        assert!(has(&live, rule, scratch, "fail"), "{rule}: {live:?}");
    }
    let member = r#"module.aurora["scratch"].aws_rds_cluster_instance.member["one"]"#;
    assert!(has(&live, "CB-RDS-005", member, "fail"), "{live:?}");
    let group = r#"module.aurora["scratch"].aws_rds_cluster_parameter_group.this"#;
    assert!(has(&live, "CB-TLS-003", group, "fail"), "{live:?}");
    let ledger = r#"module.aurora["ledger"].aws_rds_cluster.this"#;
    for rule in ["CB-RDS-001", "CB-RDS-002", "CB-RDS-003", "CB-RDS-005"] {
        assert!(!has(&live, rule, ledger, "fail"), "{rule}: {live:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_replicas_give_the_plan_findings_live() {
    let (plan, live) = both("styles/replicas/same-and-cross-region").await;
    assert_eq!(plan, live, "plan and live database findings differ");
    // The compliant primary's same-region replica has no finding; the legacy one takes its
    // source's unencrypted storage.
    assert!(
        !live
            .iter()
            .any(|(_, a, _)| a == "aws_db_instance.reader[0]"),
        "{live:?}"
    );
    let legacy = "aws_db_instance.legacy_reader";
    assert!(has(&live, "CB-RDS-001", legacy, "fail"), "{live:?}");
}
