//! What every service reader gets (`Ctx`: SDK configuration, account, region) and what it
//! gives back (`Batch`: resources and gaps), plus ARNs and what a failed call becomes
//! (`why`: a denial names the permission, [`super::denial`] decides which are denials).

use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::model::{
    ident, Body, Field, Gap, Kind, Origin, Provenance, Refs, Resource, Tags, Unknown,
};

use super::denial::is_denied;
use super::recorder::Recorder;

/// One account × region (global services get the scan's first region).
#[derive(Clone)]
pub struct Ctx {
    pub sdk: aws_config::SdkConfig,
    pub account: String,
    pub region: String,
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    /// An endpoint override is set (`--endpoint-url`): S3 must use path-style addressing.
    pub endpoint_override: bool,
    pub recorder: Recorder,
    /// `live:<account>/<region>`.
    pub input: Arc<str>,
}

/// Builds a service client from the scan's configuration with the recorder attached:
/// `client!(ctx, aws_sdk_ec2)`.
macro_rules! client {
    ($ctx:expr, $krate:ident) => {{
        let conf = $krate::config::Builder::from(&$ctx.sdk)
            .interceptor($ctx.recorder.clone())
            .build();
        $krate::Client::from_conf(conf)
    }};
}
pub(crate) use client;

impl Ctx {
    /// `arn:aws:<service>:<region>:<account>:<resource>`.
    pub fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{}:{}:{resource}",
            self.partition, self.region, self.account
        )
    }

    /// ARN of a global service (IAM): no region.
    pub fn global_arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}::{}:{resource}",
            self.partition, self.account
        )
    }

    /// A live resource: `address` is its ARN (or, for objects without one, its parent's ARN
    /// and a path: `…:route-table/rtb-1/association/rtbassoc-2`). `identifiers` are the
    /// names other resources use for it (id, name, ARN; the address is added).
    pub fn resource(
        &self,
        resource_type: &str,
        address: String,
        identifiers: Vec<String>,
        tags: Field<Tags>,
        kind: impl Into<Body>,
    ) -> Resource {
        let mut ids = identifiers;
        if !ids.contains(&address) {
            ids.push(address.clone());
        }
        Resource {
            resource_type: resource_type.to_string(),
            provenance: Provenance::new(Origin::Live, address, self.input.clone())
                .in_account(&self.account, &self.region),
            identifiers: ids,
            tags,
            body: kind.into(),
            secrets: Vec::new(),
        }
    }
}

/// What a reader read.
#[derive(Debug, Default)]
pub struct Batch {
    pub resources: Vec<Resource>,
    pub gaps: Vec<Gap>,
}

impl Batch {
    pub fn push(&mut self, resource: Resource) {
        self.resources.push(resource);
    }

    /// A call failed: resources of `kinds` may be missing; rules that need them report
    /// unknown with the reason (for a denial, the missing `permission`).
    pub fn gap<E>(&mut self, kinds: &[Kind], permission: &str, err: &SdkError<E, HttpResponse>)
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.gaps.push(Gap {
            kinds: kinds.to_vec(),
            reason: why(permission, err),
        });
    }

    /// [`Batch::gap`], unless a gap for exactly `kinds` is already recorded: for a call
    /// made once per parent (a repository's lifecycle policy, a topic's subscriptions),
    /// one gap says resources of `kinds` may be missing; later failures add nothing.
    pub fn gap_once<E>(&mut self, kinds: &[Kind], permission: &str, err: &SdkError<E, HttpResponse>)
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        if !self.gaps.iter().any(|g| g.kinds == kinds) {
            self.gap(kinds, permission, err);
        }
    }
}

/// The longest service error message a reason keeps (it is the service's own text).
const MESSAGE_MAX: usize = 200;

static VERBOSE: AtomicBool = AtomicBool::new(false);

/// `cbaudit scan --verbose`: every failed call is also logged to standard error, with
/// what the SDK said about it (never a response body).
pub fn set_verbose(on: bool) {
    VERBOSE.store(on, Ordering::Relaxed);
}

fn verbose() -> bool {
    VERBOSE.load(Ordering::Relaxed)
}

/// `text` on one line (control characters become spaces, runs of spaces one), at most
/// `max` characters (an ellipsis marks the cut).
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let words = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty());
    let joined = words.collect::<Vec<_>>().join(" ");
    if joined.chars().count() <= max {
        return joined;
    }
    let mut cut: String = joined.chars().take(max).collect();
    cut.push('…');
    cut
}

/// One short line for a failed call: the service's error code and message (the message
/// cut at 200 characters), or what went wrong on the way. Never the SDK's debug rendering
/// of the error, and nothing of a response body but a parsed error code and message.
pub fn describe<E>(err: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = err.raw_response().map(|r| r.status().as_u16());
    match err {
        SdkError::ServiceError(_) => match err.code() {
            Some(code) => {
                let code = one_line(code, 80);
                match err.message().map(|m| one_line(m, MESSAGE_MAX)) {
                    Some(m) if !m.is_empty() => format!("{code}: {m}"),
                    _ => code,
                }
            }
            // The SDK could not read the answer (a success it cannot decode, or an error
            // answer without a code).
            None => match status {
                Some(s) if (200..300).contains(&s) => "could not decode the response".into(),
                Some(s) => format!("HTTP {s} without an AWS error code"),
                None => "could not decode the response".into(),
            },
        },
        SdkError::ResponseError(_) => match status {
            Some(s) if !(200..300).contains(&s) => {
                format!("could not decode the response (HTTP {s})")
            }
            _ => "could not decode the response".into(),
        },
        SdkError::TimeoutError(_) => "timed out".into(),
        SdkError::DispatchFailure(f) => {
            if f.is_timeout() {
                "timed out".into()
            } else {
                "connection failed".into()
            }
        }
        SdkError::ConstructionFailure(_) => "could not build the request".into(),
        _ => "failed".into(),
    }
}

/// What `--verbose` logs about a failed call: the SDK's error kind, HTTP status, request
/// id, body size and content type, and the description; for failures before any answer
/// (connection, timeout, request building) the error chain, which holds no response.
fn details<E>(operation: &str, err: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let kind = match err {
        SdkError::ServiceError(_) => "service error",
        SdkError::ResponseError(_) => "response error",
        SdkError::TimeoutError(_) => "timeout",
        SdkError::DispatchFailure(_) => "dispatch failure",
        SdkError::ConstructionFailure(_) => "construction failure",
        _ => "error",
    };
    let mut line = format!("{operation} failed ({kind}");
    if let Some(raw) = err.raw_response() {
        line.push_str(&format!(", HTTP {}", raw.status().as_u16()));
        let headers = raw.headers();
        for name in ["x-amzn-requestid", "x-amz-request-id", "x-amzn-errortype"] {
            if let Some(v) = headers.get(name) {
                line.push_str(&format!(", {name}: {}", one_line(v, 120)));
            }
        }
        if let Some(ct) = headers.get("content-type") {
            line.push_str(&format!(", {}", one_line(ct, 60)));
        }
        if let Some(bytes) = raw.body().bytes() {
            line.push_str(&format!(", {}-byte body not shown", bytes.len()));
        }
    }
    line.push_str(&format!("): {}", describe(err)));
    if matches!(
        err,
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ConstructionFailure(_)
    ) {
        let mut cause = std::error::Error::source(err);
        while let Some(c) = cause {
            line.push_str(&format!(": {}", one_line(&c.to_string(), 300)));
            cause = c.source();
        }
    }
    line
}

/// Logs a failed call to standard error when `--verbose` is on.
pub fn log_failure<E>(operation: &str, err: &SdkError<E, HttpResponse>)
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    if verbose() {
        eprintln!("cbaudit: {}", details(operation, err));
    }
}

/// Why a call gave nothing: a denial names the permission, anything else the operation and
/// one short line ([`describe`]).
pub fn why<E>(permission: &str, err: &SdkError<E, HttpResponse>) -> Unknown
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    log_failure(permission, err);
    if is_denied(err) {
        return Unknown::Denied(permission.to_string());
    }
    Unknown::failed(permission, describe(err))
}

/// The service answered with one of `codes` (e.g. a "not found" that means "not set").
pub fn is_code<E, R>(err: &SdkError<E, R>, codes: &[&str]) -> bool
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: Debug,
{
    matches!(err, SdkError::ServiceError(_)) && err.code().is_some_and(|c| codes.contains(&c))
}

/// Tags from the SDK's many `Tag` types: `tags(list.iter().map(|t| (t.key(), t.value())))`.
pub fn tags<'a>(
    pairs: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>,
) -> Field<Tags> {
    Field::Known(
        pairs
            .into_iter()
            .filter_map(|(k, v)| Some((k?.to_string(), v.unwrap_or_default().to_string())))
            .collect(),
    )
}

/// References by id, name or ARN (as the API gives them), absent when there are none.
pub fn refs<S: Into<String>>(ids: impl IntoIterator<Item = S>) -> Refs {
    let targets: Vec<_> = ids.into_iter().map(ident).collect();
    if targets.is_empty() {
        Field::Absent
    } else {
        Field::Known(targets)
    }
}

/// A value the API always returns, or absent when it did not.
pub fn known<T>(value: Option<T>) -> Field<T> {
    match value {
        Some(v) => Field::Known(v),
        None => Field::Absent,
    }
}
