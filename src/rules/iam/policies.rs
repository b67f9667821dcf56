//! Shared by the CB-IAM-* rules: the policies that apply to a role, their documents, the
//! well-known AWS managed policies, IAM action matching, and per-resource verdicts.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::model::{
    Field, IamInlinePolicy, IamPolicy, IamPolicyAttachment, IamRole, Inventory, PolicyDocument,
    PolicyDocumentData, PolicyText, PrincipalKind, Refs, ResId, Resolution, Unknown, View,
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
    match text.document.value() {
        Ok(Some(d)) => Ok(d.clone()),
        Err(u) => from_data(inv, &text.refs).unwrap_or_else(|| Err((what(), u.clone()))),
        Ok(None) => from_data(inv, &text.refs)
            .unwrap_or_else(|| Err((what(), Unknown::NotInInputs("the policy JSON".to_string())))),
    }
}

/// The statements of every policy-document data source `refs` names, if it names any.
fn from_data(inv: &Inventory, refs: &Refs) -> Option<Doc> {
    from_data_depth(inv, refs, 0)
}

/// Data sources nest (`source_policy_documents` naming other data sources); a cycle is a
/// Terraform error, a depth limit keeps a bad input from recursing forever.
const MAX_DEPTH: usize = 16;

fn from_data_depth(inv: &Inventory, refs: &Refs, depth: usize) -> Option<Doc> {
    let Resolution::Known { found, .. } = inv.resolve::<PolicyDocumentData>(refs) else {
        return None;
    };
    if found.is_empty() {
        return None;
    }
    let mut merged = PolicyDocument::default();
    for data in found {
        match merged_data(inv, &data, depth) {
            Ok(d) => merged.statements.extend(d.statements),
            Err(e) => return Some(Err(e)),
        }
    }
    Some(Ok(merged))
}

/// One data source's document merged as the AWS provider merges it:
/// `source_policy_documents` in order, then its own statements, then
/// `override_policy_documents` in order, a statement with a `Sid` replacing the earlier one
/// with the same `Sid` (terraform-provider-aws `aws_iam_policy_document`).
fn merged_data(
    inv: &Inventory,
    data: &View<'_, PolicyDocumentData>,
    depth: usize,
) -> Result<PolicyDocument, (String, Unknown)> {
    let what = || format!("the JSON of {}", data.address());
    if depth > MAX_DEPTH {
        let why = Unknown::Unresolved("policy documents nested too deeply".into());
        return Err((what(), why));
    }
    let Some(own) = data.document.try_value().map_err(|u| (what(), u))? else {
        return Err((what(), Unknown::NotInInputs(what())));
    };
    let part = |text: &PolicyText| -> Result<PolicyDocument, (String, Unknown)> {
        let u = match text.document.value() {
            Ok(Some(d)) => return Ok(d.clone()),
            Err(u) => u.clone(),
            Ok(None) => Unknown::NotInInputs("a merged policy document".into()),
        };
        match from_data_depth(inv, &text.refs, depth + 1) {
            Some(r) => r,
            None => Err((format!("a document merged into {}", data.address()), u)),
        }
    };
    let mut merged = PolicyDocument::default();
    for s in &data.sources {
        merged.merge(&part(s)?);
    }
    merged.merge(own);
    for o in &data.overrides {
        merged.merge(&part(o)?);
    }
    Ok(merged)
}

/// The name of an AWS managed policy ARN (`arn:aws:iam::aws:policy/service-role/X` → `X`).
pub fn aws_managed_name(arn: &str) -> Option<&str> {
    aws_managed_path(arn)?.rsplit('/').next()
}

/// The path and name of an AWS managed policy ARN (`service-role/X`), any partition.
fn aws_managed_path(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (arn_, _partition, service, _region, account, rest) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if arn_ != "arn" || service != "iam" || account != "aws" {
        return None;
    }
    rest.strip_prefix("policy/")
}

/// cbaudit's reviewed snapshot of AWS managed policy documents (`data/README.md`).
struct Snapshot {
    date: String,
    /// By path and name (`service-role/AmazonECSTaskExecutionRolePolicy`).
    policies: BTreeMap<String, PolicyDocument>,
}

static SNAPSHOT: LazyLock<Snapshot> = LazyLock::new(|| {
    let raw: serde_json::Value =
        serde_json::from_str(include_str!("../../../data/aws-managed-policies.json"))
            .expect("data/aws-managed-policies.json is JSON");
    let mut policies = BTreeMap::new();
    if let Some(map) = raw["policies"].as_object() {
        for (arn, p) in map {
            let doc = PolicyDocument::from_value(&p["document"])
                .expect("data/aws-managed-policies.json documents parse");
            if let Some(path) = aws_managed_path(arn) {
                policies.insert(path.to_string(), doc);
            }
        }
    }
    Snapshot {
        date: raw["date"].as_str().unwrap_or("unknown date").to_string(),
        policies,
    }
});

/// The date of the managed-policy snapshot.
pub fn snapshot_date() -> &'static str {
    &SNAPSHOT.date
}

/// The document of an AWS managed policy by ARN: `None` for any other ARN, an unknown when
/// cbaudit's snapshot does not hold it.
pub fn aws_managed(arn: &str) -> Option<Result<PolicyDocument, Unknown>> {
    let path = aws_managed_path(arn)?;
    Some(match SNAPSHOT.policies.get(path) {
        Some(d) => Ok(d.clone()),
        None => Err(Unknown::NotKnownToCbaudit(format!(
            "AWS managed policy {} is not in cbaudit's snapshot ({})",
            aws_managed_name(arn).unwrap_or(path),
            SNAPSHOT.date
        ))),
    })
}

/// Whether `r` is an AWS managed policy a live scan read (its address is its ARN,
/// `arn:aws:iam::aws:policy/…`): attachments judge it, it is not the account's own policy.
pub fn is_aws_managed_policy(address: &str) -> bool {
    aws_managed_path(address).is_some()
}

/// The document of AWS managed policy `arn`: the default version a live scan read (an
/// `aws_iam_policy` at that ARN), else cbaudit's snapshot; `None` for any other ARN. A live
/// read that failed falls back to the snapshot, and is the reason when the snapshot does not
/// hold the policy either.
pub fn aws_managed_document(inv: &Inventory, arn: &str) -> Option<Result<PolicyDocument, Unknown>> {
    aws_managed_path(arn)?;
    let read = inv.by_address(arn).and_then(|r| match &r.body {
        crate::model::Body::IamPolicy(p) => Some(&p.policy.document),
        _ => None,
    });
    let failed = match read.map(Field::value) {
        Some(Ok(Some(d))) => return Some(Ok(d.clone())),
        Some(Err(u)) => Some(u.clone()),
        Some(Ok(None)) => Some(Unknown::NotInInputs(format!(
            "the document of AWS managed policy {}",
            aws_managed_name(arn).unwrap_or(arn)
        ))),
        None => None,
    };
    match (aws_managed(arn), failed) {
        (Some(Err(_)), Some(why)) => Some(Err(why)),
        (snapshot, _) => snapshot,
    }
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
            // AWS managed policies a live scan read are judged like those it did not: by
            // ARN, on what attaches them.
            let (aws, found): (Vec<_>, Vec<_>) = found
                .into_iter()
                .partition(|p| is_aws_managed_policy(p.address()));
            let external = aws.iter().map(|p| p.address().to_string()).chain(external);
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
                let what = format!("the document of {label}");
                let document = match aws_managed_document(inv, &arn) {
                    Some(Ok(doc)) => Ok(doc),
                    Some(Err(why)) => Err((what, why)),
                    None => Err((what, Unknown::NotInInputs(format!("the policy {arn}")))),
                };
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
pub fn applied_to(inv: &Inventory, role: &View<'_, IamRole>) -> Vec<Applied> {
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
    fn aws_managed_policies_come_from_the_snapshot() {
        let doc = |arn: &str| aws_managed(arn).unwrap().unwrap();
        assert_eq!(
            doc("arn:aws:iam::aws:policy/AdministratorAccess").statements[0].actions,
            Field::Known(vec!["*".to_string()])
        );
        let power = doc("arn:aws:iam::aws:policy/PowerUserAccess");
        assert!(power.statements[0].not_actions.is_known());
        let exec = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
        assert!(!doc(exec).statements.is_empty());
        assert!(aws_managed("arn:aws-cn:iam::aws:policy/ReadOnlyAccess").is_some_and(|r| r.is_ok()));
        assert!(aws_managed("arn:aws:iam::123456789012:policy/AdministratorAccess").is_none());
        let missing = aws_managed("arn:aws:iam::aws:policy/AWSSomethingObscure").unwrap();
        let msg = missing.unwrap_err().to_string();
        assert!(
            msg.contains("AWSSomethingObscure is not in cbaudit's snapshot (")
                && msg.contains(snapshot_date()),
            "{msg}"
        );
    }

    #[test]
    fn every_snapshot_document_parses_with_statements() {
        assert!(SNAPSHOT.policies.len() >= 16);
        for (name, doc) in &SNAPSHOT.policies {
            assert!(!doc.statements.is_empty(), "{name}");
        }
    }
}
