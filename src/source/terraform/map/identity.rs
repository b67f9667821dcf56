//! IAM roles, policies and attachments; policy documents; Secrets Manager.

use super::{Mapped, TfRef};
use crate::model::*;

pub fn map(t: &str, v: TfRef<'_>) -> Option<Mapped> {
    Some(match t {
        "aws_iam_role" => {
            let name = v.get("name").string_nonempty();
            let inline_policies = v
                .get("inline_policy")
                .items()
                .into_iter()
                .filter(|p| !p.get("policy").is_null())
                .map(|p| {
                    (
                        p.get("name").string().get().cloned().unwrap_or_default(),
                        policy_text(p.get("policy")),
                    )
                })
                .collect();
            Mapped::new(IamRole {
                name: name.clone(),
                inline_policies,
                managed_policies: v.get("managed_policy_arns").refs(),
            })
            .id(&name)
        }
        "aws_iam_policy" => {
            let name = v.get("name").string_nonempty();
            Mapped::new(IamPolicy {
                name: name.clone(),
                policy: policy_text(v.get("policy")),
            })
            .id(&name)
        }
        "aws_iam_role_policy" | "aws_iam_user_policy" | "aws_iam_group_policy" => {
            let (kind, key) = principal(t);
            Mapped::new(IamInlinePolicy {
                principal_kind: kind,
                principal: v.get(key).refs(),
                policy: policy_text(v.get("policy")),
            })
        }
        "aws_iam_role_policy_attachment"
        | "aws_iam_user_policy_attachment"
        | "aws_iam_group_policy_attachment" => {
            let (kind, key) = principal(t);
            Mapped::new(IamPolicyAttachment {
                principal_kind: kind,
                principals: v.get(key).refs(),
                policy: v.get("policy_arn").refs(),
            })
        }
        "aws_iam_policy_attachment" => {
            // Attaches to roles, users and groups at once; model the roles (the principals
            // rules reason about) and keep the policy for admin checks.
            Mapped::new(IamPolicyAttachment {
                principal_kind: PrincipalKind::Role,
                principals: v.get("roles").refs(),
                policy: v.get("policy_arn").refs(),
            })
        }
        "aws_secretsmanager_secret" => {
            let name = v.get("name").string_nonempty();
            Mapped::new(Secret { name: name.clone() }).id(&name)
        }
        _ => return None,
    })
}

fn principal(t: &str) -> (PrincipalKind, &'static str) {
    if t.starts_with("aws_iam_user") {
        (PrincipalKind::User, "user")
    } else if t.starts_with("aws_iam_group") {
        (PrincipalKind::Group, "group")
    } else {
        (PrincipalKind::Role, "role")
    }
}

/// A `policy` attribute: the parsed document, or the references of its expression.
pub fn policy_text(v: TfRef<'_>) -> PolicyText {
    match v.string() {
        Field::Known(json) | Field::Sensitive(json) => PolicyText {
            document: match PolicyDocument::parse(&json) {
                Ok(d) => Field::Known(d),
                Err(e) => Field::Unknown(Unknown::Unresolved(format!("policy JSON: {e}"))),
            },
            refs: Field::Absent,
        },
        Field::Unknown(u) => PolicyText {
            // Known parts of a `jsonencode` with unknown leaves (see `partial`).
            document: v
                .partial_json()
                .map_or(Field::Unknown(u), |p| super::partial::policy(&p)),
            refs: v.refs(),
        },
        Field::Absent => PolicyText::default(),
    }
}

/// `data "aws_iam_policy_document"`: its JSON when known, else its statements as far as
/// they are known (constant actions with resources known only after apply).
pub fn policy_document_data(v: TfRef<'_>) -> Mapped {
    let document = match v.get("json").string() {
        Field::Known(json) | Field::Sensitive(json) => match PolicyDocument::parse(&json) {
            Ok(d) => Field::Known(d),
            Err(e) => Field::Unknown(Unknown::Unresolved(format!("policy JSON: {e}"))),
        },
        _ => {
            let statements = v.get("statement");
            if statements.is_unknown() {
                statements.string().map(|_| PolicyDocument::default())
            } else {
                Field::Known(PolicyDocument {
                    statements: statements
                        .items()
                        .into_iter()
                        .map(|s| Statement {
                            effect: match s.get("effect").string().get().map(String::as_str) {
                                Some("Deny") => Effect::Deny,
                                _ => Effect::Allow,
                            },
                            actions: s.get("actions").strings_or_references(),
                            not_actions: s.get("not_actions").strings_or_references(),
                            resources: s.get("resources").strings_or_references(),
                            not_resources: s.get("not_resources").strings_or_references(),
                        })
                        .collect(),
                })
            }
        }
    };
    Mapped::new(PolicyDocumentData { document })
}
