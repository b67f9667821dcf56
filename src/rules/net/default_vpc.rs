use crate::declare_rule;
use crate::model::{LoadBalancer, NatGateway, Refs, ResId, Resolution, Subnet, Vpc};
use crate::rules::Check;

declare_rule! {
    /// ## What it checks
    /// AWS's default VPC is reported, once per region, when it exists and nothing cbaudit
    /// reads is placed in it (no load balancer and no NAT gateway in one of its subnets).
    /// The default VPC is the one AWS creates in every region of a new account
    /// (`IsDefault` in `DescribeVpcs`, `isDefault` in its AWS Config configuration item,
    /// `aws_default_vpc` in Terraform). It is never the architecture's VPC: CB-NET-001,
    /// CB-NET-002 and CB-NET-005 do not judge it or its subnets.
    ///
    /// "Used" is what the model can see: load balancers and NAT gateways, read by every
    /// source. cbaudit reads no instances or network interfaces, and ECS services and DB
    /// subnet groups are not in AWS Config's record, so a default VPC holding only those is
    /// reported too: the message says so; check its network interfaces
    /// (`aws ec2 describe-network-interfaces --filters Name=vpc-id,Values=<id>`) before
    /// deleting it. When a subnet's VPC or a load balancer's subnets are unknown the verdict
    /// is unknown. The rule has account scope: in a live scan it sees the default VPC even
    /// though the policy's `[scope]` leaves it out of the architecture.
    ///
    /// ## Why
    /// The architecture document places every workload in its own VPC (10.0.0.0/16) with
    /// private app and data tiers. The default VPC has a route to an internet gateway and a
    /// public subnet in every zone that maps public IP addresses on launch (AWS, "Default
    /// VPCs", Amazon VPC User Guide): anything launched without an explicit subnet lands
    /// there, public. An unused one is attack surface with no purpose; AWS lets you delete it
    /// (and create a new one later with `aws ec2 create-default-vpc`).
    ///
    /// ## Example
    /// ```hcl
    /// # Adopted by Terraform, nothing placed in it
    /// resource "aws_default_vpc" "default" {}
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// # Delete the default VPC of each region (its subnets and internet gateway first, or
    /// # `aws ec2 delete-vpc` from the console's "Delete VPC", which removes them), or let
    /// # Terraform delete it when the resource is destroyed:
    /// resource "aws_default_vpc" "default" {
    ///   force_destroy = true
    /// }
    /// # then `terraform destroy -target=aws_default_vpc.default`
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV_AWS_148` ("Ensure no default VPC is planned to be provisioned") and KICS
    /// "Default VPC Exists" flag any `aws_default_vpc` in Terraform, used or not; Trivy
    /// `AVD-AWS-0183` (`no-default-vpc`) flags a default VPC in a cloud scan. AWS Config
    /// `vpc-default-security-group-closed` judges the default VPC's security group, not the
    /// VPC. cbaudit reports it only when nothing it reads uses it, once per region.
    pub static DEFAULT_VPC_UNUSED = Rule {
        id: "CB-NET-006",
        name: "default-vpc-unused",
        area: Network,
        severity: Low,
        scope: Account,
        check: check,
    };
}

/// How the subnets a resource sits in relate to the default VPC.
enum Placement {
    Inside,
    Outside,
    Unknown(crate::model::Unknown),
}

fn check(c: &mut Check<'_>) {
    let inv = c.inv;
    for vpc in inv.all::<Vpc>().filter(|v| v.default) {
        let region = vpc.resource.provenance.region.clone();
        // The default VPC's subnets: those that refer to it, and `aws_default_subnet`s of
        // the same region whose VPC is not known to be another (Terraform leaves it unknown
        // until apply).
        let mut doubt = None;
        let mut mine: Vec<ResId> = Vec::new();
        for s in inv.all::<Subnet>() {
            let default_subnet = s.resource.resource_type == "aws_default_subnet"
                && s.resource.provenance.region == region;
            match inv.resolve::<Vpc>(&s.vpc) {
                Resolution::Known { found, .. } if found.iter().any(|v| v.id == vpc.id) => {
                    mine.push(s.id)
                }
                // Another VPC's subnet, whatever its type says.
                Resolution::Known { found, .. } if !found.is_empty() => {}
                _ if default_subnet => mine.push(s.id),
                Resolution::Unknown(u) => doubt = Some((s.id, u)),
                _ => {}
            }
        }
        let placed = |refs: &Refs| -> Placement {
            match inv.resolve::<Subnet>(refs) {
                Resolution::Absent => Placement::Outside,
                Resolution::Unknown(u) => Placement::Unknown(u),
                Resolution::Known { found, .. } => {
                    if found.iter().any(|s| mine.contains(&s.id)) {
                        Placement::Inside
                    } else if let Some((_, u)) = doubt
                        .as_ref()
                        .filter(|(d, _)| found.iter().any(|s| s.id == *d))
                    {
                        Placement::Unknown(u.clone())
                    } else {
                        Placement::Outside
                    }
                }
            }
        };
        let mut users = Vec::new();
        let mut unknown = None;
        let lbs = inv
            .all::<LoadBalancer>()
            .map(|lb| (lb.address().to_string(), placed(&lb.subnets)));
        let nats = inv
            .all::<NatGateway>()
            .map(|n| (n.address().to_string(), placed(&n.subnet)));
        for (address, placement) in lbs.chain(nats) {
            match placement {
                Placement::Inside => users.push(address),
                Placement::Unknown(u) => unknown = Some(u),
                Placement::Outside => {}
            }
        }
        let in_region = region
            .as_deref()
            .map(|r| format!(" in {r}"))
            .unwrap_or_default();
        if !users.is_empty() {
            c.pass(vpc.id);
        } else if let Some(u) = unknown {
            c.unknown(vpc.id, None, "whether anything uses the default VPC", &u);
        } else {
            let cidr = vpc
                .cidr
                .get()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            c.fail(
                vpc.id,
                None,
                format!(
                    "AWS's default VPC{cidr} exists{in_region} and no load balancer or NAT gateway uses it (instances, network interfaces, ECS tasks and DB instances are not read for this)"
                ),
                "delete the default VPC of this region once its network interfaces show nothing uses it (aws ec2 describe-network-interfaces --filters Name=vpc-id,Values=<id>)",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Inventory, Resource, Unknown};
    use crate::rules::net::testkit::{addr, vpc};
    use crate::rules::testing::{res, run};

    fn default_vpc() -> Resource {
        res(
            "aws_default_vpc.default",
            Vpc {
                cidr: Field::Known("172.31.0.0/16".parse().unwrap()),
                default: true,
            },
        )
        .with_identifiers(["vpc-default"])
        .in_region("eu-west-2")
    }

    fn subnet_of(name: &str, vpc: Refs) -> Resource {
        res(
            format!("aws_subnet.{name}"),
            Subnet {
                vpc,
                cidr: Field::Known("172.31.0.0/20".parse().unwrap()),
                ..Default::default()
            },
        )
    }

    fn lb_in(subnet: &str) -> Resource {
        res(
            "aws_lb.legacy",
            LoadBalancer {
                subnets: addr(&format!("aws_subnet.{subnet}")),
                ..Default::default()
            },
        )
    }

    #[test]
    fn an_unused_default_vpc_fails_once_naming_its_region() {
        let mut inv = Inventory::new();
        inv.push(vpc());
        inv.push(default_vpc());
        inv.push(subnet_of("d", addr("aws_default_vpc.default")));
        inv.push(subnet_of("main", addr("aws_vpc.main")));
        inv.push(lb_in("main"));
        let out = run(&DEFAULT_VPC_UNUSED, &inv);
        assert_eq!(out.fails(), vec!["aws_default_vpc.default"]);
        let msg = out.messages()[0];
        assert!(msg.contains("in eu-west-2"), "{msg}");
        assert!(msg.contains("172.31.0.0/16"), "{msg}");
        assert!(
            out.passes().is_empty(),
            "the architecture's VPC is not judged"
        );
    }

    #[test]
    fn a_load_balancer_in_its_subnet_uses_it() {
        let mut inv = Inventory::new();
        inv.push(default_vpc());
        inv.push(subnet_of("d", addr("aws_default_vpc.default")));
        inv.push(lb_in("d"));
        let out = run(&DEFAULT_VPC_UNUSED, &inv);
        assert!(out.fails().is_empty());
        assert_eq!(out.passes(), vec!["aws_default_vpc.default"]);
    }

    #[test]
    fn a_subnet_of_unknown_vpc_holding_a_load_balancer_is_unknown() {
        let mut inv = Inventory::new();
        inv.push(default_vpc());
        inv.push(subnet_of("x", Field::Unknown(Unknown::AfterApply)));
        inv.push(lb_in("x"));
        let out = run(&DEFAULT_VPC_UNUSED, &inv);
        assert!(out.fails().is_empty());
        assert_eq!(out.unknowns(), vec!["aws_default_vpc.default"]);
    }

    #[test]
    fn no_default_vpc_no_verdict() {
        let mut inv = Inventory::new();
        inv.push(vpc());
        let out = run(&DEFAULT_VPC_UNUSED, &inv);
        assert!(out.fails().is_empty() && out.unknowns().is_empty());
        assert!(out.passes().is_empty());
    }
}
