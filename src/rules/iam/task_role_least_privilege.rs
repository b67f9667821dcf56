use crate::declare_rule;
use crate::model::{IamRole, RefTarget, Refs, Resolution, TaskDefinition, Unknown, View};
use crate::rules::Check;

use super::policies::applied_to;
use super::statements::beyond_list;
use super::verdicts::Verdicts;

declare_rule! {
    /// ## What it checks
    /// The task role of every ECS task definition (`task_role_arn`) allows only the
    /// documented actions (`iam.task_role_actions`) on named resources: every Allow statement
    /// of its inline policies (`inline_policy`, `aws_iam_role_policy`) and attached policies
    /// (`aws_iam_role_policy_attachment`, `aws_iam_policy_attachment`, `managed_policy_arns`)
    /// lists only those actions, and names its resources. It fails on: an action outside the
    /// list (a wildcard action such as `s3:Get*` is outside unless the list holds it, `*` or
    /// its `service:*`; names compare case-insensitively); a `NotAction` Allow (it grants
    /// every action it does not name); a `*` resource (or `arn:aws:*`); a `NotResource` Allow
    /// (every resource but a few). A `Condition` does not remove a grant; an unconditional
    /// Deny of the same document removes an extra action only when it covers it on the same
    /// resources. Findings go on the policy resource (the role for `inline_policy` blocks and
    /// `managed_policy_arns`, the attachment for an attached AWS managed policy). Execution
    /// roles are not task roles.
    ///
    /// The task role is found by reference, by name, or by an ARN built as a string
    /// (`format("arn:aws:iam::%s:role/%s", …)`): an IAM ARN names the role of that name
    /// whose own ARN is not known yet. A task role whose ARN is known only after apply (an
    /// account id from a data source) is unknown. AWS managed policies are judged with
    /// cbaudit's reviewed snapshot of their documents (`data/README.md`) in plans and `.tf`
    /// files, and live with the default version IAM serves (`iam:GetPolicy`,
    /// `iam:GetPolicyVersion`; the snapshot only when that read failed); one neither read
    /// nor in the snapshot is unknown, never pass.
    ///
    /// ## Why
    /// The architecture document's "IAM Roles" section gives the ECS task role exactly
    /// `"secretsmanager:GetSecretValue", "s3:GetObject", "s3:PutObject",
    /// "logs:CreateLogStream", "logs:PutLogEvents"` on `"Resource": ["arn:aws:..."]`. The
    /// task role is what a compromised container can use: anything beyond the list, or any
    /// action on every resource, widens the blast radius of the trading bot and the ML
    /// service to the whole account.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_role_policy" "task" {
    ///   role = aws_iam_role.task.id
    ///   policy = jsonencode({
    ///     Version   = "2012-10-17"
    ///     Statement = [{ Effect = "Allow", Action = ["s3:*"], Resource = "*" }]
    ///   })
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_role_policy" "task" {
    ///   role = aws_iam_role.task.id
    ///   policy = jsonencode({
    ///     Version = "2012-10-17"
    ///     Statement = [{
    ///       Effect   = "Allow"
    ///       Action   = ["s3:GetObject", "s3:PutObject"]
    ///       Resource = "${aws_s3_bucket.models.arn}/*"
    ///     }]
    ///   })
    /// }
    /// ```
    ///
    /// ## Peers
    /// Partly Checkov `CKV_AWS_355` (no `*` resource for restrictable actions) and
    /// `CKV_AWS_290` (write access without constraints), Trivy `AVD-AWS-0057` (no policy
    /// wildcards). None checks the documented action list; no AWS Config managed rule does.
    pub static TASK_ROLE_LEAST_PRIVILEGE = Rule {
        id: "CB-IAM-001",
        name: "task-role-least-privilege",
        area: Identity,
        severity: Critical,
        scope: Architecture,
        check: check,
    };
}

/// Why a task role ARN computed only from other resources (an account id read at apply
/// time) names no role yet.
fn built_from(refs: &Refs) -> Option<Unknown> {
    let targets = refs.get()?;
    let addresses: Vec<&str> = targets
        .iter()
        .map(|t| match t {
            RefTarget::Address(a) => Some(a.as_str()),
            RefTarget::Ident(_) => None,
        })
        .collect::<Option<_>>()?;
    (!addresses.is_empty()).then(|| {
        Unknown::Unresolved(format!(
            "its ARN is built from {}, known only after apply",
            addresses.join(", ")
        ))
    })
}

fn task_roles<'a>(c: &mut Check<'a>) -> Vec<View<'a, IamRole>> {
    let inv = c.inv;
    let mut roles: Vec<View<'a, IamRole>> = Vec::new();
    for td in inv.all::<TaskDefinition>() {
        match inv.resolve::<IamRole>(&td.task_role) {
            Resolution::Absent => {}
            Resolution::Unknown(u) => {
                let u = built_from(&td.task_role).unwrap_or(u);
                c.unknown(td.id, Some("task_role_arn"), "the task role", &u)
            }
            Resolution::Known { found, external } => {
                for role in found {
                    if !roles.iter().any(|r| r.id == role.id) {
                        roles.push(role);
                    }
                }
                if let Some(ext) = external.first() {
                    let why = Unknown::NotInInputs(format!("role {ext}"));
                    c.unknown(
                        td.id,
                        Some("task_role_arn"),
                        "the task role's policies",
                        &why,
                    );
                }
            }
        }
    }
    roles
}

fn check(c: &mut Check<'_>) {
    let allowed = c.policy.iam.task_role_actions.clone();
    let requirement = format!(
        "the architecture allows the task role only {} on named resources (no `*` resource)",
        allowed.join(", ")
    );
    let mut verdicts = Verdicts::default();
    for role in task_roles(c) {
        let applied = applied_to(c.inv, &role);
        if applied.is_empty() {
            c.pass(role.id);
        }
        for a in applied {
            match a.document {
                Err((what, why)) => verdicts.unknown(a.on, a.attribute, what, why),
                Ok(doc) => match beyond_list(&doc, &allowed) {
                    (problems, _) if !problems.is_empty() => verdicts.fail(
                        a.on,
                        a.attribute,
                        format!(
                            "{} (task role {}) {}; {requirement}",
                            a.label,
                            role.address(),
                            problems.join(" and ")
                        ),
                    ),
                    (_, Some(why)) => verdicts.unknown(
                        a.on,
                        a.attribute,
                        format!("whether {} stays within the documented actions", a.label),
                        why,
                    ),
                    (_, None) => verdicts.pass(a.on, a.attribute),
                },
            }
        }
    }
    verdicts.emit(
        c,
        "limit Action to the documented task-role actions and Resource to named ARNs; \
         move other permissions to another role",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        ident, Field, IamInlinePolicy, IamPolicy, IamPolicyAttachment, Inventory, PolicyDocument,
        PolicyDocumentData, PolicyText,
    };
    use crate::rules::iam::testkit::{addr, stmt, text};
    use crate::rules::testing::{res, run};

    /// A task definition whose task role is `aws_iam_role.task`, plus that role.
    fn base(role: IamRole) -> Inventory {
        let mut inv = Inventory::new();
        let td = TaskDefinition {
            task_role: addr("aws_iam_role.task"),
            execution_role: addr("aws_iam_role.exec"),
            ..Default::default()
        };
        inv.push(res("aws_ecs_task_definition.bot", td));
        inv.push(
            res("aws_iam_role.task", role)
                .with_identifiers(["task-role", "arn:aws:iam::1:role/task-role"]),
        );
        inv
    }

    fn role_policy(inv: &mut Inventory, json: &str) {
        let p = IamInlinePolicy {
            principal: addr("aws_iam_role.task"),
            policy: text(json),
            ..Default::default()
        };
        inv.push(res("aws_iam_role_policy.task", p));
    }

    #[test]
    fn documented_actions_on_named_resources_pass() {
        let mut inv = base(IamRole::default());
        role_policy(
            &mut inv,
            &stmt(r#""S3:getobject","s3:PutObject""#, "arn:aws:s3:::models/*"),
        );
        let out = run(&TASK_ROLE_LEAST_PRIVILEGE, &inv);
        assert_eq!(out.passes(), vec!["aws_iam_role_policy.task"]);
        assert!(out.fails().is_empty() && out.unknowns().is_empty());
    }

    #[test]
    fn extra_action_fails_with_action_and_list() {
        let mut inv = base(IamRole::default());
        role_policy(
            &mut inv,
            &stmt(
                r#""s3:GetObject","iam:PassRole","s3:Get*""#,
                "arn:aws:s3:::m/*",
            ),
        );
        let out = run(&TASK_ROLE_LEAST_PRIVILEGE, &inv);
        assert_eq!(out.fails(), vec!["aws_iam_role_policy.task"]);
        let msg = out.messages()[0];
        assert!(msg.contains("iam:PassRole, s3:Get*"), "{msg}");
        assert!(msg.contains("secretsmanager:GetSecretValue"), "{msg}");
    }

    #[test]
    fn star_resource_and_not_action_fail() {
        let mut inv = base(IamRole::default());
        role_policy(&mut inv, &stmt(r#""s3:GetObject""#, "*"));
        let out = run(&TASK_ROLE_LEAST_PRIVILEGE, &inv);
        assert!(
            out.messages()[0].contains("Resource \"*\""),
            "{:?}",
            out.messages()
        );
        let mut inv = base(IamRole::default());
        role_policy(
            &mut inv,
            r#"{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"arn:x"}}"#,
        );
        let out = run(&TASK_ROLE_LEAST_PRIVILEGE, &inv);
        assert!(
            out.messages()[0].contains("NotAction"),
            "{:?}",
            out.messages()
        );
    }

    #[test]
    fn inline_blocks_and_managed_arns_fail_on_the_role() {
        let role = IamRole {
            inline_policies: vec![("extra".into(), text(&stmt(r#""ec2:*""#, "*")))],
            managed_policies: Field::Known(vec![ident(
                "arn:aws:iam::aws:policy/AdministratorAccess",
            )]),
            ..Default::default()
        };
        let out = run(&TASK_ROLE_LEAST_PRIVILEGE, &base(role));
        assert_eq!(out.fails(), vec!["aws_iam_role.task"]);
        assert_eq!(out.outcomes.len(), 2, "one per attribute");
        assert!(out
            .messages()
            .iter()
            .any(|m| m.contains("AdministratorAccess")));
    }

    #[test]
    fn unknown_managed_policy_and_unknown_role_are_unknown() {
        let role = IamRole {
            managed_policies: Field::Known(vec![ident(
                "arn:aws:iam::aws:policy/AWSSomethingObscure",
            )]),
            ..Default::default()
        };
        let out = run(&TASK_ROLE_LEAST_PRIVILEGE, &base(role));
        assert_eq!(out.unknowns(), vec!["aws_iam_role.task"]);

        let mut inv = Inventory::new();
        let td = TaskDefinition {
            task_role: Field::Unknown(Unknown::AfterApply),
            ..Default::default()
        };
        inv.push(res("aws_ecs_task_definition.x", td));
        assert_eq!(
            run(&TASK_ROLE_LEAST_PRIVILEGE, &inv).unknowns(),
            vec!["aws_ecs_task_definition.x"]
        );
    }

    #[test]
    fn data_document_with_unknown_resources() {
        for (actions, fails) in [(r#""s3:GetObject""#, false), (r#""s3:DeleteObject""#, true)] {
            let mut inv = base(IamRole::default());
            let mut doc = PolicyDocument::parse(&stmt(actions, "x")).unwrap();
            doc.statements[0].resources = Field::Unknown(Unknown::AfterApply);
            let data = PolicyDocumentData {
                document: Field::Known(doc),
                ..Default::default()
            };
            inv.push(res("data.aws_iam_policy_document.t", data));
            let p = IamInlinePolicy {
                principal: addr("aws_iam_role.task"),
                policy: PolicyText {
                    document: Field::Unknown(Unknown::AfterApply),
                    refs: addr("data.aws_iam_policy_document.t"),
                },
                ..Default::default()
            };
            inv.push(res("aws_iam_role_policy.t", p));
            let out = run(&TASK_ROLE_LEAST_PRIVILEGE, &inv);
            if fails {
                assert_eq!(out.fails(), vec!["aws_iam_role_policy.t"]);
            } else {
                assert_eq!(out.unknowns(), vec!["aws_iam_role_policy.t"]);
            }
        }
    }

    #[test]
    fn attachment_by_role_name_fails_on_the_policy() {
        let mut inv = base(IamRole::default());
        let pol = IamPolicy {
            name: Field::Known("wide".into()),
            policy: text(&stmt(r#""dynamodb:*""#, "arn:aws:dynamodb:::table/x")),
        };
        inv.push(res("aws_iam_policy.wide", pol));
        let att = IamPolicyAttachment {
            principals: Field::Known(vec![ident("task-role")]),
            policy: addr("aws_iam_policy.wide"),
            ..Default::default()
        };
        inv.push(res("aws_iam_role_policy_attachment.w", att));
        let out = run(&TASK_ROLE_LEAST_PRIVILEGE, &inv);
        assert_eq!(out.fails(), vec!["aws_iam_policy.wide"]);
    }

    #[test]
    fn execution_role_is_not_checked() {
        let mut inv = base(IamRole::default());
        let exec = IamRole {
            managed_policies: Field::Known(vec![ident(
                "arn:aws:iam::aws:policy/AdministratorAccess",
            )]),
            ..Default::default()
        };
        inv.push(res("aws_iam_role.exec", exec));
        let out = run(&TASK_ROLE_LEAST_PRIVILEGE, &inv);
        assert_eq!(out.passes(), vec!["aws_iam_role.task"]);
        assert!(out.fails().is_empty());
    }

    #[test]
    fn task_role_named_by_a_built_arn_is_the_role() {
        let plain = "arn:aws:iam::123456789012:role/clever-better-task";
        let with_path = "arn:aws:iam::123456789012:role/service/clever-better-task";
        for (task_role_arn, role_arn, resolves) in [
            (plain, None, true),
            (with_path, None, true),
            (plain, Some(plain), true),
            (
                plain,
                Some("arn:aws:iam::999999999999:role/clever-better-task"),
                false,
            ),
        ] {
            let mut inv = Inventory::new();
            let td = TaskDefinition {
                task_role: Field::Known(vec![ident(task_role_arn)]),
                ..Default::default()
            };
            inv.push(res("aws_ecs_task_definition.bot", td));
            let ids: Vec<&str> = ["clever-better-task"].into_iter().chain(role_arn).collect();
            inv.push(res("aws_iam_role.task", IamRole::default()).with_identifiers(ids));
            let p = IamInlinePolicy {
                principal: Field::Known(vec![ident("clever-better-task")]),
                policy: text(&stmt(r#""s3:DeleteObject""#, "arn:aws:s3:::m/*")),
                ..Default::default()
            };
            inv.push(res("aws_iam_role_policy.t", p));
            let out = run(&TASK_ROLE_LEAST_PRIVILEGE, &inv);
            if resolves {
                assert_eq!(out.fails(), vec!["aws_iam_role_policy.t"], "{role_arn:?}");
            } else {
                // A role whose known ARN is in another account is another role.
                assert_eq!(out.unknowns(), vec!["aws_ecs_task_definition.bot"]);
                assert!(out.fails().is_empty());
            }
        }
    }

    #[test]
    fn merged_documents_follow_the_provider_order() {
        // source: Sid A `s3:*` on `*`; own statement: Sid A narrow (replaces it); override:
        // Sid B `iam:PassRole` on `*` appended. The documented list fails on the override only.
        let src = PolicyDocument::parse(
            r#"{"Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        )
        .unwrap();
        let own = PolicyDocument::parse(
            r#"{"Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::m/*"}]}"#,
        )
        .unwrap();
        let over = r#"{"Statement":[{"Sid":"B","Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::1:role/x"}]}"#;
        let mut inv = base(IamRole::default());
        inv.push(res(
            "data.aws_iam_policy_document.src",
            PolicyDocumentData {
                document: Field::Known(src),
                ..Default::default()
            },
        ));
        inv.push(res(
            "data.aws_iam_policy_document.t",
            PolicyDocumentData {
                document: Field::Known(own),
                sources: vec![PolicyText {
                    document: Field::Unknown(Unknown::AfterApply),
                    refs: addr("data.aws_iam_policy_document.src"),
                }],
                overrides: vec![text(over)],
            },
        ));
        let p = IamInlinePolicy {
            principal: addr("aws_iam_role.task"),
            policy: PolicyText {
                document: Field::Unknown(Unknown::AfterApply),
                refs: addr("data.aws_iam_policy_document.t"),
            },
            ..Default::default()
        };
        inv.push(res("aws_iam_role_policy.t", p));
        let out = run(&TASK_ROLE_LEAST_PRIVILEGE, &inv);
        assert_eq!(out.fails(), vec!["aws_iam_role_policy.t"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("allows iam:PassRole") && !msg.contains("s3:*"),
            "{msg}"
        );
    }
}
