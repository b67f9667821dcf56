//! Secrets never leave the process: a literal password a task definition passes in its
//! environment (the violating fixture's `DB_PASSWORD`) is found live, and appears in no
//! output format.

use super::equivalence::seeded;
use super::harness::live_scan_command;

const SECRET: &str = "tr4d3r-Pr0d-2024!";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_secrets_are_never_printed() {
    let (moto, _seeder) = seeded("clever-better/violating").await;
    for format in ["human", "json", "sarif", "junit", "github"] {
        let out = live_scan_command(&moto.endpoint(), format)
            .args(["--color", "always"])
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if format == "human" && std::env::var_os("CBAUDIT_SHOW").is_some() {
            eprintln!("{stdout}{stderr}");
        }
        assert_eq!(out.status.code(), Some(1), "{format}: {stderr}");
        assert!(
            stdout.contains("CB-ECS-006"),
            "{format}: the literal secret is found"
        );
        assert!(
            !stdout.contains(SECRET) && !stderr.contains(SECRET),
            "{format} printed the secret"
        );
    }
}
