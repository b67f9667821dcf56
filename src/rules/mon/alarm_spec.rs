//! Shared by the CB-MON-* rules: matching alarms to the policy's alarm specs.

use std::collections::BTreeMap;

use crate::model::{
    Field, Inventory, MetricAlarm, RefTarget, ResId, Resolution, SnsSubscription, SnsTopic,
    Unknown, View,
};
use crate::policy::{AlarmSpec, Comparison, GlobList, Policy};

use super::math::{linear, Linear};

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
    let Some(name) = a.metric_name.try_value()? else {
        return Ok(false);
    };
    if !(metric.matches(name) || spec.metric.eq_ignore_ascii_case(name)) {
        return Ok(false);
    }
    let namespace_ok = match &spec.namespace {
        None => true,
        Some(ns) => (a.namespace.try_value()?).is_some_and(|have| have.eq_ignore_ascii_case(ns)),
    };
    if !namespace_ok || spec.dimensions.is_empty() {
        return Ok(namespace_ok);
    }
    let have = a.dimensions.try_value()?;
    Ok(have.is_some_and(|have| spec.dimensions.iter().all(|d| have.contains(d))))
}

/// What the spec's metric is, for messages: "CPUUtilization in AWS/ECS by ClusterName,
/// ServiceName".
pub fn metric_shown(spec: &AlarmSpec) -> String {
    let mut s = spec.metric.clone();
    if let Some(ns) = &spec.namespace {
        s.push_str(&format!(" in {ns}"));
    }
    if !spec.dimensions.is_empty() {
        s.push_str(&format!(" by {}", spec.dimensions.join(", ")));
    }
    s
}

/// The documented requirement, for messages: "CPUUtilization > 80, period × …".
pub fn requirement(policy: &Policy, spec: &AlarmSpec) -> String {
    let mut parts = vec![format!(
        "{} {} {}",
        metric_shown(spec),
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
            Some(g) if g.patterns().iter().any(|p| p != "*") => format!(
                "{}, by topic name or the host of an https subscription",
                g.patterns().join(" or ")
            ),
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
    topics: &[Vec<String>],
) -> Vec<&'a str> {
    let empty = GlobList::default();
    let globs_of = |class: &str| globs.get(class).unwrap_or(&empty);
    let mut ordered: Vec<&String> = classes.iter().collect();
    ordered.sort_by_key(|class| globs_of(class).patterns().iter().all(|p| p == "*"));
    let mut used = vec![false; topics.len()];
    let mut left = Vec::new();
    for class in ordered {
        let pick = (0..topics.len())
            .find(|&i| !used[i] && topics[i].iter().any(|l| globs_of(class).matches(l)));
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

/// One SNS topic an alarm notifies: its name and the labels its class is judged on.
struct TopicAction {
    name: String,
    /// The name, then the host of each http(s) subscription endpoint (never shown: an
    /// endpoint may be sensitive).
    labels: Vec<String>,
    /// An http(s) subscription whose endpoint is unknown: it may be any service.
    undecided: Option<Unknown>,
}

/// The resource type of a Terraform address (`module.m.aws_sns_topic.x["k"]` →
/// `aws_sns_topic`).
fn address_type(address: &str) -> &str {
    let parts: Vec<&str> = address.split('.').collect();
    let mut i = 0;
    while parts.get(i) == Some(&"module") {
        i += 2;
    }
    if parts.get(i) == Some(&"data") {
        i += 1;
    }
    parts.get(i).copied().unwrap_or(address)
}

/// The host of an http(s) URL.
fn url_host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?;
    Some(host.to_ascii_lowercase())
}

/// The SNS subscriptions of an inventory with the topics each resolves to, read once for
/// every alarm a rule judges.
pub struct Subscriptions<'a> {
    inv: &'a Inventory,
    subs: Vec<(View<'a, SnsSubscription>, Vec<ResId>)>,
}

impl<'a> Subscriptions<'a> {
    pub fn of(inv: &'a Inventory) -> Subscriptions<'a> {
        let subs = inv
            .all::<SnsSubscription>()
            .map(|sub| {
                let topics = match inv.resolve::<SnsTopic>(&sub.topic) {
                    Resolution::Known { found, .. } => found.iter().map(|f| f.id).collect(),
                    _ => Vec::new(),
                };
                (sub, topics)
            })
            .collect();
        Subscriptions { inv, subs }
    }
}

/// Adds the subscriptions of a topic of the inventory (`id`) or outside it (`arn`).
fn topic_labels(
    subs: &Subscriptions<'_>,
    id: Option<usize>,
    arn: Option<&str>,
    t: &mut TopicAction,
) {
    for (sub, topics) in &subs.subs {
        let by_arn = match (sub.topic.get(), arn) {
            (Some(targets), Some(arn)) => targets
                .iter()
                .any(|x| matches!(x, RefTarget::Ident(i) if i == arn)),
            _ => false,
        };
        let by_id = id.is_some_and(|id| topics.contains(&id));
        if !(by_arn || by_id) {
            continue;
        }
        let protocol = sub.protocol.get_noting(&mut t.undecided);
        if !protocol
            .is_some_and(|p| p.eq_ignore_ascii_case("https") || p.eq_ignore_ascii_case("http"))
        {
            continue;
        }
        if let Some(e) = sub.endpoint.get_noting(&mut t.undecided) {
            t.labels.extend(url_host(e));
        }
    }
}

type Classified = (Vec<TopicAction>, Vec<String>);

fn topic_action(
    subs: &Subscriptions<'_>,
    name: String,
    id: Option<usize>,
    arn: Option<&str>,
) -> TopicAction {
    let mut t = TopicAction {
        labels: vec![name.clone()],
        name,
        undecided: None,
    };
    topic_labels(subs, id, arn, &mut t);
    t
}

/// The alarm's actions by their ARN's service (or the Terraform type they refer to): SNS
/// topics (with their labels) and other actions (described), or why they are unknown.
fn classify(
    subs: &Subscriptions<'_>,
    a: &View<'_, MetricAlarm>,
) -> Result<Classified, (String, Unknown)> {
    let inv = subs.inv;
    let actions = a.alarm_actions.try_value();
    let Some(targets) = actions.map_err(|u| ("the alarm's actions".into(), u))? else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut topics = Vec::new();
    let mut others = Vec::new();
    for target in targets {
        let arn = match target {
            RefTarget::Address(addr) => {
                let kind = address_type(addr);
                if kind != "aws_sns_topic" {
                    others.push(format!("{kind} (not an SNS topic)"));
                    continue;
                }
                None
            }
            RefTarget::Ident(s) if s.starts_with("arn:") => {
                let service = s.split(':').nth(2).unwrap_or_default();
                if service != "sns" {
                    others.push(format!("an {service} action (not an SNS topic)"));
                    continue;
                }
                Some(s.as_str())
            }
            RefTarget::Ident(s) => Some(s.as_str()),
        };
        let one = Field::Known(vec![target.clone()]);
        match inv.resolve::<SnsTopic>(&one) {
            Resolution::Absent => {}
            Resolution::Unknown(u) => return Err(("the alarm's topics".into(), u)),
            Resolution::Known { found, external } => {
                for topic in found {
                    let what = "the names of the alarm's topics";
                    let name = match topic.name.try_value().map_err(|u| (what.into(), u))? {
                        Some(n) => n.clone(),
                        None => {
                            let why = format!("the name of {}", topic.address());
                            return Err((what.into(), Unknown::NotInInputs(why)));
                        }
                    };
                    topics.push(topic_action(subs, name, Some(topic.id), arn));
                }
                for x in external {
                    let name = x.rsplit(':').next().unwrap_or(&x).to_string();
                    topics.push(topic_action(subs, name, None, Some(&x)));
                }
            }
        }
    }
    Ok((topics, others))
}

fn check_actions(
    subs: &Subscriptions<'_>,
    policy: &Policy,
    spec: &AlarmSpec,
    a: &View<'_, MetricAlarm>,
    e: &mut Eval,
) {
    if spec.actions.is_empty() {
        return;
    }
    let (topics, others) = match classify(subs, a) {
        Ok(x) => x,
        Err((what, why)) => return e.unknown(&what, &why),
    };
    let labels: Vec<Vec<String>> = topics.iter().map(|t| t.labels.clone()).collect();
    let unserved = unserved(&spec.actions, &policy.alarm_actions, &labels);
    if unserved.is_empty() {
        return;
    }
    if let Some(u) = topics.iter().find_map(|t| t.undecided.clone()) {
        return e.unknown("the endpoints of the alarm topics' subscriptions", &u);
    }
    let mut shown: Vec<String> = topics.iter().map(|t| t.name.clone()).collect();
    shown.extend(others);
    let listed = if shown.is_empty() {
        "no topic".to_string()
    } else {
        shown.join(", ")
    };
    e.problems.push((
        "alarm_actions",
        format!(
            "its actions ({listed}) include no {} topic",
            unserved.join(" or ")
        ),
    ));
}

/// The alarm's threshold read in its metric's own units: a metric-math alarm whose
/// expression scales one metric (`100 * m1 / 200 > 80`) is read as `m1 > 160`.
type Scale = Option<(Linear, String)>;

fn effective(a: &MetricAlarm) -> Result<Scale, (String, Unknown)> {
    let what = "the metric-math expression".to_string();
    let Some(m) = a.math.try_value().map_err(|u| (what.clone(), u))? else {
        return Ok(None);
    };
    match linear(&m.expression, &m.metric_ids) {
        Ok((id, l)) if m.metric_ids.first() == Some(&id) => {
            Ok(Some((l, format!("`{}`", m.expression))))
        }
        Ok((id, _)) => Err((
            what,
            Unknown::Unresolved(format!(
                "`{}` scales {id}, not the alarm's first metric query",
                m.expression
            )),
        )),
        Err(why) => Err((
            what,
            Unknown::Unresolved(format!("`{}` is not evaluated: {why}", m.expression)),
        )),
    }
}

/// `GreaterThanThreshold` ↔ `LessThanThreshold`: the comparison after scaling by a negative
/// factor.
fn flipped(op: &str) -> String {
    for (from, to) in [("Greater", "Less"), ("Less", "Greater")] {
        if let Some(rest) = op.strip_prefix(from) {
            return format!("{to}{rest}");
        }
    }
    op.to_string()
}

/// Compares one alarm with one spec.
pub fn evaluate(
    subs: &Subscriptions<'_>,
    policy: &Policy,
    spec: &AlarmSpec,
    a: &View<'_, MetricAlarm>,
) -> Eval {
    let mut e = Eval::default();
    let scale = match effective(a) {
        Ok(s) => s,
        Err((what, why)) => {
            e.unknown(&what, &why);
            check_actions(subs, policy, spec, a, &mut e);
            return e;
        }
    };
    let negative = scale.as_ref().is_some_and(|(l, _)| l.k < 0.0);
    match a.comparison.value() {
        Ok(Some(s))
            if comparison_ok(
                spec.comparison,
                &if negative { flipped(s) } else { s.clone() },
            ) => {}
        Err(u) => e.unknown("the comparison operator", u),
        _ => e.problems.push((
            "comparison_operator",
            format!("comparison is {}", a.comparison.shown()),
        )),
    }
    let threshold = a.threshold.clone().map(|t| match &scale {
        Some((l, _)) => (t - l.c) / l.k,
        None => t,
    });
    let close = |t: f64| (t - spec.threshold).abs() <= 1e-9 * spec.threshold.abs().max(1.0);
    match (threshold.value(), &scale) {
        (Ok(Some(t)), _) if close(*t) => {}
        (Err(u), _) => e.unknown("the threshold", u),
        (_, Some((_, expr))) => e.problems.push((
            "threshold",
            format!(
                "threshold is {} on {expr}, {} in the metric's units",
                a.threshold.shown(),
                threshold.shown()
            ),
        )),
        (_, None) => e
            .problems
            .push(("threshold", format!("threshold is {}", threshold.shown()))),
    }
    if let Some(p) = spec.period {
        match a.period.value() {
            Ok(Some(v)) if *v == p => {}
            Err(u) => e.unknown("the period", u),
            _ => e
                .problems
                .push(("period", format!("period is {} s", a.period.shown()))),
        }
    }
    if let Some(d) = spec.duration {
        let (p, n) = (&a.period, &a.evaluation_periods);
        if let Some(u) = p.unknown().or(n.unknown()) {
            e.unknown("the evaluation window", u);
        } else if p.get().zip(n.get()).map(|(p, n)| p * n) != Some(d) {
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
    check_actions(subs, policy, spec, a, &mut e);
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
        let both = vec![
            vec!["pagerduty-critical".to_string()],
            vec!["alerts".to_string()],
        ];
        assert!(unserved(&classes, &policy.alarm_actions, &both).is_empty());
        let one = vec![vec!["pagerduty-critical".to_string()]];
        assert_eq!(
            unserved(&classes, &policy.alarm_actions, &one),
            vec!["notification"]
        );
        assert_eq!(unserved(&classes, &policy.alarm_actions, &[]).len(), 2);
    }
}
