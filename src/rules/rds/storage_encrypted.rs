use crate::declare_rule;
use crate::model::{DbCluster, DbInstance, Field, ResId};
use crate::policy::KmsKeyRequirement;
use crate::rules::rds::holders::{self, Replica};
use crate::rules::{set, Check};

declare_rule! {
    /// ## What it checks
    /// Every DB instance has `storage_encrypted = true` (not set = false, the RDS default).
    /// RDS storage encryption always uses KMS: without `kms_key_id` the AWS-managed
    /// `aws/rds` key. When `database.kms_key` is `customer-managed` (default `any`), the
    /// instance must also name its own key in `kms_key_id` (the `aws/rds` alias fails).
    ///
    /// Aurora: the DB cluster holds storage encryption and its key (`aws_rds_cluster`
    /// `storage_encrypted`, `kms_key_id`; not set = unencrypted, the `CreateDBCluster`
    /// default); its member instances are judged through it. Read replicas are judged as RDS
    /// builds them: a same-region replica takes its source's encryption and key (the finding
    /// says "from its source …"); a cross-region replica is encrypted exactly when it names
    /// a `kms_key_id` of its own region (AWS API reference, `CreateDBInstanceReadReplica`
    /// `KmsKeyId`). See `rules/rds/holders.rs`.
    ///
    /// ## Why
    /// The architecture document: "storage_encrypted = true" and "At Rest: RDS encryption
    /// with AWS KMS". The database holds the trading history, positions and account data;
    /// an unencrypted instance also leaves its snapshots and replicas unencrypted, and RDS
    /// cannot encrypt an existing instance in place.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   engine            = "postgres"
    ///   storage_encrypted = false
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   engine            = "postgres"
    ///   storage_encrypted = true
    ///   kms_key_id        = aws_kms_key.rds.arn
    /// }
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV_AWS_16`; Trivy `AVD-AWS-0080` (rds encrypt-instance-storage-data); AWS
    /// Config `rds-storage-encrypted` (its `kmsKeyId` parameter pins one key).
    pub static RDS_STORAGE_ENCRYPTED = Rule {
        id: "CB-RDS-001",
        name: "rds-storage-encrypted",
        area: Database,
        severity: Critical,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let customer_managed = c.policy.database.kms_key == KmsKeyRequirement::CustomerManaged;
    for db in c.inv.all::<DbInstance>() {
        if holders::standalone(c, &db, Some("storage_encrypted")).is_none() {
            continue;
        }
        let name = format!("DB instance {}", db.identifier.shown());
        let own = || {
            (
                db.storage_encrypted.clone(),
                db.kms_key.clone(),
                String::new(),
            )
        };
        let (encrypted, key, from) = match holders::replica(c.inv, &db) {
            Replica::No => own(),
            Replica::SameRegion(src) => (
                src.storage_encrypted.clone(),
                src.kms_key.clone(),
                format!(", from its source {}", src.address()),
            ),
            // Encrypted exactly when it names a key of its own region (see holders.rs).
            Replica::CrossRegion => {
                let encrypted = match &db.kms_key {
                    Field::Unknown(u) => Field::Unknown(u.clone()),
                    Field::Absent => Field::Known(false),
                    _ => Field::Known(true),
                };
                let from = " (a cross-region read replica's own key)".to_string();
                (encrypted, db.kms_key.clone(), from)
            }
            Replica::Unknown(u) => {
                c.unknown(
                    db.id,
                    Some("replicate_source_db"),
                    "the read replica's source (whose encryption it takes)",
                    &u,
                );
                continue;
            }
        };
        judge(c, db.id, &name, &encrypted, &key, &from, customer_managed);
    }
    for cl in c.inv.all::<DbCluster>() {
        let name = format!("DB cluster {}", cl.identifier.shown());
        let (enc, key) = (cl.storage_encrypted.clone(), cl.kms_key.clone());
        judge(c, cl.id, &name, &enc, &key, "", customer_managed);
    }
}

/// Judges one holder of storage encryption; `from` says where inherited values come from.
fn judge(
    c: &mut Check<'_>,
    id: ResId,
    name: &str,
    encrypted: &Field<bool>,
    key: &Field<String>,
    from: &str,
    customer_managed: bool,
) {
    let Some(on) = c.need_attr(id, "storage_encrypted", encrypted) else {
        return;
    };
    if on != Some(&true) {
        let fact = if from.starts_with(" (a cross-region read replica's") {
            "it names no kms_key_id, and a cross-region read replica is encrypted only with a KMS key of its own region".to_string()
        } else if on.is_none() {
            format!("storage_encrypted is not set{from}; RDS's default is unencrypted")
        } else {
            format!("storage_encrypted is false{from}")
        };
        let holder = if name.starts_with("DB cluster") {
            "cluster"
        } else {
            "instance"
        };
        c.require(
            id,
            Some("storage_encrypted"),
            format!("{name} stores data unencrypted ({fact})"),
            "encryption at rest with KMS",
            format!(
                "{} (an existing {holder} must be restored from an encrypted snapshot copy)",
                set("storage_encrypted", true)
            ),
        );
        return;
    }
    if !customer_managed {
        c.pass(id);
        return;
    }
    let help = "set kms_key_id to a customer-managed KMS key ARN (e.g. aws_kms_key.rds.arn)";
    match c.need(id, Some("kms_key_id"), "the KMS key", key) {
        None => {}
        Some(Some(k)) if k.ends_with("alias/aws/rds") => c.fail(
            id,
            Some("kms_key_id"),
            format!("{name} is encrypted with the AWS-managed aws/rds key{from}; the policy requires a customer-managed KMS key"),
            help,
        ),
        Some(Some(_)) => c.pass(id),
        Some(None) => c.fail(
            id,
            Some("kms_key_id"),
            format!("{name} has no kms_key_id{from}, so RDS uses the AWS-managed aws/rds key; the policy requires a customer-managed KMS key"),
            help,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Inventory, Unknown};
    use crate::policy::Policy;
    use crate::rules::testing::{res, run, run_with};

    fn db(encrypted: Field<bool>, key: Field<&str>) -> Inventory {
        let mut inv = Inventory::new();
        inv.push(res(
            "aws_db_instance.main",
            DbInstance {
                identifier: Field::Known("clever-better-db".into()),
                storage_encrypted: encrypted,
                kms_key: key.map(str::to_string),
                ..Default::default()
            },
        ));
        inv
    }

    fn cmk_policy() -> Policy {
        let mut p = Policy::default_policy();
        p.database.kms_key = KmsKeyRequirement::CustomerManaged;
        p
    }

    #[test]
    fn encrypted_passes_with_any_key() {
        let out = run(
            &RDS_STORAGE_ENCRYPTED,
            &db(Field::Known(true), Field::Absent),
        );
        assert_eq!(out.passes(), vec!["aws_db_instance.main"]);
    }

    #[test]
    fn unencrypted_and_absent_fail() {
        let out = run(
            &RDS_STORAGE_ENCRYPTED,
            &db(Field::Known(false), Field::Absent),
        );
        assert_eq!(out.fails(), vec!["aws_db_instance.main"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("storage_encrypted is false") && msg.contains("requires encryption"),
            "{msg}"
        );
        let out = run(&RDS_STORAGE_ENCRYPTED, &db(Field::Absent, Field::Absent));
        assert!(out.messages()[0].contains("default is unencrypted"));
    }

    #[test]
    fn unknown_is_unknown() {
        let out = run(
            &RDS_STORAGE_ENCRYPTED,
            &db(Field::Unknown(Unknown::AfterApply), Field::Absent),
        );
        assert_eq!(out.unknowns(), vec!["aws_db_instance.main"]);
    }

    #[test]
    fn customer_managed_key_required_when_the_policy_says_so() {
        let p = cmk_policy();
        let out = run_with(
            &RDS_STORAGE_ENCRYPTED,
            &db(Field::Known(true), Field::Absent),
            &p,
        );
        assert_eq!(out.fails(), vec!["aws_db_instance.main"]);
        assert!(out.messages()[0].contains("customer-managed"));
        let aws = "arn:aws:kms:eu-west-1:111122223333:alias/aws/rds";
        assert_eq!(
            run_with(
                &RDS_STORAGE_ENCRYPTED,
                &db(Field::Known(true), Field::Known(aws)),
                &p
            )
            .fails()
            .len(),
            1
        );
        let cmk = "arn:aws:kms:eu-west-1:111122223333:key/1234";
        assert_eq!(
            run_with(
                &RDS_STORAGE_ENCRYPTED,
                &db(Field::Known(true), Field::Known(cmk)),
                &p
            )
            .passes()
            .len(),
            1
        );
        let unknown = db(Field::Known(true), Field::Unknown(Unknown::AfterApply));
        assert_eq!(
            run_with(&RDS_STORAGE_ENCRYPTED, &unknown, &p)
                .unknowns()
                .len(),
            1
        );
    }
}
