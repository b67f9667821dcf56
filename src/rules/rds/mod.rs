//! CB-RDS-* rules.
