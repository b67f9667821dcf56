use crate::declare_rule;
use crate::model::{Field, Subnet};
use crate::policy::SubnetTier;
use crate::rules::net::routing::{self, Routing};
use crate::rules::{tiers, Check};

declare_rule! {
    /// ## What it checks
    /// Every app- and data-tier subnet (by documented CIDR) does not map public IPs on
    /// launch (`map_public_ip_on_launch`, default false) and its route table has no route to
    /// an internet gateway; data subnets also have no default route (`0.0.0.0/0` or `::/0`)
    /// at all, whatever its target.
    ///
    /// The route table is the subnet's explicit `aws_route_table_association`, else its
    /// VPC's main route table (`aws_main_route_table_association`, `aws_default_route_table`
    /// or the live `Main` table). With neither in the inputs, the subnet uses the main table
    /// AWS creates with the VPC, which holds only the local route. Routes are the table's
    /// inline `route` blocks plus every `aws_route` pointing at it.
    ///
    /// ## Why
    /// The architecture document separates "Private Subnets - Application" and "Private
    /// Subnets - Data" from the public ones: "Outbound Traffic: ECS Tasks → NAT Gateway →
    /// Internet Gateway → Internet" and "Database Traffic: Application Subnets → Data
    /// Subnets (internal only)". A public IP or an internet-gateway route makes a private
    /// subnet public; a default route out of a data subnet breaks "internal only".
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_subnet" "app_a" {
    ///   vpc_id                  = aws_vpc.main.id
    ///   cidr_block              = "10.0.10.0/24"
    ///   map_public_ip_on_launch = true
    /// }
    ///
    /// resource "aws_route" "app_b_ipv6" {
    ///   route_table_id              = aws_route_table.app_b.id
    ///   destination_ipv6_cidr_block = "::/0"
    ///   gateway_id                  = aws_internet_gateway.main.id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_subnet" "app_a" {
    ///   vpc_id     = aws_vpc.main.id
    ///   cidr_block = "10.0.10.0/24"
    /// }
    ///
    /// resource "aws_route_table" "app_a" {
    ///   vpc_id = aws_vpc.main.id
    ///   route {
    ///     cidr_block     = "0.0.0.0/0"
    ///     nat_gateway_id = aws_nat_gateway.a.id
    ///   }
    /// }
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV_AWS_130` and Trivy `AVD-AWS-0164` check `map_public_ip_on_launch` on
    /// every subnet (this rule only on the private tiers); AWS Config
    /// `subnet-auto-assign-public-ip-disabled` likewise, and `no-unrestricted-route-to-igw`
    /// flags `0.0.0.0/0` routes to an internet gateway in any route table. None of them
    /// follows a subnet to its (main) route table or forbids the data tier's default route.
    pub static PRIVATE_SUBNET_ISOLATION = Rule {
        id: "CB-NET-003",
        name: "private-subnet-isolation",
        area: Network,
        severity: High,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let inv = c.inv;
    for subnet in inv.all::<Subnet>() {
        let tier = match tiers::subnet_tier(c.policy, &subnet) {
            Ok(Some(t @ (SubnetTier::App | SubnetTier::Data))) => t,
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
        let mut clean = true;
        let attr = "map_public_ip_on_launch";
        match c.need_attr(id, attr, &subnet.map_public_ip_on_launch) {
            None => clean = false,
            Some(Some(true)) => {
                clean = false;
                c.fail(
                    id,
                    Some("map_public_ip_on_launch"),
                    format!(
                        "{tier} subnet maps public IPs on launch; {tier} subnets are private and must not"
                    ),
                    "set map_public_ip_on_launch = false (or remove it: false is the default)",
                );
            }
            Some(_) => {}
        }
        let (table, how) = match routing::routing_of(inv, &subnet) {
            Ok(Routing::Table { table, how }) => (table, how),
            Ok(Routing::DefaultMain) => {
                if clean {
                    c.pass(id);
                }
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
        for r in routes {
            let dest = routing::destination(r.route);
            let declared = inv.get(r.declared_by).address();
            let via = format!(
                "route {dest} of {} ({how}, declared by {declared})",
                table.address()
            );
            let default = r.route.is_default();
            match routing::targets_internet_gateway(inv, r.route) {
                Ok(true) => {
                    clean = false;
                    c.fail(
                        id,
                        None,
                        format!(
                            "{tier} subnet's {via} goes to an internet gateway; {tier} subnets must have no route to an internet gateway"
                        ),
                        format!(
                            "remove the internet-gateway route from {} or associate the subnet with a private route table (egress goes through the NAT gateway of its AZ)",
                            table.address()
                        ),
                    );
                    continue;
                }
                Ok(false) => {}
                // Whatever its target, a default route fails a data subnet.
                Err(_) if tier == SubnetTier::Data && matches!(default, Field::Known(true)) => {}
                Err(u) => {
                    clean = false;
                    let what = format!("the target of {via}");
                    c.unknown(id, None, &what, &u);
                    continue;
                }
            }
            if tier != SubnetTier::Data {
                continue;
            }
            match default.value() {
                Ok(Some(true)) => {
                    clean = false;
                    c.fail(
                        id,
                        None,
                        format!(
                            "data subnet's {via} is a default route (to {}); data subnets are internal only and must have no default route",
                            routing::describe_target(inv, r.route)
                        ),
                        format!(
                            "remove the default route from {} or give the data subnets a route table without one",
                            table.address()
                        ),
                    );
                }
                Err(u) => {
                    clean = false;
                    let what = format!("the destination of a route of {}", table.address());
                    c.unknown(id, None, &what, u);
                }
                _ => {}
            }
        }
        if clean {
            c.pass(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Inventory, MainRouteTableAssociation, Route, Unknown};
    use crate::rules::net::testkit::*;
    use crate::rules::testing::{res, run};

    /// The VPC, an internet gateway, NAT `aws_nat_gateway.a` and subnet `<name>`.
    fn base(name: &str, cidr: &str, public_ip: Field<bool>) -> Inventory {
        let mut inv = Inventory::new();
        inv.push(vpc());
        igw(&mut inv);
        nat(&mut inv, "a", addr("aws_subnet.public_a"));
        let mut s = subnet(cidr, Field::Known("eu-west-1a"));
        s.map_public_ip_on_launch = public_ip;
        push_subnet(&mut inv, name, s);
        inv
    }

    fn nat_default() -> Route {
        via_nat("0.0.0.0/0", addr("aws_nat_gateway.a"))
    }

    #[test]
    fn private_app_subnet_via_nat_passes() {
        let mut inv = base("app_a", "10.0.10.0/24", Field::Known(false));
        table(&mut inv, "app", Field::Known(vec![nat_default()]), false);
        assoc(&mut inv, "app_a", "app");
        let out = run(&PRIVATE_SUBNET_ISOLATION, &inv);
        assert_eq!(out.passes(), ["aws_subnet.app_a"]);
        assert!(out.fails().is_empty() && out.unknowns().is_empty());
    }

    #[test]
    fn public_ip_on_app_subnet_fails() {
        let inv = base("app_a", "10.0.10.0/24", Field::Known(true));
        let out = run(&PRIVATE_SUBNET_ISOLATION, &inv);
        assert_eq!(out.fails(), ["aws_subnet.app_a"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("maps public IPs") && msg.contains("must not"),
            "{msg}"
        );
    }

    #[test]
    fn separate_igw_route_on_app_table_fails() {
        let mut inv = base("app_b", "10.0.11.0/24", Field::Absent);
        table(&mut inv, "app", Field::Known(vec![nat_default()]), false);
        assoc(&mut inv, "app_b", "app");
        let v6 = via_gateway("::/0", addr("aws_internet_gateway.main"));
        route(&mut inv, "ipv6", "app", v6);
        let out = run(&PRIVATE_SUBNET_ISOLATION, &inv);
        assert_eq!(out.fails(), ["aws_subnet.app_b"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("::/0") && msg.contains("aws_route.ipv6"),
            "{msg}"
        );
        assert!(
            msg.contains("must have no route to an internet gateway"),
            "{msg}"
        );
    }

    #[test]
    fn data_subnet_default_route_via_nat_fails() {
        let mut inv = base("data_a", "10.0.20.0/24", Field::Absent);
        table(&mut inv, "data", Field::Known(vec![nat_default()]), false);
        assoc(&mut inv, "data_a", "data");
        let out = run(&PRIVATE_SUBNET_ISOLATION, &inv);
        assert_eq!(out.fails(), ["aws_subnet.data_a"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("to NAT gateway aws_nat_gateway.a") && msg.contains("no default route")
        );
    }

    #[test]
    fn unassociated_subnet_uses_main_table() {
        let mut inv = base("data_b", "10.0.21.0/24", Field::Absent);
        let to_igw = via_gateway("0.0.0.0/0", ident("igw-1"));
        table(&mut inv, "public", Field::Known(vec![to_igw]), false);
        let main = MainRouteTableAssociation {
            vpc: ident("vpc-123"),
            route_table: addr("aws_route_table.public"),
        };
        let address = "aws_main_route_table_association.main";
        inv.push(res(address, main));
        let out = run(&PRIVATE_SUBNET_ISOLATION, &inv);
        assert_eq!(out.fails(), ["aws_subnet.data_b"]);
        assert!(out.messages()[0].contains("main route table"));
    }

    #[test]
    fn external_igw_id_counts_and_aws_default_main_table_passes() {
        let mut inv = base("app_a", "10.0.10.0/24", Field::Absent);
        push_subnet(&mut inv, "data_a", subnet("10.0.20.0/24", Field::Absent));
        let to_igw = via_gateway("0.0.0.0/0", ident("igw-0abc"));
        table(&mut inv, "app", Field::Known(vec![to_igw]), false);
        assoc(&mut inv, "app_a", "app");
        let out = run(&PRIVATE_SUBNET_ISOLATION, &inv);
        assert_eq!(out.fails(), ["aws_subnet.app_a"]);
        assert_eq!(out.passes(), ["aws_subnet.data_a"]);
    }

    #[test]
    fn unknown_values_are_unknown() {
        let unknown = Field::Unknown(Unknown::AfterApply);
        let mut inv = base("app_a", "10.0.10.0/24", unknown.clone());
        push_subnet(&mut inv, "data_a", subnet("10.0.20.0/24", Field::Absent));
        table(&mut inv, "data", Field::Unknown(Unknown::AfterApply), false);
        assoc(&mut inv, "data_a", "data");
        let mut s = subnet("10.0.11.0/24", Field::Absent);
        s.cidr = Field::Unknown(Unknown::AfterApply);
        push_subnet(&mut inv, "x", s);
        let out = run(&PRIVATE_SUBNET_ISOLATION, &inv);
        let unknowns = ["aws_subnet.app_a", "aws_subnet.data_a", "aws_subnet.x"];
        assert_eq!(out.unknowns(), unknowns);
        assert!(out.fails().is_empty());
    }

    #[test]
    fn public_subnets_are_not_examined() {
        let inv = base("public_a", "10.0.1.0/24", Field::Known(true));
        assert!(run(&PRIVATE_SUBNET_ISOLATION, &inv).outcomes.is_empty());
    }
}
