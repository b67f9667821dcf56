//! Starts moto's server (PyPI `moto[server]`, pinned in scripts/test) on a free loopback
//! port for one test, and stops it when dropped.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "eu-west-2";

/// Where scripts/test installed moto: `CBAUDIT_MOTO_SERVER`, else the virtualenv under
/// `~/.cache/cbaudit/moto-venv`.
fn moto_server() -> PathBuf {
    if let Some(p) = std::env::var_os("CBAUDIT_MOTO_SERVER") {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".cache/cbaudit/moto-venv/bin/moto_server")
}

pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    pub fn start() -> Moto {
        let server = moto_server();
        assert!(
            server.exists(),
            "moto's server is not installed at {} (scripts/test installs it; or set CBAUDIT_MOTO_SERVER)",
            server.display()
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_ALLOW_NONEXISTENT_REGION", "false")
            // AWS-managed policies (AdministratorAccess…) exist, as in an account.
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let moto = Moto { child, port };
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let start = Instant::now();
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "moto_server did not listen on {addr} within 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// An SDK configuration for seeding: static test credentials, the test region.
    pub async fn sdk(&self) -> SdkConfig {
        sdk_for(&self.endpoint()).await
    }
}

pub async fn sdk_for(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(endpoint)
        .credentials_provider(aws_credential_types::Credentials::for_tests())
        .load()
        .await
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The environment a live scan in these tests runs with: test credentials in the
/// environment (the default chain reads them), no profile files, no instance metadata.
pub fn scan_env() -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_SESSION_TOKEN", "testing".into()),
        ("AWS_CONFIG_FILE", "/nonexistent/cbaudit-test-config".into()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/cbaudit-test-credentials".into(),
        ),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_REGION", REGION.into()),
    ]
}

/// `cbaudit scan --live --endpoint-url <endpoint> --region <REGION> --format <format>` in
/// [`scan_env`]: add arguments and environment, then run it.
pub fn live_scan_command(endpoint: &str, format: &str) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("cbaudit").expect("binary");
    cmd.args([
        "scan",
        "--live",
        "--endpoint-url",
        endpoint,
        "--region",
        REGION,
        "--format",
        format,
    ])
    .envs(scan_env());
    cmd
}

/// Sets [`scan_env`] in this process, once (for in-process scans).
pub fn set_scan_env() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        for (k, v) in scan_env() {
            std::env::set_var(k, v);
        }
    });
}
