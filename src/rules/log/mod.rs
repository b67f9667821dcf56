//! CB-LOG-* rules.

pub mod groups_exist;
pub mod retention;
