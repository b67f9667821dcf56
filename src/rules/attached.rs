//! Which resource each "attachment" resource applies to (a bucket's versioning, a
//! repository's lifecycle policy, …), indexed once so rules stay linear in the inventory.

use std::collections::HashMap;

use std::marker::PhantomData;

use crate::model::{BodyType, Inventory, Refs, ResId, Resolution, Unknown, View};

/// Resources of kind `T` (versioning, encryption, lifecycle policies, …) by the resource of
/// kind `Target` they apply to.
pub struct Attached<'a, T, Target> {
    by_target: HashMap<ResId, Vec<View<'a, T>>>,
    /// Attachments whose target is not known, and why.
    pub unresolved: Vec<(View<'a, T>, Unknown)>,
    target: PhantomData<Target>,
}

impl<'a, T: BodyType, Target: BodyType> Attached<'a, T, Target> {
    /// Resolves each attachment's reference (an address, or the target's name, id or ARN).
    /// Attachments of resources outside the inputs are left out.
    pub fn collect(inv: &'a Inventory, target_of: impl Fn(&T) -> &Refs) -> Attached<'a, T, Target> {
        let mut by_target: HashMap<ResId, Vec<View<'a, T>>> = HashMap::new();
        let mut unresolved = Vec::new();
        for config in inv.all::<T>() {
            match inv.resolve::<Target>(target_of(config.data)) {
                Resolution::Absent => {}
                Resolution::Unknown(u) => unresolved.push((config, u)),
                Resolution::Known { found, .. } => {
                    for target in found {
                        by_target.entry(target.id).or_default().push(config);
                    }
                }
            }
        }
        Attached {
            by_target,
            unresolved,
            target: PhantomData,
        }
    }

    /// The attachments that apply to `target`.
    pub fn of(&self, target: ResId) -> &[View<'a, T>] {
        self.by_target.get(&target).map_or(&[], Vec::as_slice)
    }

    /// Why a target with no known attachment may still have one.
    pub fn maybe(&self) -> Option<(String, Unknown)> {
        self.unresolved.first().map(|(config, why)| {
            (
                format!(
                    "which {} {} applies to",
                    Target::KIND.label(),
                    config.address()
                ),
                why.clone(),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ident, Bucket, BucketVersioning, Field, RefTarget, Resource};
    use crate::rules::testing::res;

    #[test]
    fn resolves_by_address_name_and_arn() {
        let mut inv = Inventory::new();
        let b = inv.push(
            res("aws_s3_bucket.m", Bucket::default())
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
        inv.push(res("aws_s3_bucket_versioning.e", v));
        let att = Attached::<BucketVersioning, Bucket>::collect(&inv, |v| &v.bucket);
        assert_eq!(att.of(b).len(), 3);
        assert_eq!(att.unresolved.len(), 1);
        assert!(att.maybe().is_some());
    }
}
