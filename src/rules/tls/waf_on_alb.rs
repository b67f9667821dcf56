use crate::declare_rule;
use crate::model::{Kind, LoadBalancer, Resolution, Unknown, WebAclAssociation};
use crate::rules::Check;

declare_rule! {
    /// ## What it checks
    /// Every internet-facing application load balancer (`internal` false or not set;
    /// `load_balancer_type` not set = `application`) has an
    /// `aws_wafv2_web_acl_association` whose `resource_arn` is that load balancer. Internal
    /// and network/gateway load balancers are not examined. An association whose target is
    /// unknown makes an unassociated load balancer unknown rather than failing it.
    ///
    /// ## Why
    /// The architecture document routes "Inbound Traffic: Internet → WAF → ALB → Private
    /// Subnets" and lists "AWS WAF" among the security services. Without the association the
    /// web ACL exists but inspects nothing: the ALB is reachable without the WAF's managed
    /// rules.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_lb" "partner" {
    ///   name               = "clever-better-partner"
    ///   load_balancer_type = "application"
    ///   # internal not set: internet-facing, and no web ACL association
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_wafv2_web_acl_association" "partner" {
    ///   resource_arn = aws_lb.partner.arn
    ///   web_acl_arn  = aws_wafv2_web_acl.main.arn
    /// }
    /// ```
    ///
    /// ## Live accounts
    /// Read with `wafv2:ListWebACLs` and `wafv2:GetWebACLForResource` for each application
    /// load balancer (one call per ALB; moto 5.2.5 does not implement
    /// `ListResourcesForWebACL`). Not recorded by AWS Config: on an aggregator this rule
    /// reports unknown.
    ///
    /// ## Peers
    /// Checkov `CKV2_AWS_28` (public-facing ALB protected by WAF) and AWS Config
    /// `alb-waf-enabled`; no Trivy check.
    pub static WAF_ON_ALB = Rule {
        id: "CB-TLS-004",
        name: "waf-on-alb",
        area: Tls,
        severity: High,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let inv = c.inv;
    for lb in inv.all::<LoadBalancer>() {
        let application = lb.is_application();
        let facing = match (application.value(), lb.internal.value()) {
            (Ok(Some(false)), _) | (_, Ok(Some(true))) => continue,
            (Err(u), _) => {
                c.unknown(
                    lb.id,
                    Some("load_balancer_type"),
                    "the load balancer type",
                    u,
                );
                continue;
            }
            (_, Err(u)) => {
                c.unknown(
                    lb.id,
                    Some("internal"),
                    "whether the load balancer is internal",
                    u,
                );
                continue;
            }
            (_, Ok(None)) => "internal is not set, so it is internet-facing",
            _ => "it is internet-facing",
        };
        let mut doubt: Option<Unknown> = inv.gap(Kind::WebAclAssociation).cloned();
        let mut associated = false;
        for assoc in inv.all::<WebAclAssociation>() {
            match inv.resolve::<LoadBalancer>(&assoc.data.resource) {
                Resolution::Known { found, .. } if found.iter().any(|f| f.id == lb.id) => {
                    associated = true;
                }
                Resolution::Unknown(u) => doubt = Some(u),
                _ => {}
            }
        }
        if associated {
            c.pass(lb.id);
        } else if let Some(u) = doubt {
            c.unknown(
                lb.id,
                None,
                "whether a web ACL is associated with the load balancer",
                &u,
            );
        } else {
            c.fail(
                lb.id,
                None,
                format!(
                    "application load balancer has no WAF web ACL association and {facing}; the architecture puts AWS WAF in front of every internet-facing ALB"
                ),
                "add an aws_wafv2_web_acl_association with resource_arn = this load balancer's ARN",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Gap, Inventory, Refs};
    use crate::rules::testing::{res, run};
    use crate::rules::tls::testkit::{addr, ident, lb};

    fn assoc(inv: &mut Inventory, name: &str, resource: Refs) {
        let a = WebAclAssociation {
            resource,
            web_acl: addr("aws_wafv2_web_acl.main"),
        };
        let address = format!("aws_wafv2_web_acl_association.{name}");
        inv.push(res(address, a));
    }

    fn lbs() -> Inventory {
        let mut inv = Inventory::new();
        lb(
            &mut inv,
            "main",
            Field::Known("application"),
            Field::Known(false),
        );
        lb(&mut inv, "internal", Field::Absent, Field::Known(true));
        lb(
            &mut inv,
            "partner",
            Field::Known("application"),
            Field::Absent,
        );
        lb(
            &mut inv,
            "nlb",
            Field::Known("network"),
            Field::Known(false),
        );
        inv
    }

    #[test]
    fn associated_albs_pass_by_address_or_arn() {
        let mut inv = lbs();
        assoc(&mut inv, "main", addr("aws_lb.main"));
        assoc(&mut inv, "partner", ident("arn:lb/partner"));
        let out = run(&WAF_ON_ALB, &inv);
        assert_eq!(out.passes(), ["aws_lb.main", "aws_lb.partner"]);
        assert_eq!(out.outcomes.len(), 2);
    }

    #[test]
    fn unassociated_internet_facing_alb_fails() {
        let mut inv = lbs();
        assoc(&mut inv, "main", addr("aws_lb.main"));
        assoc(&mut inv, "admin", addr("aws_lb.internal"));
        let out = run(&WAF_ON_ALB, &inv);
        assert_eq!(out.fails(), ["aws_lb.partner"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains(
                "no WAF web ACL association and internal is not set, so it is internet-facing"
            ),
            "{msg}"
        );
        assert!(
            msg.contains("AWS WAF in front of every internet-facing ALB"),
            "{msg}"
        );
    }

    #[test]
    fn unknowns_are_unknown() {
        let mut inv = lbs();
        assoc(&mut inv, "main", addr("aws_lb.main"));
        assoc(&mut inv, "later", Field::Unknown(Unknown::AfterApply));
        lb(
            &mut inv,
            "x",
            Field::Unknown(Unknown::AfterApply),
            Field::Absent,
        );
        lb(
            &mut inv,
            "y",
            Field::Absent,
            Field::Unknown(Unknown::AfterApply),
        );
        let out = run(&WAF_ON_ALB, &inv);
        assert_eq!(out.unknowns(), ["aws_lb.partner", "aws_lb.x", "aws_lb.y"]);
        let mut inv = lbs();
        inv.add_gap(Gap {
            kinds: vec![Kind::WebAclAssociation],
            reason: Unknown::Denied("wafv2:ListResourcesForWebACL".into()),
        });
        let out = run(&WAF_ON_ALB, &inv);
        assert_eq!(out.unknowns(), ["aws_lb.main", "aws_lb.partner"]);
    }
}
