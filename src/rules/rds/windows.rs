use crate::declare_rule;
use crate::model::{DbCluster, DbInstance, Field, ResId};
use crate::rules::rds::holders::{self, Membership};
use crate::rules::{set_str, Check};

const DAY: u32 = 24 * 60;
const WEEK: u32 = 7 * DAY;
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

declare_rule! {
    /// ## What it checks
    /// Every DB instance has `backup_window = database.backup_window` (`03:00-04:00`) and
    /// `maintenance_window = database.maintenance_window` (`Mon:04:00-Mon:05:00`), compared
    /// case-insensitively, and the two windows do not overlap (the daily backup window
    /// against the weekly maintenance window, in UTC). Not set: RDS picks a random window,
    /// which fails.
    ///
    /// Aurora: the DB cluster holds the backup window and a maintenance window
    /// (`preferred_backup_window`, `preferred_maintenance_window` of `aws_rds_cluster`);
    /// each member instance has its own maintenance window
    /// (`preferred_maintenance_window` of `aws_rds_cluster_instance`, AWS Aurora User Guide
    /// "Maintaining an Amazon Aurora DB cluster"), judged on the instance.
    ///
    /// ## Why
    /// The architecture document: "backup { window = \"03:00-04:00\" }" and
    /// "maintenance_window = \"Mon:04:00-Mon:05:00\"". The windows are placed where markets
    /// are quiet; a random window can reboot the database mid-trading, and overlapping
    /// windows make RDS reject the change or delay the backup.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   backup_window      = "03:30-04:30"
    ///   maintenance_window = "Mon:04:00-Mon:05:00"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   backup_window      = "03:00-04:00"
    ///   maintenance_window = "Mon:04:00-Mon:05:00"
    /// }
    /// ```
    ///
    /// ## Live accounts
    /// Read with `rds:DescribeDBInstances` (`PreferredBackupWindow`,
    /// `PreferredMaintenanceWindow`). moto 5.2.5 refuses to create an instance whose
    /// maintenance window starts when the backup window ends (the documented pair), which AWS
    /// accepts (and reports with lower-case days, `mon:04:00-mon:05:00`): the live tests
    /// check this rule with the SDK's replay client and RDS-shaped answers instead.
    ///
    /// ## Peers
    /// AWS Config `db-instance-backup-enabled` (its `preferredBackupWindow` parameter checks
    /// the backup window only); no Checkov or Trivy equivalent.
    pub static RDS_WINDOWS = Rule {
        id: "CB-RDS-004",
        name: "rds-windows",
        area: Database,
        severity: Low,
        scope: Architecture,
        check: check,
    };
}

/// `hh:mm` → minutes after midnight.
fn clock(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// `hh:mm-hh:mm` → (start, end) minutes after midnight.
fn daily(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('-')?;
    Some((clock(a)?, clock(b)?))
}

/// `ddd:hh:mm-ddd:hh:mm` → (start, end) minutes after Monday 00:00.
fn weekly(s: &str) -> Option<(u32, u32)> {
    let point = |p: &str| -> Option<u32> {
        let (day, time) = p.trim().split_once(':')?;
        let d = DAYS.iter().position(|d| d.eq_ignore_ascii_case(day))? as u32;
        Some(d * DAY + clock(time)?)
    };
    let (a, b) = s.split_once('-')?;
    Some((point(a)?, point(b)?))
}

/// Whether two half-open intervals `[start, end)` on a circle of `period` minutes overlap
/// (`end <= start` wraps around).
fn overlaps(a: (u32, u32), b: (u32, u32), period: u32) -> bool {
    let p = i64::from(period);
    let norm = |(s, e): (u32, u32)| {
        let (s, e) = (i64::from(s) % p, i64::from(e) % p);
        (s, if e <= s { e + p } else { e })
    };
    let ((a0, a1), (b0, b1)) = (norm(a), norm(b));
    (-1..=1).any(|k| a0.max(b0 + k * p) < a1.min(b1 + k * p))
}

/// Whether the daily backup window overlaps the weekly maintenance window.
fn windows_overlap(backup: (u32, u32), maintenance: (u32, u32)) -> bool {
    let (start, mut end) = backup;
    if end <= start {
        end += DAY; // crosses midnight
    }
    (0..7).any(|d| overlaps((start + d * DAY, end + d * DAY), maintenance, WEEK))
}

fn check(c: &mut Check<'_>) {
    for db in c.inv.all::<DbInstance>() {
        let name = format!("DB instance {}", db.identifier.shown());
        match holders::membership(c.inv, &db) {
            Membership::Standalone => judge(
                c,
                db.id,
                &name,
                Some(&db.backup_window),
                &db.maintenance_window,
            ),
            // A member has its own maintenance window; the backup window is the cluster's.
            Membership::Member(_) => judge(c, db.id, &name, None, &db.maintenance_window),
            Membership::Unknown(u) => {
                judge(c, db.id, &name, None, &db.maintenance_window);
                let what = format!("the DB cluster holding {}'s backup_window", db.address());
                c.unknown(db.id, Some("cluster_identifier"), &what, &u);
            }
        }
    }
    for cl in c.inv.all::<DbCluster>() {
        let name = format!("DB cluster {}", cl.identifier.shown());
        judge(
            c,
            cl.id,
            &name,
            Some(&cl.backup_window),
            &cl.maintenance_window,
        );
    }
}

/// Judges one holder's windows (`backup` is `None` for a cluster member, whose backup
/// window is its cluster's).
fn judge(
    c: &mut Check<'_>,
    id: ResId,
    name: &str,
    backup: Option<&Field<String>>,
    maintenance: &Field<String>,
) {
    let dbp = &c.policy.database;
    let (want_backup, want_maint) = (dbp.backup_window.clone(), dbp.maintenance_window.clone());
    let aspects = [
        backup.map(|b| ("backup_window", b, &want_backup)),
        Some(("maintenance_window", maintenance, &want_maint)),
    ];
    for (attr, field, want) in aspects.into_iter().flatten() {
        let fact = match c.need_attr(id, attr, field) {
            None => continue,
            Some(Some(w)) if w.trim().eq_ignore_ascii_case(want) => {
                c.pass(id);
                continue;
            }
            Some(None) => format!("{name} has no {attr} (RDS picks a random window)"),
            Some(Some(_)) => format!("{name}'s {attr} is {}", field.shown()),
        };
        c.require(id, Some(attr), fact, want, set_str(attr, want));
    }
    let (Some(b), Some(m)) = (backup.and_then(Field::get), maintenance.get()) else {
        return;
    };
    let both_windows = format!(
        "{} and maintenance_window = \"{want_maint}\"",
        set_str("backup_window", &want_backup)
    );
    let (Some(bw), Some(mw)) = (daily(b), weekly(m)) else {
        c.require(
            id,
            Some("backup_window"),
            format!("{name}'s windows are not in the hh:mm-hh:mm / ddd:hh:mm-ddd:hh:mm format"),
            format!("{want_backup} and {want_maint}"),
            both_windows,
        );
        return;
    };
    if windows_overlap(bw, mw) {
        c.require(
            id,
            Some("backup_window"),
            format!(
                "{name}'s backup window {} overlaps its maintenance window {}",
                backup.map_or(String::new(), |f| f.shown().to_string()),
                maintenance.shown(),
            ),
            format!("non-overlapping windows ({want_backup}, {want_maint})"),
            both_windows,
        );
    } else {
        c.pass(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Inventory, Unknown};
    use crate::rules::testing::{res, run};

    fn db(backup: Field<&str>, maintenance: Field<&str>) -> Inventory {
        let mut inv = Inventory::new();
        inv.push(res(
            "aws_db_instance.main",
            DbInstance {
                identifier: Field::Known("clever-better-db".into()),
                backup_window: backup.map(str::to_string),
                maintenance_window: maintenance.map(str::to_string),
                ..Default::default()
            },
        ));
        inv
    }

    #[test]
    fn documented_windows_pass_case_insensitively() {
        let out = run(
            &RDS_WINDOWS,
            &db(
                Field::Known("03:00-04:00"),
                Field::Known("mon:04:00-mon:05:00"),
            ),
        );
        assert_eq!(out.passes(), vec!["aws_db_instance.main"]);
        assert!(out.fails().is_empty());
    }

    #[test]
    fn other_and_overlapping_windows_fail() {
        let out = run(
            &RDS_WINDOWS,
            &db(
                Field::Known("03:30-04:30"),
                Field::Known("Mon:04:00-Mon:05:00"),
            ),
        );
        assert_eq!(out.fails(), vec!["aws_db_instance.main"]);
        let msgs = out.messages();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(
            msgs[0].contains("03:30-04:30") && msgs[0].contains("requires 03:00-04:00"),
            "{}",
            msgs[0]
        );
        assert!(msgs[1].contains("overlaps"), "{}", msgs[1]);
        let out = run(
            &RDS_WINDOWS,
            &db(
                Field::Known("03:00-04:00"),
                Field::Known("Sun:04:00-Sun:05:00"),
            ),
        );
        assert_eq!(out.messages().len(), 1);
    }

    #[test]
    fn absent_windows_fail_as_random() {
        let out = run(&RDS_WINDOWS, &db(Field::Absent, Field::Absent));
        assert_eq!(out.messages().len(), 2);
        assert!(out.messages()[0].contains("random window"));
    }

    #[test]
    fn unknown_is_unknown() {
        let out = run(
            &RDS_WINDOWS,
            &db(
                Field::Unknown(Unknown::AfterApply),
                Field::Known("Mon:04:00-Mon:05:00"),
            ),
        );
        assert_eq!(out.unknowns(), vec!["aws_db_instance.main"]);
    }

    #[test]
    fn overlap_handles_midnight_and_week_wrap() {
        assert!(!windows_overlap(
            daily("03:00-04:00").unwrap(),
            weekly("Mon:04:00-Mon:05:00").unwrap()
        ));
        assert!(windows_overlap(
            daily("23:30-00:30").unwrap(),
            weekly("Tue:00:00-Tue:00:30").unwrap()
        ));
        assert!(windows_overlap(
            daily("23:30-00:30").unwrap(),
            weekly("Sun:23:45-Mon:00:15").unwrap()
        ));
        assert!(windows_overlap(
            daily("01:00-02:00").unwrap(),
            weekly("Sun:23:00-Mon:01:30").unwrap()
        ));
        assert!(!windows_overlap(
            daily("05:00-06:00").unwrap(),
            weekly("Sun:23:00-Mon:01:30").unwrap()
        ));
        assert_eq!(weekly("Funday:04:00-Mon:05:00"), None);
        assert_eq!(daily("25:00-26:00"), None);
    }
}
