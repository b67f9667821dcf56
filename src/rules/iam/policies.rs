//! Shared by the CB-IAM-* rules: the policies that apply to a role, their documents, the
//! well-known AWS managed policies, IAM action matching, and per-resource verdicts.

use crate::model::{
    Effect, Field, IamInlinePolicy, IamPolicy, IamPolicyAttachment, IamRole, Inventory,
    PolicyDocument, PolicyDocumentData, PolicyText, PrincipalKind, Refs, Res, ResId, Resolution,
    Statement, Unknown,
};

/// A document, or what is unknown about it and why.
pub type Doc = Result<PolicyDocument, (String, Unknown)>;

/// One policy that applies to a role, and where a finding about it goes.
pub struct Applied {
    /// The resource holding the policy (the policy, the attachment, or the role).
    pub on: ResId,
    /// The Terraform attribute of `on` that holds it.
    pub attribute: &'static str,
    /// How messages name it: "inline policy `x` of aws_iam_role.task".
    pub label: String,
    pub document: Doc,
}

/// The document of a policy: its JSON, else the `aws_iam_policy_document` it refers to.
pub fn document(inv: &Inventory, text: &PolicyText, label: &str) -> Doc {
    let what = || format!("the document of {label}");
    match &text.document {
        Field::Known(d) | Field::Sensitive(d) => Ok(d.clone()),
        Field::Unknown(u) => from_data(inv, &text.refs).unwrap_or_else(|| Err((what(), u.clone()))),
        Field::Absent => from_data(inv, &text.refs)
            .unwrap_or_else(|| Err((what(), Unknown::NotInInputs("the policy JSON".to_string())))),
    }
}

/// The statements of every policy-document data source `refs` names, if it names any.
fn from_data(inv: &Inventory, refs: &Refs) -> Option<Doc> {
    let Resolution::Known { found, .. } = inv.resolve::<PolicyDocumentData>(refs) else {
        return None;
    };
    if found.is_empty() {
        return None;
    }
    let mut merged = PolicyDocument::default();
    for data in found {
        match &data.document {
            Field::Known(d) | Field::Sensitive(d) => merged.statements.extend(d.statements.clone()),
            Field::Unknown(u) => {
                return Some(Err((format!("the JSON of {}", data.address()), u.clone())))
            }
            Field::Absent => {
                let why = Unknown::NotInInputs(format!("the JSON of {}", data.address()));
                return Some(Err((format!("the JSON of {}", data.address()), why)));
            }
        }
    }
    Some(Ok(merged))
}

/// The name of an AWS managed policy ARN (`arn:aws:iam::aws:policy/service-role/X` → `X`).
pub fn aws_managed_name(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (arn_, _partition, service, _region, account, rest) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if arn_ != "arn" || service != "iam" || account != "aws" || !rest.starts_with("policy/") {
        return None;
    }
    rest.rsplit('/').next()
}

fn allow(actions: &[&str], not_actions: &[&str]) -> Statement {
    let list = |v: &[&str]| Field::Known(v.iter().map(|s| s.to_string()).collect());
    Statement {
        effect: Effect::Allow,
        actions: if actions.is_empty() {
            Field::Absent
        } else {
            list(actions)
        },
        not_actions: if not_actions.is_empty() {
            Field::Absent
        } else {
            list(not_actions)
        },
        resources: list(&["*"]),
        not_resources: Field::Absent,
    }
}

/// The document of a well-known AWS managed policy, by ARN.
pub fn aws_managed(arn: &str) -> Option<PolicyDocument> {
    let statement = match aws_managed_name(arn)? {
        "AdministratorAccess" => allow(&["*"], &[]),
        "PowerUserAccess" => allow(&[], &["iam:*", "organizations:*", "account:*"]),
        "IAMFullAccess" => allow(&["iam:*"], &[]),
        "AmazonS3FullAccess" => allow(&["s3:*", "s3-object-lambda:*"], &[]),
        "AmazonECSTaskExecutionRolePolicy" => allow(
            &[
                "ecr:GetAuthorizationToken",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            &[],
        ),
        _ => return None,
    };
    Some(PolicyDocument {
        statements: vec![statement],
    })
}

/// Whether `arn` is the AWS `AdministratorAccess` managed policy.
pub fn is_administrator_access(arn: &str) -> bool {
    aws_managed_name(arn) == Some("AdministratorAccess")
}

/// Expands managed-policy references (`managed_policy_arns`, `policy_arn`).
fn managed(
    inv: &Inventory,
    refs: &Refs,
    on: ResId,
    attribute: &'static str,
    owner: &str,
    out: &mut Vec<Applied>,
) {
    match inv.resolve::<IamPolicy>(refs) {
        Resolution::Absent => {}
        Resolution::Unknown(u) => out.push(Applied {
            on,
            attribute,
            label: format!("the policies attached by {owner}"),
            document: Err((format!("which policies {owner} attaches"), u)),
        }),
        Resolution::Known { found, external } => {
            for p in found {
                let label = format!("policy {}", p.address());
                let document = document(inv, &p.policy, &label);
                out.push(Applied {
                    on: p.id,
                    attribute: "policy",
                    label,
                    document,
                });
            }
            for arn in external {
                let label = match aws_managed_name(&arn) {
                    Some(name) => format!("AWS managed policy {name} (attached by {owner})"),
                    None => format!("policy {arn} (attached by {owner})"),
                };
                let document = aws_managed(&arn).ok_or_else(|| {
                    let why = Unknown::NotInInputs(format!("the managed policy {arn}"));
                    (format!("the document of {label}"), why)
                });
                out.push(Applied {
                    on,
                    attribute,
                    label,
                    document,
                });
            }
        }
    }
}

/// Whether `refs` (a policy's or attachment's principal) names `role`.
fn names_role(inv: &Inventory, refs: &Refs, role: ResId) -> Result<bool, Unknown> {
    match inv.resolve::<IamRole>(refs) {
        Resolution::Absent => Ok(false),
        Resolution::Unknown(u) => Err(u),
        Resolution::Known { found, .. } => Ok(found.iter().any(|r| r.id == role)),
    }
}

/// Every policy that applies to `role`: its `inline_policy` blocks, `aws_iam_role_policy`,
/// attachments and `managed_policy_arns`. A policy whose role cannot be resolved is listed
/// with an unknown document.
pub fn applied_to(inv: &Inventory, role: &Res<'_, IamRole>) -> Vec<Applied> {
    let mut out = Vec::new();
    let owner = role.address().to_string();
    for (name, text) in &role.inline_policies {
        let label = format!("inline policy `{name}` of {owner}");
        let document = document(inv, text, &label);
        out.push(Applied {
            on: role.id,
            attribute: "inline_policy",
            label,
            document,
        });
    }
    for p in inv.all::<IamInlinePolicy>() {
        if p.principal_kind != PrincipalKind::Role {
            continue;
        }
        let label = format!("policy {}", p.address());
        let document = match names_role(inv, &p.principal, role.id) {
            Ok(false) => continue,
            Ok(true) => document(inv, &p.policy, &label),
            Err(u) => Err((format!("whether {label} applies to {owner}"), u)),
        };
        out.push(Applied {
            on: p.id,
            attribute: "policy",
            label,
            document,
        });
    }
    for a in inv.all::<IamPolicyAttachment>() {
        if a.principal_kind != PrincipalKind::Role {
            continue;
        }
        match names_role(inv, &a.principals, role.id) {
            Ok(false) => {}
            Ok(true) => managed(inv, &a.policy, a.id, "policy_arn", a.address(), &mut out),
            Err(u) => out.push(Applied {
                on: a.id,
                attribute: "role",
                label: format!("attachment {}", a.address()),
                document: Err((format!("whether {} applies to {owner}", a.address()), u)),
            }),
        }
    }
    managed(
        inv,
        &role.managed_policies,
        role.id,
        "managed_policy_arns",
        &owner,
        &mut out,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_managed_policies_are_known_by_arn() {
        assert!(is_administrator_access(
            "arn:aws:iam::aws:policy/AdministratorAccess"
        ));
        assert!(!is_administrator_access(
            "arn:aws:iam::123456789012:policy/AdministratorAccess"
        ));
        let exec = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
        assert_eq!(aws_managed(exec).map(|d| d.statements.len()), Some(1));
        assert!(aws_managed("arn:aws:iam::aws:policy/ReadOnlyAccess").is_none());
    }
}
