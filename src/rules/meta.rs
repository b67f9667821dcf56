//! Rule metadata: ID, name, area, severity, sources, documentation.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::SourceKind;

use super::Check;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The CVSS-like score GitHub code scanning reads from `security-severity`.
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "3.0",
            Severity::Info => "0.0",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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
        }
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule judges in a live or aggregator scan of a real account, which holds more
/// than the architecture (AWS's default VPC, other teams' networks and buckets, the
/// organization's roles). Plans and `.tf` directories hold only the architecture, so there
/// every rule sees everything. The policy may override a rule's scope
/// (`[rules.<ID>] scope = "account"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleScope {
    /// Only the resources the policy's `[scope]` places in the architecture (and their
    /// children): the subnet layout, the architecture's roles and buckets.
    Architecture,
    /// Every resource of the account: guarantees about the account itself (CloudTrail,
    /// GuardDuty, Config, AWS's default VPC).
    Account,
}

impl RuleScope {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleScope::Architecture => "architecture",
            RuleScope::Account => "account",
        }
    }
}

impl fmt::Display for RuleScope {
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
    pub sources: &'static [SourceKind],
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
