use crate::declare_rule;
use crate::model::{FlowLog, Kind, Resolution, Unknown, Vpc};
use crate::rules::Check;

declare_rule! {
    /// ## What it checks
    /// Every VPC has a VPC-level flow log (`aws_flow_log` with `vpc_id` = that VPC) whose
    /// `traffic_type` is the documented one (`network.flow_log_traffic_type`, `ALL`). Flow
    /// logs of a subnet, a network interface or a transit gateway (`subnet_id`, `eni_id`,
    /// `transit_gateway_id`, `transit_gateway_attachment_id`: provider `aws_flow_log` takes
    /// exactly one target) never count for the VPC, whatever their `vpc_id` says, and never
    /// make its verdict unknown. A flow log without
    /// `traffic_type` captures no defined traffic and does not count either.
    ///
    /// ## Why
    /// The architecture document's compliance controls list "VPC Flow Logs: Network traffic
    /// logging". Only `ALL` records both accepted and rejected traffic: `REJECT` alone hides
    /// what was let through, `ACCEPT` alone hides probing.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_flow_log" "main" {
    ///   vpc_id          = aws_vpc.main.id
    ///   traffic_type    = "REJECT"
    ///   log_destination = aws_cloudwatch_log_group.flow.arn
    ///   iam_role_arn    = aws_iam_role.flow.arn
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_flow_log" "main" {
    ///   vpc_id          = aws_vpc.main.id
    ///   traffic_type    = "ALL"
    ///   log_destination = aws_cloudwatch_log_group.flow.arn
    ///   iam_role_arn    = aws_iam_role.flow.arn
    /// }
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV2_AWS_11`, Trivy `AVD-AWS-0178` and AWS Config `vpc-flow-logs-enabled`
    /// (with its `trafficType` parameter set to `ALL`).
    pub static VPC_FLOW_LOGS = Rule {
        id: "CB-NET-005",
        name: "vpc-flow-logs",
        area: Network,
        severity: High,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let inv = c.inv;
    let want = c.policy.network.flow_log_traffic_type.as_str();
    let help = format!(
        "add an aws_flow_log with vpc_id = this VPC and traffic_type = \"{want}\" (or set traffic_type = \"{want}\" on its flow log)"
    );
    // AWS's default VPC is never the architecture's (CB-NET-006 judges it).
    for vpc in inv.all::<Vpc>().filter(|v| !v.default) {
        let mut doubt: Option<Unknown> = inv.gap(Kind::FlowLog).cloned();
        let mut wrong = Vec::new();
        let mut ok = false;
        for log in inv.all::<FlowLog>() {
            match inv.resolve::<Vpc>(&log.vpc) {
                Resolution::Known { found, .. } if found.iter().any(|v| v.id == vpc.id) => {}
                Resolution::Unknown(u) => {
                    doubt = Some(u);
                    continue;
                }
                _ => continue,
            }
            match log.traffic_type.value() {
                Ok(Some(t)) if t.eq_ignore_ascii_case(want) => ok = true,
                Err(u) => doubt = Some(u.clone()),
                Ok(_) => wrong.push(format!(
                    "{} captures {}",
                    log.address(),
                    log.traffic_type.shown()
                )),
            }
        }
        let requirement = format!("a VPC flow log capturing {want} traffic");
        if ok {
            c.pass(vpc.id);
        } else if let Some(u) = doubt {
            c.unknown(
                vpc.id,
                None,
                &format!("whether the VPC has a flow log capturing {want} traffic"),
                &u,
            );
        } else if wrong.is_empty() {
            c.require(
                vpc.id,
                None,
                "VPC has no flow log",
                requirement,
                help.clone(),
            );
        } else {
            let fact = format!("VPC's flow log {}", wrong.join(", "));
            c.require(vpc.id, None, fact, requirement, help.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Gap, Inventory, RefTarget, Refs};
    use crate::rules::testing::{res, run};

    fn inv_with(logs: &[(&str, Refs, Field<&str>)]) -> Inventory {
        let mut inv = Inventory::new();
        let vpc = Vpc {
            cidr: Field::Known("10.0.0.0/16".parse().unwrap()),
            default: false,
        };
        inv.push(res("aws_vpc.main", vpc).with_identifiers(["vpc-123"]));
        for (name, vpc, traffic) in logs {
            let log = FlowLog {
                vpc: vpc.clone(),
                traffic_type: traffic.clone().map(str::to_string),
            };
            inv.push(res(format!("aws_flow_log.{name}"), log));
        }
        inv
    }

    fn main_vpc() -> Refs {
        Field::Known(vec![RefTarget::Address("aws_vpc.main".into())])
    }

    #[test]
    fn all_traffic_flow_log_passes_by_address_or_id() {
        let out = run(
            &VPC_FLOW_LOGS,
            &inv_with(&[("a", main_vpc(), Field::Known("ALL"))]),
        );
        assert_eq!(out.passes(), vec!["aws_vpc.main"]);
        let by_id = Field::Known(vec![RefTarget::Ident("vpc-123".into())]);
        let out = run(
            &VPC_FLOW_LOGS,
            &inv_with(&[("a", by_id, Field::Known("all"))]),
        );
        assert_eq!(out.passes(), vec!["aws_vpc.main"]);
    }

    #[test]
    fn reject_only_fails_with_fact_and_requirement() {
        let out = run(
            &VPC_FLOW_LOGS,
            &inv_with(&[("a", main_vpc(), Field::Known("REJECT"))]),
        );
        assert_eq!(out.fails(), vec!["aws_vpc.main"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("captures REJECT") && msg.contains("capturing ALL"),
            "{msg}"
        );
    }

    #[test]
    fn no_flow_log_or_subnet_log_or_absent_type_fails() {
        let out = run(
            &VPC_FLOW_LOGS,
            &inv_with(&[("s", Field::Absent, Field::Known("ALL"))]),
        );
        assert_eq!(out.fails(), vec!["aws_vpc.main"]);
        assert!(out.messages()[0].contains("no flow log"));
        let out = run(
            &VPC_FLOW_LOGS,
            &inv_with(&[("a", main_vpc(), Field::Absent)]),
        );
        assert!(out.messages()[0].contains("captures (not set)"));
    }

    #[test]
    fn unknown_type_or_vpc_or_denied_read_is_unknown() {
        let unknown = Field::Unknown(Unknown::AfterApply);
        let out = run(&VPC_FLOW_LOGS, &inv_with(&[("a", main_vpc(), unknown)]));
        assert_eq!(out.unknowns(), vec!["aws_vpc.main"]);
        let refs = Field::Unknown(Unknown::AfterApply);
        let out = run(
            &VPC_FLOW_LOGS,
            &inv_with(&[("a", refs, Field::Known("ALL"))]),
        );
        assert_eq!(out.unknowns(), vec!["aws_vpc.main"]);
        let mut inv = inv_with(&[]);
        inv.add_gap(Gap {
            kinds: vec![Kind::FlowLog],
            reason: Unknown::Denied("ec2:DescribeFlowLogs".into()),
        });
        let out = run(&VPC_FLOW_LOGS, &inv);
        assert_eq!(out.unknowns(), vec!["aws_vpc.main"]);
        assert!(out.messages()[0].contains("ec2:DescribeFlowLogs"));
    }
}
