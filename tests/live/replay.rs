//! What moto cannot hold, replayed through the SDK's own test client with response bodies
//! in the shape AWS sends. moto refuses a maintenance window that starts when the backup
//! window ends; RDS accepts it (the documented pair) and answers DescribeDBInstances with
//! lower-case days.

use std::sync::Arc;

use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use cbaudit::engine;
use cbaudit::model::{Input, Inventory, Origin};
use cbaudit::policy::Policy;
use cbaudit::rules::{find, Status};
use cbaudit::source::live::{Batch, Ctx, Recorder, READERS};

use super::harness::{ACCOUNT, REGION};

fn instances(backup: &str, maintenance: &str) -> String {
    format!(
        r#"<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBInstancesResult>
    <DBInstances>
      <DBInstance>
        <DBInstanceIdentifier>clever-better-timescale</DBInstanceIdentifier>
        <DBInstanceClass>db.r6g.large</DBInstanceClass>
        <Engine>postgres</Engine>
        <DBInstanceStatus>available</DBInstanceStatus>
        <MasterUsername>cleverbetter</MasterUsername>
        <Endpoint><Address>clever-better-timescale.c9akciq32.eu-west-2.rds.amazonaws.com</Address><Port>5432</Port><HostedZoneId>Z1TTGA775OQIYO</HostedZoneId></Endpoint>
        <AllocatedStorage>100</AllocatedStorage>
        <InstanceCreateTime>2026-01-10T10:00:00.000Z</InstanceCreateTime>
        <PreferredBackupWindow>{backup}</PreferredBackupWindow>
        <BackupRetentionPeriod>30</BackupRetentionPeriod>
        <DBSecurityGroups/>
        <VpcSecurityGroups><VpcSecurityGroupMembership><VpcSecurityGroupId>sg-0db1234567890abcd</VpcSecurityGroupId><Status>active</Status></VpcSecurityGroupMembership></VpcSecurityGroups>
        <DBParameterGroups><DBParameterGroup><DBParameterGroupName>clever-better-pg16</DBParameterGroupName><ParameterApplyStatus>in-sync</ParameterApplyStatus></DBParameterGroup></DBParameterGroups>
        <AvailabilityZone>eu-west-2a</AvailabilityZone>
        <DBSubnetGroup><DBSubnetGroupName>clever-better-data</DBSubnetGroupName><DBSubnetGroupDescription>data</DBSubnetGroupDescription><VpcId>vpc-0a1b2c3d4e5f67890</VpcId><SubnetGroupStatus>Complete</SubnetGroupStatus><Subnets/></DBSubnetGroup>
        <PreferredMaintenanceWindow>{maintenance}</PreferredMaintenanceWindow>
        <PendingModifiedValues/>
        <MultiAZ>true</MultiAZ>
        <EngineVersion>16.3</EngineVersion>
        <AutoMinorVersionUpgrade>true</AutoMinorVersionUpgrade>
        <PubliclyAccessible>false</PubliclyAccessible>
        <StorageType>gp3</StorageType>
        <StorageEncrypted>true</StorageEncrypted>
        <KmsKeyId>arn:aws:kms:eu-west-2:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789</KmsKeyId>
        <DbiResourceId>db-ABCDEFGHIJKLMNOPQRSTUVWXYZ</DbiResourceId>
        <DBInstanceArn>arn:aws:rds:eu-west-2:123456789012:db:clever-better-timescale</DBInstanceArn>
        <MaxAllocatedStorage>500</MaxAllocatedStorage>
        <TagList><Tag><Key>Name</Key><Value>clever-better-timescale</Value></Tag></TagList>
        <DeletionProtection>true</DeletionProtection>
      </DBInstance>
    </DBInstances>
  </DescribeDBInstancesResult>
  <ResponseMetadata><RequestId>9f4e5a2c-1b3d-4c5e-8f7a-0b1c2d3e4f5a</RequestId></ResponseMetadata>
</DescribeDBInstancesResponse>"#
    )
}

const NO_SUBNET_GROUPS: &str = r#"<DescribeDBSubnetGroupsResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBSubnetGroupsResult><DBSubnetGroups/></DescribeDBSubnetGroupsResult>
  <ResponseMetadata><RequestId>0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5</RequestId></ResponseMetadata>
</DescribeDBSubnetGroupsResponse>"#;

const NO_PARAMETER_GROUPS: &str = r#"<DescribeDBParameterGroupsResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBParameterGroupsResult><DBParameterGroups/></DescribeDBParameterGroupsResult>
  <ResponseMetadata><RequestId>1d2e3f4a-5b6c-7d8e-9fa0-b1c2d3e4f5a6</RequestId></ResponseMetadata>
</DescribeDBParameterGroupsResponse>"#;

const NO_CLUSTERS: &str = r#"<DescribeDBClustersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBClustersResult><DBClusters/></DescribeDBClustersResult>
  <ResponseMetadata><RequestId>2e3f4a5b-6c7d-8e9f-a0b1-c2d3e4f5a6b7</RequestId></ResponseMetadata>
</DescribeDBClustersResponse>"#;

const NO_CLUSTER_PARAMETER_GROUPS: &str = r#"<DescribeDBClusterParameterGroupsResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBClusterParameterGroupsResult><DBClusterParameterGroups/></DescribeDBClusterParameterGroupsResult>
  <ResponseMetadata><RequestId>3f4a5b6c-7d8e-9fa0-b1c2-d3e4f5a6b7c8</RequestId></ResponseMetadata>
</DescribeDBClusterParameterGroupsResponse>"#;

fn event(body: String) -> ReplayEvent {
    ReplayEvent::new(
        http::Request::builder()
            .uri("https://rds.eu-west-2.amazonaws.com/")
            .body(SdkBody::from(""))
            .expect("request"),
        http::Response::builder()
            .status(200)
            .header("content-type", "text/xml")
            .body(SdkBody::from(body))
            .expect("response"),
    )
}

/// The RDS reader alone over replayed answers, then CB-RDS-004.
async fn rds_windows(backup: &str, maintenance: &str) -> (Status, String) {
    let replay = StaticReplayClient::new(vec![
        event(instances(backup, maintenance)),
        event(NO_SUBNET_GROUPS.to_string()),
        event(NO_PARAMETER_GROUPS.to_string()),
        event(NO_CLUSTERS.to_string()),
        event(NO_CLUSTER_PARAMETER_GROUPS.to_string()),
    ]);
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(REGION))
        .credentials_provider(aws_credential_types::Credentials::for_tests())
        .http_client(replay.clone())
        .load()
        .await;
    let ctx = Ctx {
        sdk,
        account: ACCOUNT.into(),
        region: REGION.into(),
        partition: "aws".into(),
        endpoint_override: false,
        recorder: Recorder::default(),
        input: Arc::from(format!("live:{ACCOUNT}/{REGION}")),
    };
    let reader = READERS
        .iter()
        .find(|r| r.service == "rds")
        .expect("the RDS reader");
    let mut batch = Batch::default();
    (reader.read)(&ctx, &mut batch).await;
    assert_eq!(
        replay.actual_requests().count(),
        5,
        "five calls, as replayed"
    );
    assert!(batch.gaps.is_empty(), "{:?}", batch.gaps);
    let mut inv = Inventory::new();
    inv.inputs.push(Input {
        kind: Origin::Live,
        path: ctx.input.to_string(),
    });
    for r in batch.resources {
        inv.push(r);
    }
    let rule = find("CB-RDS-004").expect("rule");
    let report = engine::run(&inv, &Policy::default_policy(), &[rule]);
    match report.findings.first() {
        Some(f) => (f.outcome, f.message.clone()),
        None => (Status::Pass, String::new()),
    }
}

#[tokio::test]
async fn documented_windows_as_rds_answers_them_pass() {
    let (status, message) = rds_windows("03:00-04:00", "mon:04:00-mon:05:00").await;
    assert_eq!(status, Status::Pass, "{message}");
}

#[tokio::test]
async fn other_windows_fail() {
    let (status, message) = rds_windows("03:00-04:00", "sun:04:00-sun:05:00").await;
    assert_eq!(status, Status::Fail, "{message}");
    let (status, message) = rds_windows("03:30-04:30", "mon:04:00-mon:05:00").await;
    assert_eq!(status, Status::Fail, "{message}");
    assert!(message.contains("overlap"), "{message}");
}
