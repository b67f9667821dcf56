//! Test helpers for rule unit tests: run one rule on a hand-built inventory.

use crate::model::Inventory;
use crate::policy::Policy;

use super::{Check, Outcome, Rule, Status, Subject};

/// The outcomes of one rule on one inventory, with the subjects' labels.
pub struct RuleRun {
    pub outcomes: Vec<Outcome>,
    labels: Vec<String>,
}

/// Runs `rule` with the embedded default policy.
pub fn run(rule: &'static Rule, inv: &Inventory) -> RuleRun {
    run_with(rule, inv, &Policy::default_policy())
}

pub fn run_with(rule: &'static Rule, inv: &Inventory, policy: &Policy) -> RuleRun {
    let mut check = Check::new(inv, policy, rule);
    (rule.check)(&mut check);
    let outcomes = check.into_outcomes();
    // Every outcome must carry what reporters need.
    for o in &outcomes {
        if o.status != Status::Pass {
            assert!(!o.message.is_empty(), "{}: empty message", rule.id);
        }
        if o.status == Status::Fail {
            assert!(
                o.help.as_deref().is_some_and(|h| !h.is_empty()),
                "{}: fail without help: {}",
                rule.id,
                o.message
            );
        }
    }
    let labels = inv
        .resources()
        .iter()
        .map(|r| r.address().to_string())
        .collect();
    RuleRun { outcomes, labels }
}

impl RuleRun {
    fn label(&self, s: &Subject) -> String {
        match s {
            Subject::Resource(id) => self.labels[*id].clone(),
            Subject::Missing { name, .. } => format!("missing:{name}"),
        }
    }

    fn with(&self, status: Status) -> Vec<String> {
        let mut v: Vec<String> = self
            .outcomes
            .iter()
            .filter(|o| o.status == status)
            .map(|o| self.label(&o.subject))
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Addresses (or `missing:<name>`) of passing subjects, sorted.
    pub fn passes(&self) -> Vec<String> {
        self.with(Status::Pass)
    }
    pub fn fails(&self) -> Vec<String> {
        self.with(Status::Fail)
    }
    pub fn unknowns(&self) -> Vec<String> {
        self.with(Status::Unknown)
    }
    /// Messages of the failures and unknowns, in order.
    pub fn messages(&self) -> Vec<&str> {
        self.outcomes
            .iter()
            .filter(|o| o.status != Status::Pass)
            .map(|o| o.message.as_str())
            .collect()
    }
}
