//! S3 buckets and their configurations.

use super::{Field, Refs};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bucket {
    pub name: Field<String>,
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
