//! Denied permissions, for real: moto enforces IAM policies once its auth is switched on.
//! An auditor with `docs/auditor-policy.json` reads everything; one without some actions
//! gets unknowns naming them and the missing-permission list; bad credentials exit 2.

use std::io::{Read, Write};
use std::net::TcpStream;

use super::equivalence::seeded;
use super::harness::live_scan_command;

/// An IAM user of moto with `policy` inline, and its access key.
async fn user(
    sdk: &aws_config::SdkConfig,
    name: &str,
    policy: &serde_json::Value,
) -> (String, String) {
    let iam = aws_sdk_iam::Client::new(sdk);
    iam.create_user()
        .user_name(name)
        .send()
        .await
        .expect("CreateUser");
    iam.put_user_policy()
        .user_name(name)
        .policy_name("cbaudit-auditor")
        .policy_document(policy.to_string())
        .send()
        .await
        .expect("PutUserPolicy");
    let key = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .expect("CreateAccessKey");
    let key = key.access_key().expect("access key");
    (
        key.access_key_id().to_string(),
        key.secret_access_key().to_string(),
    )
}

/// From now on moto checks every request against IAM.
fn enforce_auth(port: u16) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("moto");
    let body = "0";
    write!(
        s,
        "POST /moto-api/reset-auth HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("read");
    assert!(
        answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200"),
        "{answer}"
    );
}

fn scan(endpoint: &str, key: &(String, String), format: &str) -> (i32, String, String) {
    let out = live_scan_command(endpoint, format)
        .env("AWS_ACCESS_KEY_ID", &key.0)
        .env("AWS_SECRET_ACCESS_KEY", &key.1)
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// moto authorizes a few operations under other action names than AWS: CloudWatch under
/// its signing name (`monitoring:`), and S3 sub-resources its action map lacks
/// (`?encryption`, `?replication`, `?publicAccessBlock`) as `s3:ListBucket`, and S3
/// Control's account-level block as `s3:GetPublicAccessBlock`. The auditor
/// policy names AWS's actions; the test user also gets moto's.
fn with_moto_names(policy: &serde_json::Value) -> serde_json::Value {
    let mut p = policy.clone();
    p["Statement"]
        .as_array_mut()
        .expect("statements")
        .push(serde_json::json!({
            "Sid": "MotoActionNames",
            "Effect": "Allow",
            "Action": ["monitoring:DescribeAlarms", "s3:ListBucket", "s3:GetPublicAccessBlock"],
            "Resource": "*"
        }));
    p
}

fn without(policy: &serde_json::Value, denied: &[&str]) -> serde_json::Value {
    let mut p = policy.clone();
    for st in p["Statement"].as_array_mut().expect("statements") {
        let actions = st["Action"].as_array_mut().expect("actions");
        actions.retain(|a| !denied.contains(&a.as_str().unwrap_or("")));
    }
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denied_calls_are_unknowns_naming_the_permission() {
    let (moto, seeder) = seeded("clever-better/violating").await;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/auditor-policy.json");
    let policy: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("policy")).expect("JSON");
    // (moto enforces IAM for EC2 and ELBv2 among others, not for Secrets Manager)
    let denied = [
        "ec2:DescribeFlowLogs",
        "elasticloadbalancing:DescribeListeners",
    ];
    let full = user(&seeder.sdk, "auditor", &with_moto_names(&policy)).await;
    let partial = user(
        &seeder.sdk,
        "partial-auditor",
        &with_moto_names(&without(&policy, &denied)),
    )
    .await;
    enforce_auth(moto.port);
    let endpoint = moto.endpoint();

    // The documented auditor policy is enough: nothing is missing.
    let (code, out, err) = scan(&endpoint, &full, "json");
    assert_eq!(code, 1, "findings, no error: {err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON report");
    assert!(
        report.get("missing_permissions").is_none(),
        "{}",
        report["missing_permissions"]
    );

    // Without two actions: their rules are unknown and name them; the scan goes on.
    let (code, out, err) = scan(&endpoint, &partial, "json");
    assert_eq!(code, 1, "the other rules still find the violations: {err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON report");
    assert_eq!(report["missing_permissions"], serde_json::json!(denied));
    let unknown_naming = |rule: &str, permission: &str| {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| {
                f["rule_id"] == rule
                    && f["outcome"] == "unknown"
                    && f["message"].as_str().unwrap_or("").contains(permission)
            })
    };
    assert!(
        unknown_naming("CB-NET-005", "ec2:DescribeFlowLogs"),
        "{out}"
    );
    assert!(
        unknown_naming("CB-TLS-001", "elasticloadbalancing:DescribeListeners"),
        "{out}"
    );
    assert!(
        unknown_naming("CB-TLS-002", "elasticloadbalancing:DescribeListeners"),
        "{out}"
    );
    let fails = |rule: &str| {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["rule_id"] == rule && f["outcome"] == "fail")
    };
    assert!(fails("CB-RDS-001"), "readable rules still fail: {out}");

    // The human report ends with the list.
    let (_, human, _) = scan(&endpoint, &partial, "human");
    let tail = human
        .rsplit("Missing permissions")
        .next()
        .expect("a missing-permission section");
    for p in denied {
        assert!(tail.contains(p), "{human}");
    }

    // Credentials that work nowhere: exit 2 with a diagnostic.
    let (code, out, err) = scan(
        &endpoint,
        &("AKIANOTAKEY000000000".into(), "wrong".into()),
        "json",
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("credentials"), "{err}");
}
