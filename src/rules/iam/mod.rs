//! CB-IAM-* rules.

pub mod no_admin_policy;
pub mod policies;
pub mod statements;
pub mod task_role_least_privilege;
#[cfg(test)]
mod testkit;
pub mod verdicts;
