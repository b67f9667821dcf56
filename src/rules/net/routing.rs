//! Routing lookups shared by CB-NET-003 and CB-NET-004: which route table a subnet uses,
//! which routes that table holds, and what a route targets.

use crate::model::{
    Field, Inventory, Kind, MainRouteTableAssociation, NatGateway, RefTarget, ResId, Resolution,
    Route, RouteEntry, RouteTable, RouteTableAssociation, Subnet, Unknown, View, Vpc,
};
use crate::policy::Policy;
use crate::rules::tiers;

/// The route table a subnet uses.
pub enum Routing<'a> {
    /// A table of the inventory; `how` says why the subnet uses it.
    Table {
        table: View<'a, RouteTable>,
        how: &'static str,
    },
    /// No explicit association and no main route table in the inputs: the subnet uses the
    /// main route table AWS creates with the VPC. As created it holds only the local route
    /// (Amazon VPC User Guide, "Route tables": every route table contains a local route, and
    /// a new VPC's main route table starts with it alone); routes added to it outside the
    /// inputs are not seen, so the rules say "these inputs do not declare" it.
    DefaultMain,
}

/// One route of a table, with the resource that declares it (the table or an `aws_route`).
pub struct RouteRef<'a> {
    pub route: &'a Route,
    pub declared_by: ResId,
}

/// The route table of `subnet`: its explicit association, else its VPC's main table.
pub fn routing_of<'a>(
    inv: &'a Inventory,
    subnet: &View<'a, Subnet>,
) -> Result<Routing<'a>, Unknown> {
    let mut doubt: Option<Unknown> = None;
    for assoc in inv.all::<RouteTableAssociation>() {
        match inv.resolve::<Subnet>(&assoc.subnet) {
            Resolution::Known { found, .. } if found.iter().any(|s| s.id == subnet.id) => {
                return match inv.resolve_one::<RouteTable>(&assoc.route_table)? {
                    Some(table) => Ok(Routing::Table {
                        table,
                        how: "explicit association",
                    }),
                    None => Err(Unknown::NotInInputs(format!(
                        "the route table of {}",
                        assoc.address()
                    ))),
                };
            }
            Resolution::Unknown(u) => doubt = Some(u),
            _ => {}
        }
    }
    if let Some(u) = doubt.or_else(|| inv.gap(Kind::RouteTableAssociation).cloned()) {
        return Err(u);
    }
    let vpc = inv
        .resolve_one::<Vpc>(&subnet.vpc)?
        .ok_or_else(|| Unknown::NotInInputs("the subnet's VPC".to_string()))?;
    main_table_of(inv, &vpc)
}

/// The main route table of a VPC.
fn main_table_of<'a>(inv: &'a Inventory, vpc: &View<'a, Vpc>) -> Result<Routing<'a>, Unknown> {
    let mut doubt: Option<Unknown> = None;
    for assoc in inv.all::<MainRouteTableAssociation>() {
        match inv.resolve::<Vpc>(&assoc.vpc) {
            Resolution::Known { found, .. } if found.iter().any(|v| v.id == vpc.id) => {
                return match inv.resolve_one::<RouteTable>(&assoc.route_table)? {
                    Some(table) => Ok(Routing::Table {
                        table,
                        how: "the VPC's main route table (aws_main_route_table_association)",
                    }),
                    None => Err(Unknown::NotInInputs(format!(
                        "the route table of {}",
                        assoc.address()
                    ))),
                };
            }
            Resolution::Unknown(u) => doubt = Some(u),
            _ => {}
        }
    }
    for table in inv.all::<RouteTable>().filter(|t| t.main) {
        match inv.resolve::<Vpc>(&table.vpc) {
            Resolution::Known { found, .. } if found.iter().any(|v| v.id == vpc.id) => {
                return Ok(Routing::Table {
                    table,
                    how: "the VPC's main route table",
                });
            }
            Resolution::Unknown(u) => doubt = Some(u),
            _ => {}
        }
    }
    match doubt.or_else(|| inv.gap(Kind::RouteTable).cloned()) {
        Some(u) => Err(u),
        None => Ok(Routing::DefaultMain),
    }
}

/// Every route of a table: its inline routes and the `aws_route` resources pointing at it.
pub fn routes_of<'a>(
    inv: &'a Inventory,
    table: &View<'a, RouteTable>,
) -> Result<Vec<RouteRef<'a>>, Unknown> {
    let inline = table.data.routes.try_value()?.into_iter().flatten();
    let mut routes: Vec<RouteRef<'a>> = inline
        .map(|route| RouteRef {
            route,
            declared_by: table.id,
        })
        .collect();
    for entry in inv.all::<RouteEntry>() {
        match inv.resolve::<RouteTable>(&entry.route_table) {
            Resolution::Known { found, .. } if found.iter().any(|t| t.id == table.id) => {
                routes.push(RouteRef {
                    route: &entry.data.route,
                    declared_by: entry.id,
                });
            }
            Resolution::Unknown(u) => return Err(u),
            _ => {}
        }
    }
    if let Some(u) = inv.gap(Kind::RouteEntry) {
        return Err(u.clone());
    }
    Ok(routes)
}

/// Whether a route targets an internet gateway (a resolved `aws_internet_gateway`, or an
/// `igw-` id managed elsewhere).
pub fn targets_internet_gateway(inv: &Inventory, route: &Route) -> Result<bool, Unknown> {
    match inv.resolve::<crate::model::InternetGateway>(&route.gateway) {
        Resolution::Absent => Ok(false),
        Resolution::Known { found, external } => {
            Ok(!found.is_empty() || external.iter().any(|e| e.starts_with("igw-")))
        }
        Resolution::Unknown(u) => {
            // An address of another gateway type (a VPN gateway) is not an internet gateway.
            let other_type = route.gateway.get().is_some_and(|targets| {
                targets.iter().all(|t| {
                    matches!(t, RefTarget::Address(a) if !a.starts_with("aws_internet_gateway."))
                })
            });
            if other_type {
                Ok(false)
            } else {
                Err(u)
            }
        }
    }
}

/// The NAT gateway a route targets, if any.
pub fn nat_target<'a>(
    inv: &'a Inventory,
    route: &Route,
) -> Result<Option<View<'a, NatGateway>>, Unknown> {
    inv.resolve_one::<NatGateway>(&route.nat_gateway)
}

/// A short description of a route's target for messages.
pub fn describe_target(inv: &Inventory, route: &Route) -> String {
    if let Ok(Some(nat)) = nat_target(inv, route) {
        return format!("NAT gateway {}", nat.address());
    }
    if let Resolution::Known { found, external } =
        inv.resolve::<crate::model::InternetGateway>(&route.gateway)
    {
        if let Some(igw) = found.first() {
            return format!("internet gateway {}", igw.address());
        }
        if let Some(id) = external.first() {
            return format!("gateway {id}");
        }
    }
    match &route.other_target {
        Some(t) => t.clone(),
        None => "a target other than a NAT gateway".to_string(),
    }
}

/// A route's destination for messages.
pub fn destination(route: &Route) -> String {
    route.destination.shown().to_string()
}

/// Whether the NAT gateway is in the subnet's zone: by zone when both are set, else by the
/// documented AZ labels.
pub fn same_zone(
    inv: &Inventory,
    policy: &Policy,
    subnet: &View<'_, Subnet>,
    nat: &View<'_, NatGateway>,
) -> Result<bool, Unknown> {
    let nat_subnet = inv
        .resolve_one::<Subnet>(&nat.subnet)?
        .ok_or_else(|| Unknown::NotInInputs(format!("the subnet of {}", nat.address())))?;
    match (&subnet.availability_zone, &nat_subnet.availability_zone) {
        (Field::Unknown(u), _) | (_, Field::Unknown(u)) => Err(u.clone()),
        (a, b) if a.is_known() && b.is_known() => Ok(a
            .get()
            .zip(b.get())
            .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))),
        _ => {
            let own = tiers::subnet_spec(policy, subnet)?.map(|s| s.az.as_str());
            let theirs = tiers::subnet_spec(policy, &nat_subnet)?.map(|s| s.az.as_str());
            Ok(own.is_some() && own == theirs)
        }
    }
}

pub fn nat_zone(inv: &Inventory, nat: &View<'_, NatGateway>) -> String {
    match inv.resolve_one::<Subnet>(&nat.subnet) {
        Ok(Some(s)) => format!("{}, {}", s.address(), s.availability_zone.shown()),
        _ => "its zone".to_string(),
    }
}
