//! `--accounts FILE --assume-role ROLE`: one scan per account through the role in each
//! (moto keeps one backend per account and honours the account of an assumed role).

use assert_cmd::Command;

use super::equivalence::seeded;
use super::harness::{scan_env, ACCOUNT, REGION};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_fan_out_through_the_role_in_each() {
    let (moto, _seeder) = seeded("clever-better/violating").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("accounts.txt");
    std::fs::write(
        &file,
        format!("# audited accounts\n{ACCOUNT}\n\n111111111111  # empty sandbox\n"),
    )
    .expect("write");
    let out = Command::cargo_bin("cbaudit")
        .expect("binary")
        .args(["scan", "--accounts"])
        .arg(&file)
        .args([
            "--assume-role",
            "cbaudit-auditor",
            "--endpoint-url",
            &moto.endpoint(),
            "--region",
            REGION,
            "--format",
            "json",
            "--concurrency",
            "4",
        ])
        .envs(scan_env())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let inputs: Vec<&str> = report["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .filter_map(|i| i["path"].as_str())
        .collect();
    assert!(
        inputs.contains(&format!("live:{ACCOUNT}/{REGION}").as_str()),
        "{inputs:?}"
    );
    assert!(
        inputs.contains(&format!("live:111111111111/{REGION}").as_str()),
        "{inputs:?}"
    );
    let findings = report["findings"].as_array().expect("findings");
    let in_account = |account: &str, rule: &str| {
        findings
            .iter()
            .any(|f| f["rule_id"] == rule && f["outcome"] == "fail" && f["account"] == account)
    };
    // The seeded account has its violations; the empty one lacks the documented VPC.
    assert!(in_account(ACCOUNT, "CB-RDS-001"), "{}", report["findings"]);
    assert!(
        in_account("111111111111", "CB-LOG-001"),
        "{}",
        report["findings"]
    );
    assert!(
        !in_account(ACCOUNT, "CB-LOG-001") || !in_account("111111111111", "CB-RDS-001"),
        "accounts are told apart"
    );
    assert!(stderr.contains("read 2 account(s) live"), "{stderr}");
}
