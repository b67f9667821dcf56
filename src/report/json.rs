//! JSON output, `schema_version` 1 (documented in README.md). Waived findings stay in
//! `findings` with a `suppression` object; fields are only ever added within a version.

use serde::Serialize;

use crate::engine::{Finding, Report, Summary};
use crate::model::Input;
use crate::waiver::Suppression;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: Tool,
    policy: &'a str,
    inputs: &'a [Input],
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
    /// Live scans: the IAM actions that were denied.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    missing_permissions: &'a [String],
    /// Baseline entries no finding matched any more: fixed since the baseline.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixed: Vec<JsonFixed<'a>>,
}

/// A baseline entry fixed since the baseline was written.
#[derive(Serialize)]
struct JsonFixed<'a> {
    rule_id: &'a str,
    subject: &'a str,
    fingerprint: &'a str,
    message: &'a str,
}

/// Why a finding is accepted (`suppression`), or was until its waiver expired
/// (`expired_waiver`).
#[derive(Serialize)]
struct JsonSuppression<'a> {
    kind: crate::waiver::SuppressionKind,
    reason: &'a str,
    /// `YYYY-MM-DD`; absent when the waiver does not end.
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<&'a str>,
    /// Where the waiver is written (the comment, the `[[waivers]]` entry, the baseline).
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<JsonLocation<'a>>,
}

fn suppression(s: &Suppression) -> JsonSuppression<'_> {
    JsonSuppression {
        kind: s.kind,
        reason: &s.reason,
        until: s.until.map(|d| d.to_string()),
        owner: s.owner.as_deref(),
        ticket: s.ticket.as_deref(),
        location: s.location.as_ref().map(location),
    }
}

fn location(l: &crate::model::Location) -> JsonLocation<'_> {
    JsonLocation {
        path: &l.path,
        line: l.line,
        column: l.column,
    }
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'static str,
    rule_name: &'static str,
    severity: crate::rules::Severity,
    outcome: crate::rules::Status,
    resource: Option<&'a str>,
    resource_type: &'a str,
    subject: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    attribute: Option<&'a str>,
    message: &'a str,
    help: Option<&'a str>,
    location: Option<JsonLocation<'a>>,
    /// The module arguments that set the attribute (innermost first, the root's last).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<JsonLocation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<crate::model::Origin>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    fingerprint: &'a str,
    /// The waiver or baseline entry that accepts the finding (it does not fail the run).
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression: Option<JsonSuppression<'a>>,
    /// The waiver that matched but expired (the finding fails again).
    #[serde(skip_serializing_if = "Option::is_none")]
    expired_waiver: Option<JsonSuppression<'a>>,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    path: &'a str,
    line: u32,
    column: u32,
}

fn finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        rule_id: f.rule.id,
        rule_name: f.rule.name,
        severity: f.severity,
        outcome: f.outcome,
        resource: f.resource.as_deref(),
        resource_type: &f.resource_type,
        subject: &f.subject,
        attribute: f.attribute.as_deref(),
        message: &f.message,
        help: f.help.as_deref(),
        location: f.location.as_ref().map(location),
        related_locations: f.related.iter().map(location).collect(),
        source: f.source,
        account: f.account.as_deref(),
        region: f.region.as_deref(),
        name: f.name_tag.as_deref(),
        fingerprint: &f.fingerprint,
        suppression: f.suppression.as_ref().map(suppression),
        expired_waiver: f.expired.as_ref().map(suppression),
    }
}

pub fn render(report: &Report) -> String {
    let doc = Document {
        schema_version: 1,
        tool: Tool {
            name: "cbaudit",
            version: env!("CARGO_PKG_VERSION"),
        },
        policy: &report.policy,
        inputs: &report.inputs,
        findings: report.findings.iter().map(finding).collect(),
        summary: report.summary,
        missing_permissions: &report.missing_permissions,
        fixed: report
            .fixed
            .iter()
            .map(|e| JsonFixed {
                rule_id: &e.rule_id,
                subject: &e.subject,
                fingerprint: &e.fingerprint,
                message: &e.message,
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
