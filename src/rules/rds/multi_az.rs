use crate::declare_rule;
use std::collections::BTreeSet;

use crate::model::{DbCluster, DbInstance, Unknown, View};
use crate::rules::rds::holders;
use crate::rules::{set, Check};

declare_rule! {
    /// ## What it checks
    /// Every DB instance has `multi_az = true` (not set = false, the RDS default).
    ///
    /// Aurora: a cluster has no `multi_az`; its high availability is instances in two
    /// availability zones (AWS Aurora User Guide, "Amazon Aurora DB clusters": "Maintain
    /// high availability by locating Aurora Replicas in separate Availability Zones"). A DB cluster passes when its member instances
    /// run in at least two AZs, fails with fewer than two instances or all in one AZ, and is
    /// unknown when RDS chooses a member's zone (no `availability_zone`). Members are
    /// judged through their cluster. A read replica is judged on its own `multi_az`.
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
    pub static RDS_MULTI_AZ = Rule {
        id: "CB-RDS-002",
        name: "rds-multi-az",
        area: Database,
        severity: High,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    for db in c.inv.all::<DbInstance>() {
        if holders::standalone(c, &db, Some("multi_az")).is_none() {
            continue;
        }
        let Some(on) = c.need_attr(db.id, "multi_az", &db.multi_az) else {
            continue;
        };
        if on == Some(&true) {
            c.pass(db.id);
            continue;
        }
        // Not `setting()`: a sensitive `false` reads "multi_az is false" here too.
        let fact = match on {
            None => "multi_az is not set (RDS's default is single-AZ)",
            Some(_) => "multi_az is false",
        };
        c.require(
            db.id,
            Some("multi_az"),
            format!(
                "DB instance {} runs in a single availability zone ({fact})",
                db.identifier.shown()
            ),
            "a Multi-AZ standby",
            set("multi_az", true),
        );
    }
    for cl in c.inv.all::<DbCluster>() {
        cluster(c, &cl);
    }
}

const TWO_AZS: &str = "instances in two AZs";

/// A cluster is highly available when its instances run in at least two AZs.
fn cluster(c: &mut Check<'_>, cl: &View<'_, DbCluster>) {
    let name = cl.identifier.shown();
    let members = holders::members(c.inv, cl.id);
    let mut zones = BTreeSet::new();
    let mut unknown = Vec::new();
    for m in &members {
        match m.availability_zone.get() {
            Some(z) => {
                zones.insert(z.to_ascii_lowercase());
            }
            None => unknown.push(m.address().to_string()),
        }
    }
    let help = "run at least two aws_rds_cluster_instance members with availability_zone in different AZs (data-a and data-b)";
    if zones.len() >= 2 {
        return c.pass(cl.id);
    }
    if members.len() < 2 {
        let have = match members.len() {
            0 => "no instance in the inputs".to_string(),
            _ => format!("one instance ({})", members[0].address()),
        };
        return c.require(
            cl.id,
            None,
            format!("DB cluster {name} has {have}, so it has no failover target in another availability zone"),
            TWO_AZS,
            help,
        );
    }
    if unknown.is_empty() {
        let zone = zones.iter().next().map_or("", String::as_str);
        let fact = format!(
            "DB cluster {name}'s {} instances all run in {zone}",
            members.len()
        );
        return c.require(cl.id, None, fact, TWO_AZS, help);
    }
    let why = Unknown::NotInInputs(format!(
        "RDS chooses the zone of {} (no availability_zone)",
        unknown.join(", ")
    ));
    c.unknown(
        cl.id,
        None,
        "the availability zones of the cluster's instances",
        &why,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Inventory};
    use crate::rules::testing::{res, run};

    fn db(multi_az: Field<bool>) -> Inventory {
        let mut inv = Inventory::new();
        inv.push(res(
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
            run(&RDS_MULTI_AZ, &db(Field::Known(true))).passes(),
            vec!["aws_db_instance.main"]
        );
    }

    #[test]
    fn single_az_fails_and_absent_is_single_az() {
        let out = run(&RDS_MULTI_AZ, &db(Field::Known(false)));
        assert_eq!(out.fails(), vec!["aws_db_instance.main"]);
        assert!(
            out.messages()[0].contains("multi_az is false")
                && out.messages()[0].contains("requires a Multi-AZ")
        );
        let out = run(&RDS_MULTI_AZ, &db(Field::Absent));
        assert!(out.messages()[0].contains("default is single-AZ"));
    }

    #[test]
    fn unknown_is_unknown() {
        assert_eq!(
            run(&RDS_MULTI_AZ, &db(Field::Unknown(Unknown::AfterApply))).unknowns(),
            vec!["aws_db_instance.main"]
        );
    }
}
