//! S3 buckets and their configurations.

use super::{Field, Refs};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bucket {
    pub name: Field<String>,
    /// The legacy inline configuration blocks of `aws_s3_bucket`, which the AWS provider
    /// 5.x still accepts (deprecated) and applies as the separate resources do.
    pub inline: BucketInline,
}

/// `aws_s3_bucket`'s inline `versioning`, `server_side_encryption_configuration` and
/// `replication_configuration` blocks (Absent when not configured: the provider computes
/// them).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BucketInline {
    /// `versioning { enabled = … }`: `Enabled`, or `Suspended` for `enabled = false`.
    pub versioning: Field<String>,
    /// The `sse_algorithm` of each `rule` (as [`BucketEncryption::algorithms`]).
    pub encryption: Field<Vec<String>>,
    /// `replication_configuration { rules { … } }` (as [`BucketReplication::rules`]).
    pub replication: Field<Vec<ReplicationRule>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct BucketVersioning {
    pub bucket: Refs,
    /// `Enabled`, `Suspended`, `Disabled`.
    pub status: Field<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct BucketEncryption {
    pub bucket: Refs,
    /// `sse_algorithm` of each rule: `AES256`, `aws:kms`, `aws:kms:dsse`.
    pub algorithms: Field<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PublicAccessBlockFlags {
    pub block_public_acls: Field<bool>,
    pub block_public_policy: Field<bool>,
    pub ignore_public_acls: Field<bool>,
    pub restrict_public_buckets: Field<bool>,
}

impl PublicAccessBlockFlags {
    pub fn named(&self) -> [(&'static str, &Field<bool>); 4] {
        [
            ("block_public_acls", &self.block_public_acls),
            ("block_public_policy", &self.block_public_policy),
            ("ignore_public_acls", &self.ignore_public_acls),
            ("restrict_public_buckets", &self.restrict_public_buckets),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct BucketPublicAccessBlock {
    pub bucket: Refs,
    pub flags: PublicAccessBlockFlags,
}

/// `aws_s3_account_public_access_block`: applies to every bucket of the account.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AccountPublicAccessBlock {
    pub flags: PublicAccessBlockFlags,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationRule {
    pub status: Field<String>,
    /// The destination bucket (ARN or reference).
    pub destination: Refs,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct BucketReplication {
    pub bucket: Refs,
    pub rules: Field<Vec<ReplicationRule>>,
}
