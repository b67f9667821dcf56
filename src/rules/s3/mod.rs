//! CB-S3-* rules.

pub mod encryption;
pub mod model_bucket;
pub mod model_replication;
pub mod public_access_block;
#[cfg(test)]
mod testkit;
