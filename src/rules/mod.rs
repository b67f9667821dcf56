//! The rules: one file per rule under `src/rules/<area>/`, listed once in [`RULES`].
//!
//! A rule reads the model and the policy, never a source format. Its doc comment is its
//! documentation (`cbaudit explain` prints it), declared with [`declare_rule!`].

mod context;
mod meta;
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

pub use context::{Check, Outcome, Status, Subject};
pub use meta::{Area, Rule, Severity};

/// Declares a rule: its doc comment becomes `DOC`, printed by `cbaudit explain`.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it checks
///     /// …
///     pub static VPC_CIDR = Rule {
///         id: "CB-NET-001", name: "vpc-cidr", area: Network, severity: High,
///         sources: ALL_SOURCES, check: check,
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
            sources: $sources:expr,
            check: $check:path $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $name: $crate::rules::Rule = $crate::rules::Rule {
            id: $id,
            name: $rule_name,
            area: $crate::rules::Area::$area,
            severity: $crate::rules::Severity::$severity,
            sources: $sources,
            doc: concat!($($doc, "\n"),*),
            check: $check,
        };
    };
}

/// Every source: plan JSON, HCL, live account, AWS Config aggregator.
pub const ALL_SOURCES: &[crate::model::SourceKind] = crate::model::SourceKind::ALL;

/// Every rule, sorted by ID.
pub static RULES: &[&Rule] = &[&net::vpc_cidr::VPC_CIDR];

/// Finds a rule by ID (`CB-RDS-003`, case-insensitive) or name (`rds-backup-retention`).
pub fn find(key: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(key) || r.name == key)
}
