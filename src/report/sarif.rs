//! SARIF 2.1.0 for GitHub code scanning (serde-sarif types).
//!
//! A waived finding is a result with `suppressions` (SARIF 2.1.0 §3.27.23, §3.35): kind
//! `inSource` for an inline `cbaudit:waive` comment, `external` for a `[[waivers]]` entry or
//! the baseline; status `accepted`; the reason (and until, owner, ticket) as its
//! `justification`; the waiver's place as its `location`. SARIF viewers hide or mark such
//! results as suppressed. GitHub code scanning, however, does not act on `suppressions` when
//! a SARIF file is uploaded (github/codeql-action issue #1230, "upload-sarif doesn't support
//! `suppressions`"; a maintainer answered in 2024-09 that it "has not been prioritized"): an
//! uploaded waived result becomes an open alert unless the workflow drops suppressed results
//! before the upload or dismisses their alerts (the `advanced-security/dismiss-alerts` action
//! does it from these very `suppressions`). `tests/reports.rs` validates the output against
//! the SARIF 2.1.0 schema shipped in `tests/data/`.

use std::collections::BTreeMap;

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag,
    Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultKind,
    ResultLevel, Run, Sarif, Suppression as SarifSuppression, Tool, ToolComponent,
};

use crate::engine::{Finding, Report};
use crate::rules::{Rule, Severity, Status};
use crate::waiver::{Suppression, SuppressionKind};

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

fn level_name(severity: Severity) -> &'static str {
    match level(severity) {
        ResultLevel::Error => "error",
        ResultLevel::Warning => "warning",
        _ => "note",
    }
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        serde_json::Value::String(rule.severity.security_severity().to_string()),
    );
    props.insert(
        "scope".to_string(),
        serde_json::Value::String(rule.scope.as_str().to_string()),
    );
    props.insert(
        "precision".to_string(),
        serde_json::Value::String("very-high".to_string()),
    );
    let properties = PropertyBag::builder()
        .tags(vec![
            "security".to_string(),
            "compliance".to_string(),
            rule.area.as_str().to_string(),
        ])
        .additional_properties(props)
        .build();
    ReportingDescriptor::builder()
        .id(rule.id.to_string())
        .name(rule.name.to_string())
        .short_description(
            MultiformatMessageString::builder()
                .text(rule.summary())
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(rule.summary())
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(rule.doc.to_string())
                .markdown(rule.doc.to_string())
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::Value::String(
                    level_name(rule.severity).to_string(),
                ))
                .build(),
        )
        .properties(properties)
        .build()
}

fn result(report: &Report, index: usize, f: &Finding) -> SarifResult {
    let mut text = f.message.clone();
    if let Some(resource) = f.resource.as_ref().filter(|r| !text.contains(r.as_str())) {
        text = format!("{resource}: {text}");
    }
    if let Some(help) = &f.help {
        text.push_str(". Fix: ");
        text.push_str(help);
    }
    let (line, column) = f.location.as_ref().map_or((1, 1), |l| (l.line, l.column));
    let uri = super::finding_path(report, f).unwrap_or("").to_string();
    let location = file_location(uri, line, column);
    // The module arguments that set the attribute, for a value passed in through inputs.
    let related: Vec<Location> = f
        .related
        .iter()
        .enumerate()
        .map(|(i, l)| {
            Location::builder()
                .id(i as i64)
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(
                            ArtifactLocation::builder().uri(l.path.to_string()).build(),
                        )
                        .region(
                            Region::builder()
                                .start_line(i64::from(l.line))
                                .start_column(i64::from(l.column))
                                .build(),
                        )
                        .build(),
                )
                .message(Message::builder().text(set_by_text(f)).build())
                .build()
        })
        .collect();
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("cbaudit/v1".to_string(), f.fingerprint.clone());
    let builder = SarifResult::builder()
        .rule_id(f.rule.id.to_string())
        .rule_index(index as i64)
        .message(Message::builder().text(text).build())
        .locations(vec![location])
        .partial_fingerprints(fingerprints);
    let mut result = match f.outcome {
        Status::Unknown => builder
            .level(ResultLevel::Note)
            .kind(ResultKind::Review)
            .build(),
        _ => builder
            .level(level(f.severity))
            .kind(ResultKind::Fail)
            .build(),
    };
    if !related.is_empty() {
        result.related_locations = Some(related);
    }
    if let Some(s) = &f.suppression {
        result.suppressions = Some(vec![suppression(s)]);
    }
    result
}

/// A location in a file: path, line, column.
fn file_location(uri: String, line: u32, column: u32) -> Location {
    Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(ArtifactLocation::builder().uri(uri).build())
                .region(
                    Region::builder()
                        .start_line(i64::from(line))
                        .start_column(i64::from(column))
                        .build(),
                )
                .build(),
        )
        .build()
}

/// `inSource` for a waiver written in the configuration, `external` for one kept elsewhere
/// (the policy, a waivers file, the baseline).
fn suppression_kind(kind: SuppressionKind) -> &'static str {
    match kind {
        SuppressionKind::Inline => "inSource",
        SuppressionKind::Policy | SuppressionKind::Baseline => "external",
    }
}

/// The accepted suppression of a waived result. Its property bag repeats cbaudit's own
/// kind and the waiver's fields for machines.
fn suppression(s: &Suppression) -> SarifSuppression {
    let mut props = BTreeMap::new();
    props.insert(
        "cbaudit/kind".to_string(),
        serde_json::Value::String(s.kind.as_str().to_string()),
    );
    if let Some(until) = s.until {
        props.insert(
            "until".to_string(),
            serde_json::Value::String(until.to_string()),
        );
    }
    if let Some(owner) = &s.owner {
        props.insert(
            "owner".to_string(),
            serde_json::Value::String(owner.clone()),
        );
    }
    if let Some(ticket) = &s.ticket {
        props.insert(
            "ticket".to_string(),
            serde_json::Value::String(ticket.clone()),
        );
    }
    let properties = PropertyBag::builder().additional_properties(props).build();
    let kind = serde_json::Value::String(suppression_kind(s.kind).to_string());
    let status = serde_json::Value::String("accepted".to_string());
    match &s.location {
        Some(l) => SarifSuppression::builder()
            .kind(kind)
            .status(status)
            .justification(super::justification(s))
            .location(file_location(l.path.to_string(), l.line, l.column))
            .properties(properties)
            .build(),
        None => SarifSuppression::builder()
            .kind(kind)
            .status(status)
            .justification(super::justification(s))
            .properties(properties)
            .build(),
    }
}

/// The message of a related location: the module argument that sets the attribute.
fn set_by_text(f: &Finding) -> String {
    match &f.attribute {
        Some(a) => format!("{a} is set by this module argument"),
        None => "set by this module argument".to_string(),
    }
}

pub fn render(report: &Report) -> String {
    // The rules that ran, and any other rule with a result (the waiver checks CB-WVR-001/002
    // are added to the report's rules by the waiver step; a result's `ruleIndex` must point
    // at its own rule whatever happens upstream).
    let mut rules: Vec<&Rule> = report.rules.clone();
    for f in &report.findings {
        if !rules.iter().any(|r| r.id == f.rule.id) {
            rules.push(f.rule);
        }
    }
    let results: Vec<SarifResult> = report
        .findings
        .iter()
        .map(|f| {
            let index = rules
                .iter()
                .position(|r| r.id == f.rule.id)
                .expect("every result's rule is listed");
            result(report, index, f)
        })
        .collect();
    let rules: Vec<ReportingDescriptor> = rules.iter().map(|r| descriptor(r)).collect();
    let driver = ToolComponent::builder()
        .name("cbaudit".to_string())
        .version(env!("CARGO_PKG_VERSION").to_string())
        .semantic_version(env!("CARGO_PKG_VERSION").to_string())
        .information_uri("https://github.com/cbaudit/cbaudit".to_string())
        .rules(rules)
        .build();
    // Resources of a live or aggregator scan outside the architecture's scope.
    let mut run_props = BTreeMap::new();
    run_props.insert(
        "outOfScope".to_string(),
        serde_json::Value::from(report.summary.out_of_scope),
    );
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .properties(
            PropertyBag::builder()
                .additional_properties(run_props)
                .build(),
        )
        .build();
    let sarif = Sarif::builder()
        .schema(serde_sarif::sarif::SCHEMA_URL.to_string())
        .version(serde_json::Value::String("2.1.0".to_string()))
        .runs(vec![run])
        .build();
    let mut s = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    s.push('\n');
    s
}
