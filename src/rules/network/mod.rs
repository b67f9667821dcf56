//! Network rules (CB-NET-*).

pub mod vpc_cidr;
