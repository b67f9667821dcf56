//! Shared by the CB-ECS-* rules: the documented services, their task definitions, and
//! which Application Auto Scaling targets and policies act on them.
//!
//! A target or policy acts on a service when its `resource_id` is
//! `service/<cluster name>/<service name>` (when the service's cluster cannot be resolved,
//! the service-name segment alone decides), or, while `resource_id` is not known, when its
//! references resolve to the service (or, for a policy, to one of the service's targets).
//! Cluster and service names are unique only within one account and region: a target or
//! policy read in another region than the service (a live scan of several regions) never
//! acts on it, whatever its `resource_id` says.

use crate::model::{
    EcsCluster, EcsService, Inventory, Kind, Refs, ResId, Resolution, Resource, ScalableTarget,
    ScalingPolicy, TaskDefinition, Unknown, View,
};
use crate::rules::tiers::{service_role, services_in_role, ServiceRole};
use crate::rules::Check;

/// The services in `role` (`label`: "trading bot service"). A service whose name is
/// unknown gets an unknown outcome; when there is none, a missing service fails with
/// `requirement` (what the architecture requires of it) and `help`.
pub(super) fn role_services<'a>(
    c: &mut Check<'a>,
    role: ServiceRole,
    label: &str,
    requirement: &str,
    help: &str,
) -> Vec<View<'a, EcsService>> {
    let mut undecided = false;
    for svc in c.inv.all::<EcsService>() {
        if let Err(u) = service_role(c.policy, &svc) {
            undecided = true;
            let what = format!("whether it is the {label} (its name)");
            c.unknown(svc.id, Some("name"), &what, &u);
        }
    }
    let services = services_in_role(c.inv, c.policy, role);
    if services.is_empty() && !undecided {
        let names = match role {
            ServiceRole::Bot => &c.policy.services.bot.names,
            ServiceRole::Ml => &c.policy.services.ml.names,
        };
        let globs = names.patterns().join(", ");
        c.missing(
            Kind::EcsService,
            "aws_ecs_service",
            label,
            format!("no ECS service is named like the {label} ({globs}); the architecture {requirement}"),
            format!("define the {label} as an aws_ecs_service named like {globs}: {help}"),
        );
    }
    services
}

/// Whether a target or policy acts on a service.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Match {
    Yes,
    No,
    Unknown(Unknown),
}

/// What identifies a service in an Application Auto Scaling `resource_id`.
pub(super) struct ServiceKey {
    pub id: ResId,
    pub name: Option<String>,
    pub cluster: Option<String>,
    /// The region the service was read in (live and aggregator sources).
    pub region: Option<String>,
}

impl ServiceKey {
    pub fn of(inv: &Inventory, svc: &View<'_, EcsService>) -> ServiceKey {
        let cluster = match inv.resolve_one::<EcsCluster>(&svc.cluster) {
            Ok(Some(c)) => c.name.get().cloned(),
            _ => None,
        };
        ServiceKey {
            id: svc.id,
            name: svc.name.get().cloned(),
            cluster,
            region: svc.resource.provenance.region.clone(),
        }
    }

    /// Whether `r` was read in another region than the service (both regions known).
    fn elsewhere(&self, r: &Resource) -> bool {
        matches!((&self.region, &r.provenance.region), (Some(a), Some(b)) if a != b)
    }

    /// The `resource_id` the service's targets must carry (for help texts).
    pub fn resource_id(&self) -> String {
        format!(
            "service/{}/{}",
            self.cluster.as_deref().unwrap_or("<cluster>"),
            self.name.as_deref().unwrap_or("<service>")
        )
    }

    fn matches_id(&self, resource_id: &str) -> bool {
        let mut parts = resource_id.split('/');
        let (Some("service"), Some(cluster), Some(service), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        self.name.as_deref() == Some(service)
            && self.cluster.as_deref().is_none_or(|c| c == cluster)
    }
}

/// Whether `target` scales the service.
pub(super) fn target_matches(
    inv: &Inventory,
    target: &View<'_, ScalableTarget>,
    key: &ServiceKey,
) -> Match {
    if key.elsewhere(target.resource) {
        return Match::No;
    }
    if let Some(ns) = target.service_namespace.get() {
        if !ns.eq_ignore_ascii_case("ecs") {
            return Match::No;
        }
    }
    match target.resource_id.value() {
        Ok(Some(id)) => bool_match(key.matches_id(id)),
        other => by_refs(inv, &target.resource_refs, key, &[], other.err()),
    }
}

/// Whether `policy` acts on the service, directly or through one of its `targets`.
pub(super) fn policy_matches(
    inv: &Inventory,
    policy: &View<'_, ScalingPolicy>,
    key: &ServiceKey,
    targets: &[ResId],
) -> Match {
    if key.elsewhere(policy.resource) {
        return Match::No;
    }
    match policy.resource_id.value() {
        Ok(Some(id)) => bool_match(key.matches_id(id)),
        other => by_refs(inv, &policy.resource_refs, key, targets, other.err()),
    }
}

fn bool_match(yes: bool) -> Match {
    if yes {
        Match::Yes
    } else {
        Match::No
    }
}

/// Decides by references: to the service itself, or to one of `targets`.
fn by_refs(
    inv: &Inventory,
    refs: &Refs,
    key: &ServiceKey,
    targets: &[ResId],
    why: Option<&Unknown>,
) -> Match {
    let mut unknown = why.cloned();
    let mut found_other = false;
    match inv.resolve::<EcsService>(refs) {
        Resolution::Known { found, .. } => {
            if found.iter().any(|s| s.id == key.id) {
                return Match::Yes;
            }
            found_other |= !found.is_empty();
        }
        Resolution::Unknown(u) => {
            unknown.get_or_insert(u);
        }
        Resolution::Absent => {}
    }
    if let Resolution::Known { found, .. } = inv.resolve::<ScalableTarget>(refs) {
        if found.iter().any(|t| targets.contains(&t.id)) {
            return Match::Yes;
        }
        found_other |= !found.is_empty();
    }
    match unknown {
        _ if found_other => Match::No,
        Some(u) => Match::Unknown(u),
        None => Match::No,
    }
}

/// The task definition a service runs, or why it cannot be known.
pub(super) fn task_definition<'a>(
    inv: &'a Inventory,
    svc: &View<'_, EcsService>,
) -> Result<View<'a, TaskDefinition>, Unknown> {
    match inv.resolve_one::<TaskDefinition>(&svc.task_definition)? {
        Some(td) => Ok(td),
        None => Err(Unknown::NotInInputs(
            "the service's task definition".to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Field;
    use crate::model::{RefTarget, Resource};
    use crate::rules::testing::res;

    fn setup(cluster_ref: Refs) -> (Inventory, ResId) {
        let mut inv = Inventory::new();
        inv.push(res(
            "aws_ecs_cluster.main",
            EcsCluster {
                name: Field::Known("prod".into()),
            },
        ));
        let id = inv.push(res(
            "aws_ecs_service.ml",
            EcsService {
                name: Field::Known("ml".into()),
                cluster: cluster_ref,
                ..Default::default()
            },
        ));
        (inv, id)
    }

    fn key(inv: &Inventory, id: ResId) -> ServiceKey {
        let svc = inv.typed::<EcsService>(id).expect("service");
        ServiceKey::of(inv, &svc)
    }

    #[test]
    fn resource_id_matches_cluster_and_service() {
        let (inv, id) = setup(Field::Known(vec![RefTarget::Address(
            "aws_ecs_cluster.main".into(),
        )]));
        let k = key(&inv, id);
        assert!(k.matches_id("service/prod/ml"));
        assert!(!k.matches_id("service/staging/ml"));
        assert!(!k.matches_id("service/prod/ml-2"));
        assert!(!k.matches_id("table/prod/ml"));
    }

    #[test]
    fn unresolved_cluster_matches_on_service_name() {
        let (inv, id) = setup(Field::Known(vec![RefTarget::Ident("arn:elsewhere".into())]));
        assert!(key(&inv, id).matches_id("service/anything/ml"));
    }

    #[test]
    fn unknown_resource_id_uses_references() {
        let (mut inv, id) = setup(Field::Absent);
        let k = key(&inv, id);
        let mut target = ScalableTarget {
            resource_id: Field::Unknown(Unknown::AfterApply),
            resource_refs: Field::Known(vec![RefTarget::Address("aws_ecs_service.ml".into())]),
            ..Default::default()
        };
        let mut verdict = |t: &ScalableTarget| {
            let at = inv.push(res(
                format!("aws_appautoscaling_target.t{}", inv.len()),
                t.clone(),
            ));
            let res = inv.typed::<ScalableTarget>(at).expect("target");
            target_matches(&inv, &res, &k)
        };
        assert_eq!(verdict(&target), Match::Yes);
        target.resource_refs = Field::Absent;
        assert!(matches!(verdict(&target), Match::Unknown(_)));
        target.service_namespace = Field::Known("dynamodb".into());
        assert_eq!(verdict(&target), Match::No);
    }

    /// Cluster and service names are unique per region: a target read in another region
    /// than the service does not scale it, though its `resource_id` names it.
    #[test]
    fn another_regions_target_does_not_scale_the_service() {
        let mut inv = Inventory::new();
        inv.push(
            Resource::new(
                "aws_ecs_cluster",
                "arn:aws:ecs:us-east-1:1:cluster/prod",
                EcsCluster {
                    name: Field::Known("prod".into()),
                },
            )
            .in_region("us-east-1"),
        );
        let svc = inv.push(
            Resource::new(
                "aws_ecs_service",
                "arn:aws:ecs:us-east-1:1:service/prod/ml",
                EcsService {
                    name: Field::Known("ml".into()),
                    cluster: Field::Known(vec![RefTarget::Address(
                        "arn:aws:ecs:us-east-1:1:cluster/prod".into(),
                    )]),
                    ..Default::default()
                },
            )
            .in_region("us-east-1"),
        );
        let target = |region: &str| {
            Resource::new(
                "aws_appautoscaling_target",
                format!("arn:aws:application-autoscaling:{region}:1:scalable-target/x"),
                ScalableTarget {
                    resource_id: Field::Known("service/prod/ml".into()),
                    service_namespace: Field::Known("ecs".into()),
                    ..Default::default()
                },
            )
            .in_region(region)
        };
        let here = inv.push(target("us-east-1"));
        let there = inv.push(target("eu-west-1"));
        let k = key(&inv, svc);
        assert_eq!(k.cluster.as_deref(), Some("prod"));
        let t = |id| inv.typed::<ScalableTarget>(id).expect("target");
        assert_eq!(target_matches(&inv, &t(here), &k), Match::Yes);
        assert_eq!(target_matches(&inv, &t(there), &k), Match::No);
    }
}
