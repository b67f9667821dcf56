use crate::declare_rule;
use crate::model::{
    AccountPublicAccessBlock, Bucket, BucketPublicAccessBlock, PublicAccessBlockFlags, Resource,
    Unknown,
};
use crate::rules::Check;

use crate::rules::attached::Attached;

declare_rule! {
    /// ## What it checks
    /// Every bucket blocks public access: an `aws_s3_bucket_public_access_block` for it with
    /// `block_public_acls`, `block_public_policy`, `ignore_public_acls` and
    /// `restrict_public_buckets` all true, or an account-level
    /// `aws_s3_account_public_access_block` (same account) with all four true. A flag that is
    /// not set is false (the provider default). A flag that is not known yet makes the bucket
    /// unknown unless another block already covers it.
    ///
    /// ## Why
    /// The architecture document's first principle is "Security First: Defense in depth with
    /// multiple security layers", and its S3 bucket is "Model Storage" reached only by the
    /// ECS tasks (`ECS1 --> S3`, `ECS2 --> S3`). Nothing in the design is served publicly
    /// from S3; the four flags make a stray ACL or bucket policy unable to expose the models.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket_public_access_block" "models" {
    ///   bucket            = aws_s3_bucket.models.id
    ///   block_public_acls = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_bucket_public_access_block" "models" {
    ///   bucket                  = aws_s3_bucket.models.id
    ///   block_public_acls       = true
    ///   block_public_policy     = true
    ///   ignore_public_acls      = true
    ///   restrict_public_buckets = true
    /// }
    /// ```
    ///
    /// ## Live accounts
    /// Read with `s3:GetBucketPublicAccessBlock` for each bucket and
    /// `s3:GetAccountPublicAccessBlock` (S3 Control) for the account: a bucket without a
    /// block of its own passes when the account-level block sets all four flags. When the
    /// account-level block cannot be read, the rule reports unknown, never a failure.
    ///
    /// ## Peers
    /// Checkov `CKV_AWS_53`, `CKV_AWS_54`, `CKV_AWS_55`, `CKV_AWS_56` (the four flags) and
    /// `CKV2_AWS_6` (bucket has a public access block); Trivy `AVD-AWS-0086`, `AVD-AWS-0087`,
    /// `AVD-AWS-0091`, `AVD-AWS-0093`, `AVD-AWS-0094`; AWS Config
    /// `s3-bucket-level-public-access-prohibited` and `s3-account-level-public-access-blocks`.
    pub static S3_PUBLIC_ACCESS_BLOCK = Rule {
        id: "CB-S3-003",
        name: "s3-public-access-block",
        area: Storage,
        severity: High,
        scope: Architecture,
        check: check,
    };
}

const REQUIREMENT: &str = "the architecture requires block_public_acls, block_public_policy, \
                           ignore_public_acls and restrict_public_buckets all true";

/// The flags that are not true (absent = false), or why the block is unknown when every
/// known flag is true.
fn open_flags(f: &PublicAccessBlockFlags) -> Result<Vec<String>, Unknown> {
    let mut open = Vec::new();
    let mut unknown = None;
    for (name, flag) in f.named() {
        match flag.value() {
            Ok(Some(true)) => {}
            Ok(Some(false)) => open.push(format!("{name} false")),
            Ok(None) => open.push(format!("{name} not set (false)")),
            Err(u) => {
                unknown.get_or_insert(u.clone());
            }
        }
    }
    match unknown {
        Some(u) if open.is_empty() => Err(u),
        _ => Ok(open),
    }
}

fn same_account(a: &Resource, b: &Resource) -> bool {
    match (&a.provenance.account, &b.provenance.account) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

fn check(c: &mut Check<'_>) {
    let inv = c.inv;
    let blocks = Attached::<BucketPublicAccessBlock, Bucket>::collect(inv, |b| &b.bucket);
    let accounts: Vec<_> = inv.all::<AccountPublicAccessBlock>().collect();
    for bucket in inv.all::<Bucket>() {
        let mut problems: Vec<String> = Vec::new();
        let mut unknown: Option<(String, Unknown)> = None;
        let mut covered = false;
        for acct in accounts
            .iter()
            .filter(|a| same_account(a.resource, bucket.resource))
        {
            match open_flags(&acct.flags) {
                Ok(open) if open.is_empty() => covered = true,
                Ok(open) => problems.push(format!("{} leaves {}", acct.address(), open.join(", "))),
                Err(u) => {
                    let what = format!("the flags of {}", acct.address());
                    unknown.get_or_insert((what, u));
                }
            }
        }
        let mine = blocks.of(bucket.id);
        for block in mine {
            match open_flags(&block.flags) {
                Ok(open) if open.is_empty() => covered = true,
                Ok(open) => {
                    problems.push(format!("{} leaves {}", block.address(), open.join(", ")))
                }
                Err(u) => {
                    let what = format!("the flags of {}", block.address());
                    unknown.get_or_insert((what, u));
                }
            }
        }
        if mine.is_empty() {
            match blocks.maybe() {
                Some(m) => {
                    unknown.get_or_insert(m);
                }
                None => problems.insert(0, "it has no aws_s3_bucket_public_access_block".into()),
            }
        }
        if covered {
            c.pass(bucket.id);
        } else if let Some((what, why)) = unknown {
            c.unknown(bucket.id, None, &what, &why);
        } else {
            c.fail(
                bucket.id,
                None,
                format!("bucket {}: {}; {REQUIREMENT}", bucket.address(), problems.join(", and ")),
                "add an aws_s3_bucket_public_access_block for the bucket with all four flags = true",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ident, Field, Inventory, RefTarget};
    use crate::rules::testing::{res, run};

    fn flags(v: [Field<bool>; 4]) -> PublicAccessBlockFlags {
        let [a, b, c, d] = v;
        PublicAccessBlockFlags {
            block_public_acls: a,
            block_public_policy: b,
            ignore_public_acls: c,
            restrict_public_buckets: d,
        }
    }

    const ALL: [Field<bool>; 4] = [
        Field::Known(true),
        Field::Known(true),
        Field::Known(true),
        Field::Known(true),
    ];

    fn bucket(inv: &mut Inventory, name: &str) {
        let b = Bucket {
            name: Field::Known(name.into()),
            ..Bucket::default()
        };
        inv.push(res(format!("aws_s3_bucket.{name}"), b).with_identifiers([name]));
    }

    fn block(inv: &mut Inventory, target: RefTarget, f: [Field<bool>; 4]) {
        let b = BucketPublicAccessBlock {
            bucket: Field::Known(vec![target]),
            flags: flags(f),
        };
        inv.push(res("aws_s3_bucket_public_access_block.b", b));
    }

    #[test]
    fn all_four_flags_pass() {
        let mut inv = Inventory::new();
        bucket(&mut inv, "models");
        block(
            &mut inv,
            RefTarget::Address("aws_s3_bucket.models".into()),
            ALL,
        );
        assert_eq!(
            run(&S3_PUBLIC_ACCESS_BLOCK, &inv).passes(),
            vec!["aws_s3_bucket.models"]
        );
    }

    #[test]
    fn false_and_absent_flags_fail() {
        let mut inv = Inventory::new();
        bucket(&mut inv, "models");
        bucket(&mut inv, "bare");
        let f = [
            Field::Known(true),
            Field::Known(false),
            Field::Known(true),
            Field::Absent,
        ];
        block(&mut inv, ident("models"), f);
        let out = run(&S3_PUBLIC_ACCESS_BLOCK, &inv);
        assert_eq!(
            out.fails(),
            vec!["aws_s3_bucket.bare", "aws_s3_bucket.models"]
        );
        let msgs = out.messages();
        assert!(msgs[0].contains("block_public_policy false"), "{msgs:?}");
        assert!(
            msgs[0].contains("restrict_public_buckets not set"),
            "{msgs:?}"
        );
        assert!(msgs[0].contains("all true"), "{msgs:?}");
        assert!(
            msgs[1].contains("no aws_s3_bucket_public_access_block"),
            "{msgs:?}"
        );
    }

    #[test]
    fn account_block_covers_every_bucket() {
        let mut inv = Inventory::new();
        bucket(&mut inv, "models");
        let a = AccountPublicAccessBlock { flags: flags(ALL) };
        inv.push(res("aws_s3_account_public_access_block.a", a));
        assert_eq!(
            run(&S3_PUBLIC_ACCESS_BLOCK, &inv).passes(),
            vec!["aws_s3_bucket.models"]
        );
    }

    #[test]
    fn unknown_flag_or_bucket_is_unknown() {
        let mut inv = Inventory::new();
        bucket(&mut inv, "models");
        let f = [
            Field::Known(true),
            Field::Unknown(Unknown::AfterApply),
            Field::Known(true),
            Field::Known(true),
        ];
        block(&mut inv, ident("models"), f);
        assert_eq!(
            run(&S3_PUBLIC_ACCESS_BLOCK, &inv).unknowns(),
            vec!["aws_s3_bucket.models"]
        );

        let mut inv = Inventory::new();
        bucket(&mut inv, "models");
        let b = BucketPublicAccessBlock {
            bucket: Field::Unknown(Unknown::AfterApply),
            flags: flags(ALL),
        };
        inv.push(Resource::new("aws_s3_bucket_public_access_block", "x.y", b));
        assert_eq!(
            run(&S3_PUBLIC_ACCESS_BLOCK, &inv).unknowns(),
            vec!["aws_s3_bucket.models"]
        );
    }
}
