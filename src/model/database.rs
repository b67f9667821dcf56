//! RDS instances, Aurora clusters, subnet groups and parameter groups.
//!
//! Who holds a guarantee: a standalone instance holds all of its own; in a cluster the
//! cluster holds storage encryption, backups, windows, the subnet group and the cluster
//! parameter group, and each member instance (`cluster` set) its class, public
//! accessibility and availability zone. A read replica (`replicate_source` set) is built by
//! RDS from its source: see `rules/rds/holders.rs`.

use super::{Field, Refs};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DbInstance {
    pub identifier: Field<String>,
    pub engine: Field<String>,
    pub instance_class: Field<String>,
    pub storage_encrypted: Field<bool>,
    pub kms_key: Field<String>,
    pub multi_az: Field<bool>,
    pub backup_retention_period: Field<i64>,
    pub backup_window: Field<String>,
    pub maintenance_window: Field<String>,
    pub publicly_accessible: Field<bool>,
    pub subnet_group: Refs,
    pub security_groups: Refs,
    pub parameter_group: Refs,
    pub allocated_storage: Field<i64>,
    pub max_allocated_storage: Field<i64>,
    /// The availability zone the instance runs in (absent: RDS chooses).
    pub availability_zone: Field<String>,
    /// The DB cluster this instance is a member of (`aws_rds_cluster_instance`); absent for
    /// a standalone instance.
    pub cluster: Refs,
    /// The source of a read replica (`replicate_source_db`: an identifier in the same
    /// region, an ARN across regions); absent for an instance that is not a replica.
    pub replicate_source: Refs,
}

/// An RDS DB cluster (`aws_rds_cluster`, Aurora): the holder of storage, backups, windows,
/// the subnet group and the cluster parameter group of its member instances (every source
/// links a member to its cluster through `DbInstance::cluster`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DbCluster {
    pub identifier: Field<String>,
    pub engine: Field<String>,
    pub storage_encrypted: Field<bool>,
    pub kms_key: Field<String>,
    pub backup_retention_period: Field<i64>,
    pub backup_window: Field<String>,
    pub maintenance_window: Field<String>,
    pub subnet_group: Refs,
    pub security_groups: Refs,
    /// The DB cluster parameter group (`db_cluster_parameter_group_name`).
    pub parameter_group: Refs,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DbSubnetGroup {
    pub name: Field<String>,
    pub subnets: Refs,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DbParameter {
    pub name: String,
    pub value: Field<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DbParameterGroup {
    pub name: Field<String>,
    pub family: Field<String>,
    pub parameters: Field<Vec<DbParameter>>,
    /// A DB cluster parameter group (`aws_rds_cluster_parameter_group`).
    pub cluster: bool,
}
