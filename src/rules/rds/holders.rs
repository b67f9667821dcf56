//! Who holds each database guarantee (shared by the CB-RDS rules, CB-TLS-003 and CB-SG-004).
//!
//! - A standalone DB instance holds all of its own.
//! - In an Aurora cluster the cluster (`DbCluster`) holds storage encryption and its KMS
//!   key, backups and the backup window, the subnet group, the security groups and the
//!   cluster parameter group; each member instance (`DbInstance::cluster`) holds its class,
//!   public accessibility, availability zone and maintenance window. AWS documents the
//!   split in the `CreateDBCluster` / `CreateDBInstance` API references (for an Aurora
//!   instance, `StorageEncrypted`, `BackupRetentionPeriod`, `PreferredBackupWindow`,
//!   `DBSubnetGroupName` are "managed by the DB cluster").
//! - A read replica (`DbInstance::replicate_source`) is built by RDS from its source. In the
//!   same region it is "always encrypted with the same KMS key as the source", takes the
//!   source's DB parameter group when it names none, and lives in the source's subnet group
//!   (it may not name one: `DBSubnetGroupNotAllowedFault`). Across regions it is encrypted
//!   exactly when it names a KMS key of its own region ("you can't create an encrypted read
//!   replica from an unencrypted DB instance"; an encrypted source requires one), and it
//!   uses the engine's default parameter group when it names none (AWS API reference,
//!   `CreateDBInstanceReadReplica`: `KmsKeyId`, `DBParameterGroupName`). A replica's
//!   allocated storage is the source's.

use crate::model::{DbCluster, DbInstance, Inventory, Refs, ResId, Resolution, Unknown, View};

/// Where a DB instance stands with respect to a cluster.
pub enum Membership<'a> {
    /// Not a cluster member: it holds its own storage, backups and groups.
    Standalone,
    /// A member of this cluster of the inputs, which holds the cluster-level guarantees.
    Member(View<'a, DbCluster>),
    /// A member of a cluster that cannot be read (not in the inputs, or unknown).
    Unknown(Unknown),
}

/// The cluster `db` belongs to.
pub fn membership<'a>(inv: &'a Inventory, db: &DbInstance) -> Membership<'a> {
    if db.cluster.is_absent() {
        return Membership::Standalone;
    }
    match inv.resolve::<DbCluster>(&db.cluster) {
        Resolution::Absent => Membership::Standalone,
        Resolution::Unknown(u) => Membership::Unknown(u),
        Resolution::Known { found, external } => {
            match (found.into_iter().next(), external.first()) {
                (Some(c), _) => Membership::Member(c),
                (None, Some(ext)) => {
                    Membership::Unknown(Unknown::NotInInputs(format!("DB cluster {ext}")))
                }
                (None, None) => Membership::Standalone,
            }
        }
    }
}

/// What a rule judging a cluster-level guarantee does with an instance: `Some(())` to
/// judge the instance itself (standalone); `None` when the cluster holds the guarantee
/// (a member, judged through its cluster) or after reporting the cluster unknown.
pub fn standalone(
    c: &mut crate::rules::Check<'_>,
    db: &View<'_, DbInstance>,
    attr: Option<&str>,
) -> Option<()> {
    match membership(c.inv, db) {
        Membership::Standalone => Some(()),
        Membership::Member(_) => None,
        Membership::Unknown(u) => {
            let what = format!("the DB cluster holding {}'s {}", db.address(), held(attr));
            c.unknown(db.id, Some("cluster_identifier"), &what, &u);
            None
        }
    }
}

fn held(attr: Option<&str>) -> &str {
    attr.unwrap_or("settings")
}

/// The member instances of `cluster` in the inputs.
pub fn members<'a>(inv: &'a Inventory, cluster: ResId) -> Vec<View<'a, DbInstance>> {
    inv.all::<DbInstance>()
        .filter(|db| matches!(membership(inv, db), Membership::Member(c) if c.id == cluster))
        .collect()
}

/// How RDS builds a DB instance with respect to a replication source.
pub enum Replica<'a> {
    /// Not a read replica.
    No,
    /// A read replica of this instance of the inputs, in the same region.
    SameRegion(View<'a, DbInstance>),
    /// A read replica of an instance in another region.
    CrossRegion,
    /// A read replica whose source or region cannot be read.
    Unknown(Unknown),
}

/// The region of an RDS ARN (`arn:aws:rds:eu-west-1:111122223333:db:name`).
fn arn_region(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    (parts.next()? == "arn").then_some(())?;
    parts.next()?;
    (parts.next()? == "rds").then_some(())?;
    parts.next().filter(|r| !r.is_empty())
}

/// Whether `db` is a read replica, and of what.
pub fn replica<'a>(inv: &'a Inventory, db: &View<'a, DbInstance>) -> Replica<'a> {
    if db.replicate_source.is_absent() {
        return Replica::No;
    }
    let mine = db.resource.provenance.region.as_deref();
    let region_unknown = |of: &str| {
        Replica::Unknown(Unknown::NotInInputs(format!(
            "the provider region of {of} (same-region and cross-region replicas differ)"
        )))
    };
    match inv.resolve::<DbInstance>(&db.replicate_source) {
        Resolution::Absent => Replica::No,
        Resolution::Unknown(u) => Replica::Unknown(u),
        Resolution::Known { found, external } => {
            if let Some(src) = found.into_iter().next() {
                return match (mine, src.resource.provenance.region.as_deref()) {
                    (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => Replica::SameRegion(src),
                    (Some(_), Some(_)) => Replica::CrossRegion,
                    (None, _) => region_unknown(db.address()),
                    (_, None) => region_unknown(src.address()),
                };
            }
            let Some(ext) = external.first() else {
                return Replica::No;
            };
            match (arn_region(ext), mine) {
                (Some(r), Some(m)) if !r.eq_ignore_ascii_case(m) => Replica::CrossRegion,
                _ => Replica::Unknown(Unknown::NotInInputs(format!("source DB instance {ext}"))),
            }
        }
    }
}

/// The DB parameter group a standalone instance uses, with " (from its source …)" when a
/// same-region replica that names none takes its source's; `None` when a cluster holds it
/// or after reporting what is unknown.
pub fn parameter_group<'a>(
    c: &mut crate::rules::Check<'a>,
    db: &View<'a, DbInstance>,
) -> Option<(&'a Refs, String)> {
    standalone(c, db, Some("parameter_group_name"))?;
    Some(match replica(c.inv, db) {
        Replica::SameRegion(src) if db.data.parameter_group.is_absent() => {
            (&src.data.parameter_group, from_source(&src))
        }
        Replica::Unknown(u) if db.data.parameter_group.is_absent() => {
            let what = "the read replica's source (whose parameter group it takes)";
            c.unknown(db.id, Some("replicate_source_db"), what, &u);
            return None;
        }
        _ => (&db.data.parameter_group, String::new()),
    })
}

/// " (from its source ADDRESS)" for a value a replica takes from its source.
pub fn from_source(src: &View<'_, DbInstance>) -> String {
    format!(" (from its source {})", src.address())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, RefTarget, Resource};
    use crate::rules::testing::res;

    fn instance(address: &str, region: &str, source: Option<RefTarget>) -> Resource {
        let mut r = Resource::new(
            "aws_db_instance",
            address,
            DbInstance {
                replicate_source: source.map_or(Field::Absent, |s| Field::Known(vec![s])),
                ..Default::default()
            },
        )
        .with_identifiers([address.rsplit('.').next().unwrap_or(address)]);
        r.provenance.region = Some(region.into());
        r
    }

    #[test]
    fn same_and_cross_region_replicas() {
        let mut inv = Inventory::new();
        inv.push(instance("aws_db_instance.primary", "eu-west-1", None));
        let by_name = Some(RefTarget::Ident("primary".into()));
        inv.push(instance(
            "aws_db_instance.near",
            "eu-west-1",
            by_name.clone(),
        ));
        inv.push(instance("aws_db_instance.far", "eu-west-2", by_name));
        let arn = "arn:aws:rds:us-east-1:111122223333:db:elsewhere";
        inv.push(instance(
            "aws_db_instance.arn",
            "eu-west-1",
            Some(RefTarget::Ident(arn.into())),
        ));
        inv.push(instance(
            "aws_db_instance.lost",
            "eu-west-1",
            Some(RefTarget::Ident("gone".into())),
        ));
        let kinds: Vec<_> = inv
            .all::<DbInstance>()
            .map(|db| match replica(&inv, &db) {
                Replica::No => "no".to_string(),
                Replica::SameRegion(s) => format!("same {}", s.address()),
                Replica::CrossRegion => "cross".into(),
                Replica::Unknown(u) => format!("unknown {u}"),
            })
            .collect();
        assert_eq!(kinds[0], "no");
        assert_eq!(kinds[1], "same aws_db_instance.primary");
        assert_eq!(kinds[2], "cross");
        assert_eq!(kinds[3], "cross");
        assert!(kinds[4].contains("source DB instance gone"), "{}", kinds[4]);
    }

    #[test]
    fn arn_regions() {
        assert_eq!(
            arn_region("arn:aws:rds:eu-west-1:111122223333:db:x"),
            Some("eu-west-1")
        );
        assert_eq!(arn_region("primary"), None);
        assert_eq!(arn_region("arn:aws:s3:::bucket"), None);
    }

    fn cluster_inventory(
        encrypted: Field<bool>,
        zones: &[Option<&str>],
        member_cluster: impl Fn(usize) -> Field<Vec<RefTarget>>,
    ) -> Inventory {
        let mut inv = Inventory::new();
        inv.push(
            res(
                "aws_rds_cluster.main",
                DbCluster {
                    identifier: Field::Known("ledger".into()),
                    storage_encrypted: encrypted,
                    ..Default::default()
                },
            )
            .with_identifiers(["ledger"]),
        );
        for (i, zone) in zones.iter().enumerate() {
            inv.push(res(
                format!("aws_rds_cluster_instance.m{i}"),
                DbInstance {
                    identifier: Field::Known(format!("ledger-{i}")),
                    availability_zone: zone.map_or(Field::Absent, |z| Field::Known(z.into())),
                    cluster: member_cluster(i),
                    ..Default::default()
                },
            ));
        }
        inv
    }

    fn by_name(_: usize) -> Field<Vec<RefTarget>> {
        Field::Known(vec![RefTarget::Ident("ledger".into())])
    }

    #[test]
    fn the_cluster_holds_encryption_and_its_members_are_not_judged_for_it() {
        use crate::rules::rds::storage_encrypted::RDS_STORAGE_ENCRYPTED;
        use crate::rules::testing::run;
        let inv = cluster_inventory(Field::Absent, &[Some("eu-west-1a")], by_name);
        let out = run(&RDS_STORAGE_ENCRYPTED, &inv);
        assert_eq!(out.fails(), vec!["aws_rds_cluster.main"]);
        assert!(out.messages()[0].starts_with("DB cluster ledger stores data unencrypted"));
        assert!(out.passes().is_empty() && out.unknowns().is_empty());
        // A member of a cluster that is not in the inputs is unknown, never a pass.
        let elsewhere = |_| Field::Known(vec![RefTarget::Ident("other".into())]);
        let inv = cluster_inventory(Field::Known(true), &[Some("eu-west-1a")], elsewhere);
        let out = run(&RDS_STORAGE_ENCRYPTED, &inv);
        assert_eq!(out.unknowns(), vec!["aws_rds_cluster_instance.m0"]);
        assert!(
            out.messages()[0].contains("DB cluster other"),
            "{:?}",
            out.messages()
        );
    }

    #[test]
    fn a_cluster_is_multi_az_with_instances_in_two_zones() {
        use crate::rules::rds::multi_az::RDS_MULTI_AZ;
        use crate::rules::testing::run;
        let yes = Field::Known(true);
        let two = cluster_inventory(
            yes.clone(),
            &[Some("eu-west-1a"), Some("eu-west-1b")],
            by_name,
        );
        assert_eq!(
            run(&RDS_MULTI_AZ, &two).passes(),
            vec!["aws_rds_cluster.main"]
        );
        let one_zone = cluster_inventory(
            yes.clone(),
            &[Some("eu-west-1a"), Some("EU-WEST-1A")],
            by_name,
        );
        let out = run(&RDS_MULTI_AZ, &one_zone);
        assert_eq!(out.fails(), vec!["aws_rds_cluster.main"]);
        assert!(out.messages()[0].contains("all run in eu-west-1a"));
        let single = cluster_inventory(yes.clone(), &[Some("eu-west-1a")], by_name);
        assert!(run(&RDS_MULTI_AZ, &single).messages()[0].contains("has one instance"));
        let unplaced = cluster_inventory(yes, &[Some("eu-west-1a"), None], by_name);
        let out = run(&RDS_MULTI_AZ, &unplaced);
        assert_eq!(out.unknowns(), vec!["aws_rds_cluster.main"]);
        assert!(out.messages()[0].contains("RDS chooses the zone of aws_rds_cluster_instance.m1"));
    }

    #[test]
    fn a_same_region_replica_takes_its_sources_encryption_and_says_so() {
        use crate::rules::rds::storage_encrypted::RDS_STORAGE_ENCRYPTED;
        use crate::rules::testing::run;
        let mut inv = Inventory::new();
        let mut primary = instance("aws_db_instance.primary", "eu-west-1", None);
        if let crate::model::Body::DbInstance(d) = &mut primary.body {
            d.storage_encrypted = Field::Known(false);
        }
        inv.push(primary);
        let mut replica = instance(
            "aws_db_instance.near",
            "eu-west-1",
            Some(RefTarget::Ident("primary".into())),
        );
        if let crate::model::Body::DbInstance(d) = &mut replica.body {
            d.storage_encrypted = Field::Known(true); // ignored by RDS in the same region
        }
        inv.push(replica);
        let mut far = instance(
            "aws_db_instance.far",
            "eu-west-2",
            Some(RefTarget::Ident("primary".into())),
        );
        if let crate::model::Body::DbInstance(d) = &mut far.body {
            d.kms_key = Field::Known("arn:aws:kms:eu-west-2:111122223333:key/1".into());
        }
        inv.push(far);
        let out = run(&RDS_STORAGE_ENCRYPTED, &inv);
        assert_eq!(
            out.fails(),
            vec!["aws_db_instance.near", "aws_db_instance.primary"]
        );
        assert!(
            out.messages().iter().any(|m| m.contains(
                "stores data unencrypted (storage_encrypted is false, from its source aws_db_instance.primary)"
            )),
            "{:?}",
            out.messages()
        );
        assert_eq!(out.passes(), vec!["aws_db_instance.far"]);
    }

    #[test]
    fn a_members_own_parameter_group_overrides_the_clusters() {
        use crate::model::{DbParameter, DbParameterGroup};
        use crate::rules::rds::parameters::RDS_PARAMETERS;
        use crate::rules::testing::run;
        let mut inv = cluster_inventory(Field::Known(true), &[Some("eu-west-1a")], by_name);
        let group = DbParameterGroup {
            name: Field::Known("member-pg".into()),
            parameters: Field::Known(vec![DbParameter {
                name: "max_connections".into(),
                value: Field::Known("100".into()),
            }]),
            ..Default::default()
        };
        inv.push(res("aws_db_parameter_group.member", group).with_identifiers(["member-pg"]));
        let mut member = inv.resources()[1].clone();
        member.provenance.address = "aws_rds_cluster_instance.own".into();
        if let crate::model::Body::DbInstance(d) = &mut member.body {
            d.parameter_group = Field::Known(vec![RefTarget::Ident("member-pg".into())]);
        }
        inv.push(member);
        let out = run(&RDS_PARAMETERS, &inv);
        // The cluster names no cluster parameter group (the default: fails on the cluster);
        // the member's own group sets max_connections to 100 (fails on that group); the
        // member without a group of its own gives nothing.
        assert_eq!(
            out.fails(),
            vec!["aws_db_parameter_group.member", "aws_rds_cluster.main"]
        );
        assert!(
            out.messages()
                .iter()
                .any(|m| m.contains("overrides the cluster parameter group")
                    && m.contains("max_connections is 100")),
            "{:?}",
            out.messages()
        );
    }
}
