//! What a rule's check receives ([`Check`]) and produces ([`Outcome`]).

use crate::model::{Inventory, ResId, Unknown};
use crate::policy::Policy;

use super::{Rule, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Unknown => "unknown",
        }
    }
}

/// What an outcome is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// A resource of the inventory.
    Resource(ResId),
    /// Something the policy requires that the inputs do not hold: its Terraform type and
    /// its documented name (`aws_cloudwatch_log_group`, `/rds/clever-better`).
    Missing {
        resource_type: &'static str,
        name: String,
    },
}

/// One rule's verdict on one subject.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub rule: &'static Rule,
    pub subject: Subject,
    pub status: Status,
    pub severity: Severity,
    /// The attribute responsible (for locations), when there is one.
    pub attribute: Option<String>,
    /// States the fact and the requirement; for unknowns, what is unknown and why.
    pub message: String,
    /// Names the fix.
    pub help: Option<String>,
    /// Values that must never be shown, not even in a source snippet (secrets the rule
    /// found in the resource).
    pub redact: Vec<String>,
}

/// The context of one rule's run: inventory, policy, and the outcomes it records.
pub struct Check<'a> {
    pub inv: &'a Inventory,
    pub policy: &'a Policy,
    pub rule: &'static Rule,
    pub(crate) outcomes: Vec<Outcome>,
}

impl<'a> Check<'a> {
    pub fn new(inv: &'a Inventory, policy: &'a Policy, rule: &'static Rule) -> Check<'a> {
        Check {
            inv,
            policy,
            rule,
            outcomes: Vec::new(),
        }
    }

    pub fn into_outcomes(self) -> Vec<Outcome> {
        self.outcomes
    }

    fn record(
        &mut self,
        subject: Subject,
        status: Status,
        attribute: Option<&str>,
        message: String,
        help: Option<String>,
        severity: Option<Severity>,
    ) {
        self.outcomes.push(Outcome {
            rule: self.rule,
            subject,
            status,
            severity: severity.unwrap_or(self.rule.severity),
            attribute: attribute.map(str::to_string),
            message,
            help,
            redact: Vec::new(),
        });
    }

    /// Marks values of the last outcome as secret: reporters never show them, not even in
    /// the source snippet around the finding.
    pub fn redact(&mut self, values: impl IntoIterator<Item = String>) {
        if let Some(last) = self.outcomes.last_mut() {
            last.redact.extend(values);
        }
    }

    /// The resource passes.
    pub fn pass(&mut self, id: ResId) {
        self.record(
            Subject::Resource(id),
            Status::Pass,
            None,
            String::new(),
            None,
            None,
        );
    }

    /// The resource fails: `message` states the fact and the requirement, `help` the fix.
    pub fn fail(
        &mut self,
        id: ResId,
        attribute: Option<&str>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.record(
            Subject::Resource(id),
            Status::Fail,
            attribute,
            message.into(),
            Some(help.into()),
            None,
        );
    }

    /// A failure with a severity other than the rule's (e.g. a low-severity cost finding).
    pub fn fail_with_severity(
        &mut self,
        id: ResId,
        attribute: Option<&str>,
        severity: Severity,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.record(
            Subject::Resource(id),
            Status::Fail,
            attribute,
            message.into(),
            Some(help.into()),
            Some(severity),
        );
    }

    /// The rule cannot decide for this resource: `what` is unknown for `why`.
    pub fn unknown(&mut self, id: ResId, attribute: Option<&str>, what: &str, why: &Unknown) {
        self.record(
            Subject::Resource(id),
            Status::Unknown,
            attribute,
            format!("{what} {} unknown: {why}", crate::model::grammar::be(what)),
            None,
            None,
        );
    }

    /// The resource cannot be judged for a reason that is not a missing value (a value the
    /// rule has no facts about, e.g. an undocumented name): `message` says what and why.
    pub fn unknown_because(
        &mut self,
        id: ResId,
        attribute: Option<&str>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.record(
            Subject::Resource(id),
            Status::Unknown,
            attribute,
            message.into(),
            help,
            None,
        );
    }

    /// Something the policy requires is not in the inputs: a failure, or unknown when the
    /// source could not read resources of that kind (a denied live call).
    pub fn missing(
        &mut self,
        tag: crate::model::KindTag,
        resource_type: &'static str,
        name: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let name = name.into();
        if let Some(why) = self.inv.gap(tag).cloned() {
            let subject = Subject::Missing {
                resource_type,
                name: name.clone(),
            };
            self.record(
                subject,
                Status::Unknown,
                None,
                format!("whether {name} exists is unknown: {why}"),
                None,
                None,
            );
        } else {
            let subject = Subject::Missing {
                resource_type,
                name,
            };
            self.record(
                subject,
                Status::Fail,
                None,
                message.into(),
                Some(help.into()),
                None,
            );
        }
    }
}
