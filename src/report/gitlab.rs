//! GitLab code quality report (`--format gitlab`), for `artifacts:reports:codequality`.
//!
//! GitLab reads a subset of the Code Climate issue format: a JSON array of objects with
//! `description`, `check_name`, `fingerprint`, `severity` (`info`, `minor`, `major`,
//! `critical` or `blocker`), `location.path` (the file, relative to the repository) and
//! `location.lines.begin` (or `location.positions.begin.line`); other Code Climate
//! properties are ignored, and a byte order mark is refused. Source: GitLab documentation,
//! "Code Quality", section "Implement a custom tool" (the code quality report format,
//! `doc/ci/testing/code_quality.md` in the GitLab repository,
//! <https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format>), which
//! also says that findings with identical fingerprints show as one entry in the merge
//! request widget.
//!
//! What cbaudit writes:
//! - only active findings: a waived one (inline, policy or baseline) is left out, like in
//!   GitHub annotations; a finding whose waiver expired is a failure like any other;
//! - unknowns too, as GitHub annotations (a notice) and SARIF (a note) report them, at
//!   severity `info` whatever the rule's severity, the description saying they could not
//!   be judged; failures map our severities info → `info`, low → `minor`, medium →
//!   `major`, high → `critical`, critical → `blocker`;
//! - `check_name` is the rule ID, `description` names the rule and the subject;
//! - `fingerprint` is the finding's own (stable across runs and unrelated edits, see
//!   `engine::assign_fingerprints`); two stacks of one run can hold the same address, so a
//!   fingerprint already written is rehashed with its stack number to stay unique;
//! - `location.path` is the finding's file (made relative to the working directory when
//!   it lies below it), else the first input's path; `lines.begin` its line, else 1.

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;

use crate::engine::{Finding, Report};
use crate::rules::{Severity, Status};

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

/// GitLab's severity for a finding.
fn severity(f: &Finding) -> &'static str {
    if f.outcome == Status::Unknown {
        return "info";
    }
    match f.severity {
        Severity::Info => "info",
        Severity::Low => "minor",
        Severity::Medium => "major",
        Severity::High => "critical",
        Severity::Critical => "blocker",
    }
}

/// `path` relative to the working directory when it lies below it, else as given.
fn relative(path: &str) -> String {
    let p = Path::new(path);
    if p.is_absolute() {
        if let Some(rel) = std::env::current_dir()
            .ok()
            .and_then(|cwd| p.strip_prefix(cwd).ok().map(Path::to_path_buf))
        {
            return rel.display().to_string();
        }
    }
    path.strip_prefix("./").unwrap_or(path).to_string()
}

fn description(f: &Finding) -> String {
    let what = if f.message.contains(f.subject.as_str()) {
        f.message.clone()
    } else {
        format!("{}: {}", f.subject, f.message)
    };
    let mut text = match f.outcome {
        Status::Unknown => format!(
            "{} {} (unknown, {}): {what}",
            f.rule.id, f.rule.name, f.severity
        ),
        _ => format!("{} {} ({}): {what}", f.rule.id, f.rule.name, f.severity),
    };
    if let Some(help) = &f.help {
        text.push_str(". Fix: ");
        text.push_str(help);
    }
    text
}

pub fn render(report: &Report) -> String {
    let mut seen: HashSet<String> = HashSet::new();
    let issues: Vec<Issue> = report
        .findings
        .iter()
        .filter(|f| f.is_active())
        .map(|f| {
            let mut fingerprint = f.fingerprint.clone();
            if !seen.insert(fingerprint.clone()) {
                let stack = f.stack.to_string();
                fingerprint = crate::waiver::fingerprint(&[&f.fingerprint, &stack]);
                seen.insert(fingerprint.clone());
            }
            Issue {
                description: description(f),
                check_name: f.rule.id,
                fingerprint,
                severity: severity(f),
                location: IssueLocation {
                    path: relative(super::finding_path(report, f).unwrap_or("")),
                    lines: Lines {
                        begin: f.location.as_ref().map_or(1, |l| l.line.max(1)),
                    },
                },
            }
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}
