//! JUnit XML: one test case per rule × subject that was examined with a finding, grouped
//! in one suite per rule; failures for fails, skipped for unknowns and for waived findings
//! (the message says who accepted it and why).

use std::fmt::Write;

use crate::engine::{Finding, Report};
use crate::rules::Status;

/// A failure that counts: failing, not waived.
fn fails(f: &Finding) -> bool {
    f.outcome == Status::Fail && f.is_active()
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

pub fn render(report: &Report) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let failures = report.findings.iter().filter(|f| fails(f)).count();
    let _ = writeln!(
        out,
        "<testsuites name=\"cbaudit\" tests=\"{}\" failures=\"{}\">",
        report.rules.len().max(1),
        failures
    );
    for rule in &report.rules {
        let findings: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule.id == rule.id)
            .collect();
        let failed = findings.iter().filter(|f| fails(f)).count();
        let skipped = findings.len() - failed;
        let _ = writeln!(
            out,
            "  <testsuite name=\"{} {}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
            rule.id,
            escape(rule.name),
            findings.len().max(1),
            failed,
            skipped
        );
        if findings.is_empty() {
            let _ = writeln!(
                out,
                "    <testcase classname=\"{}\" name=\"all resources\"/>",
                rule.id
            );
        }
        for f in findings {
            let _ = writeln!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\">",
                rule.id,
                escape(&f.subject)
            );
            if let Some(s) = &f.suppression {
                let _ = writeln!(
                    out,
                    "      <skipped message=\"{}\"/>",
                    escape(&format!(
                        "waived ({}): {}; {}",
                        s.kind.as_str(),
                        super::justification(s),
                        f.message
                    ))
                );
                let _ = writeln!(out, "    </testcase>");
                continue;
            }
            let tag = if f.outcome == Status::Fail {
                "failure"
            } else {
                "skipped"
            };
            let _ = writeln!(
                out,
                "      <{tag} message=\"{}\" type=\"{}\">{}</{tag}>",
                escape(&f.message),
                f.severity,
                escape(f.help.as_deref().unwrap_or(""))
            );
            let _ = writeln!(out, "    </testcase>");
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}
