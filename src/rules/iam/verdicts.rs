//! Shared by the CB-IAM-* rules: one verdict per (resource, attribute) from many policies.

use crate::model::{ResId, Unknown};
use crate::rules::Check;

/// Verdicts gathered per (resource, attribute): failures, else the first unknown, else pass.
#[derive(Default)]
pub struct Verdicts {
    entries: Vec<Entry>,
}

struct Entry {
    on: ResId,
    attribute: &'static str,
    fails: Vec<String>,
    unknown: Option<(String, Unknown)>,
}

impl Verdicts {
    fn entry(&mut self, on: ResId, attribute: &'static str) -> &mut Entry {
        let pos = match self
            .entries
            .iter()
            .position(|e| e.on == on && e.attribute == attribute)
        {
            Some(pos) => pos,
            None => {
                self.entries.push(Entry {
                    on,
                    attribute,
                    fails: Vec::new(),
                    unknown: None,
                });
                self.entries.len() - 1
            }
        };
        &mut self.entries[pos]
    }

    pub fn pass(&mut self, on: ResId, attribute: &'static str) {
        self.entry(on, attribute);
    }

    pub fn fail(&mut self, on: ResId, attribute: &'static str, message: String) {
        let e = self.entry(on, attribute);
        if !e.fails.contains(&message) {
            e.fails.push(message);
        }
    }

    pub fn unknown(&mut self, on: ResId, attribute: &'static str, what: String, why: Unknown) {
        let e = self.entry(on, attribute);
        if e.unknown.is_none() {
            e.unknown = Some((what, why));
        }
    }

    /// Records one outcome per (resource, attribute).
    pub fn emit(self, c: &mut Check<'_>, help: &str) {
        for e in self.entries {
            if !e.fails.is_empty() {
                c.fail(e.on, Some(e.attribute), e.fails.join("; "), help);
            } else if let Some((what, why)) = e.unknown {
                c.unknown(e.on, Some(e.attribute), &what, &why);
            } else {
                c.pass(e.on);
            }
        }
    }
}
