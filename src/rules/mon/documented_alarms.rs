use crate::declare_rule;
use crate::model::{Kind, MetricAlarm, ResId, Unknown, View};
use crate::rules::{requires, Check};

use super::alarm_spec::{evaluate, metric_glob, metric_shown, requirement, watches, Subscriptions};

declare_rule! {
    /// ## What it checks
    /// Every documented alarm (`[[alarms]]`) exists as an `aws_cloudwatch_metric_alarm`
    /// matched by its metric (`metric_name` against the spec's glob, `namespace` when the spec
    /// names one, and the spec's `dimensions` names among the metric's dimensions: the service
    /// CPU alarm is `AWS/ECS` by `ClusterName` and `ServiceName`, not `AWS/EC2` by
    /// `InstanceId`), and each matching alarm has the documented comparison (`>` is
    /// `GreaterThanThreshold`: a `>=` alarm is not the documented one), threshold, period (when
    /// documented), period × evaluation periods (when documented) and actions.
    ///
    /// A metric-math alarm is judged in its metric's units: when its returned expression
    /// scales one metric query by constants (`100 * conn / 200`), the threshold is converted
    /// (`> 80` there is `conn > 160`); any other expression is unknown with the reason.
    ///
    /// Actions are classified by their ARN's service (or the Terraform type they refer to):
    /// only SNS topics notify; a step-scaling policy, an EC2 action or an SSM action does not.
    /// Each action class the spec lists (`[alarm_actions]`, globs) needs its own topic, the
    /// most specific classes served first; a topic belongs to a class when its name, or the
    /// host of one of its http(s) subscriptions (`aws_sns_topic_subscription`; a PagerDuty
    /// integration posts to `events.pagerduty.com`), matches. Topics outside the inputs are
    /// named by the last segment of their ARN. A missing alarm is a finding with no
    /// resource; every mismatch of an alarm is named in one finding on it.
    ///
    /// Sources: Amazon CloudWatch User Guide, "Alarm actions" (an SNS topic notifies its
    /// subscribers; Lambda, EC2, Auto Scaling / Application Auto Scaling and Systems Manager
    /// actions are other actions) and "Using metric math" (expressions over metric query
    /// ids); the ECS and RDS metric pages (`ClusterName`/`ServiceName`,
    /// `DBInstanceIdentifier`); PagerDuty's Amazon CloudWatch integration guide (an SNS https
    /// subscription to `https://events.pagerduty.com/integration/<key>/enqueue`).
    ///
    /// ## Why
    /// The architecture document's "Alarms" table: "High CPU > 80% for 5 min, SNS
    /// notification; High Memory > 85% for 5 min, SNS notification; DB Connections > 80% of
    /// max, SNS notification; API Errors > 10/min, SNS + PagerDuty; Trade Failures > 3/hour,
    /// PagerDuty". An alarm with another threshold or window, or without its action, pages
    /// nobody when the trading bot fails.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_cloudwatch_metric_alarm" "api_errors" {
    ///   alarm_name          = "betfair-api-errors"
    ///   namespace           = "CleverBetter"
    ///   metric_name         = "BetfairAPIErrors"
    ///   comparison_operator = "GreaterThanThreshold"
    ///   threshold           = 50
    ///   period              = 300
    ///   evaluation_periods  = 1
    ///   statistic           = "Sum"
    ///   alarm_actions       = [aws_sns_topic.alerts.arn]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_cloudwatch_metric_alarm" "api_errors" {
    ///   alarm_name          = "betfair-api-errors"
    ///   namespace           = "CleverBetter"
    ///   metric_name         = "BetfairAPIErrors"
    ///   comparison_operator = "GreaterThanThreshold"
    ///   threshold           = 10
    ///   period              = 60
    ///   evaluation_periods  = 1
    ///   statistic           = "Sum"
    ///   alarm_actions       = [aws_sns_topic.alerts.arn, aws_sns_topic.pagerduty.arn]
    /// }
    /// ```
    ///
    /// ## Live accounts
    /// Read with `cloudwatch:DescribeAlarms`; alarm actions are the ARNs the alarms hold,
    /// classified by the ARN's service (`arn:aws:autoscaling:…:scalingPolicy:…` or
    /// `arn:aws:automate:…` is not a topic); topics and their confirmed subscriptions are
    /// read (`sns:ListTopics`, `sns:ListSubscriptionsByTopic`), so a topic serves a class by
    /// its name or its https subscriptions' hosts, as in a plan. Alarms Application Auto Scaling creates for
    /// target-tracking policies belong to the scaling policy and are skipped. aws-sdk-cloudwatch
    /// from 1.100 speaks only rpc-v2-cbor, which moto 5.2.5 does not serve; cbaudit uses
    /// 1.99 (the Query protocol, which CloudWatch still serves).
    ///
    /// ## Peers
    /// AWS Config `cloudwatch-alarm-settings-check` (settings of alarms on one metric) and
    /// `cloudwatch-alarm-action-check` (alarms have actions). No Checkov or Trivy equivalent.
    pub static DOCUMENTED_ALARMS = Rule {
        id: "CB-MON-001",
        name: "documented-alarms",
        area: Monitoring,
        severity: Medium,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let inv = c.inv;
    let alarms: Vec<View<'_, MetricAlarm>> = inv.all::<MetricAlarm>().collect();
    let subs = Subscriptions::of(inv);
    let mut maybe: Vec<(ResId, Unknown, Vec<String>)> = Vec::new();
    for spec in &c.policy.alarms {
        let glob = metric_glob(spec);
        let req = requirement(c.policy, spec);
        let mut matched = false;
        let mut undecided = Vec::new();
        for a in &alarms {
            match watches(spec, &glob, a) {
                Ok(false) => {}
                Err(u) => undecided.push((a.id, u)),
                Ok(true) => {
                    matched = true;
                    let e = evaluate(&subs, c.policy, spec, a);
                    let name = a
                        .name
                        .get()
                        .map_or_else(|| a.address().to_string(), String::clone);
                    if let Some((attr, _)) = e.problems.first() {
                        let facts: Vec<&str> = e.problems.iter().map(|(_, f)| f.as_str()).collect();
                        c.require(
                            a.id,
                            Some(attr),
                            format!(
                                "alarm {name} ({}: {}): {}",
                                spec.name,
                                spec.description,
                                facts.join(", ")
                            ),
                            &req,
                            format!("make the alarm match the documented {}: {req}", spec.name),
                        );
                    } else if let Some((what, why)) = e.unknown {
                        c.unknown(a.id, None, &format!("{what} of alarm {name}"), &why);
                    } else {
                        c.pass(a.id);
                    }
                }
            }
        }
        if matched {
            continue;
        }
        if undecided.is_empty() {
            c.missing(
                Kind::MetricAlarm,
                "aws_cloudwatch_metric_alarm",
                spec.name.clone(),
                requires(
                    format!(
                        "no alarm watches {} ({})",
                        metric_shown(spec),
                        spec.description
                    ),
                    &req,
                ),
                format!("declare an aws_cloudwatch_metric_alarm with {req}"),
            );
        }
        for (id, u) in undecided {
            match maybe.iter_mut().find(|(m, _, _)| *m == id) {
                Some((_, _, names)) => names.push(spec.name.clone()),
                None => maybe.push((id, u, vec![spec.name.clone()])),
            }
        }
    }
    for (id, why, names) in maybe {
        let what = format!(
            "whether this is the documented {} alarm",
            names.join(" or ")
        );
        c.unknown(id, Some("metric_name"), &what, &why);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ident, Field, Inventory, RefTarget, SnsTopic};
    use crate::rules::testing::{res, run};

    struct A {
        metric: &'static str,
        cmp: &'static str,
        threshold: f64,
        period: i64,
        evals: i64,
        actions: Vec<RefTarget>,
    }

    fn alarm(inv: &mut Inventory, name: &str, a: A) {
        let (namespace, dimensions) = match a.metric {
            "CPUUtilization" | "MemoryUtilization" => {
                ("AWS/ECS", vec!["ClusterName", "ServiceName"])
            }
            "DatabaseConnections" => ("AWS/RDS", vec!["DBInstanceIdentifier"]),
            _ => ("CleverBetter", vec![]),
        };
        let m = MetricAlarm {
            name: Field::Known(name.into()),
            namespace: Field::Known(namespace.into()),
            dimensions: Field::Known(dimensions.into_iter().map(String::from).collect()),
            math: Field::Absent,
            metric_name: Field::Known(a.metric.into()),
            comparison: Field::Known(a.cmp.into()),
            threshold: Field::Known(a.threshold),
            period: Field::Known(a.period),
            evaluation_periods: Field::Known(a.evals),
            statistic: Field::Known("Average".into()),
            alarm_actions: Field::Known(a.actions),
        };
        inv.push(res(format!("aws_cloudwatch_metric_alarm.{name}"), m));
    }

    fn topic(inv: &mut Inventory, name: &str) {
        let t = SnsTopic {
            name: Field::Known(name.into()),
        };
        inv.push(res(format!("aws_sns_topic.{name}"), t));
    }

    fn at(name: &str) -> RefTarget {
        RefTarget::Address(format!("aws_sns_topic.{name}"))
    }

    /// Every documented alarm, compliant.
    fn documented() -> Inventory {
        let mut inv = Inventory::new();
        topic(&mut inv, "alerts");
        topic(&mut inv, "pagerduty");
        let gt = "GreaterThanThreshold";
        let pd = "arn:aws:sns:eu-west-2:1:pagerduty-oncall";
        let specs = [
            ("cpu", "CPUUtilization", 80.0, 60, 5, vec![at("alerts")]),
            ("mem", "MemoryUtilization", 85.0, 300, 1, vec![at("alerts")]),
            (
                "db",
                "DatabaseConnections",
                160.0,
                60,
                3,
                vec![at("alerts")],
            ),
            (
                "api",
                "BetfairAPIErrors",
                10.0,
                60,
                1,
                vec![at("alerts"), at("pagerduty")],
            ),
            ("trades", "TradeFailures", 3.0, 3600, 1, vec![ident(pd)]),
        ];
        for (name, metric, threshold, period, evals, actions) in specs {
            alarm(
                &mut inv,
                name,
                A {
                    metric,
                    cmp: gt,
                    threshold,
                    period,
                    evals,
                    actions,
                },
            );
        }
        inv
    }

    #[test]
    fn documented_alarms_pass() {
        let out = run(&DOCUMENTED_ALARMS, &documented());
        assert_eq!(out.passes().len(), 5, "{:?}", out.messages());
        assert!(out.fails().is_empty() && out.unknowns().is_empty());
    }

    #[test]
    fn every_mismatch_is_named_in_one_finding() {
        let mut inv = documented();
        let actions = vec![at("alerts")];
        let a = A {
            metric: "BetfairAPIErrors",
            cmp: "LessThanThreshold",
            threshold: 50.0,
            period: 300,
            evals: 1,
            actions,
        };
        alarm(&mut inv, "api2", a);
        let out = run(&DOCUMENTED_ALARMS, &inv);
        assert_eq!(out.fails(), vec!["aws_cloudwatch_metric_alarm.api2"]);
        let msg = out.messages()[0];
        for part in [
            "LessThanThreshold",
            "threshold is 50",
            "period is 300 s",
            "no pagerduty topic",
            "> 10",
        ] {
            assert!(msg.contains(part), "{part}: {msg}");
        }
        assert_eq!(out.outcomes.iter().filter(|o| o.message == msg).count(), 1);
    }

    #[test]
    fn pagerduty_topic_cannot_serve_both_classes() {
        let mut inv = Inventory::new();
        topic(&mut inv, "pagerduty");
        let a = A {
            metric: "BetfairAPIErrors",
            cmp: "GreaterThanThreshold",
            threshold: 10.0,
            period: 60,
            evals: 1,
            actions: vec![at("pagerduty")],
        };
        alarm(&mut inv, "api", a);
        let out = run(&DOCUMENTED_ALARMS, &inv);
        assert_eq!(
            out.fails().first().map(String::as_str),
            Some("aws_cloudwatch_metric_alarm.api")
        );
        let msgs = out.messages();
        assert!(
            msgs.iter()
                .any(|m| m.contains("(pagerduty) include no notification topic")),
            "{msgs:?}"
        );
    }

    #[test]
    fn missing_alarms_fail_without_resource() {
        let out = run(&DOCUMENTED_ALARMS, &Inventory::new());
        assert_eq!(out.fails().len(), 5);
        assert!(out.fails().contains(&"missing:trade-failures".to_string()));
        assert!(out
            .messages()
            .iter()
            .any(|m| m.contains("no alarm watches *TradeFail*")));
    }

    #[test]
    fn unknown_values_are_unknown() {
        let mut m = MetricAlarm {
            name: Field::Known("cpu".into()),
            namespace: Field::Known("AWS/ECS".into()),
            dimensions: Field::Known(vec!["ClusterName".into(), "ServiceName".into()]),
            metric_name: Field::Known("CPUUtilization".into()),
            comparison: Field::Known("GreaterThanThreshold".into()),
            threshold: Field::Known(80.0),
            period: Field::Known(300),
            evaluation_periods: Field::Known(1),
            alarm_actions: Field::Unknown(Unknown::AfterApply),
            ..Default::default()
        };
        let mut inv = Inventory::new();
        inv.push(res("aws_cloudwatch_metric_alarm.cpu", m.clone()));
        m.metric_name = Field::Unknown(Unknown::AfterApply);
        inv.push(res("aws_cloudwatch_metric_alarm.x", m));
        let out = run(&DOCUMENTED_ALARMS, &inv);
        assert_eq!(
            out.unknowns(),
            vec![
                "aws_cloudwatch_metric_alarm.cpu",
                "aws_cloudwatch_metric_alarm.x"
            ]
        );
        assert!(
            out.fails().is_empty(),
            "the unknown alarm may be any documented one"
        );
    }

    fn only(inv: &Inventory, address: &str) -> (String, String) {
        let out = run(&DOCUMENTED_ALARMS, inv);
        let o = out
            .outcomes
            .iter()
            .find(|o| match o.subject {
                crate::rules::Subject::Resource(id) => inv.get(id).address() == address,
                _ => false,
            })
            .unwrap_or_else(|| panic!("no finding on {address}: {:?}", out.messages()));
        (format!("{:?}", o.status).to_lowercase(), o.message.clone())
    }

    fn set(inv: &mut Inventory, address: &str, f: impl FnOnce(&mut MetricAlarm)) {
        let r = inv
            .resources_mut()
            .iter_mut()
            .find(|r| r.address() == address)
            .expect("alarm");
        if let crate::model::Body::MetricAlarm(m) = &mut r.body {
            f(m);
        }
    }

    fn math(expression: &str) -> Field<crate::model::MetricMath> {
        Field::Known(crate::model::MetricMath {
            expression: expression.into(),
            metric_ids: vec!["conn".into()],
        })
    }

    /// `100 * conn / 200 > 80` is exactly "DatabaseConnections > 160".
    #[test]
    fn metric_math_is_read_in_the_metrics_units() {
        let db = "aws_cloudwatch_metric_alarm.db";
        for (expr, threshold, want) in [
            ("100 * conn / 200", 80.0, "pass"),
            ("(conn/200)*100", 80.0, "pass"),
            ("conn / 200 * 100", 90.0, "fail"),
            ("RATE(conn)", 80.0, "unknown"),
            ("conn * conn", 80.0, "unknown"),
        ] {
            let mut inv = documented();
            set(&mut inv, db, |m| {
                m.math = math(expr);
                m.threshold = Field::Known(threshold);
            });
            let (status, msg) = only(&inv, db);
            assert_eq!(status, want, "{expr}: {msg}");
            if want == "fail" {
                assert!(msg.contains("180 in the metric's units"), "{msg}");
            }
        }
        // A negative scale flips the comparison: `-conn < -160` is `conn > 160`.
        let mut inv = documented();
        set(&mut inv, db, |m| {
            m.math = math("-conn");
            m.threshold = Field::Known(-160.0);
            m.comparison = Field::Known("LessThanThreshold".into());
        });
        assert_eq!(only(&inv, db).0, "pass");
    }

    /// A topic whose https subscription is a PagerDuty endpoint is the PagerDuty action,
    /// whatever its name.
    #[test]
    fn pagerduty_by_subscription() {
        let mut inv = documented();
        topic(&mut inv, "critical");
        let api = "aws_cloudwatch_metric_alarm.api";
        set(&mut inv, api, |m| {
            m.alarm_actions = Field::Known(vec![at("alerts"), at("critical")]);
        });
        let (status, msg) = only(&inv, api);
        assert_eq!(status, "fail");
        assert!(msg.contains("no pagerduty topic"), "{msg}");
        inv.push(res(
            "aws_sns_topic_subscription.pd",
            crate::model::SnsSubscription {
                topic: Field::Known(vec![at("critical")]),
                protocol: Field::Known("https".into()),
                endpoint: Field::Sensitive(
                    "https://events.pagerduty.com/integration/abc123/enqueue".into(),
                ),
            },
        ));
        assert_eq!(only(&inv, api).0, "pass");
        // An email subscription says nothing about PagerDuty.
        if let crate::model::Body::SnsSubscription(s) =
            &mut inv.resources_mut().last_mut().expect("sub").body
        {
            s.protocol = Field::Known("email".into());
        }
        assert_eq!(only(&inv, api).0, "fail");
    }

    /// A scaling policy or an EC2 action is not an SNS notification.
    #[test]
    fn actions_are_classified_by_their_service() {
        let mut inv = documented();
        let cpu = "aws_cloudwatch_metric_alarm.cpu";
        set(&mut inv, cpu, |m| {
            m.alarm_actions = Field::Known(vec![
                ident("arn:aws:autoscaling:eu-west-2:1:scalingPolicy:x:autoScalingGroupName/g:policyName/up"),
                RefTarget::Address("aws_appautoscaling_policy.up".into()),
            ]);
        });
        let (status, msg) = only(&inv, cpu);
        assert_eq!(status, "fail");
        assert!(
            msg.contains("an autoscaling action (not an SNS topic)")
                && msg.contains("aws_appautoscaling_policy (not an SNS topic)")
                && msg.contains("no notification topic"),
            "{msg}"
        );
    }

    /// The service CPU alarm is an ECS service metric: an EC2 CPU alarm is not it.
    #[test]
    fn alarms_are_matched_by_namespace_and_dimensions() {
        let mut inv = documented();
        let cpu = "aws_cloudwatch_metric_alarm.cpu";
        set(&mut inv, cpu, |m| {
            m.namespace = Field::Known("AWS/EC2".into());
            m.dimensions = Field::Known(vec!["InstanceId".into()]);
        });
        let out = run(&DOCUMENTED_ALARMS, &inv);
        assert!(
            out.fails().contains(&"missing:high-cpu".to_string()),
            "{:?}",
            out.fails()
        );
        let msg = out
            .messages()
            .into_iter()
            .find(|m| m.contains("no alarm watches CPUUtilization"))
            .expect("missing message");
        assert!(
            msg.contains("in AWS/ECS by ClusterName, ServiceName"),
            "{msg}"
        );
        // A cluster-wide ECS alarm (no ServiceName) is not the service alarm either.
        set(&mut inv, cpu, |m| {
            m.namespace = Field::Known("AWS/ECS".into());
            m.dimensions = Field::Known(vec!["ClusterName".into()]);
        });
        assert!(run(&DOCUMENTED_ALARMS, &inv)
            .fails()
            .contains(&"missing:high-cpu".to_string()));
        set(&mut inv, cpu, |m| {
            m.dimensions = Field::Unknown(Unknown::AfterApply)
        });
        assert_eq!(only(&inv, cpu).0, "unknown");
    }
}
