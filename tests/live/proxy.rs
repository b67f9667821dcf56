//! A loopback HTTP proxy between the SDK and moto that injects faults on a share of the
//! calls: throttling errors in each protocol's own shape, 5xx answers, slow answers and
//! dropped connections. Faults are chosen by a seeded generator: runs are repeatable.
//! It can also corrupt the bodies of chosen operations' answers ([`Corrupt`]) while
//! keeping their content, so a test can check that no part of a body reaches a report.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy)]
pub struct Faults {
    /// Percentages of requests answered with each fault (the rest are forwarded).
    pub throttle: u64,
    pub server_error: u64,
    pub slow: u64,
    pub drop: u64,
    /// How long a slow answer waits before it is forwarded.
    pub delay: Duration,
}

impl Faults {
    /// No fault: the proxy only mends moto's deviations.
    pub fn none() -> Faults {
        Faults {
            throttle: 0,
            server_error: 0,
            slow: 0,
            drop: 0,
            delay: Duration::ZERO,
        }
    }
}

/// How the bodies of some answers are corrupted: the original text stays inside (a
/// plaintext secret in it is still there), but the SDK cannot decode it.
#[derive(Debug, Clone)]
pub struct Corrupt {
    /// Operations whose answers are corrupted (`DescribeTaskDefinition`: the JSON
    /// `X-Amz-Target` suffix, the Query `Action`, or a REST path/query marker such as
    /// `versioning`); empty: every operation.
    pub operations: Vec<&'static str>,
    pub mode: CorruptMode,
    /// Whether to keep moto's deviations unmended (the S3 `GetBucketVersioning` root).
    pub unmended: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorruptMode {
    /// Garbage before and after the body: `<<<garbage` + body + `garbage>>>`.
    Garbage,
    /// The body without its last quarter (the JSON or XML never closes).
    Truncate,
    /// Nothing: the body passes (with `unmended`, moto's own deviations reach the SDK).
    None,
}

impl Corrupt {
    /// Whether the request (head and body) is one of the chosen operations.
    fn applies(&self, head: &str, body: &[u8]) -> bool {
        if self.mode == CorruptMode::None {
            return false;
        }
        if self.operations.is_empty() {
            return true;
        }
        let lower = head.to_ascii_lowercase();
        let target = lower
            .lines()
            .find_map(|l| l.strip_prefix("x-amz-target:"))
            .map(|t| t.trim().to_string())
            .unwrap_or_default();
        let request_line = lower.lines().next().unwrap_or("").to_string();
        let body = String::from_utf8_lossy(body).to_ascii_lowercase();
        self.operations.iter().any(|op| {
            let op = op.to_ascii_lowercase();
            target.ends_with(&format!(".{op}"))
                || body.contains(&format!("action={op}"))
                || request_line.contains(&format!("?{op}"))
                || request_line.contains(&format!("&{op}"))
        })
    }

    fn apply(&self, body: &[u8]) -> Vec<u8> {
        match self.mode {
            CorruptMode::Garbage => {
                let mut out = b"<<<garbage ".to_vec();
                out.extend_from_slice(body);
                out.extend_from_slice(b" garbage>>>");
                out
            }
            CorruptMode::Truncate => body[..body.len() * 3 / 4].to_vec(),
            CorruptMode::None => body.to_vec(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Counts {
    pub requests: AtomicU64,
    pub throttled: AtomicU64,
    pub server_errors: AtomicU64,
    pub slowed: AtomicU64,
    pub dropped: AtomicU64,
    pub corrupted: AtomicU64,
}

pub struct Proxy {
    pub port: u16,
    pub counts: Arc<Counts>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    pub async fn start(upstream: u16, faults: Faults, seed: u64) -> Proxy {
        Proxy::start_with(upstream, faults, seed, None).await
    }

    /// A proxy that also corrupts the answers `corrupt` chooses.
    pub async fn corrupting(upstream: u16, corrupt: Corrupt) -> Proxy {
        Proxy::start_with(upstream, Faults::none(), 1, Some(corrupt)).await
    }

    async fn start_with(
        upstream: u16,
        faults: Faults,
        seed: u64,
        corrupt: Option<Corrupt>,
    ) -> Proxy {
        let corrupt = Arc::new(corrupt);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let counts = Arc::new(Counts::default());
        let state = Arc::new(AtomicU64::new(seed.max(1)));
        let c = counts.clone();
        let task = tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let (c, state, corrupt) = (c.clone(), state.clone(), corrupt.clone());
                tokio::spawn(async move {
                    let _ = serve(
                        conn,
                        upstream,
                        faults,
                        &c,
                        &state,
                        corrupt.as_ref().as_ref(),
                    )
                    .await;
                });
            }
        });
        Proxy { port, counts, task }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// xorshift: a repeatable draw in 0..100.
fn draw(state: &AtomicU64) -> u64 {
    let mut x = state.load(Ordering::Relaxed);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    state.store(x, Ordering::Relaxed);
    x % 100
}

/// Reads one request: head and Content-Length body.
async fn read_request(conn: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(Some(buf))
}

/// The service of a signed request, from its credential scope.
fn service(head: &str) -> String {
    head.lines()
        .find(|l| l.to_ascii_lowercase().starts_with("authorization:"))
        .and_then(|l| l.split("Credential=").nth(1))
        .and_then(|c| c.split('/').nth(3))
        .unwrap_or("")
        .to_string()
}

/// A throttling answer in the protocol the service speaks.
fn throttling(head: &str) -> (u16, String, String) {
    let lower = head.to_ascii_lowercase();
    if lower.contains("x-amz-target:") || service(head) == "guardduty" {
        return (
            400,
            "application/x-amz-json-1.1\r\nx-amzn-ErrorType: ThrottlingException".into(),
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.into(),
        );
    }
    match service(head).as_str() {
        "ec2" => (
            503,
            "text/xml".into(),
            "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>fault</RequestID></Response>".into(),
        ),
        "s3" => (
            503,
            "application/xml".into(),
            "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>fault</RequestId></Error>".into(),
        ),
        _ => (
            400,
            "text/xml".into(),
            "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>fault</RequestId></ErrorResponse>".into(),
        ),
    }
}

async fn respond(
    conn: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &str,
) -> std::io::Result<()> {
    let reason = if status == 503 {
        "Service Unavailable"
    } else if status == 500 {
        "Internal Server Error"
    } else {
        "Bad Request"
    };
    let msg = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    conn.write_all(msg.as_bytes()).await
}

/// moto 5.2.5 serializes S3 GetBucketVersioning with the root element
/// `GetBucketVersioningResponse`; S3 (and the Rust SDK, which checks) uses
/// `VersioningConfiguration`. Everything else passes unchanged.
fn mend(body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    if text.contains("<GetBucketVersioningResponse") {
        return text
            .replace("<GetBucketVersioningResponse", "<VersioningConfiguration")
            .replace(
                "</GetBucketVersioningResponse>",
                "</VersioningConfiguration>",
            )
            .into_bytes();
    }
    body.to_vec()
}

/// One request per connection: answered with a fault or forwarded, then closed.
async fn serve(
    mut conn: TcpStream,
    upstream: u16,
    faults: Faults,
    counts: &Counts,
    state: &AtomicU64,
    corrupt: Option<&Corrupt>,
) -> std::io::Result<()> {
    let Some(request) = read_request(&mut conn).await? else {
        return Ok(());
    };
    counts.requests.fetch_add(1, Ordering::Relaxed);
    let head_end = request
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(0);
    let head = String::from_utf8_lossy(&request[..head_end]).to_string();
    let corrupting =
        corrupt.filter(|c| c.applies(&head, request.get(head_end + 4..).unwrap_or_default()));
    let roll = draw(state);
    let mut edge = faults.throttle;
    if roll < edge {
        counts.throttled.fetch_add(1, Ordering::Relaxed);
        let (status, ct, body) = throttling(&head);
        return respond(&mut conn, status, &ct, &body).await;
    }
    edge += faults.server_error;
    if roll < edge {
        counts.server_errors.fetch_add(1, Ordering::Relaxed);
        return respond(&mut conn, 503, "text/plain", "upstream unavailable").await;
    }
    edge += faults.drop;
    if roll < edge {
        counts.dropped.fetch_add(1, Ordering::Relaxed);
        return Ok(()); // the connection closes without an answer
    }
    edge += faults.slow;
    if roll < edge {
        counts.slowed.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(faults.delay).await;
    }
    // Forward with `Connection: close` so the upstream answer ends at EOF.
    let mut upstream = TcpStream::connect(("127.0.0.1", upstream)).await?;
    let mut rewritten = Vec::with_capacity(request.len() + 32);
    for line in head.split("\r\n") {
        let l = line.to_ascii_lowercase();
        if l.starts_with("connection:") || l.starts_with("keep-alive:") {
            continue;
        }
        rewritten.extend_from_slice(line.as_bytes());
        rewritten.extend_from_slice(b"\r\n");
    }
    rewritten.extend_from_slice(b"Connection: close\r\n\r\n");
    rewritten.extend_from_slice(&request[head_end + 4..]);
    upstream.write_all(&rewritten).await?;
    let mut answer = Vec::new();
    upstream.read_to_end(&mut answer).await?;
    // Tell the client this connection ends here (and mend moto's known deviations).
    let answer = match answer.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(end) => {
            let head = String::from_utf8_lossy(&answer[..end]);
            let raw = &answer[end + 4..];
            let mut body = if corrupt.is_some_and(|c| c.unmended) {
                raw.to_vec()
            } else {
                mend(raw)
            };
            if let Some(c) = corrupting {
                counts.corrupted.fetch_add(1, Ordering::Relaxed);
                body = c.apply(&body);
            }
            let mut out = Vec::with_capacity(answer.len() + 24);
            for line in head.split("\r\n") {
                let l = line.to_ascii_lowercase();
                if l.starts_with("connection:") || l.starts_with("content-length:") {
                    continue;
                }
                out.extend_from_slice(line.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
            out.extend_from_slice(b"Connection: close\r\n\r\n");
            out.extend_from_slice(&body);
            out
        }
        None => answer,
    };
    conn.write_all(&answer).await?;
    conn.shutdown().await
}
