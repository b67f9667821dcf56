//! RDS instances, subnet groups and parameter groups.

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
}
