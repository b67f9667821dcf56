//! Seeds IAM from the plan: roles (with a service trust policy: the model does not hold
//! trust policies), customer-managed policies, inline policies (`aws_iam_*_policy` and
//! `inline_policy` blocks) and managed-policy attachments (`aws_iam_*_policy_attachment`
//! and `managed_policy_arns`) of roles, and of the users and groups the plan names.
//!
//! Policy documents the plan knows only through an `aws_iam_policy_document` data source are
//! rebuilt from its statements; a resource the plan knows only as a reference (`${addr}`)
//! becomes the seeded resource's ARN, or a placeholder ARN when it is not seeded (yet): the
//! rules care about actions and `*` resources, not about which ARNs.
//! AWS-managed policies (`arn:aws:iam::aws:policy/…`) exist in moto only when it runs with
//! `MOTO_IAM_LOAD_MANAGED_POLICIES=true`.

use std::collections::HashMap;

use aws_sdk_iam::types::Tag;
use aws_sdk_iam::Client;
use aws_smithy_types::error::display::DisplayErrorContext;
use cbaudit::model::{
    Effect, Field, IamInlinePolicy, IamPolicy, IamPolicyAttachment, IamRole, PolicyDocument,
    PolicyDocumentData, PolicyText, PrincipalKind, RefTarget, Refs, ResId, Resolution, Tags,
};
use serde_json::{json, Map, Value};

use super::seed::Seeder;

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com","s3.amazonaws.com","monitoring.rds.amazonaws.com","vpc-flow-logs.amazonaws.com","config.amazonaws.com"]},"Action":"sts:AssumeRole"}]}"#;

/// The value of a seeding call, or `None` after printing why moto refused it.
pub fn ok<T, E: std::error::Error + 'static>(what: &str, r: Result<T, E>) -> Option<T> {
    r.map_err(|e| eprintln!("seed: {what}: {}", DisplayErrorContext(&e)))
        .ok()
}

/// Whether a seeding call succeeded (else [`ok`] printed why).
fn done<T, E: std::error::Error + 'static>(what: &str, r: Result<T, E>) -> bool {
    ok(what, r).is_some()
}

fn iam_tags(tags: &Field<Tags>) -> Vec<Tag> {
    tags.get()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
        .collect()
}

/// A name IAM accepts, from a plan address's last part (`aws_iam_role_policy.app["x"]`).
fn name_from(address: &str) -> String {
    let tail = address.split_once('.').map_or(address, |(_, t)| t);
    tail.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The role name in a role ARN (or a name as is).
fn role_name(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

/// The document of a policy as JSON IAM accepts, rebuilt from its data source when the
/// plan knows it only after apply.
fn document_json(s: &Seeder, text: &PolicyText) -> Option<String> {
    let doc = match &text.document {
        Field::Known(d) | Field::Sensitive(d) => d.clone(),
        _ => match s.plan.resolve::<PolicyDocumentData>(&text.refs) {
            Resolution::Known { found, .. } if !found.is_empty() => PolicyDocument {
                statements: found
                    .iter()
                    .filter_map(|d| d.document.get())
                    .flat_map(|d| d.statements.clone())
                    .collect(),
            },
            _ => return None,
        },
    };
    // `${addr}`: the seeded resource's ARN, else a placeholder ARN.
    let placeholder = |v: &String| -> Value {
        let Some(address) = v.strip_prefix("${").and_then(|a| a.strip_suffix('}')) else {
            return json!(v);
        };
        let resources = s.plan.resources();
        let live = resources.iter().position(|r| r.address() == address);
        match live
            .and_then(|id| s.live_id(id))
            .filter(|id| id.starts_with("arn:"))
        {
            Some(arn) => json!(arn),
            None => json!(format!(
                "arn:aws:s3:::seeded-{}/*",
                name_from(address).to_lowercase()
            )),
        }
    };
    let statements: Vec<Value> = doc
        .statements
        .iter()
        .map(|st| {
            let mut m = Map::new();
            let effect = if st.effect == Effect::Deny {
                "Deny"
            } else {
                "Allow"
            };
            m.insert("Effect".into(), json!(effect));
            for (key, field) in [
                ("Action", &st.actions),
                ("NotAction", &st.not_actions),
                ("Resource", &st.resources),
                ("NotResource", &st.not_resources),
            ] {
                if let Some(list) = field.get() {
                    m.insert(
                        key.into(),
                        Value::Array(list.iter().map(placeholder).collect()),
                    );
                }
            }
            Value::Object(m)
        })
        .collect();
    Some(json!({"Version": "2012-10-17", "Statement": statements}).to_string())
}

/// The live names of the principals a plan reference names: roles through the seeded roles;
/// users and groups (no model kind of their own) by the names the plan gives.
fn principals_of(s: &Seeder, kind: PrincipalKind, refs: &Refs) -> Vec<(PrincipalKind, String)> {
    let names: Vec<String> = match kind {
        PrincipalKind::Role => s
            .ids::<IamRole>(refs)
            .iter()
            .map(|id| role_name(id).to_string())
            .collect(),
        _ => refs
            .get()
            .into_iter()
            .flatten()
            .filter_map(|t| match t {
                RefTarget::Ident(name) => Some(name.clone()),
                RefTarget::Address(_) => None,
            })
            .collect(),
    };
    names.into_iter().map(|n| (kind, n)).collect()
}

/// The ARN of a seeded role, or of a user or group created now.
async fn principal_arn(
    iam: &Client,
    arns: &mut HashMap<String, String>,
    (kind, name): &(PrincipalKind, String),
) -> Option<String> {
    let key = format!("{kind:?}/{name}");
    if let Some(arn) = arns.get(&key) {
        return Some(arn.clone());
    }
    let arn = match kind {
        PrincipalKind::Role => return None,
        PrincipalKind::User => ok(
            &format!("CreateUser {name}"),
            iam.create_user().user_name(name).send().await,
        )
        .and_then(|o| o.user().map(|u| u.arn().to_string())),
        PrincipalKind::Group => ok(
            &format!("CreateGroup {name}"),
            iam.create_group().group_name(name).send().await,
        )
        .and_then(|o| o.group().map(|g| g.arn().to_string())),
    }?;
    arns.insert(key, arn.clone());
    Some(arn)
}

pub async fn seed(s: &mut Seeder) {
    let iam = Client::new(&s.sdk);
    // Live principals: `<kind>/<name>` → ARN.
    let mut arns: HashMap<String, String> = HashMap::new();

    // Roles.
    let roles = s.plan_all_tagged::<IamRole>();
    for (id, role, tags) in &roles {
        let Some(name) = role.name.get() else {
            continue;
        };
        let created = iam
            .create_role()
            .role_name(name)
            .assume_role_policy_document(TRUST)
            .set_tags(Some(iam_tags(tags)))
            .send()
            .await;
        let Some(arn) = ok(&format!("CreateRole {name}"), created)
            .and_then(|o| o.role().map(|r| r.arn().to_string()))
        else {
            continue;
        };
        s.created(*id, arn.clone());
        s.owns(arn.clone(), *id);
        arns.insert(format!("{:?}/{name}", PrincipalKind::Role), arn);
    }

    // Customer-managed policies.
    let policies = s.plan_all_tagged::<IamPolicy>();
    for (id, policy, tags) in &policies {
        let (Some(name), Some(doc)) = (policy.name.get(), document_json(s, &policy.policy)) else {
            continue;
        };
        let created = iam
            .create_policy()
            .policy_name(name)
            .policy_document(doc)
            .set_tags(Some(iam_tags(tags)))
            .send()
            .await;
        if let Some(arn) = ok(&format!("CreatePolicy {name}"), created)
            .and_then(|o| o.policy().and_then(|p| p.arn()).map(str::to_string))
        {
            s.created(*id, arn.clone());
            s.owns(arn, *id);
        }
    }

    // Inline policies: (owner, principals, policy name, document).
    type Principals = Vec<(PrincipalKind, String)>;
    let mut inline: Vec<(ResId, Principals, String, Option<String>)> = Vec::new();
    for (id, role, _) in &roles {
        let Some(name) = role.name.get() else {
            continue;
        };
        for (policy, text) in &role.inline_policies {
            let principal = vec![(PrincipalKind::Role, name.clone())];
            inline.push((*id, principal, policy.clone(), document_json(s, text)));
        }
    }
    for p in s.plan.all::<IamInlinePolicy>() {
        let principals = principals_of(s, p.principal_kind, &p.principal);
        let doc = document_json(s, &p.policy);
        inline.push((p.id, principals, name_from(p.address()), doc));
    }
    for (owner, principals, policy, doc) in inline {
        let Some(doc) = doc else { continue };
        for principal in principals {
            let Some(arn) = principal_arn(&iam, &mut arns, &principal).await else {
                continue;
            };
            let name = principal.1.as_str();
            let what = format!("Put{:?}Policy {name}/{policy}", principal.0);
            let (p, d) = (&policy, &doc);
            let put = match principal.0 {
                PrincipalKind::Role => {
                    let call = iam.put_role_policy().role_name(name);
                    done(&what, call.policy_name(p).policy_document(d).send().await)
                }
                PrincipalKind::User => {
                    let call = iam.put_user_policy().user_name(name);
                    done(&what, call.policy_name(p).policy_document(d).send().await)
                }
                PrincipalKind::Group => {
                    let call = iam.put_group_policy().group_name(name);
                    done(&what, call.policy_name(p).policy_document(d).send().await)
                }
            };
            if put {
                s.owns(format!("{arn}/policy/{policy}"), owner);
            }
        }
    }

    // Attachments: (owner, principals, policy ARNs).
    let mut attachments: Vec<(ResId, Principals, Vec<String>)> = Vec::new();
    for (id, role, _) in &roles {
        if let Some(name) = role.name.get() {
            let policies = s.ids::<IamPolicy>(&role.managed_policies);
            attachments.push((*id, vec![(PrincipalKind::Role, name.clone())], policies));
        }
    }
    for a in s.plan.all::<IamPolicyAttachment>() {
        let principals = principals_of(s, a.principal_kind, &a.principals);
        attachments.push((a.id, principals, s.ids::<IamPolicy>(&a.policy)));
    }
    for (owner, principals, policies) in attachments {
        for principal in principals {
            let Some(arn) = principal_arn(&iam, &mut arns, &principal).await else {
                continue;
            };
            let name = principal.1.as_str();
            for policy in &policies {
                let what = format!("Attach{:?}Policy {name} {policy}", principal.0);
                let attach = match principal.0 {
                    PrincipalKind::Role => {
                        let call = iam.attach_role_policy().role_name(name);
                        done(&what, call.policy_arn(policy).send().await)
                    }
                    PrincipalKind::User => {
                        let call = iam.attach_user_policy().user_name(name);
                        done(&what, call.policy_arn(policy).send().await)
                    }
                    PrincipalKind::Group => {
                        let call = iam.attach_group_policy().group_name(name);
                        done(&what, call.policy_arn(policy).send().await)
                    }
                };
                if attach {
                    s.owns(format!("{arn}/attachment/{policy}"), owner);
                }
            }
        }
    }
}
