//! Shared by the CB-MON-* rules: matching alarms to the policy's alarm specs.

use std::collections::BTreeMap;

use crate::model::{Field, Inventory, MetricAlarm, Res, Resolution, SnsTopic, Unknown};
use crate::policy::{AlarmSpec, Comparison, GlobList, Policy};

pub fn symbol(c: Comparison) -> &'static str {
    match c {
        Comparison::Greater => ">",
        Comparison::GreaterOrEqual => ">=",
        Comparison::Less => "<",
        Comparison::LessOrEqual => "<=",
    }
}

/// Whether a CloudWatch `comparison_operator` is the documented comparison, exactly:
/// "> 80%" is `GreaterThanThreshold`, not `>=`.
pub fn comparison_ok(want: Comparison, have: &str) -> bool {
    let accepted = match want {
        Comparison::Greater => "GreaterThanThreshold",
        Comparison::GreaterOrEqual => "GreaterThanOrEqualToThreshold",
        Comparison::Less => "LessThanThreshold",
        Comparison::LessOrEqual => "LessThanOrEqualToThreshold",
    };
    accepted.eq_ignore_ascii_case(have)
}

/// The spec's metric glob (a glob the policy cannot compile matches by equality only).
pub fn metric_glob(spec: &AlarmSpec) -> GlobList {
    GlobList::new(&[spec.metric.as_str()]).unwrap_or_default()
}

/// Whether the alarm watches the spec's metric, or why that is unknown.
pub fn watches(spec: &AlarmSpec, metric: &GlobList, a: &MetricAlarm) -> Result<bool, Unknown> {
    let name = match &a.metric_name {
        Field::Known(m) | Field::Sensitive(m) => m,
        Field::Unknown(u) => return Err(u.clone()),
        Field::Absent => return Ok(false),
    };
    if !(metric.matches(name) || spec.metric.eq_ignore_ascii_case(name)) {
        return Ok(false);
    }
    match (&spec.namespace, &a.namespace) {
        (None, _) => Ok(true),
        (Some(ns), Field::Known(have) | Field::Sensitive(have)) => {
            Ok(have.eq_ignore_ascii_case(ns))
        }
        (Some(_), Field::Unknown(u)) => Err(u.clone()),
        (Some(_), Field::Absent) => Ok(false),
    }
}

/// The documented requirement, for messages: "CPUUtilization > 80, period × …".
pub fn requirement(policy: &Policy, spec: &AlarmSpec) -> String {
    let mut parts = vec![format!(
        "{} {} {}",
        spec.metric,
        symbol(spec.comparison),
        spec.threshold
    )];
    if let Some(p) = spec.period {
        parts.push(format!("period {p} s"));
    }
    if let Some(d) = spec.duration {
        parts.push(format!("period × evaluation periods = {d} s"));
    }
    for class in &spec.actions {
        let globs = match policy.alarm_actions.get(class) {
            Some(g) if g.patterns().iter().any(|p| p != "*") => g.patterns().join(" or "),
            _ => "any SNS topic".to_string(),
        };
        parts.push(format!("an action on a {class} topic ({globs})"));
    }
    parts.join(", ")
}

/// Gives each action class a distinct topic, most specific classes (globs other than `*`)
/// first; returns the classes left without one.
pub fn unserved<'a>(
    classes: &'a [String],
    globs: &BTreeMap<String, GlobList>,
    topics: &[String],
) -> Vec<&'a str> {
    let empty = GlobList::default();
    let globs_of = |class: &str| globs.get(class).unwrap_or(&empty);
    let mut ordered: Vec<&String> = classes.iter().collect();
    ordered.sort_by_key(|class| globs_of(class).patterns().iter().all(|p| p == "*"));
    let mut used = vec![false; topics.len()];
    let mut left = Vec::new();
    for class in ordered {
        let pick = (0..topics.len()).find(|&i| !used[i] && globs_of(class).matches(&topics[i]));
        match pick {
            Some(i) => used[i] = true,
            None => left.push(class.as_str()),
        }
    }
    left
}

/// Mismatches (attribute, fact) and the first unknown of one alarm against one spec.
#[derive(Default)]
pub struct Eval {
    pub problems: Vec<(&'static str, String)>,
    pub unknown: Option<(String, Unknown)>,
}

impl Eval {
    fn unknown(&mut self, what: &str, why: &Unknown) {
        self.unknown.get_or_insert((what.to_string(), why.clone()));
    }
}

fn check_actions(
    inv: &Inventory,
    policy: &Policy,
    spec: &AlarmSpec,
    a: &Res<'_, MetricAlarm>,
    e: &mut Eval,
) {
    if spec.actions.is_empty() {
        return;
    }
    let mut names: Vec<String> = Vec::new();
    let mut unnamed: Option<Unknown> = None;
    match inv.resolve::<SnsTopic>(&a.alarm_actions) {
        Resolution::Absent => {}
        Resolution::Unknown(u) => return e.unknown("the alarm's actions", &u),
        Resolution::Known { found, external } => {
            for t in found {
                match &t.name {
                    Field::Known(n) | Field::Sensitive(n) => names.push(n.clone()),
                    Field::Unknown(u) => unnamed = Some(u.clone()),
                    Field::Absent => {
                        unnamed = Some(Unknown::NotInInputs(format!("the name of {}", t.address())))
                    }
                }
            }
            names.extend(
                external
                    .iter()
                    .map(|x| x.rsplit(':').next().unwrap_or(x).to_string()),
            );
        }
    }
    let unserved = unserved(&spec.actions, &policy.alarm_actions, &names);
    if unserved.is_empty() {
        return;
    }
    match unnamed {
        Some(u) => e.unknown("the names of the alarm's topics", &u),
        None => {
            let topics = if names.is_empty() {
                "no topic".to_string()
            } else {
                names.join(", ")
            };
            e.problems.push((
                "alarm_actions",
                format!(
                    "its actions ({topics}) include no {} topic",
                    unserved.join(" or ")
                ),
            ));
        }
    }
}

/// Compares one alarm with one spec.
pub fn evaluate(
    inv: &Inventory,
    policy: &Policy,
    spec: &AlarmSpec,
    a: &Res<'_, MetricAlarm>,
) -> Eval {
    let mut e = Eval::default();
    match &a.comparison {
        Field::Known(s) | Field::Sensitive(s) if comparison_ok(spec.comparison, s) => {}
        Field::Unknown(u) => e.unknown("the comparison operator", u),
        other => e.problems.push((
            "comparison_operator",
            format!("comparison is {}", other.shown()),
        )),
    }
    match &a.threshold {
        Field::Known(t) | Field::Sensitive(t) if (t - spec.threshold).abs() < 1e-9 => {}
        Field::Unknown(u) => e.unknown("the threshold", u),
        other => e
            .problems
            .push(("threshold", format!("threshold is {}", other.shown()))),
    }
    if let Some(p) = spec.period {
        match &a.period {
            Field::Known(v) | Field::Sensitive(v) if *v == p => {}
            Field::Unknown(u) => e.unknown("the period", u),
            other => e
                .problems
                .push(("period", format!("period is {} s", other.shown()))),
        }
    }
    if let Some(d) = spec.duration {
        match (&a.period, &a.evaluation_periods) {
            (Field::Unknown(u), _) | (_, Field::Unknown(u)) => {
                e.unknown("the evaluation window", u)
            }
            (p, n) => {
                let (pv, nv) = (p.get().copied(), n.get().copied());
                if pv.zip(nv).map(|(p, n)| p * n) != Some(d) {
                    e.problems.push((
                        "evaluation_periods",
                        format!(
                            "period × evaluation periods is {} s × {}",
                            p.shown(),
                            n.shown()
                        ),
                    ));
                }
            }
        }
    }
    check_actions(inv, policy, spec, a, &mut e);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_are_the_documented_ones() {
        assert!(!comparison_ok(
            Comparison::Greater,
            "GreaterThanOrEqualToThreshold"
        ));
        assert!(comparison_ok(Comparison::Greater, "greaterthanthreshold"));
        assert!(!comparison_ok(Comparison::Greater, "LessThanThreshold"));
        assert!(comparison_ok(
            Comparison::LessOrEqual,
            "LessThanOrEqualToThreshold"
        ));
    }

    #[test]
    fn specific_classes_are_served_first() {
        let policy = Policy::default_policy();
        let classes = vec!["notification".to_string(), "pagerduty".to_string()];
        let both = vec!["pagerduty-critical".to_string(), "alerts".to_string()];
        assert!(unserved(&classes, &policy.alarm_actions, &both).is_empty());
        let one = vec!["pagerduty-critical".to_string()];
        assert_eq!(
            unserved(&classes, &policy.alarm_actions, &one),
            vec!["notification"]
        );
        assert_eq!(unserved(&classes, &policy.alarm_actions, &[]).len(), 2);
    }
}
