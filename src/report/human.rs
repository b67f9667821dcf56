//! Human output: miette diagnostics with the source snippet where there is one, a compact
//! section for unknowns, and a summary line. Waived findings are counted on a line of
//! their own (and listed in a section of their own with `show_waived`); a finding whose
//! waiver expired shows like any other (its message says the waiver expired).

use std::fmt::Write;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use crate::engine::{Finding, Report};
use crate::rules::{Severity, Status};
use crate::waiver::{Suppression, SuppressionKind};

#[derive(Debug, Clone, Copy, Default)]
pub struct HumanOptions {
    pub color: bool,
    /// Only the findings: no unknown section, no summary.
    pub quiet: bool,
    pub width: Option<usize>,
    /// List the waived findings too (`--show-waived`); by default one summary line counts
    /// them.
    pub show_waived: bool,
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
    /// Where module arguments set the attribute (a value passed in through inputs).
    related: Vec<RelatedDiagnostic>,
}

/// A module argument that sets the finding's attribute, with its own snippet.
#[derive(Debug)]
struct RelatedDiagnostic {
    message: String,
    source: Option<NamedSource<String>>,
    span: Option<(usize, usize)>,
    label: String,
}

impl std::fmt::Display for RelatedDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RelatedDiagnostic {}

impl Diagnostic for RelatedDiagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
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
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

/// Source text for a snippet: only Terraform source files (a plan is one long JSON line).
fn snippet_source(f: &Finding) -> Option<(NamedSource<String>, (usize, usize))> {
    snippet_at(f.location.as_ref()?, &f.redact)
}

/// The snippet around `loc` (a `.tf` file), secrets masked.
fn snippet_at(
    loc: &crate::model::Location,
    redact: &[String],
) -> Option<(NamedSource<String>, (usize, usize))> {
    if !loc.path.ends_with(".tf") {
        return None;
    }
    let text = std::fs::read_to_string(&*loc.path).ok()?;
    let text = mask_secrets(&text, redact);
    let len = loc.len.max(1).min(text.len().saturating_sub(loc.offset));
    Some((NamedSource::new(&*loc.path, text), (loc.offset, len)))
}

/// A secret this long is also masked where it is only part of a string or a comment
/// (a connection string, a URL); a shorter one (`db`, `on`) only where it is a whole value.
const SUBSTRING_MASK_MIN: usize = 8;

/// `text` (HCL, or JSON/YAML inside a heredoc) with every value equal to a secret masked:
/// a string literal whose content is the secret, a bare value after `=` or `:` that is the
/// secret; a secret of at least [`SUBSTRING_MASK_MIN`] bytes also inside longer strings
/// and comments. Identifiers (attribute names, references) are never masked. Masks keep
/// byte lengths, so spans stay valid.
fn mask_secrets(text: &str, secrets: &[String]) -> String {
    let secrets: Vec<&str> = secrets
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    if secrets.is_empty() {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    // Byte ranges to mask.
    let mut masks: Vec<(usize, usize)> = Vec::new();
    let mut free_text: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let end = scan_string(bytes, i + 1);
                let content = (i + 1, end);
                free_text.push(content);
                let raw = &text[content.0..content.1];
                if secrets.iter().any(|s| unescape(raw) == *s || raw == *s) {
                    masks.push(content);
                }
                i = (end + 1).min(bytes.len());
            }
            b'#' => {
                let end = line_end(bytes, i);
                free_text.push((i, end));
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = line_end(bytes, i);
                free_text.push((i, end));
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |p| i + 2 + p + 2);
                free_text.push((i, end));
                i = end;
            }
            b'=' | b':' => {
                // A bare value: the rest of the line, unquoted (YAML in a heredoc).
                let end = line_end(bytes, i + 1);
                let rest = &text[i + 1..end];
                let value = rest.trim().trim_end_matches(',').trim_end();
                if !value.starts_with('"') && secrets.contains(&value) {
                    let start = i + 1 + rest.find(value).unwrap_or(0);
                    masks.push((start, start + value.len()));
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    for &(from, to) in &free_text {
        let part = &text[from..to];
        for secret in secrets.iter().filter(|s| s.len() >= SUBSTRING_MASK_MIN) {
            let mut at = 0;
            while let Some(p) = part[at..].find(secret) {
                masks.push((from + at + p, from + at + p + secret.len()));
                at += p + secret.len();
            }
        }
    }
    let mut out = text.as_bytes().to_vec();
    for (from, to) in masks {
        out[from..to].fill(b'*');
    }
    // Whole characters were replaced by ASCII, so the text is still UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// The end (the closing quote's index, or the text's end) of a string literal whose
/// content starts at `i`; `${…}` interpolations (with their own strings) are skipped.
fn scan_string(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i,
            b'\n' => return i,
            b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => {
                let mut depth = 0usize;
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        b'"' => i = scan_string(bytes, i + 1),
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes[i.min(bytes.len())..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| i + p)
}

/// The value of a string literal's content (HCL and JSON escapes).
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out.replace("$${", "${").replace("%%{", "%{")
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
        help = Some(match help {
            Some(h) => format!("{h}\n{at}"),
            None => at,
        });
    }
    let (source, span) = match snippet {
        Some((s, span)) => (Some(s), Some(span)),
        None => (None, None),
    };
    let attribute = f.attribute.clone().unwrap_or_else(|| "the value".into());
    let related = f
        .related
        .iter()
        .map(|loc| {
            let (source, span) = match snippet_at(loc, &f.redact) {
                Some((s, span)) => (Some(s), Some(span)),
                None => (None, None),
            };
            RelatedDiagnostic {
                message: format!(
                    "{attribute} is set by a module argument at {}:{}:{}",
                    loc.path, loc.line, loc.column
                ),
                source,
                span,
                label: format!("sets {attribute}"),
            }
        })
        .collect();
    FindingDiagnostic {
        code: format!("{} {} [{}]", f.rule.id, f.rule.name, f.severity),
        message: if f.message.contains(&f.subject) {
            f.message.replacen(&f.subject, &title(f), 1)
        } else {
            format!("{}: {}", title(f), f.message)
        },
        help,
        severity,
        source,
        span,
        label: f.attribute.clone().unwrap_or_else(|| "here".into()),
        related,
    }
}

/// The subject of a finding, with the name people know it by when that is not in it
/// (`arn:…:scalable-target/… (service/clever-better/clever-better-ml)`).
fn title(f: &Finding) -> String {
    match &f.name_tag {
        Some(name) if !f.subject.contains(name.as_str()) && !f.message.contains(name.as_str()) => {
            format!("{} ({name})", f.subject)
        }
        _ => f.subject.clone(),
    }
}

/// ` (set by main.tf:12:3)` for an unknown whose value module arguments set.
fn set_by_note(f: &Finding) -> String {
    match f.related.last() {
        Some(l) => format!(" (set by {}:{}:{})", l.path, l.line, l.column),
        None => String::new(),
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
        .filter(|f| f.outcome == Status::Fail && f.is_active())
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
        .filter(|f| f.outcome == Status::Unknown && f.is_active())
        .collect();
    if !unknowns.is_empty() {
        let _ = writeln!(
            out,
            "Unknown ({}): not decidable from these inputs",
            unknowns.len()
        );
        for f in &unknowns {
            let _ = writeln!(
                out,
                "  ? {} {}: {}{}",
                f.rule.id,
                title(f),
                f.message,
                set_by_note(f)
            );
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
    if opts.show_waived {
        waived_section(&mut out, report);
    }
    let _ = writeln!(out, "{}", summary_line(report));
    if let Some(line) = waived_line(report, opts.show_waived) {
        let _ = writeln!(out, "{line}");
    }
    if report.summary.fixed > 0 {
        let n = report.summary.fixed;
        let _ = writeln!(
            out,
            "{n} finding{} fixed since the baseline",
            if n == 1 { "" } else { "s" }
        );
    }
    out
}

/// `Waived (3): accepted by waivers or the baseline; they do not fail the run`, then each
/// finding with who accepted it, why, until when and where the waiver is written.
fn waived_section(out: &mut String, report: &Report) {
    let waived: Vec<(&Finding, &Suppression)> = report
        .findings
        .iter()
        .filter_map(|f| f.suppression.as_ref().map(|s| (f, s)))
        .collect();
    if waived.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "Waived ({}): accepted by waivers or the baseline; they do not fail the run",
        waived.len()
    );
    for (f, s) in waived {
        let outcome = if f.outcome == Status::Unknown {
            "unknown"
        } else {
            "fail"
        };
        let _ = writeln!(
            out,
            "  ~ {} {} [{}, {outcome}] {}: {}",
            f.rule.id,
            f.rule.name,
            f.severity,
            title(f),
            f.message
        );
        if s.kind == SuppressionKind::Baseline {
            let file = s
                .location
                .as_ref()
                .map(|l| format!(" {}", l.path))
                .unwrap_or_default();
            let _ = writeln!(out, "      in the baseline{file}");
            continue;
        }
        let mut line = format!("      {} waiver: \"{}\"", s.kind.as_str(), s.reason);
        if let Some(until) = s.until {
            let _ = write!(line, ", until {until}");
            if report
                .today
                .is_some_and(|t| s.expires_within(t, crate::waiver::EXPIRING_DAYS))
            {
                line.push_str(" (expires soon)");
            }
        }
        if let Some(owner) = &s.owner {
            let _ = write!(line, ", owner {owner}");
        }
        if let Some(ticket) = &s.ticket {
            let _ = write!(line, ", ticket {ticket}");
        }
        if let Some(l) = &s.location {
            let _ = write!(line, ", at {}:{}:{}", l.path, l.line, l.column);
        }
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out);
}

/// "4 waived (2 inline, 1 policy, 1 baseline), 1 expires within 30 days; --show-waived
/// lists them", and the waivers that expired. `None` when nothing was waived or expired.
fn waived_line(report: &Report, shown: bool) -> Option<String> {
    let s = &report.summary;
    let mut parts = Vec::new();
    let waived: Vec<&Suppression> = report
        .findings
        .iter()
        .filter_map(|f| f.suppression.as_ref())
        .collect();
    if !waived.is_empty() {
        let kinds: Vec<String> = [
            SuppressionKind::Inline,
            SuppressionKind::Policy,
            SuppressionKind::Baseline,
        ]
        .into_iter()
        .filter_map(|k| {
            let n = waived.iter().filter(|s| s.kind == k).count();
            (n > 0).then(|| format!("{n} {}", k.as_str()))
        })
        .collect();
        let mut part = format!("{} waived ({})", waived.len(), kinds.join(", "));
        if s.expiring_soon > 0 {
            let _ = write!(
                part,
                ", {} expire{} within {} days",
                s.expiring_soon,
                if s.expiring_soon == 1 { "s" } else { "" },
                crate::waiver::EXPIRING_DAYS
            );
        }
        parts.push(part);
    }
    if s.expired > 0 {
        parts.push(format!(
            "{} waiver{} expired (failing again)",
            s.expired,
            if s.expired == 1 { "" } else { "s" }
        ));
    }
    if parts.is_empty() {
        return None;
    }
    let mut line = parts.join("; ");
    if !waived.is_empty() && !shown {
        line.push_str("; --show-waived lists them");
    }
    Some(line)
}

fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let fails: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.outcome == Status::Fail && f.is_active())
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
    let waived = if s.waived > 0 {
        format!(", {} waived", s.waived)
    } else {
        String::new()
    };
    let mut line = format!(
        "{findings}; {} resources, {} rules: {} pass, {} fail, {} unknown{waived} (policy {})",
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

#[cfg(test)]
mod tests {
    use super::mask_secrets;

    fn mask(text: &str, secrets: &[&str]) -> String {
        let secrets: Vec<String> = secrets.iter().map(|s| s.to_string()).collect();
        let out = mask_secrets(text, &secrets);
        assert_eq!(out.len(), text.len(), "lengths are kept");
        out
    }

    #[test]
    fn a_short_secret_masks_only_whole_values() {
        let text = "resource \"aws_db_instance\" \"db\" {\n  db_name  = \"db\"\n  password = \"db\"\n  identifier = \"db-main\"\n  multi_az = on\n}\n";
        let out = mask(text, &["db", "on"]);
        assert!(out.contains("aws_db_instance"), "{out}");
        assert!(out.contains("db_name"), "{out}");
        assert!(out.contains("\"db-main\""), "{out}");
        assert!(out.contains("db_name  = \"**\""), "{out}");
        assert!(out.contains("password = \"**\""), "{out}");
        assert!(out.contains("multi_az = **"), "{out}");
        // The resource's label "db" is a string literal equal to the secret: masked too
        // (a value position; the address is printed elsewhere anyway).
        assert!(!out.contains("\"db\""), "{out}");
    }

    #[test]
    fn escaped_literals_heredocs_and_long_secrets() {
        let text = concat!(
            "locals {\n",
            "  pw  = \"qu\\\"ote\"\n",
            "  url = \"postgres://app:tr4d3r-Pr0d-2024!@db:5432\"\n",
            "  doc = <<EOT\n",
            "{\"name\": \"DB_PASSWORD\", \"value\": \"s3cret\"}\n",
            "password: s3cret\n",
            "EOT\n",
            "  tr4d3r_setting = 1 # tr4d3r-Pr0d-2024! rotated\n",
            "}\n"
        );
        let out = mask(text, &["qu\"ote", "tr4d3r-Pr0d-2024!", "s3cret"]);
        assert!(!out.contains("qu\\\"ote"), "{out}");
        assert!(!out.contains("tr4d3r-Pr0d-2024!"), "{out}");
        assert!(!out.contains("s3cret"), "{out}");
        assert!(out.contains("postgres://app:"), "{out}");
        assert!(out.contains("tr4d3r_setting"), "{out}");
        assert!(out.contains("\"DB_PASSWORD\""), "{out}");
    }

    #[test]
    fn interpolations_do_not_end_a_string() {
        let text = "x = \"${var.a[\"k\"]}-on\"\ny = \"on\"\n";
        let out = mask(text, &["on"]);
        assert!(out.contains("${var.a[\"k\"]}-on"), "{out}");
        assert!(out.contains("y = \"**\""), "{out}");
    }

    #[test]
    fn multibyte_secrets_keep_offsets() {
        let text = "a = \"pässwörd-1234\"\nb = 1\n";
        let out = mask(text, &["pässwörd-1234"]);
        assert!(!out.contains("pässwörd"), "{out}");
        assert!(out.ends_with("b = 1\n"));
    }
}
