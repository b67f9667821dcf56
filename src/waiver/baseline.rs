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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_baselines_are_errors_with_a_span() {
        let e = Baseline::parse(
            "b.json",
            "{\n  \"cbaudit_baseline\": 1,\n  \"findings\": [}\n",
        )
        .expect_err("not JSON");
        let span = e.span.expect("span");
        assert_eq!(
            span.offset(),
            "{\n  \"cbaudit_baseline\": 1,\n  \"findings\": [".len()
        );
        let e = Baseline::parse("b.json", "{\"cbaudit_baseline\": 2, \"findings\": []}")
            .expect_err("a later format");
        assert!(e.message.contains("format 2"), "{}", e.message);
        let e = Baseline::parse("b.json", "[]").expect_err("not a baseline");
        assert!(e.span.is_some());
        let ok = Baseline::parse("b.json", "{\"cbaudit_baseline\": 1, \"findings\": []}");
        assert!(ok.expect("valid").findings.is_empty());
    }

    #[test]
    fn a_baseline_round_trips_and_accepts_as_many_as_it_records() {
        let inv = crate::source::load(&[concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/clever-better/violating/plan.json"
        )])
        .expect("plan");
        let policy = crate::policy::Policy::default_policy();
        let run = || crate::engine::run(&inv, &policy, crate::rules::RULES);
        let mut report = run();
        let baseline = Baseline::of(&report);
        assert_eq!(baseline.findings.len(), report.findings.len());
        let text = baseline.to_json();
        let read = Baseline::parse("b.json", &text).expect("round trip");
        assert_eq!(read.findings, baseline.findings);
        let fail = report.summary.fail;
        read.apply(&mut report, None);
        assert!(report.findings.iter().all(|f| !f.is_active()));
        assert_eq!((report.summary.fail, report.summary.waived), (0, fail));
        assert!(report.fixed.is_empty());

        // Two findings share the rule and resource (CB-RDS-004); drop one entry: one is new.
        let mut fewer = baseline.clone();
        let i = fewer
            .findings
            .iter()
            .position(|e| e.rule_id == "CB-RDS-004")
            .expect("CB-RDS-004");
        let gone = fewer.findings.remove(i);
        fewer.findings.push(Entry {
            fingerprint: "0".repeat(32),
            ..gone
        });
        let mut report = run();
        fewer.apply(&mut report, None);
        let active: Vec<_> = report.findings.iter().filter(|f| f.is_active()).collect();
        assert_eq!(active.len(), 1);
        assert_eq!(active[0].rule.id, "CB-RDS-004");
        assert_eq!(report.fixed.len(), 1);
        assert_eq!(report.summary.fixed, 1);
        assert_eq!(report.summary.fail, 1);
    }
}
