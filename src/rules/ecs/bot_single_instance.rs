use std::collections::BTreeSet;

use super::services::{role_services, target_matches, Match, ServiceKey};
use crate::declare_rule;
use crate::model::ScalableTarget;
use crate::rules::tiers::ServiceRole;
use crate::rules::{set, Check};

declare_rule! {
    /// ## What it checks
    /// The trading bot service (an ECS service whose name matches `services.bot.names`,
    /// `*bot*`) runs exactly `services.bot.desired_count` (1) task, and every Application
    /// Auto Scaling target for it (`resource_id = service/<cluster>/<service>`) has
    /// `max_capacity` of at most `services.bot.max_capacity` (1). A missing bot service fails.
    ///
    /// ## Why
    /// The architecture document's Trading Bot Service: "desired_count = 1  # Single
    /// instance per Betfair account". Two bot tasks on one Betfair account place duplicate
    /// bets and race each other's positions; an autoscaling target that may grow the service
    /// breaks the guarantee the moment CPU rises.
    ///
    /// `desired_count` not set is the provider default 0 (no bot running): a failure.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_ecs_service" "bot" {
    ///   name          = "clever-better-bot"
    ///   desired_count = 2
    /// }
    /// resource "aws_appautoscaling_target" "bot" {
    ///   service_namespace  = "ecs"
    ///   resource_id        = "service/clever-better/clever-better-bot"
    ///   scalable_dimension = "ecs:service:DesiredCount"
    ///   min_capacity       = 1
    ///   max_capacity       = 4
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_ecs_service" "bot" {
    ///   name          = "clever-better-bot"
    ///   desired_count = 1
    /// }
    /// # and no autoscaling target, or one with max_capacity = 1
    /// ```
    ///
    /// ## Peers
    /// None: Checkov, Trivy and AWS Config do not know which service must be a singleton.
    pub static BOT_SINGLE_INSTANCE = Rule {
        id: "CB-ECS-001",
        name: "bot-single-instance",
        area: Compute,
        severity: Critical,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let want = c.policy.services.bot.desired_count;
    let max = c.policy.services.bot.max_capacity;
    let bots = role_services(
        c,
        ServiceRole::Bot,
        "trading bot service",
        "runs it as a single instance (one per Betfair account)",
        &format!("desired_count = {want}"),
    );
    let mut seen_targets = BTreeSet::new();
    for svc in bots {
        let name = svc.name.shown().to_string();
        let (attr, count) = (Some("desired_count"), &svc.desired_count);
        if !c.pass_if(svc.id, attr, "the bot's desired_count", count, |n| {
            *n == want
        }) {
            let (fact, requirement) = if count.is_absent() {
                let fact = format!("trading bot service {name} has no desired_count (the provider default is 0 tasks)");
                (fact, format!("exactly {want}"))
            } else {
                let fact = format!("trading bot service {name} runs {} tasks", count.shown());
                (fact, format!("exactly {want} (one per Betfair account)"))
            };
            c.require(svc.id, attr, fact, requirement, set("desired_count", want));
        }
        let key = ServiceKey::of(c.inv, &svc);
        for target in c.inv.all::<ScalableTarget>() {
            if !seen_targets.insert(target.id) {
                continue;
            }
            match target_matches(c.inv, &target, &key) {
                Match::No => {
                    seen_targets.remove(&target.id);
                }
                Match::Unknown(u) => c.unknown(
                    target.id,
                    Some("resource_id"),
                    "whether this scalable target scales the trading bot service",
                    &u,
                ),
                Match::Yes => {
                    let (attr, cap) = (Some("max_capacity"), &target.max_capacity);
                    let what = "the bot target's max_capacity";
                    if c.pass_if(target.id, attr, what, cap, |m| *m <= max) {
                        continue;
                    }
                    let allows = if cap.is_absent() {
                        "has no max_capacity".to_string()
                    } else {
                        format!("allows up to {} tasks", cap.shown())
                    };
                    c.fail(
                        target.id,
                        attr,
                        format!("the autoscaling target of trading bot service {name} {allows}; the architecture caps the bot at {max}"),
                        format!("{} (or remove the scalable target)", set("max_capacity", max)),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Field;
    use crate::model::{EcsCluster, EcsService, Inventory, RefTarget, Resource, Unknown};
    use crate::rules::testing::{res, run};

    fn bot(name: &str, desired: Field<i64>) -> Resource {
        res(
            "aws_ecs_service.bot",
            EcsService {
                name: Field::Known(name.into()),
                cluster: Field::Known(vec![RefTarget::Ident("cluster-arn".into())]),
                desired_count: desired,
                ..Default::default()
            },
        )
        .with_identifiers(["bot-arn"])
    }

    fn target(resource_id: Field<String>, refs: Vec<RefTarget>, max: i64) -> Resource {
        res(
            "aws_appautoscaling_target.bot",
            ScalableTarget {
                resource_id,
                resource_refs: Field::Known(refs),
                service_namespace: Field::Known("ecs".into()),
                min_capacity: Field::Known(1),
                max_capacity: Field::Known(max),
            },
        )
    }

    #[test]
    fn single_bot_without_scaling_passes() {
        let mut inv = Inventory::new();
        inv.push(bot("clever-better-bot", Field::Known(1)));
        let out = run(&BOT_SINGLE_INSTANCE, &inv);
        assert_eq!(out.passes(), vec!["aws_ecs_service.bot"]);
        assert!(out.fails().is_empty() && out.unknowns().is_empty());
    }

    #[test]
    fn two_bots_fail_with_count_and_requirement() {
        let mut inv = Inventory::new();
        inv.push(bot("clever-better-bot", Field::Known(2)));
        let out = run(&BOT_SINGLE_INSTANCE, &inv);
        assert_eq!(out.fails(), vec!["aws_ecs_service.bot"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("runs 2 tasks") && msg.contains("exactly 1"),
            "{msg}"
        );
    }

    #[test]
    fn absent_desired_count_is_the_provider_default_zero() {
        let mut inv = Inventory::new();
        inv.push(bot("clever-better-bot", Field::Absent));
        let out = run(&BOT_SINGLE_INSTANCE, &inv);
        assert_eq!(out.fails(), vec!["aws_ecs_service.bot"]);
        assert!(out.messages()[0].contains("default is 0"));
    }

    #[test]
    fn unknown_count_and_unknown_name_are_unknown() {
        let mut inv = Inventory::new();
        inv.push(bot(
            "clever-better-bot",
            Field::Unknown(Unknown::AfterApply),
        ));
        assert_eq!(
            run(&BOT_SINGLE_INSTANCE, &inv).unknowns(),
            vec!["aws_ecs_service.bot"]
        );
        let mut inv = Inventory::new();
        inv.push(res(
            "aws_ecs_service.x",
            EcsService {
                name: Field::Unknown(Unknown::Unresolved("var.name".into())),
                ..Default::default()
            },
        ));
        let out = run(&BOT_SINGLE_INSTANCE, &inv);
        assert_eq!(out.unknowns(), vec!["aws_ecs_service.x"]);
        assert!(
            out.fails().is_empty(),
            "no missing-bot failure while a name is unknown"
        );
    }

    #[test]
    fn missing_bot_fails_without_resource() {
        let mut inv = Inventory::new();
        inv.push(res(
            "aws_ecs_service.web",
            EcsService {
                name: Field::Known("web".into()),
                ..Default::default()
            },
        ));
        assert_eq!(
            run(&BOT_SINGLE_INSTANCE, &inv).fails(),
            vec!["missing:trading bot service"]
        );
    }

    #[test]
    fn target_by_resource_id_with_cluster_name() {
        let mut inv = Inventory::new();
        inv.push(res(
            "aws_ecs_cluster.main",
            EcsCluster {
                name: Field::Known("prod".into()),
            },
        ));
        let mut svc = bot("clever-better-bot", Field::Known(1));
        if let crate::model::Body::EcsService(s) = &mut svc.body {
            s.cluster = Field::Known(vec![RefTarget::Address("aws_ecs_cluster.main".into())]);
        }
        inv.push(svc);
        inv.push(target(
            Field::Known("service/prod/clever-better-bot".into()),
            vec![],
            3,
        ));
        let out = run(&BOT_SINGLE_INSTANCE, &inv);
        assert_eq!(out.fails(), vec!["aws_appautoscaling_target.bot"]);
        let msg = out.messages()[0];
        assert!(msg.contains("up to 3") && msg.contains("at 1"), "{msg}");
        // Another cluster's service of the same name is not this bot's target.
        let mut inv2 = Inventory::new();
        inv2.push(res(
            "aws_ecs_cluster.main",
            EcsCluster {
                name: Field::Known("prod".into()),
            },
        ));
        let mut svc = bot("clever-better-bot", Field::Known(1));
        if let crate::model::Body::EcsService(s) = &mut svc.body {
            s.cluster = Field::Known(vec![RefTarget::Address("aws_ecs_cluster.main".into())]);
        }
        inv2.push(svc);
        inv2.push(target(
            Field::Known("service/staging/clever-better-bot".into()),
            vec![],
            3,
        ));
        assert!(run(&BOT_SINGLE_INSTANCE, &inv2).fails().is_empty());
    }

    #[test]
    fn target_by_references_while_resource_id_unknown() {
        let mut inv = Inventory::new();
        inv.push(bot("clever-better-bot", Field::Known(1)));
        inv.push(target(
            Field::Unknown(Unknown::AfterApply),
            vec![RefTarget::Address("aws_ecs_service.bot".into())],
            1,
        ));
        let out = run(&BOT_SINGLE_INSTANCE, &inv);
        assert_eq!(
            out.passes(),
            vec!["aws_appautoscaling_target.bot", "aws_ecs_service.bot"]
        );
        let mut inv = Inventory::new();
        inv.push(bot("clever-better-bot", Field::Known(1)));
        inv.push(target(
            Field::Unknown(Unknown::AfterApply),
            vec![RefTarget::Ident("bot-arn".into())],
            5,
        ));
        assert_eq!(
            run(&BOT_SINGLE_INSTANCE, &inv).fails(),
            vec!["aws_appautoscaling_target.bot"]
        );
    }

    #[test]
    fn target_that_cannot_be_matched_is_unknown() {
        let mut inv = Inventory::new();
        inv.push(bot("clever-better-bot", Field::Known(1)));
        inv.push(target(
            Field::Unknown(Unknown::AfterApply),
            vec![RefTarget::Address("aws_ecs_cluster.gone".into())],
            5,
        ));
        assert_eq!(
            run(&BOT_SINGLE_INSTANCE, &inv).unknowns(),
            vec!["aws_appautoscaling_target.bot"]
        );
    }
}
