//! The command line: `cbaudit scan`, `cbaudit rules`, `cbaudit explain`.
//!
//! `args.rs` declares the arguments, `scan.rs` runs a scan, `live.rs` turns the live
//! options into sources.

mod args;
mod live;
mod scan;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use miette::{Diagnostic, Report as MietteReport};

use crate::policy::DEFAULT_POLICY_PATH;
use crate::rules;

pub use args::Cli;
use args::{Command, ListFormat};

/// A failure of the run itself (exit status 2).
#[derive(Debug, thiserror::Error, Diagnostic)]
pub(super) enum RunError {
    #[error("cannot read policy {path}: {message}")]
    #[diagnostic(code(cbaudit::policy::io))]
    PolicyIo { path: String, message: String },
    #[error("cannot read {path}: {message}")]
    #[diagnostic(code(cbaudit::input::io))]
    Input { path: String, message: String },
    #[error("cannot write {path}: {message}")]
    #[diagnostic(code(cbaudit::output::io))]
    Output { path: String, message: String },
    #[error("unknown rule `{0}`")]
    #[diagnostic(
        code(cbaudit::cli::unknown_rule),
        help("`cbaudit rules` lists every rule ID and name")
    )]
    UnknownRule(String),
}

pub fn main() -> ExitCode {
    install_error_hook();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(report) => {
            let _ = writeln!(std::io::stderr(), "{report:?}");
            ExitCode::from(2)
        }
    }
}

/// Errors go to standard error: colored and wrapped on a terminal; plain, one line per
/// cause, for logs and CI.
fn install_error_hook() {
    let tty = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = miette::set_hook(Box::new(move |_| {
        let opts = miette::MietteHandlerOpts::new().terminal_links(false);
        let opts = if tty {
            opts
        } else {
            opts.color(false).width(usize::MAX / 2).wrap_lines(false)
        };
        Box::new(opts.build())
    }));
}

fn run(cli: Cli) -> Result<ExitCode, MietteReport> {
    match cli.command {
        Command::Scan(args) => scan::scan(*args),
        Command::Rules { format } => {
            print_out(&list_rules(format));
            Ok(ExitCode::SUCCESS)
        }
        Command::Inventory { paths } => {
            let inv = crate::source::load(&paths)?;
            let mut s = String::new();
            for r in inv.resources() {
                s.push_str(&format!(
                    "{} [{}] ids={:?} tags={:?}\n{:#?}\n",
                    r.address(),
                    r.resource_type,
                    r.identifiers,
                    r.tags,
                    r.body
                ));
            }
            print_out(&s);
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { rule } => {
            let meta = || {
                crate::waiver::META_RULES
                    .iter()
                    .copied()
                    .find(|r| r.id.eq_ignore_ascii_case(&rule) || r.name == rule)
            };
            let r = rules::find(&rule)
                .or_else(meta)
                .ok_or_else(|| RunError::UnknownRule(rule.clone()))?;
            print_out(&explain(r));
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub(super) fn print_out(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

fn list_rules(format: ListFormat) -> String {
    match format {
        ListFormat::Json => {
            let rules: Vec<serde_json::Value> = rules::RULES
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "name": r.name,
                        "severity": r.severity,
                        "scope": r.scope,
                        "area": r.area,
                        "summary": r.summary(),
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&rules).unwrap_or_default();
            s.push('\n');
            s
        }
        ListFormat::Human => {
            let mut s = format!(
                "{:<11} {:<30} {:<8} {:<16} {}\n",
                "ID", "NAME", "SEVERITY", "AREA", "SCOPE"
            );
            for r in rules::RULES {
                s.push_str(&format!(
                    "{:<11} {:<30} {:<8} {:<16} {}\n",
                    r.id,
                    r.name,
                    r.severity.as_str(),
                    r.area.as_str(),
                    r.scope.as_str(),
                ));
            }
            s.push_str(&format!(
                "\n{} rules; default policy {DEFAULT_POLICY_PATH} (embedded). `cbaudit explain RULE` for details.\n{SOURCES_NOTE}\n",
                rules::RULES.len()
            ));
            s
        }
    }
}

/// Rules name no source: every rule runs on every source, and a kind of resource the
/// source cannot produce makes the rules that read it unknown there.
const SOURCES_NOTE: &str = "Every rule runs on plans, .tf directories and live accounts; on an AWS Config aggregator, a rule that reads what Config does not record (flow logs, ECS, IAM policy documents, DB subnet and parameter groups, alarms, …) reports unknown.";

fn explain(r: &rules::Rule) -> String {
    format!(
        "# {} {}\n\nSeverity: {} · Area: {} · Scope: {}\n\n{}",
        r.id,
        r.name,
        r.severity,
        r.area,
        r.scope,
        dedent(r.doc)
    )
}

/// Doc comments arrive with one leading space per line.
fn dedent(doc: &str) -> String {
    doc.lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
