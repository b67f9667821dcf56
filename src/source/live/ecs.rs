//! ECS clusters, services and task definitions, mapped like
//! `aws_ecs_cluster`, `aws_ecs_service` and `aws_ecs_task_definition`; and Application Auto
//! Scaling's ECS targets and policies, mapped like `aws_appautoscaling_target` and
//! `aws_appautoscaling_policy` (`terraform/map/compute.rs`).
//!
//! Calls (IAM actions), ECS reader: `ecs:ListClusters`, `ecs:DescribeClusters` (100 per call,
//! with tags), `ecs:ListServices` (per cluster), `ecs:DescribeServices` (10 per call, with
//! tags), `ecs:ListTaskDefinitions` (`status=ACTIVE`, paginated) and
//! `ecs:DescribeTaskDefinition` (per task definition, with tags: every ACTIVE revision of
//! every family, whether a service runs it, a scheduled or standalone task does, or nothing
//! does, plus any INACTIVE revision a service still runs). INACTIVE (deregistered) revisions
//! no service runs are not read: no new task or service can be started from them (ECS
//! Developer Guide, "Deregistering an Amazon ECS task definition revision"; ECS API
//! Reference, `DeregisterTaskDefinition`). When the listing
//! fails, the task definitions the services run are still read and the failure is a gap:
//! the rules on task definitions say what may be missing. Application Auto Scaling reader:
//! `application-autoscaling:DescribeScalableTargets` and
//! `application-autoscaling:DescribeScalingPolicies`, both for the `ecs` namespace.
//!
//! Container environment values may be secrets (that is what CB-ECS-006 looks for): they are
//! read as [`Field::Sensitive`] and listed in the task definition's `secrets`, so no output
//! shows them. Scalable targets' tags are not read (unknown).

use std::collections::BTreeSet;

use aws_sdk_applicationautoscaling::types::ServiceNamespace;
use aws_sdk_ecs::types::{
    AssignPublicIp, ClusterField, ContainerDefinition, ServiceField, TaskDefinitionField,
    TaskDefinitionStatus,
};
use aws_sdk_ecs::Client;

use crate::model::{
    ident, Container, ContainerHealthCheck, EcsCluster, EcsService, EnvironmentVariable, Field,
    Kind, ScalableTarget, ScalingPolicy, ServiceLoadBalancer, Tags, TaskDefinition, Unknown,
};

use super::calls::{bounded, merge};
use super::ctx::{client, known, refs, tags};
use super::{Batch, Ctx};

pub const KINDS: &[Kind] = &[Kind::EcsCluster, Kind::EcsService, Kind::TaskDefinition];
pub const AUTOSCALING_KINDS: &[Kind] = &[Kind::ScalableTarget, Kind::ScalingPolicy];

/// DescribeClusters takes at most 100 clusters, DescribeServices 10 services.
const CLUSTERS_PER_CALL: usize = 100;
const SERVICES_PER_CALL: usize = 10;

pub async fn read(ctx: &Ctx, out: &mut Batch) {
    let ecs = client!(ctx, aws_sdk_ecs);
    let listing = ecs.list_clusters().into_paginator().items().send();
    let Some(arns) = out.all(listing, KINDS, "ecs:ListClusters").await else {
        return;
    };
    clusters(ctx, &ecs, &arns, out).await;
    let mut task_definitions = BTreeSet::new();
    for cluster in &arns {
        services(ctx, &ecs, cluster, &mut task_definitions, out).await;
    }
    // Every ACTIVE revision, not only those services run: a scheduled or standalone task's
    // definition, or an older revision, may hold a plaintext secret too.
    let listing = ecs
        .list_task_definitions()
        .status(TaskDefinitionStatus::Active)
        .into_paginator()
        .items()
        .send();
    let kinds = [Kind::TaskDefinition];
    let listed = out.all(listing, &kinds, "ecs:ListTaskDefinitions").await;
    task_definitions.extend(listed.unwrap_or_default());
    let batches = bounded(task_definitions.into_iter().collect(), |td| {
        let (ctx, ecs) = (ctx.clone(), ecs.clone());
        async move {
            let mut out = Batch::default();
            task_definition(&ctx, &ecs, &td, &mut out).await;
            out
        }
    })
    .await;
    merge(out, batches);
}

async fn clusters(ctx: &Ctx, ecs: &Client, arns: &[String], out: &mut Batch) {
    for chunk in arns.chunks(CLUSTERS_PER_CALL) {
        let call = ecs
            .describe_clusters()
            .set_clusters(Some(chunk.to_vec()))
            .include(ClusterField::Tags);
        let resp = match call.send().await {
            Ok(r) => r,
            Err(e) => {
                out.gap(&[Kind::EcsCluster], "ecs:DescribeClusters", &e);
                continue;
            }
        };
        for c in resp.clusters() {
            let (Some(arn), Some(name)) = (c.cluster_arn(), c.cluster_name()) else {
                continue;
            };
            let model = EcsCluster {
                name: Field::Known(name.to_string()),
            };
            let tags = tags(c.tags().iter().map(|t| (t.key(), t.value())));
            let ids = vec![name.to_string()];
            out.push(ctx.resource("aws_ecs_cluster", arn.to_string(), ids, tags, model));
        }
    }
}

/// The services of `cluster`; collects the task definitions they run.
async fn services(
    ctx: &Ctx,
    ecs: &Client,
    cluster: &str,
    task_definitions: &mut BTreeSet<String>,
    out: &mut Batch,
) {
    let kinds = [Kind::EcsService, Kind::TaskDefinition];
    let listing = ecs
        .list_services()
        .cluster(cluster)
        .into_paginator()
        .items()
        .send();
    let Some(arns) = out.all(listing, &kinds, "ecs:ListServices").await else {
        return;
    };
    for chunk in arns.chunks(SERVICES_PER_CALL) {
        let call = ecs
            .describe_services()
            .cluster(cluster)
            .set_services(Some(chunk.to_vec()))
            .include(ServiceField::Tags);
        let resp = match call.send().await {
            Ok(r) => r,
            Err(e) => {
                out.gap(&kinds, "ecs:DescribeServices", &e);
                continue;
            }
        };
        for s in resp.services() {
            let (Some(arn), Some(name)) = (s.service_arn(), s.service_name()) else {
                continue;
            };
            task_definitions.extend(s.task_definition().map(str::to_string));
            let net = s
                .network_configuration()
                .and_then(|n| n.awsvpc_configuration());
            let listed = |ids: &[String]| Field::Known(ids.iter().map(ident).collect());
            let model = EcsService {
                name: Field::Known(name.to_string()),
                cluster: refs(s.cluster_arn().or(Some(cluster))),
                desired_count: Field::Known(i64::from(s.desired_count())),
                launch_type: known(s.launch_type().map(|t| t.as_str().to_string())),
                task_definition: refs(s.task_definition()),
                subnets: net.map_or(Field::Absent, |n| listed(n.subnets())),
                security_groups: net.map_or(Field::Absent, |n| listed(n.security_groups())),
                assign_public_ip: known(
                    net.and_then(|n| n.assign_public_ip())
                        .map(|a| *a == AssignPublicIp::Enabled),
                ),
                load_balancers: Field::Known(
                    s.load_balancers()
                        .iter()
                        .map(|lb| ServiceLoadBalancer {
                            target_group: refs(lb.target_group_arn()),
                            container_name: known(lb.container_name().map(str::to_string)),
                            container_port: known(lb.container_port().map(i64::from)),
                        })
                        .collect(),
                ),
            };
            let tags = tags(s.tags().iter().map(|t| (t.key(), t.value())));
            let ids = vec![name.to_string()];
            out.push(ctx.resource("aws_ecs_service", arn.to_string(), ids, tags, model));
        }
    }
}

async fn task_definition(ctx: &Ctx, ecs: &Client, arn: &str, out: &mut Batch) {
    let call = ecs
        .describe_task_definition()
        .task_definition(arn)
        .include(TaskDefinitionField::Tags);
    let resp = match call.send().await {
        Ok(r) => r,
        Err(e) => {
            return out.gap(&[Kind::TaskDefinition], "ecs:DescribeTaskDefinition", &e);
        }
    };
    let Some(td) = resp.task_definition() else {
        return;
    };
    let arn = td.task_definition_arn().unwrap_or(arn).to_string();
    let mut secrets = Vec::new();
    let containers = td
        .container_definitions()
        .iter()
        .map(|c| container(c, &mut secrets))
        .collect();
    let model = TaskDefinition {
        family: known(td.family().map(str::to_string)),
        cpu: size(td.cpu(), "vCPU"),
        memory: size(td.memory(), "GB"),
        task_role: refs(td.task_role_arn()),
        execution_role: refs(td.execution_role_arn()),
        containers: Field::Known(containers),
        network_mode: known(td.network_mode().map(|m| m.as_str().to_string())),
    };
    // Known by family, family:revision, and the ARN with and without its revision.
    let mut ids = Vec::new();
    if let Some(family) = td.family() {
        ids.push(family.to_string());
        ids.push(format!("{family}:{}", td.revision()));
    }
    if let Some((without, _)) = arn.rsplit_once(':') {
        ids.push(without.to_string());
    }
    let tags = tags(resp.tags().iter().map(|t| (t.key(), t.value())));
    let mut r = ctx.resource("aws_ecs_task_definition", arn, ids, tags, model);
    r.secrets = secrets;
    out.push(r);
}

/// A container; its environment values are sensitive and added to `secrets`.
fn container(c: &ContainerDefinition, secrets: &mut Vec<String>) -> Container {
    let environment = c
        .environment()
        .iter()
        .filter_map(|kv| {
            let value = match kv.value() {
                Some(v) => {
                    if !v.is_empty() {
                        secrets.push(v.to_string());
                    }
                    Field::Sensitive(v.to_string())
                }
                None => Field::Absent,
            };
            Some(EnvironmentVariable {
                name: kv.name()?.to_string(),
                value,
            })
        })
        .collect();
    Container {
        name: c.name().unwrap_or_default().to_string(),
        environment,
        secrets: c.secrets().iter().map(|s| s.name().to_string()).collect(),
        health_check: c.health_check().map(|hc| ContainerHealthCheck {
            command: hc.command().to_vec(),
            interval: known(hc.interval().map(i64::from)),
        }),
    }
}

/// A task-level size: CPU units or MiB (`"512"`); `"0.5 vCPU"` / `"2 GB"` are converted.
fn size(value: Option<&str>, unit: &str) -> Field<i64> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Field::Absent;
    };
    if let Ok(n) = v.parse() {
        return Field::Known(n);
    }
    let scaled = v
        .strip_suffix(unit)
        .and_then(|n| n.trim().parse::<f64>().ok())
        .map(|n| (n * 1024.0).round() as i64);
    match scaled {
        Some(n) => Field::Known(n),
        None => Field::Unknown(Unknown::failed(
            "ecs:DescribeTaskDefinition",
            format!("unrecognised task size {v:?}"),
        )),
    }
}

pub async fn read_autoscaling(ctx: &Ctx, out: &mut Batch) {
    let aas = client!(ctx, aws_sdk_applicationautoscaling);
    let listing = aas
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .into_paginator()
        .items()
        .send();
    let permission = "application-autoscaling:DescribeScalableTargets";
    let targets = out.all(listing, &[Kind::ScalableTarget], permission).await;
    for t in targets.unwrap_or_default() {
        let (ns, id) = (t.service_namespace().as_str(), t.resource_id());
        let address = t.scalable_target_arn().map_or_else(
            || {
                let dimension = t.scalable_dimension().as_str();
                ctx.arn(
                    "application-autoscaling",
                    &format!("scalable-target/{ns}/{id}/{dimension}"),
                )
            },
            str::to_string,
        );
        let model = ScalableTarget {
            resource_id: Field::Known(id.to_string()),
            resource_refs: Field::Absent,
            service_namespace: Field::Known(ns.to_string()),
            min_capacity: Field::Known(i64::from(t.min_capacity())),
            max_capacity: Field::Known(i64::from(t.max_capacity())),
        };
        let tags = Field::Unknown(Unknown::NotInInputs(
            "the scalable target's tags (not read by the live source)".into(),
        ));
        let r = ctx.resource(
            "aws_appautoscaling_target",
            address,
            Vec::new(),
            tags,
            model,
        );
        out.push(r);
    }
    let listing = aas
        .describe_scaling_policies()
        .service_namespace(ServiceNamespace::Ecs)
        .into_paginator()
        .items()
        .send();
    let permission = "application-autoscaling:DescribeScalingPolicies";
    let Some(policies) = out.all(listing, &[Kind::ScalingPolicy], permission).await else {
        return;
    };
    for p in policies {
        let tt = p.target_tracking_scaling_policy_configuration();
        let model = ScalingPolicy {
            resource_id: Field::Known(p.resource_id().to_string()),
            resource_refs: Field::Absent,
            policy_type: Field::Known(p.policy_type().as_str().to_string()),
            target_value: known(tt.map(|t| t.target_value())),
            predefined_metric: known(
                tt.and_then(|t| t.predefined_metric_specification())
                    .map(|m| m.predefined_metric_type().as_str().to_string()),
            ),
        };
        // Scaling policies have no tags.
        let tags = Field::Known(Tags::new());
        let ids = vec![p.policy_name().to_string()];
        let r = ctx.resource(
            "aws_appautoscaling_policy",
            p.policy_arn().to_string(),
            ids,
            tags,
            model,
        );
        out.push(r);
    }
}
