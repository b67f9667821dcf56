//! IAM roles and policies, Secrets Manager secrets.
//!
//! IAM policy JSON is the one format every source produces (plan attributes, evaluated HCL,
//! live `GetPolicyVersion`), so its parser lives here with the model.

use serde_json::Value;

use super::{Field, Refs, Unknown};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `Sid`: statements of merged `aws_iam_policy_document`s replace each other by it.
    pub sid: Option<String>,
    pub effect: Effect,
    /// `Action`; absent when the statement uses `NotAction`.
    pub actions: Field<Vec<String>>,
    pub not_actions: Field<Vec<String>>,
    pub resources: Field<Vec<String>>,
    pub not_resources: Field<Vec<String>>,
    /// Whether it has a `Condition`: a conditional Allow still grants (when it holds); a
    /// conditional Deny removes nothing for sure.
    pub conditional: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyDocument {
    pub statements: Vec<Statement>,
}

impl PolicyDocument {
    /// Parses an IAM policy document (JSON text).
    pub fn parse(json: &str) -> Result<PolicyDocument, String> {
        let value: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
        PolicyDocument::from_value(&value)
    }

    pub fn from_value(value: &Value) -> Result<PolicyDocument, String> {
        let statements = match value.get("Statement") {
            Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
            Some(item @ Value::Object(_)) => vec![item],
            Some(_) => return Err("Statement is neither an object nor a list".into()),
            None => Vec::new(),
        };
        let statements = statements
            .into_iter()
            .map(|s| {
                let effect = match s.get("Effect").and_then(Value::as_str) {
                    Some("Deny") => Effect::Deny,
                    _ => Effect::Allow,
                };
                Statement {
                    sid: s
                        .get("Sid")
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                    effect,
                    actions: string_or_list(s.get("Action")),
                    not_actions: string_or_list(s.get("NotAction")),
                    resources: string_or_list(s.get("Resource")),
                    not_resources: string_or_list(s.get("NotResource")),
                    conditional: s
                        .get("Condition")
                        .is_some_and(|c| c.as_object().is_none_or(|o| !o.is_empty())),
                }
            })
            .collect();
        Ok(PolicyDocument { statements })
    }
}

fn string_or_list(v: Option<&Value>) -> Field<Vec<String>> {
    match v {
        None | Some(Value::Null) => Field::Absent,
        Some(Value::String(s)) => Field::Known(vec![s.clone()]),
        Some(Value::Array(items)) => {
            let strings: Option<Vec<String>> = items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect();
            match strings {
                Some(s) => Field::Known(s),
                None => Field::Unknown(Unknown::Unresolved("non-string policy element".into())),
            }
        }
        Some(_) => Field::Unknown(Unknown::Unresolved("malformed policy element".into())),
    }
}

/// A policy's document: known, or to be found through a reference (an
/// `aws_iam_policy_document` data source read at apply time).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyText {
    pub document: Field<PolicyDocument>,
    /// What the policy expression refers to when its JSON is unknown.
    pub refs: Refs,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct IamRole {
    pub name: Field<String>,
    /// `inline_policy` blocks (name, document).
    pub inline_policies: Vec<(String, PolicyText)>,
    /// `managed_policy_arns`.
    pub managed_policies: Refs,
}

/// A customer-managed (or, live, an attached AWS-managed) policy: `aws_iam_policy`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IamPolicy {
    pub name: Field<String>,
    pub policy: PolicyText,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrincipalKind {
    #[default]
    Role,
    User,
    Group,
}

/// An inline policy: `aws_iam_role_policy`, `aws_iam_user_policy`, `aws_iam_group_policy`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IamInlinePolicy {
    pub principal_kind: PrincipalKind,
    pub principal: Refs,
    pub policy: PolicyText,
}

/// `aws_iam_role_policy_attachment`, `aws_iam_policy_attachment` (roles only here).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IamPolicyAttachment {
    pub principal_kind: PrincipalKind,
    pub principals: Refs,
    pub policy: Refs,
}

/// `data "aws_iam_policy_document"`: a document other resources refer to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyDocumentData {
    /// The merged document (`json`) when known; else its own `statement` blocks.
    pub document: Field<PolicyDocument>,
    /// When `json` is not known: `source_policy_documents`, merged in order before the
    /// own statements.
    pub sources: Vec<PolicyText>,
    /// When `json` is not known: `override_policy_documents`, merged in order after the
    /// own statements.
    pub overrides: Vec<PolicyText>,
}

impl PolicyDocument {
    /// Merges `other` into `self` as the AWS provider's `aws_iam_policy_document` does: a
    /// statement with a `Sid` replaces the first statement with the same `Sid`; any other
    /// statement is appended.
    pub fn merge(&mut self, other: &PolicyDocument) {
        for s in &other.statements {
            let existing = s.sid.as_ref().and_then(|sid| {
                self.statements
                    .iter()
                    .position(|e| e.sid.as_ref() == Some(sid))
            });
            match existing {
                Some(i) => self.statements[i] = s.clone(),
                None => self.statements.push(s.clone()),
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Secret {
    pub name: Field<String>,
}
