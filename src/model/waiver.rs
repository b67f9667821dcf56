//! Waivers declared in a source: `# cbaudit:waive` comments in `.tf` files.
//!
//! The source (HCL, or the configuration beside a plan) finds them and says which blocks
//! they cover; `crate::waiver` applies them to the findings.

use time::Date;

use super::Location;

/// One `cbaudit:waive` comment, checked (rule keys known, reason given, date valid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredWaiver {
    /// The rules it waives, as written (IDs or names; the source checked they exist).
    pub rules: Vec<String>,
    /// What it covers, as configuration addresses without instance keys, each either a
    /// resource (`module.db.aws_db_instance.main`: every instance of that block, through
    /// every instance of its modules) or a module call (`module.db`: everything under it).
    /// A waiver inside a module's files covers that block in every call of the module.
    pub covers: Vec<String>,
    pub reason: String,
    pub until: Option<Date>,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    /// The comment.
    pub location: Location,
}
