use super::services::task_definition;
use crate::declare_rule;
use crate::rules::tiers::{services_in_role, ServiceRole};
use crate::rules::{set, Check};

declare_rule! {
    /// ## What it checks
    /// The task definition of the trading bot service has `cpu` and `memory` equal to
    /// `services.bot.cpu` / `services.bot.memory` (512 / 1024); the ML service's, to
    /// `services.ml.cpu` / `services.ml.memory` (2048 / 4096). Fails on the task definition.
    /// (A missing bot or ML service is reported by CB-ECS-001 and CB-ECS-002.)
    ///
    /// Sizes written in vCPUs or GB (`cpu = "0.5 vCPU"`, `memory = "1 GB"`) count as the CPU
    /// units and MiB that ECS converts them to when it registers the task definition (ECS
    /// API reference, RegisterTaskDefinition `cpu` and `memory`).
    ///
    /// ## Why
    /// The architecture document's ECS Fargate configuration: Trading Bot "cpu = 512  # 0.5
    /// vCPU  memory = 1024  # 1 GB"; ML Service "cpu = 2048  # 2 vCPU  memory = 4096  # 4 GB".
    /// The cost estimate ("ECS Fargate | Bot + ML services | $150") and the alarm
    /// thresholds (CPU > 80 %, memory > 85 %) are computed for these sizes: smaller tasks
    /// throttle inference, larger ones silently inflate the bill.
    ///
    /// `cpu` or `memory` not set at task level fails: Fargate requires both.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_ecs_task_definition" "ml" {
    ///   family = "clever-better-ml"
    ///   cpu    = 1024
    ///   memory = 2048
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_ecs_task_definition" "ml" {
    ///   family = "clever-better-ml"
    ///   cpu    = 2048
    ///   memory = 4096
    /// }
    /// ```
    ///
    /// ## Peers
    /// None. (AWS Config `ecs-task-definition-memory-hard-limit` only checks that
    /// containers have a memory limit, not its size.)
    pub static ECS_TASK_SIZE = Rule {
        id: "CB-ECS-005",
        name: "ecs-task-size",
        area: Compute,
        severity: Low,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let services = &c.policy.services;
    let roles = [
        (
            ServiceRole::Bot,
            "trading bot",
            services.bot.cpu,
            services.bot.memory,
        ),
        (ServiceRole::Ml, "ML", services.ml.cpu, services.ml.memory),
    ];
    for (role, label, cpu, memory) in roles {
        for svc in services_in_role(c.inv, c.policy, role) {
            let td = match task_definition(c.inv, &svc) {
                Ok(td) => td,
                Err(u) => {
                    c.unknown(
                        svc.id,
                        Some("task_definition"),
                        "the service's task definition",
                        &u,
                    );
                    continue;
                }
            };
            for (attr, field, want) in [("cpu", &td.cpu, cpu), ("memory", &td.memory, memory)] {
                let what = format!("the task {attr}");
                if c.pass_if(td.id, Some(attr), &what, field, |v| *v == want) {
                    continue;
                }
                let fact = if field.is_absent() {
                    format!("the {label} service's task definition has no task-level {attr}")
                } else {
                    format!("the {label} service's task {attr} is {}", field.shown())
                };
                c.fail(
                    td.id,
                    Some(attr),
                    format!("{fact}; the architecture sizes it at {cpu} CPU units / {memory} MiB"),
                    set(attr, want),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Field;
    use crate::model::{EcsService, Inventory, RefTarget, Resource, TaskDefinition, Unknown};
    use crate::rules::testing::{res, run};

    fn service(name: &str, td: RefTarget) -> Resource {
        res(
            format!("aws_ecs_service.{name}"),
            EcsService {
                name: Field::Known(format!("clever-better-{name}")),
                task_definition: Field::Known(vec![td]),
                ..Default::default()
            },
        )
    }

    fn task(name: &str, cpu: Field<i64>, memory: Field<i64>) -> Resource {
        res(
            format!("aws_ecs_task_definition.{name}"),
            TaskDefinition {
                cpu,
                memory,
                ..Default::default()
            },
        )
        .with_identifiers([format!("arn:td:{name}")])
    }

    #[test]
    fn documented_sizes_pass() {
        let mut inv = Inventory::new();
        inv.push(task("bot", Field::Known(512), Field::Known(1024)));
        inv.push(task("ml", Field::Known(2048), Field::Known(4096)));
        inv.push(service(
            "bot",
            RefTarget::Address("aws_ecs_task_definition.bot".into()),
        ));
        inv.push(service("ml", RefTarget::Ident("arn:td:ml".into())));
        let out = run(&ECS_TASK_SIZE, &inv);
        assert_eq!(
            out.passes(),
            vec!["aws_ecs_task_definition.bot", "aws_ecs_task_definition.ml"]
        );
        assert!(out.fails().is_empty());
    }

    #[test]
    fn wrong_and_absent_sizes_fail_on_the_task_definition() {
        let mut inv = Inventory::new();
        inv.push(task("ml", Field::Known(1024), Field::Absent));
        inv.push(service("ml", RefTarget::Ident("arn:td:ml".into())));
        let out = run(&ECS_TASK_SIZE, &inv);
        assert_eq!(out.fails(), vec!["aws_ecs_task_definition.ml"]);
        let msgs = out.messages();
        assert!(
            msgs[0].contains("task cpu is 1024") && msgs[0].contains("2048 CPU units"),
            "{}",
            msgs[0]
        );
        assert!(msgs[1].contains("no task-level memory"), "{}", msgs[1]);
    }

    #[test]
    fn unknown_size_and_unresolved_task_definition_are_unknown() {
        let mut inv = Inventory::new();
        inv.push(task(
            "bot",
            Field::Unknown(Unknown::AfterApply),
            Field::Known(1024),
        ));
        inv.push(service("bot", RefTarget::Ident("arn:td:bot".into())));
        inv.push(service("ml", RefTarget::Ident("arn:td:elsewhere".into())));
        let out = run(&ECS_TASK_SIZE, &inv);
        assert_eq!(
            out.unknowns(),
            vec!["aws_ecs_service.ml", "aws_ecs_task_definition.bot"]
        );
    }
}
