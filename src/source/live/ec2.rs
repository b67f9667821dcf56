//! EC2 networking: VPCs, subnets, route tables (routes inline, subnet associations as
//! their own resources), internet and NAT gateways, flow logs, security groups and their
//! rules, mapped like the Terraform resources of the same names.
//!
//! Calls (IAM actions), all paginated: `ec2:DescribeVpcs`, `ec2:DescribeSubnets`,
//! `ec2:DescribeRouteTables`, `ec2:DescribeInternetGateways`, `ec2:DescribeNatGateways`,
//! `ec2:DescribeFlowLogs`, `ec2:DescribeSecurityGroups`, `ec2:DescribeSecurityGroupRules`.
//!
//! Live, every security-group rule is its own object (`sgr-…`): each becomes a
//! [`SecurityGroupRule`] (typed `aws_vpc_security_group_{ingress,egress}_rule`, one flow),
//! and groups carry no flows of their own, so no flow is counted twice. A route table's
//! implicit `local` route is left out, as the `route` blocks of `aws_route_table` leave it
//! out. Deleted and failed NAT gateways route nothing and are skipped.

use aws_sdk_ec2::types as ec2;
use aws_sdk_ec2::Client;
use ipnetwork::IpNetwork;

use crate::model::{
    ident, Direction, Field, FlowLog, InternetGateway, Kind, NatGateway, Peer, PortRange, Protocol,
    Refs, Route, RouteTable, RouteTableAssociation, SecurityGroup, SecurityGroupFlow,
    SecurityGroupRule, Subnet, Tags, Unknown, Vpc,
};

use super::ctx::{client, known, tags};
use super::{Batch, Ctx};

pub const KINDS: &[Kind] = &[
    Kind::Vpc,
    Kind::Subnet,
    Kind::RouteTable,
    Kind::RouteTableAssociation,
    Kind::InternetGateway,
    Kind::NatGateway,
    Kind::FlowLog,
    Kind::SecurityGroup,
    Kind::SecurityGroupRule,
];

pub async fn read(ctx: &Ctx, out: &mut Batch) {
    let ec2 = client!(ctx, aws_sdk_ec2);
    vpcs(ctx, &ec2, out).await;
    subnets(ctx, &ec2, out).await;
    route_tables(ctx, &ec2, out).await;
    internet_gateways(ctx, &ec2, out).await;
    nat_gateways(ctx, &ec2, out).await;
    flow_logs(ctx, &ec2, out).await;
    security_groups(ctx, &ec2, out).await;
    security_group_rules(ctx, &ec2, out).await;
}

/// `arn:…:ec2:<region>:<account>:<kind>/<id>`, unless the API gave the ARN.
fn arn(ctx: &Ctx, given: Option<&str>, kind: &str, id: &str) -> String {
    given.map_or_else(|| ctx.arn("ec2", &format!("{kind}/{id}")), str::to_string)
}

/// A reference to one id, absent when there is none.
fn one(id: Option<&str>) -> Refs {
    match id {
        Some(id) if !id.is_empty() => Field::Known(vec![ident(id)]),
        _ => Field::Absent,
    }
}

fn not_cidr(s: &str) -> Unknown {
    Unknown::Unresolved(format!("`{s}` is not a CIDR block"))
}

fn cidr(block: Option<&str>) -> Field<IpNetwork> {
    match block {
        Some(s) => s
            .parse()
            .map_or_else(|_| Field::Unknown(not_cidr(s)), Field::Known),
        None => Field::Absent,
    }
}

fn ec2_tags(list: &[ec2::Tag]) -> Field<Tags> {
    tags(list.iter().map(|t| (t.key(), t.value())))
}

async fn vpcs(ctx: &Ctx, ec2: &Client, out: &mut Batch) {
    let listing = ec2.describe_vpcs().into_paginator().items().send();
    for v in out.drain(listing, &[Kind::Vpc], "ec2:DescribeVpcs").await {
        let Some(id) = v.vpc_id() else { continue };
        let address = arn(ctx, None, "vpc", id);
        let default = v.is_default() == Some(true);
        let kind = Vpc {
            cidr: cidr(v.cidr_block()),
            default,
        };
        let ty = if default {
            "aws_default_vpc"
        } else {
            "aws_vpc"
        };
        out.push(ctx.resource(ty, address, vec![id.into()], ec2_tags(v.tags()), kind));
    }
}

async fn subnets(ctx: &Ctx, ec2: &Client, out: &mut Batch) {
    let listing = ec2.describe_subnets().into_paginator().items().send();
    for s in out
        .drain(listing, &[Kind::Subnet], "ec2:DescribeSubnets")
        .await
    {
        let Some(id) = s.subnet_id() else { continue };
        let address = arn(ctx, s.subnet_arn(), "subnet", id);
        let kind = Subnet {
            vpc: one(s.vpc_id()),
            cidr: cidr(s.cidr_block()),
            availability_zone: known(s.availability_zone().map(str::to_string)),
            map_public_ip_on_launch: known(s.map_public_ip_on_launch()),
        };
        let ty = if s.default_for_az() == Some(true) {
            "aws_default_subnet"
        } else {
            "aws_subnet"
        };
        out.push(ctx.resource(ty, address, vec![id.into()], ec2_tags(s.tags()), kind));
    }
}

/// A route as a `route` block would give it; `None` for the implicit local route.
fn route(r: &ec2::Route) -> Option<Route> {
    let gateway = r.gateway_id();
    if gateway == Some("local") {
        return None;
    }
    // `gateway_id` holds internet and virtual private gateways; endpoints (`vpce-…`) are
    // other targets.
    let (gateway, other) = match gateway {
        Some(g) if g.starts_with("igw-") || g.starts_with("vgw-") => (one(Some(g)), None),
        other => (Field::Absent, other),
    };
    let other_target = other
        .or(r.transit_gateway_id())
        .or(r.vpc_peering_connection_id())
        .or(r.network_interface_id())
        .or(r.egress_only_internet_gateway_id())
        .or(r.carrier_gateway_id())
        .or(r.local_gateway_id())
        .or(r.core_network_arn())
        .or(r.instance_id())
        .map(str::to_string);
    let destination = r
        .destination_cidr_block()
        .or(r.destination_ipv6_cidr_block())
        .or(r.destination_prefix_list_id());
    Some(Route {
        destination: known(destination.map(str::to_string)),
        gateway,
        nat_gateway: one(r.nat_gateway_id()),
        other_target,
    })
}

async fn route_tables(ctx: &Ctx, ec2: &Client, out: &mut Batch) {
    let kinds = &[Kind::RouteTable, Kind::RouteTableAssociation];
    let listing = ec2.describe_route_tables().into_paginator().items().send();
    for t in out.drain(listing, kinds, "ec2:DescribeRouteTables").await {
        let Some(id) = t.route_table_id() else {
            continue;
        };
        let address = arn(ctx, None, "route-table", id);
        let associations = t.associations();
        let kind = RouteTable {
            vpc: one(t.vpc_id()),
            routes: Field::Known(t.routes().iter().filter_map(route).collect()),
            main: associations.iter().any(|a| a.main() == Some(true)),
        };
        let ids = vec![id.to_string()];
        out.push(ctx.resource(
            "aws_route_table",
            address.clone(),
            ids,
            ec2_tags(t.tags()),
            kind,
        ));
        for a in associations {
            let (Some(assoc), Some(subnet)) = (a.route_table_association_id(), a.subnet_id())
            else {
                continue; // the main association, or a gateway's
            };
            let state = a.association_state().and_then(|s| s.state());
            if !matches!(
                state,
                None | Some(ec2::RouteTableAssociationStateCode::Associated)
            ) {
                continue;
            }
            let kind = RouteTableAssociation {
                subnet: one(Some(subnet)),
                route_table: one(Some(id)),
            };
            let at = format!("{address}/association/{assoc}");
            let ty = "aws_route_table_association";
            out.push(ctx.resource(ty, at, vec![assoc.into()], Field::Known(Tags::new()), kind));
        }
    }
}

async fn internet_gateways(ctx: &Ctx, ec2: &Client, out: &mut Batch) {
    let kinds = &[Kind::InternetGateway];
    let listing = ec2
        .describe_internet_gateways()
        .into_paginator()
        .items()
        .send();
    for g in out
        .drain(listing, kinds, "ec2:DescribeInternetGateways")
        .await
    {
        let Some(id) = g.internet_gateway_id() else {
            continue;
        };
        let vpcs: Vec<_> = g
            .attachments()
            .iter()
            .filter(|a| {
                !matches!(
                    a.state(),
                    Some(ec2::AttachmentStatus::Detached | ec2::AttachmentStatus::Detaching)
                )
            })
            .filter_map(|a| a.vpc_id().map(ident))
            .collect();
        let kind = InternetGateway {
            vpc: if vpcs.is_empty() {
                Field::Absent
            } else {
                Field::Known(vpcs)
            },
        };
        let address = arn(ctx, None, "internet-gateway", id);
        let ty = "aws_internet_gateway";
        out.push(ctx.resource(ty, address, vec![id.into()], ec2_tags(g.tags()), kind));
    }
}

async fn nat_gateways(ctx: &Ctx, ec2: &Client, out: &mut Batch) {
    let kinds = &[Kind::NatGateway];
    let listing = ec2.describe_nat_gateways().into_paginator().items().send();
    for n in out.drain(listing, kinds, "ec2:DescribeNatGateways").await {
        let Some(id) = n.nat_gateway_id() else {
            continue;
        };
        if matches!(
            n.state(),
            Some(ec2::NatGatewayState::Deleted | ec2::NatGatewayState::Failed)
        ) {
            continue;
        }
        let kind = NatGateway {
            subnet: one(n.subnet_id()),
            connectivity_type: known(n.connectivity_type().map(|c| c.as_str().to_string())),
        };
        let address = arn(ctx, None, "natgateway", id);
        out.push(ctx.resource(
            "aws_nat_gateway",
            address,
            vec![id.into()],
            ec2_tags(n.tags()),
            kind,
        ));
    }
}

async fn flow_logs(ctx: &Ctx, ec2: &Client, out: &mut Batch) {
    let kinds = &[Kind::FlowLog];
    let listing = ec2.describe_flow_logs().into_paginator().items().send();
    for f in out.drain(listing, kinds, "ec2:DescribeFlowLogs").await {
        let Some(id) = f.flow_log_id() else { continue };
        // Only a VPC's flow log has `vpc_id`; subnet and ENI flow logs name other resources.
        let vpc = f.resource_id().filter(|r| r.starts_with("vpc-"));
        let kind = FlowLog {
            vpc: one(vpc),
            traffic_type: known(f.traffic_type().map(|t| t.as_str().to_string())),
        };
        let address = arn(ctx, None, "vpc-flow-log", id);
        out.push(ctx.resource(
            "aws_flow_log",
            address,
            vec![id.into()],
            ec2_tags(f.tags()),
            kind,
        ));
    }
}

async fn security_groups(ctx: &Ctx, ec2: &Client, out: &mut Batch) {
    let kinds = &[Kind::SecurityGroup];
    let listing = ec2
        .describe_security_groups()
        .into_paginator()
        .items()
        .send();
    for g in out
        .drain(listing, kinds, "ec2:DescribeSecurityGroups")
        .await
    {
        let Some(id) = g.group_id() else { continue };
        let name = g.group_name();
        let mut ids = vec![id.to_string()];
        ids.extend(name.map(str::to_string));
        let kind = SecurityGroup {
            name: known(name.map(str::to_string)),
            vpc: one(g.vpc_id()),
            // Every permission is read as its own rule (`security_group_rules`).
            flows: Vec::new(),
        };
        let ty = if name == Some("default") {
            "aws_default_security_group"
        } else {
            "aws_security_group"
        };
        let address = arn(ctx, g.security_group_arn(), "security-group", id);
        out.push(ctx.resource(ty, address, ids, ec2_tags(g.tags()), kind));
    }
}

async fn security_group_rules(ctx: &Ctx, ec2: &Client, out: &mut Batch) {
    let kinds = &[Kind::SecurityGroupRule];
    let listing = ec2
        .describe_security_group_rules()
        .into_paginator()
        .items()
        .send();
    for r in out
        .drain(listing, kinds, "ec2:DescribeSecurityGroupRules")
        .await
    {
        let Some(id) = r.security_group_rule_id() else {
            continue;
        };
        let egress = r.is_egress() == Some(true);
        let kind = SecurityGroupRule {
            group: one(r.group_id()),
            flows: vec![flow(&r, egress)],
        };
        let ty = if egress {
            "aws_vpc_security_group_egress_rule"
        } else {
            "aws_vpc_security_group_ingress_rule"
        };
        let address = arn(ctx, r.security_group_rule_arn(), "security-group-rule", id);
        out.push(ctx.resource(ty, address, vec![id.into()], ec2_tags(r.tags()), kind));
    }
}

/// A rule's one flow, normalized as the Terraform mapper normalizes
/// `aws_vpc_security_group_*_rule`: `-1` is every protocol, ports apply to TCP and UDP
/// only, `-1` ports are the whole range.
fn flow(r: &ec2::SecurityGroupRule, egress: bool) -> SecurityGroupFlow {
    let protocol = match r.ip_protocol() {
        None => Field::Known(Protocol::All),
        Some(p) => Protocol::parse(p).map_or_else(
            || Field::Unknown(Unknown::Unresolved(format!("protocol `{p}`"))),
            Field::Known,
        ),
    };
    let ports = match (&protocol, r.from_port(), r.to_port()) {
        (Field::Known(p), ..) if !p.has_ports() => Field::Known(PortRange::ALL),
        (_, Some(from), Some(to)) if from >= 0 && to >= 0 => {
            match (u16::try_from(from), u16::try_from(to)) {
                (Ok(from), Ok(to)) if from <= to => Field::Known(PortRange { from, to }),
                _ => Field::Unknown(Unknown::Unresolved(format!("port range {from}-{to}"))),
            }
        }
        _ => Field::Known(PortRange::ALL),
    };
    let group = r.group_id();
    let peer = if let Some(c) = r.cidr_ipv4().or(r.cidr_ipv6()) {
        c.parse()
            .map_or_else(|_| Peer::Unknown(not_cidr(c)), Peer::Cidr)
    } else if let Some(list) = r.prefix_list_id() {
        Peer::PrefixList(list.to_string())
    } else if let Some(other) = r.referenced_group_info().and_then(|g| g.group_id()) {
        if Some(other) == group {
            Peer::SelfGroup
        } else {
            Peer::Group(one(Some(other)))
        }
    } else {
        Peer::Unknown(Unknown::Unresolved("the rule names no peer".into()))
    };
    SecurityGroupFlow {
        direction: if egress {
            Direction::Egress
        } else {
            Direction::Ingress
        },
        protocol,
        ports,
        peer,
        attribute: None,
    }
}
