//! Human output: miette diagnostics with the source snippet where there is one, a compact
//! section for unknowns, and a summary line.

use std::fmt::Write;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use crate::engine::{Finding, Report};
use crate::rules::{Severity, Status};

#[derive(Debug, Clone, Copy, Default)]
pub struct HumanOptions {
    pub color: bool,
    /// Only the findings: no unknown section, no summary.
    pub quiet: bool,
    pub width: Option<usize>,
}

/// One finding as a miette diagnostic.
#[derive(Debug)]
struct FindingDiagnostic {
    code: String,
    message: String,
    help: Option<String>,
    severity: miette::Severity,
    source: Option<NamedSource<String>>,
    span: Option<(usize, usize)>,
    label: String,
}

impl std::fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic {}

impl Diagnostic for FindingDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (offset, len) = self.span?;
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(self.label.clone()),
            offset,
            len,
        ))))
    }
}

/// Source text for a snippet: only Terraform source files (a plan is one long JSON line).
fn snippet_source(f: &Finding) -> Option<(NamedSource<String>, (usize, usize))> {
    let loc = f.location.as_ref()?;
    if !loc.path.ends_with(".tf") {
        return None;
    }
    let mut text = std::fs::read_to_string(&*loc.path).ok()?;
    for secret in f.redact.iter().filter(|s| !s.is_empty()) {
        // Same length, so spans stay valid.
        text = text.replace(secret.as_str(), &"*".repeat(secret.chars().count()));
    }
    let len = loc.len.max(1).min(text.len().saturating_sub(loc.offset));
    Some((NamedSource::new(&*loc.path, text), (loc.offset, len)))
}

fn diagnostic(f: &Finding) -> FindingDiagnostic {
    let severity = match f.severity {
        Severity::Critical | Severity::High => miette::Severity::Error,
        Severity::Medium => miette::Severity::Warning,
        Severity::Low | Severity::Info => miette::Severity::Advice,
    };
    let snippet = snippet_source(f);
    let mut help = f.help.clone();
    if snippet.is_none() {
        if let Some(pos) = super::position(f) {
            let at = format!("at {pos}");
            help = Some(match help {
                Some(h) => format!("{h}\n{at}"),
                None => at,
            });
        }
    }
    // Live findings: where in AWS, and the name people know the resource by.
    if let Some(account) = &f.account {
        let mut at = format!("in account {account}");
        if let Some(region) = &f.region {
            at.push_str(&format!(", {region}"));
        }
        if let Some(name) = &f.name_tag {
            at.push_str(&format!(" (Name: {name})"));
        }
        help = Some(match help {
            Some(h) => format!("{h}\n{at}"),
            None => at,
        });
    }
    let (source, span) = match snippet {
        Some((s, span)) => (Some(s), Some(span)),
        None => (None, None),
    };
    FindingDiagnostic {
        code: format!("{} {} [{}]", f.rule.id, f.rule.name, f.severity),
        message: if f.message.contains(&f.subject) {
            f.message.clone()
        } else {
            format!("{}: {}", f.subject, f.message)
        },
        help,
        severity,
        source,
        span,
        label: f.attribute.clone().unwrap_or_else(|| "here".into()),
    }
}

pub fn render(report: &Report, opts: &HumanOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut handler = GraphicalReportHandler::new_themed(theme);
    if let Some(w) = opts.width {
        handler = handler.with_width(w);
    }
    let mut out = String::new();
    let fails: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.outcome == Status::Fail)
        .collect();
    for f in &fails {
        let _ = handler.render_report(&mut out, &diagnostic(f));
        out.push('\n');
    }
    if opts.quiet {
        return out;
    }
    let unknowns: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.outcome == Status::Unknown)
        .collect();
    if !unknowns.is_empty() {
        let _ = writeln!(
            out,
            "Unknown ({}): not decidable from these inputs",
            unknowns.len()
        );
        for f in &unknowns {
            let _ = writeln!(out, "  ? {} {}: {}", f.rule.id, f.subject, f.message);
        }
        let _ = writeln!(out);
    }
    if !report.missing_permissions.is_empty() {
        let _ = writeln!(
            out,
            "Missing permissions ({}): grant them to the auditor role (docs/auditor-policy.json)",
            report.missing_permissions.len()
        );
        for p in &report.missing_permissions {
            let _ = writeln!(out, "  - {p}");
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "{}", summary_line(report));
    out
}

fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let fails: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.outcome == Status::Fail)
        .collect();
    let mut by_sev = Vec::new();
    for sev in Severity::ALL {
        let n = fails.iter().filter(|f| f.severity == sev).count();
        if n > 0 {
            by_sev.push(format!("{n} {sev}"));
        }
    }
    let findings = if fails.is_empty() {
        "no findings".to_string()
    } else {
        format!(
            "{} finding{} ({})",
            fails.len(),
            if fails.len() == 1 { "" } else { "s" },
            by_sev.join(", ")
        )
    };
    let mut line = format!(
        "{findings}; {} resources, {} rules: {} pass, {} fail, {} unknown (policy {})",
        s.resources, s.rules, s.pass, s.fail, s.unknown, report.policy
    );
    if s.out_of_scope > 0 {
        line.push_str(&format!(
            "; {} resource{} outside the architecture's scope (policy [scope])",
            s.out_of_scope,
            if s.out_of_scope == 1 { "" } else { "s" }
        ));
    }
    line
}
