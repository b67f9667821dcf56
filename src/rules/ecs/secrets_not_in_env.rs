use crate::declare_rule;
use crate::model::{TaskDefinition, Unknown};
use crate::rules::Check;

declare_rule! {
    /// ## What it checks
    /// No container of any ECS task definition has a plain `environment` entry whose name
    /// matches `services.secret_env_names` (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`,
    /// `*API_KEY*`, … case-insensitive) with a non-empty value. Fails on the task definition;
    /// the message names the container and the variable, never the value.
    ///
    /// Keys match in any case (`Environment` / `Name` / `Value`, `SECRETS`, …): the AWS
    /// provider decodes `container_definitions` with Go's `encoding/json` into the ECS SDK
    /// types, which matches keys case-insensitively, and stores them in camel case, so a
    /// `.tf` scan and a plan scan read the same containers. Of two keys differing only in
    /// case, the last in the document wins, as in Go (golang/go#43664, #47984).
    ///
    /// ## Why
    /// The architecture document's Secrets Management: "All secrets stored in AWS Secrets
    /// Manager" (`clever-better/prod/database`, `…/betfair`, `…/api-keys`). A secret in
    /// `environment` is stored in clear text in the task definition, the Terraform state
    /// and plan, and is readable by anyone with `ecs:DescribeTaskDefinition`; the `secrets`
    /// block (`valueFrom` = a Secrets Manager ARN) injects it at start instead.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_ecs_task_definition" "bot" {
    ///   container_definitions = jsonencode([{
    ///     name        = "bot"
    ///     environment = [{ name = "BETFAIR_PASSWORD", value = "hunter2" }]
    ///   }])
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_ecs_task_definition" "bot" {
    ///   container_definitions = jsonencode([{
    ///     name    = "bot"
    ///     secrets = [{ name = "BETFAIR_PASSWORD", valueFrom = aws_secretsmanager_secret.betfair.arn }]
    ///   }])
    /// }
    /// ```
    ///
    /// ## Live accounts
    /// Every ACTIVE task definition revision is read (`ecs:ListTaskDefinitions`,
    /// `ecs:DescribeTaskDefinition`), not only those a service runs: an older revision, or
    /// the definition of a standalone or scheduled task, can still start tasks with its
    /// plaintext secret. INACTIVE revisions are read only when a service still runs one: no
    /// new task can start from them (Amazon ECS API Reference, `DeregisterTaskDefinition`).
    /// When the listing fails, the rule's verdicts name the missing permission.
    ///
    /// ## Peers
    /// Trivy `AVD-AWS-0036` (ecs no-plaintext-secrets); AWS Config
    /// `ecs-no-environment-secrets` (with a `secretKeys` list of exact names).
    pub static SECRETS_NOT_IN_ENV = Rule {
        id: "CB-ECS-006",
        name: "secrets-not-in-env",
        area: Compute,
        severity: Critical,
        scope: Architecture,
        check: check,
    };
}

const ATTR: Option<&str> = Some("container_definitions");

fn check(c: &mut Check<'_>) {
    for td in c.inv.all::<TaskDefinition>() {
        let Some(containers) = c.need(td.id, ATTR, "the container definitions", &td.containers)
        else {
            continue;
        };
        // No container definitions: no environment to leak.
        let Some(containers) = containers else {
            c.pass(td.id);
            continue;
        };
        let mut leaks = Vec::new();
        let mut secrets: Vec<String> = Vec::new();
        let mut unknown: Option<(String, Unknown)> = None;
        for container in containers {
            for var in &container.environment {
                if !c.policy.services.secret_env_names.matches(&var.name) {
                    continue;
                }
                match var.value.value() {
                    Ok(Some(v)) if !v.is_empty() => {
                        leaks.push((var.name.as_str(), container.name.as_str()));
                        secrets.push(v.clone());
                    }
                    Err(u) => {
                        let what =
                            format!("the value of {} in container {}", var.name, container.name);
                        unknown.get_or_insert((what, u.clone()));
                    }
                    _ => {}
                }
            }
        }
        if !leaks.is_empty() {
            let found: Vec<String> = leaks
                .iter()
                .map(|(var, container)| format!("{var} in container {container}"))
                .collect();
            let names: Vec<&str> = leaks.iter().map(|(var, _)| *var).collect();
            c.fail(
                td.id,
                ATTR,
                format!(
                    "task definition sets secret-looking variable(s) in plain environment: {}; the architecture keeps secrets in Secrets Manager",
                    found.join(", ")
                ),
                format!(
                    "move {} from `environment` to `secrets` with valueFrom = the Secrets Manager secret ARN",
                    names.join(", ")
                ),
            );
            c.redact(secrets);
        } else if let Some((what, u)) = unknown {
            c.unknown(td.id, ATTR, &what, &u);
        } else {
            c.pass(td.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Container, EnvironmentVariable, Field, Inventory};
    use crate::rules::testing::{res, run};

    fn task(env: Vec<(&str, Field<&str>)>) -> Inventory {
        let mut inv = Inventory::new();
        inv.push(res(
            "aws_ecs_task_definition.bot",
            TaskDefinition {
                containers: Field::Known(vec![Container {
                    name: "bot".into(),
                    environment: env
                        .into_iter()
                        .map(|(name, value)| EnvironmentVariable {
                            name: name.into(),
                            value: value.map(str::to_string),
                        })
                        .collect(),
                    secrets: vec!["DB_PASSWORD".into()],
                    health_check: None,
                }]),
                ..Default::default()
            },
        ));
        inv
    }

    #[test]
    fn plain_settings_and_empty_secret_names_pass() {
        let inv = task(vec![
            ("LOG_LEVEL", Field::Known("info")),
            ("API_TOKEN_URL_PATH", Field::Known("")),
            ("SECRET_ROTATION", Field::Absent),
        ]);
        assert_eq!(
            run(&SECRETS_NOT_IN_ENV, &inv).passes(),
            vec!["aws_ecs_task_definition.bot"]
        );
    }

    #[test]
    fn secret_values_fail_and_are_never_printed() {
        let inv = task(vec![
            ("betfair_password", Field::Known("hunter2")),
            ("STRIPE_API_KEY", Field::Sensitive("sk_live_42")),
        ]);
        let out = run(&SECRETS_NOT_IN_ENV, &inv);
        assert_eq!(out.fails(), vec!["aws_ecs_task_definition.bot"]);
        let o = &out.outcomes[0];
        let text = format!("{} {}", o.message, o.help.as_deref().unwrap_or(""));
        assert!(text.contains("betfair_password in container bot"), "{text}");
        assert!(
            text.contains("STRIPE_API_KEY") && text.contains("Secrets Manager"),
            "{text}"
        );
        assert!(
            !text.contains("hunter2") && !text.contains("sk_live_42"),
            "{text}"
        );
    }

    #[test]
    fn unknown_values_and_containers_are_unknown() {
        let inv = task(vec![(
            "DB_PASSWORD",
            Field::Unknown(Unknown::Unresolved("var.pw".into())),
        )]);
        let out = run(&SECRETS_NOT_IN_ENV, &inv);
        assert_eq!(out.unknowns(), vec!["aws_ecs_task_definition.bot"]);
        assert!(out.messages()[0].contains("DB_PASSWORD"));
        let mut inv = Inventory::new();
        inv.push(res(
            "aws_ecs_task_definition.x",
            TaskDefinition {
                containers: Field::Unknown(Unknown::AfterApply),
                ..Default::default()
            },
        ));
        assert_eq!(
            run(&SECRETS_NOT_IN_ENV, &inv).unknowns(),
            vec!["aws_ecs_task_definition.x"]
        );
    }
}
