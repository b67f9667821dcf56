use crate::declare_rule;
use crate::model::{
    DbCluster, DbInstance, EcsService, LoadBalancer, Refs, ResId, SecurityGroup, Unknown,
};
use crate::rules::sg::flows;
use crate::rules::{tiers, Check, NO_AGGREGATOR};

/// The tiers the architecture gives each resource (names of `security_groups.tiers`).
const ALB_TIER: &str = "alb";
const APP_TIER: &str = "app";
const DB_TIER: &str = "db";

declare_rule! {
    /// ## What it checks
    /// Every application load balancer's `security_groups` are all `alb`-tier groups; every
    /// ECS service's `network_configuration.security_groups` are all `app`-tier groups; every
    /// DB instance's and DB cluster's `vpc_security_group_ids` are all `db`-tier groups (an
    /// Aurora member instance wears its cluster's groups, judged on the cluster). A resource
    /// wearing a group of another tier, or of no tier, fails; so does one with no security
    /// group at all (AWS then attaches the VPC's default group). Tiers are the `Tier` tag, else the
    /// group name (see `security_groups.tiers`). References that cannot be resolved make
    /// the resource unknown; so does a group whose tags are unknown, unless another of its
    /// groups is known to be of the wrong tier.
    ///
    /// ## Why
    /// The architecture document's security groups are per tier: "ALB-SG ... Load balancer",
    /// "App-SG ... Application tier", "DB-SG ... Database tier". The flow matrix only
    /// protects the tiers when each resource wears its own tier's group and nothing else: a
    /// database wearing the app group accepts whatever the app group accepts.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   # ...
    ///   vpc_security_group_ids = [aws_security_group.db.id, aws_security_group.app.id]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   # ...
    ///   vpc_security_group_ids = [aws_security_group.db.id]
    /// }
    /// ```
    ///
    /// ## Peers
    /// None: Checkov `CKV2_AWS_5` only checks that security groups are attached to
    /// something; no Trivy or AWS Config rule knows the tiers.
    pub static TIER_ATTACHMENT = Rule {
        id: "CB-SG-004",
        name: "sg-tier-attachment",
        area: SecurityGroups,
        severity: Medium,
        scope: Architecture,
        sources: NO_AGGREGATOR,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let inv = c.inv;
    for lb in inv.all::<LoadBalancer>() {
        match lb.is_application().get() {
            Some(true) => {
                let (id, refs) = (lb.id, &lb.data.security_groups);
                attached(c, id, refs, ALB_TIER, "load balancer", "security_groups");
            }
            Some(false) => {}
            None => {
                let why = lb.load_balancer_type.unknown().cloned();
                let why = why.unwrap_or(Unknown::NotInInputs("the load balancer type".into()));
                c.unknown(
                    lb.id,
                    Some("load_balancer_type"),
                    "the load balancer type",
                    &why,
                );
            }
        }
    }
    for svc in inv.all::<EcsService>() {
        let refs = &svc.data.security_groups;
        attached(
            c,
            svc.id,
            refs,
            APP_TIER,
            "ECS service",
            "network_configuration",
        );
    }
    for db in inv.all::<DbInstance>() {
        // An Aurora member wears its cluster's security groups, judged on the cluster.
        if crate::rules::rds::holders::standalone(c, &db, Some("vpc_security_group_ids")).is_none()
        {
            continue;
        }
        let refs = &db.data.security_groups;
        attached(
            c,
            db.id,
            refs,
            DB_TIER,
            "DB instance",
            "vpc_security_group_ids",
        );
    }
    for cl in inv.all::<DbCluster>() {
        let refs = &cl.data.security_groups;
        attached(
            c,
            cl.id,
            refs,
            DB_TIER,
            "DB cluster",
            "vpc_security_group_ids",
        );
    }
}

/// Checks that the groups `refs` of resource `id` are all of tier `want`.
fn attached(c: &mut Check<'_>, id: ResId, refs: &Refs, want: &str, what: &str, attr: &str) {
    let help = format!("attach only the {want}-tier security group (set {attr} to it)");
    let groups = match tiers::resolve_all::<SecurityGroup>(c.inv, refs) {
        Ok(groups) => groups,
        Err(u) => {
            c.unknown(id, Some(attr), &format!("the {what}'s security groups"), &u);
            return;
        }
    };
    if groups.is_empty() {
        c.fail(
            id,
            Some(attr),
            format!(
                "{what} has no security group, so AWS attaches the VPC's default group; it must wear the {want}-tier group only"
            ),
            help,
        );
        return;
    }
    // A group known to be of another tier fails the resource whatever the unknown ones are.
    let mut wrong = Vec::new();
    let mut unknown = None;
    for group in &groups {
        match tiers::sg_tier(c.policy, group) {
            Ok(Some(t)) if t.eq_ignore_ascii_case(want) => {}
            Ok(tier) => wrong.push(flows::group_label(group, tier)),
            Err(u) => unknown = unknown.or(Some((group.address(), u))),
        }
    }
    if let (true, Some((address, u))) = (wrong.is_empty(), unknown) {
        c.unknown(
            id,
            Some(attr),
            &format!("the tier of {address} (its tags)"),
            &u,
        );
        return;
    }
    if wrong.is_empty() {
        c.pass(id);
    } else {
        c.fail(
            id,
            Some(attr),
            format!(
                "{what} wears {}; it must wear only {want}-tier security groups",
                wrong.join(", ")
            ),
            help,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Inventory, Resource};
    use crate::rules::sg::testkit::{addr, group, ident};
    use crate::rules::testing::run;

    fn groups() -> Inventory {
        let mut inv = Inventory::new();
        group(&mut inv, "alb", Some("alb"), Vec::new());
        group(&mut inv, "app", Some("app"), Vec::new());
        group(&mut inv, "database", None, Vec::new());
        group(&mut inv, "ml_extra", None, Vec::new());
        inv
    }

    fn lb(security_groups: Refs, lb_type: Field<String>) -> Resource {
        let lb = LoadBalancer {
            load_balancer_type: lb_type,
            security_groups,
            ..Default::default()
        };
        Resource::new("aws_lb", "aws_lb.main", lb)
    }

    fn service(name: &str, security_groups: Refs) -> Resource {
        let svc = EcsService {
            security_groups,
            ..Default::default()
        };
        Resource::new("aws_ecs_service", format!("aws_ecs_service.{name}"), svc)
    }

    fn db(security_groups: Refs) -> Resource {
        let db = DbInstance {
            security_groups,
            ..Default::default()
        };
        Resource::new("aws_db_instance", "aws_db_instance.main", db)
    }

    #[test]
    fn each_resource_wearing_its_tier_passes() {
        let mut inv = groups();
        inv.push(lb(addr("aws_security_group.alb"), Field::Absent));
        inv.push(service("bot", ident("sg-app")));
        inv.push(db(addr("aws_security_group.database")));
        let out = run(&TIER_ATTACHMENT, &inv);
        let passes = ["aws_db_instance.main", "aws_ecs_service.bot", "aws_lb.main"];
        assert_eq!(out.passes(), passes);
        assert!(out.fails().is_empty());
    }

    #[test]
    fn wrong_or_untiered_or_no_group_fails() {
        let mut inv = groups();
        let two = Field::Known(vec![
            crate::model::RefTarget::Ident("sg-alb".into()),
            crate::model::RefTarget::Ident("sg-app".into()),
        ]);
        inv.push(lb(two, Field::Known("application".into())));
        let extra = Field::Known(vec![
            crate::model::RefTarget::Ident("sg-app".into()),
            crate::model::RefTarget::Ident("sg-ml_extra".into()),
        ]);
        inv.push(service("ml", extra));
        inv.push(service("bot", Field::Absent));
        inv.push(db(Field::Known(Vec::new())));
        let out = run(&TIER_ATTACHMENT, &inv);
        assert_eq!(out.fails().len(), 4);
        let msgs = out.messages().join("\n");
        let lb_msg = "load balancer wears security group clever-better-app (app tier); it must wear only alb-tier";
        assert!(msgs.contains(lb_msg), "{msgs}");
        assert!(msgs.contains("clever-better-ml_extra (no tier)"), "{msgs}");
        assert!(
            msgs.contains("AWS attaches the VPC's default group"),
            "{msgs}"
        );
    }

    #[test]
    fn network_load_balancers_are_not_examined() {
        let mut inv = groups();
        inv.push(lb(Field::Absent, Field::Known("network".into())));
        assert!(run(&TIER_ATTACHMENT, &inv).outcomes.is_empty());
    }

    #[test]
    fn unresolved_groups_or_unknown_tags_are_unknown() {
        let mut inv = groups();
        inv.push(db(ident("sg-elsewhere")));
        inv.push(service("bot", Field::Unknown(Unknown::AfterApply)));
        inv.push(lb(Field::Absent, Field::Unknown(Unknown::AfterApply)));
        let out = run(&TIER_ATTACHMENT, &inv);
        let unknowns = ["aws_db_instance.main", "aws_ecs_service.bot", "aws_lb.main"];
        assert_eq!(out.unknowns(), unknowns);
        let mut inv = Inventory::new();
        let mut app = groups().get(1).clone();
        app.tags = Field::Unknown(Unknown::AfterApply);
        inv.push(app);
        inv.push(service("ml", ident("sg-app")));
        assert_eq!(
            run(&TIER_ATTACHMENT, &inv).unknowns(),
            ["aws_ecs_service.ml"]
        );
    }
}
