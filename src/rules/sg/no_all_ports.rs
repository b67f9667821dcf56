use crate::declare_rule;
use crate::model::{Direction, Field, Protocol};
use crate::rules::sg::flows;
use crate::rules::Check;

declare_rule! {
    /// ## What it checks
    /// No ingress flow spans all protocols (`-1` / `all`) or the whole port range 0-65535 of
    /// TCP or UDP, whatever its source (internet, a CIDR of the VPC, another security group
    /// or the group itself), in any security group. The finding is on the resource that
    /// declares the flow: the group for inline blocks, else the rule resource. Egress is not
    /// examined (the matrix allows the app tier all egress). A flow whose protocol or ports
    /// are unknown is unknown.
    ///
    /// ## Why
    /// The architecture document opens exactly one port per tier: "ALB-SG | 443 (HTTPS)",
    /// "App-SG | 8000 from ALB-SG", "DB-SG | 5432 from App-SG". An all-ports rule, even from
    /// a trusted peer, exposes every service a compromised neighbour can reach (debug ports,
    /// admin consoles, the database's replication port).
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group_rule" "db_all_tcp" {
    ///   type                     = "ingress"
    ///   security_group_id        = aws_security_group.db.id
    ///   from_port                = 0
    ///   to_port                  = 65535
    ///   protocol                 = "tcp"
    ///   source_security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_security_group_rule" "db_from_app" {
    ///   type                     = "ingress"
    ///   security_group_id        = aws_security_group.db.id
    ///   from_port                = 5432
    ///   to_port                  = 5432
    ///   protocol                 = "tcp"
    ///   source_security_group_id = aws_security_group.app.id
    /// }
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV_AWS_277` covers only the case of all traffic from `0.0.0.0/0`; no Trivy
    /// or AWS Config managed rule flags all-ports ingress from internal peers.
    pub static SG_NO_ALL_PORTS = Rule {
        id: "CB-SG-003",
        name: "sg-no-all-ports",
        area: SecurityGroups,
        severity: High,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    for holder in flows::holders(c.inv) {
        let mut clean = true;
        for flow in holder
            .flows
            .iter()
            .filter(|f| f.direction == Direction::Ingress)
        {
            let all_protocols = matches!(flow.protocol, Field::Known(Protocol::All));
            let attr = if all_protocols || holder.inline() {
                flows::protocol_attribute(&holder, flow)
            } else {
                "from_port"
            };
            match flow.spans_everything().value() {
                Ok(Some(true)) => {
                    clean = false;
                    let span = if all_protocols {
                        "every protocol and port"
                    } else {
                        "every port"
                    };
                    c.fail(
                        holder.id,
                        Some(attr),
                        format!(
                            "{} spans {span}; no ingress rule may open all protocols or all ports, whatever its source",
                            flows::describe_flow(c.inv, flow)
                        ),
                        "name the protocol and the port(s) the service needs (e.g. protocol = \"tcp\", from_port = to_port = 5432)",
                    );
                }
                Err(u) => {
                    clean = false;
                    let what = "the protocol or ports of an ingress rule";
                    c.unknown(holder.id, Some(attr), what, u);
                }
                _ => {}
            }
        }
        if clean {
            c.pass(holder.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Inventory, Peer, Unknown};
    use crate::rules::sg::testkit::*;
    use crate::rules::testing::run;

    const INGRESS: &str = "aws_vpc_security_group_ingress_rule";

    #[test]
    fn bounded_ingress_and_all_egress_pass() {
        let mut inv = Inventory::new();
        documented(&mut inv);
        let out = run(&SG_NO_ALL_PORTS, &inv);
        assert!(out.fails().is_empty() && out.unknowns().is_empty());
        assert_eq!(out.passes().len(), 5);
    }

    #[test]
    fn all_protocols_from_self_fails_inline() {
        let mut inv = Inventory::new();
        let all_self = flow(Direction::Ingress, "-1", 0, 0, Peer::SelfGroup);
        group(&mut inv, "app", Some("app"), vec![all_self]);
        let out = run(&SG_NO_ALL_PORTS, &inv);
        assert_eq!(out.fails(), ["aws_security_group.app"]);
        let msg = out.messages()[0];
        assert!(msg.contains("ingress all traffic from itself spans every protocol and port"));
        assert!(
            msg.contains("no ingress rule may open all protocols or all ports"),
            "{msg}"
        );
        assert_eq!(out.outcomes[0].attribute.as_deref(), Some("ingress"));
    }

    #[test]
    fn all_tcp_or_udp_ports_from_a_group_or_cidr_fail() {
        let mut inv = Inventory::new();
        documented(&mut inv);
        let all_tcp = flow(
            Direction::Ingress,
            "tcp",
            0,
            65535,
            group_peer("aws_security_group.app"),
        );
        rule(
            &mut inv,
            "aws_security_group_rule",
            "db_all_tcp",
            ident("sg-db"),
            all_tcp,
        );
        let all_udp = flow(Direction::Ingress, "udp", 0, 65535, cidr("198.51.100.0/24"));
        rule(&mut inv, INGRESS, "vpn_udp", ident("sg-db"), all_udp);
        let dns = flow(Direction::Ingress, "udp", 53, 53, cidr("198.51.100.0/24"));
        rule(&mut inv, INGRESS, "vpn_dns", ident("sg-db"), dns);
        let out = run(&SG_NO_ALL_PORTS, &inv);
        let fails = [
            "aws_security_group_rule.db_all_tcp".to_string(),
            format!("{INGRESS}.vpn_udp"),
        ];
        assert_eq!(out.fails(), fails);
        assert!(
            out.messages()[0].contains("tcp/all ports from security group aws_security_group.app")
        );
        assert!(out.passes().contains(&format!("{INGRESS}.vpn_dns")));
    }

    #[test]
    fn unknown_ports_are_unknown() {
        let mut inv = Inventory::new();
        let mut f = tcp_in(0, cidr("10.0.0.0/16"));
        f.ports = crate::model::Field::Unknown(Unknown::AfterApply);
        rule(&mut inv, INGRESS, "x", ident("sg-missing"), f);
        let out = run(&SG_NO_ALL_PORTS, &inv);
        assert_eq!(out.unknowns(), [format!("{INGRESS}.x")]);
        assert!(out.fails().is_empty());
    }
}
