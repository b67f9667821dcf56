//! A report of the violating architecture with waivers of every kind, for the reporter
//! tests (`tests/reports.rs`) and snapshots (`tests/snapshots.rs`), judged on 2027-01-15:
//! - inline: a `# cbaudit:waive CB-RDS-004 …` comment on `aws_db_instance.timescale`,
//!   given as the `DeclaredWaiver` a source reports for it (the `.tf` sources parse such
//!   comments; this report does not depend on that parser);
//! - policy: `tests/data/waivers.toml` (one expiring within 30 days, one of two findings,
//!   one expired, one unused);
//! - baseline: the findings of the security-group rules (CB-SG-*), plus an entry no finding
//!   matches any more (fixed since).

#![allow(dead_code)]

use cbaudit::engine::{self, Report};
use cbaudit::model::{DeclaredWaiver, Location};
use cbaudit::policy::Policy;
use cbaudit::waiver::baseline::{Baseline, Entry};
use cbaudit::waiver::{parse_date, Waivers};

pub const VIOLATING: &str = "fixtures/clever-better/violating/plan.json";
pub const WAIVERS: &str = "tests/data/waivers.toml";
pub const TODAY: &str = "2027-01-15";
/// The fingerprint of the baseline entry no finding matches.
pub const FIXED_FINGERPRINT: &str = "00000000000000000000000000000000";

fn at(path: &str, line: u32, column: u32) -> Location {
    Location {
        path: path.into(),
        line,
        column,
        offset: 0,
        len: 0,
    }
}

/// The baseline: the CB-SG-* findings of `report` and one fixed entry.
pub fn baseline_of(report: &Report) -> Baseline {
    let mut baseline = Baseline::of(report);
    baseline
        .findings
        .retain(|e| e.rule_id.starts_with("CB-SG-"));
    assert!(
        !baseline.findings.is_empty(),
        "the fixture has CB-SG findings"
    );
    baseline.findings.push(Entry {
        rule_id: "CB-S3-001".to_string(),
        subject: "aws_s3_bucket.logs".to_string(),
        fingerprint: FIXED_FINGERPRINT.to_string(),
        outcome: cbaudit::rules::Status::Fail,
        message: "aws_s3_bucket.logs: versioning is disabled".to_string(),
    });
    baseline.findings.sort();
    baseline
}

/// The waived report (paths relative to the repository: run from its root).
pub fn report() -> Report {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).expect("cd");
    let inv = cbaudit::source::load(&[VIOLATING]).expect("plan loads");
    let policy = Policy::default_policy();
    let rules = engine::select_rules(&policy, &[], &[]).expect("rules");
    let mut report = engine::run(&inv, &policy, &rules);
    let baseline = baseline_of(&report);
    report.declared_waivers.push(DeclaredWaiver {
        rules: vec!["CB-RDS-004".to_string()],
        covers: vec!["aws_db_instance.timescale".to_string()],
        reason: "the maintenance windows follow the trading calendar".to_string(),
        until: Some(parse_date("2027-03-31").expect("date")),
        owner: Some("data".to_string()),
        ticket: None,
        location: at("fixtures/clever-better/violating/rds.tf", 88, 1),
    });
    let text = std::fs::read_to_string(WAIVERS).expect("waivers file");
    let is_rule = |k: &str| cbaudit::rules::find(k).is_some();
    let file = cbaudit::policy::parse_waivers_file(WAIVERS, &text, &is_rule).expect("waivers");
    let waivers = Waivers {
        file: &file,
        controls: &policy.waiver_controls,
        today: parse_date(TODAY).expect("date"),
    };
    let mut report = waivers.apply(vec![report]);
    baseline.apply(&mut report, Some(at("cbaudit.baseline.json", 1, 1)));
    report
}
