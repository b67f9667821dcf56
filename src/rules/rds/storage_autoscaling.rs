use crate::declare_rule;
use crate::model::{DbCluster, DbInstance, Field, Resolution, Unknown};
use crate::rules::rds::holders;
use crate::rules::{set, Check};

declare_rule! {
    /// ## What it checks
    /// Every DB instance has `allocated_storage = database.allocated_storage` (100 GB) and
    /// `max_allocated_storage = database.max_allocated_storage` (500 GB). Not set
    /// `max_allocated_storage` means storage autoscaling is off: a failure.
    ///
    /// A read replica is created with its source's allocated storage (judged from the
    /// source, "from its source …"); its `max_allocated_storage` is its own. Aurora: not
    /// applicable. An Aurora cluster volume has no allocated size or ceiling and grows
    /// automatically (AWS Aurora User Guide, "Amazon Aurora storage": "How Aurora storage
    /// automatically resizes"), so each DB cluster is reported unknown with that reason,
    /// never a pass; its member instances are judged through it.
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
    pub static RDS_STORAGE_AUTOSCALING = Rule {
        id: "CB-RDS-006",
        name: "rds-storage-autoscaling",
        area: Database,
        severity: Medium,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let db_policy = &c.policy.database;
    let (alloc, max) = (db_policy.allocated_storage, db_policy.max_allocated_storage);
    for db in c.inv.all::<DbInstance>() {
        if holders::standalone(c, &db, Some("allocated_storage")).is_none() {
            continue;
        }
        let name = db.identifier.shown().to_string();
        // A read replica is created with its source's storage.
        let mut allocated = (db.allocated_storage.clone(), String::new());
        if db.allocated_storage.is_absent() && !db.replicate_source.is_absent() {
            allocated = match c.inv.resolve::<DbInstance>(&db.replicate_source) {
                Resolution::Known { found, .. } if !found.is_empty() => (
                    found[0].allocated_storage.clone(),
                    holders::from_source(&found[0]),
                ),
                Resolution::Unknown(u) => (Field::Unknown(u), String::new()),
                _ => (
                    Field::Unknown(Unknown::NotInInputs(
                        "the read replica's source, whose storage it takes".into(),
                    )),
                    String::new(),
                ),
            };
        }
        let aspects = [
            (
                "allocated_storage",
                &allocated.0,
                alloc,
                "allocated storage is not set",
                allocated.1.as_str(),
            ),
            (
                "max_allocated_storage",
                &db.max_allocated_storage,
                max,
                "max_allocated_storage is not set (storage autoscaling is off)",
                "",
            ),
        ];
        for (attr, field, want, unset, from) in aspects {
            let fact = match c.need_attr(db.id, attr, field) {
                None => continue,
                Some(Some(v)) if *v == want => {
                    c.pass(db.id);
                    continue;
                }
                Some(None) => format!("{unset}{from}"),
                Some(Some(_)) => format!("{attr} is {} GB{from}", field.shown()),
            };
            let requirement = format!("{alloc} GB allocated, autoscaling up to {max} GB");
            let fact = format!("DB instance {name}: {fact}");
            c.require(db.id, Some(attr), fact, requirement, set(attr, want));
        }
    }
    for cl in c.inv.all::<DbCluster>() {
        c.unknown_because(
            cl.id,
            None,
            format!(
                "not applicable to DB cluster {}: Aurora storage has no allocated_storage or max_allocated_storage (the cluster volume grows automatically, AWS Aurora User Guide \"How Aurora storage automatically resizes\"), so the documented {alloc} GB allocated / {max} GB ceiling cannot be checked",
                cl.identifier.shown()
            ),
            Some("nothing to set on the cluster; disable CB-RDS-006 in the policy if the database is meant to be Aurora".into()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Inventory, Unknown};
    use crate::rules::testing::{res, run};

    fn db(alloc: Field<i64>, max: Field<i64>) -> Inventory {
        let mut inv = Inventory::new();
        inv.push(res(
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
            &RDS_STORAGE_AUTOSCALING,
            &db(Field::Known(100), Field::Known(500)),
        );
        assert_eq!(out.passes(), vec!["aws_db_instance.main"]);
        assert!(out.fails().is_empty());
    }

    #[test]
    fn other_sizes_fail_with_both_values() {
        let out = run(
            &RDS_STORAGE_AUTOSCALING,
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
        let out = run(
            &RDS_STORAGE_AUTOSCALING,
            &db(Field::Known(100), Field::Absent),
        );
        assert!(out.messages()[0].contains("autoscaling is off"));
    }

    #[test]
    fn unknown_is_unknown() {
        let out = run(
            &RDS_STORAGE_AUTOSCALING,
            &db(Field::Unknown(Unknown::AfterApply), Field::Known(500)),
        );
        assert_eq!(out.unknowns(), vec!["aws_db_instance.main"]);
    }
}
