use super::services::{policy_matches, role_services, target_matches, Match, ServiceKey};
use crate::declare_rule;
use crate::model::{EcsService, ScalableTarget, ScalingPolicy, Unknown, View};
use crate::rules::tiers::ServiceRole;
use crate::rules::{set, Check};

const CPU_METRIC: &str = "ECSServiceAverageCPUUtilization";
const TARGET_TRACKING: &str = "TargetTrackingScaling";

declare_rule! {
    /// ## What it checks
    /// The ML service (an ECS service whose name matches `services.ml.names`, `*ml*`) runs
    /// at least `services.ml.min_count` (2) tasks, has an Application Auto Scaling target
    /// (`resource_id = service/<cluster>/<service>`) with `min_capacity` and `max_capacity`
    /// equal to `services.ml.autoscaling` (2 and 10), and a target-tracking scaling policy on
    /// `ECSServiceAverageCPUUtilization` whose target value is `cpu_target` (70). A missing
    /// ML service fails.
    ///
    /// ## Why
    /// The architecture document's ML Service: "desired_count = 2  # Minimum 2 for HA" and
    /// "auto_scaling { min_capacity = 2  max_capacity = 10  target_cpu = 70 }". One task is a
    /// single point of failure for every prediction the bot trades on; no autoscaling leaves
    /// inference latency to chance under load, and an unbounded maximum leaves the bill to it.
    ///
    /// `desired_count` not set is the provider default 0; `policy_type` not set is the
    /// provider default `StepScaling`.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_ecs_service" "ml" {
    ///   name          = "clever-better-ml"
    ///   desired_count = 1
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_ecs_service" "ml" {
    ///   name          = "clever-better-ml"
    ///   desired_count = 2
    /// }
    /// resource "aws_appautoscaling_target" "ml" {
    ///   service_namespace  = "ecs"
    ///   resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.ml.name}"
    ///   scalable_dimension = "ecs:service:DesiredCount"
    ///   min_capacity       = 2
    ///   max_capacity       = 10
    /// }
    /// resource "aws_appautoscaling_policy" "ml_cpu" {
    ///   name               = "ml-cpu"
    ///   policy_type        = "TargetTrackingScaling"
    ///   service_namespace  = aws_appautoscaling_target.ml.service_namespace
    ///   resource_id        = aws_appautoscaling_target.ml.resource_id
    ///   scalable_dimension = aws_appautoscaling_target.ml.scalable_dimension
    ///   target_tracking_scaling_policy_configuration {
    ///     predefined_metric_specification {
    ///       predefined_metric_type = "ECSServiceAverageCPUUtilization"
    ///     }
    ///     target_value = 70
    ///   }
    /// }
    /// ```
    ///
    /// ## Peers
    /// None: Checkov, Trivy and AWS Config do not check ECS service task counts or
    /// Application Auto Scaling settings.
    pub static ML_SERVICE_HA = Rule {
        id: "CB-ECS-002",
        name: "ml-service-ha",
        area: Compute,
        severity: High,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let min_count = c.policy.services.ml.min_count;
    let services = role_services(
        c,
        ServiceRole::Ml,
        "ML service",
        &format!("runs it with at least {min_count} tasks"),
        &format!("desired_count = {min_count}"),
    );
    for svc in services {
        desired_count(c, &svc, min_count);
        let key = ServiceKey::of(c.inv, &svc);
        let targets = scalable_targets(c, &svc, &key);
        scaling_policy(c, &svc, &key, &targets);
    }
}

fn desired_count(c: &mut Check<'_>, svc: &View<'_, EcsService>, min: i64) {
    let name = svc.name.shown();
    let attr = Some("desired_count");
    let count = &svc.desired_count;
    if c.pass_if(svc.id, attr, "the ML service's desired_count", count, |n| {
        *n >= min
    }) {
        return;
    }
    let fact = if count.is_absent() {
        format!("ML service {name} has no desired_count (the provider default is 0 tasks)")
    } else {
        format!("ML service {name} runs {} task(s)", count.shown())
    };
    c.require(
        svc.id,
        attr,
        fact,
        format!("at least {min} for high availability"),
        format!("{} (or more)", set("desired_count", min)),
    );
}

/// Checks the service's scalable targets; returns the ids of those that scale it.
fn scalable_targets(c: &mut Check<'_>, svc: &View<'_, EcsService>, key: &ServiceKey) -> Vec<usize> {
    let auto = &c.policy.services.ml.autoscaling;
    let (min, max) = (auto.min_capacity, auto.max_capacity);
    let mut matched = Vec::new();
    let mut unknown: Option<Unknown> = None;
    for target in c.inv.all::<ScalableTarget>() {
        match target_matches(c.inv, &target, key) {
            Match::No => {}
            Match::Unknown(u) => {
                unknown.get_or_insert(u);
            }
            Match::Yes => {
                matched.push(target.id);
                for (attr, field, want) in [
                    ("min_capacity", &target.min_capacity, min),
                    ("max_capacity", &target.max_capacity, max),
                ] {
                    if !c.pass_if(target.id, Some(attr), attr, field, |v| *v == want) {
                        c.require(
                            target.id,
                            Some(attr),
                            format!("the ML service's autoscaling {attr} is {}", field.shown()),
                            format!("{want} (min {min}, max {max})"),
                            set(attr, want),
                        );
                    }
                }
            }
        }
    }
    if matched.is_empty() {
        match unknown {
            Some(u) => c.unknown(svc.id, None, "whether the ML service has a scalable target", &u),
            None => c.fail(
                svc.id,
                None,
                format!(
                    "ML service {} has no autoscaling target; the architecture scales it between {min} and {max} tasks",
                    svc.name.shown()
                ),
                format!(
                    "add an aws_appautoscaling_target with resource_id = \"{}\", min_capacity = {min}, max_capacity = {max}",
                    key.resource_id()
                ),
            ),
        }
    }
    matched
}

fn scaling_policy(
    c: &mut Check<'_>,
    svc: &View<'_, EcsService>,
    key: &ServiceKey,
    targets: &[usize],
) {
    let want = c.policy.services.ml.autoscaling.cpu_target;
    let mut found = false;
    let mut unknown: Option<Unknown> = None;
    for policy in c.inv.all::<ScalingPolicy>() {
        match policy_matches(c.inv, &policy, key, targets) {
            Match::No => continue,
            Match::Unknown(u) => {
                unknown.get_or_insert(u);
                continue;
            }
            Match::Yes => {}
        }
        let kind = (policy.policy_type.clone()).or_default_value("StepScaling".to_string());
        let metric = &policy.predefined_metric;
        let tracking = kind
            .get()
            .is_some_and(|k| k.eq_ignore_ascii_case(TARGET_TRACKING));
        if let Some(u) = kind
            .unknown()
            .or(if tracking { metric.unknown() } else { None })
        {
            unknown.get_or_insert(u.clone());
            continue;
        }
        if !tracking || metric.get().map(String::as_str) != Some(CPU_METRIC) {
            continue;
        }
        found = true;
        let attr = Some("target_tracking_scaling_policy_configuration");
        let value = &policy.target_value;
        let what = "the CPU target value";
        if !c.pass_if(policy.id, attr, what, value, |v| (v - want).abs() < 1e-9) {
            c.require(
                policy.id,
                attr,
                format!(
                    "the ML service's CPU target-tracking policy targets {}% CPU",
                    value.shown()
                ),
                format!("{want}%"),
                set("target_value", want),
            );
        }
    }
    if found {
        return;
    }
    match unknown {
        Some(u) => c.unknown(svc.id, None, "whether the ML service has a CPU target-tracking policy", &u),
        None => c.fail(
            svc.id,
            None,
            format!(
                "ML service {} has no target-tracking scaling policy on {CPU_METRIC}; the architecture scales it on a {want}% CPU target",
                svc.name.shown()
            ),
            format!("add an aws_appautoscaling_policy with policy_type = \"{TARGET_TRACKING}\", predefined_metric_type = \"{CPU_METRIC}\" and target_value = {want}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Field;
    use crate::model::{Inventory, RefTarget, Resource};
    use crate::rules::testing::{res, run};

    fn addr(a: &str) -> Field<Vec<RefTarget>> {
        Field::Known(vec![RefTarget::Address(a.into())])
    }

    fn service(desired: Field<i64>) -> Resource {
        res(
            "aws_ecs_service.ml",
            EcsService {
                name: Field::Known("clever-better-ml".into()),
                desired_count: desired,
                ..Default::default()
            },
        )
    }

    fn target(min: i64, max: i64) -> Resource {
        res(
            "aws_appautoscaling_target.ml",
            ScalableTarget {
                resource_id: Field::Known("service/prod/clever-better-ml".into()),
                service_namespace: Field::Known("ecs".into()),
                min_capacity: Field::Known(min),
                max_capacity: Field::Known(max),
                ..Default::default()
            },
        )
        .with_identifiers(["service/prod/clever-better-ml"])
    }

    fn policy(resource_id: Field<String>, refs: Field<Vec<RefTarget>>, value: f64) -> Resource {
        res(
            "aws_appautoscaling_policy.cpu",
            ScalingPolicy {
                resource_id,
                resource_refs: refs,
                policy_type: Field::Known(TARGET_TRACKING.into()),
                target_value: Field::Known(value),
                predefined_metric: Field::Known(CPU_METRIC.into()),
            },
        )
    }

    fn inv(resources: Vec<Resource>) -> Inventory {
        let mut inv = Inventory::new();
        resources.into_iter().for_each(|r| {
            inv.push(r);
        });
        inv
    }

    fn clean(out: &crate::rules::testing::RuleRun) -> bool {
        out.fails().is_empty() && out.unknowns().is_empty()
    }

    #[test]
    fn documented_ha_setup_passes() {
        let unknown_id = Field::Unknown(Unknown::AfterApply);
        let p = policy(unknown_id, addr("aws_appautoscaling_target.ml"), 70.0);
        let out = run(
            &ML_SERVICE_HA,
            &inv(vec![service(Field::Known(2)), target(2, 10), p]),
        );
        assert!(clean(&out), "{:?}", out.messages());
        assert_eq!(out.passes().len(), 3);
    }

    #[test]
    fn single_task_fails_with_count_and_minimum() {
        let out = run(&ML_SERVICE_HA, &inv(vec![service(Field::Known(1))]));
        assert_eq!(out.fails(), vec!["aws_ecs_service.ml"]);
        let msgs = out.messages().join("\n");
        assert!(
            msgs.contains("runs 1 task") && msgs.contains("at least 2"),
            "{msgs}"
        );
        assert!(msgs.contains("no autoscaling target") && msgs.contains("no target-tracking"));
    }

    #[test]
    fn wrong_capacities_and_target_fail_on_their_resources() {
        let id = Field::Known("service/prod/clever-better-ml".to_string());
        let p = policy(id, Field::Absent, 50.0);
        let out = run(
            &ML_SERVICE_HA,
            &inv(vec![service(Field::Absent), target(1, 20), p]),
        );
        let want = [
            "aws_appautoscaling_policy.cpu",
            "aws_appautoscaling_target.ml",
            "aws_ecs_service.ml",
        ];
        assert_eq!(out.fails(), want);
        let msgs = out.messages().join("\n");
        assert!(msgs.contains("default is 0"), "{msgs}");
        assert!(
            msgs.contains("min_capacity is 1") && msgs.contains("max_capacity is 20"),
            "{msgs}"
        );
        assert!(
            msgs.contains("targets 50% CPU") && msgs.contains("requires 70%"),
            "{msgs}"
        );
    }

    #[test]
    fn step_scaling_by_default_is_not_target_tracking() {
        let mut p = policy(Field::Absent, addr("aws_ecs_service.ml"), 70.0);
        if let crate::model::Body::ScalingPolicy(sp) = &mut p.body {
            sp.policy_type = Field::Absent;
            sp.predefined_metric = Field::Unknown(Unknown::AfterApply);
        }
        let out = run(
            &ML_SERVICE_HA,
            &inv(vec![service(Field::Known(2)), target(2, 10), p]),
        );
        assert_eq!(out.fails(), vec!["aws_ecs_service.ml"]);
        assert!(out.messages()[0].contains(CPU_METRIC));
    }

    #[test]
    fn unknowns_are_reported_not_passed() {
        fn u<T>() -> Field<T> {
            Field::Unknown(Unknown::AfterApply)
        }
        let p = policy(u(), u(), 70.0);
        let out = run(&ML_SERVICE_HA, &inv(vec![service(u()), target(2, 10), p]));
        assert_eq!(out.unknowns(), vec!["aws_ecs_service.ml"]);
        assert_eq!(out.messages().len(), 2, "{:?}", out.messages());
    }

    #[test]
    fn policy_resolved_by_identifier() {
        let by_ident = Field::Known(vec![RefTarget::Ident(
            "service/prod/clever-better-ml".into(),
        )]);
        let p = policy(Field::Unknown(Unknown::AfterApply), by_ident, 70.0);
        let out = run(
            &ML_SERVICE_HA,
            &inv(vec![service(Field::Known(3)), target(2, 10), p]),
        );
        assert!(clean(&out), "{:?}", out.messages());
    }

    #[test]
    fn missing_ml_service_fails_without_resource() {
        let out = run(&ML_SERVICE_HA, &Inventory::new());
        assert_eq!(out.fails(), vec!["missing:ML service"]);
    }
}
