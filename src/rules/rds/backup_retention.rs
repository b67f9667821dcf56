use crate::declare_rule;
use crate::model::{DbCluster, DbInstance, Field, ResId};
use crate::rules::rds::holders;
use crate::rules::{set, Check};

/// The retention RDS applies when `BackupRetentionPeriod` is not given (CreateDBInstance).
const AWS_DEFAULT_DAYS: i64 = 1;

declare_rule! {
    /// ## What it checks
    /// Every DB instance keeps automated backups for at least
    /// `database.min_backup_retention_days` (30) days (`backup_retention_period`; not set =
    /// 1 day, the RDS API default; 0 disables automated backups).
    ///
    /// Aurora: the DB cluster holds the retention (`aws_rds_cluster`
    /// `backup_retention_period`; not set = 1 day: RDS API Reference, `CreateDBCluster`
    /// `BackupRetentionPeriod`, "Default: 1"); its member instances
    /// are judged through it. A read replica keeps its own automated backups (RDS does not
    /// copy the source's retention), so it is judged on its own value.
    ///
    /// ## Why
    /// The architecture document: "backup { retention_period = 30 }" and the Backup
    /// Strategy "RDS: Automated daily backups + continuous WAL archiving", which the
    /// database's RPO of 5 minutes relies on (point-in-time recovery only reaches back as
    /// far as the retention period).
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   backup_retention_period = 7
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   backup_retention_period = 30
    /// }
    /// ```
    ///
    /// ## Peers
    /// AWS Config `db-instance-backup-enabled` (with `backupRetentionMinimum = 30`); Trivy
    /// `AVD-AWS-0077` (rds specify-backup-retention) and Checkov `CKV_AWS_133` only require
    /// more than the default.
    pub static RDS_BACKUP_RETENTION = Rule {
        id: "CB-RDS-003",
        name: "rds-backup-retention",
        area: Database,
        severity: High,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    for db in c.inv.all::<DbInstance>() {
        if holders::standalone(c, &db, Some("backup_retention_period")).is_none() {
            continue;
        }
        let name = format!("DB instance {}", db.identifier.shown());
        let replica = !db.replicate_source.is_absent();
        judge(c, db.id, &name, &db.backup_retention_period, replica);
    }
    for cl in c.inv.all::<DbCluster>() {
        let name = format!("DB cluster {}", cl.identifier.shown());
        judge(c, cl.id, &name, &cl.backup_retention_period, false);
    }
}

fn judge(c: &mut Check<'_>, id: ResId, name: &str, days: &Field<i64>, replica: bool) {
    let min = c.policy.database.min_backup_retention_days;
    let attr = "backup_retention_period";
    let Some(value) = c.need_attr(id, attr, days) else {
        return;
    };
    let fact = match value {
        Some(d) if *d >= min => return c.pass(id),
        Some(0) => "automated backups are disabled (backup_retention_period = 0)".to_string(),
        Some(_) => format!("backup retention is {} days", days.shown()),
        None if replica => {
            "backup retention is not set on the read replica (its backups are its own, not its source's)".to_string()
        }
        None => format!("backup retention is not set (RDS's default is {AWS_DEFAULT_DAYS} day)"),
    };
    let requirement = format!("at least {min} days");
    c.require(
        id,
        Some(attr),
        format!("{name}: {fact}"),
        requirement,
        set(attr, min),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Inventory, Unknown};
    use crate::rules::testing::{res, run};

    fn db(days: Field<i64>) -> Inventory {
        let mut inv = Inventory::new();
        inv.push(res(
            "aws_db_instance.main",
            DbInstance {
                backup_retention_period: days,
                ..Default::default()
            },
        ));
        inv
    }

    #[test]
    fn thirty_days_or_more_pass() {
        assert_eq!(
            run(&RDS_BACKUP_RETENTION, &db(Field::Known(30)))
                .passes()
                .len(),
            1
        );
        assert_eq!(
            run(&RDS_BACKUP_RETENTION, &db(Field::Known(35)))
                .passes()
                .len(),
            1
        );
    }

    #[test]
    fn shorter_retention_fails_with_both_numbers() {
        let out = run(&RDS_BACKUP_RETENTION, &db(Field::Known(7)));
        assert_eq!(out.fails(), vec!["aws_db_instance.main"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("is 7 days") && msg.contains("at least 30 days"),
            "{msg}"
        );
        assert!(
            run(&RDS_BACKUP_RETENTION, &db(Field::Known(0))).messages()[0].contains("disabled")
        );
    }

    #[test]
    fn absent_is_the_one_day_default() {
        let out = run(&RDS_BACKUP_RETENTION, &db(Field::Absent));
        assert_eq!(out.fails().len(), 1);
        assert!(out.messages()[0].contains("default is 1 day"));
    }

    #[test]
    fn unknown_is_unknown() {
        assert_eq!(
            run(
                &RDS_BACKUP_RETENTION,
                &db(Field::Unknown(Unknown::AfterApply))
            )
            .unknowns()
            .len(),
            1
        );
    }
}
