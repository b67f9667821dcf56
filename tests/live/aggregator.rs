//! The aggregator source over the SDK's replay client (moto does not implement
//! `SelectAggregateResourceConfig`): two pages of configuration items from two accounts.

use std::collections::BTreeSet;

use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_runtime_api::shared::IntoShared;
use aws_smithy_types::body::SdkBody;
use cbaudit::engine;
use cbaudit::policy::Policy;
use cbaudit::rules::RULES;
use cbaudit::source::live::{scan_aggregator_async, LiveOptions, Recorder};

use super::harness;

const STS: &str = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:sts::999999999999:assumed-role/cbaudit-auditor/cbaudit</Arn>
    <UserId>AROAEXAMPLEID:cbaudit</UserId>
    <Account>999999999999</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#;

fn page(n: u32) -> String {
    std::fs::read_to_string(format!(
        "{}/fixtures/aggregator/page-{n}.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture page")
}

fn event(uri: &str, body: String, content_type: &str) -> ReplayEvent {
    ReplayEvent::new(
        http::Request::builder()
            .uri(uri)
            .body(SdkBody::from(""))
            .expect("request"),
        http::Response::builder()
            .status(200)
            .header("content-type", content_type)
            .body(SdkBody::from(body))
            .expect("response"),
    )
}

#[tokio::test]
async fn an_aggregator_is_reported_per_account() {
    harness::set_scan_env();
    let replay = StaticReplayClient::new(vec![
        event(
            "https://sts.eu-west-2.amazonaws.com/",
            STS.to_string(),
            "text/xml",
        ),
        event(
            "https://config.eu-west-2.amazonaws.com/",
            page(1),
            "application/x-amz-json-1.1",
        ),
        event(
            "https://config.eu-west-2.amazonaws.com/",
            page(2),
            "application/x-amz-json-1.1",
        ),
    ]);
    let opts = LiveOptions {
        regions: vec![harness::REGION.into()],
        http_client: Some(replay.clone().into_shared()),
        ..LiveOptions::default()
    };
    let scan = scan_aggregator_async(&opts, "org-aggregator", Recorder::default())
        .await
        .expect("the aggregator scan runs");

    // The query names the aggregator and pages with the token of the first answer.
    let requests: Vec<String> = replay
        .actual_requests()
        .map(|r| String::from_utf8_lossy(r.body().bytes().unwrap_or_default()).to_string())
        .collect();
    assert_eq!(requests.len(), 3, "identity and two pages");
    assert!(
        requests[1].contains(r#""ConfigurationAggregatorName":"org-aggregator""#),
        "{}",
        requests[1]
    );
    assert!(
        requests[1].contains("AWS::RDS::DBInstance"),
        "{}",
        requests[1]
    );
    assert!(!requests[1].contains("NextToken"));
    assert!(
        requests[2].contains(r#""NextToken":"eyJwYWdlIjoyfQ==""#),
        "{}",
        requests[2]
    );
    assert_eq!(
        scan.calls
            .actions
            .get("config:SelectAggregateResourceConfig")
            .map(|c| c.0),
        Some(2)
    );

    assert_eq!(scan.inventories.len(), 2, "one inventory per account");
    let policy = Policy::default_policy();
    let rules: Vec<_> = RULES.to_vec();
    let mut by_account = Vec::new();
    for inv in &scan.inventories {
        let report = engine::run(inv, &policy, &rules);
        let account = report.inputs[0].path.clone();
        let fails: BTreeSet<(String, String)> = report
            .findings
            .iter()
            .filter(|f| f.outcome == cbaudit::rules::Status::Fail)
            .map(|f| {
                (
                    f.rule.id.to_string(),
                    f.resource.clone().unwrap_or_default(),
                )
            })
            .collect();
        let unknown_rules: BTreeSet<&str> = report
            .findings
            .iter()
            .filter(|f| f.outcome == cbaudit::rules::Status::Unknown)
            .map(|f| f.rule.id)
            .collect();
        by_account.push((account, fails, unknown_rules, report));
    }
    by_account.sort_by(|a, b| a.0.cmp(&b.0));
    let (a, fails_a, unknown_a, report_a) = &by_account[0];
    let (b, fails_b, _, _) = &by_account[1];
    assert!(
        a.starts_with("aggregator:org-aggregator/111111111111/"),
        "{a}"
    );
    assert!(
        b.starts_with("aggregator:org-aggregator/222222222222/"),
        "{b}"
    );
    let r = "eu-west-2";
    let expected_a: BTreeSet<(String, String)> = [
        ("CB-RDS-001", format!("arn:aws:rds:{r}:111111111111:db:clever-better-timescale")),
        ("CB-SG-001", format!("arn:aws:ec2:{r}:111111111111:security-group/sg-01111app")),
        ("CB-LOG-002", format!("arn:aws:logs:{r}:111111111111:log-group:/ecs/clever-better-bot")),
        ("CB-TLS-002", format!("arn:aws:elasticloadbalancing:{r}:111111111111:listener/app/clever-better/0a1b2c3d4e5f6a7b/1a2b3c4d5e6f7a8b")),
        ("CB-S3-003", "arn:aws:s3:::clever-better-models-111111111111".to_string()),
        ("CB-NET-003", format!("arn:aws:ec2:{r}:111111111111:subnet/subnet-0111appa")),
        ("CB-NET-004", format!("arn:aws:ec2:{r}:111111111111:subnet/subnet-0111appb")),
    ]
    .into_iter()
    .map(|(r, a)| (r.to_string(), a))
    .collect();
    for e in &expected_a {
        assert!(
            fails_a.contains(e),
            "account A misses {e:?}; fails: {fails_a:#?}"
        );
    }
    // Account B is compliant, beside what a real account also holds (AWS's default VPC, its
    // subnets, gateway, main route table and default group; another team's VPC with two
    // subnets and a bucket): only the unused default VPC is reported, once, at low severity.
    let report_b = &by_account[1].3;
    let default_vpc = format!("arn:aws:ec2:{r}:222222222222:vpc/vpc-0222default");
    assert_eq!(
        fails_b,
        &BTreeSet::from([("CB-NET-006".to_string(), default_vpc.clone())]),
        "account B is compliant but for its default VPC"
    );
    let f = report_b
        .findings
        .iter()
        .find(|f| f.rule.id == "CB-NET-006")
        .expect("default VPC finding");
    assert_eq!(f.severity, cbaudit::rules::Severity::Low);
    assert!(
        f.message.contains("172.31.0.0/16") && f.message.contains("in eu-west-2"),
        "{}",
        f.message
    );
    // Left out of the architecture: default VPC 1 + 3 subnets + gateway + route table +
    // group = 7; the other team's VPC 1 + 2 subnets = 3; its bucket and its versioning = 2.
    assert_eq!(report_b.summary.out_of_scope, 12, "{:?}", report_b.summary);
    assert_eq!(
        report_a.summary.out_of_scope, 0,
        "account A holds only the architecture"
    );
    // Without [scope], the same items drown the audit in false findings.
    let mut unscoped = Policy::default_policy();
    unscoped.scope = None;
    let inv_b = scan
        .inventories
        .iter()
        .find(|i| i.account.as_deref() == Some("222222222222"))
        .expect("account B");
    let drowned = engine::run(inv_b, &unscoped, &rules);
    for rule in ["CB-NET-001", "CB-NET-002"] {
        assert!(
            drowned
                .findings
                .iter()
                .any(|f| f.rule.id == rule && f.outcome == cbaudit::rules::Status::Fail),
            "{rule} judges the other team's VPC without a scope"
        );
    }
    // A rule that does not read what AWS Config does not record never blames it (the rules
    // that do, formerly not claiming the aggregator source, are tested in
    // src/source/live/aggregator/mod.rs).
    let read_unrecorded: Vec<&str> = include_str!("../../fixtures/aggregator/reads-unrecorded.txt")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    for (_, _, _, report) in &by_account {
        for f in &report.findings {
            if !read_unrecorded.contains(&f.rule.id) {
                assert!(
                    !f.message.contains("not recorded by AWS Config"),
                    "{}: {}",
                    f.rule.id,
                    f.message
                );
            }
        }
    }
    // What AWS Config does not record is unknown, never a verdict.
    assert!(
        unknown_a.contains("CB-NET-005"),
        "flow logs are not recorded: {unknown_a:?}"
    );
    assert!(
        unknown_a.contains("CB-AUD-002"),
        "GuardDuty is not recorded: {unknown_a:?}"
    );
    // Findings carry account and region.
    let f = report_a
        .findings
        .iter()
        .find(|f| f.rule.id == "CB-RDS-001")
        .expect("RDS finding");
    assert_eq!(f.account.as_deref(), Some("111111111111"));
    assert_eq!(f.region.as_deref(), Some(r));
}
