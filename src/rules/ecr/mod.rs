//! CB-ECR-* rules.

pub mod lifecycle;
pub mod scan_on_push;
