//! The vocabulary of verdicts shared by the rules, the policy, the engine and the
//! reporters: how severe a finding is and what a rule judges in an account scan. It sits
//! below all of them, so the policy never imports from the rules.

use std::fmt;

use serde::{Deserialize, Serialize};

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
