//! CB-SEC-* rules.

pub mod documented_secrets;
