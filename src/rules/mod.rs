//! The rules: one file per rule under `src/rules/<area>/`, listed once in [`RULES`].
//!
//! A rule reads the model and the policy, never a source format. Its doc comment is its
//! documentation (`cbaudit explain` prints it), declared with [`declare_rule!`].

pub mod attached;
mod check;
pub mod documented;
mod rule;
#[cfg(test)]
pub mod testing;
pub mod tiers;

pub mod aud;
pub mod ecr;
pub mod ecs;
pub mod iam;
pub mod log;
pub mod mon;
pub mod net;
pub mod rds;
pub mod s3;
pub mod sec;
pub mod sg;
pub mod tls;

pub use check::{requires, set, set_str};
pub use check::{Check, Outcome, Status, Subject};
pub use rule::{Area, Rule, RuleScope, Severity};

/// Declares a rule: its doc comment becomes `DOC`, printed by `cbaudit explain`. Every
/// field is required, `scope` too ([`RuleScope`]: what a live or aggregator scan lets the
/// rule see), so no rule can forget to say whether it judges the architecture or the account.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it checks
///     /// …
///     pub static VPC_CIDR = Rule {
///         id: "CB-NET-001", name: "vpc-cidr", area: Network, severity: High,
///         scope: Architecture, check: check,
///     };
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:expr])*
        pub static $name:ident = Rule {
            id: $id:literal,
            name: $rule_name:literal,
            area: $area:ident,
            severity: $severity:ident,
            scope: $scope:ident,
            check: $check:path $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $name: $crate::rules::Rule = $crate::rules::Rule {
            id: $id,
            name: $rule_name,
            area: $crate::rules::Area::$area,
            severity: $crate::rules::Severity::$severity,
            scope: $crate::rules::RuleScope::$scope,
            doc: concat!($($doc, "\n"),*),
            check: $check,
        };
    };
}

/// Every rule, sorted by ID.
pub static RULES: &[&Rule] = &[
    &aud::cloudtrail_enabled::CLOUDTRAIL_ENABLED,
    &aud::guardduty_enabled::GUARDDUTY_ENABLED,
    &aud::config_recording::CONFIG_RECORDING,
    &ecr::scan_on_push::ECR_SCAN_ON_PUSH,
    &ecr::lifecycle::ECR_LIFECYCLE,
    &ecs::bot_single_instance::BOT_SINGLE_INSTANCE,
    &ecs::ml_service_ha::ML_SERVICE_HA,
    &ecs::private_networking::ECS_PRIVATE_NETWORKING,
    &ecs::health_check::ECS_HEALTH_CHECK,
    &ecs::task_size::ECS_TASK_SIZE,
    &ecs::secrets_not_in_env::SECRETS_NOT_IN_ENV,
    &iam::task_role_least_privilege::TASK_ROLE_LEAST_PRIVILEGE,
    &iam::no_admin_policy::NO_ADMIN_POLICY,
    &log::groups_exist::LOG_GROUPS_EXIST,
    &log::retention::LOG_RETENTION,
    &mon::documented_alarms::DOCUMENTED_ALARMS,
    &net::vpc_cidr::VPC_CIDR,
    &net::subnet_layout::SUBNET_LAYOUT,
    &net::private_subnet_isolation::PRIVATE_SUBNET_ISOLATION,
    &net::nat_per_az::NAT_PER_AZ,
    &net::vpc_flow_logs::VPC_FLOW_LOGS,
    &net::default_vpc::DEFAULT_VPC_UNUSED,
    &rds::storage_encrypted::RDS_STORAGE_ENCRYPTED,
    &rds::multi_az::RDS_MULTI_AZ,
    &rds::backup_retention::RDS_BACKUP_RETENTION,
    &rds::windows::RDS_WINDOWS,
    &rds::private::RDS_PRIVATE,
    &rds::storage_autoscaling::RDS_STORAGE_AUTOSCALING,
    &rds::parameters::RDS_PARAMETERS,
    &rds::instance_class::RDS_INSTANCE_CLASS,
    &s3::encryption::S3_ENCRYPTION,
    &s3::model_replication::S3_MODEL_REPLICATION,
    &s3::public_access_block::S3_PUBLIC_ACCESS_BLOCK,
    &sec::documented_secrets::DOCUMENTED_SECRETS,
    &sg::no_public_ingress::SG_NO_PUBLIC_INGRESS,
    &sg::flow_matrix::SG_FLOW_MATRIX,
    &sg::no_all_ports::SG_NO_ALL_PORTS,
    &sg::tier_attachment::SG_TIER_ATTACHMENT,
    &tls::alb_https_only::ALB_HTTPS_ONLY,
    &tls::alb_tls13_policy::ALB_TLS13_POLICY,
    &tls::rds_tls_in_transit::RDS_TLS_IN_TRANSIT,
    &tls::waf_on_alb::WAF_ON_ALB,
];

/// Finds a rule by ID (`CB-RDS-003`, case-insensitive) or name (`rds-backup-retention`).
pub fn find(key: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(key) || r.name == key)
}

#[cfg(test)]
mod registry_tests {
    use super::*;

    /// A rule file that declares a rule but is not listed in [`RULES`] (or whose module is
    /// not declared) would never run: every `src/rules/<area>/*.rs` that declares a rule
    /// must be registered, under an ID whose prefix is its folder (`rds/` → `CB-RDS-`), as
    /// the rule that file declares (same name), and a folder's rules share one [`Area`].
    #[test]
    fn every_rule_file_is_registered_under_its_area() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let mut declared = 0;
        let mut areas = std::collections::BTreeMap::new();
        for area in std::fs::read_dir(&root).expect("src/rules").flatten() {
            if !area.path().is_dir() {
                continue;
            }
            let folder = area.file_name().to_string_lossy().to_string();
            for file in std::fs::read_dir(area.path()).expect("area").flatten() {
                let path = file.path();
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if !text.contains("declare_rule! {") {
                    continue;
                }
                let id = text
                    .split("id: \"")
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .unwrap_or_else(|| panic!("{} declares a rule without an id", path.display()));
                declared += 1;
                let registered = RULES.iter().find(|r| r.id == id);
                let registered = registered.unwrap_or_else(|| {
                    panic!(
                        "{} declares {id} but it is not listed in rules::RULES",
                        path.display()
                    )
                });
                // The registered rule is this file's (same name), and a folder is one area.
                let name = text
                    .split("name: \"")
                    .nth(1)
                    .and_then(|r| r.split('"').next());
                assert_eq!(
                    Some(registered.name),
                    name,
                    "{id}: RULES lists another file's rule"
                );
                // Its static is its name in capitals: `rds-windows` is `RDS_WINDOWS`.
                let want = format!(
                    "pub static {} = Rule",
                    registered.name.replace('-', "_").to_ascii_uppercase()
                );
                assert!(text.contains(&want), "{id}: expected `{want}`");
                let area = *areas.entry(folder.clone()).or_insert(registered.area);
                assert_eq!(
                    registered.area, area,
                    "{id}: {folder}/ holds rules of two areas"
                );
                let prefix = format!("CB-{}-", folder.to_ascii_uppercase());
                assert!(
                    id.starts_with(&prefix),
                    "{} declares {id}, which does not start with {prefix} (its folder)",
                    path.display()
                );
            }
        }
        assert_eq!(declared, RULES.len(), "one rule file per registered rule");
    }

    #[test]
    fn rules_are_sorted_and_unique() {
        for pair in RULES.windows(2) {
            assert!(
                pair[0].id < pair[1].id,
                "{} before {}",
                pair[0].id,
                pair[1].id
            );
        }
        let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RULES.len(), "rule names are unique");
    }

    #[test]
    fn the_catalogue_is_complete() {
        assert_eq!(
            RULES.len(),
            42,
            "every rule of docs/rules.md is implemented"
        );
    }

    #[test]
    fn every_rule_is_documented() {
        for r in RULES {
            for section in [
                "## What it checks",
                "## Why",
                "## Example",
                "## Use instead",
                "## Peers",
            ] {
                assert!(r.doc.contains(section), "{} lacks `{section}`", r.id);
            }
            assert!(
                r.doc.contains("```hcl"),
                "{} has no Terraform example",
                r.id
            );
            assert!(!r.summary().is_empty(), "{} has no summary", r.id);
            let id_ok = r.id.starts_with("CB-")
                && r.id.len() >= 9
                && r.id[r.id.len() - 3..].chars().all(|c| c.is_ascii_digit());
            assert!(id_ok, "{}: IDs look like CB-AREA-NNN", r.id);
            assert!(
                r.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}: names are kebab-case",
                r.name
            );
        }
    }

    /// The scope is a required field of `declare_rule!` (a rule without one does not
    /// compile); this pins which rules judge the whole account.
    #[test]
    fn account_wide_rules_are_the_account_guarantees() {
        let account: Vec<&str> = RULES
            .iter()
            .filter(|r| r.scope == RuleScope::Account)
            .map(|r| r.id)
            .collect();
        assert_eq!(
            account,
            vec!["CB-AUD-001", "CB-AUD-002", "CB-AUD-003", "CB-NET-006"]
        );
    }

    #[test]
    fn find_by_id_or_name() {
        for r in RULES {
            assert_eq!(find(r.id).map(|f| f.id), Some(r.id));
            assert_eq!(find(r.name).map(|f| f.id), Some(r.id));
            assert_eq!(find(&r.id.to_lowercase()).map(|f| f.id), Some(r.id));
        }
        assert!(find("CB-NOPE-001").is_none());
    }
}
