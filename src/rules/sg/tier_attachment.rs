use crate::declare_rule;
use crate::model::{
    DbCluster, DbInstance, EcsService, LoadBalancer, Refs, ResId, SecurityGroup, TaskDefinition,
    Unknown, View,
};
use crate::rules::sg::flows;
use crate::rules::{tiers, Check};

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
    /// group at all: a DB instance or cluster then gets the default security group of its DB
    /// subnet group's VPC, an `awsvpc` ECS service's tasks the VPC's default group. An ECS
    /// service whose task definition uses the `bridge` network mode (ECS's default on Linux
    /// when `network_mode` is not set) or `host` takes no `network_configuration`: its tasks
    /// are reached through their EC2 container instance's address and so are guarded by that
    /// instance's security groups, which cbaudit does not model: unknown, with the reason. A
    /// task definition with the `none` network mode has no network to guard: pass. Tiers are
    /// the `Tier` tag, else the group name (see `security_groups.tiers`). References that
    /// cannot be resolved make the resource unknown; so does a group whose tags are unknown,
    /// unless another of its groups is known to be of the wrong tier.
    ///
    /// Sources: Amazon RDS API Reference, CreateDBInstance `VpcSecurityGroupIds` ("Default:
    /// The default EC2 VPC security group for the DB subnet group's VPC"); Amazon ECS API
    /// Reference, `AwsVpcConfiguration` (`securityGroups`: without one, the VPC's default
    /// group is used), `RegisterTaskDefinition` `networkMode` ("If no network mode is
    /// specified, the default is bridge"); Amazon ECS Developer Guide, "Task networking for
    /// tasks on Amazon EC2 instances" (bridge uses Docker's network inside the EC2 instance,
    /// host maps container ports to the instance's ENI) and "Use Docker's virtual network for
    /// Amazon ECS Linux tasks" (traffic goes to the instance's IP address).
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
    pub static SG_TIER_ATTACHMENT = Rule {
        id: "CB-SG-004",
        name: "sg-tier-attachment",
        area: SecurityGroups,
        severity: Medium,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let inv = c.inv;
    for lb in inv.all::<LoadBalancer>() {
        match lb.is_application().get() {
            Some(true) => {
                let (id, refs) = (lb.id, &lb.data.security_groups);
                // Whatever AWS attaches then, it is not the alb-tier group.
                let none = NoGroup::Fails("no alb-tier group guards it");
                attached(
                    c,
                    id,
                    refs,
                    ALB_TIER,
                    "load balancer",
                    "security_groups",
                    none,
                );
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
        let none = task_network(inv, &svc);
        attached(
            c,
            svc.id,
            refs,
            APP_TIER,
            "ECS service",
            "network_configuration",
            none,
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
            NoGroup::Fails("RDS attaches the default security group of its DB subnet group's VPC"),
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
            NoGroup::Fails("RDS attaches the default security group of its DB subnet group's VPC"),
        );
    }
}

/// What a resource with no security group of its own is guarded by.
enum NoGroup {
    /// AWS attaches a default group (what happens, for the message): a finding.
    Fails(&'static str),
    /// It is guarded by something cbaudit does not model, or that is not known: unknown.
    Unknown(String, Unknown),
    /// It has no network to guard.
    Pass,
}

/// What guards an ECS service's tasks when the service lists no security group: its task
/// definition's network mode decides.
fn task_network(inv: &crate::model::Inventory, svc: &View<'_, EcsService>) -> NoGroup {
    let what = "the network mode of the service's task definition".to_string();
    let td = match inv.resolve_one::<TaskDefinition>(&svc.task_definition) {
        Ok(Some(td)) => td,
        Ok(None) => {
            let why = Unknown::NotInInputs("the service's task definition".into());
            return NoGroup::Unknown(what, why);
        }
        Err(u) => return NoGroup::Unknown(what, u),
    };
    let mode = match td.network_mode.value() {
        Ok(Some(m)) => m.to_ascii_lowercase(),
        // ECS's default on Linux (RegisterTaskDefinition `networkMode`).
        Ok(None) => "bridge".to_string(),
        Err(u) => return NoGroup::Unknown(what, u.clone()),
    };
    match mode.as_str() {
        "awsvpc" => NoGroup::Fails("its awsvpc tasks get the VPC's default security group"),
        "none" => NoGroup::Pass,
        other => NoGroup::Unknown(
            "the security groups guarding the service's tasks".to_string(),
            Unknown::NotInInputs(format!(
                "the security groups of the EC2 container instances: in the {other} network \
                 mode tasks are reached through their container instance, whose groups \
                 guard them"
            )),
        ),
    }
}

/// Checks that the groups `refs` of resource `id` are all of tier `want`.
fn attached(
    c: &mut Check<'_>,
    id: ResId,
    refs: &Refs,
    want: &str,
    what: &str,
    attr: &str,
    none: NoGroup,
) {
    let help = format!("attach only the {want}-tier security group (set {attr} to it)");
    let groups = match c.inv.resolve_all::<SecurityGroup>(refs) {
        Ok(groups) => groups,
        Err(u) => {
            c.unknown(id, Some(attr), &format!("the {what}'s security groups"), &u);
            return;
        }
    };
    if groups.is_empty() {
        match none {
            NoGroup::Fails(then) => c.fail(
                id,
                Some(attr),
                format!(
                    "{what} has no security group, so {then}; it must wear the {want}-tier group only"
                ),
                help,
            ),
            NoGroup::Unknown(about, why) => c.unknown(id, Some(attr), &about, &why),
            NoGroup::Pass => c.pass(id),
        }
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
    use crate::rules::testing::{res, run};

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
        res("aws_lb.main", lb)
    }

    fn service(name: &str, security_groups: Refs) -> Resource {
        let svc = EcsService {
            security_groups,
            ..Default::default()
        };
        res(format!("aws_ecs_service.{name}"), svc)
    }

    fn db(security_groups: Refs) -> Resource {
        let db = DbInstance {
            security_groups,
            ..Default::default()
        };
        res("aws_db_instance.main", db)
    }

    #[test]
    fn each_resource_wearing_its_tier_passes() {
        let mut inv = groups();
        inv.push(lb(addr("aws_security_group.alb"), Field::Absent));
        inv.push(service("bot", ident("sg-app")));
        inv.push(db(addr("aws_security_group.database")));
        let out = run(&SG_TIER_ATTACHMENT, &inv);
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
        task(&mut inv, "bot", Field::Known("awsvpc"));
        inv.push(service_running("bot", Field::Absent, "bot"));
        inv.push(db(Field::Known(Vec::new())));
        let out = run(&SG_TIER_ATTACHMENT, &inv);
        assert_eq!(out.fails().len(), 4);
        let msgs = out.messages().join("\n");
        let lb_msg = "load balancer wears security group clever-better-app (app tier); it must wear only alb-tier";
        assert!(msgs.contains(lb_msg), "{msgs}");
        assert!(msgs.contains("clever-better-ml_extra (no tier)"), "{msgs}");
        assert!(
            msgs.contains("ECS service has no security group, so its awsvpc tasks get the VPC's default security group"),
            "{msgs}"
        );
        assert!(
            msgs.contains("DB instance has no security group, so RDS attaches the default security group of its DB subnet group's VPC"),
            "{msgs}"
        );
    }

    fn task(inv: &mut Inventory, name: &str, mode: Field<&str>) {
        let td = TaskDefinition {
            network_mode: mode.map(str::to_string),
            ..Default::default()
        };
        let address = format!("aws_ecs_task_definition.{name}");
        inv.push(res(address, td));
    }

    fn service_running(name: &str, security_groups: Refs, td: &str) -> Resource {
        let mut r = service(name, security_groups);
        if let crate::model::Body::EcsService(s) = &mut r.body {
            s.task_definition = addr(&format!("aws_ecs_task_definition.{td}"));
        }
        r
    }

    /// A service without security groups whose tasks use the bridge or host network mode
    /// (bridge: also when the task definition sets none) is guarded by its container
    /// instances' groups, not by the VPC's default group: unknown, not a wrong fact. The
    /// `none` mode has nothing to guard.
    #[test]
    fn bridge_and_host_tasks_are_guarded_by_their_container_instances() {
        let mut inv = groups();
        task(&mut inv, "bridge", Field::Known("bridge"));
        task(&mut inv, "host", Field::Known("host"));
        task(&mut inv, "unset", Field::Absent);
        task(&mut inv, "none", Field::Known("none"));
        for name in ["bridge", "host", "unset", "none"] {
            inv.push(service_running(name, Field::Absent, name));
        }
        inv.push(service("orphan", Field::Absent));
        let out = run(&SG_TIER_ATTACHMENT, &inv);
        assert!(out.fails().is_empty(), "{:?}", out.messages());
        assert_eq!(out.passes(), ["aws_ecs_service.none"]);
        assert_eq!(
            out.unknowns(),
            [
                "aws_ecs_service.bridge",
                "aws_ecs_service.host",
                "aws_ecs_service.orphan",
                "aws_ecs_service.unset",
            ]
        );
        let msgs = out.messages().join("\n");
        assert!(
            msgs.contains(
                "in the bridge network mode tasks are reached through their container instance"
            ),
            "{msgs}"
        );
        assert!(msgs.contains("in the host network mode"), "{msgs}");
        assert!(!msgs.contains("default"), "{msgs}");
    }

    #[test]
    fn network_load_balancers_are_not_examined() {
        let mut inv = groups();
        inv.push(lb(Field::Absent, Field::Known("network".into())));
        assert!(run(&SG_TIER_ATTACHMENT, &inv).outcomes.is_empty());
    }

    #[test]
    fn unresolved_groups_or_unknown_tags_are_unknown() {
        let mut inv = groups();
        inv.push(db(ident("sg-elsewhere")));
        inv.push(service("bot", Field::Unknown(Unknown::AfterApply)));
        inv.push(lb(Field::Absent, Field::Unknown(Unknown::AfterApply)));
        let out = run(&SG_TIER_ATTACHMENT, &inv);
        let unknowns = ["aws_db_instance.main", "aws_ecs_service.bot", "aws_lb.main"];
        assert_eq!(out.unknowns(), unknowns);
        let mut inv = Inventory::new();
        let mut app = groups().get(1).clone();
        app.tags = Field::Unknown(Unknown::AfterApply);
        inv.push(app);
        inv.push(service("ml", ident("sg-app")));
        assert_eq!(
            run(&SG_TIER_ATTACHMENT, &inv).unknowns(),
            ["aws_ecs_service.ml"]
        );
    }
}
