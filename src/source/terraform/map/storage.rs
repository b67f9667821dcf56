//! S3 buckets and their separate configuration resources.

use super::{Mapped, TfRef};
use crate::model::*;

pub fn map(t: &str, v: TfRef<'_>) -> Option<Mapped> {
    Some(match t {
        "aws_s3_bucket" => {
            let name = v.get("bucket").string_nonempty();
            let arn = name.as_ref().map(|n| format!("arn:aws:s3:::{n}"));
            let inline = BucketInline {
                versioning: match v.block("versioning").get("enabled").bool() {
                    Field::Known(true) | Field::Sensitive(true) => Field::Known("Enabled".into()),
                    // A new bucket is then unversioned, an existing one suspended.
                    Field::Known(false) | Field::Sensitive(false) => {
                        Field::Known("Suspended".into())
                    }
                    Field::Unknown(u) => Field::Unknown(u),
                    Field::Absent => Field::Absent,
                },
                encryption: algorithms(v.block("server_side_encryption_configuration").get("rule")),
                replication: replication_rules(v.block("replication_configuration").get("rules")),
            };
            Mapped::new(Bucket {
                name: name.clone(),
                inline,
            })
            .id(&name)
            .id(&arn)
        }
        "aws_s3_bucket_versioning" => Mapped::new(BucketVersioning {
            bucket: v.get("bucket").refs(),
            status: v
                .block("versioning_configuration")
                .get("status")
                .string_nonempty(),
        }),
        "aws_s3_bucket_server_side_encryption_configuration" => Mapped::new(BucketEncryption {
            bucket: v.get("bucket").refs(),
            algorithms: algorithms(v.get("rule")),
        }),
        "aws_s3_bucket_public_access_block" => Mapped::new(BucketPublicAccessBlock {
            bucket: v.get("bucket").refs(),
            flags: flags(v),
        }),
        "aws_s3_account_public_access_block" => {
            Mapped::new(AccountPublicAccessBlock { flags: flags(v) })
        }
        "aws_s3_bucket_replication_configuration" => Mapped::new(BucketReplication {
            bucket: v.get("bucket").refs(),
            rules: replication_rules(v.get("rule")),
        }),
        _ => return None,
    })
}

fn flags(v: TfRef<'_>) -> PublicAccessBlockFlags {
    PublicAccessBlockFlags {
        block_public_acls: v.get("block_public_acls").bool(),
        block_public_policy: v.get("block_public_policy").bool(),
        ignore_public_acls: v.get("ignore_public_acls").bool(),
        restrict_public_buckets: v.get("restrict_public_buckets").bool(),
    }
}

/// The `sse_algorithm` of each encryption rule (the separate resource's `rule` blocks, or
/// the inline block's).
fn algorithms(rules: TfRef<'_>) -> Field<Vec<String>> {
    if rules.is_null() {
        return Field::Absent;
    }
    if rules.is_unknown() {
        return rules.strings();
    }
    let mut out = Vec::new();
    let mut unknown = None;
    for r in rules.items() {
        match r
            .block("apply_server_side_encryption_by_default")
            .get("sse_algorithm")
            .string()
        {
            Field::Known(a) | Field::Sensitive(a) => out.push(a),
            Field::Unknown(u) => unknown = Some(u),
            Field::Absent => {}
        }
    }
    match unknown {
        Some(u) if out.is_empty() => Field::Unknown(u),
        _ => Field::Known(out),
    }
}

/// Replication rules: the separate resource's `rule` blocks or the inline block's `rules`.
fn replication_rules(rules: TfRef<'_>) -> Field<Vec<ReplicationRule>> {
    if rules.is_null() {
        return Field::Absent;
    }
    if rules.is_unknown() {
        return rules.string().map(|_| Vec::new());
    }
    Field::Known(
        rules
            .items()
            .into_iter()
            .map(|r| ReplicationRule {
                status: r.get("status").string_nonempty(),
                destination: r.block("destination").get("bucket").refs(),
            })
            .collect(),
    )
}
