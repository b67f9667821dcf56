//! Rule metadata: ID, name, area, severity, scope, documentation.

use std::fmt;

use serde::Serialize;

pub use crate::verdict::{RuleScope, Severity};

use super::Check;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    Network,
    SecurityGroups,
    Tls,
    Compute,
    Database,
    Identity,
    Storage,
    Audit,
    Logging,
    Monitoring,
    /// The waiver checks (`crate::waiver`): not rules of the architecture.
    Waivers,
}

impl Area {
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Network => "network",
            Area::SecurityGroups => "security-groups",
            Area::Tls => "tls",
            Area::Compute => "compute",
            Area::Database => "database",
            Area::Identity => "identity",
            Area::Storage => "storage",
            Area::Audit => "audit",
            Area::Logging => "logging",
            Area::Monitoring => "monitoring",
            Area::Waivers => "waivers",
        }
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule: metadata, documentation and its check.
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub area: Area,
    pub severity: Severity,
    /// What it judges in a live or aggregator scan (the policy may override it).
    pub scope: RuleScope,
    /// The rule's doc comment (Markdown).
    pub doc: &'static str,
    pub check: fn(&mut Check<'_>),
}

impl Rule {
    /// The first paragraph of "What it checks": a one-line summary.
    pub fn summary(&self) -> String {
        let mut lines = self
            .doc
            .lines()
            .map(str::trim)
            .skip_while(|l| l.is_empty() || l.starts_with('#'));
        let mut out = String::new();
        for line in lines.by_ref() {
            if line.is_empty() || line.starts_with('#') {
                break;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(line);
        }
        out
    }
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish()
    }
}
