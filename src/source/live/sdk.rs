//! The SDK side of a live scan: the configuration every client starts from, role
//! assumption, and who the credentials are (`sts:GetCallerIdentity`).

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};

use super::{ctx, LiveOptions, Recorder};

/// The SDK configuration every client starts from: credentials chain, profile, endpoint,
/// adaptive retry, per-call timeouts.
pub async fn base_config(opts: &LiveOptions) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::adaptive().with_max_attempts(5))
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(opts.call_timeout)
                .operation_attempt_timeout(opts.call_timeout.min(Duration::from_secs(20)))
                .connect_timeout(Duration::from_secs(5))
                .build(),
        );
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(url) = &opts.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(r) = opts.regions.first() {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(client) = &opts.http_client {
        loader = loader.http_client(client.clone());
    }
    loader.load().await
}

/// The role to assume in `account`.
pub(super) fn role_for(template: &str, account: &str, partition: &str) -> String {
    if template.contains("{account}") {
        template.replace("{account}", account)
    } else if let Some(rest) = template.strip_prefix("arn:") {
        // arn:aws:iam::111111111111:role/Name → the same role in `account`.
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        if parts.len() == 5 {
            format!(
                "arn:{}:{}:{}:{account}:{}",
                parts[0], parts[1], parts[2], parts[4]
            )
        } else {
            template.to_string()
        }
    } else {
        format!("arn:{partition}:iam::{account}:role/{template}")
    }
}

pub(crate) async fn assume(base: &SdkConfig, role: &str) -> SdkConfig {
    let provider = aws_config::sts::AssumeRoleProvider::builder(role)
        .session_name("cbaudit-audit")
        .configure(base)
        .build()
        .await;
    base.to_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(provider),
        )
        .build()
}

/// Who the credentials are: account and partition, from sts:GetCallerIdentity.
pub(crate) async fn identity(
    sdk: &SdkConfig,
    recorder: &Recorder,
) -> Result<(String, String), String> {
    let conf = aws_sdk_sts::config::Builder::from(sdk)
        .interceptor(recorder.clone())
        .build();
    let out = aws_sdk_sts::Client::from_conf(conf)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| short_error(&e))?;
    let account = out.account().unwrap_or_default().to_string();
    let partition = out
        .arn()
        .and_then(|a| a.split(':').nth(1))
        .unwrap_or("aws")
        .to_string();
    Ok((account, partition))
}

/// One line for a failed call: the service's code and message, or what went wrong on the
/// way (no credentials, connection refused, timed out). Never a response body.
fn short_error<E>(
    err: &aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    use std::error::Error;
    ctx::log_failure("sts:GetCallerIdentity", err);
    match err {
        SdkError::DispatchFailure(f) if !f.is_timeout() => {
            let mut cause: Option<&dyn Error> = f.as_connector_error().map(|c| c as &dyn Error);
            let mut last = String::from("the request could not be sent");
            let mut no_credentials = false;
            while let Some(c) = cause {
                last = c.to_string();
                no_credentials |= last.contains("no credentials found");
                cause = c.source();
            }
            if no_credentials {
                "no credentials found (environment, profile, SSO, web identity, container, \
                 instance metadata)"
                    .to_string()
            } else {
                format!(
                    "cannot reach AWS: {}",
                    ctx::one_line(last.lines().next().unwrap_or(""), 200)
                )
            }
        }
        other => ctx::describe(other),
    }
}
