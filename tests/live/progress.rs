//! Progress bars: drawn on a terminal (a pseudo-terminal from util-linux `script`), never
//! when stderr is not a terminal, never with `--quiet`.

use std::process::Command;

use super::equivalence::seeded;
use super::harness::{live_scan_command, scan_env, REGION};

fn cbaudit() -> String {
    assert_cmd::cargo::cargo_bin("cbaudit")
        .display()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_bars_only_on_a_terminal() {
    let (moto, _seeder) = seeded("clever-better/compliant").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("report.json");
    let scan = |extra: &str| {
        format!(
            "{} scan --live --endpoint-url {} --region {REGION} --format json --output {} {extra}",
            cbaudit(),
            moto.endpoint(),
            report.display()
        )
    };

    // Under a terminal: bars with the region and the services count.
    let tty = Command::new("script")
        .args(["-qec", &scan(""), "/dev/null"])
        .envs(scan_env())
        .output()
        .expect("script runs");
    let shown = String::from_utf8_lossy(&tty.stdout);
    assert!(
        shown.contains(REGION) && shown.contains("services"),
        "no bar on a terminal: {shown:?}"
    );

    // Not a terminal: no bar (only the one-line summary).
    let piped = live_scan_command(&moto.endpoint(), "json")
        .arg("--output")
        .arg(&report)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(!stderr.contains("services"), "{stderr}");
    assert!(stderr.contains("API calls"), "{stderr}");

    // --quiet on a terminal: nothing at all.
    let quiet = Command::new("script")
        .args(["-qec", &scan("--quiet"), "/dev/null"])
        .envs(scan_env())
        .output()
        .expect("script runs");
    let shown = String::from_utf8_lossy(&quiet.stdout);
    assert!(
        !shown.contains("services") && !shown.contains("API calls"),
        "{shown:?}"
    );
}
