use crate::declare_rule;
use crate::model::{DbInstance, Field};
use crate::rules::{Check, ALL_SOURCES};

declare_rule! {
    /// ## What it checks
    /// Every DB instance has `allocated_storage = database.allocated_storage` (100 GB) and
    /// `max_allocated_storage = database.max_allocated_storage` (500 GB). Not set
    /// `max_allocated_storage` means storage autoscaling is off: a failure.
    ///
    /// ## Why
    /// The architecture document: "allocated_storage = 100  # GB" and
    /// "max_allocated_storage = 500  # GB (auto-scaling)". TimescaleDB hypertables grow
    /// with every market tick: without the autoscaling ceiling a full disk stops the
    /// database (and the bot with it); a higher ceiling removes the cost guard rail.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   allocated_storage = 100
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   allocated_storage     = 100
    ///   max_allocated_storage = 500
    /// }
    /// ```
    ///
    /// ## Peers
    /// None: Checkov, Trivy and AWS Config do not check RDS storage sizes.
    pub static STORAGE_AUTOSCALING = Rule {
        id: "CB-RDS-006",
        name: "rds-storage-autoscaling",
        area: Database,
        severity: Medium,
        scope: Architecture,
        sources: ALL_SOURCES,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let db_policy = &c.policy.database;
    let (alloc, max) = (db_policy.allocated_storage, db_policy.max_allocated_storage);
    for db in c.inv.all::<DbInstance>() {
        let name = db.identifier.shown().to_string();
        let aspects = [
            (
                "allocated_storage",
                &db.allocated_storage,
                alloc,
                "allocated storage is not set",
            ),
            (
                "max_allocated_storage",
                &db.max_allocated_storage,
                max,
                "max_allocated_storage is not set (storage autoscaling is off)",
            ),
        ];
        for (attr, field, want, unset) in aspects {
            let fact = match field {
                Field::Known(v) | Field::Sensitive(v) if *v == want => {
                    c.pass(db.id);
                    continue;
                }
                Field::Unknown(u) => {
                    c.unknown(db.id, Some(attr), attr, u);
                    continue;
                }
                Field::Absent => unset.to_string(),
                other => format!("{attr} is {} GB", other.shown()),
            };
            c.fail(
                db.id,
                Some(attr),
                format!("DB instance {name}: {fact}; the architecture requires {alloc} GB allocated, autoscaling up to {max} GB"),
                format!("set {attr} = {want}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Inventory, Resource, Unknown};
    use crate::rules::testing::run;

    fn db(alloc: Field<i64>, max: Field<i64>) -> Inventory {
        let mut inv = Inventory::new();
        inv.push(Resource::new(
            "aws_db_instance",
            "aws_db_instance.main",
            DbInstance {
                allocated_storage: alloc,
                max_allocated_storage: max,
                ..Default::default()
            },
        ));
        inv
    }

    #[test]
    fn documented_sizes_pass() {
        let out = run(
            &STORAGE_AUTOSCALING,
            &db(Field::Known(100), Field::Known(500)),
        );
        assert_eq!(out.passes(), vec!["aws_db_instance.main"]);
        assert!(out.fails().is_empty());
    }

    #[test]
    fn other_sizes_fail_with_both_values() {
        let out = run(
            &STORAGE_AUTOSCALING,
            &db(Field::Known(100), Field::Known(499)),
        );
        assert_eq!(out.fails(), vec!["aws_db_instance.main"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("is 499 GB") && msg.contains("up to 500 GB"),
            "{msg}"
        );
    }

    #[test]
    fn absent_max_means_autoscaling_off() {
        let out = run(&STORAGE_AUTOSCALING, &db(Field::Known(100), Field::Absent));
        assert!(out.messages()[0].contains("autoscaling is off"));
    }

    #[test]
    fn unknown_is_unknown() {
        let out = run(
            &STORAGE_AUTOSCALING,
            &db(Field::Unknown(Unknown::AfterApply), Field::Known(500)),
        );
        assert_eq!(out.unknowns(), vec!["aws_db_instance.main"]);
    }
}
