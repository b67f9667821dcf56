//! What AWS (or the Terraform AWS provider) uses when an attribute is not set: one table for
//! every attribute a rule reads where "not set" has a documented meaning.
//!
//! A Terraform attribute left out, or set to an expression that yields `null` (a variable or
//! module input left null, a conditional giving null), is *absent* in the model, in a plan
//! (even where the plan shows it as "known after apply") as in a `.tf` scan; a live account
//! reports the value AWS applied. Rules judge an absent value as the default listed here.
//! `tests/metamorphic.rs` checks that for every row with a literal `value`: a fixture
//! resource with the attribute null gets the same verdict as with the attribute set to it.

/// One documented default.
#[derive(Debug, Clone, Copy)]
pub struct AwsDefault {
    /// The Terraform resource type.
    pub resource: &'static str,
    /// The attribute (a nested one as `block.attribute`).
    pub attribute: &'static str,
    /// The default as a JSON literal, when it is one value; `None` when AWS computes it
    /// (then `meaning` says how).
    pub value: Option<&'static str>,
    /// What the default means, for people.
    pub meaning: &'static str,
    /// Where it is documented.
    pub source: &'static str,
}

macro_rules! d {
    ($resource:literal, $attribute:literal, $value:expr, $meaning:literal, $source:expr) => {
        AwsDefault {
            resource: $resource,
            attribute: $attribute,
            value: $value,
            meaning: $meaning,
            source: $source,
        }
    };
}

/// The table, by resource type then attribute.
pub static DEFAULTS: &[AwsDefault] = &[
    d!("aws_cloudtrail", "enable_log_file_validation", Some("false"),
       "log file integrity validation off",
       "Terraform AWS provider, aws_cloudtrail: enable_log_file_validation defaults to false"),
    d!("aws_cloudtrail", "enable_logging", Some("true"),
       "the trail logs",
       "Terraform AWS provider, aws_cloudtrail: enable_logging defaults to true"),
    d!("aws_cloudtrail", "is_multi_region_trail", Some("false"),
       "a single-region trail",
       "Terraform AWS provider, aws_cloudtrail: is_multi_region_trail defaults to false"),
    d!("aws_cloudwatch_log_group", "retention_in_days", Some("0"),
       "never expire",
       "Terraform AWS provider, aws_cloudwatch_log_group: retention_in_days, 0 means never expire; CloudWatch Logs CreateLogGroup sets no retention"),
    d!("aws_db_instance", "backup_retention_period", None,
       "1 day (the RDS API default when BackupRetentionPeriod is not sent)",
       "Amazon RDS API Reference, CreateDBInstance: BackupRetentionPeriod, default 1"),
    d!("aws_db_instance", "db_subnet_group_name", None,
       "the default DB subnet group: the default VPC's subnets",
       "Amazon RDS API Reference, CreateDBInstance: DBSubnetGroupName, if not specified the DB instance is in the default VPC"),
    d!("aws_db_instance", "kms_key_id", None,
       "the AWS-managed aws/rds key (when storage_encrypted)",
       "Amazon RDS API Reference, CreateDBInstance: KmsKeyId, if not specified Amazon RDS uses the default KMS key"),
    d!("aws_db_instance", "max_allocated_storage", Some("0"),
       "storage autoscaling off",
       "Terraform AWS provider, aws_db_instance: max_allocated_storage, 0 or unset disables storage autoscaling"),
    d!("aws_db_instance", "multi_az", Some("false"),
       "single-AZ",
       "Amazon RDS API Reference, CreateDBInstance: MultiAZ, default false; provider aws_db_instance"),
    d!("aws_db_instance", "parameter_group_name", None,
       "the engine's default parameter group (default.<family>)",
       "Amazon RDS API Reference, CreateDBInstance: DBParameterGroupName, if not specified the default DB parameter group for the engine is used"),
    d!("aws_db_instance", "publicly_accessible", Some("false"),
       "not publicly accessible",
       "Terraform AWS provider, aws_db_instance: publicly_accessible defaults to false"),
    d!("aws_db_instance", "storage_encrypted", Some("false"),
       "unencrypted",
       "Terraform AWS provider, aws_db_instance: storage_encrypted defaults to false; RDS CreateDBInstance StorageEncrypted default false"),
    d!("aws_ecr_repository", "image_scanning_configuration.scan_on_push", Some("false"),
       "no scan on push",
       "Terraform AWS provider, aws_ecr_repository: scan_on_push defaults to false"),
    d!("aws_ecs_service", "desired_count", Some("0"),
       "no task runs",
       "Terraform AWS provider, aws_ecs_service: desired_count defaults to 0"),
    d!("aws_ecs_service", "network_configuration.assign_public_ip", Some("false"),
       "no public IP",
       "Terraform AWS provider, aws_ecs_service: assign_public_ip defaults to false"),
    d!("aws_guardduty_detector", "enable", Some("true"),
       "the detector is enabled",
       "Terraform AWS provider, aws_guardduty_detector: enable defaults to true"),
    d!("aws_lb", "internal", Some("false"),
       "internet-facing",
       "Terraform AWS provider, aws_lb: internal defaults to false; ELB CreateLoadBalancer Scheme default internet-facing"),
    d!("aws_lb", "load_balancer_type", Some("\"application\""),
       "an Application Load Balancer",
       "Terraform AWS provider, aws_lb: load_balancer_type defaults to application"),
    d!("aws_lb_listener", "ssl_policy", Some("\"ELBSecurityPolicy-2016-08\""),
       "ELBSecurityPolicy-2016-08 on an HTTPS listener (accepts TLS 1.0)",
       "Terraform AWS provider, aws_lb_listener: ssl_policy, default ELBSecurityPolicy-2016-08; ELB API CreateListener SslPolicy"),
    d!("aws_lb_target_group", "health_check.enabled", Some("true"),
       "health checks on (except for Lambda targets)",
       "Terraform AWS provider, aws_lb_target_group: health_check.enabled defaults to true"),
    d!("aws_lb_target_group", "health_check.interval", Some("30"),
       "30 seconds",
       "Terraform AWS provider, aws_lb_target_group: health_check.interval defaults to 30"),
    d!("aws_s3_bucket_public_access_block", "block_public_acls", Some("false"),
       "not blocked",
       "Terraform AWS provider, aws_s3_bucket_public_access_block: defaults to false"),
    d!("aws_s3_bucket_public_access_block", "block_public_policy", Some("false"),
       "not blocked",
       "Terraform AWS provider, aws_s3_bucket_public_access_block: defaults to false"),
    d!("aws_s3_bucket_public_access_block", "ignore_public_acls", Some("false"),
       "not blocked",
       "Terraform AWS provider, aws_s3_bucket_public_access_block: defaults to false"),
    d!("aws_s3_bucket_public_access_block", "restrict_public_buckets", Some("false"),
       "not blocked",
       "Terraform AWS provider, aws_s3_bucket_public_access_block: defaults to false"),
    d!("aws_subnet", "map_public_ip_on_launch", Some("false"),
       "no public IP on launch",
       "Terraform AWS provider, aws_subnet: map_public_ip_on_launch defaults to false"),
];

/// The documented default of one attribute.
pub fn of(resource: &str, attribute: &str) -> Option<&'static AwsDefault> {
    DEFAULTS
        .iter()
        .find(|d| d.resource == resource && d.attribute == attribute)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_literal_values_parse() {
        for pair in DEFAULTS.windows(2) {
            assert!(
                (pair[0].resource, pair[0].attribute) < (pair[1].resource, pair[1].attribute),
                "{}.{} out of order",
                pair[1].resource,
                pair[1].attribute
            );
        }
        for d in DEFAULTS {
            if let Some(v) = d.value {
                serde_json::from_str::<serde_json::Value>(v)
                    .unwrap_or_else(|e| panic!("{}.{}: {e}", d.resource, d.attribute));
            }
            assert!(!d.source.is_empty() && !d.meaning.is_empty());
        }
        assert_eq!(
            of("aws_db_instance", "multi_az").and_then(|d| d.value),
            Some("false")
        );
    }
}
