use std::collections::BTreeMap;

use crate::declare_rule;
use crate::model::{Kind, NatGateway, ResId, Subnet, Unknown};
use crate::policy::SubnetTier;
use crate::rules::net::routing::{self, Routing};
use crate::rules::{tiers, Check};

declare_rule! {
    /// ## What it checks
    /// Each AZ label (`a`, `b`) has exactly one NAT gateway (`aws_nat_gateway`) in that
    /// AZ's documented public subnet: a missing one fails with no resource (subject `NAT
    /// gateway in public-a`), an extra one fails on the extra gateway, and a NAT gateway in
    /// any other subnet fails. Each app-tier subnet's route table (explicit association,
    /// else the VPC's main table) has a `0.0.0.0/0` route through the NAT gateway of its own
    /// availability zone (the zone of the NAT gateway's subnet; by AZ label when a zone is not
    /// set); otherwise the app subnet fails.
    ///
    /// Zones read from a data source (`data.aws_availability_zones.available.names`): a plan
    /// holds what Terraform read from AWS while planning (its `prior_state`), and a plan
    /// scanned beside its `.tf` files evaluates the configuration with those values, so
    /// `aws_subnet.public[data.aws_availability_zones.available.names[count.index]]` names
    /// its subnet. A directory scan does not call AWS: what depends on the data source is
    /// unknown, with that reason. A plan alone records only the references of such an index
    /// (`aws_subnet.public`, the data source, `count.index`), not the expression: which
    /// subnet it names is unknown, and the reason names what the index is built from.
    ///
    /// ## Why
    /// The architecture document draws "NAT Gateway AZ-a" and "NAT Gateway AZ-b" in the
    /// public subnets ("Public Subnet A | 10.0.1.0/24 | NAT Gateway, ALB (AZ-a)"), routes
    /// "ECS1 --> NAT1" and "ECS3 --> NAT2" per AZ, and budgets "NAT Gateway | 2 x NAT
    /// Gateway". One NAT per AZ keeps an AZ outage from cutting the other AZ's egress
    /// (Betfair API access) and avoids cross-AZ data charges.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_route_table" "app_b" {
    ///   vpc_id = aws_vpc.main.id
    ///   route {
    ///     cidr_block     = "0.0.0.0/0"
    ///     nat_gateway_id = aws_nat_gateway.a.id # the NAT of the other AZ
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_nat_gateway" "b" {
    ///   allocation_id = aws_eip.nat_b.id
    ///   subnet_id     = aws_subnet.public_b.id
    /// }
    ///
    /// resource "aws_route_table" "app_b" {
    ///   vpc_id = aws_vpc.main.id
    ///   route {
    ///     cidr_block     = "0.0.0.0/0"
    ///     nat_gateway_id = aws_nat_gateway.b.id
    ///   }
    /// }
    /// ```
    ///
    /// ## Peers
    /// None: Checkov, Trivy and AWS Config have no NAT-per-AZ check.
    pub static NAT_PER_AZ = Rule {
        id: "CB-NET-004",
        name: "nat-per-az",
        area: Network,
        severity: Medium,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    check_placement(c);
    check_app_routes(c);
}

/// NAT gateways: in a public subnet, exactly one per AZ label.
fn check_placement(c: &mut Check<'_>) {
    let (inv, policy) = (c.inv, c.policy);
    // Documented public subnet name → NAT gateways in it.
    let mut by_subnet: BTreeMap<&str, Vec<ResId>> = BTreeMap::new();
    // A NAT gateway that cannot be placed may be the one a label lacks (a denied read of
    // NAT gateways is handled by `missing`).
    let mut doubt = false;
    for nat in inv.all::<NatGateway>() {
        let subnet = match inv.resolve_one::<Subnet>(&nat.subnet) {
            Ok(Some(s)) => s,
            Ok(None) => {
                doubt = true;
                let why = Unknown::NotInInputs("the NAT gateway's subnet".to_string());
                c.unknown(nat.id, Some("subnet_id"), "the NAT gateway's subnet", &why);
                continue;
            }
            Err(u) => {
                doubt = true;
                c.unknown(nat.id, Some("subnet_id"), "the NAT gateway's subnet", &u);
                continue;
            }
        };
        match tiers::subnet_spec(policy, &subnet) {
            Ok(Some(spec)) if spec.tier == SubnetTier::Public => {
                by_subnet.entry(spec.name.as_str()).or_default().push(nat.id);
            }
            Ok(Some(spec)) => c.fail(
                nat.id,
                Some("subnet_id"),
                format!(
                    "NAT gateway is in {} ({}, {} tier); NAT gateways belong in the public subnet of their AZ",
                    subnet.address(),
                    spec.name,
                    spec.tier
                ),
                "set subnet_id to the public subnet of the NAT gateway's AZ",
            ),
            Ok(None) => c.fail(
                nat.id,
                Some("subnet_id"),
                format!(
                    "NAT gateway is in {} ({}), which is not a documented public subnet; NAT gateways belong in the public subnet of their AZ",
                    subnet.address(),
                    subnet.cidr.shown()
                ),
                "set subnet_id to the public subnet of the NAT gateway's AZ",
            ),
            Err(u) => {
                doubt = true;
                c.unknown(nat.id, Some("subnet_id"), "the tier of the NAT gateway's subnet", &u);
            }
        }
    }
    for spec in policy.network.subnets_of(SubnetTier::Public) {
        let nats = by_subnet
            .get(spec.name.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        match nats {
            [] if doubt => {}
            [] => c.missing(
                Kind::NatGateway,
                "aws_nat_gateway",
                format!("NAT gateway in {}", spec.name),
                format!(
                    "AZ {} has no NAT gateway in its public subnet {} ({}); the architecture has one NAT gateway per AZ",
                    spec.az, spec.name, spec.cidr.0
                ),
                format!(
                    "add an aws_nat_gateway with subnet_id = the {} subnet",
                    spec.name
                ),
            ),
            [first, extra @ ..] => {
                c.pass(*first);
                for &id in extra {
                    c.fail(
                        id,
                        Some("subnet_id"),
                        format!(
                            "AZ {} already has NAT gateway {} in {}; the architecture has exactly one NAT gateway per AZ",
                            spec.az,
                            inv.get(*first).address(),
                            spec.name
                        ),
                        "remove the extra NAT gateway",
                    );
                }
            }
        }
    }
}

/// Each app subnet: a 0.0.0.0/0 route via the NAT gateway of its own AZ.
fn check_app_routes(c: &mut Check<'_>) {
    let inv = c.inv;
    for subnet in inv.all::<Subnet>() {
        let spec = match tiers::subnet_spec(c.policy, &subnet) {
            Ok(Some(spec)) if spec.tier == SubnetTier::App => spec,
            Ok(_) => continue,
            Err(u) => {
                c.unknown(
                    subnet.id,
                    Some("cidr_block"),
                    "the subnet's tier (its CIDR)",
                    &u,
                );
                continue;
            }
        };
        let id = subnet.id;
        let require = format!(
            "app subnet {} needs a 0.0.0.0/0 route through the NAT gateway of its own AZ",
            spec.name
        );
        let help = format!(
            "add route {{ cidr_block = \"0.0.0.0/0\", nat_gateway_id = <NAT gateway in the AZ-{} public subnet> }} to the subnet's route table",
            spec.az
        );
        let table = match routing::routing_of(inv, &subnet) {
            Ok(Routing::Table { table, .. }) => table,
            Ok(Routing::DefaultMain) => {
                c.fail(
                    id,
                    None,
                    format!("the subnet uses the VPC's main route table, which these inputs do not declare (AWS creates it with only the local route), so no route to a NAT gateway is declared for it; {require}"),
                    help,
                );
                continue;
            }
            Err(u) => {
                c.unknown(id, None, "the subnet's route table", &u);
                continue;
            }
        };
        let routes = match routing::routes_of(inv, &table) {
            Ok(routes) => routes,
            Err(u) => {
                let what = format!("the routes of {}", table.address());
                c.unknown(id, None, &what, &u);
                continue;
            }
        };
        let mut doubt: Option<Unknown> = None;
        let mut default = None;
        for r in &routes {
            match r.route.destination.value() {
                Ok(Some(d)) if d == "0.0.0.0/0" => default = Some(r.route),
                Err(u) => doubt = Some(u.clone()),
                _ => {}
            }
        }
        let Some(route) = default else {
            match doubt {
                Some(u) => {
                    let what = format!("the destinations of the routes of {}", table.address());
                    c.unknown(id, None, &what, &u);
                }
                None => c.fail(
                    id,
                    None,
                    format!(
                        "route table {} has no 0.0.0.0/0 route; {require}",
                        table.address()
                    ),
                    help,
                ),
            }
            continue;
        };
        let nat = match routing::nat_target(inv, route) {
            Ok(Some(nat)) => nat,
            Ok(None) => {
                c.fail(
                    id,
                    None,
                    format!(
                        "the 0.0.0.0/0 route of {} goes to {}; {require}",
                        table.address(),
                        routing::describe_target(inv, route)
                    ),
                    help,
                );
                continue;
            }
            Err(u) => {
                let what = format!("the target of the 0.0.0.0/0 route of {}", table.address());
                c.unknown(id, None, &what, &u);
                continue;
            }
        };
        match routing::same_zone(inv, c.policy, &subnet, &nat) {
            Ok(true) => c.pass(id),
            Ok(false) => c.fail(
                id,
                None,
                format!(
                    "the 0.0.0.0/0 route of {} goes through NAT gateway {} of another AZ ({}); {require} ({})",
                    table.address(),
                    nat.address(),
                    routing::nat_zone(inv, &nat),
                    subnet.availability_zone.shown()
                ),
                help,
            ),
            Err(u) => c.unknown(id, None, "the availability zone of the subnet's NAT gateway", &u),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Inventory, Refs};
    use crate::rules::net::testkit::*;
    use crate::rules::testing::{res, run};

    /// App subnet `app_<az>` routed through `via` (inline, or as an `aws_route`).
    fn app_route(inv: &mut Inventory, az: &str, via: Refs, inline: bool) {
        let r = via_nat("0.0.0.0/0", via);
        let name = format!("app_{az}");
        if inline {
            table(inv, &name, Field::Known(vec![r]), false);
        } else {
            table(inv, &name, Field::Absent, false);
            route(inv, &name, &name, r);
        }
        assoc(inv, &name, &name);
    }

    /// The documented layout with NAT gateways `a` and `b` in the public subnets.
    fn two_nats() -> Inventory {
        let mut inv = Inventory::new();
        layout(&mut inv);
        nat(&mut inv, "a", addr("aws_subnet.public_a"));
        nat(&mut inv, "b", addr("aws_subnet.public_b"));
        inv
    }

    #[test]
    fn one_nat_per_az_and_own_az_routes_pass() {
        let mut inv = two_nats();
        app_route(&mut inv, "a", addr("aws_nat_gateway.a"), false);
        app_route(&mut inv, "b", addr("aws_nat_gateway.b"), true);
        let out = run(&NAT_PER_AZ, &inv);
        assert!(out.fails().is_empty(), "{:?}", out.messages());
        assert_eq!(out.passes().len(), 4);
    }

    #[test]
    fn cross_az_route_and_misplaced_nat_fail() {
        let mut inv = two_nats();
        nat(&mut inv, "data", addr("aws_subnet.data_a"));
        app_route(&mut inv, "a", addr("aws_nat_gateway.a"), true);
        app_route(&mut inv, "b", addr("aws_nat_gateway.a"), true);
        let out = run(&NAT_PER_AZ, &inv);
        assert_eq!(out.fails(), ["aws_nat_gateway.data", "aws_subnet.app_b"]);
        let msgs = out.messages().join("\n");
        assert!(msgs.contains("data-a, data tier); NAT gateways belong in the public"));
        assert!(msgs.contains("aws_nat_gateway.a of another AZ") && msgs.contains("own AZ"));
    }

    #[test]
    fn missing_and_extra_nat_fail() {
        let mut inv = Inventory::new();
        add_subnet(&mut inv, "public_a", "10.0.1.0/24", "eu-west-1a");
        let pa = inv.get(0).clone().with_identifiers(["subnet-pa"]);
        let mut inv = Inventory::new();
        inv.push(pa);
        nat(&mut inv, "a", addr("aws_subnet.public_a"));
        nat(&mut inv, "a2", ident("subnet-pa"));
        let out = run(&NAT_PER_AZ, &inv);
        assert_eq!(
            out.fails(),
            ["aws_nat_gateway.a2", "missing:NAT gateway in public-b"]
        );
        assert_eq!(out.passes(), ["aws_nat_gateway.a"]);
        assert!(out
            .messages()
            .iter()
            .any(|m| m.contains("exactly one NAT gateway per AZ")));
    }

    #[test]
    fn app_subnet_without_nat_default_route_fails() {
        let mut inv = two_nats();
        let out = run(&NAT_PER_AZ, &inv);
        assert_eq!(out.fails(), ["aws_subnet.app_a", "aws_subnet.app_b"]);
        assert!(out.messages()[0].contains("main route table, which these inputs do not declare"));
        app_route(&mut inv, "a", Field::Absent, true);
        let out = run(&NAT_PER_AZ, &inv);
        let other = "goes to a target other than a NAT gateway";
        assert!(out.messages().iter().any(|m| m.contains(other)));
    }

    #[test]
    fn unknowns_are_unknown() {
        let mut inv = two_nats();
        nat(&mut inv, "x", Field::Unknown(Unknown::AfterApply));
        let mut s = subnet("10.0.11.0/24", Field::Absent);
        s.cidr = Field::Unknown(Unknown::AfterApply);
        inv.push(res("aws_subnet.app_c", s));
        app_route(&mut inv, "a", addr("aws_nat_gateway.a"), true);
        app_route(&mut inv, "b", Field::Unknown(Unknown::AfterApply), true);
        let out = run(&NAT_PER_AZ, &inv);
        let unknowns = ["aws_nat_gateway.x", "aws_subnet.app_b", "aws_subnet.app_c"];
        assert_eq!(out.unknowns(), unknowns);
        assert!(!out.fails().iter().any(|f| f.starts_with("missing:")));
    }

    #[test]
    fn absent_zones_compare_by_label() {
        let mut inv = Inventory::new();
        push_subnet(&mut inv, "public_a", subnet("10.0.1.0/24", Field::Absent));
        push_subnet(&mut inv, "app_a", subnet("10.0.10.0/24", Field::Absent));
        nat(&mut inv, "a", addr("aws_subnet.public_a"));
        app_route(&mut inv, "a", addr("aws_nat_gateway.a"), true);
        let out = run(&NAT_PER_AZ, &inv);
        assert!(out.passes().contains(&"aws_subnet.app_a".to_string()));
    }
}
