//! ECS clusters, services and task definitions; Application Auto Scaling; ECR.

use serde_json::Value;

use super::{Mapped, TfRef};
use crate::model::*;

pub fn map(t: &str, v: TfRef<'_>) -> Option<Mapped> {
    Some(match t {
        "aws_ecs_cluster" => {
            let name = v.get("name").string_nonempty();
            Mapped::new(EcsCluster { name: name.clone() }).id(&name)
        }
        "aws_ecs_service" => {
            let net = v.block("network_configuration");
            let load_balancers = v.get("load_balancer");
            let load_balancers = if load_balancers.is_unknown() {
                load_balancers.string().map(|_| Vec::new())
            } else {
                Field::Known(
                    load_balancers
                        .items()
                        .into_iter()
                        .map(|lb| ServiceLoadBalancer {
                            target_group: lb.get("target_group_arn").refs(),
                            container_name: lb.get("container_name").string_nonempty(),
                            container_port: lb.get("container_port").int(),
                        })
                        .collect(),
                )
            };
            let name = v.get("name").string_nonempty();
            Mapped::new(EcsService {
                name: name.clone(),
                cluster: v.get("cluster").refs(),
                desired_count: v.get("desired_count").int(),
                launch_type: v.get("launch_type").string_nonempty(),
                task_definition: v.get("task_definition").refs(),
                subnets: net.get("subnets").refs(),
                security_groups: net.get("security_groups").refs(),
                assign_public_ip: net.get("assign_public_ip").bool(),
                load_balancers,
            })
            .id(&name)
        }
        "aws_ecs_task_definition" => {
            let family = v.get("family").string_nonempty();
            let mut mapped = Mapped::new(TaskDefinition {
                family: family.clone(),
                cpu: v.get("cpu").int(),
                memory: v.get("memory").int(),
                task_role: v.get("task_role_arn").refs(),
                execution_role: v.get("execution_role_arn").refs(),
                containers: containers(v.get("container_definitions")),
            })
            .id(&family);
            if let (Some(f), Some(r)) = (family.get(), v.get("revision").int().get()) {
                mapped.identifiers.push(format!("{f}:{r}"));
            }
            mapped.id(&v.get("arn_without_revision").string_nonempty())
        }
        "aws_appautoscaling_target" => {
            let resource_id = v.get("resource_id");
            Mapped::new(ScalableTarget {
                resource_id: resource_id.string_nonempty(),
                resource_refs: if resource_id.is_unknown() {
                    resource_id.refs()
                } else {
                    Field::Absent
                },
                service_namespace: v.get("service_namespace").string_nonempty(),
                min_capacity: v.get("min_capacity").int(),
                max_capacity: v.get("max_capacity").int(),
            })
        }
        "aws_appautoscaling_policy" => {
            let resource_id = v.get("resource_id");
            let tt = v.block("target_tracking_scaling_policy_configuration");
            Mapped::new(ScalingPolicy {
                resource_id: resource_id.string_nonempty(),
                resource_refs: if resource_id.is_unknown() {
                    resource_id.refs()
                } else {
                    Field::Absent
                },
                policy_type: v.get("policy_type").string_nonempty(),
                target_value: tt.get("target_value").float(),
                predefined_metric: tt
                    .block("predefined_metric_specification")
                    .get("predefined_metric_type")
                    .string_nonempty(),
            })
        }
        "aws_ecr_repository" => {
            let name = v.get("name").string_nonempty();
            Mapped::new(EcrRepository {
                name: name.clone(),
                scan_on_push: v
                    .block("image_scanning_configuration")
                    .get("scan_on_push")
                    .bool(),
            })
            .id(&name)
            .id(&v.get("repository_url").string_nonempty())
        }
        "aws_ecr_lifecycle_policy" => Mapped::new(EcrLifecyclePolicy {
            repository: v.get("repository").refs(),
            policy: v.get("policy").string_nonempty(),
        }),
        "aws_ecr_registry_scanning_configuration" => {
            let rules = v.get("rule");
            let rules = if rules.is_unknown() {
                rules.string().map(|_| Vec::new())
            } else {
                Field::Known(
                    rules
                        .items()
                        .into_iter()
                        .map(|r| {
                            let filters = r
                                .get("repository_filter")
                                .items()
                                .into_iter()
                                .filter_map(|f| f.get("filter").string().get().cloned())
                                .collect();
                            let freq = r
                                .get("scan_frequency")
                                .string()
                                .get()
                                .cloned()
                                .unwrap_or_default();
                            (freq, filters)
                        })
                        .collect(),
                )
            };
            Mapped::new(EcrRegistryScanning { rules })
        }
        _ => return None,
    })
}

/// Parses `container_definitions` (JSON text). A sensitive text yields sensitive values.
fn containers(v: TfRef<'_>) -> Field<Vec<Container>> {
    let (text, sensitive) = match v.string() {
        Field::Known(t) => (t, false),
        Field::Sensitive(t) => (t, true),
        // Known parts of a `jsonencode` with unknown leaves (see `partial`).
        Field::Unknown(u) => {
            return v
                .partial_json()
                .map_or(Field::Unknown(u), |p| super::partial::containers(&p))
        }
        Field::Absent => return Field::Absent,
    };
    match parse_containers(&text, sensitive) {
        Ok(c) => Field::Known(c),
        Err(e) => Field::Unknown(Unknown::Unresolved(format!("container_definitions: {e}"))),
    }
}

/// Parses ECS container definitions JSON (also used by the live source's task definitions).
pub fn parse_containers(text: &str, sensitive: bool) -> Result<Vec<Container>, String> {
    let json: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let items = json.as_array().ok_or("not a list")?;
    Ok(items
        .iter()
        .map(|c| {
            let str_of = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
            let environment = c
                .get("environment")
                .and_then(Value::as_array)
                .map(|env| {
                    env.iter()
                        .filter_map(|e| {
                            let name = str_of(e, "name")?;
                            let value = match e.get("value") {
                                None | Some(Value::Null) => Field::Absent,
                                Some(Value::String(s)) if sensitive => Field::Sensitive(s.clone()),
                                Some(Value::String(s)) => Field::Known(s.clone()),
                                Some(other) if sensitive => Field::Sensitive(other.to_string()),
                                Some(other) => Field::Known(other.to_string()),
                            };
                            Some(EnvironmentVariable { name, value })
                        })
                        .collect()
                })
                .unwrap_or_default();
            let secrets = c
                .get("secrets")
                .and_then(Value::as_array)
                .map(|s| s.iter().filter_map(|e| str_of(e, "name")).collect())
                .unwrap_or_default();
            let health_check = c.get("healthCheck").map(|hc| ContainerHealthCheck {
                command: hc
                    .get("command")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                interval: match hc.get("interval").and_then(Value::as_i64) {
                    Some(i) => Field::Known(i),
                    None => Field::Absent,
                },
            });
            Container {
                name: str_of(c, "name").unwrap_or_default(),
                environment,
                secrets,
                health_check,
            }
        })
        .collect())
}
