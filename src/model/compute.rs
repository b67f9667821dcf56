//! ECS, Application Auto Scaling and ECR.

use super::{Field, Refs};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EcsCluster {
    pub name: Field<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceLoadBalancer {
    pub target_group: Refs,
    pub container_name: Field<String>,
    pub container_port: Field<i64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EcsService {
    pub name: Field<String>,
    pub cluster: Refs,
    pub desired_count: Field<i64>,
    pub launch_type: Field<String>,
    pub task_definition: Refs,
    /// `network_configuration.subnets`; absent without a network configuration.
    pub subnets: Refs,
    pub security_groups: Refs,
    pub assign_public_ip: Field<bool>,
    pub load_balancers: Field<Vec<ServiceLoadBalancer>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnvironmentVariable {
    pub name: String,
    /// Sensitive when the plan marks the container definitions sensitive.
    pub value: Field<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContainerHealthCheck {
    pub command: Vec<String>,
    pub interval: Field<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    pub name: String,
    pub environment: Vec<EnvironmentVariable>,
    /// Names of variables injected from Secrets Manager / SSM (`secrets[].name`).
    pub secrets: Vec<String>,
    pub health_check: Option<ContainerHealthCheck>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskDefinition {
    pub family: Field<String>,
    pub cpu: Field<i64>,
    pub memory: Field<i64>,
    pub task_role: Refs,
    pub execution_role: Refs,
    pub containers: Field<Vec<Container>>,
    /// `network_mode` (`awsvpc`, `bridge`, `host`, `none`); absent: ECS's default, `bridge`
    /// on Linux.
    pub network_mode: Field<String>,
}

/// `aws_appautoscaling_target`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScalableTarget {
    /// `service/<cluster>/<service>` for ECS.
    pub resource_id: Field<String>,
    /// What `resource_id` refers to when its value is not yet known.
    pub resource_refs: Refs,
    pub service_namespace: Field<String>,
    pub min_capacity: Field<i64>,
    pub max_capacity: Field<i64>,
}

/// `aws_appautoscaling_policy`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScalingPolicy {
    pub resource_id: Field<String>,
    pub resource_refs: Refs,
    pub policy_type: Field<String>,
    pub target_value: Field<f64>,
    pub predefined_metric: Field<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EcrRepository {
    pub name: Field<String>,
    pub scan_on_push: Field<bool>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EcrLifecyclePolicy {
    pub repository: Refs,
    /// The lifecycle policy JSON.
    pub policy: Field<String>,
}

/// `aws_ecr_registry_scanning_configuration`: account-wide scanning rules.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EcrRegistryScanning {
    /// (scan frequency, repository filters) per rule.
    pub rules: Field<Vec<(String, Vec<String>)>>,
}
