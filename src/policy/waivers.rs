//! `[[waivers]]` (in the policy or a `--waivers` file) and `[waiver_controls]`.

use std::ops::Range;

use serde::{Deserialize, Deserializer};
use time::Date;
use toml::Spanned;

use super::GlobList;
use crate::model::Location;
use crate::verdict::Severity;

/// One `[[waivers]]` entry as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiverEntry {
    /// Rule IDs or names, comma-separated.
    pub rule: Spanned<String>,
    /// A glob over the resource's Terraform address, its ARN, or its `Name` tag.
    pub resource: Spanned<String>,
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub reason: Option<Spanned<String>>,
    #[serde(default)]
    pub until: Option<UntilDate>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub ticket: Option<String>,
}

/// `until = 2027-03-31` (a TOML date) or `until = "2027-03-31"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UntilDate(pub Date);

impl<'de> Deserialize<'de> for UntilDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = match toml::Value::deserialize(d)? {
            toml::Value::String(s) => s,
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt.to_string(),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "invalid date `{other}`: expected YYYY-MM-DD"
                )))
            }
        };
        crate::waiver::parse_date(&text)
            .map(UntilDate)
            .map_err(serde::de::Error::custom)
    }
}

/// A waiver from the policy or a `--waivers` file, checked.
#[derive(Debug, Clone)]
pub struct FileWaiver {
    /// Rule IDs or names (known rules).
    pub rules: Vec<String>,
    pub resource: GlobList,
    pub account: Option<GlobList>,
    pub region: Option<GlobList>,
    pub reason: String,
    pub until: Option<Date>,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    /// The `[[waivers]]` entry.
    pub location: Location,
}

/// `[waiver_controls]`: what the team allows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiverControls {
    /// Rules that may not be waived inline in `.tf` files (IDs, names, or severities such
    /// as `critical`): only the policy's owners waive them, in `[[waivers]]`.
    #[serde(default)]
    pub not_inline: Vec<Spanned<String>>,
    /// The furthest `until` may lie from today, in days.
    #[serde(default)]
    pub max_waiver_days: Option<u32>,
    /// Every waiver must say when it ends.
    #[serde(default)]
    pub require_until: bool,
    /// Report waivers that match no finding.
    #[serde(default = "super::yes")]
    pub report_unused: bool,
}

impl Default for WaiverControls {
    fn default() -> Self {
        WaiverControls {
            not_inline: Vec::new(),
            max_waiver_days: None,
            require_until: false,
            report_unused: true,
        }
    }
}

impl WaiverControls {
    /// Whether rule `id` (`name`, `severity`) may be waived inline.
    pub fn inline_allowed(&self, id: &str, name: &str, severity: Severity) -> bool {
        !self.not_inline.iter().any(|k| {
            let k = k.get_ref();
            k.eq_ignore_ascii_case(id) || k == name || k.eq_ignore_ascii_case(severity.as_str())
        })
    }
}

/// A `--waivers` file: only `[[waivers]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiversFile {
    #[serde(default)]
    waivers: Vec<Spanned<WaiverEntry>>,
}

/// A problem in a waiver entry: message, span, help.
pub(super) type EntryError = (String, Option<Range<usize>>, &'static str);

/// Checks `[[waivers]]` entries: known rules, a reason, valid globs.
pub(super) fn check_entries(
    path: &str,
    text: &str,
    entries: &[Spanned<WaiverEntry>],
    is_rule: &dyn Fn(&str) -> bool,
) -> Result<Vec<FileWaiver>, EntryError> {
    let path: std::sync::Arc<str> = path.into();
    let mut out = Vec::new();
    for entry in entries {
        let w = entry.get_ref();
        let rules: Vec<String> = w
            .rule
            .get_ref()
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect();
        if rules.is_empty() {
            return Err((
                "a waiver names no rule".to_string(),
                Some(w.rule.span()),
                "`rule = \"CB-RDS-002\"` (IDs or names, comma-separated)",
            ));
        }
        if let Some(bad) = rules.iter().find(|k| !is_rule(k)) {
            return Err((
                format!("unknown rule `{bad}`"),
                Some(w.rule.span()),
                "`cbaudit rules` lists every rule ID and name",
            ));
        }
        let reason = match &w.reason {
            Some(r) if !r.get_ref().trim().is_empty() => r.get_ref().trim().to_string(),
            Some(r) => {
                return Err((
                    "a waiver's reason is empty".to_string(),
                    Some(r.span()),
                    "say why the finding is accepted: reason = \"…\"",
                ))
            }
            None => {
                return Err((
                    "a waiver needs a reason".to_string(),
                    Some(entry.span()),
                    "say why the finding is accepted: reason = \"…\"",
                ))
            }
        };
        let glob = |p: &str, span: Range<usize>| {
            GlobList::new(&[p]).map_err(|e| (e, Some(span), "a glob such as `aws_db_instance.*`"))
        };
        let resource = glob(w.resource.get_ref(), w.resource.span())?;
        let account = w
            .account
            .as_deref()
            .map(|a| glob(a, entry.span()))
            .transpose()?;
        let region = w
            .region
            .as_deref()
            .map(|r| glob(r, entry.span()))
            .transpose()?;
        out.push(FileWaiver {
            rules,
            resource,
            account,
            region,
            reason,
            until: w.until.map(|u| u.0),
            owner: w.owner.clone(),
            ticket: w.ticket.clone(),
            location: Location::at(path.clone(), text.as_bytes(), entry.span().start, 0),
        });
    }
    Ok(out)
}

/// Checks `[waiver_controls]`: every `not_inline` entry is a rule or a severity.
pub(super) fn check_controls(
    controls: &WaiverControls,
    is_rule: &dyn Fn(&str) -> bool,
) -> Result<(), EntryError> {
    for key in &controls.not_inline {
        let k = key.get_ref();
        let severity = Severity::ALL
            .iter()
            .any(|s| s.as_str().eq_ignore_ascii_case(k));
        if !severity && !is_rule(k) {
            return Err((
                format!("`{k}` is neither a rule nor a severity"),
                Some(key.span()),
                "rule IDs or names (`cbaudit rules`), or critical, high, medium, low, info",
            ));
        }
    }
    Ok(())
}

/// Parses a `--waivers` file.
pub fn parse_file(
    path: &str,
    text: &str,
    is_rule: &dyn Fn(&str) -> bool,
) -> Result<Vec<FileWaiver>, Box<super::PolicyError>> {
    let error = |message: String, span: Option<Range<usize>>, help: &str| {
        Box::new(super::PolicyError {
            path: path.to_string(),
            message,
            help: help.to_string(),
            src: miette::NamedSource::new(path, text.to_string()),
            span: span.map(|r| miette::SourceSpan::from(r.start..r.end.max(r.start))),
        })
    };
    let file: WaiversFile = toml::from_str(text).map_err(|e| {
        error(
            e.message().trim().to_string(),
            e.span(),
            "a waivers file holds [[waivers]] entries: rule, resource, reason, until, owner, ticket, account, region",
        )
    })?;
    check_entries(path, text, &file.waivers, is_rule).map_err(|(m, s, h)| error(m, s, h))
}
