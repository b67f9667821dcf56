//! Test helpers for rule unit tests: build resources ([`res`]) and inventories
//! ([`inventory`]), run one rule on them ([`run`]).

use crate::model::{Body, Inventory, Resource};
use crate::policy::Policy;

use super::{Check, Outcome, Rule, Status, Subject};

/// A test resource at a Terraform `address`, its type read from the address:
/// `res("aws_db_instance.main", db)` is `Resource::new("aws_db_instance",
/// "aws_db_instance.main", db)`; module (`module.db["a"].aws_db_instance.main`) and data
/// (`data.aws_vpc.x`) addresses work too. Live-style addresses (ARNs, IDs) carry no type:
/// use [`Resource::new`].
pub fn res(address: impl Into<String>, kind: impl Into<Body>) -> Resource {
    let address = address.into();
    let resource_type = terraform_type(&address)
        .unwrap_or_else(|| panic!("`{address}` is not a Terraform resource address"));
    Resource::new(resource_type, address, kind)
}

/// The resource type of a Terraform address: the segment before the resource's name, after
/// any `module.<name>[<key>].` and `data.` (dots inside `[...]` keys do not count).
fn terraform_type(address: &str) -> Option<String> {
    let mut segments = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in address.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            '.' if depth == 0 => {
                segments.push(&address[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    segments.push(&address[start..]);
    let mut rest = segments.as_slice();
    while let ["module", _, tail @ ..] = rest {
        rest = tail;
    }
    if let ["data", tail @ ..] = rest {
        rest = tail;
    }
    match rest {
        [ty, _name] if ty.contains('_') && !ty.contains('[') => Some(ty.to_string()),
        _ => None,
    }
}

/// An inventory holding `resources`, in order (their ids are 0, 1, …).
pub fn inventory(resources: impl IntoIterator<Item = Resource>) -> Inventory {
    let mut inv = Inventory::new();
    for r in resources {
        inv.push(r);
    }
    inv
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_is_read_from_the_address() {
        for (address, ty) in [
            ("aws_db_instance.main", "aws_db_instance"),
            ("aws_subnet.app[\"a.b\"]", "aws_subnet"),
            (
                "module.db[\"x.y\"].aws_rds_cluster.this[0]",
                "aws_rds_cluster",
            ),
            ("module.a.module.b.data.aws_vpc.main", "aws_vpc"),
        ] {
            assert_eq!(terraform_type(address).as_deref(), Some(ty), "{address}");
        }
        for address in ["arn:aws:s3:::bucket", "vpc-123", "aws_vpc", "module.x.y"] {
            assert_eq!(terraform_type(address), None, "{address}");
        }
        let r = res("aws_vpc.main", crate::model::Vpc::default());
        assert_eq!(
            (r.resource_type.as_str(), r.address()),
            ("aws_vpc", "aws_vpc.main")
        );
        let inv = inventory([r, res("aws_vpc.other", crate::model::Vpc::default())]);
        assert_eq!(inv.resources()[1].address(), "aws_vpc.other");
    }
}
