use crate::declare_rule;
use crate::model::{EcrLifecyclePolicy, EcrRepository, Field};
use crate::rules::attached::Attached;
use crate::rules::{Check, NO_AGGREGATOR};

declare_rule! {
    /// ## What it checks
    /// Every ECR repository has a lifecycle policy (`aws_ecr_lifecycle_policy` whose
    /// `repository` is that repository) with a rule whose selection has
    /// `countType = "imageCountMoreThan"` and `countNumber` of at most `ecr.max_images` (10).
    /// A repository without policy fails on the repository; a policy that keeps more
    /// images, or only expires images by age (`sinceImagePushed`), fails on the policy.
    ///
    /// ## Why
    /// The architecture document's Container Registry: "Lifecycle Policy: Keep last 10
    /// images per repository". Without it every pushed image is stored (and billed)
    /// forever, and old vulnerable images stay deployable; an age-based rule alone does not
    /// bound the count when the pipeline pushes often.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_ecr_lifecycle_policy" "bot" {
    ///   repository = aws_ecr_repository.bot.name
    ///   policy = jsonencode({ rules = [{
    ///     rulePriority = 1
    ///     selection    = { tagStatus = "any", countType = "sinceImagePushed", countUnit = "days", countNumber = 90 }
    ///     action       = { type = "expire" }
    ///   }] })
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_ecr_lifecycle_policy" "bot" {
    ///   repository = aws_ecr_repository.bot.name
    ///   policy = jsonencode({ rules = [{
    ///     rulePriority = 1
    ///     description  = "Keep last 10 images"
    ///     selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 10 }
    ///     action       = { type = "expire" }
    ///   }] })
    /// }
    /// ```
    ///
    /// ## Peers
    /// AWS Config `ecr-private-lifecycle-policy-configured` (any policy, whatever it keeps);
    /// no Checkov or Trivy equivalent.
    pub static LIFECYCLE = Rule {
        id: "CB-ECR-002",
        name: "ecr-lifecycle",
        area: Compute,
        severity: Medium,
        scope: Architecture,
        sources: NO_AGGREGATOR,
        check: check,
    };
}

/// Whether a lifecycle policy belongs to a repository.
/// The smallest `countNumber` of the policy's `imageCountMoreThan` rules (`None` when it
/// has none), or an error when the policy is not a lifecycle policy document.
fn image_count_limit(policy: &str) -> Result<Option<i64>, String> {
    let json: serde_json::Value =
        serde_json::from_str(policy).map_err(|e| format!("is not valid JSON ({e})"))?;
    let rules = json
        .get("rules")
        .and_then(|r| r.as_array())
        .ok_or_else(|| "has no `rules` list".to_string())?;
    Ok(rules
        .iter()
        .filter_map(|rule| rule.get("selection"))
        .filter(|sel| {
            sel.get("countType")
                .and_then(|t| t.as_str())
                .is_some_and(|t| t.eq_ignore_ascii_case("imageCountMoreThan"))
        })
        .filter_map(|sel| sel.get("countNumber").and_then(|n| n.as_i64()))
        .min())
}

fn check(c: &mut Check<'_>) {
    let max = c.policy.ecr.max_images;
    let help = format!(
        "add a lifecycle rule with selection {{ countType = \"imageCountMoreThan\", countNumber = {max} }} and action {{ type = \"expire\" }}"
    );
    let inv = c.inv;
    let attached = Attached::<EcrLifecyclePolicy, EcrRepository>::collect(inv, |lp| &lp.repository);
    for repo in inv.all::<EcrRepository>() {
        let policies = attached.of(repo.id);
        if policies.is_empty() {
            match attached.maybe() {
                Some((what, u)) => c.unknown(repo.id, None, &what, &u),
                None => c.fail(
                    repo.id,
                    None,
                    format!("ECR repository {} has no lifecycle policy; the architecture keeps only the last {max} images", repo.name.shown()),
                    format!("add an aws_ecr_lifecycle_policy for it: {help}"),
                ),
            }
            continue;
        }
        for lp in policies.iter().copied() {
            let attr = Some("policy");
            let text = match &lp.policy {
                Field::Known(t) | Field::Sensitive(t) => t,
                Field::Unknown(u) => {
                    c.unknown(lp.id, attr, "the lifecycle policy document", u);
                    continue;
                }
                Field::Absent => "",
            };
            let repo_name = repo.name.shown();
            match image_count_limit(text) {
                Ok(Some(n)) if n <= max => c.pass(lp.id),
                Ok(Some(n)) => c.fail(
                    lp.id,
                    attr,
                    format!("the lifecycle policy of {repo_name} keeps up to {n} images (countNumber); the architecture keeps at most the last {max}"),
                    format!("set countNumber = {max}"),
                ),
                Ok(None) => c.fail(
                    lp.id,
                    attr,
                    format!("the lifecycle policy of {repo_name} has no imageCountMoreThan rule (age-based rules do not bound the count); the architecture keeps at most the last {max} images"),
                    help.clone(),
                ),
                Err(why) => c.fail(
                    lp.id,
                    attr,
                    format!("the lifecycle policy of {repo_name} {why}; the architecture keeps at most the last {max} images"),
                    help.clone(),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Unknown;
    use crate::model::{Inventory, RefTarget, Resource};
    use crate::rules::testing::run;

    fn repo() -> Resource {
        Resource::new(
            "aws_ecr_repository",
            "aws_ecr_repository.bot",
            EcrRepository {
                name: Field::Known("clever-better-bot".into()),
                scan_on_push: Field::Known(true),
            },
        )
        .with_identifiers(["clever-better-bot"])
    }

    fn policy(repository: RefTarget, text: Field<String>) -> Resource {
        Resource::new(
            "aws_ecr_lifecycle_policy",
            "aws_ecr_lifecycle_policy.bot",
            EcrLifecyclePolicy {
                repository: Field::Known(vec![repository]),
                policy: text,
            },
        )
    }

    fn doc(count_type: &str, n: i64) -> Field<String> {
        Field::Known(format!(
            r#"{{"rules":[{{"rulePriority":1,"selection":{{"tagStatus":"any","countType":"{count_type}","countUnit":"days","countNumber":{n}}},"action":{{"type":"expire"}}}}]}}"#
        ))
    }

    fn inv(lp: Option<Resource>) -> Inventory {
        let mut inv = Inventory::new();
        inv.push(repo());
        if let Some(lp) = lp {
            inv.push(lp);
        }
        inv
    }

    #[test]
    fn count_rule_within_limit_passes() {
        let by_addr = policy(
            RefTarget::Address("aws_ecr_repository.bot".into()),
            doc("imageCountMoreThan", 10),
        );
        assert_eq!(
            run(&LIFECYCLE, &inv(Some(by_addr))).passes(),
            vec!["aws_ecr_lifecycle_policy.bot"]
        );
        let by_name = policy(
            RefTarget::Ident("clever-better-bot".into()),
            doc("imageCountMoreThan", 5),
        );
        assert_eq!(
            run(&LIFECYCLE, &inv(Some(by_name))).passes(),
            vec!["aws_ecr_lifecycle_policy.bot"]
        );
    }

    #[test]
    fn larger_count_and_age_only_rules_fail() {
        let lp = policy(
            RefTarget::Ident("clever-better-bot".into()),
            doc("imageCountMoreThan", 30),
        );
        let out = run(&LIFECYCLE, &inv(Some(lp)));
        assert_eq!(out.fails(), vec!["aws_ecr_lifecycle_policy.bot"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("up to 30 images") && msg.contains("at most the last 10"),
            "{msg}"
        );
        let lp = policy(
            RefTarget::Ident("clever-better-bot".into()),
            doc("sinceImagePushed", 7),
        );
        let out = run(&LIFECYCLE, &inv(Some(lp)));
        assert!(out.messages()[0].contains("no imageCountMoreThan rule"));
    }

    #[test]
    fn repository_without_policy_fails() {
        let out = run(&LIFECYCLE, &inv(None));
        assert_eq!(out.fails(), vec!["aws_ecr_repository.bot"]);
        assert!(out.messages()[0].contains("no lifecycle policy"));
        let other = policy(
            RefTarget::Ident("another-repo".into()),
            doc("imageCountMoreThan", 10),
        );
        assert_eq!(
            run(&LIFECYCLE, &inv(Some(other))).fails(),
            vec!["aws_ecr_repository.bot"]
        );
    }

    #[test]
    fn unknown_document_or_repository_is_unknown() {
        let lp = policy(
            RefTarget::Ident("clever-better-bot".into()),
            Field::Unknown(Unknown::AfterApply),
        );
        assert_eq!(
            run(&LIFECYCLE, &inv(Some(lp))).unknowns(),
            vec!["aws_ecr_lifecycle_policy.bot"]
        );
        let mut lp = policy(RefTarget::Ident("x".into()), doc("imageCountMoreThan", 10));
        if let crate::model::Kind::EcrLifecyclePolicy(p) = &mut lp.kind {
            p.repository = Field::Unknown(Unknown::AfterApply);
        }
        assert_eq!(
            run(&LIFECYCLE, &inv(Some(lp))).unknowns(),
            vec!["aws_ecr_repository.bot"]
        );
    }

    #[test]
    fn invalid_document_fails() {
        let lp = policy(
            RefTarget::Ident("clever-better-bot".into()),
            Field::Known("{not json".into()),
        );
        let out = run(&LIFECYCLE, &inv(Some(lp)));
        assert_eq!(out.fails(), vec!["aws_ecr_lifecycle_policy.bot"]);
        assert!(out.messages()[0].contains("not valid JSON"));
    }
}
