use crate::declare_rule;
use crate::model::Listener;
use crate::rules::tls::elb_policies::{self, TlsVersion, AWS_DEFAULT_POLICY};
use crate::rules::tls::listeners;
use crate::rules::Check;

declare_rule! {
    /// ## What it checks
    /// Every HTTPS listener of an application load balancer uses a security policy whose
    /// lowest protocol is TLS 1.3 (`edge.min_tls_version`, `TLSv1.3`; a team may relax it
    /// to `TLSv1.2`). Each policy is judged by the protocols AWS documents for it (the
    /// table in `src/rules/tls/elb_policies.rs`, from the ELB guide's "Security policies
    /// for your Application Load Balancer"), never by its name:
    /// `ELBSecurityPolicy-TLS13-1-0-2021-06` has "TLS13" in its name and still accepts
    /// TLS 1.0. With the default, only the TLS 1.3-only policies pass
    /// (`ELBSecurityPolicy-TLS13-1-3-2021-06`, `-TLS13-1-3-FIPS-2023-04`, their `PQ`
    /// variants and `-TLS13-1-3-RFC9151-FIPS-2023-07`).
    ///
    /// A listener without `ssl_policy` gets the API default `ELBSecurityPolicy-2016-08`
    /// (TLS 1.0 to 1.2): it fails. A policy name that is not in the table is unknown ("not
    /// a documented ELB security policy"): its protocols cannot be known, so it is neither
    /// passed nor guessed from its spelling. Listeners of network or gateway load balancers
    /// are not examined; an HTTPS listener whose load balancer cannot be resolved is still
    /// examined (only application load balancers have HTTPS listeners).
    ///
    /// ## Why
    /// The architecture document: "In Transit: TLS 1.3 for all connections". A policy that
    /// also accepts TLS 1.2 (or 1.1, 1.0) lets a client negotiate the older protocol, so
    /// not all connections are TLS 1.3. CB-TLS-003 reads the same sentence the same way for
    /// the database (`ssl_min_protocol_version = TLSv1.3`). AWS: "Application Load
    /// Balancers do not support custom security policies", so the name fixes the protocol
    /// set; the default for listeners created through the API (which Terraform uses) is
    /// `ELBSecurityPolicy-2016-08` (ELB guide, "Security policies for your Application
    /// Load Balancer", considerations).
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_lb_listener" "https" {
    ///   load_balancer_arn = aws_lb.main.arn
    ///   port              = 443
    ///   protocol          = "HTTPS"
    ///   ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06" # also accepts TLS 1.2
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
    ///   ssl_policy        = "ELBSecurityPolicy-TLS13-1-3-2021-06" # TLS 1.3 only
    ///   certificate_arn   = aws_acm_certificate.main.arn
    ///   # default_action …
    /// }
    /// ```
    /// Where FIPS is required, `ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04`. A team that must
    /// serve TLS 1.2 clients sets `min_tls_version = "TLSv1.2"` under `[edge]` and uses
    /// e.g. `ELBSecurityPolicy-TLS13-1-2-Res-2021-06`.
    ///
    /// ## Peers
    /// AWS Config `elbv2-predefined-security-policy-ssl-check` (with `sslPolicies` set to
    /// the TLS 1.3-only policies). Checkov `CKV_AWS_103` and Trivy `AVD-AWS-0047` only
    /// require TLS 1.2 (or reject known-outdated policies), so they pass policies that
    /// accept TLS 1.2; a check matching `ELBSecurityPolicy-TLS13-*` by name also passes
    /// `ELBSecurityPolicy-TLS13-1-0-2021-06`, which accepts TLS 1.0.
    pub static ALB_TLS13_POLICY = Rule {
        id: "CB-TLS-002",
        name: "alb-tls13-policy",
        area: Tls,
        severity: High,
        scope: Architecture,
        check: check,
    };
}

/// The policy to suggest for a required lowest protocol.
fn suggested(min: TlsVersion) -> &'static str {
    if min >= TlsVersion::Tls13 {
        "ELBSecurityPolicy-TLS13-1-3-2021-06"
    } else {
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
    }
}

fn check(c: &mut Check<'_>) {
    let min = c.policy.edge.min_tls_version.0;
    let who = if min >= TlsVersion::Tls13 {
        "the architecture"
    } else {
        "the policy"
    };
    let require = format!("{who} requires {min} as the lowest protocol (edge.min_tls_version)");
    let help = format!(
        "set ssl_policy = \"{}\" (a documented policy whose lowest protocol is {min})",
        suggested(min)
    );
    for l in c.inv.all::<Listener>() {
        match c.need(l.id, Some("protocol"), "the listener protocol", &l.protocol) {
            Some(Some(p)) if p.eq_ignore_ascii_case("HTTPS") => {}
            _ => continue,
        }
        if let Ok(false) = listeners::on_application_lb(c.inv, &l) {
            continue;
        }
        let what = "the listener's SSL policy";
        let Some(name) = c.need(l.id, Some("ssl_policy"), what, &l.ssl_policy) else {
            continue;
        };
        let name = match name {
            Some(p) => p.as_str(),
            None => {
                let lowest = elb_policies::lookup(AWS_DEFAULT_POLICY)
                    .map_or(TlsVersion::Tls10, |p| p.lowest);
                if lowest < min {
                    c.fail(
                        l.id,
                        Some("ssl_policy"),
                        format!("HTTPS listener has no ssl_policy, so AWS applies {AWS_DEFAULT_POLICY}, which accepts {lowest}; {require}"),
                        help.clone(),
                    );
                } else {
                    c.pass(l.id);
                }
                continue;
            }
        };
        let shown = l.ssl_policy.shown().to_string();
        match elb_policies::lookup(name) {
            Some(p) if p.lowest >= min => c.pass(l.id),
            Some(p) => c.fail(
                l.id,
                Some("ssl_policy"),
                format!(
                    "HTTPS listener uses SSL policy {shown}, which accepts {} (its lowest protocol); {require}",
                    p.lowest
                ),
                help.clone(),
            ),
            None => c.unknown_because(
                l.id,
                Some("ssl_policy"),
                format!("the protocols of SSL policy {shown} are unknown: it is not a documented ELB security policy"),
                Some(format!(
                    "use a documented policy such as {} (if AWS has published a new policy, add it to the table in src/rules/tls/elb_policies.rs)",
                    suggested(min)
                )),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Inventory, Unknown};
    use crate::rules::testing::{run, run_with};
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

    fn known(name: &'static str) -> Field<&'static str> {
        Field::Known(name)
    }

    #[test]
    fn tls13_only_policies_pass_and_http_or_nlb_are_not_examined() {
        let inv = with(&[
            ("a", "HTTPS", known("ELBSecurityPolicy-TLS13-1-3-2021-06")),
            (
                "b",
                "https",
                known("ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04"),
            ),
            (
                "c",
                "HTTPS",
                known("ELBSecurityPolicy-TLS13-1-3-PQ-2025-09"),
            ),
            ("http", "HTTP", Field::Absent),
            ("tls", "TLS", known("ELBSecurityPolicy-2016-08")),
        ]);
        let out = run(&ALB_TLS13_POLICY, &inv);
        let passes = ["a", "b", "c"].map(|n| format!("aws_lb_listener.{n}"));
        assert_eq!(out.passes(), passes);
        assert_eq!(out.outcomes.len(), 3);
    }

    #[test]
    fn policies_accepting_older_protocols_fail_whatever_their_name() {
        let inv = with(&[
            (
                "tls13_1_0",
                "HTTPS",
                known("ELBSecurityPolicy-TLS13-1-0-2021-06"),
            ),
            (
                "tls13_1_2",
                "HTTPS",
                known("ELBSecurityPolicy-TLS13-1-2-2021-06"),
            ),
            (
                "tls12",
                "HTTPS",
                known("ELBSecurityPolicy-TLS-1-2-Ext-2018-06"),
            ),
            ("partner", "HTTPS", Field::Absent),
        ]);
        let out = run(&ALB_TLS13_POLICY, &inv);
        let fails = ["partner", "tls12", "tls13_1_0", "tls13_1_2"];
        assert_eq!(out.fails(), fails.map(|n| format!("aws_lb_listener.{n}")));
        let msgs = out.messages();
        let require =
            "the architecture requires TLS 1.3 as the lowest protocol (edge.min_tls_version)";
        assert!(
            msgs[0].contains("ELBSecurityPolicy-TLS13-1-0-2021-06, which accepts TLS 1.0"),
            "{}",
            msgs[0]
        );
        assert!(
            msgs[1].contains("ELBSecurityPolicy-TLS13-1-2-2021-06, which accepts TLS 1.2"),
            "{}",
            msgs[1]
        );
        assert!(msgs[2].contains("which accepts TLS 1.2"), "{}", msgs[2]);
        let absent =
            "no ssl_policy, so AWS applies ELBSecurityPolicy-2016-08, which accepts TLS 1.0";
        assert!(msgs[3].contains(absent), "{}", msgs[3]);
        assert!(msgs.iter().all(|m| m.ends_with(require)), "{msgs:#?}");
        let help = out.outcomes[0].help.as_deref().unwrap_or_default();
        assert!(
            help.contains("ELBSecurityPolicy-TLS13-1-3-2021-06"),
            "{help}"
        );
    }

    #[test]
    fn a_team_may_relax_to_tls12() {
        let text = crate::policy::default_with_edge_min_tls("\"TLSv1.2\"");
        let policy = crate::policy::Policy::parse("p.toml", &text).expect("policy");
        let inv = with(&[
            (
                "tls13_1_2",
                "HTTPS",
                known("ELBSecurityPolicy-TLS13-1-2-2021-06"),
            ),
            (
                "fips_ext0",
                "HTTPS",
                known("ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04"),
            ),
            (
                "tls13_1_3",
                "HTTPS",
                known("ELBSecurityPolicy-TLS13-1-3-2021-06"),
            ),
            ("tls11", "HTTPS", known("ELBSecurityPolicy-TLS-1-1-2017-01")),
            (
                "tls13_1_1",
                "HTTPS",
                known("ELBSecurityPolicy-TLS13-1-1-2021-06"),
            ),
            ("absent", "HTTPS", Field::Absent),
        ]);
        let out = run_with(&ALB_TLS13_POLICY, &inv, &policy);
        let passes = ["fips_ext0", "tls13_1_2", "tls13_1_3"];
        assert_eq!(out.passes(), passes.map(|n| format!("aws_lb_listener.{n}")));
        let fails = ["absent", "tls11", "tls13_1_1"];
        assert_eq!(out.fails(), fails.map(|n| format!("aws_lb_listener.{n}")));
        let msgs = out.messages();
        assert!(
            msgs[0].contains("ELBSecurityPolicy-TLS-1-1-2017-01, which accepts TLS 1.1")
                && msgs[0].ends_with(
                    "the policy requires TLS 1.2 as the lowest protocol (edge.min_tls_version)"
                ),
            "{}",
            msgs[0]
        );
    }

    #[test]
    fn an_undocumented_policy_is_unknown_not_guessed() {
        let inv = with(&[
            (
                "future",
                "HTTPS",
                known("ELBSecurityPolicy-TLS13-1-3-2099-01"),
            ),
            (
                "lower",
                "HTTPS",
                known("elbsecuritypolicy-tls13-1-3-2021-06"),
            ),
            (
                "secret",
                "HTTPS",
                Field::Sensitive("ELBSecurityPolicy-Custom"),
            ),
        ]);
        let out = run(&ALB_TLS13_POLICY, &inv);
        let unknowns = ["future", "lower", "secret"];
        assert_eq!(
            out.unknowns(),
            unknowns.map(|n| format!("aws_lb_listener.{n}"))
        );
        assert!(out.passes().is_empty() && out.fails().is_empty());
        let msgs = out.messages();
        assert!(msgs
            .iter()
            .all(|m| m.contains("not a documented ELB security policy")));
        assert!(
            msgs[0].contains("ELBSecurityPolicy-TLS13-1-3-2099-01"),
            "{}",
            msgs[0]
        );
        // A sensitive value is never printed.
        assert!(
            msgs[2].contains("(sensitive)") && !msgs[2].contains("Custom"),
            "{}",
            msgs[2]
        );
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
