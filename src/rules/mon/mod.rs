//! CB-MON-* rules.

pub mod alarm_spec;
pub mod documented_alarms;
pub mod math;
