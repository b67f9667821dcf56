//! The account-level S3 public access block covers every bucket: a bucket without its own
//! block passes live once the account blocks public access.

use cbaudit::rules::{find, Status};
use cbaudit::source::live::s3_control_config;

use super::equivalence::{live_scan, seeded};
use super::harness::ACCOUNT;

fn s3_003_fails(scan: &cbaudit::source::live::LiveScan) -> usize {
    let rule = find("CB-S3-003").expect("rule");
    let policy = cbaudit::policy::Policy::default_policy();
    scan.inventories
        .iter()
        .flat_map(|inv| cbaudit::engine::run(inv, &policy, &[rule]).findings)
        .filter(|f| f.outcome == Status::Fail)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_block_covers_buckets_without_their_own() {
    let (moto, seeder) = seeded("clever-better/violating").await;
    let before = live_scan(&moto).await;
    assert_eq!(
        s3_003_fails(&before),
        1,
        "the replica bucket has no block of its own"
    );

    // The seeder's configuration points at moto.
    let conf = s3_control_config(&seeder.sdk, true).build();
    let all = aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
        .block_public_acls(true)
        .ignore_public_acls(true)
        .block_public_policy(true)
        .restrict_public_buckets(true)
        .build();
    aws_sdk_s3control::Client::from_conf(conf)
        .put_public_access_block()
        .account_id(ACCOUNT)
        .public_access_block_configuration(all)
        .send()
        .await
        .expect("PutPublicAccessBlock (account)");

    let after = live_scan(&moto).await;
    assert_eq!(s3_003_fails(&after), 0, "the account-level block covers it");
    assert!(after.inventories[0]
        .resources()
        .iter()
        .any(|r| r.resource_type == "aws_s3_account_public_access_block"));
}
