//! GuardDuty and AWS Config are regional, and a trail of data events does no API audit
//! logging (issue 9, class 6), in a two-region live scan: the workload's VPC is in
//! eu-west-2, the GuardDuty detector and the started Config recorder are in us-east-1, and
//! the only trail is multi-region and validated but records S3 data events only. Then a
//! detector and a recorder in eu-west-2 close the regional gaps.

use aws_config::{Region, SdkConfig};
use aws_sdk_cloudtrail::types::{DataResource, EventSelector, ReadWriteType};
use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel, RecordingGroup};
use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use cbaudit::engine;
use cbaudit::policy::Policy;
use cbaudit::rules::{find, Status};

use super::equivalence::options;
use super::harness::{set_scan_env, Moto, ACCOUNT, REGION};

const OTHER: &str = "us-east-1";
const BUCKET: &str = "clever-better-audit-logs";

async fn detector(sdk: &SdkConfig) {
    aws_sdk_guardduty::Client::new(sdk)
        .create_detector()
        .enable(true)
        .send()
        .await
        .expect("CreateDetector");
}

async fn started_recorder(sdk: &SdkConfig) {
    let cfg = aws_sdk_config::Client::new(sdk);
    let recorder = ConfigurationRecorder::builder()
        .name("default")
        .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/config-recorder"))
        .recording_group(RecordingGroup::builder().all_supported(true).build())
        .build();
    cfg.put_configuration_recorder()
        .configuration_recorder(recorder)
        .send()
        .await
        .expect("PutConfigurationRecorder");
    let channel = DeliveryChannel::builder()
        .name("default")
        .s3_bucket_name(BUCKET)
        .build();
    cfg.put_delivery_channel()
        .delivery_channel(channel)
        .send()
        .await
        .expect("PutDeliveryChannel");
    cfg.start_configuration_recorder()
        .configuration_recorder_name("default")
        .send()
        .await
        .expect("StartConfigurationRecorder");
}

/// The workload's VPC (in the architecture's scope by its name) and a data-events trail.
async fn workload_and_trail(sdk: &SdkConfig) {
    let name = Tag::builder()
        .key("Name")
        .value("clever-better-vpc")
        .build();
    aws_sdk_ec2::Client::new(sdk)
        .create_vpc()
        .cidr_block("10.0.0.0/16")
        .tag_specifications(
            TagSpecification::builder()
                .resource_type(ResourceType::Vpc)
                .tags(name)
                .build(),
        )
        .send()
        .await
        .expect("CreateVpc");
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket(BUCKET)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(REGION))
                .build(),
        )
        .send()
        .await
        .expect("CreateBucket");
    let ct = aws_sdk_cloudtrail::Client::new(sdk);
    ct.create_trail()
        .name("clever-better-objects")
        .s3_bucket_name(BUCKET)
        .is_multi_region_trail(true)
        .enable_log_file_validation(true)
        .send()
        .await
        .expect("CreateTrail");
    ct.start_logging()
        .name("clever-better-objects")
        .send()
        .await
        .expect("StartLogging");
    let objects = DataResource::builder()
        .r#type("AWS::S3::Object")
        .values("arn:aws:s3")
        .build();
    ct.put_event_selectors()
        .trail_name("clever-better-objects")
        .event_selectors(
            EventSelector::builder()
                .read_write_type(ReadWriteType::All)
                .include_management_events(false)
                .data_resources(objects)
                .build(),
        )
        .send()
        .await
        .expect("PutEventSelectors");
}

/// (rule, subject, outcome) of every finding of the audit rules in a two-region scan.
async fn audit_findings(moto: &Moto) -> Vec<(String, String, Status, String)> {
    set_scan_env();
    let mut opts = options(&moto.endpoint());
    opts.regions = vec![REGION.into(), OTHER.into()];
    let scan = cbaudit::source::live::scan_async(&opts, cbaudit::source::live::Recorder::default())
        .await
        .expect("scan");
    let rules: Vec<_> = ["CB-AUD-001", "CB-AUD-002", "CB-AUD-003"]
        .iter()
        .map(|id| find(id).expect("rule"))
        .collect();
    let report = engine::run(&scan.inventories[0], &Policy::default_policy(), &rules);
    report
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.id.to_string(),
                f.subject.to_string(),
                f.outcome,
                f.message.clone(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guardduty_and_config_are_judged_in_the_region_the_workload_runs_in() {
    let moto = Moto::start();
    let london = moto.sdk().await;
    let virginia = london.to_builder().region(Region::new(OTHER)).build();
    workload_and_trail(&london).await;
    detector(&virginia).await;
    started_recorder(&virginia).await;

    let findings = audit_findings(&moto).await;
    let has = |rule: &str, subject: &str, text: &str| {
        findings.iter().any(|(r, s, o, m)| {
            r == rule && s.contains(subject) && *o == Status::Fail && m.contains(text)
        })
    };
    assert!(
        has(
            "CB-AUD-002",
            "GuardDuty detector in eu-west-2",
            "in another region (us-east-1) does not cover it"
        ),
        "{findings:#?}"
    );
    assert!(
        has(
            "CB-AUD-003",
            "AWS Config recorder in eu-west-2",
            "AWS Config is regional"
        ),
        "{findings:#?}"
    );
    assert!(
        has(
            "CB-AUD-001",
            "clever-better-objects",
            "records no management events"
        ),
        "{findings:#?}"
    );
    // The detector and the recorder of us-east-1 themselves are fine.
    let aud = |rule: &str| {
        findings
            .iter()
            .filter(|(r, s, ..)| r == rule && !s.contains("Config rule"))
            .count()
    };
    assert_eq!(
        (aud("CB-AUD-002"), aud("CB-AUD-003")),
        (1, 1),
        "{findings:#?}"
    );

    // eu-west-2 gets its own detector and recorder: the regional findings go.
    detector(&london).await;
    started_recorder(&london).await;
    let findings = audit_findings(&moto).await;
    assert!(
        findings
            .iter()
            .all(|(r, s, ..)| r != "CB-AUD-002" && (r != "CB-AUD-003" || s.contains("Config rule"))),
        "{findings:#?}"
    );
}
