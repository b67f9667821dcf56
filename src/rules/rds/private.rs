use crate::declare_rule;
use crate::model::{
    DbCluster, DbInstance, DbSubnetGroup, Refs, ResId, Resolution, Subnet, Unknown,
};
use crate::policy::SubnetTier;
use crate::rules::rds::holders::{self, Replica};
use crate::rules::tiers::subnets_outside_tier;
use crate::rules::{set, Check};

const SUBNET_GROUP: Option<&str> = Some("db_subnet_group_name");

declare_rule! {
    /// ## What it checks
    /// Every DB instance is not publicly accessible (`publicly_accessible`, not set = false)
    /// and its DB subnet group holds only documented data-tier subnets (by CIDR: data-a
    /// 10.0.20.0/24, data-b 10.0.21.0/24). No `db_subnet_group_name` means the instance is
    /// created in the default DB subnet group, the default VPC's subnets (Terraform AWS
    /// provider, `aws_db_instance` `db_subnet_group_name`: "If unspecified, will be created
    /// in the default Subnet Group"): a failure. (The security group's tier is
    /// checked by CB-SG-004.)
    ///
    /// Aurora: each member instance holds `publicly_accessible`; the DB cluster holds the
    /// subnet group (`aws_rds_cluster` `db_subnet_group_name`). A same-region read replica
    /// lives in its source's subnet group (RDS refuses one of its own,
    /// `DBSubnetGroupNotAllowedFault`; Terraform: "defaults to the Subnet Group Name of the
    /// source DB"): it is judged on the source's group and the finding says "from its
    /// source …". A cross-region replica without one uses the default subnet group.
    ///
    /// ## Why
    /// The architecture document's VPC design: "Private Data Subnet A | 10.0.20.0/24 | RDS
    /// Primary (AZ-a)", "Private Data Subnet B | 10.0.21.0/24 | RDS Standby (AZ-b)" and
    /// "Database Traffic: Application Subnets → Data Subnets (internal only)". A public
    /// endpoint or a subnet group that reaches the public or app subnets exposes the
    /// database beyond the isolated data tier (a Multi-AZ failover may land the primary in
    /// any subnet of the group).
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_subnet_group" "db" {
    ///   subnet_ids = [aws_subnet.data_a.id, aws_subnet.public_a.id]
    /// }
    /// resource "aws_db_instance" "main" {
    ///   publicly_accessible  = true
    ///   db_subnet_group_name = aws_db_subnet_group.db.name
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_subnet_group" "db" {
    ///   subnet_ids = [aws_subnet.data_a.id, aws_subnet.data_b.id]
    /// }
    /// resource "aws_db_instance" "main" {
    ///   publicly_accessible  = false
    ///   db_subnet_group_name = aws_db_subnet_group.db.name
    /// }
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV_AWS_17`, Trivy `AVD-AWS-0082` (rds no-public-db-access) and AWS Config
    /// `rds-instance-public-access-check` check `publicly_accessible` only; none checks the
    /// subnet group against a documented layout.
    pub static RDS_PRIVATE = Rule {
        id: "CB-RDS-005",
        name: "rds-private",
        area: Database,
        severity: Critical,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let data: Vec<String> = c
        .policy
        .network
        .subnets_of(SubnetTier::Data)
        .map(|s| format!("{} {}", s.name, s.cidr.0))
        .collect();
    let data = data.join(", ");
    for db in c.inv.all::<DbInstance>() {
        let name = format!("DB instance {}", db.identifier.shown());
        let attr = "publicly_accessible";
        match c.need_attr(db.id, attr, &db.publicly_accessible) {
            None => {}
            Some(None | Some(false)) => c.pass(db.id),
            Some(Some(true)) => c.fail(
                db.id,
                Some(attr),
                format!("{name} is publicly accessible; the architecture keeps the database internal to the data subnets"),
                set(attr, false),
            ),
        }
        if holders::standalone(c, &db, Some("db_subnet_group_name")).is_none() {
            continue;
        }
        match holders::replica(c.inv, &db) {
            // RDS places a same-region replica in its source's subnet group.
            Replica::SameRegion(src) if db.subnet_group.is_absent() => {
                let from = holders::from_source(&src);
                subnet_group(c, db.id, &name, &src.subnet_group, &from, &data);
            }
            Replica::Unknown(u) if db.subnet_group.is_absent() => c.unknown(
                db.id,
                Some("replicate_source_db"),
                "the read replica's source (whose subnet group it takes)",
                &u,
            ),
            _ => subnet_group(c, db.id, &name, &db.subnet_group, "", &data),
        }
    }
    for cl in c.inv.all::<DbCluster>() {
        let name = format!("DB cluster {}", cl.identifier.shown());
        subnet_group(c, cl.id, &name, &cl.subnet_group, "", &data);
    }
}

/// Judges the subnet group `refs` of holder `id` (`from` says where an inherited group
/// comes from).
fn subnet_group(c: &mut Check<'_>, id: ResId, name: &str, refs: &Refs, from: &str, data: &str) {
    let help = format!("use a DB subnet group holding only the data subnets ({data})");
    let default_group = |c: &mut Check<'_>| {
        c.require(
            id,
            SUBNET_GROUP,
            format!("{name} has no DB subnet group{from}, so RDS creates it in the default DB subnet group (the default VPC's subnets)"),
            format!("the data subnets ({data})"),
            format!("set db_subnet_group_name: {help}"),
        )
    };
    let group = match c.inv.resolve::<DbSubnetGroup>(refs) {
        Resolution::Absent => return default_group(c),
        Resolution::Unknown(u) => return c.unknown(id, SUBNET_GROUP, "the DB subnet group", &u),
        Resolution::Known { found, external } => match (found.first(), external.first()) {
            (Some(g), _) => *g,
            (None, Some(ext)) if ext.eq_ignore_ascii_case("default") => return default_group(c),
            (None, Some(ext)) => {
                let why = Unknown::NotInInputs(format!("DB subnet group {ext}"));
                return c.unknown(id, SUBNET_GROUP, "the DB subnet group's subnets", &why);
            }
            (None, None) => return default_group(c),
        },
    };
    let (found, external) = match c.inv.resolve::<Subnet>(&group.subnets) {
        Resolution::Absent => (Vec::new(), Vec::new()),
        Resolution::Unknown(u) => {
            let what = format!("the subnets of the DB subnet group{from}");
            return c.unknown(id, SUBNET_GROUP, &what, &u);
        }
        Resolution::Known { found, external } => (found, external),
    };
    let (wrong, unknown) = subnets_outside_tier(c.policy, &found, &external, SubnetTier::Data);
    let group_name = group.name.shown();
    if !wrong.is_empty() {
        c.require(
            id,
            SUBNET_GROUP,
            format!(
                "{name}'s subnet group {group_name}{from} includes {}",
                wrong.join(", ")
            ),
            format!("data subnets only ({data})"),
            help,
        );
    } else if let Some(u) = unknown {
        let what = format!("the tier of the DB subnet group's subnets{from}");
        c.unknown(id, SUBNET_GROUP, &what, &u);
    } else if found.is_empty() {
        c.require(
            id,
            SUBNET_GROUP,
            format!("{name}'s subnet group {group_name}{from} lists no subnets"),
            format!("the data subnets ({data})"),
            help,
        );
    } else {
        c.pass(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Inventory, RefTarget, Resource};
    use crate::rules::testing::{res, run};

    fn subnet(address: &str, id: &str, cidr: &str) -> Resource {
        Resource::new(
            "aws_subnet",
            address,
            Subnet {
                cidr: Field::Known(cidr.parse().expect("cidr")),
                ..Default::default()
            },
        )
        .with_identifiers([id])
    }

    fn inventory(
        group_subnets: Vec<RefTarget>,
        db_group: Field<Vec<RefTarget>>,
        public: Field<bool>,
    ) -> Inventory {
        let mut inv = Inventory::new();
        inv.push(subnet("aws_subnet.data_a", "subnet-da", "10.0.20.0/24"));
        inv.push(subnet("aws_subnet.data_b", "subnet-db", "10.0.21.0/24"));
        inv.push(subnet("aws_subnet.app_a", "subnet-aa", "10.0.10.0/24"));
        inv.push(
            res(
                "aws_db_subnet_group.data",
                DbSubnetGroup {
                    name: Field::Known("clever-better-data".into()),
                    subnets: Field::Known(group_subnets),
                },
            )
            .with_identifiers(["clever-better-data"]),
        );
        inv.push(res(
            "aws_db_instance.main",
            DbInstance {
                identifier: Field::Known("clever-better-db".into()),
                publicly_accessible: public,
                subnet_group: db_group,
                ..Default::default()
            },
        ));
        inv
    }

    fn group_ref(t: RefTarget) -> Field<Vec<RefTarget>> {
        Field::Known(vec![t])
    }

    #[test]
    fn private_instance_in_data_subnets_passes() {
        let inv = inventory(
            vec![
                RefTarget::Address("aws_subnet.data_a".into()),
                RefTarget::Ident("subnet-db".into()),
            ],
            group_ref(RefTarget::Ident("clever-better-data".into())),
            Field::Absent,
        );
        let out = run(&RDS_PRIVATE, &inv);
        assert_eq!(out.passes(), vec!["aws_db_instance.main"]);
        assert!(out.fails().is_empty() && out.unknowns().is_empty());
    }

    #[test]
    fn public_instance_and_app_subnet_fail() {
        let inv = inventory(
            vec![
                RefTarget::Ident("subnet-da".into()),
                RefTarget::Ident("subnet-aa".into()),
            ],
            group_ref(RefTarget::Address("aws_db_subnet_group.data".into())),
            Field::Known(true),
        );
        let out = run(&RDS_PRIVATE, &inv);
        assert_eq!(out.fails(), vec!["aws_db_instance.main"]);
        let msgs = out.messages();
        assert!(msgs[0].contains("publicly accessible"), "{}", msgs[0]);
        assert!(
            msgs[1].contains("10.0.10.0/24, app tier") && msgs[1].contains("data-a 10.0.20.0/24"),
            "{}",
            msgs[1]
        );
    }

    #[test]
    fn no_subnet_group_is_the_default_vpc() {
        let inv = inventory(vec![], Field::Absent, Field::Known(false));
        let out = run(&RDS_PRIVATE, &inv);
        assert_eq!(out.fails(), vec!["aws_db_instance.main"]);
        assert!(out.messages()[0].contains("default VPC"));
        let inv = inventory(
            vec![],
            group_ref(RefTarget::Ident("default".into())),
            Field::Known(false),
        );
        assert_eq!(run(&RDS_PRIVATE, &inv).fails().len(), 1);
    }

    #[test]
    fn unknowns_are_unknown() {
        let inv = inventory(
            vec![],
            Field::Unknown(Unknown::AfterApply),
            Field::Unknown(Unknown::AfterApply),
        );
        let out = run(&RDS_PRIVATE, &inv);
        assert_eq!(out.unknowns(), vec!["aws_db_instance.main"]);
        assert_eq!(out.messages().len(), 2);
        let inv = inventory(
            vec![RefTarget::Ident("subnet-elsewhere".into())],
            group_ref(RefTarget::Ident("clever-better-data".into())),
            Field::Known(false),
        );
        let out = run(&RDS_PRIVATE, &inv);
        assert_eq!(out.unknowns(), vec!["aws_db_instance.main"]);
        assert!(out.messages()[0].contains("subnet-elsewhere"));
    }
}
