use crate::declare_rule;
use crate::model::{DbInstance, Field};
use crate::rules::{Check, ALL_SOURCES};

declare_rule! {
    /// ## What it checks
    /// Every DB instance has `multi_az = true` (not set = false, the RDS default).
    ///
    /// ## Why
    /// The architecture document: "multi_az = true", with "RDS Primary (AZ-a)" and "RDS
    /// Standby (AZ-b)" in the data subnets and "Database Failover: Automatic Multi-AZ
    /// failover" behind the database's 15-minute RTO. A single-AZ instance is down for the
    /// whole of an AZ outage or a host replacement.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   multi_az = false
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   multi_az = true
    /// }
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV_AWS_157`; AWS Config `rds-multi-az-support`; no Trivy equivalent.
    pub static MULTI_AZ = Rule {
        id: "CB-RDS-002",
        name: "rds-multi-az",
        area: Database,
        severity: High,
        scope: Architecture,
        sources: ALL_SOURCES,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    for db in c.inv.all::<DbInstance>() {
        match &db.multi_az {
            Field::Known(true) | Field::Sensitive(true) => c.pass(db.id),
            Field::Unknown(u) => c.unknown(db.id, Some("multi_az"), "multi_az", u),
            other => {
                let fact = if other.is_absent() {
                    "multi_az is not set (RDS's default is single-AZ)"
                } else {
                    "multi_az is false"
                };
                c.fail(
                    db.id,
                    Some("multi_az"),
                    format!(
                        "DB instance {} runs in a single availability zone ({fact}); the architecture requires a Multi-AZ standby",
                        db.identifier.shown()
                    ),
                    "set multi_az = true",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Inventory, Resource, Unknown};
    use crate::rules::testing::run;

    fn db(multi_az: Field<bool>) -> Inventory {
        let mut inv = Inventory::new();
        inv.push(Resource::new(
            "aws_db_instance",
            "aws_db_instance.main",
            DbInstance {
                multi_az,
                ..Default::default()
            },
        ));
        inv
    }

    #[test]
    fn multi_az_passes() {
        assert_eq!(
            run(&MULTI_AZ, &db(Field::Known(true))).passes(),
            vec!["aws_db_instance.main"]
        );
    }

    #[test]
    fn single_az_fails_and_absent_is_single_az() {
        let out = run(&MULTI_AZ, &db(Field::Known(false)));
        assert_eq!(out.fails(), vec!["aws_db_instance.main"]);
        assert!(
            out.messages()[0].contains("multi_az is false")
                && out.messages()[0].contains("requires a Multi-AZ")
        );
        let out = run(&MULTI_AZ, &db(Field::Absent));
        assert!(out.messages()[0].contains("default is single-AZ"));
    }

    #[test]
    fn unknown_is_unknown() {
        assert_eq!(
            run(&MULTI_AZ, &db(Field::Unknown(Unknown::AfterApply))).unknowns(),
            vec!["aws_db_instance.main"]
        );
    }
}
