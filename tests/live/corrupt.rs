//! Nothing from a response body reaches a report or a log: answers the SDK cannot decode
//! (corrupted by the proxy, with a task definition's plaintext environment value still
//! inside; or moto's own S3 `GetBucketVersioning` deviation, unmended) become unknowns
//! with a one-line reason, in every output format and on standard error, `--verbose` too.

use assert_cmd::Command;

use super::equivalence::seeded;
use super::harness::{scan_env, REGION};
use super::proxy::{Corrupt, CorruptMode, Proxy};

/// The violating fixture's task definition passes this password as a plain environment
/// value (`DB_PASSWORD`).
const SECRET: &str = "tr4d3r-Pr0d-2024!";

/// Debug renderings of the SDK's raw response: none may reach an output.
const DEBUG_MARKERS: &[&str] = &[
    "HttpResponse",
    "SdkBody",
    "Headers {",
    "ResponseError",
    "ServiceError {",
    "raw:",
    "<<<garbage",
];

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

async fn scan(endpoint: &str, format: &str, verbose: bool) -> Run {
    let mut args = vec![
        "scan".to_string(),
        "--live".into(),
        "--endpoint-url".into(),
        endpoint.to_string(),
        "--region".into(),
        REGION.into(),
        "--format".into(),
        format.into(),
        "--color".into(),
        "never".into(),
    ];
    if verbose {
        args.push("--verbose".into());
    }
    let out = tokio::task::spawn_blocking(move || {
        Command::cargo_bin("cbaudit")
            .expect("binary")
            .args(&args)
            .envs(scan_env())
            .output()
            .expect("runs")
    })
    .await
    .expect("joins");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// No secret, no body, no debug rendering anywhere in the run's output.
fn assert_clean(run: &Run, what: &str) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text.contains(SECRET),
            "{what}: the plaintext environment value is on {stream}"
        );
        for marker in DEBUG_MARKERS {
            assert!(
                !text.contains(marker),
                "{what}: {stream} holds `{marker}`:\n{text}"
            );
        }
    }
}

/// The JSON findings' messages.
fn findings(run: &Run) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("JSON output ({e}):\n{}\n{}", run.stdout, run.stderr));
    report["findings"].as_array().cloned().unwrap_or_default()
}

fn assert_one_line(message: &str, what: &str) {
    assert!(
        message.len() < 300 && !message.contains('\n'),
        "{what}: a reason is one short line, got {} chars: {message}",
        message.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupted_answers_never_reach_a_report() {
    let (moto, _seeder) = seeded("clever-better/violating").await;
    for mode in [CorruptMode::Garbage, CorruptMode::Truncate] {
        let proxy = Proxy::corrupting(
            moto.port,
            Corrupt {
                operations: vec!["DescribeTaskDefinition"],
                mode,
                unmended: false,
            },
        )
        .await;
        let endpoint = proxy.endpoint();
        let runs: &[(&str, bool)] = match mode {
            CorruptMode::Garbage => &[
                ("json", false),
                ("human", false),
                ("sarif", false),
                ("junit", false),
                ("github", false),
                ("json", true),
                ("human", true),
            ],
            _ => &[("json", true), ("human", false)],
        };
        for &(format, verbose) in runs {
            let what = format!(
                "{mode:?} --format {format}{}",
                if verbose { " --verbose" } else { "" }
            );
            let run = scan(&endpoint, format, verbose).await;
            assert!(
                matches!(run.code, Some(0) | Some(1)),
                "{what}: the scan completes ({:?}):\n{}",
                run.code,
                run.stderr
            );
            assert_clean(&run, &what);
            if verbose {
                assert!(
                    run.stderr.contains("ecs:DescribeTaskDefinition failed (")
                        && run.stderr.contains("body not shown"),
                    "{what}: --verbose logs the failed call without its body:\n{}",
                    run.stderr
                );
                for line in run.stderr.lines() {
                    assert!(line.len() < 1000, "{what}: a log line is short: {line}");
                }
            }
            if format == "json" {
                let all = findings(&run);
                let ecs6: Vec<&serde_json::Value> = all
                    .iter()
                    .filter(|f| f["rule_id"] == "CB-ECS-006")
                    .collect();
                assert!(!ecs6.is_empty(), "{what}: CB-ECS-006 reports");
                for f in &ecs6 {
                    let message = f["message"].as_str().unwrap_or_default();
                    assert_eq!(f["outcome"], "unknown", "{what}: {message}");
                    assert!(
                        message.contains(
                            "ecs:DescribeTaskDefinition failed: could not decode the response"
                        ),
                        "{what}: the reason names the call and what went wrong: {message}"
                    );
                    assert_one_line(message, &what);
                }
                for f in all.iter().filter(|f| f["outcome"] == "unknown") {
                    assert_one_line(f["message"].as_str().unwrap_or_default(), &what);
                }
            }
        }
        assert!(
            proxy
                .counts
                .corrupted
                .load(std::sync::atomic::Ordering::Relaxed)
                > 0,
            "{mode:?}: answers were corrupted"
        );
    }

    // Every answer corrupted: the scan cannot even learn its account, and says so in a
    // line that holds nothing of the bodies.
    let proxy = Proxy::corrupting(
        moto.port,
        Corrupt {
            operations: Vec::new(),
            mode: CorruptMode::Garbage,
            unmended: false,
        },
    )
    .await;
    let run = scan(&proxy.endpoint(), "json", true).await;
    assert_clean(&run, "every answer corrupted");
    assert!(
        run.stderr.contains("could not decode the response"),
        "every answer corrupted: {}",
        run.stderr
    );
}

/// moto answers S3 `GetBucketVersioning` with a root element the SDK rejects (the tests'
/// proxy mends it): scanned directly, the finding's reason is one line naming the call,
/// not the SDK's debug rendering of the raw answer (about 2,000 characters of headers,
/// body and Rust structures before).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undecodable_answer_is_one_short_line() {
    // The compliant architecture replicates its model bucket: the replication rule reads
    // both buckets' versioning.
    let (moto, _seeder) = seeded("clever-better/compliant").await;
    let run = scan(&moto.endpoint(), "json", false).await;
    assert!(matches!(run.code, Some(0) | Some(1)), "{}", run.stderr);
    assert_clean(&run, "moto directly");
    let all = findings(&run);
    let versioning: Vec<&str> = all
        .iter()
        .filter_map(|f| f["message"].as_str())
        .filter(|m| m.contains("s3:GetBucketVersioning"))
        .collect();
    assert!(
        !versioning.is_empty(),
        "moto's GetBucketVersioning deviation reaches a finding (is moto fixed? then this \
         reproduction needs another undecodable answer)"
    );
    for m in &versioning {
        assert!(
            m.contains("s3:GetBucketVersioning failed: could not decode the response"),
            "{m}"
        );
    }
    for f in all.iter().filter(|f| f["outcome"] == "unknown") {
        assert_one_line(f["message"].as_str().unwrap_or_default(), "moto directly");
    }
}
