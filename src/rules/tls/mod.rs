//! CB-TLS-* rules.

pub mod alb_https_only;
pub mod alb_tls13_policy;
pub mod elb_policies;
mod listeners;
pub mod rds_tls_in_transit;
#[cfg(test)]
mod testkit;
pub mod waf_on_alb;
