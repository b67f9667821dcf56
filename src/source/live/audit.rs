//! (being written)

use crate::model::KindTag;

use super::{Batch, Ctx};

pub const CLOUDTRAIL_KINDS: &[KindTag] = &[KindTag::Trail];
pub async fn read_cloudtrail(_ctx: &Ctx, _out: &mut Batch) {}
pub const GUARDDUTY_KINDS: &[KindTag] = &[KindTag::GuardDutyDetector];
pub async fn read_guardduty(_ctx: &Ctx, _out: &mut Batch) {}
pub const CONFIG_KINDS: &[KindTag] = &[KindTag::ConfigRecorder, KindTag::ConfigRecorderStatus, KindTag::ConfigRule];
pub async fn read_config(_ctx: &Ctx, _out: &mut Batch) {}
