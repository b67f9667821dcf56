use crate::declare_rule;
use crate::model::{Field, Listener};
use crate::rules::tls::listeners;
use crate::rules::{Check, ALL_SOURCES};

/// What AWS applies to an HTTPS listener created without `ssl_policy`.
const AWS_DEFAULT_POLICY: &str = "ELBSecurityPolicy-2016-08";

declare_rule! {
    /// ## What it checks
    /// Every HTTPS listener of an application load balancer has an `ssl_policy` matching
    /// the documented policies (`edge.ssl_policies`, `ELBSecurityPolicy-TLS13-*`). A
    /// listener without `ssl_policy` gets the AWS default `ELBSecurityPolicy-2016-08`, which
    /// has no TLS 1.3: it fails. Listeners of network or gateway load balancers are not
    /// examined; an HTTPS listener whose load balancer cannot be resolved is still examined
    /// (only application load balancers have HTTPS listeners).
    ///
    /// ## Why
    /// The architecture document: "In Transit: TLS 1.3 for all connections". Only the
    /// `ELBSecurityPolicy-TLS13-*` policies negotiate TLS 1.3 with clients; the older
    /// policies stop at TLS 1.2 (or still accept TLS 1.0).
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_lb_listener" "https" {
    ///   load_balancer_arn = aws_lb.main.arn
    ///   port              = 443
    ///   protocol          = "HTTPS"
    ///   ssl_policy        = "ELBSecurityPolicy-TLS-1-2-Ext-2018-06"
    ///   certificate_arn   = aws_acm_certificate.main.arn
    ///   # default_action …
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_lb_listener" "https" {
    ///   load_balancer_arn = aws_lb.main.arn
    ///   port              = 443
    ///   protocol          = "HTTPS"
    ///   ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    ///   certificate_arn   = aws_acm_certificate.main.arn
    ///   # default_action …
    /// }
    /// ```
    ///
    /// ## Peers
    /// AWS Config `elbv2-predefined-security-policy-ssl-check` (with `sslPolicies` set to
    /// the TLS 1.3 policies). Checkov `CKV_AWS_103` and Trivy `AVD-AWS-0047` only require
    /// TLS 1.2 (or reject known-outdated policies), so they pass TLS 1.2-only policies.
    pub static ALB_TLS13_POLICY = Rule {
        id: "CB-TLS-002",
        name: "alb-tls13-policy",
        area: Tls,
        severity: High,
        scope: Architecture,
        sources: ALL_SOURCES,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let allowed = &c.policy.edge.ssl_policies;
    let wanted = allowed.patterns().join(", ");
    let help = match allowed.patterns().first() {
        Some(p) if !p.contains('*') => format!("set ssl_policy = \"{p}\""),
        _ => format!(
            "set ssl_policy to a policy matching {wanted} (e.g. ELBSecurityPolicy-TLS13-1-2-2021-06)"
        ),
    };
    for l in c.inv.all::<Listener>() {
        match &l.protocol {
            Field::Known(p) | Field::Sensitive(p) if p.eq_ignore_ascii_case("HTTPS") => {}
            Field::Unknown(u) => {
                c.unknown(l.id, Some("protocol"), "the listener protocol", u);
                continue;
            }
            _ => continue,
        }
        if let Ok(false) = listeners::on_application_lb(c.inv, &l) {
            continue;
        }
        match &l.ssl_policy {
            Field::Known(p) | Field::Sensitive(p) if allowed.matches(p) => c.pass(l.id),
            Field::Known(p) | Field::Sensitive(p) => c.fail(
                l.id,
                Some("ssl_policy"),
                format!(
                    "HTTPS listener uses SSL policy {p}, which has no TLS 1.3; the architecture requires a policy matching {wanted}"
                ),
                help.clone(),
            ),
            Field::Absent => c.fail(
                l.id,
                Some("ssl_policy"),
                format!(
                    "HTTPS listener has no ssl_policy, so AWS applies {AWS_DEFAULT_POLICY}, which has no TLS 1.3; the architecture requires a policy matching {wanted}"
                ),
                help.clone(),
            ),
            Field::Unknown(u) => c.unknown(l.id, Some("ssl_policy"), "the listener's SSL policy", u),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Inventory, Unknown};
    use crate::rules::testing::run;
    use crate::rules::tls::testkit::*;

    fn with(listeners: &[(&str, &str, Field<&str>)]) -> Inventory {
        let mut inv = Inventory::new();
        lb(
            &mut inv,
            "main",
            Field::Known("application"),
            Field::Known(false),
        );
        lb(
            &mut inv,
            "nlb",
            Field::Known("network"),
            Field::Known(false),
        );
        for (name, proto, policy) in listeners {
            let target = if *proto == "TLS" {
                "aws_lb.nlb"
            } else {
                "aws_lb.main"
            };
            let fwd = vec![action("forward", Field::Absent)];
            let mut l = listener(addr(target), 443, proto, fwd);
            l.ssl_policy = policy.clone().map(str::to_string);
            push_listener(&mut inv, name, l);
        }
        inv
    }

    #[test]
    fn tls13_policies_pass_and_http_or_nlb_are_not_examined() {
        let inv = with(&[
            (
                "a",
                "HTTPS",
                Field::Known("ELBSecurityPolicy-TLS13-1-2-2021-06"),
            ),
            (
                "b",
                "https",
                Field::Known("ELBSecurityPolicy-TLS13-1-2-Res-2021-06"),
            ),
            ("http", "HTTP", Field::Absent),
            ("tls", "TLS", Field::Known("ELBSecurityPolicy-2016-08")),
        ]);
        let out = run(&ALB_TLS13_POLICY, &inv);
        assert_eq!(out.passes(), ["aws_lb_listener.a", "aws_lb_listener.b"]);
        assert_eq!(out.outcomes.len(), 2);
    }

    #[test]
    fn tls12_policy_and_absent_policy_fail() {
        let inv = with(&[
            (
                "https",
                "HTTPS",
                Field::Known("ELBSecurityPolicy-TLS-1-2-Ext-2018-06"),
            ),
            ("partner", "HTTPS", Field::Absent),
        ]);
        let out = run(&ALB_TLS13_POLICY, &inv);
        assert_eq!(
            out.fails(),
            ["aws_lb_listener.https", "aws_lb_listener.partner"]
        );
        let msgs = out.messages();
        let fact = "uses SSL policy ELBSecurityPolicy-TLS-1-2-Ext-2018-06, which has no TLS 1.3";
        assert!(msgs[0].contains(fact), "{}", msgs[0]);
        assert!(msgs[0].contains("requires a policy matching ELBSecurityPolicy-TLS13-*"));
        assert!(msgs[1].contains("no ssl_policy, so AWS applies ELBSecurityPolicy-2016-08"));
    }

    #[test]
    fn unknown_policy_or_protocol_is_unknown() {
        let mut inv = with(&[("a", "HTTPS", Field::Unknown(Unknown::AfterApply))]);
        let fwd = || vec![action("forward", Field::Absent)];
        let mut b = listener(ident("arn:lb/unknown"), 443, "", fwd());
        b.protocol = Field::Unknown(Unknown::AfterApply);
        push_listener(&mut inv, "b", b);
        // The load balancer is not in the inputs, but HTTPS implies an application LB.
        push_listener(
            &mut inv,
            "c",
            listener(ident("arn:lb/gone"), 443, "HTTPS", fwd()),
        );
        let out = run(&ALB_TLS13_POLICY, &inv);
        assert_eq!(out.unknowns(), ["aws_lb_listener.a", "aws_lb_listener.b"]);
        assert_eq!(out.fails(), ["aws_lb_listener.c"]);
    }
}
