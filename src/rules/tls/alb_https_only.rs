use crate::declare_rule;
use crate::model::{Field, Listener, ListenerAction, Unknown};
use crate::rules::tls::listeners;
use crate::rules::{set, Check};

declare_rule! {
    /// ## What it checks
    /// Every listener of an application load balancer (`load_balancer_type` not set =
    /// `application`) is HTTPS on the documented port (`edge.https_port`, 443), or HTTP
    /// whose default action redirects to `HTTPS`. Anything else fails: HTTP forwarding,
    /// HTTPS on another port, a redirect without `protocol` (it keeps `#{protocol}`, i.e.
    /// stays on HTTP), a listener without `protocol` (the ALB default is HTTP). Listeners of
    /// network or gateway load balancers are not examined. Authentication actions before
    /// the redirect are ignored.
    ///
    /// ## Why
    /// The architecture document requires "In Transit: TLS 1.3 for all connections" and
    /// routes "Inbound Traffic: Internet → WAF → ALB → Private Subnets" on "ALB-SG | 443
    /// (HTTPS)". Plain HTTP exposes Betfair session data and API keys on the wire.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_lb_listener" "http" {
    ///   load_balancer_arn = aws_lb.main.arn
    ///   port              = 80
    ///   protocol          = "HTTP"
    ///   default_action {
    ///     type             = "forward"
    ///     target_group_arn = aws_lb_target_group.ml.arn
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_lb_listener" "http" {
    ///   load_balancer_arn = aws_lb.main.arn
    ///   port              = 80
    ///   protocol          = "HTTP"
    ///   default_action {
    ///     type = "redirect"
    ///     redirect {
    ///       port        = "443"
    ///       protocol    = "HTTPS"
    ///       status_code = "HTTP_301"
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV_AWS_2` (listener protocol HTTPS, redirects allowed) and `CKV2_AWS_20`
    /// (HTTP redirects to HTTPS), Trivy `AVD-AWS-0054` (plain HTTP listener), AWS Config
    /// `alb-http-to-https-redirection-check`. None of them checks the HTTPS port.
    pub static ALB_HTTPS_ONLY = Rule {
        id: "CB-TLS-001",
        name: "alb-https-only",
        area: Tls,
        severity: High,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let want = c.policy.edge.https_port;
    let require = format!("ALB listeners must be HTTPS on {want}, or HTTP redirecting to HTTPS");
    for l in c.inv.all::<Listener>() {
        match listeners::on_application_lb(c.inv, &l) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(u) => {
                let what = "the listener's load balancer";
                c.unknown(l.id, Some("load_balancer_arn"), what, &u);
                continue;
            }
        }
        let Some(protocol) = c.need(l.id, Some("protocol"), "the listener protocol", &l.protocol)
        else {
            continue;
        };
        let protocol = protocol.map_or("HTTP".to_string(), |p| p.to_ascii_uppercase());
        match protocol.as_str() {
            "HTTPS" => match c.need(l.id, Some("port"), "the listener port", &l.port) {
                None => {}
                Some(Some(p)) if *p == want => c.pass(l.id),
                Some(_) => c.fail(
                    l.id,
                    Some("port"),
                    format!("HTTPS listener is on port {}; {require}", l.port.shown()),
                    set("port", want),
                ),
            },
            "HTTP" => match redirects_to_https(&l.default_actions) {
                Ok(None) => c.pass(l.id),
                Ok(Some(fact)) => c.fail(
                    l.id,
                    Some("default_action"),
                    format!("HTTP listener {fact}; {require}"),
                    "make the default action a redirect with protocol = \"HTTPS\" (port = \"443\")",
                ),
                Err(u) => c.unknown(
                    l.id,
                    Some("default_action"),
                    "the listener's default action",
                    &u,
                ),
            },
            other => c.fail(
                l.id,
                Some("protocol"),
                format!("listener protocol is {other}; {require}"),
                format!("set protocol = \"HTTPS\" and port = {want}"),
            ),
        }
    }
}

/// `None` when the default action redirects to HTTPS, else what it does instead.
fn redirects_to_https(actions: &Field<Vec<ListenerAction>>) -> Result<Option<String>, Unknown> {
    let Some(actions) = actions.try_value()? else {
        return Ok(Some("has no default action".to_string()));
    };
    let mut terminal = Vec::new();
    for a in actions {
        match a.action_type.try_value()? {
            Some(t) if t.starts_with("authenticate") => {}
            Some(t) => terminal.push((t.as_str(), a)),
            None => terminal.push(("(no type)", a)),
        }
    }
    if terminal.is_empty() {
        return Ok(Some("has no default action".to_string()));
    }
    for (action_type, a) in terminal {
        if !action_type.eq_ignore_ascii_case("redirect") {
            return Ok(Some(format!("has a {action_type} default action")));
        }
        match a.redirect_protocol.try_value()? {
            Some(p) if p.eq_ignore_ascii_case("HTTPS") => {}
            Some(p) => return Ok(Some(format!("redirects with protocol {p}, not HTTPS"))),
            None => {
                return Ok(Some(
                    "redirects without protocol, which keeps #{protocol} (HTTP)".to_string(),
                ));
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Inventory, Refs};
    use crate::rules::testing::run;
    use crate::rules::tls::testkit::*;

    fn alb() -> Inventory {
        let mut inv = Inventory::new();
        lb(&mut inv, "main", Field::Absent, Field::Known(false));
        lb(
            &mut inv,
            "nlb",
            Field::Known("network"),
            Field::Known(false),
        );
        inv
    }

    fn on_main(inv: &mut Inventory, name: &str, port: i64, proto: &str, a: ListenerAction) {
        push_listener(
            inv,
            name,
            listener(addr("aws_lb.main"), port, proto, vec![a]),
        );
    }

    #[test]
    fn https_on_443_and_http_redirect_pass() {
        let mut inv = alb();
        on_main(
            &mut inv,
            "https",
            443,
            "HTTPS",
            action("forward", Field::Absent),
        );
        on_main(
            &mut inv,
            "http",
            80,
            "http",
            action("redirect", Field::Known("HTTPS")),
        );
        let auth = action("authenticate-oidc", Field::Absent);
        let redirect = action("redirect", Field::Known("https"));
        let by_arn = listener(ident("arn:lb/main"), 81, "HTTP", vec![auth, redirect]);
        push_listener(&mut inv, "auth", by_arn);
        let tcp = action("forward", Field::Absent);
        push_listener(
            &mut inv,
            "nlb_tcp",
            listener(addr("aws_lb.nlb"), 9000, "TCP", vec![tcp]),
        );
        let out = run(&ALB_HTTPS_ONLY, &inv);
        let passes = [
            "aws_lb_listener.auth",
            "aws_lb_listener.http",
            "aws_lb_listener.https",
        ];
        assert_eq!(out.passes(), passes);
        assert!(out.fails().is_empty() && out.unknowns().is_empty());
    }

    #[test]
    fn forward_other_port_and_protocol_keeping_redirect_fail() {
        let mut inv = alb();
        on_main(
            &mut inv,
            "http",
            80,
            "HTTP",
            action("forward", Field::Absent),
        );
        on_main(
            &mut inv,
            "admin",
            8443,
            "HTTPS",
            action("forward", Field::Absent),
        );
        on_main(
            &mut inv,
            "legacy",
            8080,
            "HTTP",
            action("redirect", Field::Absent),
        );
        let out = run(&ALB_HTTPS_ONLY, &inv);
        let fails = [
            "aws_lb_listener.admin",
            "aws_lb_listener.http",
            "aws_lb_listener.legacy",
        ];
        assert_eq!(out.fails(), fails);
        let msgs = out.messages();
        let http = "HTTP listener has a forward default action; ALB listeners must be HTTPS on 443";
        assert!(msgs[0].starts_with(http), "{}", msgs[0]);
        assert!(
            msgs[1].starts_with("HTTPS listener is on port 8443;"),
            "{}",
            msgs[1]
        );
        assert!(msgs[2].contains("keeps #{protocol} (HTTP)"), "{}", msgs[2]);
    }

    #[test]
    fn absent_protocol_is_http() {
        let mut inv = alb();
        let mut l = listener(
            addr("aws_lb.main"),
            80,
            "",
            vec![action("forward", Field::Absent)],
        );
        l.protocol = Field::Absent;
        push_listener(&mut inv, "x", l);
        assert_eq!(run(&ALB_HTTPS_ONLY, &inv).fails(), ["aws_lb_listener.x"]);
    }

    #[test]
    fn unknowns_are_unknown() {
        let mut inv = alb();
        lb(
            &mut inv,
            "later",
            Field::Unknown(Unknown::AfterApply),
            Field::Absent,
        );
        let redirect = || vec![action("redirect", Field::Known("HTTPS"))];
        let https = |lb: Refs| listener(lb, 443, "HTTPS", redirect());
        push_listener(&mut inv, "a", https(addr("aws_lb.later")));
        push_listener(&mut inv, "b", https(ident("arn:lb/gone")));
        let mut c = https(addr("aws_lb.main"));
        c.port = Field::Unknown(Unknown::AfterApply);
        push_listener(&mut inv, "c", c);
        let mut d = https(addr("aws_lb.main"));
        d.protocol = Field::Unknown(Unknown::AfterApply);
        push_listener(&mut inv, "d", d);
        let mut e = listener(addr("aws_lb.main"), 80, "HTTP", redirect());
        e.default_actions = Field::Unknown(Unknown::AfterApply);
        push_listener(&mut inv, "e", e);
        let out = run(&ALB_HTTPS_ONLY, &inv);
        let unknowns = ["a", "b", "c", "d", "e"].map(|n| format!("aws_lb_listener.{n}"));
        assert_eq!(out.unknowns(), unknowns);
        assert!(out.fails().is_empty());
    }
}
