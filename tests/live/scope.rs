//! A real account holds more than the architecture (issue 8, class 9): the compliant
//! architecture, seeded into moto beside AWS's default VPC (kept, as every account has it),
//! another team's VPC (10.50.0.0/16) with two subnets and a bucket, and the
//! `OrganizationAccountAccessRole` with `AdministratorAccess` that AWS Organizations creates
//! in member accounts. The policy's `[scope]` leaves the neighbours out: the only finding is
//! the unused default VPC (CB-NET-006, low), and the report counts what was left out.

use std::collections::BTreeMap;

use aws_config::Region;
use aws_sdk_ec2::types::Tag as Ec2Tag;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration, Tag, Tagging};
use cbaudit::engine;
use cbaudit::model::{Inventory, Kind, Origin};
use cbaudit::policy::Policy;
use cbaudit::report::{self, Format, HumanOptions};
use cbaudit::rules::{Severity, Status};

use super::equivalence::{covered, fixture, live_scan};
use super::harness::{Moto, REGION};
use super::seed::{seed_all, Seeder};

const OTHER_CIDR: &str = "10.50.0.0/16";
const OTHER_BUCKET: &str = "payments-team-ledger";
const ORG_ROLE: &str = "OrganizationAccountAccessRole";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

fn ec2_tag(k: &str, v: &str) -> Ec2Tag {
    Ec2Tag::builder().key(k).value(v).build()
}

/// The neighbours; returns the other team's VPC id.
async fn neighbours(s: &Seeder) -> String {
    let ec2 = aws_sdk_ec2::Client::new(&s.sdk);
    let vpc = ec2
        .create_vpc()
        .cidr_block(OTHER_CIDR)
        .send()
        .await
        .expect("CreateVpc");
    let vpc = vpc
        .vpc()
        .and_then(|v| v.vpc_id())
        .expect("vpc id")
        .to_string();
    ec2.create_tags()
        .resources(&vpc)
        .tags(ec2_tag("Team", "other"))
        .tags(ec2_tag("Name", "payments-vpc"))
        .send()
        .await
        .expect("CreateTags vpc");
    for (az, cidr) in [("a", "10.50.1.0/24"), ("b", "10.50.2.0/24")] {
        let subnet = ec2
            .create_subnet()
            .vpc_id(&vpc)
            .cidr_block(cidr)
            .availability_zone(format!("{REGION}{az}"))
            .send()
            .await
            .expect("CreateSubnet");
        let id = subnet
            .subnet()
            .and_then(|s| s.subnet_id())
            .expect("subnet id");
        ec2.create_tags()
            .resources(id)
            .tags(ec2_tag("Team", "other"))
            .tags(ec2_tag("Name", &format!("payments-{az}")))
            .send()
            .await
            .expect("CreateTags subnet");
    }

    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&s.sdk)
            .region(Region::new(REGION))
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket(OTHER_BUCKET)
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(REGION))
                .build(),
        )
        .send()
        .await
        .expect("CreateBucket");
    s3.put_bucket_tagging()
        .bucket(OTHER_BUCKET)
        .tagging(
            Tagging::builder()
                .tag_set(
                    Tag::builder()
                        .key("Team")
                        .value("other")
                        .build()
                        .expect("tag"),
                )
                .build()
                .expect("tagging"),
        )
        .send()
        .await
        .expect("PutBucketTagging");

    let iam = aws_sdk_iam::Client::new(&s.sdk);
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]}"#;
    iam.create_role()
        .role_name(ORG_ROLE)
        .assume_role_policy_document(trust)
        .send()
        .await
        .expect("CreateRole");
    iam.attach_role_policy()
        .role_name(ORG_ROLE)
        .policy_arn(ADMIN)
        .send()
        .await
        .expect("AttachRolePolicy");
    vpc
}

/// The out-of-scope resources of `inv` (after an engine run), by kind.
fn left_out(inv: &Inventory) -> BTreeMap<&'static str, Vec<String>> {
    let mut out: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for (id, r) in inv.resources().iter().enumerate() {
        if !inv.in_scope(id) {
            out.entry(r.body.kind().label())
                .or_default()
                .push(r.address().to_string());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_account_gives_only_the_default_vpc_finding() {
    let moto = Moto::start();
    let mut seeder = Seeder::new(moto.sdk().await, &fixture("clever-better/compliant"));
    seeder.keep_default_vpc = true;
    seed_all(&mut seeder).await;
    let other_vpc = neighbours(&seeder).await;
    let scan = live_scan(&moto).await;
    assert_eq!(scan.inventories.len(), 1);
    let inv = &scan.inventories[0];
    assert!(inv.inputs.iter().all(|i| i.kind == Origin::Live));

    let rules = covered();
    let policy = Policy::default_policy();
    let report = engine::run(inv, &policy, &rules);
    // Where the seeder could not mirror the plan in moto (it says so), that rule × resource
    // is left out, as in the equivalence tests.
    let mirrored = |f: &&engine::Finding| {
        let address = f.resource.as_deref().map(|a| seeder.owner(a).unwrap_or(a));
        !seeder
            .deviations
            .iter()
            .any(|(r, a, _)| r == f.rule.id && Some(a.as_str()) == address)
    };
    let kept: Vec<&engine::Finding> = report.findings.iter().filter(mirrored).collect();
    eprintln!("left out of scope: {:#?}", left_out(inv));
    let findings: Vec<String> = kept
        .iter()
        .map(|f| format!("{} {:?} {}: {}", f.rule.id, f.outcome, f.subject, f.message))
        .collect();
    assert_eq!(
        kept.len(),
        1,
        "only the default VPC is reported: {findings:#?}"
    );
    let f = kept[0];
    assert_eq!(
        (f.rule.id, f.outcome, f.severity),
        ("CB-NET-006", Status::Fail, Severity::Low)
    );
    let default_vpc = inv
        .by_address(f.resource.as_deref().expect("a resource"))
        .expect("in the inventory");
    assert_eq!(default_vpc.resource_type, "aws_default_vpc");
    assert_eq!(f.region.as_deref(), Some(REGION));

    // What was left out: the default VPC and its children, the other team's VPC and its
    // children, its bucket and the bucket's settings, the organization's role, its
    // attachment and the AWS managed policy attached; nothing the seeder made from the plan.
    let out = left_out(inv);
    let total: usize = out.values().map(Vec::len).sum();
    assert_eq!(report.summary.out_of_scope, total);
    for (kind, addresses) in &out {
        for a in addresses {
            assert!(
                seeder.owner(a).is_none(),
                "{kind} {a} was seeded from the plan, yet left out of scope"
            );
        }
    }
    let kinds: Vec<&str> = out.keys().copied().collect();
    assert_eq!(
        kinds,
        vec![
            "IAM policy",
            "IAM policy attachment",
            "IAM role",
            "S3 bucket",
            "VPC",
            "route table",
            "security group",
            "security group rule",
            "subnet",
        ],
        "{out:#?}"
    );
    // One main route table and one default security group per VPC; the role's one
    // attachment and the AWS managed policy it attaches (read with iam:GetPolicyVersion,
    // in scope only through what attaches it).
    for (kind, n) in [
        ("VPC", 2),
        ("route table", 2),
        ("security group", 2),
        ("IAM role", 1),
        ("IAM policy", 1),
        ("IAM policy attachment", 1),
        ("S3 bucket", 1),
    ] {
        assert_eq!(out[kind].len(), n, "{kind}: {:?}", out[kind]);
    }
    let vpcs = &out["VPC"];
    assert!(vpcs
        .iter()
        .any(|a| a.ends_with(&format!("vpc/{other_vpc}"))));
    assert!(out["IAM role"]
        .iter()
        .any(|a| a.ends_with(&format!("role/{ORG_ROLE}"))));
    assert!(out["S3 bucket"].iter().any(|a| a.ends_with(OTHER_BUCKET)));
    assert_eq!(out["IAM policy"], vec![ADMIN.to_string()]);
    // moto's default VPC has one default subnet per zone of the region; the other VPC two.
    let default_subnets = inv
        .resources()
        .iter()
        .filter(|r| r.resource_type == "aws_default_subnet")
        .count();
    assert!(default_subnets >= 2, "moto made default subnets");
    assert_eq!(
        out["subnet"].len(),
        default_subnets + 2,
        "{:?}",
        out["subnet"]
    );
    assert!(inv
        .resources()
        .iter()
        .enumerate()
        .filter(|(_, r)| r.body.kind() == Kind::Vpc)
        .any(|(id, r)| inv.in_scope(id) && r.resource_type == "aws_vpc"));

    // The human summary line and the JSON summary count them.
    let human = report::render(
        &report,
        Format::Human,
        &HumanOptions {
            color: false,
            quiet: false,
            width: None,
            show_waived: false,
        },
    );
    assert!(
        human.contains(&format!(
            "{total} resources outside the architecture's scope (policy [scope])"
        )),
        "{human}"
    );
    let json: serde_json::Value = serde_json::from_str(&report::render(
        &report,
        Format::Json,
        &HumanOptions::default(),
    ))
    .expect("JSON");
    assert_eq!(json["summary"]["out_of_scope"], total);

    // Without [scope] the same account drowns in false findings: the test is not vacuous.
    let mut unscoped = policy.clone();
    unscoped.scope = None;
    let drowned = engine::run(inv, &unscoped, &rules);
    let failed = |rule: &str, tail: &str| {
        drowned.findings.iter().any(|f| {
            f.rule.id == rule
                && f.outcome == Status::Fail
                && f.resource.as_deref().is_some_and(|r| r.contains(tail))
        })
    };
    assert!(
        failed("CB-NET-001", &format!("vpc/{other_vpc}")),
        "wrong CIDR"
    );
    assert!(
        failed("CB-NET-005", &format!("vpc/{other_vpc}")),
        "no flow logs"
    );
    assert!(
        failed("CB-IAM-002", &format!("role/{ORG_ROLE}")),
        "admin role"
    );
    assert_eq!(drowned.summary.out_of_scope, 0);
}
