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

/// `data "aws_iam_policy_document"`: its JSON when known (the provider merged it), else
/// its own statements as far as they are known (constant actions with resources known only
/// after apply) and the documents it merges (`source_policy_documents`,
/// `override_policy_documents`), which the rules merge as the provider does. The legacy
/// `source_json` / `override_json` are not read: provider 5.x rejects any non-empty value
/// ("expected \"override_json\" to be an empty string").
pub fn policy_document_data(v: TfRef<'_>) -> Mapped {
    let json = v.get("json").string();
    if let Field::Known(json) | Field::Sensitive(json) = json {
        let document = match PolicyDocument::parse(&json) {
            Ok(d) => Field::Known(d),
            Err(e) => Field::Unknown(Unknown::Unresolved(format!("policy JSON: {e}"))),
        };
        return Mapped::new(PolicyDocumentData {
            document,
            ..Default::default()
        });
    }
    let statements = v.get("statement");
    let document = if statements.is_unknown() {
        statements.string().map(|_| PolicyDocument::default())
    } else {
        Field::Known(PolicyDocument {
            statements: statements
                .items()
                .into_iter()
                .map(statement_block)
                .collect(),
        })
    };
    let mut sources = Vec::new();
    let mut overrides = Vec::new();
    documents(v.get("source_policy_documents"), &mut sources);
    documents(v.get("override_policy_documents"), &mut overrides);
    Mapped::new(PolicyDocumentData {
        document,
        sources,
        overrides,
    })
}

/// The documents of a `*_policy_documents` list.
fn documents(v: TfRef<'_>, out: &mut Vec<PolicyText>) {
    if v.is_null() {
        return;
    }
    if v.is_unknown() {
        out.push(policy_text(v));
        return;
    }
    let items = v.items();
    if items.is_empty() {
        if v.string().is_known() {
            out.push(policy_text(v));
        }
        return;
    }
    out.extend(items.into_iter().filter(|i| !i.is_null()).map(policy_text));
}

/// One `statement` block of the data source.
fn statement_block(s: TfRef<'_>) -> Statement {
    Statement {
        sid: s.get("sid").string_nonempty().get().cloned(),
        effect: match s.get("effect").string().get().map(String::as_str) {
            Some("Deny") => Effect::Deny,
            _ => Effect::Allow,
        },
        actions: non_empty(s.get("actions").strings_or_references()),
        not_actions: non_empty(s.get("not_actions").strings_or_references()),
        resources: non_empty(s.get("resources").strings_or_references()),
        not_resources: non_empty(s.get("not_resources").strings_or_references()),
        conditional: !s.get("condition").is_null() && !s.get("condition").items().is_empty()
            || s.get("condition").is_unknown(),
    }
}

/// An empty list is how a plan spells an unset set attribute of a block.
fn non_empty(f: Field<Vec<String>>) -> Field<Vec<String>> {
    match f {
        Field::Known(l) | Field::Sensitive(l) if l.is_empty() => Field::Absent,
        other => other,
    }
}
