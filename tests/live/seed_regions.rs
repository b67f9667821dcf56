//! Issue 9, class 7: what a live scan identifies and reads. Each test seeds moto directly
//! (not from a plan fixture) with the few objects its case needs, scans it and runs the
//! rules:
//! - names unique only per account and region (an ECR repository, a DB parameter group)
//!   exist in two scanned regions with different settings: each is judged by its own;
//! - every ACTIVE task definition is read, not only those a service runs;
//! - an alarm whose action is a scaling policy has no notification; a topic whose https
//!   subscription posts to PagerDuty is the PagerDuty action;
//! - an attached AWS managed policy is judged from the document IAM serves.

use aws_config::{Region, SdkConfig};
use aws_sdk_ecs::types::{ContainerDefinition, KeyValuePair};
use aws_sdk_rds::types::{ApplyMethod, Parameter};
use cbaudit::engine::{self, Finding};
use cbaudit::policy::Policy;
use cbaudit::rules::Status;
use cbaudit::source::live::{scan_async, LiveScan, Recorder};

use super::equivalence::{covered, options};
use super::harness::{self, Moto, ACCOUNT, REGION};
use super::proxy::{Faults, Proxy};

const OTHER_REGION: &str = "us-east-1";

async fn sdk_in(moto: &Moto, region: &str) -> SdkConfig {
    moto.sdk()
        .await
        .to_builder()
        .region(Region::new(region.to_string()))
        .build()
}

/// Scans `regions` of moto (through the proxy that mends moto's wire-format deviations).
async fn scan(moto: &Moto, regions: &[&str]) -> LiveScan {
    harness::set_scan_env();
    let proxy = Proxy::start(moto.port, Faults::none(), 1).await;
    let mut opts = options(&proxy.endpoint());
    opts.regions = regions.iter().map(|r| r.to_string()).collect();
    scan_async(&opts, Recorder::default())
        .await
        .expect("the live scan runs")
}

/// The findings of every rule the live source covers, with the embedded policy.
fn findings(scan: &LiveScan) -> Vec<Finding> {
    assert_eq!(scan.inventories.len(), 1);
    let report = engine::run(&scan.inventories[0], &Policy::default_policy(), &covered());
    report.findings
}

fn of<'a>(findings: &'a [Finding], rule: &str, resource: &str) -> Vec<&'a Finding> {
    findings
        .iter()
        .filter(|f| f.rule.id == rule && f.resource.as_deref() == Some(resource))
        .collect()
}

fn shown(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {:?} {}: {}",
                f.rule.id,
                f.outcome,
                f.resource.as_deref().unwrap_or(&f.subject),
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const REPO: &str = "clever-better-bot";
const GROUP: &str = "clever-better-pg";
const DB: &str = "clever-better-db";
/// Keeps the last 10 images: what CB-ECR-002 requires.
const LIFECYCLE: &str = r#"{"rules":[{"rulePriority":1,"description":"keep 10","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}]}"#;

/// In `region`: repository [`REPO`] (with [`LIFECYCLE`] when `lifecycle`), parameter group
/// [`GROUP`] setting `force_ssl` and TLS 1.3, and DB instance [`DB`] using it.
async fn same_names(moto: &Moto, region: &str, lifecycle: bool, force_ssl: &str) {
    let sdk = sdk_in(moto, region).await;
    let ecr = aws_sdk_ecr::Client::new(&sdk);
    ecr.create_repository()
        .repository_name(REPO)
        .send()
        .await
        .expect("CreateRepository");
    if lifecycle {
        ecr.put_lifecycle_policy()
            .repository_name(REPO)
            .lifecycle_policy_text(LIFECYCLE)
            .send()
            .await
            .expect("PutLifecyclePolicy");
    }
    let rds = aws_sdk_rds::Client::new(&sdk);
    rds.create_db_parameter_group()
        .db_parameter_group_name(GROUP)
        .db_parameter_group_family("postgres16")
        .description("seeded")
        .send()
        .await
        .expect("CreateDBParameterGroup");
    let param = |name: &str, value: &str| {
        Parameter::builder()
            .parameter_name(name)
            .parameter_value(value)
            .apply_method(ApplyMethod::PendingReboot)
            .build()
    };
    rds.modify_db_parameter_group()
        .db_parameter_group_name(GROUP)
        .parameters(param("rds.force_ssl", force_ssl))
        .parameters(param("ssl_min_protocol_version", "TLSv1.3"))
        .send()
        .await
        .expect("ModifyDBParameterGroup");
    rds.create_db_instance()
        .db_instance_identifier(DB)
        .engine("postgres")
        .db_instance_class("db.r6g.large")
        .master_username("seeded")
        .master_user_password("seeded-password-1")
        .allocated_storage(100)
        .db_parameter_group_name(GROUP)
        .send()
        .await
        .expect("CreateDBInstance");
}

fn arn(region: &str, service: &str, resource: &str) -> String {
    format!("arn:aws:{service}:{region}:{ACCOUNT}:{resource}")
}

/// A repository and a parameter group of one name in two regions, with different settings:
/// each region's repository and instance is judged by its own policy and group. (Looked up
/// by name alone, the us-east-1 repository took the eu-west-2 lifecycle policy, and the
/// us-east-1 instance the eu-west-2 group, so their failures disappeared when both regions
/// were scanned.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_names_in_two_regions_are_judged_each_by_its_own() {
    let moto = Moto::start();
    same_names(&moto, REGION, true, "1").await;
    same_names(&moto, OTHER_REGION, false, "0").await;
    let scan = scan(&moto, &[REGION, OTHER_REGION]).await;
    let findings = findings(&scan);
    let all = shown(&findings);

    // ECR: the eu-west-2 repository has its compliant policy; the us-east-1 one has none.
    let repo = |region| arn(region, "ecr", &format!("repository/{REPO}"));
    assert!(
        of(&findings, "CB-ECR-002", &repo(REGION)).is_empty(),
        "{all}"
    );
    let other = of(&findings, "CB-ECR-002", &repo(OTHER_REGION));
    assert_eq!(other.len(), 1, "{all}");
    assert_eq!(other[0].outcome, Status::Fail);
    assert!(
        other[0].message.contains("has no lifecycle policy"),
        "{all}"
    );
    assert_eq!(other[0].region.as_deref(), Some(OTHER_REGION));

    // RDS: the eu-west-2 group forces TLS; the us-east-1 group of the same name does not.
    let group = |region| arn(region, "rds", &format!("pg:{GROUP}"));
    let tls = |region| of(&findings, "CB-TLS-003", &group(region));
    assert!(tls(REGION).is_empty(), "{all}");
    let other = tls(OTHER_REGION);
    assert_eq!(other.len(), 1, "{all}");
    assert_eq!(other[0].outcome, Status::Fail);
    assert!(other[0].message.contains("rds.force_ssl"), "{all}");
}

fn container(name: &str, env: &[(&str, &str)]) -> ContainerDefinition {
    let mut c = ContainerDefinition::builder()
        .name(name)
        .image("public.ecr.aws/docker/library/busybox:latest")
        .memory(512);
    for (k, v) in env {
        c = c.environment(KeyValuePair::builder().name(*k).value(*v).build());
    }
    c.build()
}

const OLD_SECRET: &str = "old-revision-hunter2";
const TASK_SECRET: &str = "standalone-task-hunter2";
const GONE_SECRET: &str = "deregistered-hunter2";

/// A service runs revision 2 of its family; revision 1 (still ACTIVE) and a standalone task's
/// definition (a scheduled job, no service) hold plaintext secrets; revision 3 is
/// deregistered. The two ACTIVE definitions with secrets fail CB-ECS-006, the running one
/// passes, the INACTIVE one is not read; no secret value is shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_active_task_definition_is_judged() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    ecs.create_cluster()
        .cluster_name("clever-better")
        .send()
        .await
        .expect("CreateCluster");
    let register = |family: &str, env: &[(&str, &str)]| {
        ecs.register_task_definition()
            .family(family)
            .container_definitions(container("app", env))
            .send()
    };
    let bot = "clever-better-bot";
    register(bot, &[("BETFAIR_PASSWORD", OLD_SECRET)])
        .await
        .expect("RegisterTaskDefinition bot:1");
    register(bot, &[("LOG_LEVEL", "info")])
        .await
        .expect("RegisterTaskDefinition bot:2");
    register(bot, &[("BETFAIR_PASSWORD", GONE_SECRET)])
        .await
        .expect("RegisterTaskDefinition bot:3");
    let job = "clever-better-nightly-import";
    register(job, &[("DB_PASSWORD", TASK_SECRET)])
        .await
        .expect("RegisterTaskDefinition job:1");
    let td =
        |family: &str, rev: u32| arn(REGION, "ecs", &format!("task-definition/{family}:{rev}"));
    ecs.deregister_task_definition()
        .task_definition(td(bot, 3))
        .send()
        .await
        .expect("DeregisterTaskDefinition bot:3");
    ecs.create_service()
        .cluster("clever-better")
        .service_name(bot)
        .task_definition(td(bot, 2))
        .desired_count(1)
        .send()
        .await
        .expect("CreateService");

    let scan = scan(&moto, &[REGION]).await;
    let calls = |a: &str| scan.calls.actions.get(a).map_or(0, |c| c.0);
    assert_eq!(
        calls("ecs:ListTaskDefinitions"),
        1,
        "{:?}",
        scan.calls.actions
    );
    let inv = &scan.inventories[0];
    let read: Vec<&str> = inv
        .resources()
        .iter()
        .filter(|r| r.resource_type == "aws_ecs_task_definition")
        .map(|r| r.address())
        .collect();
    let mut want = vec![td(bot, 1), td(bot, 2), td(job, 1)];
    want.sort();
    let mut got: Vec<String> = read.iter().map(|s| s.to_string()).collect();
    got.sort();
    assert_eq!(
        got, want,
        "every ACTIVE revision, and no INACTIVE one no service runs"
    );

    let findings = findings(&scan);
    let all = shown(&findings);
    let secrets = |address: &str| of(&findings, "CB-ECS-006", address);
    for (address, var) in [
        (td(bot, 1), "BETFAIR_PASSWORD"),
        (td(job, 1), "DB_PASSWORD"),
    ] {
        let f = secrets(&address);
        assert_eq!(f.len(), 1, "{address}: {all}");
        assert_eq!(f[0].outcome, Status::Fail);
        assert!(f[0].message.contains(var), "{all}");
    }
    assert!(secrets(&td(bot, 2)).is_empty(), "{all}");
    for secret in [OLD_SECRET, TASK_SECRET, GONE_SECRET] {
        assert!(!all.contains(secret), "a secret value is shown: {all}");
    }
}

/// The documented high-CPU alarm, exactly as specified, but its only action is a
/// step-scaling policy: a scaling policy notifies no one, so CB-MON-001 fails it for want
/// of a notification topic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scaling_policy_action_is_not_a_notification() {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let policy = Policy::default_policy();
    let spec = policy
        .alarms
        .iter()
        .find(|a| a.name == "high-cpu")
        .expect("the embedded policy documents the high-CPU alarm");
    assert_eq!(spec.actions, vec!["notification".to_string()]);
    let period: i32 = 60;
    let scaling = format!(
        "arn:aws:autoscaling:{REGION}:{ACCOUNT}:scalingPolicy:12345678-90ab-cdef-1234-567890abcdef:autoScalingGroupName/clever-better-asg:policyName/scale-out"
    );
    let cw = aws_sdk_cloudwatch::Client::new(&sdk);
    let mut put = cw
        .put_metric_alarm()
        .alarm_name("clever-better-high-cpu")
        .metric_name(&spec.metric)
        .namespace(spec.namespace.as_deref().expect("namespace"))
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .threshold(spec.threshold)
        .period(period)
        .evaluation_periods((spec.duration.expect("duration") / i64::from(period)) as i32)
        .statistic(Statistic::Average)
        .alarm_actions(&scaling);
    for d in &spec.dimensions {
        put = put.dimensions(Dimension::builder().name(d).value("clever-better").build());
    }
    put.send().await.expect("PutMetricAlarm");

    let scan = scan(&moto, &[REGION]).await;
    let findings = findings(&scan);
    let all = shown(&findings);
    let alarm = arn(REGION, "cloudwatch", "alarm:clever-better-high-cpu");
    let f = of(&findings, "CB-MON-001", &alarm);
    assert_eq!(f.len(), 1, "{all}");
    assert_eq!(f[0].outcome, Status::Fail, "{all}");
    assert!(
        f[0].message.contains(
            "its actions (an autoscaling action (not an SNS topic)) include no notification topic"
        ),
        "{all}"
    );
}

/// A role with an AWS managed policy that cbaudit's offline snapshot does not hold
/// (AWSCodeCommitFullAccess: `codecommit:*` on `*`): live, its default version is read
/// (`iam:GetPolicy`, `iam:GetPolicyVersion`) and judged, not reported unknown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attached_aws_managed_policy_is_judged_from_iam() {
    const POLICY: &str = "arn:aws:iam::aws:policy/AWSCodeCommitFullAccess";
    let snapshot = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/aws-managed-policies.json"
    );
    let snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(snapshot).expect("snapshot")).expect("JSON");
    assert!(
        snapshot["policies"].get(POLICY).is_none(),
        "the case needs a managed policy the snapshot does not hold"
    );
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let role = "clever-better-ops";
    iam.create_role()
        .role_name(role)
        .assume_role_policy_document(trust)
        .send()
        .await
        .expect("CreateRole");
    iam.attach_role_policy()
        .role_name(role)
        .policy_arn(POLICY)
        .send()
        .await
        .expect("AttachRolePolicy");

    let scan = scan(&moto, &[REGION]).await;
    let calls = |a: &str| scan.calls.actions.get(a).map_or(0, |c| c.0);
    assert_eq!(calls("iam:GetPolicy"), 1, "{:?}", scan.calls.actions);
    assert!(calls("iam:GetPolicyVersion") >= 1);
    let findings = findings(&scan);
    let all = shown(&findings);
    let attachment = format!("arn:aws:iam::{ACCOUNT}:role/{role}/attachment/{POLICY}");
    let f = of(&findings, "CB-IAM-002", &attachment);
    assert_eq!(f.len(), 1, "{all}");
    assert_eq!(f[0].outcome, Status::Fail, "{all}");
    assert!(
        f[0].message
            .contains("attaches the AWS managed policy AWSCodeCommitFullAccess, which"),
        "{all}"
    );
    assert!(f[0].message.contains("codecommit:*"), "{all}");
    // The managed policy itself is not the account's: no finding of its own.
    assert!(of(&findings, "CB-IAM-002", POLICY).is_empty(), "{all}");
}

/// The documented API-errors alarm notifies two topics: `clever-better-alerts` and
/// `clever-better-ops`, whose name says nothing of PagerDuty but whose https subscription
/// posts to PagerDuty's CloudWatch integration. Live, the subscription is read
/// (`sns:ListSubscriptionsByTopic`), so the alarm has its PagerDuty action and passes; the
/// integration key in the endpoint is never shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pagerduty_subscription_serves_the_pagerduty_action() {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic};
    const KEY: &str = "0123456789abcdef0123456789abcdef";
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let policy = Policy::default_policy();
    let spec = policy
        .alarms
        .iter()
        .find(|a| a.name == "api-errors")
        .expect("the embedded policy documents the API-errors alarm");
    assert_eq!(spec.actions, vec!["notification", "pagerduty"]);
    let sns = aws_sdk_sns::Client::new(&sdk);
    let mut topics = Vec::new();
    for name in ["clever-better-alerts", "clever-better-ops"] {
        let t = sns
            .create_topic()
            .name(name)
            .send()
            .await
            .expect("CreateTopic");
        topics.push(t.topic_arn().expect("topic ARN").to_string());
    }
    sns.subscribe()
        .topic_arn(&topics[1])
        .protocol("https")
        .endpoint(format!(
            "https://events.pagerduty.com/integration/{KEY}/enqueue"
        ))
        .send()
        .await
        .expect("Subscribe");
    let period = spec.period.expect("period") as i32;
    let cw = aws_sdk_cloudwatch::Client::new(&sdk);
    let mut put = cw
        .put_metric_alarm()
        .alarm_name("clever-better-api-errors")
        .metric_name(&spec.metric)
        .namespace("CleverBetter")
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .threshold(spec.threshold)
        .period(period)
        .evaluation_periods((spec.duration.expect("duration") / i64::from(period)) as i32)
        .statistic(Statistic::Sum);
    for t in &topics {
        put = put.alarm_actions(t);
    }
    put.send().await.expect("PutMetricAlarm");

    let first = scan(&moto, &[REGION]).await;
    let calls = |a: &str| first.calls.actions.get(a).map_or(0, |c| c.0);
    assert_eq!(
        calls("sns:ListSubscriptionsByTopic"),
        2,
        "{:?}",
        first.calls.actions
    );
    let found = findings(&first);
    let all = shown(&found);
    let alarm = arn(REGION, "cloudwatch", "alarm:clever-better-api-errors");
    assert!(of(&found, "CB-MON-001", &alarm).is_empty(), "{all}");
    assert!(!all.contains(KEY), "the integration key is shown: {all}");

    // Without the subscription the same alarm lacks its PagerDuty topic.
    let subs = sns
        .list_subscriptions_by_topic()
        .topic_arn(&topics[1])
        .send()
        .await
        .expect("ListSubscriptionsByTopic");
    for s in subs.subscriptions() {
        sns.unsubscribe()
            .subscription_arn(s.subscription_arn().expect("ARN"))
            .send()
            .await
            .expect("Unsubscribe");
    }
    let second = scan(&moto, &[REGION]).await;
    let found = findings(&second);
    let all = shown(&found);
    let f = of(&found, "CB-MON-001", &alarm);
    assert_eq!(f.len(), 1, "{all}");
    assert!(f[0].message.contains("include no pagerduty topic"), "{all}");
}
