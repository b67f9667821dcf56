//! Reporters: render a [`Report`] for people (human) or machines (JSON, SARIF, JUnit,
//! GitHub annotations). They know output formats, nothing about rules or sources.

mod github;
mod human;
mod json;
mod junit;
mod sarif;

use crate::engine::Report;

pub use human::HumanOptions;

/// An output format (the CLI maps `--format` onto it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: Format, human: &HumanOptions) -> String {
    match format {
        Format::Human => human::render(report, human),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Github => github::render(report),
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
