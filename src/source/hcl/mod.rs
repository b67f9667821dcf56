//! Terraform configuration (`.tf`) reading.
//!
//! For now: the `locals` of a configuration, so that a plan's references through local
//! values (which `terraform show -json` does not record) still resolve.

mod locals;
mod references;

pub use locals::LocalsIndex;
pub use references::expression_references;
