//! (being written)

use crate::model::KindTag;

use super::{Batch, Ctx};

pub const KINDS: &[KindTag] = &[KindTag::EcsCluster, KindTag::EcsService, KindTag::TaskDefinition];
pub async fn read(_ctx: &Ctx, _out: &mut Batch) {}
pub const AUTOSCALING_KINDS: &[KindTag] = &[KindTag::ScalableTarget, KindTag::ScalingPolicy];
pub async fn read_autoscaling(_ctx: &Ctx, _out: &mut Batch) {}
