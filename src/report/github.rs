//! GitHub Actions workflow commands: `::error file=…,line=…::message`. Waived findings are
//! not annotated (a finding whose waiver expired is, like any failure).

use crate::engine::Report;
use crate::rules::{Severity, Status};

/// Escapes per the workflow-command rules (data and property values differ).
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in report.findings.iter().filter(|f| f.is_active()) {
        let command = match (f.outcome, f.severity) {
            (Status::Unknown, _) => "notice",
            (_, Severity::Critical | Severity::High) => "error",
            (_, Severity::Medium) => "warning",
            _ => "notice",
        };
        let mut props = Vec::new();
        if let Some(path) = super::finding_path(report, f) {
            props.push(format!("file={}", property(path)));
        }
        if let Some(l) = &f.location {
            props.push(format!("line={}", l.line));
            props.push(format!("col={}", l.column));
        }
        props.push(format!(
            "title={}",
            property(&format!("{} {} ({})", f.rule.id, f.rule.name, f.severity))
        ));
        let mut message = format!("{}: {}", f.subject, f.message);
        if let Some(help) = &f.help {
            message.push_str("\nFix: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            data(&message)
        ));
    }
    out
}
