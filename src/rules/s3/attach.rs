//! Shared by the CB-S3-* rules: which bucket each configuration resource applies to.

use std::collections::HashMap;

use crate::model::{Bucket, Inventory, Refs, Res, ResId, Resolution, ResourceKind, Unknown};

/// Configurations of kind `T` (versioning, encryption, …) by the bucket they apply to.
pub struct Attached<'a, T> {
    by_bucket: HashMap<ResId, Vec<Res<'a, T>>>,
    /// Configurations whose bucket is not known, and why.
    pub unresolved: Vec<(Res<'a, T>, Unknown)>,
}

impl<'a, T: ResourceKind> Attached<'a, T> {
    /// Resolves each configuration's `bucket` reference (an address, the bucket's name or
    /// its ARN). Configurations of buckets outside the inputs are left out.
    pub fn collect(inv: &'a Inventory, bucket_of: impl Fn(&T) -> &Refs) -> Attached<'a, T> {
        let mut by_bucket: HashMap<ResId, Vec<Res<'a, T>>> = HashMap::new();
        let mut unresolved = Vec::new();
        for config in inv.all::<T>() {
            match inv.resolve::<Bucket>(bucket_of(config.data)) {
                Resolution::Absent => {}
                Resolution::Unknown(u) => unresolved.push((config, u)),
                Resolution::Known { found, .. } => {
                    for bucket in found {
                        by_bucket.entry(bucket.id).or_default().push(config);
                    }
                }
            }
        }
        Attached {
            by_bucket,
            unresolved,
        }
    }

    /// The configurations that apply to `bucket`.
    pub fn of(&self, bucket: ResId) -> &[Res<'a, T>] {
        self.by_bucket.get(&bucket).map_or(&[], Vec::as_slice)
    }

    /// Why a bucket with no known configuration may still have one.
    pub fn maybe(&self) -> Option<(String, Unknown)> {
        self.unresolved.first().map(|(config, why)| {
            (
                format!("which bucket {} applies to", config.address()),
                why.clone(),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ident, BucketVersioning, Field, RefTarget, Resource};

    #[test]
    fn resolves_by_address_name_and_arn() {
        let mut inv = Inventory::new();
        let b = inv.push(
            Resource::new("aws_s3_bucket", "aws_s3_bucket.m", Bucket::default())
                .with_identifiers(["models", "arn:aws:s3:::models"]),
        );
        for (addr, target) in [
            (
                "aws_s3_bucket_versioning.a",
                RefTarget::Address("aws_s3_bucket.m".into()),
            ),
            ("aws_s3_bucket_versioning.b", ident("models")),
            ("aws_s3_bucket_versioning.c", ident("arn:aws:s3:::models")),
            ("aws_s3_bucket_versioning.d", ident("elsewhere")),
        ] {
            let v = BucketVersioning {
                bucket: Field::Known(vec![target]),
                status: Field::Known("Enabled".into()),
            };
            inv.push(Resource::new("aws_s3_bucket_versioning", addr, v));
        }
        let v = BucketVersioning {
            bucket: Field::Unknown(Unknown::AfterApply),
            status: Field::Absent,
        };
        inv.push(Resource::new(
            "aws_s3_bucket_versioning",
            "aws_s3_bucket_versioning.e",
            v,
        ));
        let att = Attached::<BucketVersioning>::collect(&inv, |v| &v.bucket);
        assert_eq!(att.of(b).len(), 3);
        assert_eq!(att.unresolved.len(), 1);
        assert!(att.maybe().is_some());
    }
}
