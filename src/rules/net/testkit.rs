//! Builders for the CB-NET-* unit tests: hand-built VPCs, subnets, routes and NATs.

use crate::model::{
    Field, InternetGateway, Inventory, NatGateway, RefTarget, Refs, Resource, Route, RouteEntry,
    RouteTable, RouteTableAssociation, Subnet, Vpc,
};
use crate::rules::testing::res;

/// A reference by Terraform address.
pub fn addr(a: &str) -> Refs {
    Field::Known(vec![RefTarget::Address(a.into())])
}

/// A reference by identifier.
pub fn ident(i: &str) -> Refs {
    Field::Known(vec![RefTarget::Ident(i.into())])
}

/// `aws_vpc.main`, 10.0.0.0/16, identifier `vpc-123`.
pub fn vpc() -> Resource {
    let cidr = Field::Known("10.0.0.0/16".parse().unwrap());
    res(
        "aws_vpc.main",
        Vpc {
            cidr,
            default: false,
        },
    )
    .with_identifiers(["vpc-123"])
}

/// A subnet of `aws_vpc.main`.
pub fn subnet(cidr: &str, az: Field<&str>) -> Subnet {
    Subnet {
        vpc: addr("aws_vpc.main"),
        cidr: Field::Known(cidr.parse().unwrap()),
        availability_zone: az.map(str::to_string),
        ..Default::default()
    }
}

/// The documented layout (every subnet of the default policy) in `aws_vpc.main`.
pub fn layout(inv: &mut Inventory) {
    inv.push(vpc());
    for (n, cidr, az) in [
        ("public_a", "10.0.1.0/24", "eu-west-1a"),
        ("public_b", "10.0.2.0/24", "eu-west-1b"),
        ("app_a", "10.0.10.0/24", "eu-west-1a"),
        ("app_b", "10.0.11.0/24", "eu-west-1b"),
        ("data_a", "10.0.20.0/24", "eu-west-1a"),
        ("data_b", "10.0.21.0/24", "eu-west-1b"),
    ] {
        push_subnet(inv, n, subnet(cidr, Field::Known(az)));
    }
}

pub fn push_subnet(inv: &mut Inventory, name: &str, s: Subnet) {
    inv.push(res(format!("aws_subnet.{name}"), s));
}

/// Adds `aws_subnet.<name>` with a known zone.
pub fn add_subnet(inv: &mut Inventory, name: &str, cidr: &str, az: &str) {
    push_subnet(inv, name, subnet(cidr, Field::Known(az)));
}

pub fn igw(inv: &mut Inventory) {
    let gw = InternetGateway {
        vpc: addr("aws_vpc.main"),
    };
    inv.push(res("aws_internet_gateway.main", gw).with_identifiers(["igw-1"]));
}

pub fn nat(inv: &mut Inventory, name: &str, subnet: Refs) {
    let kind = NatGateway {
        subnet,
        ..Default::default()
    };
    inv.push(res(format!("aws_nat_gateway.{name}"), kind));
}

/// A route to `dest` through NAT gateway refs `nat`.
pub fn via_nat(dest: &str, nat: Refs) -> Route {
    Route {
        destination: Field::Known(dest.into()),
        nat_gateway: nat,
        ..Default::default()
    }
}

/// A route to `dest` through gateway refs `gw`.
pub fn via_gateway(dest: &str, gw: Refs) -> Route {
    Route {
        destination: Field::Known(dest.into()),
        gateway: gw,
        ..Default::default()
    }
}

/// `aws_route_table.<name>` with inline routes.
pub fn table(inv: &mut Inventory, name: &str, routes: Field<Vec<Route>>, main: bool) {
    let kind = RouteTable {
        vpc: addr("aws_vpc.main"),
        routes,
        main,
    };
    inv.push(res(format!("aws_route_table.{name}"), kind));
}

/// `aws_route.<name>` in `aws_route_table.<table>`.
pub fn route(inv: &mut Inventory, name: &str, table: &str, route: Route) {
    let kind = RouteEntry {
        route_table: addr(&format!("aws_route_table.{table}")),
        route,
    };
    inv.push(res(format!("aws_route.{name}"), kind));
}

/// Associates `aws_subnet.<subnet>` with `aws_route_table.<table>`.
pub fn assoc(inv: &mut Inventory, subnet: &str, table: &str) {
    let kind = RouteTableAssociation {
        subnet: addr(&format!("aws_subnet.{subnet}")),
        route_table: addr(&format!("aws_route_table.{table}")),
    };
    let address = format!("aws_route_table_association.{subnet}");
    inv.push(res(address, kind));
}
