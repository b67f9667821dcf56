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

#[cfg(test)]
mod tests {
    use super::super::{Policy, DEFAULT_POLICY};
    use super::*;

    fn is_rule(k: &str) -> bool {
        crate::rules::find(k).is_some()
    }

    fn with(entry: &str) -> String {
        DEFAULT_POLICY.replace("[rules]\n", &format!("{entry}\n[rules]\n"))
    }

    /// The error's message, and the text its span covers.
    fn error(text: &str) -> (String, String) {
        let e = Policy::parse_for("p.toml", text, &is_rule).expect_err("rejected");
        let span = e.span.expect("a span");
        (
            e.message.clone(),
            text[span.offset()..span.offset() + span.len()].to_string(),
        )
    }

    const ENTRY: &str = "[[waivers]]\nrule = \"CB-RDS-002,rds-backup-retention\"\nresource = \"aws_db_instance.*\"\naccount = \"1234*\"\nregion = \"eu-west-1\"\nreason = \" staging \"\nuntil = \"2027-03-31\"\nowner = \"platform\"\nticket = \"PLAT-1\"\n";

    #[test]
    fn entries_are_read() {
        let p = Policy::parse_for("p.toml", &with(ENTRY), &is_rule).expect("valid");
        let [w] = &p.waivers[..] else {
            panic!("one waiver")
        };
        assert_eq!(w.rules, ["CB-RDS-002", "rds-backup-retention"]);
        assert!(w.resource.matches("aws_db_instance.main"));
        assert!(w.account.as_ref().unwrap().matches("123456789012"));
        assert!(w.region.as_ref().unwrap().matches("eu-west-1"));
        assert_eq!(w.reason, "staging");
        assert_eq!(
            w.until.map(|d| d.to_string()).as_deref(),
            Some("2027-03-31")
        );
        assert_eq!(
            (w.owner.as_deref(), w.ticket.as_deref()),
            (Some("platform"), Some("PLAT-1"))
        );
        // A TOML date works as well as a string.
        let toml_date = with(&ENTRY.replace("\"2027-03-31\"", "2027-03-31"));
        let p = Policy::parse_for("p.toml", &toml_date, &is_rule).expect("valid");
        assert_eq!(p.waivers[0].until, w.until);
        assert!(Policy::default_policy().waivers.is_empty());
    }

    #[test]
    fn bad_entries_point_at_the_problem() {
        let cases = [
            (
                ENTRY.replace("CB-RDS-002,", "CB-RDS-099,"),
                "unknown rule `CB-RDS-099`",
                "\"CB-RDS-099,rds-backup-retention\"",
            ),
            (
                ENTRY.replace("\" staging \"", "\"  \""),
                "reason is empty",
                "\"  \"",
            ),
            (
                ENTRY.replace("\"2027-03-31\"", "\"2027-02-30\""),
                "February 2027 has no day 30",
                "\"2027-02-30\"",
            ),
            (
                ENTRY.replace("\"2027-03-31\"", "\"31.03.2027\""),
                "expected YYYY-MM-DD",
                "\"31.03.2027\"",
            ),
            (
                ENTRY.replace("\"2027-03-31\"", "2027-03-31T10:00:00"),
                "expected YYYY-MM-DD",
                "2027-03-31T10:00:00",
            ),
            (
                ENTRY.replace("resource = \"aws_db_instance.*\"", "resource = \"aws_[db\""),
                "invalid glob",
                "\"aws_[db\"",
            ),
            (
                ENTRY.replace("ticket", "tiket"),
                "unknown field `tiket`",
                "tiket",
            ),
            (
                ENTRY.replace(
                    "rule = \"CB-RDS-002,rds-backup-retention\"",
                    "rule = \" , \"",
                ),
                "names no rule",
                "\" , \"",
            ),
        ];
        for (entry, message, spanned) in cases {
            let (m, s) = error(&with(&entry));
            assert!(m.contains(message), "{entry}: {m}");
            assert_eq!(s, spanned, "{entry}: {m}");
        }
        // No reason at all: the span is the entry.
        let (m, s) = error(&with(&ENTRY.replace("reason = \" staging \"\n", "")));
        assert!(m.contains("needs a reason"), "{m}");
        assert!(s.contains("rule = \"CB-RDS-002"), "{s}");
    }

    #[test]
    fn controls_are_read_and_checked() {
        let c = Policy::default_policy().waiver_controls;
        assert!(!c.inline_allowed("CB-RDS-001", "rds-storage-encrypted", Severity::Critical));
        assert!(c.inline_allowed("CB-RDS-002", "rds-multi-az", Severity::High));
        assert_eq!(c.max_waiver_days, Some(365));
        let by_rule = DEFAULT_POLICY.replace(
            "not_inline = [\"critical\"]",
            "not_inline = [\"rds-multi-az\", \"CB-SG-002\"]",
        );
        let c = Policy::parse_for("p.toml", &by_rule, &is_rule)
            .expect("valid")
            .waiver_controls;
        assert!(!c.inline_allowed("CB-RDS-002", "rds-multi-az", Severity::High));
        assert!(!c.inline_allowed("CB-SG-002", "sg-flow-matrix", Severity::High));
        assert!(c.inline_allowed("CB-RDS-001", "rds-storage-encrypted", Severity::Critical));
        let bad =
            DEFAULT_POLICY.replace("not_inline = [\"critical\"]", "not_inline = [\"severe\"]");
        let (m, s) = error(&bad);
        assert!(m.contains("neither a rule nor a severity"), "{m}");
        assert_eq!(s, "\"severe\"");
        let negative = DEFAULT_POLICY.replace("max_waiver_days = 365", "max_waiver_days = -1");
        assert_eq!(error(&negative).1, "-1");
    }

    #[test]
    fn a_waivers_file_holds_only_waivers() {
        let ws = parse_file("w.toml", ENTRY, &is_rule).expect("valid");
        assert_eq!(ws.len(), 1);
        assert_eq!(ws[0].location.line, 1);
        assert_eq!(&*ws[0].location.path, "w.toml");
        let e = parse_file(
            "w.toml",
            "[network]\nvpc_cidr = \"10.0.0.0/16\"\n",
            &is_rule,
        )
        .expect_err("not a waivers file");
        assert!(e.message.contains("network"), "{}", e.message);
        assert!(parse_file("w.toml", "", &is_rule)
            .expect("empty")
            .is_empty());
    }
}
