//! Tiers: which security group, subnet and service the policy's names refer to.
//!
//! Shared by the rules of several areas; reads only the model and the policy.

use crate::model::{EcsService, Inventory, ResId, SecurityGroup, Subnet, Unknown, View};
use crate::policy::{Policy, SubnetSpec, SubnetTier};

/// The tier of a security group: its tier tag, else its name (or `Name` tag).
/// `Ok(None)` when it belongs to no tier; `Err` when its tags are unknown.
pub fn sg_tier<'p>(
    policy: &'p Policy,
    sg: &View<'_, SecurityGroup>,
) -> Result<Option<&'p str>, Unknown> {
    let sgs = &policy.security_groups;
    let tags = sg.resource.tags.try_value()?;
    if let Some(tier) = tags.and_then(|t| t.get(&sgs.tier_tag)) {
        return Ok(sgs
            .tiers
            .keys()
            .find(|k| k.eq_ignore_ascii_case(tier))
            .map(String::as_str));
    }
    let name = sg
        .name
        .get()
        .map(String::as_str)
        .or_else(|| sg.resource.tag("Name"));
    let Some(name) = name else {
        return sg.name.try_value().map(|_| None);
    };
    Ok(sgs
        .tiers
        .iter()
        .find(|(_, sel)| sel.names.matches(name))
        .map(|(k, _)| k.as_str()))
}

/// The documented subnet a subnet is (by CIDR), if any.
pub fn subnet_spec<'p>(
    policy: &'p Policy,
    subnet: &Subnet,
) -> Result<Option<&'p SubnetSpec>, Unknown> {
    Ok(subnet
        .cidr
        .try_value()?
        .and_then(|c| policy.network.subnet_by_cidr(c)))
}

/// The tier of a subnet by its CIDR.
pub fn subnet_tier(policy: &Policy, subnet: &Subnet) -> Result<Option<SubnetTier>, Unknown> {
    subnet_spec(policy, subnet).map(|s| s.map(|s| s.tier))
}

/// Which of `subnets` are not documented subnets of `tier` (described for a message), and
/// why some could not be classified (an unknown CIDR, a subnet outside the inputs).
pub fn subnets_outside_tier(
    policy: &Policy,
    subnets: &[View<'_, Subnet>],
    external: &[String],
    tier: SubnetTier,
) -> (Vec<String>, Option<Unknown>) {
    let mut wrong = Vec::new();
    let mut unknown: Option<Unknown> = None;
    for subnet in subnets {
        match subnet_spec(policy, subnet) {
            Ok(Some(spec)) if spec.tier == tier => {}
            Ok(Some(spec)) => wrong.push(format!(
                "{} ({}, {} tier)",
                subnet.address(),
                spec.cidr.0,
                spec.tier
            )),
            Ok(None) => wrong.push(format!(
                "{} ({}, not a documented subnet)",
                subnet.address(),
                subnet.cidr.shown()
            )),
            Err(u) => {
                unknown.get_or_insert(u);
            }
        }
    }
    if let Some(ext) = external.first() {
        unknown.get_or_insert(Unknown::NotInInputs(format!("subnet {ext}")));
    }
    (wrong, unknown)
}

/// A role the policy gives to ECS services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceRole {
    Bot,
    Ml,
}

/// Which documented service an ECS service is, by name.
pub fn service_role(policy: &Policy, service: &EcsService) -> Result<Option<ServiceRole>, Unknown> {
    let Some(name) = service.name.try_value()? else {
        return Ok(None);
    };
    let svc = &policy.services;
    Ok(if svc.bot.names.matches(name) {
        Some(ServiceRole::Bot)
    } else if svc.ml.names.matches(name) {
        Some(ServiceRole::Ml)
    } else {
        None
    })
}

/// The ECS services in a role.
pub fn services_in_role<'a>(
    inv: &'a Inventory,
    policy: &Policy,
    role: ServiceRole,
) -> Vec<View<'a, EcsService>> {
    inv.all::<EcsService>()
        .filter(|s| service_role(policy, s).ok().flatten() == Some(role))
        .collect()
}

/// Identity helper for messages: `aws_security_group.app` etc.
pub fn ids(resources: &[ResId], inv: &Inventory) -> String {
    resources
        .iter()
        .map(|&id| inv.get(id).address().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
