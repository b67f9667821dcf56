//! What belongs to the architecture in a real account: the policy's `[scope]` applied to a
//! live or aggregator inventory. Plans and `.tf` directories are never scoped (everything
//! in a plan is the architecture's).
//!
//! A resource is in scope when
//! 1. it carries one of the scope's tags (key and value), or one of its names (its `Name`
//!    tag, each identifier, the last segment of an ARN) matches one of the scope's globs;
//! 2. else, a resource it hangs from is in scope (a subnet's VPC, a rule's security group,
//!    an inline policy's role, a bucket setting's bucket, a subscription's topic:
//!    [`parents`]); or an in-scope
//!    resource owns it (a DB instance's subnet and parameter groups, a role's attached
//!    managed policies, a task definition's roles, an alarm's topics: [`owned`]);
//! 3. else, when it can be judged neither way (its tags are unknown and it has no name, or
//!    it hangs from something the inventory does not hold) it is **in scope**: a resource
//!    that may be the architecture's is never silently dropped;
//! 4. account-level settings ([`ACCOUNT_LEVEL`]: CloudTrail trails, GuardDuty detectors,
//!    Config recorders and rules, the account's S3 public access block, the ECR registry
//!    scanning configuration) are always in scope: they are the account's, and so the
//!    architecture's too.
//!
//! Tags a source does not read (live log groups, alarms, web ACLs) are unknown: then the
//! names decide (rule 1), so a name pattern that covers the architecture's names matters.

use crate::model::{Body, Field, Inventory, Kind, Refs, Resource};
use crate::policy::ScopeSpec;

/// Kinds that describe the account, not a part of it: always in scope.
pub const ACCOUNT_LEVEL: &[Kind] = &[
    Kind::Trail,
    Kind::GuardDutyDetector,
    Kind::ConfigRecorder,
    Kind::ConfigRecorderStatus,
    Kind::ConfigRule,
    Kind::AccountPublicAccessBlock,
    Kind::EcrRegistryScanning,
];

/// What a resource hangs from: it belongs to the architecture when one of these does.
fn parents(kind: &Body) -> Vec<&Refs> {
    match kind {
        Body::Subnet(s) => vec![&s.vpc],
        Body::RouteTable(t) => vec![&t.vpc],
        Body::RouteEntry(r) => vec![&r.route_table],
        Body::RouteTableAssociation(a) => vec![&a.route_table, &a.subnet],
        Body::MainRouteTableAssociation(a) => vec![&a.vpc, &a.route_table],
        Body::InternetGateway(g) => vec![&g.vpc],
        Body::NatGateway(g) => vec![&g.subnet],
        Body::FlowLog(f) => vec![&f.vpc],
        Body::SecurityGroup(g) => vec![&g.vpc],
        Body::SecurityGroupRule(r) => vec![&r.group],
        Body::Listener(l) => vec![&l.load_balancer],
        Body::WebAclAssociation(a) => vec![&a.resource, &a.web_acl],
        Body::EcsService(s) => vec![&s.cluster],
        Body::DbInstance(d) => vec![&d.cluster],
        Body::ScalableTarget(t) => vec![&t.resource_refs],
        Body::ScalingPolicy(p) => vec![&p.resource_refs],
        Body::EcrLifecyclePolicy(p) => vec![&p.repository],
        Body::IamInlinePolicy(p) => vec![&p.principal],
        Body::IamPolicyAttachment(a) => vec![&a.principals],
        Body::BucketVersioning(b) => vec![&b.bucket],
        Body::BucketEncryption(b) => vec![&b.bucket],
        Body::BucketPublicAccessBlock(b) => vec![&b.bucket],
        Body::BucketReplication(b) => vec![&b.bucket],
        Body::SnsSubscription(s) => vec![&s.topic],
        _ => Vec::new(),
    }
}

/// What an in-scope resource brings into scope with it (shared things it uses that carry
/// no tag of the architecture themselves).
fn owned(kind: &Body) -> Vec<&Refs> {
    match kind {
        Body::DbInstance(d) => vec![&d.subnet_group, &d.parameter_group],
        Body::DbCluster(d) => vec![&d.subnet_group, &d.parameter_group],
        Body::IamRole(r) => vec![&r.managed_policies],
        Body::IamPolicyAttachment(a) => vec![&a.policy],
        Body::EcsService(s) => vec![&s.task_definition],
        Body::TaskDefinition(t) => vec![&t.task_role, &t.execution_role],
        Body::MetricAlarm(a) => vec![&a.alarm_actions],
        _ => Vec::new(),
    }
}

/// How a resource's own tags and names judge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Own {
    Match,
    NoMatch,
    /// Tags unknown and no name: cannot be told.
    Undecided,
}

/// The names a resource is known by: its `Name` tag, its identifiers, and the last segment
/// of an ARN (`arn:aws:iam::1:role/app` → `app`).
fn names(r: &Resource) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    out.extend(r.tag("Name"));
    // A live or aggregator address is the ARN.
    let address = std::iter::once(r.address()).filter(|a| a.starts_with("arn:"));
    for id in r.identifiers.iter().map(String::as_str).chain(address) {
        out.push(id);
        if id.starts_with("arn:") {
            if let Some(last) = id.rsplit(['/', ':']).next() {
                out.push(last);
            }
        }
    }
    // Application Auto Scaling names what it scales (`service/<cluster>/<service>`).
    let scaled = match &r.body {
        Body::ScalableTarget(t) => t.resource_id.get(),
        Body::ScalingPolicy(p) => p.resource_id.get(),
        _ => None,
    };
    out.extend(scaled.map(String::as_str));
    out
}

fn own(r: &Resource, spec: &ScopeSpec) -> Own {
    let tags = match &r.tags {
        Field::Known(t) | Field::Sensitive(t) => Some(t),
        _ => None,
    };
    if let Some(tags) = tags {
        if spec.tags.iter().any(|(k, want)| {
            tags.get(k)
                .is_some_and(|have| have.eq_ignore_ascii_case(want))
        }) {
            return Own::Match;
        }
    }
    let names = names(r);
    if names.iter().any(|n| spec.names.matches(n)) {
        return Own::Match;
    }
    let tags_unknown = matches!(r.tags, Field::Unknown(_));
    if tags_unknown && names.is_empty() {
        Own::Undecided
    } else {
        Own::NoMatch
    }
}

/// For each resource of `inv`, whether it belongs to the architecture `spec` describes.
pub fn resolve(inv: &Inventory, spec: &ScopeSpec) -> Vec<bool> {
    let resources = inv.resources();
    let mut in_scope: Vec<bool> = resources
        .iter()
        .map(|r| ACCOUNT_LEVEL.contains(&r.body.kind()) || own(r, spec) == Own::Match)
        .collect();
    // Parents and owners: to a fixed point (chains are short: rule → group → VPC).
    loop {
        let mut changed = false;
        for (id, r) in resources.iter().enumerate() {
            if in_scope[id] {
                for refs in owned(&r.body) {
                    for target in inv.resolve_any(refs) {
                        if !in_scope[target] {
                            in_scope[target] = true;
                            changed = true;
                        }
                    }
                }
            } else if parents(&r.body)
                .into_iter()
                .any(|refs| inv.resolve_any(refs).iter().any(|&p| in_scope[p]))
            {
                in_scope[id] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // What cannot be judged stays in.
    for (id, r) in resources.iter().enumerate() {
        if !in_scope[id] && undecidable(inv, r, spec) {
            in_scope[id] = true;
        }
    }
    in_scope
}

/// A resource out of scope so far that cannot honestly be left out: its own tags and names
/// cannot tell, or it has no tags or names of its own and hangs from something unknown or
/// missing from the inventory.
fn undecidable(inv: &Inventory, r: &Resource, spec: &ScopeSpec) -> bool {
    let parents = parents(&r.body);
    let no_parent_found = parents.iter().all(|refs| inv.resolve_any(refs).is_empty());
    if own(r, spec) == Own::Undecided && no_parent_found {
        // Nothing of its own and nothing above it to judge it by.
        return true;
    }
    if parents.is_empty() {
        return false;
    }
    let has_own_marks = matches!(&r.tags, Field::Known(t) | Field::Sensitive(t) if !t.is_empty());
    if has_own_marks {
        return false;
    }
    // Judged by its parents: every parent reference must name resources we hold.
    parents.iter().any(|refs| match refs {
        Field::Unknown(_) => true,
        Field::Known(targets) | Field::Sensitive(targets) => {
            !targets.is_empty() && inv.resolve_any(refs).is_empty()
        }
        Field::Absent => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        ident, IamPolicyAttachment, IamRole, Input, LogGroup, Origin, SecurityGroup,
        SecurityGroupRule, Subnet, Trail, Unknown, Vpc,
    };
    use crate::policy::Policy;

    fn spec() -> ScopeSpec {
        Policy::default_policy()
            .scope()
            .cloned()
            .expect("the embedded policy has a scope")
    }

    fn refs(id: &str) -> Refs {
        Field::Known(vec![ident(id)])
    }

    fn vpc(id: &str, tags: &[(&str, &str)], default: bool) -> Resource {
        Resource::new(
            "aws_vpc",
            format!("arn:vpc/{id}"),
            Vpc {
                default,
                ..Default::default()
            },
        )
        .with_identifiers([id])
        .with_tags(tags.iter().copied())
    }

    fn subnet(id: &str, vpc: &str, tags: &[(&str, &str)]) -> Resource {
        Resource::new(
            "aws_subnet",
            format!("arn:subnet/{id}"),
            Subnet {
                vpc: refs(vpc),
                ..Default::default()
            },
        )
        .with_identifiers([id])
        .with_tags(tags.iter().copied())
    }

    fn live(mut inv: Inventory) -> Inventory {
        inv.inputs.push(Input {
            kind: Origin::Live,
            path: "live:123456789012/eu-west-2".into(),
        });
        inv
    }

    #[test]
    fn tags_names_and_parents_decide() {
        let mut inv = Inventory::new();
        let arch = inv.push(vpc("vpc-arch", &[("Project", "clever-better")], false));
        let arch_sub = inv.push(subnet("subnet-a", "vpc-arch", &[]));
        let default = inv.push(vpc("vpc-default", &[], true));
        let default_sub = inv.push(subnet("subnet-d", "vpc-default", &[]));
        let other = inv.push(vpc(
            "vpc-other",
            &[("Team", "other"), ("Name", "payments")],
            false,
        ));
        // A subnet of the other team's VPC named like the architecture is the architecture's.
        let named = inv.push(subnet(
            "subnet-o",
            "vpc-other",
            &[("Name", "clever-better-x")],
        ));
        let other_sub = inv.push(subnet("subnet-p", "vpc-other", &[("Team", "other")]));
        let sg = inv.push(
            Resource::new(
                "aws_security_group",
                "arn:sg/sg-1",
                SecurityGroup {
                    vpc: refs("vpc-arch"),
                    ..Default::default()
                },
            )
            .with_identifiers(["sg-1"]),
        );
        let rule = inv.push(Resource::new(
            "aws_vpc_security_group_ingress_rule",
            "arn:sgr/sgr-1",
            SecurityGroupRule {
                group: refs("sg-1"),
                ..Default::default()
            },
        ));
        let s = resolve(&inv, &spec());
        assert!(s[arch] && s[arch_sub] && s[sg] && s[rule], "{s:?}");
        assert!(s[named], "a matching name wins over the parent");
        assert!(!s[default] && !s[default_sub], "{s:?}");
        assert!(!s[other] && !s[other_sub], "{s:?}");
    }

    #[test]
    fn roles_by_name_and_their_attachments_follow_them() {
        let mut inv = Inventory::new();
        let role = |name: &str| {
            Resource::new(
                "aws_iam_role",
                format!("arn:aws:iam::123456789012:role/{name}"),
                IamRole::default(),
            )
            .with_identifiers([
                format!("arn:aws:iam::123456789012:role/{name}"),
                name.into(),
            ])
        };
        let org = inv.push(role("OrganizationAccountAccessRole"));
        let task = inv.push(role("clever-better-ecs-task"));
        let attach = |role: &str| {
            Resource::new(
                "aws_iam_role_policy_attachment",
                format!("{role}/AdministratorAccess"),
                IamPolicyAttachment {
                    principals: refs(role),
                    policy: refs("arn:aws:iam::aws:policy/AdministratorAccess"),
                    ..Default::default()
                },
            )
        };
        let org_attach = inv.push(attach("OrganizationAccountAccessRole"));
        let task_attach = inv.push(attach("clever-better-ecs-task"));
        let s = resolve(&inv, &spec());
        assert!(!s[org] && !s[org_attach], "{s:?}");
        assert!(s[task] && s[task_attach], "{s:?}");
    }

    #[test]
    fn what_cannot_be_judged_stays_in() {
        let mut inv = Inventory::new();
        let unknown = |r: Resource| Resource {
            tags: Field::Unknown(Unknown::NotInInputs("the tags (not read)".into())),
            ..r
        };
        // Tags not read and no name at all: in scope.
        let anonymous = inv.push(unknown(Resource::new(
            "aws_cloudwatch_log_group",
            "log-group-without-arn",
            LogGroup::default(),
        )));
        // Tags not read: the name decides, either way.
        let named = inv.push(unknown(
            Resource::new("aws_cloudwatch_log_group", "arn:l/1", LogGroup::default())
                .with_identifiers(["/ecs/clever-better-bot"]),
        ));
        let foreign = inv.push(unknown(
            Resource::new("aws_cloudwatch_log_group", "arn:l/2", LogGroup::default())
                .with_identifiers(["/ecs/payments"]),
        ));
        // A child without tags whose parent the inventory does not hold.
        let orphan = inv.push(subnet("subnet-z", "vpc-elsewhere", &[]));
        // Tags not read, no identifier and no parent reference (a scaling target the
        // source links by resource id only): judged by what it scales, else kept.
        let target = inv.push(unknown(Resource::new(
            "aws_appautoscaling_target",
            "arn:aws:application-autoscaling:eu-west-2:1:scalable-target/0abc",
            crate::model::ScalableTarget {
                resource_id: Field::Known("service/clever-better/clever-better-ml".into()),
                ..Default::default()
            },
        )));
        let bare = inv.push(unknown(Resource::new(
            "aws_appautoscaling_target",
            "target",
            crate::model::ScalableTarget::default(),
        )));
        // Account-level settings are always in.
        let trail = inv.push(
            Resource::new("aws_cloudtrail", "arn:trail/org", Trail::default())
                .with_identifiers(["org-trail"]),
        );
        let s = resolve(&inv, &spec());
        assert!(s[anonymous] && s[named] && s[orphan] && s[trail], "{s:?}");
        assert!(s[target] && s[bare], "{s:?}");
        assert!(!s[foreign], "{s:?}");
    }

    #[test]
    fn the_engine_scopes_live_inventories_only() {
        use crate::engine;
        use crate::rules::find;
        let build = || {
            let mut inv = Inventory::new();
            inv.push(vpc("vpc-arch", &[("Project", "clever-better")], false));
            inv.push(vpc("vpc-other", &[("Team", "other")], false));
            inv
        };
        let policy = Policy::default_policy();
        let net001 = find("CB-NET-001").expect("rule");
        // A plan: everything is the architecture's, as before.
        let plan = engine::run(&build(), &policy, &[net001]);
        assert_eq!(plan.summary.out_of_scope, 0);
        assert_eq!(
            plan.findings.len(),
            2,
            "both VPCs lack 10.0.0.0/16 CIDR knowledge"
        );
        // Live: the other team's VPC is left out and counted.
        let report = engine::run(&live(build()), &policy, &[net001]);
        assert_eq!(report.summary.out_of_scope, 1);
        assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
        assert!(report.findings[0].resource.as_deref() == Some("arn:vpc/vpc-arch"));
        // `scope = "account"` on the rule: it judges every VPC again.
        let text = crate::policy::DEFAULT_POLICY
            .replace("[rules]\n", "[rules.CB-NET-001]\nscope = \"account\"\n");
        let account = Policy::parse("p.toml", &text).expect("valid");
        let report = engine::run(&live(build()), &account, &[net001]);
        assert_eq!(report.findings.len(), 2);
        // A policy without [scope] judges everything.
        let mut unscoped = Policy::default_policy();
        unscoped.scope = None;
        let report = engine::run(&live(build()), &unscoped, &[net001]);
        assert_eq!((report.findings.len(), report.summary.out_of_scope), (2, 0));
    }
}
