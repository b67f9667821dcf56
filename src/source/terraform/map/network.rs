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
            vpc: v.get("vpc_id").refs(),
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
            let mut peers = cidr_peers(v.get("cidr_blocks"));
            peers.extend(cidr_peers(v.get("ipv6_cidr_blocks")));
            peers.extend(prefix_peers(v.get("prefix_list_ids")));
            push_group_peer(v.get("source_security_group_id"), &mut peers);
            if v.get("self").bool().get() == Some(&true) {
                peers.push(Peer::SelfGroup);
            }
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
            let mut peers = Vec::new();
            for key in ["cidr_ipv4", "cidr_ipv6"] {
                peers.extend(cidr_peers(v.get(key)));
            }
            peers.extend(prefix_peers(v.get("prefix_list_id")));
            push_group_peer(v.get("referenced_security_group_id"), &mut peers);
            Mapped::new(SecurityGroupRule {
                group: v.get("security_group_id").refs(),
                flows: flows(direction, v.get("ip_protocol").string(), v, peers),
            })
        }
        _ => return None,
    })
}

/// A security-group peer, when the rule names one (the attribute is provider-computed and
/// absent otherwise).
fn push_group_peer(v: TfRef<'_>, peers: &mut Vec<Peer>) {
    match v.refs() {
        Field::Absent => {}
        Field::Known(t) if t.is_empty() => {}
        refs => peers.push(Peer::Group(refs)),
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
    Route {
        destination,
        gateway: v.get("gateway_id").refs().non_empty(),
        nat_gateway: v.get("nat_gateway_id").refs().non_empty(),
        other_target,
    }
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

fn prefix_peers(v: TfRef<'_>) -> Vec<Peer> {
    match v.strings() {
        Field::Known(list) | Field::Sensitive(list) => list
            .into_iter()
            .filter(|s| !s.is_empty())
            .map(Peer::PrefixList)
            .collect(),
        Field::Unknown(u) => vec![Peer::Unknown(u)],
        Field::Absent => Vec::new(),
    }
}

/// One flow per peer, with protocol and ports normalized.
fn flows(
    direction: Direction,
    protocol: Field<String>,
    v: TfRef<'_>,
    peers: Vec<Peer>,
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
    let peers = if peers.is_empty() {
        vec![Peer::Unknown(Unknown::Unresolved(
            "the rule names no peer".into(),
        ))]
    } else {
        peers
    };
    peers
        .into_iter()
        .map(|peer| SecurityGroupFlow {
            direction,
            protocol: protocol.clone(),
            ports: ports.clone(),
            peer,
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
        });
        return;
    }
    for block in v.items() {
        let mut peers = cidr_peers(block.get("cidr_blocks"));
        peers.extend(cidr_peers(block.get("ipv6_cidr_blocks")));
        peers.extend(prefix_peers(block.get("prefix_list_ids")));
        let groups = block.get("security_groups");
        match groups.refs() {
            Field::Known(t) if t.is_empty() => {}
            Field::Absent => {}
            refs => peers.push(Peer::Group(refs)),
        }
        if block.get("self").bool().get() == Some(&true) {
            peers.push(Peer::SelfGroup);
        }
        out.extend(flows(
            direction,
            block.get("protocol").string(),
            block,
            peers,
        ));
    }
}
