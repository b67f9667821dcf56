//! What a rule's check receives ([`Check`]) and produces ([`Outcome`]).

use std::fmt::Display;

use crate::model::{Field, Inventory, ResId, Unknown};
use crate::policy::Policy;

use super::{Rule, Severity};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
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

    /// The field's value for a rule that needs it: `Some(Some(v))` when known (plain or
    /// sensitive), `Some(None)` when absent; when unknown, records the resource as unknown
    /// ("{what} is unknown: {why}", as [`Check::unknown`]) and returns `None`:
    ///
    /// ```ignore
    /// let Some(days) = c.need(g.id, Some("retention_in_days"), "the log retention", &g.retention_in_days) else { continue };
    /// ```
    pub fn need<'f, T>(
        &mut self,
        id: ResId,
        attribute: Option<&str>,
        what: &str,
        field: &'f Field<T>,
    ) -> Option<Option<&'f T>> {
        match field.value() {
            Ok(v) => Some(v),
            Err(why) => {
                self.unknown(id, attribute, what, why);
                None
            }
        }
    }

    /// [`Check::need`] for an attribute that names itself in the message
    /// (`"multi_az is unknown: …"`).
    pub fn need_attr<'f, T>(
        &mut self,
        id: ResId,
        attribute: &str,
        field: &'f Field<T>,
    ) -> Option<Option<&'f T>> {
        self.need(id, Some(attribute), attribute, field)
    }

    /// The usual judgement of one field: passes the resource when the field is known and
    /// `ok(value)`, records it as unknown ("{what} is unknown: {why}") when the field is
    /// unknown, and returns `true` for either; returns `false` (recording nothing) when the
    /// field is absent or not `ok`, so the caller records the failure:
    ///
    /// ```ignore
    /// if !c.pass_if(db.id, Some("multi_az"), "multi_az", &db.multi_az, |on| *on) {
    ///     c.require(db.id, Some("multi_az"), fact, "a Multi-AZ standby", set("multi_az", true));
    /// }
    /// ```
    pub fn pass_if<T>(
        &mut self,
        id: ResId,
        attribute: Option<&str>,
        what: &str,
        field: &Field<T>,
        ok: impl FnOnce(&T) -> bool,
    ) -> bool {
        match field.value() {
            Ok(Some(v)) if ok(v) => {
                self.pass(id);
                true
            }
            Err(why) => {
                self.unknown(id, attribute, what, why);
                true
            }
            Ok(_) => false,
        }
    }

    /// The resource fails a documented requirement: the message is
    /// `"{fact}; the architecture requires {requirement}"`, `help` names the fix (see [`set`]).
    pub fn require(
        &mut self,
        id: ResId,
        attribute: Option<&str>,
        fact: impl Display,
        requirement: impl Display,
        help: impl Into<String>,
    ) {
        self.fail(id, attribute, requires(fact, requirement), help);
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
        tag: crate::model::Kind,
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

/// A failure message: `"{fact}; the architecture requires {requirement}"`.
pub fn requires(fact: impl Display, requirement: impl Display) -> String {
    format!("{fact}; the architecture requires {requirement}")
}

/// A fix: `"set {attribute} = {value}"` (quote string values yourself: `set("x", "\"a\"")`
/// or use [`set_str`]).
pub fn set(attribute: &str, value: impl Display) -> String {
    format!("set {attribute} = {value}")
}

/// A fix with a quoted string value: `set {attribute} = "{value}"`.
pub fn set_str(attribute: &str, value: impl Display) -> String {
    format!("set {attribute} = \"{value}\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LogGroup;
    use crate::rules::log::retention::LOG_RETENTION;
    use crate::rules::testing::{inventory, res};

    /// A check needs a resource to record outcomes on: one log group, id 0.
    fn one_log_group() -> (Inventory, ResId) {
        let inv = inventory([res("aws_cloudwatch_log_group.a", LogGroup::default())]);
        (inv, 0)
    }

    #[test]
    fn message_builders_spell_the_house_style() {
        assert_eq!(
            requires("multi_az is false", "a Multi-AZ standby"),
            "multi_az is false; the architecture requires a Multi-AZ standby"
        );
        assert_eq!(set("multi_az", true), "set multi_az = true");
        assert_eq!(
            set_str("instance_class", "db.t4g.micro"),
            "set instance_class = \"db.t4g.micro\""
        );
    }

    #[test]
    fn need_records_unknown_and_passes_values_through() {
        let (inv, id) = one_log_group();
        let policy = Policy::default_policy();
        let mut c = Check::new(&inv, &policy, &LOG_RETENTION);
        assert_eq!(c.need_attr(id, "n", &Field::Known(1)), Some(Some(&1)));
        assert_eq!(c.need_attr::<i32>(id, "n", &Field::Absent), Some(None));
        assert!(c.outcomes.is_empty());
        let unknown: Field<i32> = Field::Unknown(Unknown::AfterApply);
        assert_eq!(c.need(id, Some("n"), "the log retention", &unknown), None);
        let out = c.into_outcomes();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].status, Status::Unknown);
        assert_eq!(out[0].attribute.as_deref(), Some("n"));
        assert_eq!(
            out[0].message,
            "the log retention is unknown: known only after apply"
        );
    }

    #[test]
    fn pass_if_passes_records_unknown_or_leaves_the_failure_to_the_caller() {
        let (inv, id) = one_log_group();
        let policy = Policy::default_policy();
        let mut c = Check::new(&inv, &policy, &LOG_RETENTION);
        assert!(c.pass_if(id, None, "n", &Field::Sensitive(2), |n| *n > 1));
        assert!(!c.pass_if(id, None, "n", &Field::Known(1), |n| *n > 1));
        assert!(!c.pass_if(id, None, "n", &Field::Absent, |n: &i32| *n > 1));
        let unknown: Field<i32> = Field::Unknown(Unknown::AfterApply);
        assert!(c.pass_if(id, Some("n"), "n", &unknown, |_| true));
        let out = c.into_outcomes();
        let statuses: Vec<Status> = out.iter().map(|o| o.status).collect();
        assert_eq!(statuses, vec![Status::Pass, Status::Unknown]);
    }

    #[test]
    fn require_fails_with_the_composed_message() {
        let (inv, id) = one_log_group();
        let policy = Policy::default_policy();
        let mut c = Check::new(&inv, &policy, &LOG_RETENTION);
        c.require(id, Some("n"), "n is 1", "at least 2", set("n", 2));
        let out = c.into_outcomes();
        assert_eq!(out[0].status, Status::Fail);
        assert_eq!(
            out[0].message,
            "n is 1; the architecture requires at least 2"
        );
        assert_eq!(out[0].help.as_deref(), Some("set n = 2"));
    }
}
