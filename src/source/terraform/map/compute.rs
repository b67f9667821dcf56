//! ECS clusters, services and task definitions; Application Auto Scaling; ECR.

use serde::de::{DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
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
                cpu: task_size(v.get("cpu"), "vcpu"),
                memory: task_size(v.get("memory"), "gb"),
                task_role: v.get("task_role_arn").refs(),
                execution_role: v.get("execution_role_arn").refs(),
                containers: containers(v.get("container_definitions")),
                network_mode: v.get("network_mode").string_nonempty(),
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

/// A task-level `cpu` (CPU units) or `memory` (MiB): an integer, or a string in vCPUs
/// (`"0.5 vCPU"`, `"1 vcpu"`) or GB (`"2 GB"`, `"2GB"`), which ECS converts to units and MiB
/// (x 1024) when it registers the task definition (ECS API reference,
/// RegisterTaskDefinition `cpu` / `memory`).
fn task_size(v: TfRef<'_>, unit: &str) -> Field<i64> {
    let scaled = |s: &str| -> Option<i64> {
        let lower = s.trim().to_ascii_lowercase();
        let n: f64 = lower.strip_suffix(unit)?.trim().parse().ok()?;
        let units = n * 1024.0;
        (units.fract() == 0.0 && units >= 0.0).then_some(units as i64)
    };
    match v.int() {
        Field::Unknown(Unknown::Unresolved(_)) => match v.string() {
            Field::Known(s) => scaled(&s).map_or_else(
                || Field::Unknown(Unknown::Unresolved(format!("`{s}` is not a task size"))),
                Field::Known,
            ),
            Field::Sensitive(s) => scaled(&s).map_or_else(
                || Field::Unknown(Unknown::Unresolved("not a task size".into())),
                Field::Sensitive,
            ),
            // Unknown or absent: nothing to convert.
            other => other.map(|_| 0),
        },
        other => other,
    }
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

/// A JSON object with its keys in document order, duplicates kept: the order decides which
/// of two keys differing in case the provider keeps.
struct Obj(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Obj {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Obj, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Obj;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Obj, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Box<RawValue>>()? {
                    out.push((k, v));
                }
                Ok(Obj(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Folds a key as Go's `encoding/json` compares names: case-insensitively, with the two
/// non-ASCII letters that fold onto ASCII ones (`ſ` = `s`, the Kelvin sign = `k`).
fn fold(key: &str) -> String {
    key.chars()
        .map(|c| match c {
            '\u{17F}' => 's',
            '\u{212A}' => 'k',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

impl Obj {
    /// The value of `key` as the AWS provider reads it: it decodes the JSON into the ECS
    /// SDK's Go structs with `encoding/json`, which matches keys case-insensitively
    /// (`Environment`, `environment`, `ENVIRONMENT`), and when several keys match, the last
    /// one in the document wins (golang/go#43664, #47984). `None` when absent or not of the
    /// type asked for (the provider would reject the document).
    fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let want = fold(key);
        let (_, raw) = self.0.iter().rev().find(|(k, _)| fold(k) == want)?;
        serde_json::from_str(raw.get()).ok()
    }

    fn string(&self, key: &str) -> Option<String> {
        self.get(key)
    }
}

/// Parses ECS container definitions JSON (also used by the live source's task definitions).
/// Keys match in any case, as the provider matches them (it stores them in camel case).
pub fn parse_containers(text: &str, sensitive: bool) -> Result<Vec<Container>, String> {
    let items: Vec<Obj> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(items
        .iter()
        .map(|c| {
            let environment = c
                .get::<Vec<Obj>>("environment")
                .map(|env| {
                    env.iter()
                        .filter_map(|e| {
                            let name = e.string("name")?;
                            let value = match e.get::<Value>("value") {
                                None | Some(Value::Null) => Field::Absent,
                                Some(Value::String(s)) if sensitive => Field::Sensitive(s),
                                Some(Value::String(s)) => Field::Known(s),
                                Some(other) if sensitive => Field::Sensitive(other.to_string()),
                                Some(other) => Field::Known(other.to_string()),
                            };
                            Some(EnvironmentVariable { name, value })
                        })
                        .collect()
                })
                .unwrap_or_default();
            let secrets = c
                .get::<Vec<Obj>>("secrets")
                .map(|s| s.iter().filter_map(|e| e.string("name")).collect())
                .unwrap_or_default();
            let health_check = c.get::<Obj>("healthCheck").map(|hc| ContainerHealthCheck {
                command: hc
                    .get::<Vec<Value>>("command")
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                interval: match hc.get::<i64>("interval") {
                    Some(i) => Field::Known(i),
                    None => Field::Absent,
                },
            });
            Container {
                name: c.string("name").unwrap_or_default(),
                environment,
                secrets,
                health_check,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_sizes_in_vcpu_and_gb_are_units_and_mib() {
        use crate::source::terraform::TfValue;
        let size = |s: &str, unit| task_size(TfRef::plain(&TfValue::String(s.into())), unit);
        assert_eq!(size("512", "vcpu"), Field::Known(512));
        assert_eq!(size("0.5 vCPU", "vcpu"), Field::Known(512));
        assert_eq!(size("2 vcpu", "vcpu"), Field::Known(2048));
        assert_eq!(size("1GB", "gb"), Field::Known(1024));
        assert_eq!(size("4 GB", "gb"), Field::Known(4096));
        assert!(size("lots", "gb").unknown().is_some());
        let n = TfValue::Number(1024.0);
        assert_eq!(task_size(TfRef::plain(&n), "gb"), Field::Known(1024));
    }

    #[test]
    fn container_keys_match_in_any_case() {
        let text = r#"[{"Name": "api", "Environment": [{"Name": "DB_PASSWORD", "VALUE": "hunter22"}],
            "SECRETS": [{"NAME": "API_KEY", "ValueFrom": "arn:aws:ssm:eu-west-1:1:parameter/k"}],
            "HealthCheck": {"Command": ["CMD", "true"], "Interval": 10}}]"#;
        let c = &parse_containers(text, false).unwrap()[0];
        assert_eq!(c.name, "api");
        assert_eq!(c.environment.len(), 1);
        assert_eq!(c.environment[0].name, "DB_PASSWORD");
        assert_eq!(c.environment[0].value, Field::Known("hunter22".into()));
        assert_eq!(c.secrets, ["API_KEY"]);
        let hc = c.health_check.as_ref().unwrap();
        assert_eq!(hc.command, ["CMD", "true"]);
        assert_eq!(hc.interval, Field::Known(10));
    }

    #[test]
    fn keys_differing_in_case_the_last_wins_as_in_go() {
        let text = r#"[{"name": "a", "environment": [], "Environment": [{"name": "X", "value": "1"}]},
            {"Name": "b", "Environment": [{"name": "X", "value": "1"}], "environment": []},
            {"name": "c", "ſecrets": [{"name": "S"}]}]"#;
        let c = parse_containers(text, false).unwrap();
        assert_eq!(c[0].environment.len(), 1, "the later `Environment` wins");
        assert!(c[1].environment.is_empty(), "the later `environment` wins");
        assert_eq!(c[2].secrets, ["S"], "Go folds ſ onto s");
    }

    #[test]
    fn sensitive_text_gives_sensitive_values_and_bad_json_is_an_error() {
        let text = r#"[{"name": "a", "environment": [{"name": "T", "value": 5}]}]"#;
        let c = parse_containers(text, true).unwrap();
        assert_eq!(c[0].environment[0].value, Field::Sensitive("5".into()));
        assert!(parse_containers("{}", false).is_err());
    }
}
