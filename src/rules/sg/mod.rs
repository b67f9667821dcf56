//! CB-SG-* rules.

pub mod flow_matrix;
mod flows;
pub mod no_all_ports;
pub mod no_public_ingress;
#[cfg(test)]
mod testkit;
pub mod tier_attachment;
