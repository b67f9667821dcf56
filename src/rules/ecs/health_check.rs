use super::services::task_definition;
use crate::declare_rule;
use crate::model::{EcsService, TargetGroup};
use crate::rules::Check;

/// The interval AWS uses when none is set: ELB target groups and ECS container health
/// checks both default to 30 seconds.
const DEFAULT_INTERVAL: i64 = 30;

declare_rule! {
    /// ## What it checks
    /// Every target group's health check requests `services.health_check_path` (`/health`)
    /// every `services.health_check_interval` (30) seconds. An ECS service with no load
    /// balancer needs a container `healthCheck` in its task definition whose command
    /// mentions that path, with that interval.
    ///
    /// Not set: the target group path is `/` and the interval 30 s (AWS defaults); a
    /// container health check's interval is 30 s (ECS default). A target group whose health
    /// check is disabled fails.
    ///
    /// ## Why
    /// The architecture document's Trading Bot Service: "health_check { path = \"/health\"
    /// interval = 30 }", and its failover procedure: "ALB health checks route to healthy
    /// tasks". Checking `/` only proves the web server answers; `/health` proves the bot
    /// and its dependencies are up, and a slower interval delays failover.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_lb_target_group" "app" {
    ///   port     = 8000
    ///   protocol = "HTTP"
    ///   health_check {
    ///     interval = 120
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_lb_target_group" "app" {
    ///   port     = 8000
    ///   protocol = "HTTP"
    ///   health_check {
    ///     path     = "/health"
    ///     interval = 30
    ///   }
    /// }
    /// ```
    ///
    /// ## Peers
    /// None: Checkov, Trivy and AWS Config do not check health-check paths or intervals.
    pub static ECS_HEALTH_CHECK = Rule {
        id: "CB-ECS-004",
        name: "ecs-health-check",
        area: Compute,
        severity: Medium,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    for tg in c.inv.all::<TargetGroup>() {
        target_group(c, tg.id, &tg);
    }
    for svc in c.inv.all::<EcsService>() {
        let (attr, what) = (Some("load_balancer"), "the service's load balancers");
        match c.need(svc.id, attr, what, &svc.load_balancers) {
            None => continue,
            Some(Some(lbs)) if !lbs.is_empty() => continue,
            Some(_) => {}
        }
        match task_definition(c.inv, &svc) {
            Ok(td) => container_health_check(c, td.id, &svc.name.shown().to_string(), &td),
            Err(u) => c.unknown(
                svc.id,
                Some("task_definition"),
                "the task definition of a service without load balancer",
                &u,
            ),
        }
    }
}

fn target_group(c: &mut Check<'_>, id: usize, tg: &TargetGroup) {
    let (path, interval) = (
        &c.policy.services.health_check_path,
        c.policy.services.health_check_interval,
    );
    let attr = Some("health_check");
    let help = format!("set health_check {{ path = \"{path}\" interval = {interval} }}");
    let lambda = tg.target_type.get().is_some_and(|t| t == "lambda");
    let enabled = tg.health_check.enabled.clone().or_default_value(!lambda);
    match c.need(id, attr, "whether the health check is enabled", &enabled) {
        None => return,
        Some(Some(false)) => return c.fail(
            id,
            attr,
            format!("target group {} has its health check disabled; the architecture checks {path} every {interval} s", tg.name.shown()),
            help,
        ),
        Some(_) => {}
    }
    let on = &tg.health_check.path;
    if !c.pass_if(id, attr, "the health check path", on, |p| p == path) {
        let fact = if on.is_absent() {
            "/ (health_check.path not set, the AWS default)".to_string()
        } else {
            on.shown().to_string()
        };
        let fact = format!("target group {} checks health on {fact}", tg.name.shown());
        c.require(id, attr, fact, path, help.clone());
    }
    let every = tg
        .health_check
        .interval
        .clone()
        .or_default_value(DEFAULT_INTERVAL);
    if !c.pass_if(id, attr, "the health check interval", &every, |i| {
        *i == interval
    }) {
        c.require(
            id,
            attr,
            format!(
                "target group {} checks health every {} s",
                tg.name.shown(),
                every.shown()
            ),
            format!("every {interval} s"),
            help,
        );
    }
}

/// A service without load balancer: some container must check `path` every `interval`.
fn container_health_check(
    c: &mut Check<'_>,
    id: usize,
    service: &str,
    td: &crate::model::TaskDefinition,
) {
    let (path, interval) = (
        &c.policy.services.health_check_path,
        c.policy.services.health_check_interval,
    );
    let attr = Some("container_definitions");
    let help = format!(
        "add a container healthCheck {{ \"command\": [\"CMD-SHELL\", \"curl -f http://localhost:8000{path} || exit 1\"], \"interval\": {interval} }}"
    );
    let Some(containers) = c.need(id, attr, "the container definitions", &td.containers) else {
        return;
    };
    let containers = containers.map_or(&[][..], Vec::as_slice);
    let mut wrong_interval = None;
    for container in containers {
        let Some(hc) = &container.health_check else {
            continue;
        };
        if !hc.command.iter().any(|part| part.contains(path.as_str())) {
            continue;
        }
        let every = hc.interval.clone().or_default_value(DEFAULT_INTERVAL);
        let what = "the container health check interval";
        if c.pass_if(id, attr, what, &every, |i| *i == interval) {
            return;
        }
        wrong_interval = Some(format!(
            "container {} checks {path} every {} s",
            container.name,
            every.shown()
        ));
    }
    let fact = wrong_interval
        .unwrap_or_else(|| format!("no container has a healthCheck whose command checks {path}"));
    c.require(
        id,
        attr,
        format!("ECS service {service} has no load balancer and in its task definition {fact}"),
        format!("a {path} check every {interval} s"),
        help,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Field;
    use crate::model::{
        Container, ContainerHealthCheck, HealthCheck, Inventory, RefTarget, Resource,
        ServiceLoadBalancer, TaskDefinition, Unknown,
    };
    use crate::rules::testing::{res, run};

    fn tg(path: Field<&str>, interval: Field<i64>) -> Resource {
        res(
            "aws_lb_target_group.app",
            TargetGroup {
                name: Field::Known("app".into()),
                health_check: HealthCheck {
                    enabled: Field::Absent,
                    path: path.map(str::to_string),
                    interval,
                },
                ..Default::default()
            },
        )
    }

    fn worker(lbs: Field<Vec<ServiceLoadBalancer>>, td: RefTarget) -> Resource {
        res(
            "aws_ecs_service.worker",
            EcsService {
                name: Field::Known("worker".into()),
                load_balancers: lbs,
                task_definition: Field::Known(vec![td]),
                ..Default::default()
            },
        )
    }

    fn task(command: &str, interval: Field<i64>) -> Resource {
        res(
            "aws_ecs_task_definition.worker",
            TaskDefinition {
                containers: Field::Known(vec![Container {
                    name: "worker".into(),
                    environment: vec![],
                    secrets: vec![],
                    health_check: Some(ContainerHealthCheck {
                        command: vec!["CMD-SHELL".into(), command.into()],
                        interval,
                    }),
                }]),
                ..Default::default()
            },
        )
        .with_identifiers(["arn:td:worker"])
    }

    #[test]
    fn documented_target_group_passes_and_defaults_apply() {
        let mut inv = Inventory::new();
        inv.push(tg(Field::Known("/health"), Field::Absent));
        let out = run(&ECS_HEALTH_CHECK, &inv);
        assert_eq!(out.passes(), vec!["aws_lb_target_group.app"]);
        assert!(out.fails().is_empty());
    }

    #[test]
    fn default_path_and_slow_interval_fail() {
        let mut inv = Inventory::new();
        inv.push(tg(Field::Absent, Field::Known(120)));
        let out = run(&ECS_HEALTH_CHECK, &inv);
        assert_eq!(out.fails(), vec!["aws_lb_target_group.app"]);
        let msgs = out.messages();
        assert!(
            msgs[0].contains("on /") && msgs[0].contains("requires /health"),
            "{}",
            msgs[0]
        );
        assert!(
            msgs[1].contains("every 120 s") && msgs[1].contains("every 30 s"),
            "{}",
            msgs[1]
        );
    }

    #[test]
    fn unknown_path_is_unknown() {
        let mut inv = Inventory::new();
        inv.push(tg(Field::Unknown(Unknown::AfterApply), Field::Known(30)));
        assert_eq!(
            run(&ECS_HEALTH_CHECK, &inv).unknowns(),
            vec!["aws_lb_target_group.app"]
        );
    }

    #[test]
    fn service_without_lb_needs_container_check() {
        let mut inv = Inventory::new();
        inv.push(task("curl -f http://localhost:8000/health", Field::Absent));
        inv.push(worker(
            Field::Absent,
            RefTarget::Address("aws_ecs_task_definition.worker".into()),
        ));
        assert_eq!(
            run(&ECS_HEALTH_CHECK, &inv).passes(),
            vec!["aws_ecs_task_definition.worker"]
        );

        let mut inv = Inventory::new();
        inv.push(task("curl -f http://localhost:8000/", Field::Known(30)));
        inv.push(worker(
            Field::Known(vec![]),
            RefTarget::Ident("arn:td:worker".into()),
        ));
        let out = run(&ECS_HEALTH_CHECK, &inv);
        assert_eq!(out.fails(), vec!["aws_ecs_task_definition.worker"]);
        assert!(
            out.messages()[0].contains("no container has a healthCheck"),
            "{}",
            out.messages()[0]
        );

        let mut inv = Inventory::new();
        inv.push(task("/health", Field::Known(60)));
        inv.push(worker(
            Field::Absent,
            RefTarget::Ident("arn:td:worker".into()),
        ));
        let msg = run(&ECS_HEALTH_CHECK, &inv).messages()[0].to_string();
        assert!(
            msg.contains("every 60 s") && msg.contains("every 30 s"),
            "{msg}"
        );
    }

    #[test]
    fn services_behind_a_load_balancer_are_left_to_their_target_groups() {
        let mut inv = Inventory::new();
        inv.push(worker(
            Field::Known(vec![ServiceLoadBalancer::default()]),
            RefTarget::Ident("arn:td:none".into()),
        ));
        assert!(run(&ECS_HEALTH_CHECK, &inv).outcomes.is_empty());
    }

    #[test]
    fn unresolvable_task_definition_is_unknown() {
        let mut inv = Inventory::new();
        inv.push(worker(
            Field::Absent,
            RefTarget::Ident("arn:td:elsewhere".into()),
        ));
        let out = run(&ECS_HEALTH_CHECK, &inv);
        assert_eq!(out.unknowns(), vec!["aws_ecs_service.worker"]);
        assert!(out.messages()[0].contains("arn:td:elsewhere"));
    }
}
