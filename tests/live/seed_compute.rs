//! Seeds compute: the plan's ECR repositories, lifecycle policies and registry scanning
//! configuration; ECS clusters, task definitions and services; Application Auto Scaling
//! targets and policies. Target groups come from the edge seeder, subnets and security
//! groups from the network seeder (the default VPC's subnets stand in while it has none),
//! IAM roles from the identity seeder (left out while it has none).

use std::collections::HashMap;

use aws_sdk_applicationautoscaling as aas;
use aws_sdk_ecr as ecr;
use aws_sdk_ecs as ecs;
use cbaudit::model::{
    EcrLifecyclePolicy, EcrRegistryScanning, EcrRepository, EcsCluster, EcsService, Field, IamRole,
    ResId, Resolution, ScalableTarget, ScalingPolicy, SecurityGroup, Subnet, TargetGroup,
    TaskDefinition,
};

use super::seed::Seeder;
use super::seed_edge::{default_subnets, name_for};

pub async fn seed(s: &mut Seeder) {
    ecr_repositories(s).await;
    let services = ecs_services(s).await;
    autoscaling(s, &services).await;
}

fn all<T: cbaudit::model::BodyType + Clone>(s: &Seeder) -> Vec<(ResId, T)> {
    s.plan.all::<T>().map(|r| (r.id, r.data.clone())).collect()
}

async fn ecr_repositories(s: &mut Seeder) {
    let client = ecr::Client::new(&s.sdk);
    let mut arns = HashMap::new();
    for (id, repo) in all::<EcrRepository>(s) {
        let name = name_for(s, id, &repo.name).to_ascii_lowercase();
        let scanning = repo.scan_on_push.get().map(|on| {
            ecr::types::ImageScanningConfiguration::builder()
                .scan_on_push(*on)
                .build()
        });
        let resp = client
            .create_repository()
            .repository_name(&name)
            .set_image_scanning_configuration(scanning)
            .send()
            .await
            .expect("CreateRepository");
        let arn = resp
            .repository()
            .and_then(|r| r.repository_arn())
            .expect("repository ARN");
        arns.insert(name.clone(), arn.to_string());
        s.owns(arn, id);
        s.created(id, name);
    }
    for (id, lp) in all::<EcrLifecyclePolicy>(s) {
        let repo = s.ids::<EcrRepository>(&lp.repository).into_iter().next();
        // A policy the plan does not know cannot be seeded.
        let (Some(repo), Some(text)) = (repo, lp.policy.get()) else {
            eprintln!("seed_compute: cannot seed {}", s.plan.get(id).address());
            continue;
        };
        client
            .put_lifecycle_policy()
            .repository_name(&repo)
            .lifecycle_policy_text(text)
            .send()
            .await
            .expect("PutLifecyclePolicy");
        let arn = arns
            .get(&repo)
            .cloned()
            .unwrap_or_else(|| s.arn("ecr", &format!("repository/{repo}")));
        s.owns(format!("{arn}/lifecycle-policy"), id);
    }
    for (id, cfg) in all::<EcrRegistryScanning>(s) {
        let rules: Vec<(String, Vec<String>)> = cfg.rules.get().cloned().unwrap_or_default();
        let enhanced = rules.iter().any(|(f, _)| f == "CONTINUOUS_SCAN");
        let rules = rules
            .iter()
            .map(|(frequency, filters)| {
                let filters = filters
                    .iter()
                    .map(|f| {
                        ecr::types::ScanningRepositoryFilter::builder()
                            .filter(f)
                            .filter_type(ecr::types::ScanningRepositoryFilterType::Wildcard)
                            .build()
                            .expect("filter")
                    })
                    .collect();
                ecr::types::RegistryScanningRule::builder()
                    .scan_frequency(ecr::types::ScanFrequency::from(frequency.as_str()))
                    .set_repository_filters(Some(filters))
                    .build()
                    .expect("rule")
            })
            .collect();
        let scan_type = if enhanced {
            ecr::types::ScanType::Enhanced
        } else {
            ecr::types::ScanType::Basic
        };
        client
            .put_registry_scanning_configuration()
            .scan_type(scan_type)
            .set_rules(Some(rules))
            .send()
            .await
            .expect("PutRegistryScanningConfiguration");
        s.owns(s.arn("ecr", "registry-scanning-configuration"), id);
    }
}

/// Creates clusters, task definitions and services; returns each plan service's
/// `service/<cluster>/<service>` resource id.
async fn ecs_services(s: &mut Seeder) -> HashMap<ResId, String> {
    let client = ecs::Client::new(&s.sdk);
    let mut cluster_names = HashMap::new();
    for (id, c) in all::<EcsCluster>(s) {
        let name = name_for(s, id, &c.name);
        let resp = client
            .create_cluster()
            .cluster_name(&name)
            .send()
            .await
            .expect("CreateCluster");
        let arn = resp
            .cluster()
            .and_then(|c| c.cluster_arn())
            .expect("cluster ARN")
            .to_string();
        cluster_names.insert(arn.clone(), name);
        s.created(id, arn.clone());
        s.owns(arn, id);
    }
    for (id, td) in all::<TaskDefinition>(s) {
        let role = |refs| s.ids::<IamRole>(refs).into_iter().next();
        let containers = td.containers.get().cloned().unwrap_or_default();
        let mut definitions: Vec<_> = containers.iter().map(container).collect();
        if definitions.is_empty() {
            definitions.push(container(&cbaudit::model::Container {
                name: "app".into(),
                environment: Vec::new(),
                secrets: Vec::new(),
                health_check: None,
            }));
        }
        let resp = client
            .register_task_definition()
            .family(name_for(s, id, &td.family))
            .set_cpu(td.cpu.get().map(i64::to_string))
            .set_memory(td.memory.get().map(i64::to_string))
            .set_task_role_arn(role(&td.task_role))
            .set_execution_role_arn(role(&td.execution_role))
            .network_mode(ecs::types::NetworkMode::Awsvpc)
            .requires_compatibilities(ecs::types::Compatibility::Fargate)
            .set_container_definitions(Some(definitions))
            .send()
            .await
            .expect("RegisterTaskDefinition");
        let arn = resp
            .task_definition()
            .and_then(|t| t.task_definition_arn())
            .expect("ARN");
        let arn = arn.to_string();
        s.created(id, arn.clone());
        s.owns(arn, id);
    }
    let mut resource_ids = HashMap::new();
    for (id, svc) in all::<EcsService>(s) {
        let cluster = s.ids::<EcsCluster>(&svc.cluster).into_iter().next();
        let task = s
            .ids::<TaskDefinition>(&svc.task_definition)
            .into_iter()
            .next();
        let (Some(cluster), Some(task)) = (cluster, task) else {
            eprintln!("seed_compute: cannot seed {}", s.plan.get(id).address());
            continue;
        };
        let network = if svc.subnets.is_absent() && svc.security_groups.is_absent() {
            None
        } else {
            let mut subnets = s.ids::<Subnet>(&svc.subnets);
            if subnets.is_empty() {
                subnets = default_subnets(s).await;
            }
            let groups = s.ids::<SecurityGroup>(&svc.security_groups);
            let public = svc.assign_public_ip.get().map(|p| {
                if *p {
                    ecs::types::AssignPublicIp::Enabled
                } else {
                    ecs::types::AssignPublicIp::Disabled
                }
            });
            let vpc = ecs::types::AwsVpcConfiguration::builder()
                .set_subnets(Some(subnets))
                .set_security_groups(Some(groups).filter(|g| !g.is_empty()))
                .set_assign_public_ip(public)
                .build()
                .expect("awsvpc configuration");
            Some(
                ecs::types::NetworkConfiguration::builder()
                    .awsvpc_configuration(vpc)
                    .build(),
            )
        };
        let load_balancers = svc.load_balancers.get().map(|lbs| {
            lbs.iter()
                .map(|lb| {
                    ecs::types::LoadBalancer::builder()
                        .set_target_group_arn(
                            s.ids::<TargetGroup>(&lb.target_group).into_iter().next(),
                        )
                        .set_container_name(lb.container_name.get().cloned())
                        .set_container_port(lb.container_port.get().map(|p| *p as i32))
                        .build()
                })
                .collect()
        });
        let name = name_for(s, id, &svc.name);
        let resp = client
            .create_service()
            .cluster(&cluster)
            .service_name(&name)
            .task_definition(task)
            .set_desired_count(svc.desired_count.get().map(|n| *n as i32))
            .set_launch_type(
                svc.launch_type
                    .get()
                    .map(|t| ecs::types::LaunchType::from(t.as_str())),
            )
            .set_network_configuration(network)
            .set_load_balancers(load_balancers)
            .send()
            .await
            .expect("CreateService");
        let arn = resp
            .service()
            .and_then(|s| s.service_arn())
            .expect("service ARN")
            .to_string();
        let cluster_name = cluster_names
            .get(&cluster)
            .cloned()
            .unwrap_or_else(|| cluster.rsplit('/').next().unwrap_or_default().to_string());
        resource_ids.insert(id, format!("service/{cluster_name}/{name}"));
        s.created(id, arn.clone());
        s.owns(arn, id);
    }
    resource_ids
}

/// A container definition from the model's container.
fn container(c: &cbaudit::model::Container) -> ecs::types::ContainerDefinition {
    let environment = c
        .environment
        .iter()
        .map(|e| {
            ecs::types::KeyValuePair::builder()
                .name(&e.name)
                .set_value(e.value.get().cloned())
                .build()
        })
        .collect();
    let secrets = c
        .secrets
        .iter()
        .map(|name| {
            let from = format!("arn:aws:secretsmanager:eu-west-2:123456789012:secret:{name}");
            ecs::types::Secret::builder()
                .name(name)
                .value_from(from)
                .build()
                .expect("secret")
        })
        .collect();
    let health_check = c.health_check.as_ref().map(|hc| {
        ecs::types::HealthCheck::builder()
            .set_command(Some(hc.command.clone()))
            .set_interval(hc.interval.get().map(|i| *i as i32))
            .build()
            .expect("health check")
    });
    ecs::types::ContainerDefinition::builder()
        .name(&c.name)
        .image("public.ecr.aws/docker/library/busybox:latest")
        .essential(true)
        .set_environment(Some(environment))
        .set_secrets(Some(secrets))
        .set_health_check(health_check)
        .build()
}

/// The `resource_id` a target or policy acts on: its own, else that of the service (or
/// target) its references name.
fn resource_id(
    s: &Seeder,
    own: &Field<String>,
    refs: &cbaudit::model::Refs,
    services: &HashMap<ResId, String>,
) -> Option<String> {
    if let Some(id) = own.get() {
        return Some(id.clone());
    }
    if let Resolution::Known { found, .. } = s.plan.resolve::<EcsService>(refs) {
        if let Some(id) = found.iter().find_map(|r| services.get(&r.id)) {
            return Some(id.clone());
        }
    }
    s.ids::<ScalableTarget>(refs).into_iter().next()
}

async fn autoscaling(s: &mut Seeder, services: &HashMap<ResId, String>) {
    let client = aas::Client::new(&s.sdk);
    let dimension = aas::types::ScalableDimension::EcsServiceDesiredCount;
    for (id, t) in all::<ScalableTarget>(s) {
        let Some(resource) = resource_id(s, &t.resource_id, &t.resource_refs, services) else {
            eprintln!("seed_compute: cannot seed {}", s.plan.get(id).address());
            continue;
        };
        let ns = t.service_namespace.get().map_or("ecs", String::as_str);
        let resp = client
            .register_scalable_target()
            .service_namespace(aas::types::ServiceNamespace::from(ns))
            .resource_id(&resource)
            .scalable_dimension(dimension.clone())
            .min_capacity(t.min_capacity.get().map_or(1, |n| *n as i32))
            .max_capacity(t.max_capacity.get().map_or(1, |n| *n as i32))
            .send()
            .await
            .expect("RegisterScalableTarget");
        let arn = resp.scalable_target_arn().map_or_else(
            || {
                s.arn(
                    "application-autoscaling",
                    &format!("scalable-target/{ns}/{resource}/{}", dimension.as_str()),
                )
            },
            str::to_string,
        );
        s.owns(arn, id);
        s.created(id, resource);
    }
    for (id, p) in all::<ScalingPolicy>(s) {
        let Some(resource) = resource_id(s, &p.resource_id, &p.resource_refs, services) else {
            eprintln!("seed_compute: cannot seed {}", s.plan.get(id).address());
            continue;
        };
        let kind = p.policy_type.get().map_or("StepScaling", String::as_str);
        let mut call = client
            .put_scaling_policy()
            .policy_name(name_for(s, id, &Field::Absent))
            .service_namespace(aas::types::ServiceNamespace::Ecs)
            .resource_id(&resource)
            .scalable_dimension(dimension.clone())
            .policy_type(aas::types::PolicyType::from(kind));
        if kind == "TargetTrackingScaling" {
            let metric = p.predefined_metric.get().map(|m| {
                aas::types::PredefinedMetricSpecification::builder()
                    .predefined_metric_type(aas::types::MetricType::from(m.as_str()))
                    .build()
                    .expect("metric")
            });
            let config = aas::types::TargetTrackingScalingPolicyConfiguration::builder()
                .target_value(p.target_value.get().copied().unwrap_or(50.0))
                .set_predefined_metric_specification(metric)
                .build()
                .expect("target tracking");
            call = call.target_tracking_scaling_policy_configuration(config);
        } else {
            let step = aas::types::StepAdjustment::builder()
                .scaling_adjustment(1)
                .metric_interval_lower_bound(0.0)
                .build()
                .expect("step");
            let config = aas::types::StepScalingPolicyConfiguration::builder()
                .adjustment_type(aas::types::AdjustmentType::ChangeInCapacity)
                .step_adjustments(step)
                .build();
            call = call.step_scaling_policy_configuration(config);
        }
        let resp = call.send().await.expect("PutScalingPolicy");
        s.owns(resp.policy_arn().to_string(), id);
    }
}
