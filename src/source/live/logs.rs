//! CloudWatch Logs: log groups, mapped like `aws_cloudwatch_log_group`.
//!
//! Calls (IAM actions): `logs:DescribeLogGroups` (paginated). A group without
//! `retentionInDays` keeps its logs forever: its retention is absent, as in a plan that does
//! not set `retention_in_days`. Tags are not read (no rule needs them; they stay unknown).
//!
//! Address: the group's ARN without the `:*` suffix (`…:log-group:/ecs/app`), which is what
//! Terraform's `arn` attribute holds; identifiers: the name and both ARN forms, as flow logs
//! (ARN) and task definitions (`awslogs-group`, name) refer to it.

use crate::model::{Field, Kind, LogGroup, Unknown};

use super::ctx::{client, known};
use super::{Batch, Ctx};

pub const KINDS: &[Kind] = &[Kind::LogGroup];

pub async fn read(ctx: &Ctx, out: &mut Batch) {
    let logs = client!(ctx, aws_sdk_cloudwatchlogs);
    let listing = logs.describe_log_groups().into_paginator().items().send();
    for g in out.drain(listing, KINDS, "logs:DescribeLogGroups").await {
        let Some(name) = g.log_group_name() else {
            continue;
        };
        let arn = g.log_group_arn().map_or_else(
            || ctx.arn("logs", &format!("log-group:{name}")),
            str::to_string,
        );
        let mut ids = vec![name.to_string(), format!("{arn}:*")];
        if let Some(a) = g.arn().filter(|a| !ids.iter().any(|i| i == a)) {
            ids.push(a.to_string());
        }
        let model = LogGroup {
            name: Field::Known(name.to_string()),
            retention_in_days: known(g.retention_in_days().map(i64::from)),
        };
        let tags = Field::Unknown(Unknown::NotInInputs(
            "the tags of log groups (not read)".into(),
        ));
        out.push(ctx.resource("aws_cloudwatch_log_group", arn, ids, tags, model));
    }
}
