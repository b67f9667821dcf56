//! (being written)

use crate::model::KindTag;

use super::{Batch, Ctx};

pub const KINDS: &[KindTag] = &[KindTag::Bucket, KindTag::BucketVersioning, KindTag::BucketEncryption, KindTag::BucketPublicAccessBlock, KindTag::BucketReplication];
pub async fn read(_ctx: &Ctx, _out: &mut Batch) {}
