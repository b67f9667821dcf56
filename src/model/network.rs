//! VPC, subnets, routing, gateways, flow logs and security groups.

use ipnetwork::IpNetwork;

use super::{Field, Refs, SecurityGroupFlow};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Vpc {
    pub cidr: Field<IpNetwork>,
    /// AWS's default VPC of the region (`aws_default_vpc`; live `IsDefault`; AWS Config
    /// `isDefault`): never the architecture's VPC (CB-NET-006 judges it).
    pub default: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Subnet {
    pub vpc: Refs,
    pub cidr: Field<IpNetwork>,
    pub availability_zone: Field<String>,
    pub map_public_ip_on_launch: Field<bool>,
}

/// Where a route sends traffic.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Route {
    /// IPv4 or IPv6 destination CIDR (or a prefix list id).
    pub destination: Field<String>,
    /// `gateway_id`: an internet or virtual private gateway.
    pub gateway: Refs,
    pub nat_gateway: Refs,
    /// Any other target (transit gateway, peering, ENI, endpoint…), by id.
    pub other_target: Option<String>,
}

impl Route {
    /// 0.0.0.0/0 or ::/0.
    pub fn is_default(&self) -> Field<bool> {
        self.destination
            .as_ref()
            .map(|d| d == "0.0.0.0/0" || d == "::/0")
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RouteTable {
    pub vpc: Refs,
    /// Inline routes (`route` blocks, live `Routes`).
    pub routes: Field<Vec<Route>>,
    /// Whether this is the VPC's main route table (`aws_default_route_table`, live `Main`).
    pub main: bool,
}

/// A route declared on its own (`aws_route`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RouteEntry {
    pub route_table: Refs,
    pub route: Route,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RouteTableAssociation {
    pub subnet: Refs,
    pub route_table: Refs,
}

/// `aws_main_route_table_association`: makes a table the VPC's main one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MainRouteTableAssociation {
    pub vpc: Refs,
    pub route_table: Refs,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct InternetGateway {
    pub vpc: Refs,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct NatGateway {
    pub subnet: Refs,
    /// `connectivity_type`: `public` (default) or `private`.
    pub connectivity_type: Field<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlowLog {
    /// The VPC it captures (`vpc_id`); absent for the flow log of a subnet, a network
    /// interface or a transit gateway (whatever its `vpc_id` says: the provider computes
    /// that one from the subnet or interface).
    pub vpc: Refs,
    pub traffic_type: Field<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SecurityGroup {
    pub name: Field<String>,
    pub vpc: Refs,
    /// Flows of inline `ingress` / `egress` blocks (live: all of the group's permissions).
    pub flows: Vec<SecurityGroupFlow>,
}

/// A standalone rule resource: `aws_security_group_rule`,
/// `aws_vpc_security_group_ingress_rule`, `aws_vpc_security_group_egress_rule`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SecurityGroupRule {
    pub group: Refs,
    pub flows: Vec<SecurityGroupFlow>,
}
