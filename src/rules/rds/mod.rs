//! CB-RDS-* rules.

pub mod backup_retention;
pub mod holders;
pub mod instance_class;
pub mod multi_az;
pub mod parameters;
pub mod private;
pub mod storage_autoscaling;
pub mod storage_encrypted;
pub mod windows;
