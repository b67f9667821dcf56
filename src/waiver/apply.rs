//! Applying waivers to reports: matching, expiry, the controls, unused waivers.

use std::collections::{BTreeSet, HashMap};

use time::Date;

use super::meta::{WAIVER_NOT_ALLOWED, WAIVER_UNUSED};
use super::{Suppression, SuppressionKind};
use crate::engine::{Finding, Report};
use crate::model::{DeclaredWaiver, Location};
use crate::policy::{FileWaiver, WaiverControls};
use crate::rules::{self, Rule, Status};

/// Days before `until` from which a waiver counts as expiring soon.
pub const EXPIRING_DAYS: i64 = 30;

/// What waivers apply, and on which day.
pub struct Waivers<'a> {
    /// The policy's `[[waivers]]` and the `--waivers` file's.
    pub file: &'a [FileWaiver],
    pub controls: &'a WaiverControls,
    pub today: Date,
}

/// A waiver of either kind, as matching sees it.
struct Candidate<'a> {
    key: WaiverKey,
    rules: &'a [String],
    suppression: Suppression,
}

/// Identifies a waiver across reports (an inline waiver of a shared module appears in
/// every stack that calls it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum WaiverKey {
    File(usize),
    Inline(String, usize),
}

fn inline_key(w: &DeclaredWaiver) -> WaiverKey {
    WaiverKey::Inline(w.location.path.to_string(), w.location.offset)
}

impl Waivers<'_> {
    /// Applies the waivers to each report, merges them, adds the findings about the
    /// waivers themselves (not allowed by `[waiver_controls]`, or unused), and recounts the
    /// verdicts once (per stack: `Finding::stack`).
    pub fn apply(&self, reports: Vec<Report>) -> Report {
        let mut used: BTreeSet<WaiverKey> = BTreeSet::new();
        let mut reports = reports;
        for report in &mut reports {
            self.apply_one(report, &mut used);
        }
        let mut merged = Report::merge(reports);
        merged.today = Some(self.today);
        self.report_waivers(&mut merged, &used);
        recount(&mut merged);
        merged
    }

    fn apply_one(&self, report: &mut Report, used: &mut BTreeSet<WaiverKey>) {
        let declared = std::mem::take(&mut report.declared_waivers);
        let mut candidates: Vec<(Candidate<'_>, Option<&[String]>)> = Vec::new();
        for w in &declared {
            if self.violation_inline(w).is_none() {
                candidates.push((
                    Candidate {
                        key: inline_key(w),
                        rules: &w.rules,
                        suppression: Suppression {
                            kind: SuppressionKind::Inline,
                            reason: w.reason.clone(),
                            until: w.until,
                            owner: w.owner.clone(),
                            ticket: w.ticket.clone(),
                            location: Some(w.location.clone()),
                        },
                    },
                    Some(&w.covers),
                ));
            }
        }
        for (i, w) in self.file.iter().enumerate() {
            if self.violation_dates(w.until).is_none() {
                candidates.push((
                    Candidate {
                        key: WaiverKey::File(i),
                        rules: &w.rules,
                        suppression: Suppression {
                            kind: SuppressionKind::Policy,
                            reason: w.reason.clone(),
                            until: w.until,
                            owner: w.owner.clone(),
                            ticket: w.ticket.clone(),
                            location: Some(w.location.clone()),
                        },
                    },
                    None,
                ));
            }
        }
        for f in report.findings.iter_mut() {
            // The first waiver in force applies (inline before the policy's); every waiver
            // that matches is in use, even when another one applies.
            let mut expired: Option<&Suppression> = None;
            for (c, covers) in &candidates {
                if !names_rule(c.rules, f.rule) {
                    continue;
                }
                let matches = match (covers, &c.key) {
                    (Some(covers), _) => f.resource.as_deref().is_some_and(|a| covered(covers, a)),
                    (None, WaiverKey::File(i)) => file_matches(&self.file[*i], f),
                    (None, WaiverKey::Inline(..)) => false,
                };
                if !matches {
                    continue;
                }
                used.insert(c.key.clone());
                if f.suppression.is_some() {
                    continue;
                }
                if c.suppression.until.is_some_and(|u| self.today >= u) {
                    expired.get_or_insert(&c.suppression);
                } else {
                    f.suppression = Some(c.suppression.clone());
                }
            }
            if f.suppression.is_none() {
                if let Some(s) = expired {
                    f.message = format!("{}; {}", f.message, expired_note(s));
                    f.expired = Some(s.clone());
                }
            }
        }
        report.declared_waivers = declared;
    }

    /// Why an inline waiver is not allowed, if it is not.
    fn violation_inline(&self, w: &DeclaredWaiver) -> Option<String> {
        for key in &w.rules {
            if let Some(rule) = rules::find(key) {
                if !self
                    .controls
                    .inline_allowed(rule.id, rule.name, rule.severity)
                {
                    return Some(format!(
                        "{} ({}, {}) may not be waived inline: [waiver_controls] not_inline; the policy's owners can waive it in [[waivers]]",
                        rule.id, rule.name, rule.severity
                    ));
                }
            }
        }
        self.violation_dates(w.until)
    }

    fn violation_dates(&self, until: Option<Date>) -> Option<String> {
        match (until, self.controls.max_waiver_days) {
            (None, _) if self.controls.require_until => Some(
                "it has no until date, and [waiver_controls] require_until = true".to_string(),
            ),
            (Some(until), Some(max)) if (until - self.today).whole_days() > i64::from(max) => {
                Some(format!(
                    "until={until} is {} days away, beyond [waiver_controls] max_waiver_days = {max}",
                    (until - self.today).whole_days()
                ))
            }
            _ => None,
        }
    }

    /// Adds a finding for every waiver the controls forbid, and (unless turned off) for
    /// every waiver of a rule that ran which matched no finding.
    fn report_waivers(&self, report: &mut Report, used: &BTreeSet<WaiverKey>) {
        let ran = |keys: &[String]| {
            keys.iter()
                .any(|k| rules::find(k).is_some_and(|r| report.rules.iter().any(|x| x.id == r.id)))
        };
        // Every waiver once: what it is, where, why it is not allowed, whether it was used,
        // its rules, what it covers.
        let inline = report.declared_waivers.iter().map(|w| {
            (
                "inline waiver",
                &w.location,
                self.violation_inline(w),
                used.contains(&inline_key(w)),
                &w.rules,
                w.covers.join(", "),
            )
        });
        let file = self.file.iter().enumerate().map(|(i, w)| {
            (
                "waiver",
                &w.location,
                self.violation_dates(w.until),
                used.contains(&WaiverKey::File(i)),
                &w.rules,
                w.resource.patterns().join(", "),
            )
        });
        let mut extra = Vec::new();
        for (kind, at, violation, was_used, keys, covers) in inline.chain(file) {
            let what = format!("{kind} of {}", keys.join(", "));
            if let Some(why) = violation {
                extra.push(meta_finding(&WAIVER_NOT_ALLOWED, &what, at, why));
            } else if self.controls.report_unused && ran(keys) && !was_used {
                let why = format!(
                    "waives {} on {covers}, but no finding matched: remove it",
                    keys.join(", ")
                );
                extra.push(meta_finding(&WAIVER_UNUSED, &what, at, why));
            }
        }
        for f in &extra {
            if !report.rules.iter().any(|r| r.id == f.rule.id) {
                report.rules.push(f.rule);
                report.summary.rules += 1;
            }
        }
        report.findings.extend(extra);
        report.findings.sort_by(|a, b| a.order().cmp(&b.order()));
    }
}

/// "the waiver (owner platform: "staging: single-AZ until March") expired on 2027-03-31"
fn expired_note(s: &Suppression) -> String {
    let until = s.until.map(|d| d.to_string()).unwrap_or_default();
    let owner = s
        .owner
        .as_deref()
        .map(|o| format!("owner {o}: "))
        .unwrap_or_default();
    let at = s
        .location
        .as_ref()
        .map(|l| format!(" at {}:{}", l.path, l.line))
        .unwrap_or_default();
    format!(
        "the waiver{at} ({owner}\"{}\") expired on {until}",
        s.reason
    )
}

fn names_rule(keys: &[String], rule: &Rule) -> bool {
    keys.iter()
        .any(|k| k.eq_ignore_ascii_case(rule.id) || k == rule.name)
}

/// Whether a configuration address in `covers` covers the resource at `address`: the
/// same block (any instance, through any module instance), or a module call above it.
pub fn covered(covers: &[String], address: &str) -> bool {
    let config = config_address(address);
    covers.iter().any(|c| {
        config == *c
            || (config.len() > c.len()
                && config.starts_with(c.as_str())
                && config.as_bytes()[c.len()] == b'.')
    })
}

/// An address without instance keys: `module.a["x"].aws_s3_bucket.b[0]` →
/// `module.a.aws_s3_bucket.b`. Keys may hold any character, quotes escaped.
pub fn config_address(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut chars = address.chars();
    while let Some(c) = chars.next() {
        if c != '[' {
            out.push(c);
            continue;
        }
        let mut in_string = false;
        while let Some(k) = chars.next() {
            match k {
                '\\' if in_string => {
                    chars.next();
                }
                '"' => in_string = !in_string,
                ']' if !in_string => break,
                _ => {}
            }
        }
    }
    out
}

/// A `[[waivers]]` entry matches a finding by rule (checked by the caller), resource
/// (address, ARN or `Name` tag; the subject of something missing), account and region.
fn file_matches(w: &FileWaiver, f: &Finding) -> bool {
    let resource = match &f.resource {
        Some(a) => {
            w.resource.matches(a) || f.name_tag.as_deref().is_some_and(|n| w.resource.matches(n))
        }
        None => w.resource.matches(&f.subject),
    };
    let scoped = |glob: &Option<crate::policy::GlobList>, value: &Option<String>| match glob {
        None => true,
        Some(g) => value.as_deref().is_some_and(|v| g.matches(v)),
    };
    resource && scoped(&w.account, &f.account) && scoped(&w.region, &f.region)
}

fn meta_finding(rule: &'static Rule, what: &str, at: &Location, message: String) -> Finding {
    let subject = format!("{what} at {}:{}", at.path, at.line);
    let fingerprint = super::fingerprint(&[rule.id, &subject]);
    Finding {
        rule,
        severity: rule.severity,
        outcome: Status::Fail,
        resource: None,
        resource_type: "waiver".to_string(),
        subject,
        attribute: None,
        message,
        help: None,
        location: Some(at.clone()),
        related: Vec::new(),
        source: None,
        account: None,
        region: None,
        name_tag: None,
        fingerprint,
        redact: Vec::new(),
        suppression: None,
        expired: None,
        stack: 0,
    }
}

/// Recomputes the verdict counts after suppressions: a rule × subject with an active
/// failure fails; else with an active unknown is unknown; else (all its findings accepted)
/// is waived. Passes are untouched.
pub fn recount(report: &mut Report) {
    #[derive(Default)]
    struct Group {
        fail: bool,
        unknown: bool,
    }
    let mut groups: HashMap<(u32, &str, &str), Group> = HashMap::new();
    let today = report.today;
    let (mut waived_findings, mut expiring, mut expired) = (0, 0, 0);
    for f in &report.findings {
        let g = groups
            .entry((f.stack, f.rule.id, f.subject.as_str()))
            .or_default();
        match &f.suppression {
            None => match f.outcome {
                Status::Fail => g.fail = true,
                Status::Unknown => g.unknown = true,
                Status::Pass => {}
            },
            Some(s) => {
                waived_findings += 1;
                if today.is_some_and(|t| s.expires_within(t, EXPIRING_DAYS)) {
                    expiring += 1;
                }
            }
        }
        if f.expired.is_some() {
            expired += 1;
        }
    }
    let s = &mut report.summary;
    (s.fail, s.unknown, s.waived) = (0, 0, 0);
    for g in groups.values() {
        match (g.fail, g.unknown) {
            (true, _) => s.fail += 1,
            (false, true) => s.unknown += 1,
            (false, false) => s.waived += 1,
        }
    }
    s.waived_findings = waived_findings;
    s.expiring_soon = expiring;
    s.expired = expired;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Policy, DEFAULT_POLICY};
    use crate::waiver::parse_date;

    const VIOLATING: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/clever-better/violating/plan.json"
    );

    #[test]
    fn config_addresses_drop_every_instance_key() {
        assert_eq!(
            config_address(r#"module.a["x.y]"].aws_s3_bucket.b["k\"]."][0]"#),
            "module.a.aws_s3_bucket.b"
        );
        assert_eq!(
            config_address("module.a[0].module.b.aws_x.y"),
            "module.a.module.b.aws_x.y"
        );
        assert_eq!(config_address("data.aws_x.y"), "data.aws_x.y");
    }

    #[test]
    fn covers_are_blocks_or_module_calls() {
        let covers = ["aws_db_instance.main".to_string(), "module.db".to_string()];
        assert!(covered(&covers, "aws_db_instance.main"));
        assert!(covered(&covers, "aws_db_instance.main[2]"));
        assert!(covered(
            &covers,
            r#"module.db["eu"].module.inner.aws_x.y["k"]"#
        ));
        assert!(!covered(&covers, "aws_db_instance.main_replica"));
        assert!(!covered(&covers, "module.dbx.aws_x.y"));
        assert!(!covered(&covers, "module.other.aws_db_instance.main"));
    }

    fn policy_with(extra: &str) -> Policy {
        let text = DEFAULT_POLICY.replace("[rules]\n", &format!("{extra}\n[rules]\n"));
        let is_rule = |k: &str| rules::find(k).is_some();
        Policy::parse_for("p.toml", &text, &is_rule).expect("valid policy")
    }

    fn scan(policy: &Policy, today: &str) -> Report {
        let inv = crate::source::load(&[VIOLATING]).expect("plan");
        let report = crate::engine::run(&inv, policy, crate::rules::RULES);
        Waivers {
            file: &policy.waivers,
            controls: &policy.waiver_controls,
            today: parse_date(today).expect("date"),
        }
        .apply(vec![report])
    }

    fn of<'a>(report: &'a Report, rule: &str) -> Vec<&'a Finding> {
        report
            .findings
            .iter()
            .filter(|f| f.rule.id == rule)
            .collect()
    }

    const MULTI_AZ: &str = r#"
[[waivers]]
rule = "rds-multi-az, CB-RDS-003"
resource = "clever-better-timescale"
reason = "staging: single-AZ until the March migration"
until = 2027-03-31
owner = "platform"
ticket = "PLAT-1"
"#;

    #[test]
    fn a_policy_waiver_accepts_its_findings_until_it_expires() {
        let policy = policy_with(MULTI_AZ);
        let before = scan(&Policy::default_policy(), "2027-01-15");
        let report = scan(&policy, "2027-01-15");
        for rule in ["CB-RDS-002", "CB-RDS-003"] {
            let [f] = of(&report, rule)[..] else {
                panic!("{rule}: one finding")
            };
            let s = f.suppression.as_ref().expect("waived");
            assert_eq!(s.kind, SuppressionKind::Policy);
            assert_eq!(s.reason, "staging: single-AZ until the March migration");
            assert_eq!(s.owner.as_deref(), Some("platform"));
            assert_eq!(s.ticket.as_deref(), Some("PLAT-1"));
            assert_eq!(s.until, Some(parse_date("2027-03-31").unwrap()));
            assert_eq!(s.location.as_ref().map(|l| l.line), Some(f_line(&policy)));
        }
        // Matched by the Name tag; other rules on the same database still fail.
        assert!(of(&report, "CB-RDS-001")[0].is_active());
        assert_eq!(report.summary.waived, 2);
        assert_eq!(report.summary.waived_findings, 2);
        assert_eq!(report.summary.fail, before.summary.fail - 2);
        assert_eq!(report.summary.pass, before.summary.pass);
        assert_eq!(report.summary.expiring_soon, 0);
        assert!(of(&report, "CB-WVR-002").is_empty(), "used");

        // Within 30 days of the end.
        assert_eq!(scan(&policy, "2027-03-01").summary.expiring_soon, 2);
        // The last day it applies is the day before `until`.
        assert!(!of(&scan(&policy, "2027-03-30"), "CB-RDS-002")[0].is_active());
        let expired = scan(&policy, "2027-03-31");
        let f = of(&expired, "CB-RDS-002")[0];
        assert!(f.is_active(), "expired waivers do not apply");
        assert!(f.expired.is_some());
        assert!(
            f.message.ends_with("expired on 2027-03-31")
                && f.message
                    .contains("(owner platform: \"staging: single-AZ until the March migration\")"),
            "{}",
            f.message
        );
        assert_eq!(expired.summary.expired, 2);
        assert_eq!(expired.summary.fail, before.summary.fail);
        assert!(
            of(&expired, "CB-WVR-002").is_empty(),
            "an expired waiver that matched is not unused"
        );
    }

    /// The line of the `[[waivers]]` header of `MULTI_AZ` in the policy text.
    fn f_line(_: &Policy) -> u32 {
        let text = DEFAULT_POLICY.replace("[rules]\n", &format!("{MULTI_AZ}\n[rules]\n"));
        let at = text
            .find("[[waivers]]\nrule = \"rds-multi-az")
            .expect("entry");
        text[..at].lines().count() as u32 + 1
    }

    #[test]
    fn waivers_of_nothing_are_reported_unless_turned_off() {
        let unused = r#"
[[waivers]]
rule = "CB-RDS-002"
resource = "aws_db_instance.nothing_like_this"
reason = "typo"
"#;
        let report = scan(&policy_with(unused), "2027-01-15");
        let [f] = of(&report, "CB-WVR-002")[..] else {
            panic!("one unused waiver")
        };
        assert_eq!(f.severity, crate::rules::Severity::Low);
        assert!(
            f.message.contains("aws_db_instance.nothing_like_this"),
            "{}",
            f.message
        );
        assert_eq!(f.location.as_ref().map(|l| &*l.path), Some("p.toml"));
        assert!(report.rules.iter().any(|r| r.id == "CB-WVR-002"));
        assert_eq!(report.summary.rules, crate::rules::RULES.len() + 1);
        // A waiver of a rule that did not run is not judged.
        let inv = crate::source::load(&[VIOLATING]).expect("plan");
        let policy = policy_with(unused);
        let only = [crate::rules::find("CB-RDS-001").unwrap()];
        let r = Waivers {
            file: &policy.waivers,
            controls: &policy.waiver_controls,
            today: parse_date("2027-01-15").unwrap(),
        }
        .apply(vec![crate::engine::run(&inv, &policy, &only)]);
        assert!(of(&r, "CB-WVR-002").is_empty());
        let quiet = DEFAULT_POLICY.replace("report_unused = true", "report_unused = false");
        let quiet = quiet.replace("[rules]\n", &format!("{unused}\n[rules]\n"));
        let policy = Policy::parse("p.toml", &quiet).expect("valid");
        let r = scan(&policy, "2027-01-15");
        assert!(of(&r, "CB-WVR-002").is_empty());
    }

    #[test]
    fn waivers_beyond_the_controls_are_findings_and_do_not_apply() {
        let far = MULTI_AZ.replace("until = 2027-03-31", "until = 2029-01-01");
        let report = scan(&policy_with(&far), "2027-01-15");
        let [f] = of(&report, "CB-WVR-001")[..] else {
            panic!("one waiver not allowed")
        };
        assert!(f.message.contains("max_waiver_days = 365"), "{}", f.message);
        assert!(of(&report, "CB-RDS-002")[0].is_active());
        assert!(report.gate_fails(Some(crate::rules::Severity::High), false));

        let open = MULTI_AZ.replace("until = 2027-03-31\n", "");
        let strict = DEFAULT_POLICY
            .replace("require_until = false", "require_until = true")
            .replace("[rules]\n", &format!("{open}\n[rules]\n"));
        let policy = Policy::parse("p.toml", &strict).expect("valid");
        let report = scan(&policy, "2027-01-15");
        assert!(of(&report, "CB-WVR-001")[0]
            .message
            .contains("require_until"));
        assert!(of(&report, "CB-RDS-002")[0].is_active());
    }

    #[test]
    fn account_and_region_narrow_a_waiver() {
        // Plans have no account: a waiver for one account does not match them.
        let scoped = MULTI_AZ.replace("owner =", "account = \"123456789012\"\nowner =");
        let report = scan(&policy_with(&scoped), "2027-01-15");
        assert!(of(&report, "CB-RDS-002")[0].is_active());
        assert_eq!(of(&report, "CB-WVR-002").len(), 1);
    }

    #[test]
    fn accepted_findings_do_not_fail_the_gate() {
        let everything = r#"
[[waivers]]
rule = "CB-RDS-002"
resource = "*"
reason = "all of them"
"#;
        let policy = policy_with(everything);
        let mut report = scan(&policy, "2027-01-15");
        report.findings.retain(|f| f.rule.id == "CB-RDS-002");
        assert!(!report.gate_fails(Some(crate::rules::Severity::Info), true));
        report.findings[0].suppression = None;
        assert!(report.gate_fails(Some(crate::rules::Severity::Info), true));
    }

    /// With nothing accepted, the recount gives the engine's own verdict counts.
    #[test]
    fn the_recount_agrees_with_the_engine() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");
        let mut plans = vec![format!("{root}/clever-better/violating/plan.json")];
        for entry in std::fs::read_dir(format!("{root}/rules")).expect("fixtures/rules") {
            let dir = entry.expect("entry").path();
            for case in ["pass", "fail"] {
                let plan = dir.join(case).join("plan.json");
                if plan.is_file() {
                    plans.push(plan.display().to_string());
                }
            }
        }
        assert!(plans.len() > 40, "{}", plans.len());
        let policy = Policy::default_policy();
        for plan in &plans {
            let inv = crate::source::load(&[plan]).expect("plan");
            let report = crate::engine::run(&inv, &policy, crate::rules::RULES);
            let engine = report.summary;
            let mut recounted = Report::merge(vec![report]);
            recount(&mut recounted);
            assert_eq!(recounted.summary, engine, "{plan}");
        }
    }
}
