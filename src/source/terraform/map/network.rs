//! VPC, subnets, routes, gateways, flow logs, security groups and their rules.

use ipnetwork::IpNetwork;

use super::{Mapped, TfRef};
use crate::model::*;

pub fn map(t: &str, v: TfRef<'_>) -> Option<Mapped> {
    Some(match t {
        "aws_vpc" | "aws_default_vpc" => Mapped::new(Vpc {
            cidr: cidr(v.get("cidr_block")),
            default: t == "aws_default_vpc",
        }),
        "aws_subnet" | "aws_default_subnet" => Mapped::new(Subnet {
            vpc: v.get("vpc_id").refs(),
            cidr: cidr(v.get("cidr_block")),
            availability_zone: v.get("availability_zone").string_nonempty(),
            map_public_ip_on_launch: v.get("map_public_ip_on_launch").bool(),
        }),
        "aws_route_table" => Mapped::new(RouteTable {
            vpc: v.get("vpc_id").refs(),
            routes: routes(v.get("route")),
            main: false,
        }),
        "aws_default_route_table" => Mapped::new(RouteTable {
            // The VPC's main table: `default_route_table_id = aws_vpc.x.default_route_table_id`.
            vpc: v
                .get("vpc_id")
                .refs()
                .or_else_refs(v.get("default_route_table_id").refs()),
            routes: routes(v.get("route")),
            main: true,
        }),
        "aws_route" => Mapped::new(RouteEntry {
            route_table: v.get("route_table_id").refs(),
            route: route(
                v,
                "destination_cidr_block",
                "destination_ipv6_cidr_block",
                "destination_prefix_list_id",
            ),
        }),
        "aws_route_table_association" => Mapped::new(RouteTableAssociation {
            subnet: v.get("subnet_id").refs(),
            route_table: v.get("route_table_id").refs(),
        }),
        "aws_main_route_table_association" => Mapped::new(MainRouteTableAssociation {
            vpc: v.get("vpc_id").refs(),
            route_table: v.get("route_table_id").refs(),
        }),
        "aws_internet_gateway" => Mapped::new(InternetGateway {
            vpc: v.get("vpc_id").refs(),
        }),
        "aws_nat_gateway" => Mapped::new(NatGateway {
            subnet: v.get("subnet_id").refs(),
            connectivity_type: v.get("connectivity_type").string_nonempty(),
        }),
        "aws_flow_log" => Mapped::new(FlowLog {
            vpc: flow_log_vpc(v),
            traffic_type: v.get("traffic_type").string_nonempty(),
        }),
        "aws_security_group" | "aws_default_security_group" => {
            let name = v.get("name").string_nonempty();
            let mut flows = Vec::new();
            inline_flows(v.get("ingress"), Direction::Ingress, &mut flows);
            inline_flows(v.get("egress"), Direction::Egress, &mut flows);
            Mapped::new(SecurityGroup {
                name: name.clone(),
                vpc: v.get("vpc_id").refs(),
                flows,
            })
            .id(&name)
        }
        "aws_security_group_rule" => {
            let direction = match v.get("type").string().get().map(String::as_str) {
                Some("egress") => Direction::Egress,
                _ => Direction::Ingress,
            };
            let mut peers = Peers::new("");
            peers.cidrs(v, "cidr_blocks");
            peers.cidrs(v, "ipv6_cidr_blocks");
            peers.prefix_lists(v, "prefix_list_ids");
            peers.group(v, "source_security_group_id");
            peers.self_group(v, "self");
            Mapped::new(SecurityGroupRule {
                group: v.get("security_group_id").refs(),
                flows: flows(direction, v.get("protocol").string(), v, peers),
            })
        }
        "aws_vpc_security_group_ingress_rule" | "aws_vpc_security_group_egress_rule" => {
            let direction = if t.ends_with("ingress_rule") {
                Direction::Ingress
            } else {
                Direction::Egress
            };
            let mut peers = Peers::new("");
            peers.cidrs(v, "cidr_ipv4");
            peers.cidrs(v, "cidr_ipv6");
            peers.prefix_lists(v, "prefix_list_id");
            peers.group(v, "referenced_security_group_id");
            Mapped::new(SecurityGroupRule {
                group: v.get("security_group_id").refs(),
                flows: flows(direction, v.get("ip_protocol").string(), v, peers),
            })
        }
        _ => return None,
    })
}

/// A rule's peers, each with the attribute that names it (`prefix` is `ingress.` /
/// `egress.` for the inline blocks of a group).
struct Peers {
    prefix: &'static str,
    list: Vec<(Peer, String)>,
    /// A prefix-list attribute configured with a value known only after apply as a whole:
    /// a plan collapses a set holding an unknown id (`[data.….id]`) to one unknown.
    unknown_lists: Vec<(Unknown, String)>,
}

impl Peers {
    fn new(prefix: &'static str) -> Peers {
        Peers {
            prefix,
            list: Vec::new(),
            unknown_lists: Vec::new(),
        }
    }

    fn push(&mut self, peers: Vec<Peer>, key: &str) {
        let attr = format!("{}{key}", self.prefix);
        self.list
            .extend(peers.into_iter().map(|p| (p, attr.clone())));
    }

    fn cidrs(&mut self, v: TfRef<'_>, key: &str) {
        self.push(cidr_peers(v.get(key)), key);
    }

    fn prefix_lists(&mut self, v: TfRef<'_>, key: &str) {
        let v = v.get(key);
        match v.strings() {
            Field::Unknown(u) if v.is_unknown() && key == "prefix_list_ids" => {
                let attr = format!("{}{key}", self.prefix);
                self.unknown_lists.push((u, attr));
            }
            _ => self.push(prefix_peers(v), key),
        }
    }

    /// The peers, each with its attribute. A whole prefix-list set known only after apply
    /// is a prefix-list peer when it is the only peer the rule names: AWS requires a rule
    /// to name a peer, so the set holds at least one list. Next to other peers it may be
    /// empty, so that peer is unknown.
    fn finish(mut self) -> Vec<(Peer, String)> {
        let alone = self.list.is_empty() && self.unknown_lists.len() == 1;
        for (u, attr) in self.unknown_lists {
            let peer = if alone {
                Peer::PrefixListUnknownId(u)
            } else {
                Peer::Unknown(u)
            };
            self.list.push((peer, attr));
        }
        self.list
    }

    /// A security-group peer, when the rule names one (the attribute is provider-computed
    /// and absent otherwise; inline blocks give a list of groups).
    fn group(&mut self, v: TfRef<'_>, key: &str) {
        match v.get(key).refs() {
            Field::Absent => {}
            Field::Known(t) if t.is_empty() => {}
            refs => self.push(vec![Peer::Group(refs)], key),
        }
    }

    fn self_group(&mut self, v: TfRef<'_>, key: &str) {
        if v.get(key).bool().get() == Some(&true) {
            self.push(vec![Peer::SelfGroup], key);
        }
    }
}

trait OrElseRefs {
    fn or_else_refs(self, other: Refs) -> Refs;
}

impl OrElseRefs for Refs {
    fn or_else_refs(self, other: Refs) -> Refs {
        match self {
            Field::Absent => other,
            s => s,
        }
    }
}

/// The VPC a flow log captures: its `vpc_id`, unless it is the flow log of a subnet, a
/// network interface or a transit gateway (provider `aws_flow_log`: exactly one of
/// `eni_id`, `subnet_id`, `transit_gateway_id`, `transit_gateway_attachment_id`, `vpc_id`).
/// Those set the target whether or not their value is known yet, and such a flow log
/// captures only that subnet or interface, never the whole VPC.
fn flow_log_vpc(v: TfRef<'_>) -> crate::model::Refs {
    let other = [
        "subnet_id",
        "eni_id",
        "transit_gateway_id",
        "transit_gateway_attachment_id",
    ];
    // A whole instance unknown (a `for_each` over values known only after apply): which
    // target it sets is not known either.
    if v.is_unknown() {
        return v.get("vpc_id").refs();
    }
    if other.iter().any(|k| !v.get(k).is_null()) {
        return Field::Absent;
    }
    v.get("vpc_id").refs()
}

fn cidr(v: TfRef<'_>) -> Field<IpNetwork> {
    match v.string_nonempty() {
        Field::Known(s) => parse_cidr(&s).map_or_else(Field::Unknown, Field::Known),
        Field::Sensitive(s) => parse_cidr(&s).map_or_else(Field::Unknown, Field::Sensitive),
        Field::Unknown(u) => Field::Unknown(u),
        Field::Absent => Field::Absent,
    }
}

fn parse_cidr(s: &str) -> Result<IpNetwork, Unknown> {
    s.parse()
        .map_err(|_| Unknown::Unresolved(format!("`{s}` is not a CIDR block")))
}

fn routes(v: TfRef<'_>) -> Field<Vec<Route>> {
    if v.is_null() {
        return Field::Absent;
    }
    if v.is_unknown() {
        return v.strings().map(|_| Vec::new());
    }
    Field::Known(
        v.items()
            .into_iter()
            .map(|r| {
                route(
                    r,
                    "cidr_block",
                    "ipv6_cidr_block",
                    "destination_prefix_list_id",
                )
            })
            .collect(),
    )
}

fn route(v: TfRef<'_>, v4: &str, v6: &str, prefix_list: &str) -> Route {
    let destination = [v4, v6, prefix_list]
        .iter()
        .map(|k| v.get(k).string_nonempty())
        .find(|f| !f.is_absent())
        .unwrap_or(Field::Absent);
    let other_target = [
        "transit_gateway_id",
        "vpc_peering_connection_id",
        "network_interface_id",
        "vpc_endpoint_id",
        "egress_only_gateway_id",
        "carrier_gateway_id",
        "local_gateway_id",
        "core_network_arn",
    ]
    .iter()
    .find_map(|k| v.get(k).string_nonempty().get().cloned());
    let mut gateway = v.get("gateway_id").refs().non_empty();
    let mut nat_gateway = v.get("nat_gateway_id").refs().non_empty();
    // EC2 takes a NAT gateway in `GatewayId` and stores it as the route's NAT gateway
    // (hashicorp/terraform#8035: the provider then shows it under `nat_gateway_id`).
    if nat_gateway.is_absent() && is_nat(&gateway) {
        nat_gateway = std::mem::replace(&mut gateway, Field::Absent);
    }
    Route {
        destination,
        gateway,
        nat_gateway,
        other_target,
    }
}

/// Whether every target of `gateway_id` is a NAT gateway (`aws_nat_gateway.x`, `nat-…`).
fn is_nat(refs: &Refs) -> bool {
    let nat = |t: &RefTarget| match t {
        RefTarget::Address(a) => crate::model::group_address(a)
            .rsplit('.')
            .nth(1)
            .is_some_and(|ty| ty == "aws_nat_gateway"),
        RefTarget::Ident(i) => i.starts_with("nat-"),
    };
    matches!(refs, Field::Known(t) if !t.is_empty() && t.iter().all(nat))
}

trait NonEmpty {
    fn non_empty(self) -> Self;
}

impl NonEmpty for Refs {
    /// `""` is how the provider spells "no target" in route blocks.
    fn non_empty(self) -> Refs {
        match self {
            Field::Known(t) if t.is_empty() => Field::Absent,
            other => other,
        }
    }
}

fn cidr_peers(v: TfRef<'_>) -> Vec<Peer> {
    match v.strings() {
        Field::Known(list) | Field::Sensitive(list) => list
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| parse_cidr(s).map_or_else(Peer::Unknown, Peer::Cidr))
            .collect(),
        Field::Unknown(u) => vec![Peer::Unknown(u)],
        Field::Absent => Vec::new(),
    }
}

/// Prefix-list peers: a peer of kind prefix list whether or not its id is known yet (the
/// attribute that is set says the kind).
fn prefix_peers(v: TfRef<'_>) -> Vec<Peer> {
    match v.strings() {
        Field::Known(list) | Field::Sensitive(list) => list
            .into_iter()
            .filter(|s| !s.is_empty())
            .map(Peer::PrefixList)
            .collect(),
        Field::Absent => Vec::new(),
        // A single id (`prefix_list_id`) known after apply.
        Field::Unknown(u) if v.items().is_empty() => vec![Peer::PrefixListUnknownId(u)],
        // A list holding ids known after apply, element by element.
        Field::Unknown(_) => v
            .items()
            .into_iter()
            .filter_map(|item| match item.string_nonempty() {
                Field::Known(s) | Field::Sensitive(s) => Some(Peer::PrefixList(s)),
                Field::Unknown(u) => Some(Peer::PrefixListUnknownId(u)),
                Field::Absent => None,
            })
            .collect(),
    }
}

/// One flow per peer, with protocol and ports normalized.
fn flows(
    direction: Direction,
    protocol: Field<String>,
    v: TfRef<'_>,
    peers: Peers,
) -> Vec<SecurityGroupFlow> {
    let protocol = match protocol {
        Field::Known(p) | Field::Sensitive(p) => match Protocol::parse(&p) {
            Some(p) => Field::Known(p),
            None => Field::Unknown(Unknown::Unresolved(format!("protocol `{p}`"))),
        },
        Field::Unknown(u) => Field::Unknown(u),
        Field::Absent => Field::Known(Protocol::All),
    };
    let ports = match protocol {
        Field::Known(p) if !p.has_ports() => Field::Known(PortRange::ALL),
        _ => match (v.get("from_port").int(), v.get("to_port").int()) {
            (Field::Known(a), Field::Known(b)) => port_range(a, b),
            (Field::Unknown(u), _) | (_, Field::Unknown(u)) => Field::Unknown(u),
            _ => Field::Known(PortRange::ALL),
        },
    };
    let block = peers.prefix.trim_end_matches('.');
    let mut peers = peers.finish();
    if peers.is_empty() {
        let none = Peer::Unknown(Unknown::Unresolved("the rule names no peer".into()));
        peers.push((none, block.to_string()));
    }
    peers
        .into_iter()
        .map(|(peer, attr)| SecurityGroupFlow {
            direction,
            protocol: protocol.clone(),
            ports: ports.clone(),
            peer,
            attribute: (!attr.is_empty()).then_some(attr),
        })
        .collect()
}

fn port_range(from: i64, to: i64) -> Field<PortRange> {
    // -1 (or 0..0 with protocol all) means every port.
    if from < 0 || to < 0 {
        return Field::Known(PortRange::ALL);
    }
    match (u16::try_from(from), u16::try_from(to)) {
        (Ok(from), Ok(to)) if from <= to => Field::Known(PortRange { from, to }),
        _ => Field::Unknown(Unknown::Unresolved(format!("port range {from}-{to}"))),
    }
}

fn inline_flows(v: TfRef<'_>, direction: Direction, out: &mut Vec<SecurityGroupFlow>) {
    if v.is_null() {
        return;
    }
    if v.is_unknown() {
        // Not configured (the provider computes it): no inline rules. Configured but
        // unknown until apply (a dynamic block over unknown values): unknown flows.
        let Field::Unknown(u) = v.string() else {
            return;
        };
        out.push(SecurityGroupFlow {
            direction,
            protocol: Field::Unknown(u.clone()),
            ports: Field::Unknown(u.clone()),
            peer: Peer::Unknown(u),
            attribute: Some(direction_block(direction).to_string()),
        });
        return;
    }
    for block in v.items() {
        let mut peers = Peers::new(match direction {
            Direction::Ingress => "ingress.",
            Direction::Egress => "egress.",
        });
        peers.cidrs(block, "cidr_blocks");
        peers.cidrs(block, "ipv6_cidr_blocks");
        peers.prefix_lists(block, "prefix_list_ids");
        peers.group(block, "security_groups");
        peers.self_group(block, "self");
        out.extend(flows(
            direction,
            block.get("protocol").string(),
            block,
            peers,
        ));
    }
}

fn direction_block(direction: Direction) -> &'static str {
    match direction {
        Direction::Ingress => "ingress",
        Direction::Egress => "egress",
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::source::terraform::{TfValue, UnknownValue};

    /// A value known after apply that the configuration sets.
    fn after_apply() -> TfValue {
        TfValue::Unknown(Arc::new(UnknownValue {
            configured: true,
            ..UnknownValue::default()
        }))
    }

    fn object(pairs: Vec<(&str, TfValue)>) -> TfValue {
        TfValue::Map(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    fn json(v: serde_json::Value) -> TfValue {
        TfValue::from_json(&v)
    }

    fn flows_of(t: &str, v: &TfValue) -> Vec<SecurityGroupFlow> {
        match map(t, TfRef::plain(v)).expect("mapped").body {
            Body::SecurityGroupRule(r) => r.flows,
            Body::SecurityGroup(g) => g.flows,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn prefix_list_id_known_after_apply_is_a_prefix_list_peer() {
        let v = object(vec![
            ("security_group_id", json("sg-1".into())),
            ("prefix_list_id", after_apply()),
            ("ip_protocol", json("6".into())),
            ("from_port", json(5432.into())),
            ("to_port", json(5432.into())),
        ]);
        let f = flows_of("aws_vpc_security_group_ingress_rule", &v);
        assert_eq!(f.len(), 1);
        assert!(matches!(f[0].peer, Peer::PrefixListUnknownId(_)), "{f:?}");
        assert_eq!(f[0].attribute.as_deref(), Some("prefix_list_id"));
        assert_eq!(f[0].protocol, Field::Known(Protocol::Tcp));
    }

    #[test]
    fn whole_unknown_prefix_list_set_is_a_prefix_list_only_when_alone() {
        let alone = object(vec![
            ("type", json("ingress".into())),
            ("prefix_list_ids", after_apply()),
            ("protocol", json("TCP".into())),
            ("from_port", json(5432.into())),
            ("to_port", json(5432.into())),
        ]);
        let f = flows_of("aws_security_group_rule", &alone);
        assert!(matches!(f[0].peer, Peer::PrefixListUnknownId(_)), "{f:?}");
        assert_eq!(f[0].attribute.as_deref(), Some("prefix_list_ids"));

        let mut with_cidr = alone.clone();
        if let TfValue::Map(m) = &mut with_cidr {
            m.insert(
                "cidr_blocks".into(),
                json(serde_json::json!(["10.0.0.0/8"])),
            );
        }
        let f = flows_of("aws_security_group_rule", &with_cidr);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].attribute.as_deref(), Some("cidr_blocks"));
        assert!(matches!(f[1].peer, Peer::Unknown(_)), "may be empty: {f:?}");
    }

    #[test]
    fn inline_blocks_name_the_peer_attribute_inside_the_block() {
        let ingress = object(vec![
            ("protocol", json("all".into())),
            ("from_port", json(0.into())),
            ("to_port", json(0.into())),
            ("cidr_blocks", json(serde_json::json!(["0.0.0.0/0"]))),
            ("prefix_list_ids", TfValue::List(vec![after_apply()])),
        ]);
        let v = object(vec![
            ("name", json("db".into())),
            ("ingress", TfValue::List(vec![ingress])),
        ]);
        let f = flows_of("aws_security_group", &v);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].attribute.as_deref(), Some("ingress.cidr_blocks"));
        assert_eq!(f[0].ports, Field::Known(PortRange::ALL));
        assert_eq!(f[0].protocol, Field::Known(Protocol::All));
        assert!(matches!(f[1].peer, Peer::PrefixListUnknownId(_)), "{f:?}");
        assert_eq!(f[1].attribute.as_deref(), Some("ingress.prefix_list_ids"));
    }

    #[test]
    fn known_and_empty_prefix_lists() {
        let v = object(vec![
            ("type", json("egress".into())),
            (
                "prefix_list_ids",
                json(serde_json::json!(["pl-6ca54005", ""])),
            ),
            ("self", json(true.into())),
            ("protocol", json("-1".into())),
        ]);
        let f = flows_of("aws_security_group_rule", &v);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].peer, Peer::PrefixList("pl-6ca54005".into()));
        assert_eq!(f[1].peer, Peer::SelfGroup);
        assert_eq!(f[1].attribute.as_deref(), Some("self"));
        let empty = object(vec![
            ("prefix_list_ids", json(serde_json::json!([]))),
            ("cidr_blocks", json(serde_json::json!(["10.0.0.0/16"]))),
            ("protocol", json("tcp".into())),
            ("from_port", json(443.into())),
            ("to_port", json(443.into())),
        ]);
        let f = flows_of("aws_security_group_rule", &empty);
        assert_eq!(f.len(), 1, "an empty list names no peer: {f:?}");
    }

    #[test]
    fn a_nat_gateway_in_gateway_id_is_the_route_nat_gateway() {
        let v = object(vec![
            ("route_table_id", json("rtb-1".into())),
            ("destination_cidr_block", json("0.0.0.0/0".into())),
            ("gateway_id", json("nat-0123".into())),
        ]);
        let Body::RouteEntry(e) = map("aws_route", TfRef::plain(&v)).unwrap().body else {
            panic!()
        };
        assert!(e.route.gateway.is_absent());
        assert_eq!(
            e.route.nat_gateway,
            Field::Known(vec![RefTarget::Ident("nat-0123".into())])
        );
        let igw = object(vec![
            ("cidr_block", json("0.0.0.0/0".into())),
            ("gateway_id", json("igw-1".into())),
        ]);
        let r = route(
            TfRef::plain(&igw),
            "cidr_block",
            "ipv6_cidr_block",
            "destination_prefix_list_id",
        );
        assert!(r.nat_gateway.is_absent() && !r.gateway.is_absent());
    }

    #[test]
    fn a_subnet_flow_log_captures_no_vpc() {
        let vpc_of = |v: &TfValue| match map("aws_flow_log", TfRef::plain(v)).expect("mapped").body
        {
            Body::FlowLog(f) => f.vpc,
            other => panic!("{other:?}"),
        };
        let subnet = object(vec![
            ("subnet_id", after_apply()),
            ("vpc_id", after_apply()),
            ("traffic_type", json(serde_json::json!("REJECT"))),
        ]);
        assert_eq!(vpc_of(&subnet), Field::Absent);
        let vpc = object(vec![("vpc_id", json(serde_json::json!("vpc-1")))]);
        assert!(matches!(vpc_of(&vpc), Field::Known(t) if t.len() == 1));
    }
}
