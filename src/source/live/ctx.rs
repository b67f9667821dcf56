//! What every service reader gets (`Ctx`: SDK configuration, account, region) and what it
//! gives back (`Batch`: resources and gaps), plus ARNs and error classification.

use std::fmt::Debug;
use std::sync::Arc;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::model::{Field, Gap, Kind, KindTag, Provenance, Resource, SourceKind, Tags, Unknown};

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
        kind: impl Into<Kind>,
    ) -> Resource {
        let mut ids = identifiers;
        if !ids.contains(&address) {
            ids.push(address.clone());
        }
        Resource {
            resource_type: resource_type.to_string(),
            provenance: Provenance {
                source: SourceKind::Live,
                address,
                input: self.input.clone(),
                location: None,
                attributes: Vec::new(),
                account: Some(self.account.clone()),
                region: Some(self.region.clone()),
            },
            identifiers: ids,
            tags,
            kind: kind.into(),
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
    pub fn gap<E, R>(&mut self, kinds: &[KindTag], permission: &str, err: &SdkError<E, R>)
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: Debug,
    {
        self.gaps.push(Gap {
            kinds: kinds.to_vec(),
            reason: why(permission, err),
        });
    }
}

/// Error codes AWS services use for a denied call.
pub(crate) const DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "UnauthorizedException",
    "AuthorizationError",
    "AuthorizationErrorException",
    "Forbidden",
    "ForbiddenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "OptInRequired",
    "SubscriptionRequiredException",
];

/// Why a call gave nothing: a denial names the permission, anything else the operation and
/// the error.
pub fn why<E, R>(permission: &str, err: &SdkError<E, R>) -> Unknown
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: Debug,
{
    if is_denied(err) {
        return Unknown::Denied(permission.to_string());
    }
    let error = match err.code() {
        Some(code) => match err.message() {
            Some(m) => format!("{code}: {m}"),
            None => code.to_string(),
        },
        None => match err {
            SdkError::TimeoutError(_) => "timed out".to_string(),
            SdkError::DispatchFailure(_) => "connection failed".to_string(),
            other => DisplayErrorContext(other).to_string(),
        },
    };
    Unknown::failed(permission, error)
}

pub fn is_denied<E, R>(err: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: Debug,
{
    match err {
        SdkError::ServiceError(_) => err.code().is_some_and(|c| DENIED.contains(&c)),
        _ => false,
    }
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

/// A value the API always returns, or absent when it did not.
pub fn known<T>(value: Option<T>) -> Field<T> {
    match value {
        Some(v) => Field::Known(v),
        None => Field::Absent,
    }
}
