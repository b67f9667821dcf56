//! Secrets never leave the process: no sensitive plan value and no value of a
//! secret-looking container environment variable appears in any output format.

use std::path::Path;

use assert_cmd::Command;

/// The canary the plan-features fixture carries in a sensitive variable (database password,
/// container environment) and the literal secret of the violating fixture's task definition.
const CANARIES: &[&str] = &["canary-s3cr3t-value", "team-canary-pw-123"];

fn fixture(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// Literal values of secret-looking environment variables in a plan's container definitions.
fn secret_env_values(plan: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(plan).expect("plan");
    let plan: serde_json::Value = serde_json::from_str(&text).expect("json");
    let mut values = Vec::new();
    for rc in plan["resource_changes"].as_array().into_iter().flatten() {
        let Some(defs) = rc["change"]["after"]["container_definitions"].as_str() else {
            continue;
        };
        let Ok(defs) = serde_json::from_str::<serde_json::Value>(defs) else {
            continue;
        };
        for c in defs.as_array().into_iter().flatten() {
            for e in c["environment"].as_array().into_iter().flatten() {
                let name = e["name"].as_str().unwrap_or_default().to_ascii_uppercase();
                let value = e["value"].as_str().unwrap_or_default();
                let secretish = [
                    "PASSWORD",
                    "SECRET",
                    "TOKEN",
                    "API_KEY",
                    "APIKEY",
                    "CREDENTIAL",
                ]
                .iter()
                .any(|p| name.contains(p));
                if secretish && value.len() >= 6 {
                    values.push(value.to_string());
                }
            }
        }
    }
    values
}

#[test]
fn no_secret_appears_in_any_output_format() {
    let plans = [
        fixture("plan-features/plan.json"),
        fixture("clever-better/violating/plan.json"),
        fixture("rules/CB-ECS-006/fail/plan.json"),
        fixture("independent/violating/plan.json"),
        fixture("team-modules/plan.json"),
        fixture("team-modules"),
        fixture("clever-better/violating"),
    ];
    for plan in &plans {
        // A configuration directory is scanned as HCL; its plan tells what is secret.
        let plan_file = if plan.is_dir() {
            plan.join("plan.json")
        } else {
            plan.clone()
        };
        let text = std::fs::read_to_string(&plan_file).expect("plan");
        let mut secrets: Vec<String> = CANARIES
            .iter()
            .filter(|c| text.contains(*c))
            .map(|c| c.to_string())
            .collect();
        secrets.extend(secret_env_values(&plan_file));
        assert!(
            !secrets.is_empty(),
            "{}: the fixture must carry a secret to test",
            plan.display()
        );
        for format in ["human", "json", "sarif", "junit", "github", "gitlab"] {
            let out = Command::cargo_bin("cbaudit")
                .expect("binary")
                .arg("scan")
                .arg(plan)
                .args(["--format", format])
                .output()
                .expect("runs");
            assert_ne!(
                out.status.code(),
                Some(2),
                "{}: {}",
                plan.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            let all = [out.stdout, out.stderr].concat();
            let all = String::from_utf8_lossy(&all);
            for secret in &secrets {
                assert!(
                    !all.contains(secret.as_str()),
                    "{} --format {format} printed a secret value",
                    plan.display()
                );
            }
        }
    }
}

#[test]
fn the_secret_in_plain_environment_is_reported_by_name() {
    let out = Command::cargo_bin("cbaudit")
        .expect("binary")
        .arg("scan")
        .arg(fixture("plan-features/plan.json"))
        .args(["--select", "CB-ECS-006", "--format", "json"])
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("DB_PASSWORD")),
        "the sensitive DB_PASSWORD is still checked: {messages:?}"
    );
}

/// A literal password beside a flagged attribute: the source snippet of the finding masks
/// it (the provider schema marks `password` sensitive even where no variable does).
#[test]
fn snippets_mask_literal_secrets_next_to_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("main.tf"),
        r#"provider "aws" {
  region = "eu-west-1"
}
resource "aws_db_instance" "db" {
  identifier              = "db"
  password                = "literal-canary-pw-42"
  backup_retention_period = 7
  storage_encrypted       = true
}
"#,
    )
    .expect("write");
    for format in ["human", "json", "sarif", "junit", "github", "gitlab"] {
        let out = Command::cargo_bin("cbaudit")
            .expect("binary")
            .arg("scan")
            .arg(dir.path())
            .args([
                "--select",
                "CB-RDS-003",
                "--format",
                format,
                "--color",
                "never",
            ])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1));
        let all = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).to_string();
        assert!(
            !all.contains("literal-canary-pw-42"),
            "--format {format} printed the password:\n{all}"
        );
        if format == "human" {
            assert!(
                all.contains("backup_retention_period = 7"),
                "the snippet is still shown:\n{all}"
            );
        }
    }
}

/// A literal password inside a `jsonencode` whose image is known only after apply: the
/// plan shows the container definitions as unknown, the configuration beside it (or the
/// directory) finds the password; no way of scanning prints it, nor the internal marker of
/// an unknown part.
#[test]
fn partial_container_definitions_never_print_their_secret() {
    let dir = fixture("styles/partial/ecr-images");
    let alone = tempfile::tempdir().expect("tempdir");
    std::fs::copy(dir.join("plan.json"), alone.path().join("plan.json")).expect("copy");
    let main = std::fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    assert!(
        main.contains("hunter2-plaintext"),
        "the fixture carries the secret"
    );
    for input in [
        dir.clone(),
        dir.join("plan.json"),
        alone.path().join("plan.json"),
    ] {
        for format in ["human", "json", "sarif", "junit", "github", "gitlab"] {
            let out = Command::cargo_bin("cbaudit")
                .expect("binary")
                .arg("scan")
                .arg(&input)
                .args(["--format", format, "--color", "never"])
                .output()
                .expect("runs");
            assert_ne!(out.status.code(), Some(2), "{}", input.display());
            let all = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).to_string();
            for leak in ["hunter2-plaintext", "cbaudit-unknown", "\\u0000", "\u{0}"] {
                assert!(
                    !all.contains(leak),
                    "{} --format {format} printed {leak:?}",
                    input.display()
                );
            }
        }
    }
}
