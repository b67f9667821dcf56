//! (being written)

use crate::model::KindTag;

use super::{Batch, Ctx};

pub const KINDS: &[KindTag] = &[KindTag::IamRole, KindTag::IamPolicy, KindTag::IamInlinePolicy, KindTag::IamPolicyAttachment];
pub async fn read(_ctx: &Ctx, _out: &mut Batch) {}
