//! The two checks of the waivers themselves. They are not architecture rules (not in
//! `rules::RULES`, never selected): `crate::waiver::apply` reports their findings.

use crate::rules::{Area, Check, Rule, RuleScope, Severity};

/// Their findings come from `crate::waiver::apply`, not from a check over the inventory.
fn reported_by_the_waiver_step(_: &mut Check<'_>) {}

/// A waiver breaks `[waiver_controls]`.
pub static WAIVER_NOT_ALLOWED: Rule = Rule {
    id: "CB-WVR-001",
    name: "waiver-not-allowed",
    area: Area::Waivers,
    severity: Severity::High,
    scope: RuleScope::Account,
    doc: "# What it checks\nA waiver breaks the policy's `[waiver_controls]`: it waives inline a rule listed in\n`not_inline`, its `until` lies further than `max_waiver_days` from today, or it has no\n`until` while `require_until` is set. The waiver is not applied: the findings it names\nstill fail.\n\n# How to fix\nAsk the policy's owners to waive it in `[[waivers]]`, shorten `until`, or fix the\nfinding.\n",
    check: reported_by_the_waiver_step,
};

/// A waiver matches no finding.
pub static WAIVER_UNUSED: Rule = Rule {
    id: "CB-WVR-002",
    name: "waiver-unused",
    area: Area::Waivers,
    severity: Severity::Low,
    scope: RuleScope::Account,
    doc: "# What it checks\nA waiver matches no finding: what it accepted was fixed, or it names the wrong rule or\nresource. Dead waivers would silently accept a future violation.\n\n# How to fix\nRemove it (or correct its rule or resource). `[waiver_controls] report_unused = false`\nturns this check off.\n",
    check: reported_by_the_waiver_step,
};

/// Both.
pub static META_RULES: [&Rule; 2] = [&WAIVER_NOT_ALLOWED, &WAIVER_UNUSED];
