//! S3 buckets and their separate configuration resources.

use super::{Mapped, TfRef};
use crate::model::*;

pub fn map(t: &str, v: TfRef<'_>) -> Option<Mapped> {
    Some(match t {
        "aws_s3_bucket" => {
            let name = v.get("bucket").string_nonempty();
            let arn = name.as_ref().map(|n| format!("arn:aws:s3:::{n}"));
            Mapped::new(Bucket { name: name.clone() })
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
        "aws_s3_bucket_server_side_encryption_configuration" => {
            let rules = v.get("rule");
            let algorithms = if rules.is_unknown() {
                rules.strings()
            } else {
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
            };
            Mapped::new(BucketEncryption {
                bucket: v.get("bucket").refs(),
                algorithms,
            })
        }
        "aws_s3_bucket_public_access_block" => Mapped::new(BucketPublicAccessBlock {
            bucket: v.get("bucket").refs(),
            flags: flags(v),
        }),
        "aws_s3_account_public_access_block" => {
            Mapped::new(AccountPublicAccessBlock { flags: flags(v) })
        }
        "aws_s3_bucket_replication_configuration" => {
            let rules = v.get("rule");
            let rules = if rules.is_unknown() {
                rules.string().map(|_| Vec::new())
            } else {
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
            };
            Mapped::new(BucketReplication {
                bucket: v.get("bucket").refs(),
                rules,
            })
        }
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
