//! Bad live input is a diagnostic and exit status 2, never a panic or a silent pass.

use assert_cmd::Command;

fn scan(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let out = Command::cargo_bin("cbaudit")
        .expect("binary")
        .arg("scan")
        .args(args)
        .env_clear()
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
        .envs(env.iter().copied())
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

const KEYS: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
    ("AWS_SECRET_ACCESS_KEY", "secret"),
];

/// A loopback port that refuses connections for as long as the socket lives.
fn closed_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("address"))
        .expect("bind");
    let port = socket.local_addr().expect("bound").port();
    (socket, port)
}

#[test]
fn no_region() {
    let (code, err) = scan(&["--live"], KEYS);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cbaudit::live::no_region"), "{err}");
}

#[test]
fn not_a_url() {
    let (code, err) = scan(
        &[
            "--live",
            "--region",
            "eu-west-2",
            "--endpoint-url",
            "not a url",
        ],
        KEYS,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cbaudit::cli::endpoint_url"), "{err}");
}

#[test]
fn nothing_listens() {
    // A socket bound but never listening holds the port for the whole test,
    // so no other test's server can take it, and a connection to it is
    // refused at once.
    let (_held, port) = closed_port();
    let url = format!("http://127.0.0.1:{port}");
    let (code, err) = scan(
        &[
            "--live",
            "--region",
            "eu-west-2",
            "--endpoint-url",
            &url,
            "--timeout",
            "30",
        ],
        KEYS,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot reach AWS"), "{err}");
}

#[test]
fn no_credentials() {
    let (_held, port) = closed_port();
    let url = format!("http://127.0.0.1:{port}");
    let (code, err) = scan(
        &["--live", "--region", "eu-west-2", "--endpoint-url", &url],
        &[],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no credentials found"), "{err}");
}

#[test]
fn bad_accounts_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("accounts.txt");
    std::fs::write(&file, "123456789012\n12345\n").unwrap();
    let (code, err) = scan(
        &[
            "--accounts",
            file.to_str().unwrap(),
            "--region",
            "eu-west-2",
        ],
        KEYS,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("line 2") && err.contains("12-digit"), "{err}");
    let (code, err) = scan(
        &[
            "--accounts",
            "/nonexistent/accounts.txt",
            "--region",
            "eu-west-2",
        ],
        KEYS,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cbaudit::live::accounts"), "{err}");
}
