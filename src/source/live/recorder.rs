//! An SDK interceptor that records every operation the live source issues: the API-call
//! count of the closing summary, the progress bars, and the operation audit test.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    AfterDeserializationInterceptorContextRef, BeforeSerializationInterceptorContextRef,
    BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use super::denial::is_denied_answer;

/// Operations seen, as IAM actions (`ec2:DescribeVpcs`), with their call and attempt counts.
#[derive(Debug, Default, Clone)]
pub struct CallLog {
    /// action → (operations issued, HTTP attempts including retries)
    pub actions: BTreeMap<String, (u64, u64)>,
    /// Actions AWS denied at least once (whatever the reader made of the denial).
    pub denied: std::collections::BTreeSet<String>,
}

impl CallLog {
    pub fn calls(&self) -> u64 {
        self.actions.values().map(|(c, _)| c).sum()
    }

    pub fn attempts(&self) -> u64 {
        self.actions.values().map(|(_, a)| a).sum()
    }
}

/// Shared by every client of a scan.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    log: Arc<Mutex<CallLog>>,
}

impl Recorder {
    pub fn snapshot(&self) -> CallLog {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn note(&self, cfg: &ConfigBag, attempt: bool) {
        let Some(meta) = cfg.load::<Metadata>() else {
            return;
        };
        let action = iam_action(meta.service(), meta.name());
        if let Ok(mut log) = self.log.lock() {
            let entry = log.actions.entry(action).or_default();
            if attempt {
                entry.1 += 1;
            } else {
                entry.0 += 1;
            }
        }
    }
}

/// The IAM action of an SDK operation: the SDK's service name (`EC2`, `Elastic Load
/// Balancing v2`, `CloudWatch Logs`) mapped to its IAM prefix.
pub fn iam_action(service: &str, operation: &str) -> String {
    let compact = service.to_ascii_lowercase().replace([' ', '-', '_'], "");
    if compact == "s3control" {
        // S3 Control's account-level operations carry the `Account` in their action.
        return match operation {
            "GetPublicAccessBlock" => "s3:GetAccountPublicAccessBlock".to_string(),
            op => format!("s3:{op}"),
        };
    }
    let prefix = match service
        .to_ascii_lowercase()
        .replace([' ', '-', '_'], "")
        .as_str()
    {
        "ec2" => "ec2",
        "elasticloadbalancingv2" | "elasticloadbalancing" => "elasticloadbalancing",
        "wafv2" => "wafv2",
        "ecs" => "ecs",
        "applicationautoscaling" => "application-autoscaling",
        "ecr" => "ecr",
        "rds" => "rds",
        "iam" => "iam",
        "s3" => "s3",
        "secretsmanager" => "secretsmanager",
        "cloudwatchlogs" | "logs" => "logs",
        "cloudwatch" | "monitoring" => "cloudwatch",
        "cloudtrail" => "cloudtrail",
        "guardduty" => "guardduty",
        "configservice" | "config" => "config",
        "sts" => "sts",
        other => return format!("{other}:{operation}"),
    };
    // S3's IAM actions differ from some operation names.
    let operation = match (prefix, operation) {
        ("s3", "ListBuckets") => "ListAllMyBuckets",
        ("s3", "GetBucketEncryption") => "GetEncryptionConfiguration",
        ("s3", "GetBucketReplication") => "GetReplicationConfiguration",
        ("s3", "GetPublicAccessBlock") => "GetBucketPublicAccessBlock",
        ("s3", "GetBucketLifecycleConfiguration") => "GetLifecycleConfiguration",
        (_, op) => op,
    };
    format!("{prefix}:{operation}")
}

impl Intercept for Recorder {
    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if context.output_or_error().is_err() {
            let response = context.response();
            let status = response.status().as_u16();
            let header = response.headers().get("x-amzn-ErrorType");
            let body = response.body().bytes().unwrap_or_default();
            if is_denied_answer(status, header, body) {
                if let (Some(meta), Ok(mut log)) = (cfg.load::<Metadata>(), self.log.lock()) {
                    log.denied.insert(iam_action(meta.service(), meta.name()));
                }
            }
        }
        Ok(())
    }

    fn name(&self) -> &'static str {
        "cbaudit::Recorder"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.note(cfg, false);
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.note(cfg, true);
        Ok(())
    }
}
