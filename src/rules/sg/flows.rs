//! Security-group flows and the flow matrix, shared by CB-SG-001..003.
//!
//! A *holder* is the resource that declares flows: a security group (inline `ingress` /
//! `egress` blocks, live permissions) or a standalone rule resource, with the group the
//! flows belong to.

use crate::model::{
    Direction, Field, Inventory, Peer, PortRange, Protocol, ResId, Resource, SecurityGroup,
    SecurityGroupFlow, SecurityGroupRule, Unknown, View,
};
use crate::policy::{parse_ports, FlowDirection, FlowSpec, Policy};
use crate::rules::tiers;

/// A resource declaring flows, and the group they belong to.
pub struct Holder<'a> {
    pub id: ResId,
    pub resource: &'a Resource,
    pub group: Result<View<'a, SecurityGroup>, Unknown>,
    pub flows: &'a [SecurityGroupFlow],
}

impl Holder<'_> {
    /// Whether the flows are inline blocks of the group itself.
    pub fn inline(&self) -> bool {
        matches!(&self.group, Ok(g) if g.id == self.id)
    }
}

/// Every holder: each security group, then each standalone rule resource.
pub fn holders(inv: &Inventory) -> Vec<Holder<'_>> {
    let groups = inv.all::<SecurityGroup>().map(|sg| Holder {
        id: sg.id,
        resource: sg.resource,
        group: Ok(sg),
        flows: &sg.data.flows,
    });
    let rules = inv.all::<SecurityGroupRule>().map(|rule| Holder {
        id: rule.id,
        resource: rule.resource,
        group: match inv.resolve_one::<SecurityGroup>(&rule.group) {
            Ok(Some(g)) => Ok(g),
            Ok(None) => Err(Unknown::NotInInputs(
                "the rule's security group".to_string(),
            )),
            Err(u) => Err(u),
        },
        flows: &rule.data.flows,
    });
    groups.chain(rules).collect()
}

/// A group's name (`name`, else the `Name` tag, else its address).
pub fn group_name<'a>(sg: &View<'a, SecurityGroup>) -> &'a str {
    sg.data
        .name
        .get()
        .map(String::as_str)
        .or_else(|| sg.resource.tag("Name"))
        .unwrap_or_else(|| sg.resource.address())
}

/// A group for messages: `security group clever-better-alb (alb tier)`.
pub fn group_label(sg: &View<'_, SecurityGroup>, tier: Option<&str>) -> String {
    let name = group_name(sg);
    match tier {
        Some(t) => format!("security group {name} ({t} tier)"),
        None => format!("security group {name} (no tier)"),
    }
}

/// The other side of a flow, as the matrix sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum PeerClass<'p> {
    /// Any CIDR or prefix list.
    Internet,
    Tier(&'p str),
    /// A security group of no tier.
    Untiered,
}

/// Classifies a flow's peer; `own` is the tier of the group holding the flow.
pub fn peer_class<'p>(
    inv: &Inventory,
    policy: &'p Policy,
    own: Option<&'p str>,
    peer: &Peer,
) -> Result<PeerClass<'p>, Unknown> {
    let tier = match peer {
        // A prefix list is `internet` whether its id is known or not: AWS-managed lists
        // (S3, DynamoDB, CloudFront origin-facing) hold addresses outside the VPC.
        Peer::Cidr(_) | Peer::PrefixList(_) | Peer::PrefixListUnknownId(_) => {
            return Ok(PeerClass::Internet)
        }
        Peer::Unknown(u) => return Err(u.clone()),
        Peer::SelfGroup => own,
        Peer::Group(refs) => match inv.resolve_one::<SecurityGroup>(refs)? {
            Some(g) => tiers::sg_tier(policy, &g)?,
            None => return Err(Unknown::NotInInputs("the peer security group".to_string())),
        },
    };
    Ok(tier.map_or(PeerClass::Untiered, PeerClass::Tier))
}

/// Whether a matrix entry's peer (`internet` or a tier) is this peer.
pub fn peer_matches(entry: &FlowSpec, peer: &PeerClass<'_>) -> bool {
    match peer {
        PeerClass::Internet => entry.peer == "internet",
        PeerClass::Tier(t) => entry.peer.eq_ignore_ascii_case(t),
        PeerClass::Untiered => false,
    }
}

/// A matrix entry's direction.
pub fn entry_direction(entry: &FlowSpec) -> Direction {
    match entry.direction {
        FlowDirection::Ingress => Direction::Ingress,
        FlowDirection::Egress => Direction::Egress,
    }
}

/// Whether a matrix entry has this direction.
pub fn same_direction(entry: &FlowSpec, direction: Direction) -> bool {
    entry_direction(entry) == direction
}

/// The matrix entries of a tier.
pub fn entries_of<'p>(policy: &'p Policy, tier: &'p str) -> impl Iterator<Item = &'p FlowSpec> {
    let flows = &policy.security_groups.flows;
    flows
        .iter()
        .filter(move |e| e.tier.eq_ignore_ascii_case(tier))
}

/// Whether a flow of a group of `tier` is allowed by an entry of the matrix.
pub fn allowed(
    inv: &Inventory,
    policy: &Policy,
    tier: &str,
    flow: &SecurityGroupFlow,
) -> Result<bool, Unknown> {
    let peer = peer_class(inv, policy, Some(tier), &flow.peer)?;
    let mut unknown = None;
    for entry in entries_of(policy, tier) {
        if !same_direction(entry, flow.direction) || !peer_matches(entry, &peer) {
            continue;
        }
        match traffic_inside(flow, entry) {
            Ok(true) => return Ok(true),
            Ok(false) => {}
            Err(u) => unknown = Some(u),
        }
    }
    unknown.map_or(Ok(false), Err)
}

fn entry_traffic(entry: &FlowSpec) -> (Option<Protocol>, PortRange) {
    let ports = parse_ports(&entry.ports).unwrap_or(PortRange::ALL);
    (Protocol::parse(&entry.protocol), ports)
}

fn flow_traffic(flow: &SecurityGroupFlow) -> Result<(Protocol, PortRange), Unknown> {
    let Some(&protocol) = flow.protocol.try_value()? else {
        return Err(Unknown::NotInInputs("the rule's protocol".to_string()));
    };
    let ports = match &flow.ports {
        Field::Unknown(u) if protocol.has_ports() => return Err(u.clone()),
        // Ports do not apply to the protocol, or are not set: the whole range.
        f => f.get().copied().unwrap_or(PortRange::ALL),
    };
    Ok((protocol, ports))
}

/// Whether the flow's traffic lies inside the entry's: protocol equal (or the entry's is
/// `all`), port range inside the entry's.
pub fn traffic_inside(flow: &SecurityGroupFlow, entry: &FlowSpec) -> Result<bool, Unknown> {
    let (Some(want), range) = entry_traffic(entry) else {
        return Ok(false);
    };
    if want == Protocol::All {
        return Ok(true);
    }
    let (protocol, ports) = flow_traffic(flow)?;
    Ok(protocol == want && (!want.has_ports() || range.contains(ports)))
}

/// Whether the flow's traffic covers the entry's: protocol equal or `all`, port range
/// covering the entry's.
pub fn traffic_covers(flow: &SecurityGroupFlow, entry: &FlowSpec) -> Result<bool, Unknown> {
    let (Some(want), range) = entry_traffic(entry) else {
        return Ok(false);
    };
    let (protocol, ports) = flow_traffic(flow)?;
    Ok(match (protocol, want) {
        (Protocol::All, _) => true,
        (_, Protocol::All) => false,
        (p, w) => p == w && (!w.has_ports() || ports.contains(range)),
    })
}

/// "ingress tcp/443 from internet", "egress all traffic to internet".
pub fn describe_entry(entry: &FlowSpec) -> String {
    let (dir, word) = match entry.direction {
        FlowDirection::Ingress => ("ingress", "from"),
        FlowDirection::Egress => ("egress", "to"),
    };
    let traffic = match entry_traffic(entry) {
        (Some(Protocol::All), _) | (None, _) => "all traffic".to_string(),
        (Some(p), r) if p.has_ports() => format!("{p}/{r}"),
        (Some(p), _) => p.to_string(),
    };
    let peer = match entry.peer.as_str() {
        "internet" => "internet".to_string(),
        tier => format!("the {tier} tier"),
    };
    format!("{dir} {traffic} {word} {peer}")
}

/// What the matrix allows a tier: "ingress tcp/443 from internet, egress …", or "no flow".
pub fn allowed_for(policy: &Policy, tier: &str) -> String {
    let entries: Vec<String> = policy
        .security_groups
        .flows
        .iter()
        .filter(|e| e.tier.eq_ignore_ascii_case(tier))
        .map(describe_entry)
        .collect();
    if entries.is_empty() {
        "no flow at all".to_string()
    } else {
        entries.join(", ")
    }
}

/// A flow's peer for messages: the CIDR, prefix list or group address.
pub fn peer_label(inv: &Inventory, peer: &Peer) -> String {
    match peer {
        Peer::Group(refs) => match inv.resolve_one::<SecurityGroup>(refs) {
            Ok(Some(g)) => format!("security group {}", g.address()),
            _ => peer.to_string(),
        },
        other => other.to_string(),
    }
}

/// "ingress tcp/80 from 0.0.0.0/0".
pub fn describe_flow(inv: &Inventory, flow: &SecurityGroupFlow) -> String {
    let word = match flow.direction {
        Direction::Ingress => "from",
        Direction::Egress => "to",
    };
    format!(
        "{} {} {word} {}",
        flow.direction,
        flow.describe_traffic(),
        peer_label(inv, &flow.peer)
    )
}

/// The attribute naming a flow's peer, for locations: the one the source read the peer
/// from (`prefix_list_ids`, `ingress.cidr_blocks`, …), else the one its resource type uses.
pub fn peer_attribute<'f>(holder: &Holder<'_>, flow: &'f SecurityGroupFlow) -> &'f str {
    if let Some(attr) = &flow.attribute {
        return attr;
    }
    let v6 = matches!(&flow.peer, Peer::Cidr(n) if n.is_ipv6());
    match holder.resource.resource_type.as_str() {
        "aws_security_group_rule" => match &flow.peer {
            Peer::Cidr(_) if v6 => "ipv6_cidr_blocks",
            Peer::Cidr(_) => "cidr_blocks",
            Peer::PrefixList(_) | Peer::PrefixListUnknownId(_) => "prefix_list_ids",
            Peer::SelfGroup => "self",
            _ => "source_security_group_id",
        },
        t if t.starts_with("aws_vpc_security_group_") => match &flow.peer {
            Peer::Cidr(_) if v6 => "cidr_ipv6",
            Peer::Cidr(_) => "cidr_ipv4",
            Peer::PrefixList(_) | Peer::PrefixListUnknownId(_) => "prefix_list_id",
            _ => "referenced_security_group_id",
        },
        _ => direction_attribute(flow.direction),
    }
}

/// An attribute for messages, with its line when the source knows it:
/// "`prefix_list_ids` at main.tf:12" (the file's name, not its path, keeps messages the
/// same wherever the configuration sits).
pub fn attribute_at(holder: &Holder<'_>, attr: &str) -> String {
    let exact = holder
        .resource
        .provenance
        .attributes
        .iter()
        .find(|(name, _)| name == attr);
    match exact {
        Some((_, l)) => {
            let file = l.path.rsplit(['/', '\\']).next().unwrap_or(&l.path);
            format!("`{attr}` at {file}:{}", l.line)
        }
        None => format!("`{attr}`"),
    }
}

/// The Terraform attribute naming a flow's protocol, for locations.
pub fn protocol_attribute(holder: &Holder<'_>, flow: &SecurityGroupFlow) -> &'static str {
    match holder.resource.resource_type.as_str() {
        "aws_security_group_rule" => "protocol",
        t if t.starts_with("aws_vpc_security_group_") => "ip_protocol",
        _ => direction_attribute(flow.direction),
    }
}

/// `ingress` / `egress`: the inline block of a group.
pub fn direction_attribute(direction: Direction) -> &'static str {
    match direction {
        Direction::Ingress => "ingress",
        Direction::Egress => "egress",
    }
}
