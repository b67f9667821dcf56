//! Waivers and baselines: which findings a team has accepted, until when, and why.
//!
//! Three kinds, applied to a [`Report`](crate::engine::Report) after the rules ran:
//! - **inline** waivers, `# cbaudit:waive RULE until=… reason="…" owner=…` comments in
//!   `.tf` files, found by the HCL source ([`crate::model::DeclaredWaiver`]);
//! - **policy** waivers, `[[waivers]]` in the policy or a `--waivers` file
//!   ([`crate::policy::FileWaiver`]), for plans without sources and live accounts;
//! - a **baseline**, the fingerprints of the findings accepted when cbaudit was adopted
//!   ([`baseline`]).
//!
//! A waived finding stays in the report with its [`Suppression`] and never fails the run.
//! On and after its `until` date a waiver no longer applies: the finding fails again and
//! says so. The policy's `[waiver_controls]` decide which waivers are allowed; a waiver
//! breaking them, or matching nothing, is reported as a finding of its own.

mod apply;
pub mod baseline;
mod meta;

use serde::Serialize;
use sha2::{Digest, Sha256};
use time::Date;

use crate::model::Location;
use crate::rules::Rule;

pub use apply::{config_address, covered, recount, Waivers, EXPIRING_DAYS};
pub use meta::{META_RULES, WAIVER_NOT_ALLOWED, WAIVER_UNUSED};

/// Whether `rule` is one of the waiver checks (their findings are never waived or
/// baselined).
pub fn is_meta(rule: &Rule) -> bool {
    rule.area == crate::rules::Area::Waivers
}

/// The fingerprint of a finding's identifying parts: 32 hex digits of their SHA-256.
pub fn fingerprint(parts: &[&str]) -> String {
    let digest = Sha256::digest(parts.join("\u{0}").as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// How a finding was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressionKind {
    /// A `cbaudit:waive` comment in the configuration.
    Inline,
    /// `[[waivers]]` in the policy or a `--waivers` file.
    Policy,
    /// The finding is in the `--baseline` file.
    Baseline,
}

impl SuppressionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionKind::Inline => "inline",
            SuppressionKind::Policy => "policy",
            SuppressionKind::Baseline => "baseline",
        }
    }
}

/// Why a finding does not fail the run (or, on [`Finding::expired`], why it used not to).
///
/// [`Finding::expired`]: crate::engine::Finding::expired
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub reason: String,
    /// The last day before the waiver's `until` date is the last day it applies.
    pub until: Option<Date>,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    /// Where the waiver is written: the comment in a `.tf` file, the `[[waivers]]` entry,
    /// or the baseline file (line 1).
    pub location: Option<Location>,
}

impl Suppression {
    /// Whether it ends within `days` days of `today` (it applies until the day before
    /// `until`).
    pub fn expires_within(&self, today: Date, days: i64) -> bool {
        self.until
            .is_some_and(|until| (until - today).whole_days() <= days)
    }
}

/// `YYYY-MM-DD`, a real calendar date.
pub fn parse_date(s: &str) -> Result<Date, String> {
    let bad = || format!("invalid date `{s}`: expected YYYY-MM-DD");
    let mut parts = s.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y) && digits(m) && digits(d)) {
        return Err(bad());
    }
    let (y, m, d): (i32, u8, u8) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    let month =
        time::Month::try_from(m).map_err(|_| format!("invalid date `{s}`: no month {m}"))?;
    Date::from_calendar_date(y, month, d)
        .map_err(|_| format!("invalid date `{s}`: {month} {y} has no day {d}"))
}

/// Today in UTC.
pub fn today_utc() -> Date {
    time::OffsetDateTime::now_utc().date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked() {
        assert_eq!(parse_date("2027-03-31").unwrap().to_string(), "2027-03-31");
        assert_eq!(parse_date("2028-02-29").unwrap().to_string(), "2028-02-29");
        for bad in [
            "2027-02-29",
            "2027-13-01",
            "2027-3-31",
            "31/03/2027",
            "2027-03-31x",
            "",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
