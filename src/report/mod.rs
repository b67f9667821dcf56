//! Reporters: render a [`Report`] for people (human) or machines (JSON, SARIF, JUnit,
//! GitHub annotations, GitLab code quality). They know output formats, nothing about rules
//! or sources.
//!
//! Waived findings ([`Finding::suppression`](crate::engine::Finding::suppression)) never
//! count as failures: JSON and SARIF keep them with their suppression, JUnit skips them,
//! GitHub annotations and GitLab code quality leave them out, the human report counts them
//! (and lists them with `show_waived`).

mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;

use crate::engine::Report;
use crate::waiver::Suppression;

pub use human::HumanOptions;

/// An output format (the CLI maps `--format` onto it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
    /// GitLab code quality (the Code Climate JSON subset GitLab reads).
    Gitlab,
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: Format, human: &HumanOptions) -> String {
    match format {
        Format::Human => human::render(report, human),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Github => github::render(report),
        Format::Gitlab => gitlab::render(report),
    }
}

/// `path:line:column` of a finding, when it has a location.
fn position(f: &crate::engine::Finding) -> Option<String> {
    f.location
        .as_ref()
        .map(|l| format!("{}:{}:{}", l.path, l.line, l.column))
}

/// The path a finding belongs to: its location, else the first input.
fn finding_path<'a>(report: &'a Report, f: &'a crate::engine::Finding) -> Option<&'a str> {
    f.location
        .as_ref()
        .map(|l| &*l.path)
        .or_else(|| report.inputs.first().map(|i| i.path.as_str()))
}

/// "staging: single-AZ until March (until 2027-03-31, owner platform, ticket OPS-12)"
fn justification(s: &Suppression) -> String {
    let mut extra = Vec::new();
    if let Some(until) = s.until {
        extra.push(format!("until {until}"));
    }
    if let Some(owner) = &s.owner {
        extra.push(format!("owner {owner}"));
    }
    if let Some(ticket) = &s.ticket {
        extra.push(format!("ticket {ticket}"));
    }
    if extra.is_empty() {
        s.reason.clone()
    } else {
        format!("{} ({})", s.reason, extra.join(", "))
    }
}
