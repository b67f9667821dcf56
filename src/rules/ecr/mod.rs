//! CB-ECR-* rules.
