use std::collections::{BTreeMap, BTreeSet};

use crate::declare_rule;
use crate::model::{Kind, ResId, SecurityGroup, SecurityGroupFlow, Unknown, View};
use crate::rules::sg::flows::{self, Holder};
use crate::rules::{requires, tiers, Check};

declare_rule! {
    /// ## What it checks
    /// Every flow of a tiered security group is allowed by an entry of the flow matrix
    /// (`security_groups.flows`) for its tier: same direction, protocol equal (or the
    /// entry's is `all`), port range inside the entry's, and a matching peer (`internet` =
    /// any CIDR or prefix list; a tier name = a security group of that tier; `self` = the
    /// group's own tier). A flow outside the matrix fails on the resource declaring it (the
    /// group for inline blocks, else the rule resource), at the attribute that names the
    /// peer judged (`cidr_blocks`, `prefix_list_ids`, `source_security_group_id`,
    /// `referenced_security_group_id`, `cidr_ipv4`, `ingress.cidr_blocks`, …), which the
    /// message names with its line.
    ///
    /// A prefix-list peer is `internet` even when its id is known only after apply
    /// (`prefix_list_ids = [data.aws_ec2_managed_prefix_list.s3.id]`): which attribute is
    /// set says the kind. AWS-managed prefix lists (S3, DynamoDB, CloudFront origin-facing;
    /// AWS VPC User Guide, "AWS-managed prefix lists") hold addresses outside the VPC, and
    /// a customer-managed list is edited outside the configuration; either way the peer is
    /// not a tier of the architecture.
    ///
    /// Every required entry must be present: a flow of a group of the tier with the same
    /// direction and peer, the entry's protocol (or `all`) and a port range covering the
    /// entry's. A missing entry fails on each group of the tier; a tier with no group fails
    /// with no resource (subject `<tier> tier security group`). Untiered groups are not
    /// examined. A rule whose group, or a group whose tier, is unknown is unknown (and so is
    /// then a missing required entry).
    ///
    /// ## Why
    /// The architecture document's security-group table is the whole allowed traffic:
    /// "ALB-SG | 443 (HTTPS) | App-SG:8000", "App-SG | 8000 from ALB-SG | All (via NAT)",
    /// "DB-SG | 5432 from App-SG | None". Anything more widens the blast radius of a
    /// compromised tier; anything less breaks the service.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group" "db" {
    ///   name   = "clever-better-db"
    ///   vpc_id = aws_vpc.main.id
    ///   egress { # the db tier has no egress
    ///     from_port   = 0
    ///     to_port     = 0
    ///     protocol    = "-1"
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_security_group" "db" {
    ///   name   = "clever-better-db"
    ///   vpc_id = aws_vpc.main.id
    ///   ingress {
    ///     from_port       = 5432
    ///     to_port         = 5432
    ///     protocol        = "tcp"
    ///     security_groups = [aws_security_group.app.id]
    ///   }
    ///   egress = []
    /// }
    /// ```
    ///
    /// ## Peers
    /// None: no peer knows a flow matrix. Trivy `AVD-AWS-0104` and Checkov `CKV_AWS_382`
    /// flag any egress to `0.0.0.0/0`, which this matrix allows for the app tier.
    pub static SG_FLOW_MATRIX = Rule {
        id: "CB-SG-002",
        name: "sg-flow-matrix",
        area: SecurityGroups,
        severity: High,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let (inv, policy) = (c.inv, c.policy);
    let holders = flows::holders(inv);
    let mut by_tier: BTreeMap<&str, Vec<View<'_, SecurityGroup>>> = BTreeMap::new();
    // Whether a rule's group or a group's tier is unknown (a tier may then have a group
    // and a required flow after all).
    let mut doubt = false;
    // Tiered flows: (tier, group id, flow).
    let mut tiered: Vec<(&str, ResId, &SecurityGroupFlow)> = Vec::new();
    let mut clean: Vec<ResId> = Vec::new();
    for holder in &holders {
        let group = match &holder.group {
            Ok(g) => g,
            Err(u) => {
                doubt = true;
                c.unknown(
                    holder.id,
                    None,
                    "the security group this rule belongs to",
                    u,
                );
                continue;
            }
        };
        let tier = match tiers::sg_tier(policy, group) {
            Ok(Some(t)) => t,
            Ok(None) => continue,
            Err(u) => {
                doubt = true;
                let what = format!("the tier of {} (its tags)", group.address());
                c.unknown(holder.id, None, &what, &u);
                continue;
            }
        };
        if holder.inline() {
            by_tier.entry(tier).or_default().push(*group);
        }
        if check_flows(c, holder, group, tier) {
            clean.push(holder.id);
        }
        tiered.extend(holder.flows.iter().map(|f| (tier, group.id, f)));
    }
    let missing_ok = !doubt;
    doubt |= inv.gap(Kind::SecurityGroupRule).is_some() || inv.gap(Kind::SecurityGroup).is_some();
    let flagged = check_required(c, &by_tier, &tiered, doubt, missing_ok);
    for id in clean.into_iter().filter(|id| !flagged.contains(id)) {
        c.pass(id);
    }
}

/// Checks every flow of a holder against its tier's entries; true when all are allowed.
fn check_flows(
    c: &mut Check<'_>,
    holder: &Holder<'_>,
    group: &View<'_, SecurityGroup>,
    tier: &str,
) -> bool {
    let mut clean = true;
    for flow in holder.flows {
        let attr = flows::peer_attribute(holder, flow);
        match flows::allowed(c.inv, c.policy, tier, flow) {
            Ok(true) => {}
            Ok(false) => {
                clean = false;
                c.fail(
                    holder.id,
                    Some(attr),
                    format!(
                        "{} has {} ({}), which the flow matrix does not allow; the {tier} tier allows only {}",
                        flows::group_label(group, Some(tier)),
                        flows::describe_flow(c.inv, flow),
                        flows::attribute_at(holder, attr),
                        flows::allowed_for(c.policy, tier)
                    ),
                    "remove this rule or narrow it to a flow of the matrix",
                );
            }
            Err(u) => {
                clean = false;
                let what = format!(
                    "whether {} ({}) is allowed",
                    flows::describe_flow(c.inv, flow),
                    flows::attribute_at(holder, attr)
                );
                c.unknown(holder.id, Some(attr), &what, &u);
            }
        }
    }
    clean
}

/// Checks each tier has a group and each required entry a flow; returns the groups that
/// got a finding.
fn check_required(
    c: &mut Check<'_>,
    by_tier: &BTreeMap<&str, Vec<View<'_, SecurityGroup>>>,
    tiered: &[(&str, ResId, &SecurityGroupFlow)],
    doubt: bool,
    missing_ok: bool,
) -> BTreeSet<ResId> {
    let mut flagged = BTreeSet::new();
    for (tier, selector) in &c.policy.security_groups.tiers {
        let groups = by_tier
            .get(tier.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        if groups.is_empty() {
            // `missing` reports a denied read of security groups as unknown.
            if missing_ok {
                c.missing(
                    Kind::SecurityGroup,
                    "aws_security_group",
                    format!("{tier} tier security group"),
                    requires(
                        format!(
                            "no security group belongs to the {tier} tier (tag {} = {tier}, or a name matching {})",
                            c.policy.security_groups.tier_tag,
                            selector.names.patterns().join(", ")
                        ),
                        "one",
                    ),
                    format!("create the {tier} security group with tags = {{ {} = \"{tier}\" }}", c.policy.security_groups.tier_tag),
                );
            }
            continue;
        }
        let required = flows::entries_of(c.policy, tier).filter(|e| e.required);
        for entry in required {
            let mut unknown = None;
            let mut candidates = tiered
                .iter()
                .filter(|(t, _, f)| t == tier && flows::same_direction(entry, f.direction));
            let present = candidates.any(|(_, _, f)| {
                let peer = flows::peer_class(c.inv, c.policy, Some(tier), &f.peer);
                match (peer, flows::traffic_covers(f, entry)) {
                    (Ok(p), Ok(true)) => flows::peer_matches(entry, &p),
                    (Err(u), _) | (_, Err(u)) => {
                        unknown = Some(u);
                        false
                    }
                    _ => false,
                }
            });
            if present {
                continue;
            }
            let attr = flows::direction_attribute(flows::entry_direction(entry));
            let flow = flows::describe_entry(entry);
            for group in groups {
                flagged.insert(group.id);
                let what = format!("whether the {tier} tier has {flow}");
                let why = || Unknown::NotInInputs("a rule's group or a group's tier".into());
                match (&unknown, doubt) {
                    (Some(u), _) => c.unknown(group.id, Some(attr), &what, u),
                    (None, true) => c.unknown(group.id, Some(attr), &what, &why()),
                    (None, false) => c.fail(
                        group.id,
                        Some(attr),
                        format!(
                            "no {tier}-tier group has {flow}; the flow matrix requires it ({} is one of the {tier} groups)",
                            flows::group_label(group, Some(tier))
                        ),
                        format!("add a rule for {flow} to the {tier} security group"),
                    ),
                }
            }
        }
    }
    flagged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Direction, Field, Inventory, Peer};
    use crate::rules::sg::testkit::*;
    use crate::rules::testing::run;

    const INGRESS: &str = "aws_vpc_security_group_ingress_rule";
    const SGR: &str = "aws_security_group_rule";

    fn all_out() -> SecurityGroupFlow {
        flow(Direction::Egress, "-1", 0, 0, cidr("0.0.0.0/0"))
    }

    #[test]
    fn documented_matrix_passes() {
        let mut inv = Inventory::new();
        documented(&mut inv);
        let out = run(&SG_FLOW_MATRIX, &inv);
        assert!(out.fails().is_empty(), "{:?}", out.messages());
        assert!(out.unknowns().is_empty());
        assert_eq!(out.passes().len(), 5);
    }

    #[test]
    fn flows_outside_the_matrix_fail_on_their_resource() {
        let mut inv = Inventory::new();
        documented(&mut inv);
        let http = tcp_in(80, cidr("0.0.0.0/0"));
        let alb = addr("aws_security_group.alb");
        rule(&mut inv, INGRESS, "alb_http", alb, http);
        let from_db = tcp_in(8000, group_peer("aws_security_group.db"));
        rule(&mut inv, SGR, "app_from_db", ident("sg-app"), from_db);
        let ssh = vec![tcp_in(22, cidr("10.0.0.0/8"))];
        group(&mut inv, "bastion", None, ssh);
        let out = run(&SG_FLOW_MATRIX, &inv);
        let fails = [format!("{SGR}.app_from_db"), format!("{INGRESS}.alb_http")];
        assert_eq!(out.fails(), fails);
        let msg = out.messages().join("\n");
        assert!(msg.contains("(alb tier) has ingress tcp/80 from 0.0.0.0/0 (`cidr_ipv4`), which the flow matrix does not allow; the alb tier allows only ingress tcp/443 from internet, egress tcp/8000 to the app tier"), "{msg}");
        assert!(msg.contains("from security group aws_security_group.db"));
    }

    #[test]
    fn db_egress_fails_and_missing_required_entry_fails_on_the_group() {
        let mut inv = Inventory::new();
        group(&mut inv, "alb", Some("alb"), Vec::new());
        let https_out = flow(Direction::Egress, "tcp", 443, 443, cidr("0.0.0.0/0"));
        group(&mut inv, "app", Some("app"), vec![https_out]);
        let db_in = tcp_in(5432, group_peer("aws_security_group.app"));
        group(&mut inv, "database", None, vec![db_in, all_out()]);
        let out = run(&SG_FLOW_MATRIX, &inv);
        let fails = ["alb", "app", "database"].map(|g| format!("aws_security_group.{g}"));
        assert_eq!(out.fails(), fails);
        let msgs = out.messages().join("\n");
        for fact in [
            "the db tier allows only ingress tcp/5432 from the app tier",
            "no app-tier group has egress all traffic to internet; the flow matrix requires it",
            "no alb-tier group has ingress tcp/443 from internet",
        ] {
            assert!(msgs.contains(fact), "{fact}: {msgs}");
        }
        assert!(out.passes().is_empty());
    }

    #[test]
    fn tier_without_group_fails_with_no_resource() {
        let mut inv = Inventory::new();
        documented(&mut inv);
        let mut only_alb = Inventory::new();
        only_alb.push(inv.get(0).clone());
        let out = run(&SG_FLOW_MATRIX, &only_alb);
        let db = "missing:db tier security group".to_string();
        assert!(out.fails().contains(&db));
        let msg = "no security group belongs to the app tier (tag Tier = app";
        assert!(out.messages().iter().any(|m| m.contains(msg)));
        only_alb.add_gap(crate::model::Gap {
            kinds: vec![Kind::SecurityGroup],
            reason: Unknown::Denied("ec2:DescribeSecurityGroups".into()),
        });
        assert!(run(&SG_FLOW_MATRIX, &only_alb).unknowns().contains(&db));
    }

    #[test]
    fn self_peer_and_all_protocol_coverage() {
        let mut inv = Inventory::new();
        documented(&mut inv);
        let self_in = tcp_in(5432, Peer::SelfGroup);
        rule(
            &mut inv,
            SGR,
            "db_self",
            addr("aws_security_group.db"),
            self_in,
        );
        let out = run(&SG_FLOW_MATRIX, &inv);
        // db ingress tcp/5432 is allowed from the app tier only, not from db itself.
        assert_eq!(out.fails(), [format!("{SGR}.db_self")]);
        assert!(out.messages()[0].contains("from itself"));
    }

    #[test]
    fn unresolved_group_or_peer_or_tags_is_unknown() {
        let mut inv = Inventory::new();
        documented(&mut inv);
        rule(
            &mut inv,
            INGRESS,
            "orphan",
            ident("sg-gone"),
            tcp_in(8000, cidr("10.0.0.0/8")),
        );
        let unknown_peer = tcp_in(8000, Peer::Unknown(crate::model::Unknown::AfterApply));
        rule(
            &mut inv,
            INGRESS,
            "app_unknown",
            ident("sg-app"),
            unknown_peer,
        );
        let out = run(&SG_FLOW_MATRIX, &inv);
        let unknowns = [
            format!("{INGRESS}.app_unknown"),
            format!("{INGRESS}.orphan"),
        ];
        assert_eq!(out.unknowns(), unknowns);
        assert!(out.fails().is_empty());
        let mut tagless = Inventory::new();
        let mut app = inv.get(1).clone();
        app.tags = Field::Unknown(crate::model::Unknown::AfterApply);
        tagless.push(app);
        let out = run(&SG_FLOW_MATRIX, &tagless);
        assert_eq!(out.unknowns(), ["aws_security_group.app"]);
        assert!(
            out.fails().is_empty(),
            "a tier may be unknown, not missing: {:?}",
            out.messages()
        );
    }

    #[test]
    fn prefix_list_peer_is_internet_even_with_its_id_unknown() {
        let mut inv = Inventory::new();
        documented(&mut inv);
        let mut from_list = tcp_in(5432, Peer::PrefixListUnknownId(Unknown::AfterApply));
        from_list.attribute = Some("prefix_list_id".into());
        rule(&mut inv, INGRESS, "db_from_s3", ident("sg-db"), from_list);
        let out = run(&SG_FLOW_MATRIX, &inv);
        assert_eq!(out.fails(), [format!("{INGRESS}.db_from_s3")]);
        assert!(out.unknowns().is_empty(), "{:?}", out.messages());
        let msg = out.messages()[0];
        assert!(
            msg.contains("from a prefix list (id not known yet) (`prefix_list_id`)"),
            "{msg}"
        );
        let attr = out.outcomes.iter().find_map(|o| o.attribute.clone());
        assert_eq!(attr.as_deref(), Some("prefix_list_id"));
        // The alb tier may take tcp/443 from the internet: a prefix list is internet.
        let mut inv = Inventory::new();
        documented(&mut inv);
        let cloudfront = tcp_in(443, Peer::PrefixList("pl-4fa04526".into()));
        rule(&mut inv, INGRESS, "alb_cf", ident("sg-alb"), cloudfront);
        let out = run(&SG_FLOW_MATRIX, &inv);
        assert!(
            out.fails().is_empty() && out.unknowns().is_empty(),
            "{:?}",
            out.messages()
        );
    }
}
