//! IAM (global): roles, the inline policies and managed-policy attachments of roles, users
//! and groups, and customer-managed policies, mapped like `aws_iam_role`,
//! `aws_iam_{role,user,group}_policy`, `aws_iam_{role,user,group}_policy_attachment` and
//! `aws_iam_policy`.
//!
//! Calls (IAM actions): `iam:ListRoles`, `iam:ListUsers`, `iam:ListGroups`; per role
//! `iam:ListRoleTags`; per role, user and group the inline policies
//! (`iam:ListRolePolicies` + `iam:GetRolePolicy`, `iam:ListUserPolicies` +
//! `iam:GetUserPolicy`, `iam:ListGroupPolicies` + `iam:GetGroupPolicy`) and the attached
//! policies (`iam:ListAttachedRolePolicies`, `iam:ListAttachedUserPolicies`,
//! `iam:ListAttachedGroupPolicies`); `iam:ListPolicies` (`Scope=Local`) with, per policy,
//! `iam:GetPolicyVersion` (its default version) and `iam:ListPolicyTags`; per attached AWS
//! managed policy `iam:GetPolicy` and `iam:GetPolicyVersion`. Policy documents
//! come URL-encoded and are parsed like a plan's policy JSON.
//!
//! Every AWS managed policy attached to a role, user or group is read too: `iam:GetPolicy`
//! (its default version) and `iam:GetPolicyVersion` (that version's document), mapped as an
//! `aws_iam_policy` whose address is its ARN (`arn:aws:iam::aws:policy/…`), so the rules judge
//! the document AWS serves, not cbaudit's dated snapshot (`data/README.md`), which they use
//! only when that read failed (and report unknown when the snapshot lacks the policy).
//!
//! Addresses: a role's or policy's ARN; an inline policy `<principal ARN>/policy/<name>`; an
//! attachment `<principal ARN>/attachment/<policy ARN>`. An inline policy or attachment
//! names its principal by ARN, and an attachment its policy by ARN.

use aws_sdk_iam::types::PolicyScopeType;
use aws_sdk_iam::Client;

use crate::model::{
    ident, Field, IamInlinePolicy, IamPolicy, IamPolicyAttachment, IamRole, Kind, PolicyDocument,
    PolicyText, PrincipalKind, Tags, Unknown,
};

use super::calls::{bounded, drain, merge};
use super::ctx::{client, tags, why};
use super::{Batch, Ctx};

pub const KINDS: &[Kind] = &[
    Kind::IamRole,
    Kind::IamPolicy,
    Kind::IamInlinePolicy,
    Kind::IamPolicyAttachment,
];

/// What roles contribute.
const ROLE_KINDS: &[Kind] = &[
    Kind::IamRole,
    Kind::IamInlinePolicy,
    Kind::IamPolicyAttachment,
];

/// What users and groups contribute.
const PRINCIPAL_KINDS: &[Kind] = &[Kind::IamInlinePolicy, Kind::IamPolicyAttachment];

/// A role, user or group.
struct Principal {
    kind: PrincipalKind,
    name: String,
    arn: String,
}

pub async fn read(ctx: &Ctx, out: &mut Batch) {
    let iam = client!(ctx, aws_sdk_iam);

    let listing = iam.list_roles().into_paginator().items().send();
    let roles = out.drain(listing, ROLE_KINDS, "iam:ListRoles").await;
    let batches = bounded(roles, |r| {
        let (ctx, iam) = (ctx.clone(), iam.clone());
        async move { role(&ctx, &iam, r.role_name(), r.arn(), r.role_id()).await }
    })
    .await;
    merge(out, batches);

    let listing = iam.list_users().into_paginator().items().send();
    let users = out.drain(listing, PRINCIPAL_KINDS, "iam:ListUsers").await;
    let mut principals: Vec<Principal> = Vec::new();
    principals.extend(users.iter().map(|u| Principal {
        kind: PrincipalKind::User,
        name: u.user_name().to_string(),
        arn: u.arn().to_string(),
    }));
    let listing = iam.list_groups().into_paginator().items().send();
    let groups = out.drain(listing, PRINCIPAL_KINDS, "iam:ListGroups").await;
    principals.extend(groups.iter().map(|g| Principal {
        kind: PrincipalKind::Group,
        name: g.group_name().to_string(),
        arn: g.arn().to_string(),
    }));
    let batches = bounded(principals, |p| {
        let (ctx, iam) = (ctx.clone(), iam.clone());
        async move { policies_of(&ctx, &iam, &p).await }
    })
    .await;
    merge(out, batches);

    customer_managed(ctx, &iam, out).await;
    aws_managed(ctx, &iam, out).await;
}

/// The account of a policy ARN is `aws` for an AWS managed policy
/// (`arn:aws:iam::aws:policy/service-role/X`).
fn is_aws_managed(arn: &str) -> bool {
    arn.split(':').nth(4) == Some("aws")
}

/// The AWS managed policies attached to a role, user or group, each with its default
/// version's document (`iam:GetPolicy` names the default version, `iam:GetPolicyVersion`
/// gives it), mapped like an `aws_iam_policy` whose address is the policy's ARN: attachments
/// name it by that ARN, so the rules judge the document AWS serves now. A failed read leaves
/// the document unknown with the reason (the rules then fall back to cbaudit's snapshot).
async fn aws_managed(ctx: &Ctx, iam: &Client, out: &mut Batch) {
    let mut arns = std::collections::BTreeSet::new();
    for r in &out.resources {
        if let crate::model::Body::IamPolicyAttachment(a) = &r.body {
            if let Some(targets) = a.policy.get() {
                for t in targets {
                    if let crate::model::RefTarget::Ident(arn) = t {
                        if is_aws_managed(arn) {
                            arns.insert(arn.clone());
                        }
                    }
                }
            }
        }
    }
    let batches = bounded(arns.into_iter().collect(), |arn: String| {
        let (ctx, iam) = (ctx.clone(), iam.clone());
        async move {
            let mut out = Batch::default();
            let got = iam.get_policy().policy_arn(&arn).send().await;
            let (name, document) = match got {
                Err(e) => (None, Field::Unknown(why("iam:GetPolicy", &e))),
                Ok(o) => {
                    let policy = o.policy();
                    let name = policy.and_then(|p| p.policy_name()).map(str::to_string);
                    let document = match policy.and_then(|p| p.default_version_id()) {
                        None => Field::Unknown(Unknown::failed(
                            "iam:GetPolicy",
                            format!("no default version for {arn}"),
                        )),
                        Some(v) => default_document(&iam, &arn, v).await,
                    };
                    (name, document)
                }
            };
            let name = name.or_else(|| arn.rsplit('/').next().map(str::to_string));
            let model = IamPolicy {
                name: known_name(name),
                policy: PolicyText {
                    document,
                    refs: Field::Absent,
                },
            };
            // AWS managed policies carry no tags of the account's.
            out.push(ctx.resource("aws_iam_policy", arn, Vec::new(), no_tags(), model));
            out
        }
    })
    .await;
    merge(out, batches);
}

fn known_name(name: Option<String>) -> Field<String> {
    name.map_or(Field::Absent, Field::Known)
}

/// The document of a policy's version `version` (`iam:GetPolicyVersion`).
async fn default_document(iam: &Client, arn: &str, version: &str) -> Field<PolicyDocument> {
    let got = iam
        .get_policy_version()
        .policy_arn(arn)
        .version_id(version)
        .send();
    match got.await {
        Ok(o) => match o.policy_version().and_then(|v| v.document()) {
            Some(doc) => parse(doc),
            None => Field::Absent,
        },
        Err(e) => Field::Unknown(why("iam:GetPolicyVersion", &e)),
    }
}

/// Inline policies and attachments carry no tags.
fn no_tags() -> Field<Tags> {
    Field::Known(Tags::new())
}

/// A role with its tags, then its inline policies and attachments.
async fn role(ctx: &Ctx, iam: &Client, name: &str, arn: &str, id: &str) -> Batch {
    let listing = iam
        .list_role_tags()
        .role_name(name)
        .into_paginator()
        .items()
        .send();
    let role_tags = match drain(listing, "iam:ListRoleTags").await {
        (list, None) => tags(list.iter().map(|t| (Some(t.key()), Some(t.value())))),
        (_, Some(u)) => Field::Unknown(u),
    };
    let model = IamRole {
        name: Field::Known(name.to_string()),
        inline_policies: Vec::new(),
        managed_policies: Field::Absent,
    };
    let ids = vec![name.to_string(), id.to_string()];
    let mut out = Batch::default();
    out.push(ctx.resource("aws_iam_role", arn.to_string(), ids, role_tags, model));
    let principal = Principal {
        kind: PrincipalKind::Role,
        name: name.to_string(),
        arn: arn.to_string(),
    };
    merge(&mut out, vec![policies_of(ctx, iam, &principal).await]);
    out
}

/// The inline policies and the attachments of a role, user or group.
async fn policies_of(ctx: &Ctx, iam: &Client, p: &Principal) -> Batch {
    let mut out = Batch::default();
    let n = p.name.as_str();
    let kind = match p.kind {
        PrincipalKind::Role => "role",
        PrincipalKind::User => "user",
        PrincipalKind::Group => "group",
    };

    let kinds = &[Kind::IamInlinePolicy];
    let names = match p.kind {
        PrincipalKind::Role => {
            let listing = iam.list_role_policies().role_name(n).into_paginator();
            out.drain(listing.items().send(), kinds, "iam:ListRolePolicies")
                .await
        }
        PrincipalKind::User => {
            let listing = iam.list_user_policies().user_name(n).into_paginator();
            out.drain(listing.items().send(), kinds, "iam:ListUserPolicies")
                .await
        }
        PrincipalKind::Group => {
            let listing = iam.list_group_policies().group_name(n).into_paginator();
            out.drain(listing.items().send(), kinds, "iam:ListGroupPolicies")
                .await
        }
    };
    for policy in names {
        let text = match p.kind {
            PrincipalKind::Role => {
                let r = iam
                    .get_role_policy()
                    .role_name(n)
                    .policy_name(&policy)
                    .send()
                    .await;
                r.map(|o| o.policy_document().to_string())
                    .map_err(|e| why("iam:GetRolePolicy", &e))
            }
            PrincipalKind::User => {
                let r = iam
                    .get_user_policy()
                    .user_name(n)
                    .policy_name(&policy)
                    .send()
                    .await;
                r.map(|o| o.policy_document().to_string())
                    .map_err(|e| why("iam:GetUserPolicy", &e))
            }
            PrincipalKind::Group => {
                let r = iam
                    .get_group_policy()
                    .group_name(n)
                    .policy_name(&policy)
                    .send()
                    .await;
                r.map(|o| o.policy_document().to_string())
                    .map_err(|e| why("iam:GetGroupPolicy", &e))
            }
        };
        let model = IamInlinePolicy {
            principal_kind: p.kind,
            principal: Field::Known(vec![ident(&p.arn)]),
            policy: PolicyText {
                document: text.map_or_else(Field::Unknown, |t| parse(&t)),
                refs: Field::Absent,
            },
        };
        let address = format!("{}/policy/{policy}", p.arn);
        let resource_type = format!("aws_iam_{kind}_policy");
        out.push(ctx.resource(&resource_type, address, vec![], no_tags(), model));
    }

    let kinds = &[Kind::IamPolicyAttachment];
    let attached = match p.kind {
        PrincipalKind::Role => {
            let listing = iam.list_attached_role_policies().role_name(n);
            let listing = listing.into_paginator().items().send();
            out.drain(listing, kinds, "iam:ListAttachedRolePolicies")
                .await
        }
        PrincipalKind::User => {
            let listing = iam.list_attached_user_policies().user_name(n);
            let listing = listing.into_paginator().items().send();
            out.drain(listing, kinds, "iam:ListAttachedUserPolicies")
                .await
        }
        PrincipalKind::Group => {
            let listing = iam.list_attached_group_policies().group_name(n);
            let listing = listing.into_paginator().items().send();
            out.drain(listing, kinds, "iam:ListAttachedGroupPolicies")
                .await
        }
    };
    for policy_arn in attached.iter().filter_map(|a| a.policy_arn()) {
        let model = IamPolicyAttachment {
            principal_kind: p.kind,
            principals: Field::Known(vec![ident(&p.arn)]),
            policy: Field::Known(vec![ident(policy_arn)]),
        };
        let address = format!("{}/attachment/{policy_arn}", p.arn);
        let resource_type = format!("aws_iam_{kind}_policy_attachment");
        out.push(ctx.resource(&resource_type, address, vec![], no_tags(), model));
    }
    out
}

/// Customer-managed policies with their default version's document.
async fn customer_managed(ctx: &Ctx, iam: &Client, out: &mut Batch) {
    let listing = iam
        .list_policies()
        .scope(PolicyScopeType::Local)
        .into_paginator()
        .items()
        .send();
    let list = out
        .drain(listing, &[Kind::IamPolicy], "iam:ListPolicies")
        .await;
    let batches = bounded(list, |p| {
        let (ctx, iam) = (ctx.clone(), iam.clone());
        async move {
            let mut out = Batch::default();
            let (Some(name), Some(arn)) = (p.policy_name(), p.arn()) else {
                return out;
            };
            let document = match p.default_version_id() {
                None => Field::Unknown(Unknown::failed(
                    "iam:ListPolicies",
                    format!("no default version for {arn}"),
                )),
                Some(v) => default_document(&iam, arn, v).await,
            };
            let model = IamPolicy {
                name: Field::Known(name.to_string()),
                policy: PolicyText {
                    document,
                    refs: Field::Absent,
                },
            };
            let listing = iam.list_policy_tags().policy_arn(arn).into_paginator();
            let tags = match drain(listing.items().send(), "iam:ListPolicyTags").await {
                (list, None) => tags(list.iter().map(|t| (Some(t.key()), Some(t.value())))),
                (_, Some(u)) => Field::Unknown(u),
            };
            let mut ids = vec![name.to_string()];
            ids.extend(p.policy_id().map(str::to_string));
            out.push(ctx.resource("aws_iam_policy", arn.to_string(), ids, tags, model));
            out
        }
    })
    .await;
    merge(out, batches);
}

/// A policy document as IAM returns it (URL-encoded JSON), parsed.
fn parse(text: &str) -> Field<PolicyDocument> {
    match PolicyDocument::parse(&url_decode(text)) {
        Ok(d) => Field::Known(d),
        Err(e) => Field::Unknown(Unknown::Unresolved(format!("policy JSON: {e}"))),
    }
}

/// Percent-decodes `s` (RFC 3986, `+` stays `+`); JSON that is not encoded is kept as is.
fn url_decode(s: &str) -> String {
    if s.trim_start().starts_with('{') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%')
            .then(|| s.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_documents_are_url_decoded() {
        let encoded = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        let doc = parse(encoded);
        let s = &doc.get().expect("parsed").statements[0];
        assert_eq!(s.actions, Field::Known(vec!["s3:*".to_string()]));
        assert_eq!(url_decode("{\"a\":\"50%\"}"), "{\"a\":\"50%\"}");
        assert_eq!(url_decode("a%20b+c%zz"), "a b+c%zz");
    }
}
