//! Load balancers, listeners, target groups and WAF.

use super::{Field, Refs};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LoadBalancer {
    pub name: Field<String>,
    /// `application` (default), `network`, `gateway`.
    pub load_balancer_type: Field<String>,
    pub internal: Field<bool>,
    pub subnets: Refs,
    pub security_groups: Refs,
}

impl LoadBalancer {
    pub fn is_application(&self) -> Field<bool> {
        self.load_balancer_type
            .clone()
            .or_default_value("application".to_string())
            .map(|t| t == "application")
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListenerAction {
    /// `forward`, `redirect`, `fixed-response`, `authenticate-*`.
    pub action_type: Field<String>,
    /// For redirects: the target protocol (`HTTPS`, or `#{protocol}` = unchanged).
    pub redirect_protocol: Field<String>,
    pub target_groups: Refs,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Listener {
    pub load_balancer: Refs,
    pub port: Field<i64>,
    pub protocol: Field<String>,
    pub ssl_policy: Field<String>,
    pub default_actions: Field<Vec<ListenerAction>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct HealthCheck {
    pub enabled: Field<bool>,
    pub path: Field<String>,
    pub interval: Field<i64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TargetGroup {
    pub name: Field<String>,
    pub port: Field<i64>,
    pub protocol: Field<String>,
    pub target_type: Field<String>,
    pub health_check: HealthCheck,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct WebAcl {
    pub name: Field<String>,
    pub scope: Field<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct WebAclAssociation {
    pub resource: Refs,
    pub web_acl: Refs,
}
