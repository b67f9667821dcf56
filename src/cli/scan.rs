//! `cbaudit scan`: the policy, the sources, the engine, the report, the exit status.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use miette::Report as MietteReport;

use super::args::{Color, ScanArgs};
use super::{live::live_sources, print_out, RunError};
use crate::engine;
use crate::policy::Policy;
use crate::report::{self, HumanOptions};
use crate::rules;
use crate::waiver::baseline::Baseline;
use crate::waiver::Waivers;

pub(super) fn load_policy(path: Option<&Path>) -> Result<Policy, MietteReport> {
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

pub(super) fn scan(args: ScanArgs) -> Result<ExitCode, MietteReport> {
    let policy = load_policy(args.policy.as_deref())?;
    let selected = engine::select_rules(&policy, &args.select, &args.ignore)
        .map_err(|e| RunError::UnknownRule(e.0))?;
    let load = crate::source::LoadOptions {
        hcl: crate::source::hcl::HclOptions {
            var_files: args.var_file.clone(),
            vars: args.vars.clone(),
            is_rule: Some(|key| rules::find(key).is_some()),
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
    let report = accept(reports, &args, &policy)?;

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
        show_waived: args.show_waived,
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

/// Applies the waivers (the policy's, `--waivers`, and those in the configuration) and
/// the baseline, and writes a new baseline when asked.
fn accept(
    reports: Vec<engine::Report>,
    args: &ScanArgs,
    policy: &Policy,
) -> Result<engine::Report, MietteReport> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| RunError::Input {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    };
    let mut file_waivers = policy.waivers.clone();
    if let Some(path) = &args.waivers {
        let text = read(path)?;
        let is_rule = |key: &str| rules::find(key).is_some();
        let shown = path.display().to_string();
        file_waivers.extend(
            crate::policy::parse_waivers_file(&shown, &text, &is_rule)
                .map_err(|e| MietteReport::new(*e))?,
        );
    }
    let waivers = Waivers {
        file: &file_waivers,
        controls: &policy.waiver_controls,
        today: args.today.unwrap_or_else(crate::waiver::today_utc),
    };
    let mut report = waivers.apply(reports);
    let at = |path: &Path| {
        Some(crate::model::Location::at(
            path.display().to_string().into(),
            b"",
            0,
            0,
        ))
    };
    if let Some(path) = &args.baseline {
        let text = read(path)?;
        let baseline = Baseline::parse(&path.display().to_string(), &text)
            .map_err(|e| MietteReport::new(*e))?;
        baseline.apply(&mut report, at(path));
    }
    if let Some(path) = &args.write_baseline {
        let baseline = Baseline::of(&report);
        std::fs::write(path, baseline.to_json()).map_err(|e| RunError::Output {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        baseline.apply(&mut report, at(path));
    }
    Ok(report)
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
