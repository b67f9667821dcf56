//! Baselines: the findings accepted when cbaudit was adopted, by fingerprint.
//!
//! `cbaudit scan … --write-baseline FILE` records every finding that is not waived;
//! `--baseline FILE` accepts the findings whose fingerprint it records (as many of each as
//! it records) and reports the entries no finding matched any more: fixed since. The file
//! is JSON, sorted, one entry per finding, so a reviewer reads its diff.
//!
//! A fingerprint (see `engine::assign_fingerprints`) hashes the rule, the resource address
//! (the Terraform address in plans and `.tf` directories, the ARN in live scans) and the
//! attribute, never a line number or a message: it survives lines moving, other resources
//! coming and going, formatting, plan order, and moving between a plan and a directory scan
//! of the same code.

use std::collections::HashMap;

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::{Deserialize, Serialize};

use crate::engine::{Finding, Report};
use crate::rules::Status;

use super::{Suppression, SuppressionKind};

/// The format version this build reads and writes.
pub const VERSION: u32 = 1;

/// A baseline file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// The format version ([`VERSION`]).
    pub cbaudit_baseline: u32,
    pub findings: Vec<Entry>,
}

/// One accepted finding. Only `fingerprint` is matched; the rest is for people.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule_id: String,
    pub subject: String,
    pub fingerprint: String,
    pub outcome: Status,
    pub message: String,
}

/// A baseline that could not be read.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("invalid baseline {path}: {message}")]
#[diagnostic(
    code(cbaudit::baseline::invalid),
    help("write one with `cbaudit scan … --write-baseline {path}`")
)]
pub struct BaselineError {
    pub path: String,
    pub message: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{message}")]
    pub span: Option<SourceSpan>,
}

impl Baseline {
    /// The report's findings that are not waived (failures and unknowns; those already
    /// accepted by a baseline too, so writing over the baseline in use drops what was
    /// fixed).
    pub fn of(report: &Report) -> Baseline {
        let mut findings: Vec<Entry> = report
            .findings
            .iter()
            .filter(|f| is_recordable(f))
            .map(|f| Entry {
                rule_id: f.rule.id.to_string(),
                subject: f.subject.clone(),
                fingerprint: f.fingerprint.clone(),
                outcome: f.outcome,
                message: f.message.clone(),
            })
            .collect();
        findings.sort();
        Baseline {
            cbaudit_baseline: VERSION,
            findings,
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a baseline serializes");
        s.push('\n');
        s
    }

    pub fn parse(path: &str, text: &str) -> Result<Baseline, Box<BaselineError>> {
        let error = |message: String, span: Option<SourceSpan>| {
            Box::new(BaselineError {
                path: path.to_string(),
                message,
                src: NamedSource::new(path, text.to_string()),
                span,
            })
        };
        let baseline: Baseline = serde_json::from_str(text).map_err(|e| {
            let offset = offset_of(text, e.line(), e.column());
            error(e.to_string(), Some((offset, 0).into()))
        })?;
        if baseline.cbaudit_baseline != VERSION {
            let at = text.find("\"cbaudit_baseline\"").unwrap_or(0);
            return Err(error(
                format!(
                    "baseline format {} is not supported (this cbaudit reads {VERSION})",
                    baseline.cbaudit_baseline
                ),
                Some((at, "\"cbaudit_baseline\"".len()).into()),
            ));
        }
        Ok(baseline)
    }

    /// Accepts the report's active findings recorded here (as many of each fingerprint as
    /// recorded) and records the entries left over as fixed.
    pub fn apply(&self, report: &mut Report, location: Option<crate::model::Location>) {
        let mut left: HashMap<&str, Vec<&Entry>> = HashMap::new();
        for e in &self.findings {
            left.entry(e.fingerprint.as_str()).or_default().push(e);
        }
        for f in report.findings.iter_mut() {
            if !is_recordable(f) {
                continue;
            }
            let Some(entries) = left.get_mut(f.fingerprint.as_str()) else {
                continue;
            };
            if entries.pop().is_none() {
                continue;
            }
            f.suppression = Some(Suppression {
                kind: SuppressionKind::Baseline,
                reason: "in the baseline".to_string(),
                until: None,
                owner: None,
                ticket: None,
                location: location.clone(),
            });
        }
        let mut fixed: Vec<Entry> = left.into_values().flatten().cloned().collect();
        fixed.sort();
        report.fixed.extend(fixed);
        report.summary.fixed = report.fixed.len();
        super::recount(report);
    }
}

/// The byte offset of a 1-based line and column (serde_json's error position).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

/// Whether a baseline records a finding: not waived (a baseline's acceptance is not a
/// waiver), not about a waiver.
pub fn is_recordable(f: &Finding) -> bool {
    f.suppression
        .as_ref()
        .is_none_or(|s| s.kind == SuppressionKind::Baseline)
        && !super::is_meta(f.rule)
}
