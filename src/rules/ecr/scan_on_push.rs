use crate::declare_rule;
use crate::model::{EcrRegistryScanning, EcrRepository, Field, Unknown};
use crate::policy::GlobList;
use crate::rules::Check;

/// Registry scan frequencies that scan an image when it is pushed.
const ON_PUSH: [&str; 2] = ["SCAN_ON_PUSH", "CONTINUOUS_SCAN"];

declare_rule! {
    /// ## What it checks
    /// Every ECR repository scans images on push: `image_scanning_configuration {
    /// scan_on_push = true }` (not set = false, the AWS default), or a registry scanning
    /// configuration (`aws_ecr_registry_scanning_configuration`) has a rule with frequency
    /// `SCAN_ON_PUSH` or `CONTINUOUS_SCAN` whose repository filter (a wildcard, `*`) matches
    /// the repository name.
    ///
    /// ## Why
    /// The architecture document's Container Registry: "Image Scanning: Enabled for
    /// vulnerability detection" for `clever-better-bot` and `clever-better-ml`. An image
    /// that is never scanned ships its known CVEs to the tasks that trade with real money.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_ecr_repository" "bot" {
    ///   name = "clever-better-bot"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_ecr_repository" "bot" {
    ///   name = "clever-better-bot"
    ///   image_scanning_configuration {
    ///     scan_on_push = true
    ///   }
    /// }
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV_AWS_163`; Trivy `AVD-AWS-0030` (ecr enable-image-scans); AWS Config
    /// `ecr-private-image-scanning-enabled`.
    pub static ECR_SCAN_ON_PUSH = Rule {
        id: "CB-ECR-001",
        name: "ecr-scan-on-push",
        area: Compute,
        severity: High,
        scope: Architecture,
        check: check,
    };
}

const ATTR: Option<&str> = Some("image_scanning_configuration");

/// Whether a registry scanning rule scans `name` on push: `Ok(true)`, `Ok(false)`, or why
/// it cannot be known.
fn registry_scans(c: &Check<'_>, name: &Field<String>) -> Result<bool, Unknown> {
    let mut unknown = None;
    for cfg in c.inv.all::<EcrRegistryScanning>() {
        let Some(rules) = cfg.rules.get_noting(&mut unknown) else {
            continue;
        };
        for (frequency, filters) in rules {
            if !ON_PUSH.iter().any(|f| f.eq_ignore_ascii_case(frequency)) {
                continue;
            }
            let Some(repo) = name.get_noting(&mut unknown) else {
                continue;
            };
            if filters.iter().any(|f| filter_matches(f, repo)) {
                return Ok(true);
            }
        }
    }
    unknown.map_or(Ok(false), Err)
}

fn filter_matches(filter: &str, repo: &str) -> bool {
    match GlobList::new(&[filter]) {
        Ok(glob) => glob.matches(repo),
        Err(_) => filter.eq_ignore_ascii_case(repo),
    }
}

fn check(c: &mut Check<'_>) {
    for repo in c.inv.all::<EcrRepository>() {
        if repo.scan_on_push.is(&true) {
            c.pass(repo.id);
            continue;
        }
        let registry = registry_scans(c, &repo.name);
        if registry == Ok(true) {
            c.pass(repo.id);
            continue;
        }
        if c.need(repo.id, ATTR, "scan_on_push", &repo.scan_on_push)
            .is_none()
        {
            continue;
        }
        if let Err(u) = registry {
            c.unknown(
                repo.id,
                ATTR,
                "whether a registry scanning rule covers the repository",
                &u,
            );
            continue;
        }
        let setting = repo
            .scan_on_push
            .setting("scan_on_push", "the AWS default is false");
        c.require(
            repo.id,
            ATTR,
            format!(
                "ECR repository {} does not scan images on push ({setting}, and no registry scanning rule covers it)",
                repo.name.shown()
            ),
            "image scanning",
            "set image_scanning_configuration { scan_on_push = true }",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Inventory, Resource};
    use crate::rules::testing::{res, run};

    fn repo(scan: Field<bool>) -> Resource {
        res(
            "aws_ecr_repository.bot",
            EcrRepository {
                name: Field::Known("clever-better-bot".into()),
                scan_on_push: scan,
            },
        )
    }

    fn registry(rules: Field<Vec<(&str, Vec<&str>)>>) -> Resource {
        res(
            "aws_ecr_registry_scanning_configuration.main",
            EcrRegistryScanning {
                rules: rules.map(|rs| {
                    rs.into_iter()
                        .map(|(f, fs)| {
                            (f.to_string(), fs.into_iter().map(str::to_string).collect())
                        })
                        .collect()
                }),
            },
        )
    }

    #[test]
    fn scan_on_push_passes() {
        let mut inv = Inventory::new();
        inv.push(repo(Field::Known(true)));
        assert_eq!(
            run(&ECR_SCAN_ON_PUSH, &inv).passes(),
            vec!["aws_ecr_repository.bot"]
        );
    }

    #[test]
    fn absent_setting_fails_with_default() {
        let mut inv = Inventory::new();
        inv.push(repo(Field::Absent));
        let out = run(&ECR_SCAN_ON_PUSH, &inv);
        assert_eq!(out.fails(), vec!["aws_ecr_repository.bot"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("default is false") && msg.contains("requires image scanning"),
            "{msg}"
        );
    }

    #[test]
    fn registry_rule_with_matching_filter_passes() {
        let mut inv = Inventory::new();
        inv.push(repo(Field::Known(false)));
        inv.push(registry(Field::Known(vec![(
            "SCAN_ON_PUSH",
            vec!["clever-better-*"],
        )])));
        assert_eq!(
            run(&ECR_SCAN_ON_PUSH, &inv).passes(),
            vec!["aws_ecr_repository.bot"]
        );

        let mut inv = Inventory::new();
        inv.push(repo(Field::Known(false)));
        inv.push(registry(Field::Known(vec![
            ("MANUAL", vec!["*"]),
            ("CONTINUOUS_SCAN", vec!["other-*"]),
        ])));
        assert_eq!(
            run(&ECR_SCAN_ON_PUSH, &inv).fails(),
            vec!["aws_ecr_repository.bot"]
        );
    }

    #[test]
    fn unknowns_are_unknown() {
        let mut inv = Inventory::new();
        inv.push(repo(Field::Unknown(Unknown::AfterApply)));
        assert_eq!(
            run(&ECR_SCAN_ON_PUSH, &inv).unknowns(),
            vec!["aws_ecr_repository.bot"]
        );
        let mut inv = Inventory::new();
        inv.push(repo(Field::Known(false)));
        inv.push(registry(Field::Unknown(Unknown::Denied(
            "ecr:GetRegistryScanningConfiguration".into(),
        ))));
        let out = run(&ECR_SCAN_ON_PUSH, &inv);
        assert_eq!(out.unknowns(), vec!["aws_ecr_repository.bot"]);
        assert!(out.messages()[0].contains("denied"));
    }
}
