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
    /// Applies the waivers to each report, merges them, and adds the findings about the
    /// waivers themselves (not allowed by `[waiver_controls]`, or unused).
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
            if self.violation_file(w).is_none() {
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
                if c.suppression.until.is_some_and(|u| self.today >= u) {
                    expired.get_or_insert(&c.suppression);
                    continue;
                }
                f.suppression = Some(c.suppression.clone());
                break;
            }
            if f.suppression.is_none() {
                if let Some(s) = expired {
                    f.message = format!("{}; {}", f.message, expired_note(s));
                    f.expired = Some(s.clone());
                }
            }
        }
        report.declared_waivers = declared;
        recount(report);
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

    fn violation_file(&self, w: &FileWaiver) -> Option<String> {
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
        let mut extra = Vec::new();
        for w in &report.declared_waivers {
            let what = format!("inline waiver of {}", w.rules.join(", "));
            if let Some(why) = self.violation_inline(w) {
                extra.push(meta_finding(&WAIVER_NOT_ALLOWED, &what, &w.location, why));
            } else if self.controls.report_unused && ran(&w.rules) && !used.contains(&inline_key(w))
            {
                extra.push(meta_finding(
                    &WAIVER_UNUSED,
                    &what,
                    &w.location,
                    format!(
                        "waives {} on {}, but no finding matched: remove it",
                        w.rules.join(", "),
                        w.covers.join(", ")
                    ),
                ));
            }
        }
        for (i, w) in self.file.iter().enumerate() {
            let what = format!("waiver of {}", w.rules.join(", "));
            if let Some(why) = self.violation_file(w) {
                extra.push(meta_finding(&WAIVER_NOT_ALLOWED, &what, &w.location, why));
            } else if self.controls.report_unused
                && ran(&w.rules)
                && !used.contains(&WaiverKey::File(i))
            {
                extra.push(meta_finding(
                    &WAIVER_UNUSED,
                    &what,
                    &w.location,
                    format!(
                        "waives {} on {}, but no finding matched: remove it",
                        w.rules.join(", "),
                        w.resource.patterns().join(", ")
                    ),
                ));
            }
        }
        for f in &extra {
            if !report.rules.iter().any(|r| r.id == f.rule.id) {
                report.rules.push(f.rule);
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
