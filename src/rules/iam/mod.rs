//! CB-IAM-* rules.
