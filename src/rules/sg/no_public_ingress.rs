use crate::declare_rule;
use crate::model::{Direction, Peer, SecurityGroupFlow, Unknown};
use crate::rules::sg::flows::{self, Holder};
use crate::rules::{tiers, Check};

declare_rule! {
    /// ## What it checks
    /// No ingress flow from `0.0.0.0/0`, `::/0` or a managed prefix list, in any security
    /// group (tiered or not), unless the flow matrix (`security_groups.flows`) allows
    /// internet ingress for the group's tier with that protocol and port range: by default
    /// only the `alb` tier on tcp/443. A prefix-list peer (`prefix_list_ids`,
    /// `prefix_list_id`) is an internet peer even when its id is known only after apply:
    /// the attribute that is set says the kind, and AWS-managed lists (S3, DynamoDB,
    /// CloudFront origin-facing; AWS VPC User Guide, "AWS-managed prefix lists") hold
    /// addresses outside the VPC. The message names the attribute judged and its line. Flows are read from inline `ingress` blocks, `aws_security_group_rule`,
    /// `aws_vpc_security_group_ingress_rule` and live permissions. The finding is on the
    /// resource that declares the flow: the group for inline blocks, else the rule resource.
    ///
    /// A flow whose source is unknown is unknown. An open flow whose group or tier cannot
    /// be resolved is unknown when some tier of the matrix would allow it, and fails when no
    /// tier would.
    ///
    /// ## Why
    /// The architecture document's security groups: "ALB-SG | 443 (HTTPS)", "App-SG | 8000
    /// from ALB-SG", "DB-SG | 5432 from App-SG". The only door from the internet is "Internet
    /// → WAF → ALB"; any other open port bypasses the WAF and the TLS listener.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_vpc_security_group_ingress_rule" "app_debug" {
    ///   security_group_id = aws_security_group.app.id
    ///   cidr_ipv6         = "::/0"
    ///   ip_protocol       = "tcp"
    ///   from_port         = 8000
    ///   to_port           = 8000
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
    ///   security_group_id            = aws_security_group.app.id
    ///   referenced_security_group_id = aws_security_group.alb.id
    ///   ip_protocol                  = "tcp"
    ///   from_port                    = 8000
    ///   to_port                      = 8000
    /// }
    /// ```
    ///
    /// ## Peers
    /// Trivy `AVD-AWS-0107` (ingress from `/0`; recent releases limit it to SSH/RDP),
    /// Checkov `CKV_AWS_24` (port 22), `CKV_AWS_25` (3389), `CKV_AWS_260` (80) and
    /// `CKV_AWS_277` (all ports), AWS Config `restricted-ssh`, `restricted-common-ports` and
    /// `vpc-sg-open-only-to-authorized-ports` (with `authorizedTcpPorts = 443`). None of them
    /// knows which group is the ALB's.
    pub static SG_NO_PUBLIC_INGRESS = Rule {
        id: "CB-SG-001",
        name: "sg-no-public-ingress",
        area: SecurityGroups,
        severity: Critical,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let allowed = internet_ingress(c);
    for holder in flows::holders(c.inv) {
        let mut clean = true;
        for flow in holder
            .flows
            .iter()
            .filter(|f| f.direction == Direction::Ingress)
        {
            let attr = flows::peer_attribute(&holder, flow);
            match &flow.peer {
                Peer::Unknown(u) => {
                    clean = false;
                    let what = format!(
                        "the source of ingress {} ({})",
                        flow.describe_traffic(),
                        flows::attribute_at(&holder, attr)
                    );
                    c.unknown(holder.id, Some(attr), &what, u);
                    continue;
                }
                peer if !peer.is_anywhere() && !peer.is_prefix_list() => continue,
                _ => {}
            }
            let whom = if flow.peer.is_prefix_list() {
                "an internet peer: a managed prefix list holds addresses outside the VPC"
            } else {
                "the whole internet"
            };
            match open_flow_allowed(c, &holder, flow) {
                Ok((true, _)) => {}
                Ok((false, label)) => {
                    clean = false;
                    c.fail(
                        holder.id,
                        Some(attr),
                        format!(
                            "{label} admits {} ({whom}) through {}; the architecture allows internet ingress only as: {allowed}",
                            flows::describe_flow(c.inv, flow),
                            flows::attribute_at(&holder, attr)
                        ),
                        "remove this rule, or restrict its source to a known CIDR or a security group",
                    );
                }
                Err((what, u)) => {
                    clean = false;
                    let what = format!("{what} ({})", flows::attribute_at(&holder, attr));
                    c.unknown(holder.id, Some(attr), &what, &u);
                }
            }
        }
        if clean {
            c.pass(holder.id);
        }
    }
}

/// Whether an ingress flow from anywhere is allowed for the holder's group, with the
/// group's label; or what is unknown. When the group or its tier is unknown, the flow still
/// fails if no tier of the matrix allows it.
fn open_flow_allowed(
    c: &Check<'_>,
    holder: &Holder<'_>,
    flow: &SecurityGroupFlow,
) -> Result<(bool, String), (String, Unknown)> {
    let (label, why) = match &holder.group {
        Ok(group) => match tiers::sg_tier(c.policy, group) {
            Ok(Some(tier)) => {
                let label = flows::group_label(group, Some(tier));
                return match flows::allowed(c.inv, c.policy, tier, flow) {
                    Ok(allowed) => Ok((allowed, label)),
                    Err(u) => Err((format!("the traffic of an ingress rule of {label}"), u)),
                };
            }
            Ok(None) => return Ok((false, flows::group_label(group, None))),
            Err(u) => (
                format!("security group {} (tier unknown)", flows::group_name(group)),
                u,
            ),
        },
        Err(u) => (
            "the rule's security group (not resolved)".to_string(),
            u.clone(),
        ),
    };
    let mut any_tier = c.policy.security_groups.tiers.keys();
    if any_tier.any(|t| flows::allowed(c.inv, c.policy, t, flow) != Ok(false)) {
        return Err((format!("whether {label} may admit the internet"), why));
    }
    Ok((false, label))
}

/// The matrix's internet ingress entries: "alb tier tcp/443".
fn internet_ingress(c: &Check<'_>) -> String {
    let entries: Vec<String> = c
        .policy
        .security_groups
        .flows
        .iter()
        .filter(|e| flows::same_direction(e, Direction::Ingress) && e.peer == "internet")
        .map(|e| format!("{} tier {}", e.tier, flows::describe_entry(e)))
        .collect();
    if entries.is_empty() {
        "none at all".to_string()
    } else {
        entries.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Inventory, Unknown};
    use crate::rules::sg::testkit::*;
    use crate::rules::testing::run;

    const INGRESS: &str = "aws_vpc_security_group_ingress_rule";

    #[test]
    fn documented_groups_pass() {
        let mut inv = Inventory::new();
        documented(&mut inv);
        let out = run(&SG_NO_PUBLIC_INGRESS, &inv);
        assert!(out.fails().is_empty() && out.unknowns().is_empty());
        assert_eq!(out.passes().len(), 5);
    }

    #[test]
    fn open_http_on_alb_and_ipv6_on_app_fail() {
        let mut inv = Inventory::new();
        documented(&mut inv);
        let http = tcp_in(80, cidr("0.0.0.0/0"));
        rule(
            &mut inv,
            INGRESS,
            "alb_http",
            addr("aws_security_group.alb"),
            http,
        );
        let debug = tcp_in(8000, cidr("::/0"));
        rule(&mut inv, INGRESS, "app_debug", ident("sg-app"), debug);
        let out = run(&SG_NO_PUBLIC_INGRESS, &inv);
        let fails = [
            format!("{INGRESS}.alb_http"),
            format!("{INGRESS}.app_debug"),
        ];
        assert_eq!(out.fails(), fails);
        let msg = out.messages()[0];
        assert!(msg.contains("clever-better-alb (alb tier) admits ingress tcp/80 from 0.0.0.0/0"));
        assert!(
            msg.contains("only as: alb tier ingress tcp/443 from internet"),
            "{msg}"
        );
        let attr = out.outcomes.iter().find_map(|o| o.attribute.clone());
        assert_eq!(attr.as_deref(), Some("cidr_ipv4"));
    }

    #[test]
    fn untiered_group_with_open_ssh_among_other_cidrs_fails() {
        let mut inv = Inventory::new();
        let ssh = vec![
            tcp_in(22, cidr("203.0.113.0/24")),
            tcp_in(22, cidr("0.0.0.0/0")),
        ];
        group(&mut inv, "bastion", None, ssh);
        let out = run(&SG_NO_PUBLIC_INGRESS, &inv);
        assert_eq!(out.fails(), ["aws_security_group.bastion"]);
        assert!(out.messages()[0].contains("clever-better-bastion (no tier)"));
    }

    #[test]
    fn unknowns_are_unknown_never_pass() {
        let mut inv = Inventory::new();
        let unknown_peer = tcp_in(22, Peer::Unknown(Unknown::AfterApply));
        group(&mut inv, "x", None, vec![unknown_peer]);
        let open = tcp_in(443, cidr("0.0.0.0/0"));
        rule(
            &mut inv,
            INGRESS,
            "orphan",
            ident("sg-elsewhere"),
            open.clone(),
        );
        rule(
            &mut inv,
            INGRESS,
            "unknown_group",
            Field::Unknown(Unknown::AfterApply),
            open,
        );
        let mut port = tcp_in(443, cidr("0.0.0.0/0"));
        port.ports = Field::Unknown(Unknown::AfterApply);
        group(&mut inv, "alb", Some("alb"), vec![port]);
        let out = run(&SG_NO_PUBLIC_INGRESS, &inv);
        let unknowns = [
            format!("{INGRESS}.orphan"),
            format!("{INGRESS}.unknown_group"),
            "aws_security_group.alb".to_string(),
            "aws_security_group.x".to_string(),
        ];
        let mut got = out.unknowns();
        got.sort();
        let mut want = unknowns.to_vec();
        want.sort();
        assert_eq!(got, want);
        assert!(out.fails().is_empty());
        assert!(out.messages().iter().any(|m| m.contains("sg-elsewhere")));
    }

    #[test]
    fn unknown_tier_is_unknown_only_if_some_tier_allows_the_flow() {
        let mut inv = Inventory::new();
        let flows = vec![
            tcp_in(443, cidr("0.0.0.0/0")),
            tcp_in(22, cidr("0.0.0.0/0")),
        ];
        group(&mut inv, "alb", None, flows);
        let mut r = inv.get(0).clone();
        r.tags = Field::Unknown(Unknown::AfterApply);
        let mut inv = Inventory::new();
        inv.push(r);
        let ssh = tcp_in(22, cidr("0.0.0.0/0"));
        rule(&mut inv, INGRESS, "orphan_ssh", ident("sg-elsewhere"), ssh);
        let out = run(&SG_NO_PUBLIC_INGRESS, &inv);
        // tcp/443 from anywhere depends on the tier; tcp/22 is allowed for no tier.
        assert_eq!(out.unknowns(), ["aws_security_group.alb"]);
        let fails = [
            "aws_security_group.alb".to_string(),
            format!("{INGRESS}.orphan_ssh"),
        ];
        assert_eq!(out.fails(), fails);
        let msgs = out.messages().join("\n");
        assert!(
            msgs.contains("clever-better-alb (tier unknown) admits ingress tcp/22"),
            "{msgs}"
        );
        assert!(
            msgs.contains("the rule's security group (not resolved) admits"),
            "{msgs}"
        );
    }

    #[test]
    fn prefix_list_ingress_is_internet_ingress() {
        let mut inv = Inventory::new();
        documented(&mut inv);
        let mut from_list = tcp_in(5432, Peer::PrefixListUnknownId(Unknown::AfterApply));
        from_list.attribute = Some("ingress.prefix_list_ids".into());
        group(&mut inv, "db2", Some("db"), vec![from_list]);
        let cloudfront = tcp_in(443, Peer::PrefixList("pl-4fa04526".into()));
        rule(&mut inv, INGRESS, "alb_cf", ident("sg-alb"), cloudfront);
        let out = run(&SG_NO_PUBLIC_INGRESS, &inv);
        assert_eq!(out.fails(), ["aws_security_group.db2"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("(an internet peer: a managed prefix list"),
            "{msg}"
        );
        assert!(msg.contains("through `ingress.prefix_list_ids`"), "{msg}");
        assert!(out.passes().contains(&format!("{INGRESS}.alb_cf")));
    }
}
