use crate::declare_rule;
use crate::model::{DbInstance, Field};
use crate::policy::KmsKeyRequirement;
use crate::rules::{Check, ALL_SOURCES};

declare_rule! {
    /// ## What it checks
    /// Every DB instance has `storage_encrypted = true` (not set = false, the RDS default).
    /// RDS storage encryption always uses KMS: without `kms_key_id` the AWS-managed
    /// `aws/rds` key. When `database.kms_key` is `customer-managed` (default `any`), the
    /// instance must also name its own key in `kms_key_id` (the `aws/rds` alias fails).
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
    pub static STORAGE_ENCRYPTED = Rule {
        id: "CB-RDS-001",
        name: "rds-storage-encrypted",
        area: Database,
        severity: Critical,
        scope: Architecture,
        sources: ALL_SOURCES,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let customer_managed = c.policy.database.kms_key == KmsKeyRequirement::CustomerManaged;
    for db in c.inv.all::<DbInstance>() {
        let name = db.identifier.shown();
        match &db.storage_encrypted {
            Field::Known(true) | Field::Sensitive(true) => {}
            Field::Unknown(u) => {
                c.unknown(db.id, Some("storage_encrypted"), "storage_encrypted", u);
                continue;
            }
            other => {
                let fact = if other.is_absent() {
                    "storage_encrypted is not set (RDS's default is unencrypted)"
                } else {
                    "storage_encrypted is false"
                };
                c.fail(
                    db.id,
                    Some("storage_encrypted"),
                    format!("DB instance {name} stores data unencrypted ({fact}); the architecture requires encryption at rest with KMS"),
                    "set storage_encrypted = true (an existing instance must be restored from an encrypted snapshot copy)",
                );
                continue;
            }
        }
        if !customer_managed {
            c.pass(db.id);
            continue;
        }
        let help = "set kms_key_id to a customer-managed KMS key ARN (e.g. aws_kms_key.rds.arn)";
        match &db.kms_key {
            Field::Known(k) | Field::Sensitive(k) if k.ends_with("alias/aws/rds") => c.fail(
                db.id,
                Some("kms_key_id"),
                format!("DB instance {name} is encrypted with the AWS-managed aws/rds key; the policy requires a customer-managed KMS key"),
                help,
            ),
            Field::Known(_) | Field::Sensitive(_) => c.pass(db.id),
            Field::Unknown(u) => c.unknown(db.id, Some("kms_key_id"), "the KMS key", u),
            Field::Absent => c.fail(
                db.id,
                Some("kms_key_id"),
                format!("DB instance {name} has no kms_key_id, so RDS uses the AWS-managed aws/rds key; the policy requires a customer-managed KMS key"),
                help,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Inventory, Resource, Unknown};
    use crate::policy::Policy;
    use crate::rules::testing::{run, run_with};

    fn db(encrypted: Field<bool>, key: Field<&str>) -> Inventory {
        let mut inv = Inventory::new();
        inv.push(Resource::new(
            "aws_db_instance",
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
        let out = run(&STORAGE_ENCRYPTED, &db(Field::Known(true), Field::Absent));
        assert_eq!(out.passes(), vec!["aws_db_instance.main"]);
    }

    #[test]
    fn unencrypted_and_absent_fail() {
        let out = run(&STORAGE_ENCRYPTED, &db(Field::Known(false), Field::Absent));
        assert_eq!(out.fails(), vec!["aws_db_instance.main"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("storage_encrypted is false") && msg.contains("requires encryption"),
            "{msg}"
        );
        let out = run(&STORAGE_ENCRYPTED, &db(Field::Absent, Field::Absent));
        assert!(out.messages()[0].contains("default is unencrypted"));
    }

    #[test]
    fn unknown_is_unknown() {
        let out = run(
            &STORAGE_ENCRYPTED,
            &db(Field::Unknown(Unknown::AfterApply), Field::Absent),
        );
        assert_eq!(out.unknowns(), vec!["aws_db_instance.main"]);
    }

    #[test]
    fn customer_managed_key_required_when_the_policy_says_so() {
        let p = cmk_policy();
        let out = run_with(
            &STORAGE_ENCRYPTED,
            &db(Field::Known(true), Field::Absent),
            &p,
        );
        assert_eq!(out.fails(), vec!["aws_db_instance.main"]);
        assert!(out.messages()[0].contains("customer-managed"));
        let aws = "arn:aws:kms:eu-west-1:111122223333:alias/aws/rds";
        assert_eq!(
            run_with(
                &STORAGE_ENCRYPTED,
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
                &STORAGE_ENCRYPTED,
                &db(Field::Known(true), Field::Known(cmk)),
                &p
            )
            .passes()
            .len(),
            1
        );
        let unknown = db(Field::Known(true), Field::Unknown(Unknown::AfterApply));
        assert_eq!(
            run_with(&STORAGE_ENCRYPTED, &unknown, &p).unknowns().len(),
            1
        );
    }
}
