//! RDS instances, Aurora clusters and their instances, subnet groups, parameter groups
//! (DB and DB cluster).

use super::{Mapped, TfRef};
use crate::model::*;

pub fn map(t: &str, v: TfRef<'_>) -> Option<Mapped> {
    Some(match t {
        "aws_db_instance" => {
            let identifier = v.get("identifier").string_nonempty();
            Mapped::new(DbInstance {
                identifier: identifier.clone(),
                engine: v.get("engine").string_nonempty(),
                instance_class: v.get("instance_class").string_nonempty(),
                storage_encrypted: v.get("storage_encrypted").bool(),
                kms_key: v.get("kms_key_id").string_nonempty(),
                multi_az: v.get("multi_az").bool(),
                backup_retention_period: v.get("backup_retention_period").int(),
                backup_window: v.get("backup_window").string_nonempty(),
                maintenance_window: v.get("maintenance_window").string_nonempty(),
                publicly_accessible: v.get("publicly_accessible").bool(),
                subnet_group: v.get("db_subnet_group_name").refs(),
                security_groups: v.get("vpc_security_group_ids").refs(),
                parameter_group: v.get("parameter_group_name").refs(),
                allocated_storage: v.get("allocated_storage").int(),
                max_allocated_storage: v.get("max_allocated_storage").int().zero_is_absent(),
                availability_zone: v.get("availability_zone").string_nonempty(),
                cluster: Field::Absent,
                replicate_source: v.get("replicate_source_db").refs(),
            })
            .id(&identifier)
        }
        "aws_rds_cluster_instance" => {
            let identifier = v.get("identifier").string_nonempty();
            Mapped::new(DbInstance {
                identifier: identifier.clone(),
                engine: v.get("engine").string_nonempty(),
                instance_class: v.get("instance_class").string_nonempty(),
                maintenance_window: v.get("preferred_maintenance_window").string_nonempty(),
                publicly_accessible: v.get("publicly_accessible").bool(),
                subnet_group: v.get("db_subnet_group_name").refs(),
                parameter_group: v.get("db_parameter_group_name").refs(),
                availability_zone: v.get("availability_zone").string_nonempty(),
                cluster: v.get("cluster_identifier").refs(),
                ..Default::default()
            })
            .id(&identifier)
        }
        "aws_rds_cluster" => {
            let identifier = v.get("cluster_identifier").string_nonempty();
            Mapped::new(DbCluster {
                identifier: identifier.clone(),
                engine: v.get("engine").string_nonempty(),
                storage_encrypted: v.get("storage_encrypted").bool(),
                kms_key: v.get("kms_key_id").string_nonempty(),
                backup_retention_period: v.get("backup_retention_period").int(),
                backup_window: v.get("preferred_backup_window").string_nonempty(),
                maintenance_window: v.get("preferred_maintenance_window").string_nonempty(),
                subnet_group: v.get("db_subnet_group_name").refs(),
                security_groups: v.get("vpc_security_group_ids").refs(),
                parameter_group: v.get("db_cluster_parameter_group_name").refs(),
            })
            .id(&identifier)
        }
        "aws_db_subnet_group" => {
            let name = v.get("name").string_nonempty();
            Mapped::new(DbSubnetGroup {
                name: name.clone(),
                subnets: v.get("subnet_ids").refs(),
            })
            .id(&name)
        }
        "aws_db_parameter_group" | "aws_rds_cluster_parameter_group" => {
            let name = v.get("name").string_nonempty();
            let params = v.get("parameter");
            let parameters = if params.is_null() {
                Field::Known(Vec::new())
            } else if params.is_unknown() {
                params.string().map(|_| Vec::new())
            } else {
                Field::Known(
                    params
                        .items()
                        .into_iter()
                        .filter_map(|p| {
                            Some(DbParameter {
                                name: p.get("name").string().get()?.clone(),
                                value: p.get("value").string(),
                            })
                        })
                        .collect(),
                )
            };
            Mapped::new(DbParameterGroup {
                name: name.clone(),
                family: v.get("family").string_nonempty(),
                parameters,
                cluster: t == "aws_rds_cluster_parameter_group",
            })
            .id(&name)
        }
        _ => return None,
    })
}

trait ZeroIsAbsent {
    fn zero_is_absent(self) -> Self;
}

impl ZeroIsAbsent for Field<i64> {
    /// `max_allocated_storage = 0` is how the provider spells "autoscaling off".
    fn zero_is_absent(self) -> Self {
        match self {
            Field::Known(0) => Field::Absent,
            other => other,
        }
    }
}
