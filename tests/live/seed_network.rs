//! Seeds the network from the plan's model: VPCs, subnets, internet gateways, NAT gateways
//! (public ones with an Elastic IP), route tables with their routes and associations (main tables
//! too), flow logs, security groups and every rule of every spelling.
//!
//! As Terraform does, a new security group loses AWS's default allow-all egress rule and an
//! adopted default group (`aws_default_security_group`) loses all its rules before the
//! declared ones are added. AWS's default VPC goes unless the plan adopts it
//! (`aws_default_vpc`): the account then holds the plan's network and nothing else.
//! Availability zones keep their letter in the test region (`eu-west-1a` → `eu-west-2a`).
//! Flow logs deliver to a CloudWatch log group: the model does not hold the destination.
//! Failed calls are printed (`seed_network: …`) and skipped: the comparison then shows what
//! is missing.

use aws_sdk_ec2::types::{
    AttributeBooleanValue, ConnectivityType, DomainType, Filter, FlowLogsResourceType,
    IpPermission, IpRange, Ipv6Range, LogDestinationType, PrefixListId, Tag, TrafficType,
    UserIdGroupPair,
};
use aws_sdk_ec2::Client;
use aws_smithy_types::error::display::DisplayErrorContext;
use cbaudit::model::{
    BodyType, Direction, Field, FlowLog, InternetGateway, MainRouteTableAssociation, NatGateway,
    Peer, Protocol, ResId, Route, RouteEntry, RouteTable, RouteTableAssociation, SecurityGroup,
    SecurityGroupFlow, SecurityGroupRule, Subnet, Vpc,
};

use super::seed::Seeder;

pub async fn seed(s: &mut Seeder) {
    let ec2 = Client::new(&s.sdk);
    vpcs(s, &ec2).await;
    subnets(s, &ec2).await;
    internet_gateways(s, &ec2).await;
    nat_gateways(s, &ec2).await;
    route_tables(s, &ec2).await;
    flow_logs(s, &ec2).await;
    security_groups(s, &ec2).await;
}

/// The plan's resources of kind `T`, owned (seeding mutates the seeder).
fn plan<T: BodyType + Clone>(s: &Seeder) -> Vec<(ResId, T)> {
    s.plan.all::<T>().map(|r| (r.id, r.data.clone())).collect()
}

/// The value of a call, or `None` after printing why it failed.
fn done<T, E: std::error::Error>(result: Result<T, E>, what: &str) -> Option<T> {
    result
        .map_err(|e| eprintln!("seed_network: {what}: {}", DisplayErrorContext(&e)))
        .ok()
}

/// `value`, or `None` after printing that plan resource `id` lacks `what` (unknown in the
/// plan, or not seeded).
fn need<T>(s: &Seeder, id: ResId, value: Option<T>, what: &str) -> Option<T> {
    if value.is_none() {
        eprintln!(
            "seed_network: {}: no {what} to seed it with",
            s.plan.get(id).address()
        );
    }
    value
}

fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// Tags the live object `live` with the plan resource's tags.
async fn tag(s: &Seeder, ec2: &Client, id: ResId, live: &str) {
    let tags: Vec<Tag> = match &s.plan.get(id).tags {
        Field::Known(t) | Field::Sensitive(t) => t
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect(),
        _ => return,
    };
    if !tags.is_empty() {
        let call = ec2.create_tags().resources(live).set_tags(Some(tags));
        done(call.send().await, &format!("CreateTags {live}"));
    }
}

/// Records a created object: others refer to it by `live`, the reader reports `arn`.
async fn record(s: &mut Seeder, ec2: &Client, id: ResId, live: &str, arn: String) {
    tag(s, ec2, id, live).await;
    s.created(id, live);
    s.owns(arn, id);
}

fn arn(s: &Seeder, kind: &str, id: &str) -> String {
    s.arn("ec2", &format!("{kind}/{id}"))
}

fn first(ids: Vec<String>) -> Option<String> {
    ids.into_iter().next()
}

async fn vpcs(s: &mut Seeder, ec2: &Client) {
    let defaults = ec2
        .describe_vpcs()
        .filters(filter("is-default", "true"))
        .send()
        .await;
    let defaults: Vec<String> = done(defaults, "DescribeVpcs")
        .map(|o| {
            o.vpcs()
                .iter()
                .filter_map(|v| v.vpc_id().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut adopted = false;
    for (id, vpc) in plan::<Vpc>(s) {
        let live = if s.plan.get(id).resource_type == "aws_default_vpc" {
            adopted = true;
            defaults.first().cloned()
        } else {
            let Some(cidr) = need(s, id, vpc.cidr.get(), "CIDR") else {
                continue;
            };
            let out = done(
                ec2.create_vpc().cidr_block(cidr.to_string()).send().await,
                "CreateVpc",
            );
            out.and_then(|o| o.vpc().and_then(|v| v.vpc_id()).map(str::to_string))
        };
        if let Some(live) = live {
            record(s, ec2, id, &live, arn(s, "vpc", &live)).await;
        }
    }
    if !adopted && !s.keep_default_vpc {
        for vpc in defaults {
            remove_vpc(ec2, &vpc).await;
        }
    }
}

/// Deletes a VPC with its subnets and internet gateways (AWS's default VPC).
async fn remove_vpc(ec2: &Client, vpc: &str) {
    let subnets = ec2
        .describe_subnets()
        .filters(filter("vpc-id", vpc))
        .send()
        .await;
    for subnet in done(subnets, "DescribeSubnets")
        .iter()
        .flat_map(|o| o.subnets())
    {
        if let Some(id) = subnet.subnet_id() {
            done(
                ec2.delete_subnet().subnet_id(id).send().await,
                "DeleteSubnet",
            );
        }
    }
    let igws = ec2
        .describe_internet_gateways()
        .filters(filter("attachment.vpc-id", vpc));
    for igw in done(igws.send().await, "DescribeInternetGateways")
        .iter()
        .flat_map(|o| o.internet_gateways())
    {
        if let Some(id) = igw.internet_gateway_id() {
            let detach = ec2
                .detach_internet_gateway()
                .internet_gateway_id(id)
                .vpc_id(vpc);
            done(detach.send().await, "DetachInternetGateway");
            done(
                ec2.delete_internet_gateway()
                    .internet_gateway_id(id)
                    .send()
                    .await,
                "DeleteInternetGateway",
            );
        }
    }
    done(ec2.delete_vpc().vpc_id(vpc).send().await, "DeleteVpc");
}

/// The plan's zone in the test region: `eu-west-1a` → `<region>a`.
fn zone(s: &Seeder, az: &str) -> String {
    let letter = az
        .rfind(|c: char| c.is_ascii_digit())
        .map_or(az, |i| &az[i + 1..]);
    format!("{}{letter}", s.region)
}

async fn subnets(s: &mut Seeder, ec2: &Client) {
    for (id, subnet) in plan::<Subnet>(s) {
        let vpc = need(s, id, first(s.ids::<Vpc>(&subnet.vpc)), "VPC");
        let (Some(vpc), Some(cidr)) = (vpc, need(s, id, subnet.cidr.get(), "CIDR")) else {
            continue;
        };
        let az = subnet.availability_zone.get().map(|az| zone(s, az));
        let call = ec2
            .create_subnet()
            .vpc_id(vpc)
            .cidr_block(cidr.to_string())
            .set_availability_zone(az);
        let Some(out) = done(call.send().await, "CreateSubnet") else {
            continue;
        };
        let Some(live) = out.subnet().and_then(|x| x.subnet_id()).map(str::to_string) else {
            continue;
        };
        // Always set: moto makes the first subnet of a zone default-for-AZ, mapping public IPs.
        let public = subnet.map_public_ip_on_launch.get() == Some(&true);
        let value = AttributeBooleanValue::builder().value(public).build();
        let call = ec2
            .modify_subnet_attribute()
            .subnet_id(&live)
            .map_public_ip_on_launch(value);
        done(call.send().await, "ModifySubnetAttribute");
        let arn = out
            .subnet()
            .and_then(|x| x.subnet_arn())
            .map(str::to_string);
        let arn = arn.unwrap_or_else(|| self::arn(s, "subnet", &live));
        record(s, ec2, id, &live, arn).await;
    }
}

async fn internet_gateways(s: &mut Seeder, ec2: &Client) {
    for (id, igw) in plan::<InternetGateway>(s) {
        let out = done(
            ec2.create_internet_gateway().send().await,
            "CreateInternetGateway",
        );
        let Some(live) = out.and_then(|o| {
            o.internet_gateway()?
                .internet_gateway_id()
                .map(str::to_string)
        }) else {
            continue;
        };
        for vpc in s.ids::<Vpc>(&igw.vpc) {
            let call = ec2
                .attach_internet_gateway()
                .internet_gateway_id(&live)
                .vpc_id(vpc);
            done(call.send().await, "AttachInternetGateway");
        }
        record(s, ec2, id, &live, arn(s, "internet-gateway", &live)).await;
    }
}

async fn nat_gateways(s: &mut Seeder, ec2: &Client) {
    for (id, nat) in plan::<NatGateway>(s) {
        let Some(subnet) = need(s, id, first(s.ids::<Subnet>(&nat.subnet)), "subnet") else {
            continue;
        };
        let private = nat.connectivity_type.get().is_some_and(|t| t == "private");
        let mut call = ec2.create_nat_gateway().subnet_id(subnet);
        if private {
            call = call.connectivity_type(ConnectivityType::Private);
        } else {
            let eip = ec2.allocate_address().domain(DomainType::Vpc).send().await;
            let Some(eip) =
                done(eip, "AllocateAddress").and_then(|o| o.allocation_id().map(str::to_string))
            else {
                continue;
            };
            call = call.allocation_id(eip);
        }
        let out = done(call.send().await, "CreateNatGateway");
        let Some(live) = out.and_then(|o| o.nat_gateway()?.nat_gateway_id().map(str::to_string))
        else {
            continue;
        };
        record(s, ec2, id, &live, arn(s, "natgateway", &live)).await;
    }
}

/// The VPC's main route table and its main association.
async fn main_table(ec2: &Client, vpc: &str) -> Option<(String, String)> {
    let call = ec2
        .describe_route_tables()
        .filters(filter("vpc-id", vpc))
        .filters(filter("association.main", "true"));
    let out = done(call.send().await, "DescribeRouteTables")?;
    let table = out.route_tables().first()?;
    let assoc = table
        .associations()
        .iter()
        .find(|a| a.main() == Some(true))?;
    Some((
        table.route_table_id()?.to_string(),
        assoc.route_table_association_id()?.to_string(),
    ))
}

async fn route_tables(s: &mut Seeder, ec2: &Client) {
    for (id, table) in plan::<RouteTable>(s) {
        let Some(vpc) = need(s, id, first(s.ids::<Vpc>(&table.vpc)), "VPC") else {
            continue;
        };
        let live = if table.main {
            main_table(ec2, &vpc).await.map(|(t, _)| t)
        } else {
            let out = done(
                ec2.create_route_table().vpc_id(vpc).send().await,
                "CreateRouteTable",
            );
            out.and_then(|o| o.route_table()?.route_table_id().map(str::to_string))
        };
        let Some(live) = live else { continue };
        record(s, ec2, id, &live, arn(s, "route-table", &live)).await;
        for route in table.routes.get().into_iter().flatten() {
            create_route(s, ec2, &live, route).await;
        }
    }
    for (_, entry) in plan::<RouteEntry>(s) {
        for table in s.ids::<RouteTable>(&entry.route_table) {
            create_route(s, ec2, &table, &entry.route).await;
        }
    }
    for (id, assoc) in plan::<RouteTableAssociation>(s) {
        let table = need(
            s,
            id,
            first(s.ids::<RouteTable>(&assoc.route_table)),
            "route table",
        );
        let subnet = need(s, id, first(s.ids::<Subnet>(&assoc.subnet)), "subnet");
        let (Some(table), Some(subnet)) = (table, subnet) else {
            continue;
        };
        let call = ec2
            .associate_route_table()
            .route_table_id(&table)
            .subnet_id(subnet);
        let out = done(call.send().await, "AssociateRouteTable");
        let Some(live) = out.and_then(|o| o.association_id().map(str::to_string)) else {
            continue;
        };
        let address = format!("{}/association/{live}", arn(s, "route-table", &table));
        s.created(id, live);
        s.owns(address, id);
    }
    for (id, assoc) in plan::<MainRouteTableAssociation>(s) {
        let table = need(
            s,
            id,
            first(s.ids::<RouteTable>(&assoc.route_table)),
            "route table",
        );
        let vpc = need(s, id, first(s.ids::<Vpc>(&assoc.vpc)), "VPC");
        let (Some(table), Some(vpc)) = (table, vpc) else {
            continue;
        };
        let Some((_, main)) = main_table(ec2, &vpc).await else {
            continue;
        };
        let call = ec2
            .replace_route_table_association()
            .association_id(main)
            .route_table_id(table);
        if let Some(out) = done(call.send().await, "ReplaceRouteTableAssociation") {
            s.created(id, out.new_association_id().unwrap_or_default());
        }
    }
}

async fn create_route(s: &Seeder, ec2: &Client, table: &str, route: &Route) {
    let Some(dest) = route.destination.get() else {
        return;
    };
    let mut call = ec2.create_route().route_table_id(table);
    call = if dest.starts_with("pl-") {
        call.destination_prefix_list_id(dest)
    } else if dest.contains(':') {
        call.destination_ipv6_cidr_block(dest)
    } else {
        call.destination_cidr_block(dest)
    };
    if let Some(nat) = first(s.ids::<NatGateway>(&route.nat_gateway)) {
        call = call.nat_gateway_id(nat);
    } else if let Some(gw) = first(s.ids::<InternetGateway>(&route.gateway)) {
        call = call.gateway_id(gw);
    } else {
        match route.other_target.as_deref() {
            Some(t) if t.starts_with("tgw-") => call = call.transit_gateway_id(t),
            Some(t) if t.starts_with("pcx-") => call = call.vpc_peering_connection_id(t),
            Some(t) if t.starts_with("eni-") => call = call.network_interface_id(t),
            Some(t) if t.starts_with("eigw-") => call = call.egress_only_internet_gateway_id(t),
            _ => {
                eprintln!("seed_network: route {dest} of {table}: no target that can be seeded");
                return;
            }
        }
    }
    done(call.send().await, &format!("CreateRoute {dest} in {table}"));
}

async fn flow_logs(s: &mut Seeder, ec2: &Client) {
    let role = format!("arn:aws:iam::{}:role/vpc-flow-logs", s.account);
    for (id, log) in plan::<FlowLog>(s) {
        let Some(vpc) = need(s, id, first(s.ids::<Vpc>(&log.vpc)), "VPC") else {
            continue;
        };
        let traffic = log.traffic_type.get().map_or("ALL", String::as_str);
        let call = ec2
            .create_flow_logs()
            .resource_type(FlowLogsResourceType::Vpc)
            .resource_ids(vpc)
            .traffic_type(TrafficType::from(traffic))
            .log_destination_type(LogDestinationType::CloudWatchLogs)
            // One group per flow log: moto refuses two for one VPC with the same destination.
            .log_group_name(format!("vpc-flow-logs-{id}"))
            .deliver_logs_permission_arn(&role);
        let out = done(call.send().await, "CreateFlowLogs");
        let Some(live) = out.and_then(|o| o.flow_log_ids().first().cloned()) else {
            continue;
        };
        record(s, ec2, id, &live, arn(s, "vpc-flow-log", &live)).await;
    }
}

/// The rules of a group, as (egress?, rule id).
async fn rules_of(ec2: &Client, group: &str) -> Vec<(bool, String)> {
    let call = ec2
        .describe_security_group_rules()
        .filters(filter("group-id", group));
    done(call.send().await, "DescribeSecurityGroupRules")
        .iter()
        .flat_map(|o| o.security_group_rules())
        .filter_map(|r| Some((r.is_egress()?, r.security_group_rule_id()?.to_string())))
        .collect()
}

/// Revokes the group's rules: its egress ones, or all of them.
async fn revoke(ec2: &Client, group: &str, all: bool) {
    for (egress, rule) in rules_of(ec2, group).await {
        if egress {
            let call = ec2
                .revoke_security_group_egress()
                .group_id(group)
                .security_group_rule_ids(rule);
            done(call.send().await, "RevokeSecurityGroupEgress");
        } else if all {
            let call = ec2
                .revoke_security_group_ingress()
                .group_id(group)
                .security_group_rule_ids(rule);
            done(call.send().await, "RevokeSecurityGroupIngress");
        }
    }
}

async fn security_groups(s: &mut Seeder, ec2: &Client) {
    let groups = plan::<SecurityGroup>(s);
    for (id, group) in &groups {
        let Some(vpc) = need(s, *id, first(s.ids::<Vpc>(&group.vpc)), "VPC") else {
            continue;
        };
        let (live, arn) = if s.plan.get(*id).resource_type == "aws_default_security_group" {
            let call = ec2
                .describe_security_groups()
                .filters(filter("vpc-id", &vpc))
                .filters(filter("group-name", "default"));
            let out = done(call.send().await, "DescribeSecurityGroups");
            let found = out.as_ref().and_then(|o| o.security_groups().first());
            let Some(live) = found.and_then(|g| g.group_id()).map(str::to_string) else {
                continue;
            };
            (
                live,
                found
                    .and_then(|g| g.security_group_arn())
                    .map(str::to_string),
            )
        } else {
            let address = s.plan.get(*id).address();
            let name = group
                .name
                .get()
                .cloned()
                .unwrap_or_else(|| address.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
            let call = ec2
                .create_security_group()
                .group_name(name)
                .description("Managed by Terraform")
                .vpc_id(vpc);
            let Some(out) = done(call.send().await, "CreateSecurityGroup") else {
                continue;
            };
            let Some(live) = out.group_id().map(str::to_string) else {
                continue;
            };
            (live, out.security_group_arn().map(str::to_string))
        };
        // Terraform removes AWS's default egress rule, and every rule of a default group.
        let all = s.plan.get(*id).resource_type == "aws_default_security_group";
        revoke(ec2, &live, all).await;
        let arn = arn.unwrap_or_else(|| self::arn(s, "security-group", &live));
        record(s, ec2, *id, &live, arn).await;
    }
    // The flows, once every group exists: inline blocks, then standalone rules.
    let mut holders: Vec<(ResId, Option<String>, Vec<SecurityGroupFlow>)> = groups
        .into_iter()
        .map(|(id, g)| (id, s.live_id(id).map(str::to_string), g.flows))
        .collect();
    for (id, rule) in plan::<SecurityGroupRule>(s) {
        holders.push((id, first(s.ids::<SecurityGroup>(&rule.group)), rule.flows));
    }
    for (id, group, flows) in holders {
        let Some(group) = need(s, id, group, "security group") else {
            continue;
        };
        for flow in &flows {
            authorize(s, ec2, id, &group, flow).await;
        }
    }
}

/// Adds one flow to a group; the rules AWS creates belong to plan resource `id`.
async fn authorize(s: &mut Seeder, ec2: &Client, id: ResId, group: &str, flow: &SecurityGroupFlow) {
    let Some(permission) = permission(s, group, flow) else {
        let address = s.plan.get(id).address();
        eprintln!("seed_network: a flow of {address} cannot be seeded: {flow:?}");
        return;
    };
    let rules: Vec<_> = match flow.direction {
        Direction::Ingress => {
            let call = ec2
                .authorize_security_group_ingress()
                .group_id(group)
                .ip_permissions(permission);
            done(call.send().await, "AuthorizeSecurityGroupIngress")
                .map(|o| o.security_group_rules().to_vec())
        }
        Direction::Egress => {
            let call = ec2
                .authorize_security_group_egress()
                .group_id(group)
                .ip_permissions(permission);
            done(call.send().await, "AuthorizeSecurityGroupEgress")
                .map(|o| o.security_group_rules().to_vec())
        }
    }
    .unwrap_or_default();
    for rule in rules {
        let Some(rule_id) = rule.security_group_rule_id() else {
            continue;
        };
        let arn = rule.security_group_rule_arn().map(str::to_string);
        s.owns(
            arn.unwrap_or_else(|| self::arn(s, "security-group-rule", rule_id)),
            id,
        );
        if s.live_id(id).is_none() {
            s.created(id, rule_id);
        }
    }
}

/// A flow as the EC2 API's permission; `None` when the plan does not know it.
fn permission(s: &Seeder, group: &str, flow: &SecurityGroupFlow) -> Option<IpPermission> {
    let protocol = *flow.protocol.get()?;
    let mut p = IpPermission::builder().ip_protocol(match protocol {
        Protocol::All => "-1".to_string(),
        Protocol::Tcp => "tcp".to_string(),
        Protocol::Udp => "udp".to_string(),
        Protocol::Icmp => "icmp".to_string(),
        Protocol::Icmpv6 => "58".to_string(),
        Protocol::Number(n) => n.to_string(),
    });
    if protocol.has_ports() {
        let ports = flow.ports.get()?;
        p = p.from_port(ports.from.into()).to_port(ports.to.into());
    } else if protocol != Protocol::All {
        p = p.from_port(-1).to_port(-1);
    }
    p = match &flow.peer {
        Peer::Cidr(net) if net.is_ipv6() => {
            p.ipv6_ranges(Ipv6Range::builder().cidr_ipv6(net.to_string()).build())
        }
        Peer::Cidr(net) => p.ip_ranges(IpRange::builder().cidr_ip(net.to_string()).build()),
        Peer::PrefixList(list) => {
            p.prefix_list_ids(PrefixListId::builder().prefix_list_id(list).build())
        }
        Peer::SelfGroup => {
            p.user_id_group_pairs(UserIdGroupPair::builder().group_id(group).build())
        }
        Peer::Group(refs) => {
            let ids = s.ids::<SecurityGroup>(refs);
            if ids.is_empty() {
                return None;
            }
            ids.into_iter().fold(p, |p, g| {
                p.user_id_group_pairs(UserIdGroupPair::builder().group_id(g).build())
            })
        }
        Peer::Unknown(_) | Peer::PrefixListUnknownId(_) => return None,
    };
    Some(p.build())
}
