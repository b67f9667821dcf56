//! CB-S3-* rules.
