//! Policy waivers on a live account: matched by ARN glob, narrowed by account and region
//! (issue 11, item 2). The compliant architecture beside AWS's default VPC gives one
//! finding, the unused default VPC (CB-NET-006); a `--waivers` file accepts it.

use super::equivalence::fixture;
use super::harness::{live_scan_command, Moto, REGION};
use super::seed::{seed_all, Seeder};

/// moto's account.
const ACCOUNT: &str = "123456789012";

fn waivers(dir: &tempfile::TempDir, body: &str) -> String {
    let path = dir.path().join("waivers.toml");
    std::fs::write(&path, body).expect("write waivers");
    path.display().to_string()
}

fn scan(moto: &Moto, waivers: &str) -> (i32, serde_json::Value) {
    let out = live_scan_command(&moto.endpoint(), "json")
        // Only the rule judged here: where the seeder cannot mirror the architecture in
        // moto, other rules report deviations (see `Seeder::deviations`).
        .args([
            "--waivers",
            waivers,
            "--today",
            "2027-01-15",
            "--select",
            "CB-NET-006",
        ])
        .output()
        .expect("run");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().expect("exit status"), json)
}

fn findings<'a>(report: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waivers_file_accepts_a_live_finding_by_arn_account_and_region() {
    let moto = Moto::start();
    let mut seeder = Seeder::new(moto.sdk().await, &fixture("clever-better/compliant"));
    seeder.keep_default_vpc = true;
    seed_all(&mut seeder).await;
    let dir = tempfile::tempdir().expect("tempdir");

    // Without a waiver: the default VPC fails (low), the run fails.
    let none = waivers(&dir, "");
    let (code, report) = scan(&moto, &none);
    let [vpc] = findings(&report, "CB-NET-006")[..] else {
        panic!("one default VPC finding: {report:#}")
    };
    let arn = vpc["resource"].as_str().expect("resource");
    assert!(
        arn.starts_with(&format!("arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/vpc-")),
        "live findings are keyed on ARNs: {arn}"
    );
    assert_eq!(code, 1, "{report:#}");

    let entry = |account: &str, region: &str| {
        format!(
            "[[waivers]]\nrule = \"default-vpc-unused\"\nresource = \"arn:aws:ec2:*:*:vpc/*\"\naccount = \"{account}\"\nregion = \"{region}\"\nreason = \"the default VPC is removed by the account factory\"\nuntil = 2027-03-31\nowner = \"cloud-platform\"\nticket = \"CP-42\"\n"
        )
    };
    let matching = waivers(&dir, &entry(ACCOUNT, REGION));
    let (code, report) = scan(&moto, &matching);
    let [vpc] = findings(&report, "CB-NET-006")[..] else {
        panic!("still reported, as waived: {report:#}")
    };
    assert_eq!(vpc["suppression"]["kind"], "policy", "{vpc:#}");
    assert_eq!(vpc["suppression"]["owner"], "cloud-platform");
    assert!(findings(&report, "CB-WVR-002").is_empty());
    assert_eq!(report["summary"]["waived"], 1);
    assert_eq!(code, 0, "{report:#}");

    // Another account or region: the waiver matches nothing, the finding fails, and the
    // dead waiver is reported.
    for (account, region) in [("210987654321", REGION), (ACCOUNT, "ap-south-1")] {
        let elsewhere = waivers(&dir, &entry(account, region));
        let (code, report) = scan(&moto, &elsewhere);
        let [vpc] = findings(&report, "CB-NET-006")[..] else {
            panic!("one finding: {report:#}")
        };
        assert!(
            vpc.get("suppression").is_none_or(|s| s.is_null()),
            "{vpc:#}"
        );
        assert_eq!(findings(&report, "CB-WVR-002").len(), 1, "{report:#}");
        assert_eq!(code, 1);
    }
}
