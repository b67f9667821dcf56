//! Live baselines are keyed on ARN (issue 11, item 5): moto seeded with the violating
//! architecture, a baseline written from a live scan, then another bucket and another VPC
//! created: the rescan finds nothing new and nothing fixed. The live findings name their
//! resource by ARN, and a finding's fingerprint does not depend on the order the regions
//! are listed in.

use std::collections::BTreeMap;
use std::path::Path;

use aws_config::Region;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, PublicAccessBlockConfiguration,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule,
};
use serde_json::Value;

use super::equivalence::seeded;
use super::harness::{scan_env, Moto, REGION};
use super::json_scan::{fingerprint, Scan};

/// The second region of the two-region scans.
const OTHER: &str = "us-east-1";

impl Scan {
    /// Each finding's fingerprint by what it is about (rule, resource or subject,
    /// attribute, message).
    fn by_finding(&self) -> BTreeMap<(String, String, String, String), Vec<String>> {
        let mut out: BTreeMap<_, Vec<String>> = BTreeMap::new();
        for f in self.findings() {
            let key = (
                text(&f["rule_id"]),
                f["resource"].as_str().map_or_else(
                    || format!("missing:{}", text(&f["subject"])),
                    str::to_string,
                ),
                text(&f["attribute"]),
                text(&f["message"]),
            );
            out.entry(key).or_default().push(fingerprint(f));
        }
        for v in out.values_mut() {
            v.sort();
        }
        out
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// `cbaudit scan --live` of moto in `regions` (as given: `a,b`), JSON, `--today` fixed.
fn scan(moto: &Moto, regions: &str, extra: &[&str]) -> Scan {
    let cwd = tempfile::tempdir().expect("tempdir");
    let out = assert_cmd::Command::cargo_bin("cbaudit")
        .expect("binary")
        .current_dir(cwd.path())
        .envs(scan_env())
        .args([
            "scan",
            "--live",
            "--endpoint-url",
            &moto.endpoint(),
            "--region",
            regions,
            "--format",
            "json",
            "--today",
            "2027-01-15",
            "--quiet",
        ])
        .args(extra)
        .output()
        .expect("cbaudit runs");
    let code = out.status.code().expect("an exit code");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("JSON: {e}: {stderr}"));
    Scan { code, doc }
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Resources nobody's rules are about: a bucket of another team (public access blocked,
/// encrypted) and a VPC of another team, neither in the architecture's scope.
async fn unrelated_resources(moto: &Moto) {
    let sdk = moto.sdk().await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    );
    let bucket = "analytics-scratch-123456789012";
    s3.create_bucket()
        .bucket(bucket)
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(REGION))
                .build(),
        )
        .send()
        .await
        .expect("CreateBucket");
    s3.put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .block_public_policy(true)
                .ignore_public_acls(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .expect("PutPublicAccessBlock");
    let sse = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::Aes256)
        .build()
        .expect("SSE");
    s3.put_bucket_encryption()
        .bucket(bucket)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(
                    ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(sse)
                        .build(),
                )
                .build()
                .expect("SSE configuration"),
        )
        .send()
        .await
        .expect("PutBucketEncryption");
    aws_sdk_ec2::Client::new(&sdk)
        .create_vpc()
        .cidr_block("172.16.0.0/16")
        .send()
        .await
        .expect("CreateVpc");
}

/// A clever-better repository and bucket in [`OTHER`], both violating.
async fn violations_in_other_region(moto: &Moto) {
    let sdk = moto
        .sdk()
        .await
        .to_builder()
        .region(Region::new(OTHER))
        .build();
    aws_sdk_ecr::Client::new(&sdk)
        .create_repository()
        .repository_name("clever-better-us-tools")
        .send()
        .await
        .expect("CreateRepository");
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket("clever-better-us-scratch-123456789012")
        .send()
        .await
        .expect("CreateBucket");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_baselines_are_keyed_on_arn_and_survive_unrelated_resources() {
    let (moto, _seeder) = seeded("clever-better/violating").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let baseline = dir.path().join("live.baseline.json");

    let written = scan(&moto, REGION, &["--write-baseline", path_str(&baseline)]);
    assert_eq!(written.code, 0, "the baseline accepts what it records");
    assert_eq!(written.active(), 0);
    let before = written.fingerprints();
    assert!(
        before.values().sum::<usize>() >= 15,
        "the seeded violations are found live: {}",
        written.findings().len()
    );

    // Keyed on ARN: every finding about a resource names it by its ARN (or, for objects
    // without one, by their parent's ARN and a path); only missing things have none.
    let mut by_arn = 0;
    for f in written.findings() {
        match f["resource"].as_str() {
            Some(r) => {
                assert!(r.starts_with("arn:aws:"), "not an ARN: {f}");
                by_arn += 1;
            }
            None => assert!(
                f["subject"].as_str().is_some_and(|s| !s.is_empty()),
                "a missing finding names what is missing: {f}"
            ),
        }
    }
    assert!(by_arn >= 10, "{by_arn} findings on resources");
    eprintln!(
        "live baseline: {} findings, {by_arn} on resources by ARN, {} missing",
        written.findings().len(),
        written.findings().len() - by_arn
    );
    for (rule, arn) in [
        (
            "CB-AUD-001",
            "arn:aws:cloudtrail:eu-west-2:123456789012:trail/clever-better",
        ),
        (
            "CB-ECR-002",
            "arn:aws:ecr:eu-west-2:123456789012:repository/clever-better-backtest",
        ),
    ] {
        assert!(
            written
                .findings()
                .iter()
                .any(|f| f["rule_id"] == rule && f["resource"] == arn),
            "{rule} on {arn}"
        );
    }

    // Another team's bucket and VPC: nothing new, nothing fixed.
    unrelated_resources(&moto).await;
    let after = scan(&moto, REGION, &["--baseline", path_str(&baseline)]);
    let new: Vec<&Value> = after
        .findings()
        .iter()
        .filter(|f| !before.contains_key(&fingerprint(f)))
        .collect();
    assert!(new.is_empty(), "new findings: {new:#?}");
    assert_eq!(after.fingerprints(), before);
    assert_eq!(
        (after.active(), after.summary("fixed"), after.code),
        (0, 0, 0),
        "accepted, none fixed, exit 0"
    );
    assert!(
        after.summary("resources") > written.summary("resources"),
        "the new resources were read"
    );

    // Two regions, listed either way: the same findings, the same fingerprints. The
    // second region holds violations of its own: a repository neither scanned on push nor
    // cleaned up, and a bucket without a public access block (S3 lists buckets globally).
    violations_in_other_region(&moto).await;
    let ab = scan(&moto, &format!("{REGION},{OTHER}"), &[]);
    let ba = scan(&moto, &format!("{OTHER},{REGION}"), &[]);
    let repository = format!("arn:aws:ecr:{OTHER}:123456789012:repository/clever-better-us-tools");
    for rule in ["CB-ECR-001", "CB-ECR-002"] {
        assert!(
            ab.findings()
                .iter()
                .any(|f| f["rule_id"] == rule && f["resource"] == repository.as_str()),
            "{rule} on {repository}: the second region was scanned"
        );
    }
    assert!(
        ab.findings().iter().any(|f| f["rule_id"] == "CB-S3-003"
            && f["resource"] == "arn:aws:s3:::clever-better-us-scratch-123456789012"),
        "CB-S3-003 on the bucket in {OTHER}"
    );
    assert_eq!(
        ab.by_finding(),
        ba.by_finding(),
        "fingerprints by region order"
    );
    eprintln!(
        "two regions: {} findings either way, {} about {OTHER}",
        ab.findings().len(),
        ab.findings()
            .iter()
            .filter(|f| f["region"] == OTHER || text(&f["subject"]).ends_with(OTHER))
            .count()
    );
    let two = dir.path().join("two-regions.baseline.json");
    scan(
        &moto,
        &format!("{REGION},{OTHER}"),
        &["--write-baseline", path_str(&two)],
    );
    let reordered = scan(
        &moto,
        &format!("{OTHER},{REGION}"),
        &["--baseline", path_str(&two)],
    );
    assert_eq!(
        (
            reordered.active(),
            reordered.summary("fixed"),
            reordered.code
        ),
        (0, 0, 0),
        "a two-region baseline accepts the scan with the regions swapped"
    );
}
