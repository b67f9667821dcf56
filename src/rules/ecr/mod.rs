//! CB-ECR-* rules.

pub mod evaluate;
pub mod lifecycle;
pub mod scan_on_push;
