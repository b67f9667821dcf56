//! Runs the selected rules over an inventory and collects findings in a deterministic order.
//! Evaluation only: reporters render the [`Report`].

use std::collections::{BTreeMap, HashMap};

use crate::model::{Input, Inventory, Location, Origin};
use crate::policy::Policy;
use crate::rules::{self, Outcome, Rule, RuleScope, Severity, Status, Subject};
use crate::waiver::Suppression;

/// A failure or unknown outcome, ready for reporting.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    /// `Fail` or `Unknown`.
    pub outcome: Status,
    /// The Terraform address (or ARN), `None` for something missing.
    pub resource: Option<String>,
    pub resource_type: String,
    /// What the finding is about, for people: the address, or the missing thing's name.
    pub subject: String,
    pub attribute: Option<String>,
    pub message: String,
    pub help: Option<String>,
    pub location: Option<Location>,
    /// Other places that decide the finding: the module arguments that set the attribute
    /// (innermost first, the root module's last).
    pub related: Vec<Location>,
    pub source: Option<Origin>,
    pub account: Option<String>,
    pub region: Option<String>,
    /// The name people know the resource by: its `Name` tag, or what its address stands
    /// for (a scalable target's resource id).
    pub name_tag: Option<String>,
    pub fingerprint: String,
    /// Values never to show (secrets of the resource); reporters mask them in snippets.
    pub redact: Vec<String>,
    /// The waiver or baseline entry that accepts this finding: it does not fail the run.
    pub suppression: Option<Suppression>,
    /// A waiver that matched but expired (its message says so): the finding fails again.
    pub expired: Option<Suppression>,
    /// Which of the merged reports (stacks, accounts) it comes from.
    pub stack: u32,
}

impl Finding {
    /// Whether it counts: not waived, not in the baseline.
    pub fn is_active(&self) -> bool {
        self.suppression.is_none()
    }
}

/// The order of findings in every report (and what makes two findings the same): rule,
/// resource, subject, outcome, message.
pub(crate) type Order<'a> = (
    &'static str,
    &'a Option<String>,
    &'a String,
    Status,
    &'a String,
);

impl Finding {
    pub(crate) fn order(&self) -> Order<'_> {
        (
            self.rule.id,
            &self.resource,
            &self.subject,
            self.outcome,
            &self.message,
        )
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub resources: usize,
    pub rules: usize,
    /// Rule × subject verdicts: a subject with any failure fails, else any unknown is unknown.
    pub pass: usize,
    pub fail: usize,
    pub unknown: usize,
    /// Resources of a live or aggregator scan outside the architecture's scope (policy
    /// `[scope]`): only rules of account scope judged them. Always 0 for plans and `.tf`.
    pub out_of_scope: usize,
    /// Rule × subject verdicts accepted by waivers or the baseline (not in `fail` or
    /// `unknown`), and the findings behind them.
    pub waived: usize,
    pub waived_findings: usize,
    /// Waived findings whose waiver ends within 30 days.
    pub expiring_soon: usize,
    /// Findings whose waiver expired (they fail again).
    pub expired: usize,
    /// Baseline entries no finding matched any more: fixed since the baseline.
    pub fixed: usize,
}

#[derive(Debug)]
pub struct Report {
    pub inputs: Vec<Input>,
    pub policy: String,
    pub rules: Vec<&'static Rule>,
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// IAM actions a live scan was denied (its unknowns name them too), sorted.
    pub missing_permissions: Vec<String>,
    /// The waivers declared in the scanned configuration (`# cbaudit:waive`).
    pub declared_waivers: Vec<crate::model::DeclaredWaiver>,
    /// The date waivers were judged on (`--today`, else today in UTC), once applied.
    pub today: Option<time::Date>,
    /// Baseline entries no finding matched: fixed since the baseline was written.
    pub fixed: Vec<crate::waiver::baseline::Entry>,
}

/// A `--select` / `--ignore` entry that names no rule.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("unknown rule `{0}`")]
#[diagnostic(
    code(cbaudit::cli::unknown_rule),
    help("`cbaudit rules` lists every rule ID and name")
)]
pub struct UnknownRule(pub String);

/// The rules to run: enabled by the policy, narrowed by `select`, minus `ignore`.
pub fn select_rules(
    policy: &Policy,
    select: &[String],
    ignore: &[String],
) -> Result<Vec<&'static Rule>, UnknownRule> {
    let resolve = |keys: &[String]| -> Result<Vec<&'static Rule>, UnknownRule> {
        keys.iter()
            .flat_map(|k| k.split(','))
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| rules::find(k).ok_or_else(|| UnknownRule(k.to_string())))
            .collect()
    };
    let selected = resolve(select)?;
    let ignored = resolve(ignore)?;
    Ok(rules::RULES
        .iter()
        .copied()
        .filter(|r| {
            if selected.is_empty() {
                policy.rule_settings(r.id, r.name).and_then(|s| s.enabled) != Some(false)
            } else {
                selected.iter().any(|s| s.id == r.id)
            }
        })
        .filter(|r| !ignored.iter().any(|i| i.id == r.id))
        .collect())
}

/// Runs `rules` and builds the report.
///
/// A live or aggregator inventory is scoped by the policy's `[scope]` ([`crate::scope`]):
/// rules of architecture scope see only the architecture's resources, rules of account
/// scope see everything; the report counts the resources left out. Plans and `.tf`
/// directories are the architecture, whole.
pub fn run(inv: &Inventory, policy: &Policy, rules: &[&'static Rule]) -> Report {
    let mut outcomes: Vec<Outcome> = Vec::new();
    let kinds: Vec<Origin> = inv.inputs.iter().map(|i| i.kind).collect();
    let account_scan = kinds
        .iter()
        .any(|k| matches!(k, Origin::Live | Origin::Aggregator));
    let scoped = match policy.scope() {
        Some(spec) if account_scan => {
            inv.set_scope(Some(crate::scope::resolve(inv, spec)));
            true
        }
        _ => {
            inv.set_scope(None);
            false
        }
    };
    for rule in rules {
        inv.set_scoped_view(
            scoped && policy.rule_scope(rule.id, rule.name, rule.scope) == RuleScope::Architecture,
        );
        let mut check = rules::Check::new(inv, policy, rule);
        inv.take_touched();
        (rule.check)(&mut check);
        judge_gaps(inv, rule, &inv.take_touched(), &mut check.outcomes);
        inv.set_scoped_view(false);
        let configured = policy
            .rule_settings(rule.id, rule.name)
            .and_then(|s| s.severity);
        outcomes.extend(check.into_outcomes().into_iter().map(|mut o| {
            if let Some(sev) = configured {
                if o.severity == rule.severity {
                    o.severity = sev;
                }
            }
            o
        }));
    }

    // Verdict per rule × subject.
    let mut verdicts: HashMap<(&str, &Subject), Status> = HashMap::new();
    for o in &outcomes {
        let v = verdicts
            .entry((o.rule.id, &o.subject))
            .or_insert(Status::Pass);
        *v = match (*v, o.status) {
            (Status::Fail, _) | (_, Status::Fail) => Status::Fail,
            (Status::Unknown, _) | (_, Status::Unknown) => Status::Unknown,
            _ => Status::Pass,
        };
    }
    inv.set_scoped_view(false);
    let mut summary = Summary {
        resources: inv.len(),
        rules: rules.len(),
        out_of_scope: inv.out_of_scope(),
        ..Summary::default()
    };
    for v in verdicts.values() {
        match v {
            Status::Pass => summary.pass += 1,
            Status::Fail => summary.fail += 1,
            Status::Unknown => summary.unknown += 1,
        }
    }

    let mut findings: Vec<Finding> = outcomes
        .into_iter()
        .filter(|o| o.status != Status::Pass)
        .map(|o| finding(inv, o))
        .collect();
    findings.sort_by(|a, b| a.order().cmp(&b.order()));
    findings.dedup_by(|a, b| a.order() == b.order());
    assign_fingerprints(&mut findings);

    Report {
        inputs: inv.inputs.clone(),
        policy: policy.policy.name.clone(),
        rules: rules.to_vec(),
        findings,
        summary,
        missing_permissions: inv.missing_permissions.clone(),
        declared_waivers: inv.waivers.clone(),
        today: None,
        fixed: Vec::new(),
    }
}

/// A rule that read a kind the source could not read (a denied or failed live call, or a
/// kind the source cannot produce at all: `source::mark_unproduced`) cannot
/// pass, nor fail on what it did read: what it would have seen may change its verdict. Its
/// verdicts become unknown, naming the reason (the missing permission); a rule that saw
/// nothing at all reports one unknown for the unreadable kind.
fn judge_gaps(
    inv: &Inventory,
    rule: &'static Rule,
    touched: &[crate::model::Kind],
    outcomes: &mut Vec<Outcome>,
) {
    let Some(gap) = inv
        .gaps()
        .iter()
        .find(|g| g.kinds.iter().any(|k| touched.contains(k)))
    else {
        return;
    };
    let kind = *gap
        .kinds
        .iter()
        .find(|k| touched.contains(k))
        .expect("found above");
    let why = &gap.reason;
    for o in outcomes.iter_mut() {
        if o.status != Status::Unknown {
            let was = if o.status == Status::Pass {
                "would pass".to_string()
            } else {
                format!("found: {}", o.message)
            };
            o.status = Status::Unknown;
            o.message = format!(
                "cannot be judged, {} are {why} ({was})",
                crate::model::grammar::plural(kind.label())
            );
        }
    }
    if outcomes.is_empty() {
        outcomes.push(Outcome {
            rule,
            subject: Subject::Missing {
                resource_type: kind.label(),
                name: format!("every {}", kind.label()),
            },
            status: Status::Unknown,
            severity: rule.severity,
            attribute: None,
            message: format!(
                "cannot be judged, {} are {why}",
                crate::model::grammar::plural(kind.label())
            ),
            help: None,
            redact: Vec::new(),
        });
    }
}

fn finding(inv: &Inventory, o: Outcome) -> Finding {
    let mut redact = o.redact.clone();
    let mut related = Vec::new();
    let (resource, resource_type, subject, location, prov) = match &o.subject {
        Subject::Resource(id) => {
            let r = inv.get(*id);
            redact.extend(r.secrets.iter().cloned());
            related = r
                .provenance
                .set_by(o.attribute.as_deref())
                .into_iter()
                .cloned()
                .collect();
            (
                Some(r.address().to_string()),
                r.resource_type.clone(),
                r.address().to_string(),
                r.provenance.location_of(o.attribute.as_deref()).cloned(),
                Some((&r.provenance, known_name(r))),
            )
        }
        Subject::Missing {
            resource_type,
            name,
        } => (None, resource_type.to_string(), name.clone(), None, None),
    };
    Finding {
        rule: o.rule,
        severity: o.severity,
        outcome: o.status,
        resource,
        resource_type,
        subject,
        attribute: o.attribute,
        message: o.message,
        help: o.help,
        location,
        related,
        source: prov.as_ref().map(|(p, _)| p.source),
        account: prov
            .as_ref()
            .and_then(|(p, _)| p.account.clone())
            .or_else(|| inv.account.clone()),
        region: prov.as_ref().and_then(|(p, _)| p.region.clone()),
        name_tag: prov.and_then(|(_, n)| n),
        fingerprint: String::new(),
        redact,
        suppression: None,
        expired: None,
        stack: 0,
    }
}

/// The name people know a resource by: its `Name` tag, or what an opaque address stands
/// for (a scalable target's resource id, `service/<cluster>/<service>`).
fn known_name(r: &crate::model::Resource) -> Option<String> {
    if let Some(name) = r.tag("Name") {
        return Some(name.to_string());
    }
    match &r.body {
        crate::model::Body::ScalableTarget(t) => match &t.resource_id {
            crate::model::Field::Known(id) => Some(id.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Stable across runs and unrelated changes: rule, subject and attribute, not the message
/// (whose numbers change as the violation is being fixed) nor a position; an ordinal
/// separates findings that share all three. A live resource is keyed on its ARN; one known
/// by an ID only (a rule of a security group) adds its account and region.
///
/// An unknown is keyed apart from a failure of the same rule, subject and attribute (the
/// key of a failure names no outcome, that of an unknown says `unknown`), and the ordinal
/// counts each apart: the ordinal follows the report's order, in which the message decides
/// between findings sharing the rest, so without it a new failure whose message sorts
/// first would take the fingerprint of an accepted unknown (`the service's subnets are
/// unknown` in a plan alone, then `assigns public IPs` on the same service) and pass the
/// gate, while the unknown is reported new in its place.
fn assign_fingerprints(findings: &mut [Finding]) {
    let mut seen: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    for f in findings {
        let mut key = vec![
            f.rule.id.to_string(),
            f.resource.as_deref().unwrap_or("missing").to_string(),
            f.subject.clone(),
            f.attribute.as_deref().unwrap_or("").to_string(),
        ];
        let live = matches!(f.source, Some(Origin::Live | Origin::Aggregator))
            || (f.resource.is_none() && f.account.is_some());
        if live && !f.resource.as_deref().is_some_and(|a| a.starts_with("arn:")) {
            key.push(f.account.clone().unwrap_or_default());
            key.push(f.region.clone().unwrap_or_default());
        }
        if f.outcome != Status::Fail {
            key.push(f.outcome.as_str().to_string());
        }
        let n = seen.entry(key.clone()).or_insert(0);
        *n += 1;
        key.push(n.to_string());
        let parts: Vec<&str> = key.iter().map(String::as_str).collect();
        f.fingerprint = crate::waiver::fingerprint(&parts);
    }
}

impl Report {
    /// One report of several independent scans (one per input): each input is checked on
    /// its own, so two stacks never count as one.
    pub fn merge(reports: Vec<Report>) -> Report {
        let mut merged = Report {
            inputs: Vec::new(),
            policy: String::new(),
            rules: Vec::new(),
            findings: Vec::new(),
            summary: Summary::default(),
            missing_permissions: Vec::new(),
            declared_waivers: Vec::new(),
            today: None,
            fixed: Vec::new(),
        };
        for (stack, mut r) in reports.into_iter().enumerate() {
            for f in &mut r.findings {
                f.stack = stack as u32;
            }
            merged.missing_permissions.extend(r.missing_permissions);
            merged.inputs.extend(r.inputs);
            merged.policy = r.policy;
            merged.rules = r.rules;
            merged.findings.extend(r.findings);
            merged.summary.resources += r.summary.resources;
            merged.summary.rules = r.summary.rules;
            merged.summary.pass += r.summary.pass;
            merged.summary.fail += r.summary.fail;
            merged.summary.unknown += r.summary.unknown;
            merged.summary.out_of_scope += r.summary.out_of_scope;
            merged.summary.waived += r.summary.waived;
            merged.summary.waived_findings += r.summary.waived_findings;
            merged.summary.expiring_soon += r.summary.expiring_soon;
            merged.summary.expired += r.summary.expired;
            merged.summary.fixed += r.summary.fixed;
            merged.today = merged.today.or(r.today);
            merged.fixed.extend(r.fixed);
            for w in r.declared_waivers {
                if !merged.declared_waivers.contains(&w) {
                    merged.declared_waivers.push(w);
                }
            }
        }
        merged.missing_permissions.sort();
        merged.missing_permissions.dedup();
        merged.findings.sort_by(|a, b| a.order().cmp(&b.order()));
        merged
    }

    /// Whether the gate fails: a failure (or, with `fail_on_unknown`, an unknown) at or
    /// above `threshold`.
    pub fn gate_fails(&self, threshold: Option<Severity>, fail_on_unknown: bool) -> bool {
        let Some(threshold) = threshold else {
            return false;
        };
        self.findings.iter().filter(|f| f.is_active()).any(|f| {
            f.severity >= threshold
                && (f.outcome == Status::Fail || (fail_on_unknown && f.outcome == Status::Unknown))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(outcome: Status, message: &str) -> Finding {
        Finding {
            rule: rules::find("CB-ECS-003").expect("rule"),
            severity: Severity::High,
            outcome,
            resource: Some("module.bot.aws_ecs_service.this".to_string()),
            resource_type: "aws_ecs_service".to_string(),
            subject: "module.bot.aws_ecs_service.this".to_string(),
            attribute: Some("network_configuration".to_string()),
            message: message.to_string(),
            help: None,
            location: None,
            related: Vec::new(),
            source: Some(Origin::Plan),
            account: None,
            region: None,
            name_tag: None,
            fingerprint: String::new(),
            redact: Vec::new(),
            suppression: None,
            expired: None,
            stack: 0,
        }
    }

    /// In the report's order, fingerprinted.
    fn fingerprinted(mut findings: Vec<Finding>) -> Vec<(Status, String, String)> {
        findings.sort_by(|a, b| a.order().cmp(&b.order()));
        assign_fingerprints(&mut findings);
        findings
            .into_iter()
            .map(|f| (f.outcome, f.message, f.fingerprint))
            .collect()
    }

    const UNKNOWN: &str = "the service's subnets are unknown";
    const PUBLIC: &str = "assigns public IPs to its tasks";

    /// A failure appearing next to an accepted unknown of the same rule, resource and
    /// attribute gets a fingerprint of its own; the unknown keeps its fingerprint.
    #[test]
    fn a_new_failure_never_takes_the_fingerprint_of_an_unknown() {
        let before = fingerprinted(vec![finding(Status::Unknown, UNKNOWN)]);
        let after = fingerprinted(vec![
            finding(Status::Unknown, UNKNOWN),
            finding(Status::Fail, PUBLIC),
        ]);
        let unknown = &before[0].2;
        let find = |outcome| {
            after
                .iter()
                .find(|(o, _, _)| *o == outcome)
                .map(|(_, _, fp)| fp.clone())
                .expect("finding")
        };
        assert_eq!(&find(Status::Unknown), unknown, "the unknown keeps its own");
        assert_ne!(&find(Status::Fail), unknown, "the failure is new");
        // And the other way round: an unknown appearing next to an accepted failure.
        let failure = fingerprinted(vec![finding(Status::Fail, PUBLIC)]);
        assert_eq!(find(Status::Fail), failure[0].2);
    }

    /// A failure's fingerprint is rule, resource, subject, attribute and its ordinal among
    /// failures sharing them: a changed message changes nothing, a second failure is a
    /// second fingerprint whatever its message.
    #[test]
    fn failures_sharing_rule_resource_and_attribute_are_counted() {
        let one = fingerprinted(vec![finding(Status::Fail, "desired_count = 2")]);
        let changed = fingerprinted(vec![finding(Status::Fail, "desired_count = 3")]);
        assert_eq!(one[0].2, changed[0].2, "the message is not part of it");
        let two = fingerprinted(vec![
            finding(Status::Fail, "b: a second failure"),
            finding(Status::Fail, "a: sorts first"),
        ]);
        assert_ne!(two[0].2, two[1].2);
        assert!(two.iter().any(|(_, _, fp)| *fp == one[0].2));
        let expected = crate::waiver::fingerprint(&[
            "CB-ECS-003",
            "module.bot.aws_ecs_service.this",
            "module.bot.aws_ecs_service.this",
            "network_configuration",
            "1",
        ]);
        assert_eq!(one[0].2, expected, "a failure's key names no outcome");
    }
}
