//! Glob lists and selectors: how the policy names resources.

use std::collections::BTreeMap;

use globset::{GlobBuilder, GlobMatcher};
use serde::{Deserialize, Deserializer};

/// A list of case-insensitive glob patterns (`*bot*`).
#[derive(Debug, Clone, Default)]
pub struct GlobList {
    patterns: Vec<String>,
    matchers: Vec<GlobMatcher>,
}

impl GlobList {
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<GlobList, String> {
        let mut list = GlobList::default();
        for p in patterns {
            let p = p.as_ref();
            let glob = GlobBuilder::new(p)
                .case_insensitive(true)
                .literal_separator(false)
                .build()
                .map_err(|e| format!("invalid glob `{p}`: {}", e.kind()))?;
            list.patterns.push(p.to_string());
            list.matchers.push(glob.compile_matcher());
        }
        Ok(list)
    }

    pub fn matches(&self, text: &str) -> bool {
        self.matchers.iter().any(|m| m.is_match(text))
    }

    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

impl<'de> Deserialize<'de> for GlobList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let patterns = Vec::<String>::deserialize(d)?;
        GlobList::new(&patterns).map_err(serde::de::Error::custom)
    }
}

/// Selects resources by tags (when the resource carries one of the tag keys) or by name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selector {
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub names: GlobList,
}

impl Selector {
    /// A resource is selected when every selector tag it carries has the selector's value;
    /// when it carries none of the selector's tags (or the selector has none), by name.
    pub fn matches(&self, tags: Option<&BTreeMap<String, String>>, name: Option<&str>) -> bool {
        if let Some(tags) = tags {
            let mut carried = false;
            for (key, want) in &self.tags {
                if let Some(have) = tags.get(key) {
                    carried = true;
                    if !have.eq_ignore_ascii_case(want) {
                        return false;
                    }
                }
            }
            if carried {
                return true;
            }
        }
        name.is_some_and(|n| self.names.matches(n))
    }
}
