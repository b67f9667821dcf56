use crate::declare_rule;
use crate::model::{
    Field, IamInlinePolicy, IamPolicy, IamPolicyAttachment, IamRole, Inventory, PolicyDocument,
    RefTarget, Refs, ResId, Unknown,
};
use crate::rules::Check;

use super::policies::{
    aws_managed_document, aws_managed_name, document, is_aws_managed_policy, Doc,
};
use super::statements::admin_grant;
use super::verdicts::Verdicts;

declare_rule! {
    /// ## What it checks
    /// No IAM policy grants all or nearly all actions of a service, or of every service, on
    /// every resource. The documents judged: customer-managed `aws_iam_policy`, inline
    /// `aws_iam_role_policy` / `aws_iam_user_policy` / `aws_iam_group_policy`, a role's
    /// `inline_policy` blocks, and AWS managed policies attached
    /// (`aws_iam_*_policy_attachment`, `aws_iam_policy_attachment`, `managed_policy_arns`).
    /// A statement fails when it is an Allow whose `Action` holds `*` or `<service>:*` (any
    /// case), or that uses `NotAction` (every action but those it names: PowerUserAccess's
    /// `NotAction: ["iam:*", "organizations:*", "account:*"]` is admin-like), and whose
    /// `Resource` holds `*` or that uses `NotResource` (every resource but a few). A
    /// `Condition` does not remove the grant (the message says "conditional"); an
    /// unconditional Deny of the same document removes it only when it covers exactly that
    /// grant on every resource. `NotAction: "*"` / `NotResource: "*"` grant nothing.
    ///
    /// AWS managed policies are judged with cbaudit's reviewed snapshot of their documents
    /// (`data/aws-managed-policies.json`, dated) in plans and `.tf` files, and with the
    /// default version AWS serves in live scans (`iam:GetPolicy` + `iam:GetPolicyVersion`;
    /// the snapshot only when that read failed); the finding goes on the attachment, or on
    /// the role for `managed_policy_arns`. A managed policy neither read nor in the snapshot
    /// is unknown, never pass. An `aws_iam_policy_document` is read with its
    /// `source_policy_documents` / `override_policy_documents` merged as the provider merges
    /// them.
    ///
    /// Sources: AWS IAM User Guide, "IAM JSON policy elements: NotAction" (an Allow with
    /// NotAction and Resource `*` grants every other action of every service), "…:
    /// NotResource", "Policy evaluation logic"; the AWS managed policy documents as archived
    /// by zoph-io/MAMIP (see `data/README.md`).
    ///
    /// ## Why
    /// The architecture document puts "Security First: Defense in depth with multiple security
    /// layers" first among its principles, and its only documented policy (the ECS task role)
    /// lists individual actions on `"Resource": ["arn:aws:..."]`. A full-access statement
    /// defeats every other layer: whoever holds the credentials owns the account or service.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_policy" "ops" {
    ///   policy = jsonencode({
    ///     Version   = "2012-10-17"
    ///     Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
    ///   })
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_policy" "ops" {
    ///   policy = jsonencode({
    ///     Version = "2012-10-17"
    ///     Statement = [{
    ///       Effect   = "Allow"
    ///       Action   = ["ecs:UpdateService", "ecs:DescribeServices"]
    ///       Resource = aws_ecs_service.bot.id
    ///     }]
    ///   })
    /// }
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV_AWS_62` / `CKV_AWS_1` (full `*-*` administrative privileges),
    /// `CKV_AWS_63` (`*` as a statement's action), `CKV_AWS_274` (AdministratorAccess
    /// attached); Trivy `AVD-AWS-0057` (policy wildcards); AWS Config
    /// `iam-policy-no-statements-with-admin-access` and
    /// `iam-policy-no-statements-with-full-access`.
    pub static NO_ADMIN_POLICY = Rule {
        id: "CB-IAM-002",
        name: "no-admin-policy",
        area: Identity,
        severity: Critical,
        scope: Architecture,
        check: check,
    };
}

const REQUIREMENT: &str =
    "no IAM policy may allow `*` or `service:*` on Resource \"*\" (full administrative access)";

/// The full-access grants of a document, else the first unknown.
fn grants(doc: &PolicyDocument) -> Result<Vec<String>, Unknown> {
    let mut grants = Vec::new();
    let mut unknown = None;
    for s in &doc.statements {
        match admin_grant(doc, s) {
            Ok(Some(g)) => grants.push(g),
            Ok(None) => {}
            Err(u) => {
                unknown.get_or_insert(u);
            }
        }
    }
    grants.dedup();
    match unknown {
        Some(u) if grants.is_empty() => Err(u),
        _ => Ok(grants),
    }
}

fn judge_doc(v: &mut Verdicts, on: ResId, attribute: &'static str, label: &str, doc: Doc) {
    let doc: PolicyDocument = match doc {
        Ok(doc) => doc,
        Err((what, why)) => return v.unknown(on, attribute, what, why),
    };
    match grants(&doc) {
        Ok(g) if !g.is_empty() => v.fail(
            on,
            attribute,
            format!("{label} {}; {REQUIREMENT}", g.join(" and ")),
        ),
        Ok(_) => v.pass(on, attribute),
        Err(why) => v.unknown(
            on,
            attribute,
            format!("whether {label} grants full access"),
            why,
        ),
    }
}

/// AWS managed policies among `refs`, judged with cbaudit's snapshot of their documents.
/// Customer-managed policies are judged on their own resource.
/// What each AWS managed policy grants (`None`: not an AWS managed policy), by ARN: many
/// roles attach the same few.
type Managed = rustc_hash::FxHashMap<String, Option<Result<Vec<String>, Unknown>>>;

fn judge_arns(
    inv: &Inventory,
    managed: &mut Managed,
    v: &mut Verdicts,
    on: ResId,
    attribute: &'static str,
    label: &str,
    refs: &Refs,
) {
    let targets = match refs.value() {
        Ok(None) => return,
        Err(u) => {
            let what = format!("the policies {label} attaches");
            return v.unknown(on, attribute, what, u.clone());
        }
        Ok(Some(targets)) => targets,
    };
    for t in targets {
        let RefTarget::Ident(arn) = t else {
            v.pass(on, attribute);
            continue;
        };
        let name = aws_managed_name(arn).unwrap_or(arn);
        let what = format!("whether the AWS managed policy {name} grants full access");
        let judged = managed.entry(arn.clone()).or_insert_with(|| {
            aws_managed_document(inv, arn).map(|doc| doc.and_then(|d| grants(&d)))
        });
        match &*judged {
            None => v.pass(on, attribute),
            Some(Ok(g)) if g.is_empty() => v.pass(on, attribute),
            Some(Ok(g)) => v.fail(
                on,
                attribute,
                format!(
                    "{label} attaches the AWS managed policy {name}, which {}; \
                     {REQUIREMENT}",
                    g.join(" and ")
                ),
            ),
            Some(Err(why)) => v.unknown(on, attribute, what, why.clone()),
        }
    }
}

fn check(c: &mut Check<'_>) {
    let inv = c.inv;
    let mut v = Verdicts::default();
    let mut managed = Managed::default();
    for p in inv.all::<IamPolicy>() {
        // An AWS managed policy a live scan read is judged on what attaches it.
        if is_aws_managed_policy(p.address()) {
            continue;
        }
        let label = format!("policy {}", p.address());
        judge_doc(
            &mut v,
            p.id,
            "policy",
            &label,
            document(inv, &p.policy, &label),
        );
    }
    for p in inv.all::<IamInlinePolicy>() {
        let label = format!("policy {}", p.address());
        judge_doc(
            &mut v,
            p.id,
            "policy",
            &label,
            document(inv, &p.policy, &label),
        );
    }
    for role in inv.all::<IamRole>() {
        for (name, text) in &role.inline_policies {
            let label = format!("inline policy `{name}` of {}", role.address());
            let doc = document(inv, text, &label);
            judge_doc(&mut v, role.id, "inline_policy", &label, doc);
        }
        let label = format!("role {}", role.address());
        judge_arns(
            inv,
            &mut managed,
            &mut v,
            role.id,
            "managed_policy_arns",
            &label,
            &role.managed_policies,
        );
    }
    for a in inv.all::<IamPolicyAttachment>() {
        let label = format!("attachment {}", a.address());
        match &a.policy {
            Field::Absent => v.unknown(
                a.id,
                "policy_arn",
                format!("the policy {label} attaches"),
                Unknown::NotInInputs("its policy_arn".to_string()),
            ),
            refs => judge_arns(inv, &mut managed, &mut v, a.id, "policy_arn", &label, refs),
        }
    }
    v.emit(
        c,
        "grant the specific actions the principal needs on named resources; \
         do not attach AdministratorAccess, PowerUserAccess or *FullAccess managed policies",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ident, Inventory, PolicyDocumentData, PolicyText, Resource};
    use crate::rules::iam::testkit::text;
    use crate::rules::testing::{res, run};

    fn policy(inv: &mut Inventory, address: &str, action: &str, resource: &str) {
        let json = format!(
            r#"{{"Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#
        );
        let p = IamPolicy {
            name: Field::Known("p".into()),
            policy: text(&json),
        };
        inv.push(Resource::new("aws_iam_policy", address, p));
    }

    #[test]
    fn star_and_service_star_on_star_fail() {
        let mut inv = Inventory::new();
        policy(&mut inv, "aws_iam_policy.all", "*", "*");
        policy(&mut inv, "aws_iam_policy.s3", "S3:*", "*");
        policy(
            &mut inv,
            "aws_iam_policy.named",
            "s3:*",
            "arn:aws:s3:::models",
        );
        policy(&mut inv, "aws_iam_policy.get", "s3:Get*", "*");
        let out = run(&NO_ADMIN_POLICY, &inv);
        assert_eq!(out.fails(), vec!["aws_iam_policy.all", "aws_iam_policy.s3"]);
        assert_eq!(
            out.passes(),
            vec!["aws_iam_policy.get", "aws_iam_policy.named"]
        );
        let msg = out.messages()[0];
        assert!(
            msg.contains("\"*\" on Resource \"*\"") && msg.contains("no IAM policy"),
            "{msg}"
        );
    }

    #[test]
    fn deny_statements_are_not_grants() {
        let mut inv = Inventory::new();
        let p = IamInlinePolicy {
            principal: Field::Known(vec![ident("r")]),
            policy: text(r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}"#),
            ..Default::default()
        };
        inv.push(res("aws_iam_user_policy.u", p));
        assert_eq!(
            run(&NO_ADMIN_POLICY, &inv).passes(),
            vec!["aws_iam_user_policy.u"]
        );
    }

    #[test]
    fn administrator_access_attachments_fail() {
        let mut inv = Inventory::new();
        let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
        let att = IamPolicyAttachment {
            principals: Field::Known(vec![ident("deployer")]),
            policy: Field::Known(vec![ident(admin)]),
            ..Default::default()
        };
        inv.push(res("aws_iam_role_policy_attachment.a", att));
        let role = IamRole {
            managed_policies: Field::Known(vec![ident(admin)]),
            ..Default::default()
        };
        inv.push(res("aws_iam_role.r", role));
        let ro = IamPolicyAttachment {
            policy: Field::Known(vec![ident("arn:aws:iam::aws:policy/ReadOnlyAccess")]),
            ..Default::default()
        };
        inv.push(res("aws_iam_role_policy_attachment.ro", ro));
        let out = run(&NO_ADMIN_POLICY, &inv);
        assert_eq!(
            out.fails(),
            vec!["aws_iam_role.r", "aws_iam_role_policy_attachment.a"]
        );
        assert_eq!(out.passes(), vec!["aws_iam_role_policy_attachment.ro"]);
        assert!(out
            .messages()
            .iter()
            .all(|m| m.contains("AdministratorAccess")));
    }

    #[test]
    fn inline_policy_blocks_fail_on_the_role() {
        let mut inv = Inventory::new();
        let role = IamRole {
            inline_policies: vec![(
                "ops".into(),
                text(
                    r#"{"Statement":{"Effect":"Allow","Action":["ec2:*"],"NotResource":"arn:x"}}"#,
                ),
            )],
            ..Default::default()
        };
        inv.push(res("aws_iam_role.ops", role));
        let out = run(&NO_ADMIN_POLICY, &inv);
        assert_eq!(out.fails(), vec!["aws_iam_role.ops"]);
        assert!(
            out.messages()[0].contains("inline policy `ops`"),
            "{:?}",
            out.messages()
        );
    }

    #[test]
    fn unknown_documents_are_unknown_unless_the_data_source_decides() {
        let mut inv = Inventory::new();
        let mut doc =
            PolicyDocument::parse(r#"{"Statement":{"Effect":"Allow","Action":"*"}}"#).unwrap();
        doc.statements[0].resources = Field::Unknown(Unknown::AfterApply);
        let data = PolicyDocumentData {
            document: Field::Known(doc),
            ..Default::default()
        };
        inv.push(res("data.aws_iam_policy_document.d", data));
        let p = IamPolicy {
            name: Field::Absent,
            policy: PolicyText {
                document: Field::Unknown(Unknown::AfterApply),
                refs: Field::Known(vec![RefTarget::Address(
                    "data.aws_iam_policy_document.d".into(),
                )]),
            },
        };
        inv.push(res("aws_iam_policy.d", p));
        let q = IamPolicy {
            name: Field::Absent,
            policy: PolicyText {
                document: Field::Unknown(Unknown::Unresolved("var.policy".into())),
                refs: Field::Absent,
            },
        };
        inv.push(res("aws_iam_policy.v", q));
        policy(&mut inv, "aws_iam_policy.ok", "s3:GetObject", "*");
        let out = run(&NO_ADMIN_POLICY, &inv);
        assert_eq!(out.unknowns(), vec!["aws_iam_policy.d", "aws_iam_policy.v"]);
        assert_eq!(out.passes(), vec!["aws_iam_policy.ok"]);
    }
}
