use crate::declare_rule;
use crate::model::Vpc;
use crate::rules::{set_str, Check};

declare_rule! {
    /// ## What it checks
    /// Every VPC's IPv4 CIDR block is the documented one (`network.vpc_cidr`, 10.0.0.0/16).
    ///
    /// ## Why
    /// The architecture document's VPC design: "VPC | 10.0.0.0/16 | Main VPC with 65,536
    /// IPs". Every subnet, route and security-group CIDR of the architecture is carved out of
    /// it; a different block breaks the subnet layout and any peering or VPN plan.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_vpc" "main" {
    ///   cidr_block = "172.16.0.0/16"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_vpc" "main" {
    ///   cidr_block = "10.0.0.0/16"
    /// }
    /// ```
    ///
    /// ## Peers
    /// No direct Checkov, Trivy or AWS Config equivalent (they do not know the documented
    /// layout).
    pub static VPC_CIDR = Rule {
        id: "CB-NET-001",
        name: "vpc-cidr",
        area: Network,
        severity: High,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let want = c.policy.network.vpc_cidr.0;
    // AWS's default VPC is never the architecture's (CB-NET-006 judges it).
    for vpc in c.inv.all::<Vpc>().filter(|v| !v.default) {
        let Some(cidr) = c.need(vpc.id, Some("cidr_block"), "the VPC CIDR", &vpc.cidr) else {
            continue;
        };
        let fact = match cidr {
            Some(cidr) if *cidr == want => {
                c.pass(vpc.id);
                continue;
            }
            Some(_) => format!("VPC CIDR is {}", vpc.cidr.shown()),
            None => "VPC has no IPv4 CIDR block".to_string(),
        };
        c.require(
            vpc.id,
            Some("cidr_block"),
            fact,
            want,
            set_str("cidr_block", want),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Inventory, Resource};
    use crate::rules::testing::{res, run};

    fn vpc(cidr: Field<&str>) -> Resource {
        res(
            "aws_vpc.main",
            Vpc {
                cidr: cidr.map(|c| c.parse().unwrap()),
                default: false,
            },
        )
    }

    #[test]
    fn documented_cidr_passes() {
        let mut inv = Inventory::new();
        inv.push(vpc(Field::Known("10.0.0.0/16")));
        let out = run(&VPC_CIDR, &inv);
        assert_eq!(out.passes(), vec!["aws_vpc.main"]);
        assert!(out.fails().is_empty());
    }

    #[test]
    fn other_cidr_fails_with_both_values() {
        let mut inv = Inventory::new();
        inv.push(vpc(Field::Known("172.16.0.0/16")));
        let out = run(&VPC_CIDR, &inv);
        assert_eq!(out.fails(), vec!["aws_vpc.main"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("172.16.0.0/16") && msg.contains("10.0.0.0/16"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_cidr_is_unknown() {
        let mut inv = Inventory::new();
        inv.push(vpc(Field::Unknown(crate::model::Unknown::AfterApply)));
        assert_eq!(run(&VPC_CIDR, &inv).unknowns(), vec!["aws_vpc.main"]);
    }
}
