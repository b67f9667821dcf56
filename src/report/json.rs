//! JSON output, `schema_version` 1 (documented in README.md).

use serde::Serialize;

use crate::engine::{Finding, Report, Summary};
use crate::model::Input;

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
        location: f.location.as_ref().map(|l| JsonLocation {
            path: &l.path,
            line: l.line,
            column: l.column,
        }),
        related_locations: f
            .related
            .iter()
            .map(|l| JsonLocation {
                path: &l.path,
                line: l.line,
                column: l.column,
            })
            .collect(),
        source: f.source,
        account: f.account.as_deref(),
        region: f.region.as_deref(),
        name: f.name_tag.as_deref(),
        fingerprint: &f.fingerprint,
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
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
