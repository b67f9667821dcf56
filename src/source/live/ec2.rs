//! (being written)

use crate::model::KindTag;

use super::{Batch, Ctx};

pub const KINDS: &[KindTag] = &[KindTag::Vpc, KindTag::Subnet, KindTag::RouteTable, KindTag::RouteTableAssociation, KindTag::InternetGateway, KindTag::NatGateway, KindTag::FlowLog, KindTag::SecurityGroup, KindTag::SecurityGroupRule];
pub async fn read(_ctx: &Ctx, _out: &mut Batch) {}
