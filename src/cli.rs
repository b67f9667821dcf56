//! The command line: `cbaudit scan`, `cbaudit rules`, `cbaudit explain`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use miette::{Diagnostic, Report as MietteReport};

use crate::engine;
use crate::policy::{Policy, DEFAULT_POLICY_PATH};
use crate::report::{self, Format, HumanOptions};
use crate::rules::{self, Severity};

const SCAN_EXAMPLES: &str = "\
Examples:
  # Pre-merge CI gate on a Terraform plan
  terraform plan -out plan.out && terraform show -json plan.out > plan.json
  cbaudit scan plan.json

  # No credentials in pull-request builds: lint the configuration itself
  cbaudit scan infra/ --var-file prod.tfvars --format github

  # Fail only on high and critical findings; SARIF for GitHub code scanning
  cbaudit scan plan.json --fail-on high --format sarif --output cbaudit.sarif

  # An audit that must be complete: unknown values fail the run too
  cbaudit scan plan.json --fail-on-unknown

  # Only the RDS rules, with a team policy pack
  cbaudit scan plan.json --policy cbaudit.toml --select CB-RDS-001,CB-RDS-003

Exit status: 0 no finding at or above --fail-on; 1 findings; 2 the run failed.";

#[derive(Debug, Parser)]
#[command(
    name = "cbaudit",
    version,
    about = "Checks AWS infrastructure against the guarantees its architecture document makes",
    long_about = "cbaudit turns every guarantee of an architecture document into a rule and \
checks it against Terraform plans (and, later, Terraform source and live AWS accounts).",
    after_help = SCAN_EXAMPLES,
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan Terraform plan JSON files (detected by content) against the policy.
    #[command(after_help = SCAN_EXAMPLES)]
    Scan(Box<ScanArgs>),
    /// List every rule: ID, name, severity, area and the sources it supports.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Print the inventory a source builds (for debugging sources).
    #[command(hide = true)]
    Inventory {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Print a rule's documentation (by ID or name).
    Explain {
        /// A rule ID (CB-RDS-003) or name (rds-backup-retention).
        rule: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

/// `--format`: the reporters' [`Format`], spelled for the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Human => Format::Human,
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Junit => Format::Junit,
            FormatArg::Github => Format::Github,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
struct ScanArgs {
    /// Terraform plan JSON files (`terraform show -json plan.out`, detected by content),
    /// Terraform configuration directories (or a `.tf` file), or directories of plans.
    #[arg(
        required_unless_present_any = ["live", "aggregator", "accounts"],
        value_name = "PATH"
    )]
    paths: Vec<PathBuf>,
    /// Scan a live AWS account through the AWS SDK (credentials from the default chain:
    /// environment, profile, SSO, container or instance role).
    #[arg(long, help_heading = "Live accounts")]
    live: bool,
    /// Scan every account and region of an AWS Config aggregator.
    #[arg(long, value_name = "NAME", help_heading = "Live accounts")]
    aggregator: Option<String>,
    /// The AWS profile to use (default: AWS_PROFILE or `default`).
    #[arg(long, value_name = "NAME", help_heading = "Live accounts")]
    profile: Option<String>,
    /// A region to scan (repeatable or comma-separated; default: the profile's region).
    #[arg(
        long = "region",
        value_name = "REGION",
        value_delimiter = ',',
        help_heading = "Live accounts"
    )]
    regions: Vec<String>,
    /// Send every AWS call to this endpoint (a test double such as moto).
    #[arg(long, value_name = "URL", help_heading = "Live accounts")]
    endpoint_url: Option<String>,
    /// Assume this role first (an ARN; with --accounts, a role name or an ARN whose account
    /// is replaced, or containing `{account}`).
    #[arg(long, value_name = "ROLE", help_heading = "Live accounts")]
    assume_role: Option<String>,
    /// Scan each account listed in FILE (one ID per line, `#` comments) through
    /// --assume-role.
    #[arg(long, value_name = "FILE", help_heading = "Live accounts")]
    accounts: Option<PathBuf>,
    /// Services × regions read at once.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 8,
        help_heading = "Live accounts"
    )]
    concurrency: usize,
    /// Deadline of the whole live scan, in seconds (each call gets at most 60 s).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 600,
        help_heading = "Live accounts"
    )]
    timeout: u64,
    /// A `.tfvars` file for Terraform configuration inputs (after terraform.tfvars and
    /// *.auto.tfvars; repeatable).
    #[arg(long, value_name = "FILE")]
    var_file: Vec<PathBuf>,
    /// A variable value for Terraform configuration inputs (`NAME=VALUE`; repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// The Terraform configuration of the plans, so findings point at `.tf` lines
    /// (default: the plan's own directory when it holds `.tf` files).
    #[arg(long, value_name = "DIR")]
    source_dir: Option<PathBuf>,
    /// Policy pack (TOML). Default: ./cbaudit.toml found upward, else the embedded
    /// clever-better policy.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Lowest severity that fails the run (exit status 1).
    #[arg(long, value_enum, default_value_t = FailOn::Low, value_name = "SEVERITY")]
    fail_on: FailOn,
    /// Count unknown outcomes as findings (for audits that must be complete).
    #[arg(long)]
    fail_on_unknown: bool,
    /// Run only these rules (IDs or names; repeatable or comma-separated).
    #[arg(long, value_name = "RULE")]
    select: Vec<String>,
    /// Skip these rules (IDs or names; repeatable or comma-separated).
    #[arg(long, value_name = "RULE")]
    ignore: Vec<String>,
    /// Print only the findings (human format).
    #[arg(long, short)]
    quiet: bool,
    /// Log the details of every failed live call to standard error (the SDK's error kind,
    /// HTTP status, request id; never a response body).
    #[arg(long, short)]
    verbose: bool,
    /// Colored output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

/// A failure of the run itself (exit status 2).
#[derive(Debug, thiserror::Error, Diagnostic)]
enum RunError {
    #[error("cannot read policy {path}: {message}")]
    #[diagnostic(code(cbaudit::policy::io))]
    PolicyIo { path: String, message: String },
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
        Command::Scan(args) => scan(*args),
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
                    r.kind
                ));
            }
            print_out(&s);
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { rule } => {
            let r = rules::find(&rule).ok_or_else(|| RunError::UnknownRule(rule.clone()))?;
            print_out(&explain(r));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_out(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

fn load_policy(path: Option<&Path>) -> Result<Policy, MietteReport> {
    let path = match path {
        Some(p) => Some(p.to_path_buf()),
        None => find_upward("cbaudit.toml"),
    };
    match path {
        None => Ok(Policy::default_policy()),
        Some(p) => {
            let shown = p.display().to_string();
            let text = std::fs::read_to_string(&p).map_err(|e| RunError::PolicyIo {
                path: shown.clone(),
                message: e.to_string(),
            })?;
            let is_rule = |key: &str| rules::find(key).is_some();
            Ok(Policy::parse_for(&shown, &text, &is_rule).map_err(|e| MietteReport::new(*e))?)
        }
    }
}

/// `cbaudit.toml` in the working directory or one of its parents.
fn find_upward(name: &str) -> Option<PathBuf> {
    let mut dir = std::env::current_dir().ok()?;
    loop {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return Some(candidate);
        }
        if !dir.pop() {
            return None;
        }
    }
}

fn scan(args: ScanArgs) -> Result<ExitCode, MietteReport> {
    let policy = load_policy(args.policy.as_deref())?;
    let selected = engine::select_rules(&policy, &args.select, &args.ignore)
        .map_err(|e| RunError::UnknownRule(e.0))?;
    let load = crate::source::LoadOptions {
        hcl: crate::source::hcl::HclOptions {
            var_files: args.var_file.clone(),
            vars: args.vars.clone(),
        },
        source_dir: args.source_dir.clone(),
    };
    // Each input is its own stack (each account its own inventory): scanned and checked on
    // its own, reported together.
    let mut reports = Vec::new();
    for source in live_sources(&args)? {
        reports.extend(check(source.as_ref(), &args, &policy, &selected)?);
    }
    for path in &args.paths {
        let source = crate::source::detect(path, &load)?;
        reports.extend(check(source.as_ref(), &args, &policy, &selected)?);
    }
    let report = engine::Report::merge(reports);

    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    let human = HumanOptions {
        color,
        quiet: args.quiet,
        width: None,
    };
    let rendered = report::render(&report, args.format.into(), &human);
    match &args.output {
        Some(path) => std::fs::write(path, rendered).map_err(|e| RunError::Output {
            path: path.display().to_string(),
            message: e.to_string(),
        })?,
        None => print_out(&rendered),
    }
    let fails = report.gate_fails(args.fail_on.threshold(), args.fail_on_unknown);
    Ok(if fails {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads `source` and checks each of its inventories: one report per stack or account.
fn check(
    source: &dyn crate::source::Source,
    args: &ScanArgs,
    policy: &Policy,
    selected: &[&'static rules::Rule],
) -> Result<Vec<engine::Report>, MietteReport> {
    let loaded = crate::source::read(source)?;
    if let (Some(note), false) = (&loaded.note, args.quiet) {
        eprintln!("cbaudit: {note}");
    }
    Ok(loaded
        .inventories
        .iter()
        .map(|inventory| engine::run(inventory, policy, selected))
        .collect())
}

/// The live account(s) or aggregator the arguments name, if any.
#[cfg(feature = "live")]
fn live_sources(args: &ScanArgs) -> Result<Vec<Box<dyn crate::source::Source>>, MietteReport> {
    use crate::source::live;
    if !args.live && args.aggregator.is_none() && args.accounts.is_none() {
        return Ok(Vec::new());
    }
    let accounts = match &args.accounts {
        Some(path) => live::read_accounts(path)?,
        None => Vec::new(),
    };
    if let Some(url) = &args.endpoint_url {
        let host = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"))
            .map(|rest| rest.split(['/', '?']).next().unwrap_or(""));
        if !host.is_some_and(|h| !h.is_empty() && !h.contains(char::is_whitespace)) {
            return Err(miette::miette!(
                code = "cbaudit::cli::endpoint_url",
                help = "an http:// or https:// URL with a host, e.g. http://127.0.0.1:5000",
                "--endpoint-url `{url}` is not a URL"
            ));
        }
    }
    live::set_verbose(args.verbose);
    let opts = live::LiveOptions {
        profile: args.profile.clone(),
        regions: args.regions.clone(),
        endpoint_url: args.endpoint_url.clone(),
        assume_role: args.assume_role.clone(),
        accounts,
        concurrency: args.concurrency,
        timeout: std::time::Duration::from_secs(args.timeout),
        call_timeout: std::time::Duration::from_secs(args.timeout.min(60)),
        progress: !args.quiet && std::io::stderr().is_terminal(),
        http_client: None,
    };
    Ok(vec![match &args.aggregator {
        Some(name) => Box::new(live::Aggregator {
            opts,
            name: name.clone(),
        }),
        None => Box::new(live::Live { opts }),
    }])
}

#[cfg(not(feature = "live"))]
fn live_sources(args: &ScanArgs) -> Result<Vec<Box<dyn crate::source::Source>>, MietteReport> {
    // --verbose logs live calls only.
    let _ = args.verbose;
    if args.live || args.aggregator.is_some() || args.accounts.is_some() {
        return Err(miette::miette!(
            code = "cbaudit::live::unavailable",
            help = "build with the default `live` feature",
            "this cbaudit was built without the live source"
        ));
    }
    Ok(Vec::new())
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
                        "sources": r.sources,
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
                "{:<11} {:<30} {:<8} {:<16} {:<13} {}\n",
                "ID", "NAME", "SEVERITY", "AREA", "SCOPE", "SOURCES"
            );
            for r in rules::RULES {
                let sources: Vec<&str> = r.sources.iter().map(|s| s.as_str()).collect();
                s.push_str(&format!(
                    "{:<11} {:<30} {:<8} {:<16} {:<13} {}\n",
                    r.id,
                    r.name,
                    r.severity.as_str(),
                    r.area.as_str(),
                    r.scope.as_str(),
                    sources.join(",")
                ));
            }
            s.push_str(&format!(
                "\n{} rules; default policy {DEFAULT_POLICY_PATH} (embedded). `cbaudit explain RULE` for details.\n",
                rules::RULES.len()
            ));
            s
        }
    }
}

fn explain(r: &rules::Rule) -> String {
    let sources: Vec<&str> = r.sources.iter().map(|s| s.as_str()).collect();
    format!(
        "# {} {}\n\nSeverity: {} · Area: {} · Scope: {} · Sources: {}\n\n{}",
        r.id,
        r.name,
        r.severity,
        r.area,
        r.scope,
        sources.join(", "),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The policy knows no rule; the CLI checks its `[rules.<key>]` against the registry.
    #[test]
    fn a_policy_naming_an_unknown_rule_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("cbaudit.toml");
        let text = crate::policy::DEFAULT_POLICY
            .replace("[rules]\n", "[rules.CB-XYZ-999]\nenabled = false\n");
        std::fs::write(&path, text).expect("write");
        let err = load_policy(Some(&path)).expect_err("unknown rule");
        assert!(
            format!("{err:?}").contains("unknown rule `CB-XYZ-999`"),
            "{err:?}"
        );
        let ok = crate::policy::DEFAULT_POLICY
            .replace("[rules]\n", "[rules.CB-RDS-003]\nenabled = false\n");
        std::fs::write(&path, ok).expect("write");
        assert!(load_policy(Some(&path)).is_ok());
    }
}
