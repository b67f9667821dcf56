//! CB-AUD-* rules.

pub mod cloudtrail_enabled;
pub mod config_recording;
pub mod guardduty_enabled;
mod regions;
