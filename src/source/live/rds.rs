//! (being written)

use crate::model::KindTag;

use super::{Batch, Ctx};

pub const KINDS: &[KindTag] = &[KindTag::DbInstance, KindTag::DbSubnetGroup, KindTag::DbParameterGroup];
pub async fn read(_ctx: &Ctx, _out: &mut Batch) {}
