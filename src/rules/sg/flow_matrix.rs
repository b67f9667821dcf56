use std::collections::{BTreeMap, BTreeSet};

use crate::declare_rule;
use crate::model::{KindTag, Res, ResId, SecurityGroup, SecurityGroupFlow, Unknown};
use crate::policy::FlowSpec;
use crate::rules::sg::flows::{self, Holder};
use crate::rules::{tiers, Check, ALL_SOURCES};

declare_rule! {
    /// ## What it checks
    /// Every flow of a tiered security group is allowed by an entry of the flow matrix
    /// (`security_groups.flows`) for its tier: same direction, protocol equal (or the
    /// entry's is `all`), port range inside the entry's, and a matching peer (`internet` =
    /// any CIDR or prefix list; a tier name = a security group of that tier; `self` = the
    /// group's own tier). A flow outside the matrix fails on the resource declaring it (the
    /// group for inline blocks, else the rule resource).
    ///
    /// Every required entry must also be present: some flow of a group of that tier with
    /// the same direction and peer, whose protocol is the entry's (or `all`) and whose port
    /// range covers the entry's. A missing entry fails on each group of the tier; a tier
    /// with no group at all fails with no resource (subject `<tier> tier security group`).
    /// Groups of no tier are not examined. A rule whose group, or a group whose tier, cannot
    /// be resolved is unknown (and turns a missing required entry into unknown).
    ///
    /// ## Why
    /// The architecture document's security-group table is the whole allowed traffic:
    /// "ALB-SG | 443 (HTTPS) | App-SG:8000", "App-SG | 8000 from ALB-SG | All (via NAT)",
    /// "DB-SG | 5432 from App-SG | None". Anything more widens the blast radius of a
    /// compromised tier; anything less breaks the service.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group" "db" {
    ///   name   = "clever-better-db"
    ///   vpc_id = aws_vpc.main.id
    ///   egress { # the db tier has no egress
    ///     from_port   = 0
    ///     to_port     = 0
    ///     protocol    = "-1"
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_security_group" "db" {
    ///   name   = "clever-better-db"
    ///   vpc_id = aws_vpc.main.id
    ///   ingress {
    ///     from_port       = 5432
    ///     to_port         = 5432
    ///     protocol        = "tcp"
    ///     security_groups = [aws_security_group.app.id]
    ///   }
    ///   egress = []
    /// }
    /// ```
    ///
    /// ## Peers
    /// None: no peer knows a flow matrix. Trivy `AVD-AWS-0104` and Checkov `CKV_AWS_382`
    /// flag any egress to `0.0.0.0/0`, which this matrix allows for the app tier.
    pub static FLOW_MATRIX = Rule {
        id: "CB-SG-002",
        name: "sg-flow-matrix",
        area: SecurityGroups,
        severity: High,
        sources: ALL_SOURCES,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let (inv, policy) = (c.inv, c.policy);
    let holders = flows::holders(inv);
    // Groups by tier; whether any rule's group or any group's tier is unknown.
    let mut by_tier: BTreeMap<&str, Vec<Res<'_, SecurityGroup>>> = BTreeMap::new();
    let mut doubt = inv.gap(KindTag::SecurityGroup).is_some()
        || inv.gap(KindTag::SecurityGroupRule).is_some();
    // Tiered flows: (tier, group id, flow).
    let mut tiered: Vec<(&str, ResId, &SecurityGroupFlow)> = Vec::new();
    let mut clean: Vec<ResId> = Vec::new();
    for holder in &holders {
        let group = match &holder.group {
            Ok(g) => g,
            Err(u) => {
                doubt = true;
                c.unknown(holder.id, None, "the security group this rule belongs to", u);
                continue;
            }
        };
        let tier = match tiers::sg_tier(policy, group) {
            Ok(Some(t)) => t,
            Ok(None) => continue,
            Err(u) => {
                doubt = true;
                let what = format!("the tier of {} (its tags)", group.address());
                c.unknown(holder.id, None, &what, &u);
                continue;
            }
        };
        if holder.inline() {
            by_tier.entry(tier).or_default().push(*group);
        }
        if check_flows(c, holder, group, tier) {
            clean.push(holder.id);
        }
        tiered.extend(holder.flows.iter().map(|f| (tier, group.id, f)));
    }
    let flagged = check_required(c, &by_tier, &tiered, doubt);
    for id in clean.into_iter().filter(|id| !flagged.contains(id)) {
        c.pass(id);
    }
}

/// Checks every flow of a holder against its tier's entries; true when all are allowed.
fn check_flows(
    c: &mut Check<'_>,
    holder: &Holder<'_>,
    group: &Res<'_, SecurityGroup>,
    tier: &str,
) -> bool {
    let mut clean = true;
    for flow in holder.flows {
        let attr = flows::peer_attribute(holder, flow);
        match allowed(c, tier, flow) {
            Ok(true) => {}
            Ok(false) => {
                clean = false;
                c.fail(
                    holder.id,
                    Some(attr),
                    format!(
                        "{} has {}, which the flow matrix does not allow; the {tier} tier allows only {}",
                        flows::group_label(group, Some(tier)),
                        flows::describe_flow(c.inv, flow),
                        flows::allowed_for(c.policy, tier)
                    ),
                    "remove this rule or narrow it to a flow of the matrix",
                );
            }
            Err(u) => {
                clean = false;
                let what = format!("whether {} is allowed", flows::describe_flow(c.inv, flow));
                c.unknown(holder.id, Some(attr), &what, &u);
            }
        }
    }
    clean
}

/// Whether a flow of a group of `tier` is allowed by the matrix.
fn allowed(c: &Check<'_>, tier: &str, flow: &SecurityGroupFlow) -> Result<bool, Unknown> {
    let peer = flows::peer_class(c.inv, c.policy, Some(tier), &flow.peer)?;
    let mut unknown = None;
    for entry in entries_of(c, tier) {
        if !flows::same_direction(entry, flow.direction) || !flows::peer_matches(entry, &peer) {
            continue;
        }
        match flows::traffic_inside(flow, entry) {
            Ok(true) => return Ok(true),
            Ok(false) => {}
            Err(u) => unknown = Some(u),
        }
    }
    unknown.map_or(Ok(false), Err)
}

fn entries_of<'p>(c: &Check<'p>, tier: &'p str) -> impl Iterator<Item = &'p FlowSpec> + 'p {
    let flows = &c.policy.security_groups.flows;
    flows.iter().filter(move |e| e.tier.eq_ignore_ascii_case(tier))
}

/// Checks each tier has a group and each required entry a flow; returns the groups that
/// got a finding.
fn check_required(
    c: &mut Check<'_>,
    by_tier: &BTreeMap<&str, Vec<Res<'_, SecurityGroup>>>,
    tiered: &[(&str, ResId, &SecurityGroupFlow)],
    doubt: bool,
) -> BTreeSet<ResId> {
    let mut flagged = BTreeSet::new();
    for (tier, selector) in &c.policy.security_groups.tiers {
        let groups = by_tier.get(tier.as_str()).map(Vec::as_slice).unwrap_or_default();
        if groups.is_empty() {
            if !doubt {
                c.missing(
                    KindTag::SecurityGroup,
                    "aws_security_group",
                    format!("{tier} tier security group"),
                    format!(
                        "no security group belongs to the {tier} tier (tag {} = {tier}, or a name matching {}); the architecture requires one",
                        c.policy.security_groups.tier_tag,
                        selector.names.patterns().join(", ")
                    ),
                    format!("create the {tier} security group with tags = {{ {} = \"{tier}\" }}", c.policy.security_groups.tier_tag),
                );
            }
            continue;
        }
        let required: Vec<&FlowSpec> = entries_of(c, tier).filter(|e| e.required).collect();
        for entry in required {
            let mut unknown = None;
            let present = tiered.iter().filter(|(t, _, _)| t == tier).any(|(_, _, f)| {
                let peer = flows::peer_class(c.inv, c.policy, Some(tier), &f.peer);
                let covers = flows::traffic_covers(f, entry);
                match (peer, covers) {
                    (Ok(p), Ok(true)) => {
                        flows::same_direction(entry, f.direction) && flows::peer_matches(entry, &p)
                    }
                    (Err(u), _) | (_, Err(u)) => {
                        unknown = Some(u);
                        false
                    }
                    _ => false,
                }
            });
            if present {
                continue;
            }
            let attr = flows::direction_attribute(match entry.direction {
                crate::policy::FlowDirection::Ingress => crate::model::Direction::Ingress,
                crate::policy::FlowDirection::Egress => crate::model::Direction::Egress,
            });
            let flow = flows::describe_entry(entry);
            for group in groups {
                flagged.insert(group.id);
                match (&unknown, doubt) {
                    (Some(u), _) => c.unknown(group.id, Some(attr), &format!("whether the {tier} tier has {flow}"), u),
                    (None, true) => {
                        let why = Unknown::NotInInputs("a rule's security group or a group's tier".to_string());
                        c.unknown(group.id, Some(attr), &format!("whether the {tier} tier has {flow}"), &why);
                    }
                    (None, false) => c.fail(
                        group.id,
                        Some(attr),
                        format!(
                            "no {tier}-tier group has {flow}; the flow matrix requires it ({} is one of the {tier} groups)",
                            flows::group_label(group, Some(tier))
                        ),
                        format!("add a rule for {flow} to the {tier} security group"),
                    ),
                }
            }
        }
    }
    flagged
}

#[cfg(test)]
mod tests;
