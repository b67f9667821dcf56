use crate::declare_rule;
use crate::model::DbInstance;
use crate::rules::{set_str, Check};

declare_rule! {
    /// ## What it checks
    /// Every DB instance's `instance_class` is `database.instance_class` (`db.r6g.large`),
    /// compared case-insensitively. Informational: a different class is a sizing and cost
    /// decision to record, not a security issue.
    ///
    /// ## Why
    /// The architecture document: "instance_class = \"db.r6g.large\"", the size the
    /// TimescaleDB tuning (shared_buffers 4GB, effective_cache_size 12GB of its 16 GiB) and
    /// the cost estimate ("RDS | db.r6g.large Multi-AZ | $350") are computed for.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   instance_class = "db.t4g.medium"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   instance_class = "db.r6g.large"
    /// }
    /// ```
    ///
    /// ## Peers
    /// None (AWS Config `desired-instance-type` covers EC2 instances, not RDS).
    pub static RDS_INSTANCE_CLASS = Rule {
        id: "CB-RDS-008",
        name: "rds-instance-class",
        area: Database,
        severity: Info,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let want = &c.policy.database.instance_class;
    for db in c.inv.all::<DbInstance>() {
        let name = db.identifier.shown();
        let attr = "instance_class";
        let (fact, help) = match c.need_attr(db.id, attr, &db.instance_class) {
            None => continue,
            Some(Some(class)) if class.eq_ignore_ascii_case(want) => {
                c.pass(db.id);
                continue;
            }
            Some(None) => (
                format!("DB instance {name} has no instance_class"),
                set_str(attr, want),
            ),
            Some(Some(_)) => (
                format!("DB instance {name} is a {}", db.instance_class.shown()),
                format!(
                    "{} (or update the policy if the change is intended)",
                    set_str(attr, want)
                ),
            ),
        };
        c.fail(
            db.id,
            Some(attr),
            format!("{fact}; the architecture documents {want}"),
            help,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Inventory, Unknown};
    use crate::rules::testing::{res, run};
    use crate::rules::Severity;

    fn db(class: Field<&str>) -> Inventory {
        let mut inv = Inventory::new();
        inv.push(res(
            "aws_db_instance.main",
            DbInstance {
                instance_class: class.map(str::to_string),
                ..Default::default()
            },
        ));
        inv
    }

    #[test]
    fn documented_class_passes_case_insensitively() {
        assert_eq!(
            run(&RDS_INSTANCE_CLASS, &db(Field::Known("DB.R6G.LARGE")))
                .passes()
                .len(),
            1
        );
    }

    #[test]
    fn other_class_fails_as_info() {
        let out = run(&RDS_INSTANCE_CLASS, &db(Field::Known("db.r5.large")));
        assert_eq!(out.fails(), vec!["aws_db_instance.main"]);
        assert!(
            out.messages()[0].contains("db.r5.large") && out.messages()[0].contains("db.r6g.large")
        );
        assert_eq!(out.outcomes[0].severity, Severity::Info);
        assert_eq!(
            run(&RDS_INSTANCE_CLASS, &db(Field::Absent)).fails().len(),
            1
        );
    }

    #[test]
    fn unknown_is_unknown() {
        assert_eq!(
            run(
                &RDS_INSTANCE_CLASS,
                &db(Field::Unknown(Unknown::AfterApply))
            )
            .unknowns()
            .len(),
            1
        );
    }
}
