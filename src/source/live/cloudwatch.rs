//! CloudWatch: metric alarms, mapped like `aws_cloudwatch_metric_alarm`.
//!
//! Calls (IAM actions): `cloudwatch:DescribeAlarms` (paginated, metric alarms only).
//! A metric-math alarm (no top-level metric) takes the metric, namespace, period and
//! statistic of its first query that names a metric, as the Terraform mapping takes its
//! first `metric_query` with a `metric` block. Alarm actions are the ARNs the alarm holds,
//! classified by the rules by the ARN's service; SNS topics and their subscriptions are read
//! by the SNS reader (`sns.rs`) and found by those ARNs. Tags are not
//! read (no rule needs them; they stay unknown). The alarms a target-tracking scaling policy
//! creates for itself are not read: they belong to that policy (`aws_appautoscaling_policy`),
//! not to an `aws_cloudwatch_metric_alarm`, and notify no one.
//!
//! Address: the alarm's ARN; identifiers: its name and ARN.

use aws_sdk_cloudwatch::types::{AlarmType, MetricAlarm as Alarm};

use crate::model::{ident, Field, Kind, MetricAlarm, MetricMath, Resource, Unknown};

use super::ctx::{client, known};
use super::{Batch, Ctx};

pub const KINDS: &[Kind] = &[Kind::MetricAlarm];

pub async fn read(ctx: &Ctx, out: &mut Batch) {
    let cw = client!(ctx, aws_sdk_cloudwatch);
    let pages = cw
        .describe_alarms()
        .alarm_types(AlarmType::MetricAlarm)
        .into_paginator()
        .send();
    let pages = out.drain(pages, KINDS, "cloudwatch:DescribeAlarms").await;
    for page in &pages {
        for a in page.metric_alarms() {
            if let Some(r) = alarm(ctx, a) {
                out.push(r);
            }
        }
    }
}

/// An alarm a target-tracking scaling policy created and owns (`TargetTracking-…`, "DO NOT
/// EDIT OR DELETE. For TargetTrackingScaling policy …").
fn scaling_owned(a: &Alarm) -> bool {
    a.alarm_name()
        .is_some_and(|n| n.starts_with("TargetTracking-"))
        && a.alarm_description()
            .is_some_and(|d| d.contains("TargetTrackingScaling policy"))
}

fn alarm(ctx: &Ctx, a: &Alarm) -> Option<Resource> {
    if scaling_owned(a) {
        return None;
    }
    let name = a.alarm_name()?;
    let arn = a.alarm_arn().map_or_else(
        || ctx.arn("cloudwatch", &format!("alarm:{name}")),
        str::to_string,
    );
    let str_field = |s: Option<&str>| known(s.map(str::to_string));
    let mut metric_name = str_field(a.metric_name());
    let mut namespace = str_field(a.namespace());
    let mut period = known(a.period().map(i64::from));
    let mut statistic = str_field(a.statistic().map(|s| s.as_str()));
    let names = |d: &[aws_sdk_cloudwatch::types::Dimension]| {
        Field::Known(
            d.iter()
                .filter_map(|d| d.name().map(str::to_string))
                .collect::<Vec<_>>(),
        )
    };
    let mut dimensions = if a.dimensions().is_empty() {
        Field::Absent
    } else {
        names(a.dimensions())
    };
    let mut math = Field::Absent;
    if metric_name.is_absent() {
        // Metric math: the first query that names a metric.
        if let Some(stat) = a.metrics().iter().find_map(|q| q.metric_stat()) {
            let metric = stat.metric();
            metric_name = str_field(metric.and_then(|m| m.metric_name()));
            namespace = str_field(metric.and_then(|m| m.namespace()));
            period = known(stat.period().map(i64::from));
            statistic = str_field(stat.stat());
            dimensions = names(metric.map(|m| m.dimensions()).unwrap_or_default());
        }
        let expressions: Vec<_> = a
            .metrics()
            .iter()
            .filter(|q| q.expression().is_some())
            .collect();
        let returned: Vec<_> = expressions
            .iter()
            .filter(|q| q.return_data() == Some(true))
            .collect();
        let chosen = match (returned.as_slice(), expressions.as_slice()) {
            ([one], _) => Some(**one),
            ([], [one]) => Some(*one),
            _ => None,
        };
        if let Some(q) = chosen.and_then(|q| q.expression()) {
            math = Field::Known(MetricMath {
                expression: q.to_string(),
                metric_ids: a
                    .metrics()
                    .iter()
                    .filter(|q| q.metric_stat().is_some())
                    .filter_map(|q| q.id().map(str::to_string))
                    .collect(),
            });
        } else if expressions.len() > 1 {
            math = Field::Unknown(Unknown::Unresolved(
                "which metric-math expression the alarm returns".into(),
            ));
        }
    }
    let model = MetricAlarm {
        name: Field::Known(name.to_string()),
        namespace,
        metric_name,
        comparison: str_field(a.comparison_operator().map(|c| c.as_str())),
        threshold: known(a.threshold()),
        period,
        evaluation_periods: known(a.evaluation_periods().map(i64::from)),
        statistic,
        alarm_actions: Field::Known(a.alarm_actions().iter().map(ident).collect()),
        dimensions,
        math,
    };
    let tags = Field::Unknown(Unknown::NotInInputs("the tags of alarms (not read)".into()));
    let ids = vec![name.to_string()];
    Some(ctx.resource("aws_cloudwatch_metric_alarm", arn, ids, tags, model))
}
