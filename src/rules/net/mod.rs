//! CB-NET-* rules.

pub mod vpc_cidr;
