//! CB-NET-* rules.

pub mod vpc_cidr;

pub mod default_vpc;
pub mod nat_per_az;
pub mod private_subnet_isolation;
mod routing;
pub mod subnet_layout;
#[cfg(test)]
mod testkit;
pub mod vpc_flow_logs;
