//! One `cbaudit scan … --format json` run, as the baseline tests read it (shared by
//! `tests/baseline.rs` and `tests/live/baseline.rs` through `#[path]`).
#![allow(dead_code)] // each test crate uses its own part

use std::collections::BTreeMap;

use serde_json::Value;

pub struct Scan {
    pub code: i32,
    pub doc: Value,
}

impl Scan {
    pub fn findings(&self) -> &[Value] {
        self.doc["findings"].as_array().expect("findings")
    }

    pub fn summary(&self, key: &str) -> usize {
        self.doc["summary"][key]
            .as_u64()
            .unwrap_or_else(|| panic!("summary.{key}")) as usize
    }

    /// Findings neither waived nor in the baseline (each finding's `suppression` and the
    /// summary agree).
    pub fn active(&self) -> usize {
        let active = self
            .findings()
            .iter()
            .filter(|f| f["suppression"].is_null())
            .count();
        assert_eq!(
            active,
            self.findings().len() - self.summary("waived_findings"),
            "suppressions and summary.waived_findings"
        );
        active
    }

    /// The fingerprints of every finding, as a multiset.
    pub fn fingerprints(&self) -> BTreeMap<String, usize> {
        multiset(self.findings().iter().map(fingerprint))
    }
}

pub fn fingerprint(f: &Value) -> String {
    f["fingerprint"].as_str().expect("fingerprint").to_string()
}

pub fn multiset<I: IntoIterator<Item = String>>(items: I) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for i in items {
        *out.entry(i).or_insert(0) += 1;
    }
    out
}
