//! The command line's arguments (clap): subcommands, `scan` options, value enums.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::report::Format;
use crate::verdict::Severity;

pub(super) const SCAN_EXAMPLES: &str = "\
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

  # Adopt on an estate that already drifts: accept today's findings, fail on new ones
  cbaudit scan infra/ --write-baseline cbaudit.baseline.json
  cbaudit scan infra/ --baseline cbaudit.baseline.json

Exit status: 0 no finding at or above --fail-on; 1 findings; 2 the run failed.";

#[derive(Debug, Parser)]
#[command(
    name = "cbaudit",
    version,
    about = "Checks AWS infrastructure against the guarantees its architecture document makes",
    long_about = "cbaudit turns every guarantee of an architecture document into a rule and \
checks it against Terraform plans, Terraform configuration directories, live AWS accounts and \
AWS Config aggregators.",
    after_help = SCAN_EXAMPLES,
)]
pub struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Scan Terraform plans (JSON, detected by content), configuration directories, live AWS
    /// accounts or an AWS Config aggregator against the policy.
    #[command(after_help = SCAN_EXAMPLES)]
    Scan(Box<ScanArgs>),
    /// List every rule: ID, name, severity, area and scope.
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
pub(super) enum ListFormat {
    Human,
    Json,
}

/// `--format`: the reporters' [`Format`], spelled for the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum FormatArg {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
    // GitLab code quality (`artifacts:reports:codequality`).
    Gitlab,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Human => Format::Human,
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Junit => Format::Junit,
            FormatArg::Github => Format::Github,
            FormatArg::Gitlab => Format::Gitlab,
        }
    }
}

fn parse_today(s: &str) -> Result<time::Date, String> {
    crate::waiver::parse_date(s)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    Never,
}

impl FailOn {
    pub(super) fn threshold(self) -> Option<Severity> {
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
pub(super) enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
pub(super) struct ScanArgs {
    /// Terraform plan JSON files (`terraform show -json plan.out`, detected by content),
    /// Terraform configuration directories (or a `.tf` file), or directories of plans.
    #[arg(
        required_unless_present_any = ["live", "aggregator", "accounts"],
        value_name = "PATH"
    )]
    pub(super) paths: Vec<PathBuf>,
    /// Scan a live AWS account through the AWS SDK (credentials from the default chain:
    /// environment, profile, SSO, container or instance role).
    #[arg(long, help_heading = "Live accounts")]
    pub(super) live: bool,
    /// Scan every account and region of an AWS Config aggregator.
    #[arg(long, value_name = "NAME", help_heading = "Live accounts")]
    pub(super) aggregator: Option<String>,
    /// The AWS profile to use (default: AWS_PROFILE or `default`).
    #[arg(long, value_name = "NAME", help_heading = "Live accounts")]
    pub(super) profile: Option<String>,
    /// A region to scan (repeatable or comma-separated; default: the profile's region).
    #[arg(
        long = "region",
        value_name = "REGION",
        value_delimiter = ',',
        help_heading = "Live accounts"
    )]
    pub(super) regions: Vec<String>,
    /// Send every AWS call to this endpoint (a test double such as moto).
    #[arg(long, value_name = "URL", help_heading = "Live accounts")]
    pub(super) endpoint_url: Option<String>,
    /// Assume this role first (an ARN; with --accounts, a role name or an ARN whose account
    /// is replaced, or containing `{account}`).
    #[arg(long, value_name = "ROLE", help_heading = "Live accounts")]
    pub(super) assume_role: Option<String>,
    /// Scan each account listed in FILE (one ID per line, `#` comments) through
    /// --assume-role.
    #[arg(long, value_name = "FILE", help_heading = "Live accounts")]
    pub(super) accounts: Option<PathBuf>,
    /// Services × regions read at once.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 8,
        help_heading = "Live accounts"
    )]
    pub(super) concurrency: usize,
    /// Deadline of the whole live scan, in seconds (each call gets at most 60 s).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 600,
        help_heading = "Live accounts"
    )]
    pub(super) timeout: u64,
    /// A `.tfvars` file for Terraform configuration inputs (after terraform.tfvars and
    /// *.auto.tfvars; repeatable).
    #[arg(long, value_name = "FILE")]
    pub(super) var_file: Vec<PathBuf>,
    /// A variable value for Terraform configuration inputs (`NAME=VALUE`; repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub(super) vars: Vec<String>,
    /// The Terraform configuration of the plans, so findings point at `.tf` lines
    /// (default: the plan's own directory when it holds `.tf` files).
    #[arg(long, value_name = "DIR")]
    pub(super) source_dir: Option<PathBuf>,
    /// Policy pack (TOML). Default: ./cbaudit.toml found upward, else the embedded
    /// clever-better policy.
    #[arg(long, value_name = "FILE")]
    pub(super) policy: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub(super) format: FormatArg,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub(super) output: Option<PathBuf>,
    /// Lowest severity that fails the run (exit status 1).
    #[arg(long, value_enum, default_value_t = FailOn::Low, value_name = "SEVERITY")]
    pub(super) fail_on: FailOn,
    /// Count unknown outcomes as findings (for audits that must be complete).
    #[arg(long)]
    pub(super) fail_on_unknown: bool,
    /// Run only these rules (IDs or names; repeatable or comma-separated).
    #[arg(long, value_name = "RULE")]
    pub(super) select: Vec<String>,
    /// Skip these rules (IDs or names; repeatable or comma-separated).
    #[arg(long, value_name = "RULE")]
    pub(super) ignore: Vec<String>,
    /// Waivers for plans without their configuration and for live accounts: a TOML file of
    /// `[[waivers]]` entries (rule, resource, reason, until, owner, ticket, account,
    /// region), applied with the policy's own.
    #[arg(long, value_name = "FILE", help_heading = "Waivers and baselines")]
    pub(super) waivers: Option<PathBuf>,
    /// Accept the findings recorded in this baseline: only new findings fail the run, and
    /// the report lists those fixed since.
    #[arg(long, value_name = "FILE", help_heading = "Waivers and baselines")]
    pub(super) baseline: Option<PathBuf>,
    /// Record the current findings (not waived) in a baseline file; they are then accepted.
    #[arg(long, value_name = "FILE", help_heading = "Waivers and baselines")]
    pub(super) write_baseline: Option<PathBuf>,
    /// The date waivers are judged on (YYYY-MM-DD; default: today in UTC), for tests and
    /// reproducible runs.
    #[arg(long, value_name = "DATE", value_parser = parse_today, help_heading = "Waivers and baselines")]
    pub(super) today: Option<time::Date>,
    /// List the waived and baselined findings too (human format).
    #[arg(long, help_heading = "Waivers and baselines")]
    pub(super) show_waived: bool,
    /// Print only the findings (human format).
    #[arg(long, short)]
    pub(super) quiet: bool,
    /// Log the details of every failed live call to standard error (the SDK's error kind,
    /// HTTP status, request id; never a response body).
    #[arg(long, short)]
    pub(super) verbose: bool,
    /// Colored output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub(super) color: Color,
}
