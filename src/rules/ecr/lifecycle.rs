use crate::declare_rule;
use crate::model::{EcrLifecyclePolicy, EcrRepository, Unknown};
use crate::rules::attached::Attached;
use crate::rules::Check;

use super::evaluate::{evaluate, Evaluation};
use rustc_hash::FxHashMap as HashMap;

declare_rule! {
    /// ## What it checks
    /// Every ECR repository has a lifecycle policy (`aws_ecr_lifecycle_policy` whose
    /// `repository` is that repository) that, evaluated as ECR evaluates it, keeps at most
    /// `ecr.max_images` (10) of every image. Rules are taken by `rulePriority`, lowest first;
    /// each image belongs to the first rule whose tag selection (`tagStatus` any / untagged /
    /// tagged with every `tagPrefixList` prefix or `tagPatternList` pattern) selects it, and
    /// only that rule can expire it. A rule `imageCountMoreThan N` keeps at most N of its
    /// images; an age rule (`sinceImagePushed`, …) keeps any number of recent images; an image
    /// no rule selects (tagged images when only untagged images are selected, untagged ones
    /// when only tags are) is kept forever. The policy passes when every class of image is
    /// bounded by at most 10: "untagged > 1, any > 10" passes (a tagged or untagged image is
    /// among the last 10 or the last untagged), "untagged > 1" alone fails (tagged images are
    /// kept forever), "untagged > 5, any > 30" fails (keeps up to 30), "untagged after 7
    /// days, any > 10" fails (untagged images younger than 7 days have no count limit: the
    /// `any` rule cannot expire images an earlier rule selects). The evaluation is by witness
    /// images (`src/rules/ecr/evaluate.rs`): one untagged image, one tagged image no prefix
    /// or pattern selects, one per `tagged` rule.
    ///
    /// A repository without policy fails on the repository; a policy that keeps more fails on
    /// the policy, naming each class of image kept unbounded or beyond 10 and the rule
    /// responsible. A text ECR rejects (invalid JSON, no rules, duplicate `rulePriority`, an
    /// `any` rule that is not last, `tagged` without prefixes or patterns, a missing
    /// `tagStatus`/`countType`/`countNumber`/`action.type`) fails: `PutLifecyclePolicy` fails
    /// and the repository keeps every image. Rules cbaudit does not evaluate (archive
    /// `transition` actions, `storageClass = archive`, both prefix and pattern lists) make
    /// the verdict unknown with the reason, as does an unknown policy text.
    ///
    /// Sources: Amazon ECR User Guide, "Lifecycle policy properties" (rulePriority, tagStatus,
    /// tagPrefixList, tagPatternList, countType, countNumber), "How lifecycle policies work"
    /// (lifecycle policy evaluation rules: an image is expired by exactly one or zero rules,
    /// an image matching a higher-priority rule's tags cannot be expired by a lower-priority
    /// rule) and "Examples of lifecycle policies" (tested as unit tests).
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
    pub static ECR_LIFECYCLE = Rule {
        id: "CB-ECR-002",
        name: "ecr-lifecycle",
        area: Compute,
        severity: Medium,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let max = c.policy.ecr.max_images;
    let help = format!(
        "add a lifecycle rule with selection {{ tagStatus = \"any\", countType = \"imageCountMoreThan\", countNumber = {max} }} and action {{ type = \"expire\" }}"
    );
    let inv = c.inv;
    let attached = Attached::<EcrLifecyclePolicy, EcrRepository>::collect(inv, |lp| &lp.repository);
    // One evaluation per policy text (many repositories share a policy text).
    let empty = String::new();
    let mut evaluated: HashMap<&str, Evaluation> = HashMap::default();
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
            let what = "the lifecycle policy document";
            let Some(text) = c.need(lp.id, attr, what, &lp.data.policy) else {
                continue;
            };
            let text = text.unwrap_or(&empty);
            let repo_name = repo.name.shown();
            let judged = match evaluated
                .entry(text.as_str())
                .or_insert_with(|| evaluate(text))
                .clone()
            {
                Evaluation::Bounds(b) => b,
                Evaluation::Unsupported(why) => {
                    c.unknown(
                        lp.id,
                        attr,
                        &format!("how many images the lifecycle policy of {repo_name} keeps"),
                        &Unknown::Unresolved(why),
                    );
                    continue;
                }
                Evaluation::Rejected(why) => {
                    c.fail(
                        lp.id,
                        attr,
                        format!("the lifecycle policy of {repo_name} {why}: ECR rejects it, so the repository keeps every image; the architecture keeps at most the last {max}"),
                        help.clone(),
                    );
                    continue;
                }
            };
            let over: Vec<String> = judged
                .iter()
                .filter(|b| b.bound.is_none_or(|n| n > max))
                .map(|b| match b.bound {
                    Some(n) => format!("{}: up to {n} kept ({})", b.class, b.by),
                    None => format!("{}: no count limit ({})", b.class, b.by),
                })
                .collect();
            if over.is_empty() {
                c.pass(lp.id);
            } else {
                c.fail(
                    lp.id,
                    attr,
                    format!(
                        "the lifecycle policy of {repo_name}: {}; the architecture keeps at most the last {max} images",
                        over.join("; ")
                    ),
                    format!("{help}, as the rule of the highest rulePriority, and give no earlier rule a countNumber above {max} or an age-only countType"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Field;
    use crate::model::Unknown;
    use crate::model::{Inventory, RefTarget, Resource};
    use crate::rules::testing::{res, run};

    fn repo() -> Resource {
        res(
            "aws_ecr_repository.bot",
            EcrRepository {
                name: Field::Known("clever-better-bot".into()),
                scan_on_push: Field::Known(true),
            },
        )
        .with_identifiers(["clever-better-bot"])
    }

    fn policy(repository: RefTarget, text: Field<String>) -> Resource {
        res(
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
            run(&ECR_LIFECYCLE, &inv(Some(by_addr))).passes(),
            vec!["aws_ecr_lifecycle_policy.bot"]
        );
        let by_name = policy(
            RefTarget::Ident("clever-better-bot".into()),
            doc("imageCountMoreThan", 5),
        );
        assert_eq!(
            run(&ECR_LIFECYCLE, &inv(Some(by_name))).passes(),
            vec!["aws_ecr_lifecycle_policy.bot"]
        );
    }

    #[test]
    fn larger_count_and_age_only_rules_fail() {
        let lp = policy(
            RefTarget::Ident("clever-better-bot".into()),
            doc("imageCountMoreThan", 30),
        );
        let out = run(&ECR_LIFECYCLE, &inv(Some(lp)));
        assert_eq!(out.fails(), vec!["aws_ecr_lifecycle_policy.bot"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("up to 30 kept") && msg.contains("at most the last 10"),
            "{msg}"
        );
        let lp = policy(
            RefTarget::Ident("clever-better-bot".into()),
            doc("sinceImagePushed", 7),
        );
        let out = run(&ECR_LIFECYCLE, &inv(Some(lp)));
        let msg = out.messages()[0];
        assert!(
            msg.contains("no count limit") && msg.contains("only by age"),
            "{msg}"
        );
    }

    #[test]
    fn repository_without_policy_fails() {
        let out = run(&ECR_LIFECYCLE, &inv(None));
        assert_eq!(out.fails(), vec!["aws_ecr_repository.bot"]);
        assert!(out.messages()[0].contains("no lifecycle policy"));
        let other = policy(
            RefTarget::Ident("another-repo".into()),
            doc("imageCountMoreThan", 10),
        );
        assert_eq!(
            run(&ECR_LIFECYCLE, &inv(Some(other))).fails(),
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
            run(&ECR_LIFECYCLE, &inv(Some(lp))).unknowns(),
            vec!["aws_ecr_lifecycle_policy.bot"]
        );
        let mut lp = policy(RefTarget::Ident("x".into()), doc("imageCountMoreThan", 10));
        if let crate::model::Body::EcrLifecyclePolicy(p) = &mut lp.body {
            p.repository = Field::Unknown(Unknown::AfterApply);
        }
        assert_eq!(
            run(&ECR_LIFECYCLE, &inv(Some(lp))).unknowns(),
            vec!["aws_ecr_repository.bot"]
        );
    }

    fn text(t: &str) -> Field<String> {
        Field::Known(t.to_string())
    }

    /// The issue's examples, judged through the rule.
    #[test]
    fn policies_are_evaluated_not_matched() {
        let untagged_only = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}"#;
        let lp = policy(
            RefTarget::Ident("clever-better-bot".into()),
            text(untagged_only),
        );
        let out = run(&ECR_LIFECYCLE, &inv(Some(lp)));
        assert_eq!(out.fails(), vec!["aws_ecr_lifecycle_policy.bot"]);
        assert!(
            out.messages()[0].contains("kept forever"),
            "{}",
            out.messages()[0]
        );
        let keeps_30 = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}},{"rulePriority":2,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":30},"action":{"type":"expire"}}]}"#;
        let lp = policy(RefTarget::Ident("clever-better-bot".into()), text(keeps_30));
        let out = run(&ECR_LIFECYCLE, &inv(Some(lp)));
        assert!(out.messages()[0].contains("up to 30 kept"));
        assert!(!out.messages()[0].contains("untagged images"));
        let good = keeps_30.replace("30", "10");
        let lp = policy(RefTarget::Ident("clever-better-bot".into()), text(&good));
        assert_eq!(
            run(&ECR_LIFECYCLE, &inv(Some(lp))).passes(),
            vec!["aws_ecr_lifecycle_policy.bot"]
        );
        let archive = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":30},"action":{"type":"transition","targetStorageClass":"archive"}}]}"#;
        let lp = policy(RefTarget::Ident("clever-better-bot".into()), text(archive));
        assert_eq!(
            run(&ECR_LIFECYCLE, &inv(Some(lp))).unknowns(),
            vec!["aws_ecr_lifecycle_policy.bot"]
        );
    }

    #[test]
    fn invalid_document_fails() {
        let lp = policy(
            RefTarget::Ident("clever-better-bot".into()),
            Field::Known("{not json".into()),
        );
        let out = run(&ECR_LIFECYCLE, &inv(Some(lp)));
        assert_eq!(out.fails(), vec!["aws_ecr_lifecycle_policy.bot"]);
        assert!(out.messages()[0].contains("not valid JSON"));
        assert!(out.messages()[0].contains("ECR rejects it"));
    }
}
