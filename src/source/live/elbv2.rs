//! Elastic Load Balancing v2: load balancers, their listeners and target groups, mapped like
//! `aws_lb`, `aws_lb_listener` and `aws_lb_target_group` (`terraform/map/edge.rs`).
//!
//! Calls (IAM actions): `elasticloadbalancing:DescribeLoadBalancers`,
//! `elasticloadbalancing:DescribeListeners` (per load balancer),
//! `elasticloadbalancing:DescribeTargetGroups` and `elasticloadbalancing:DescribeTags` (20
//! ARNs per call, for load balancers, listeners and target groups).
//!
//! References carry ARNs (listener → load balancer, actions → target groups) and ids
//! (subnets, security groups); load balancers and target groups are also known by name.

use std::collections::HashMap;

use aws_sdk_elasticloadbalancingv2::types::{Action, LoadBalancerSchemeEnum};
use aws_sdk_elasticloadbalancingv2::Client;

use crate::model::{
    Field, HealthCheck, Kind, Listener, ListenerAction, LoadBalancer, Tags, TargetGroup,
};

use super::ctx::{client, known, refs, tags, why};
use super::{Batch, Ctx};

pub const KINDS: &[Kind] = &[Kind::LoadBalancer, Kind::Listener, Kind::TargetGroup];

/// DescribeTags takes at most 20 ARNs.
const TAGS_PER_CALL: usize = 20;

pub async fn read(ctx: &Ctx, out: &mut Batch) {
    let elb = client!(ctx, aws_sdk_elasticloadbalancingv2);
    let kinds = [Kind::LoadBalancer, Kind::Listener];
    let lbs = load_balancers(&elb, out, &kinds).await.unwrap_or_default();
    let mut listeners = Vec::new();
    for arn in lbs.iter().filter_map(|lb| lb.load_balancer_arn()) {
        let listing = elb
            .describe_listeners()
            .load_balancer_arn(arn)
            .into_paginator()
            .items()
            .send();
        let permission = "elasticloadbalancing:DescribeListeners";
        let page = out.all(listing, &[Kind::Listener], permission).await;
        listeners.extend(page.unwrap_or_default());
    }
    let listing = elb.describe_target_groups().into_paginator().items().send();
    let permission = "elasticloadbalancing:DescribeTargetGroups";
    let groups = out.all(listing, &[Kind::TargetGroup], permission).await;
    let groups = groups.unwrap_or_default();

    let arns: Vec<&str> = (lbs.iter().filter_map(|l| l.load_balancer_arn()))
        .chain(listeners.iter().filter_map(|l| l.listener_arn()))
        .chain(groups.iter().filter_map(|g| g.target_group_arn()))
        .collect();
    let tags = resource_tags(&elb, &arns).await;
    let tags_of = |arn: &str| tags.get(arn).cloned().unwrap_or(Field::Known(Tags::new()));

    for lb in &lbs {
        let Some(arn) = lb.load_balancer_arn() else {
            continue;
        };
        let name = lb.load_balancer_name().map(str::to_string);
        let model = LoadBalancer {
            name: known(name.clone()),
            load_balancer_type: known(lb.r#type().map(|t| t.as_str().to_string())),
            internal: known(lb.scheme().map(|s| *s == LoadBalancerSchemeEnum::Internal)),
            subnets: refs(lb.availability_zones().iter().filter_map(|z| z.subnet_id())),
            security_groups: refs(lb.security_groups().iter().map(String::as_str)),
        };
        let ids = name.into_iter().collect();
        out.push(ctx.resource("aws_lb", arn.to_string(), ids, tags_of(arn), model));
    }
    for l in &listeners {
        let Some(arn) = l.listener_arn() else {
            continue;
        };
        let model = Listener {
            load_balancer: refs(l.load_balancer_arn()),
            port: known(l.port().map(i64::from)),
            protocol: known(l.protocol().map(|p| p.as_str().to_string())),
            ssl_policy: known(l.ssl_policy().filter(|p| !p.is_empty()).map(str::to_string)),
            default_actions: Field::Known(l.default_actions().iter().map(action).collect()),
        };
        out.push(ctx.resource(
            "aws_lb_listener",
            arn.to_string(),
            Vec::new(),
            tags_of(arn),
            model,
        ));
    }
    for g in &groups {
        let Some(arn) = g.target_group_arn() else {
            continue;
        };
        let name = g.target_group_name().map(str::to_string);
        let model = TargetGroup {
            name: known(name.clone()),
            port: known(g.port().map(i64::from)),
            protocol: known(g.protocol().map(|p| p.as_str().to_string())),
            target_type: known(g.target_type().map(|t| t.as_str().to_string())),
            health_check: HealthCheck {
                enabled: known(g.health_check_enabled()),
                path: known(g.health_check_path().map(str::to_string)),
                interval: known(g.health_check_interval_seconds().map(i64::from)),
            },
        };
        let ids = name.into_iter().collect();
        let r = ctx.resource(
            "aws_lb_target_group",
            arn.to_string(),
            ids,
            tags_of(arn),
            model,
        );
        out.push(r);
    }
}

/// Every load balancer of the region (`elasticloadbalancing:DescribeLoadBalancers`), or
/// `None` after a gap for `kinds`: this reader's, or the WAF reader's associations.
pub(super) async fn load_balancers(
    elb: &Client,
    out: &mut Batch,
    kinds: &[Kind],
) -> Option<Vec<aws_sdk_elasticloadbalancingv2::types::LoadBalancer>> {
    let listing = elb
        .describe_load_balancers()
        .into_paginator()
        .items()
        .send();
    let permission = "elasticloadbalancing:DescribeLoadBalancers";
    out.all(listing, kinds, permission).await
}

/// A default action: its type, a redirect's protocol (AWS returns `#{protocol}` when the
/// redirect keeps it), and the target groups it forwards to (`TargetGroupArn` or
/// `ForwardConfig`).
fn action(a: &Action) -> ListenerAction {
    let mut groups: Vec<&str> = a.target_group_arn().into_iter().collect();
    for tg in a
        .forward_config()
        .map(|f| f.target_groups())
        .unwrap_or_default()
    {
        if let Some(arn) = tg.target_group_arn().filter(|arn| !groups.contains(arn)) {
            groups.push(arn);
        }
    }
    ListenerAction {
        action_type: known(a.r#type().map(|t| t.as_str().to_string())),
        redirect_protocol: known(
            a.redirect_config()
                .and_then(|r| r.protocol())
                .map(str::to_string),
        ),
        target_groups: refs(groups),
    }
}

/// The tags of each ARN; a failed batch makes its resources' tags unknown.
async fn resource_tags(elb: &Client, arns: &[&str]) -> HashMap<String, Field<Tags>> {
    let mut out = HashMap::new();
    for chunk in arns.chunks(TAGS_PER_CALL) {
        let call = elb
            .describe_tags()
            .set_resource_arns(Some(chunk.iter().map(|a| a.to_string()).collect()));
        match call.send().await {
            Ok(resp) => {
                for d in resp.tag_descriptions() {
                    if let Some(arn) = d.resource_arn() {
                        let t = tags(d.tags().iter().map(|t| (t.key(), t.value())));
                        out.insert(arn.to_string(), t);
                    }
                }
            }
            Err(e) => {
                let u = why("elasticloadbalancing:DescribeTags", &e);
                for arn in chunk {
                    out.insert(arn.to_string(), Field::Unknown(u.clone()));
                }
            }
        }
    }
    out
}
