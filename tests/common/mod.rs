//! Helpers shared by the integration tests (`mod common;` in each test crate).

use cbaudit::engine::Finding;

/// How the tests name a finding: its rule, its resource's address (or
/// `missing:<subject>` for something missing) and its outcome.
pub fn finding_key(f: &Finding) -> (String, String, &'static str) {
    let resource = f
        .resource
        .clone()
        .unwrap_or_else(|| format!("missing:{}", f.subject));
    (f.rule.id.to_string(), resource, f.outcome.as_str())
}
