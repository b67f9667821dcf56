//! Builders for the CB-S3-* unit tests.

use crate::model::{Bucket, Field, Inventory};
use crate::rules::testing::res;

/// `aws_s3_bucket.<name>`, identified by its name and ARN, in `region`.
pub fn bucket(inv: &mut Inventory, name: &str, region: Option<&str>) {
    let b = Bucket {
        name: Field::Known(name.into()),
        ..Bucket::default()
    };
    let mut r = res(format!("aws_s3_bucket.{name}"), b)
        .with_identifiers([name.to_string(), format!("arn:aws:s3:::{name}")]);
    r.provenance.region = region.map(str::to_string);
    inv.push(r);
}
