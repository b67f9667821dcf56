//! Terraform attribute values as both Terraform sources know them before apply.
//!
//! The plan source builds them from `after` + `after_unknown` + `after_sensitive`; the HCL
//! source from evaluated expressions. Unknown values keep what their expression refers to,
//! so references resolve to resource identities while ids are still unknown.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::{Field, RefTarget, Refs, Unknown};

/// A value unknown before apply.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnknownValue {
    /// Absolute addresses of the resources the expression refers to.
    pub refs: Vec<String>,
    /// Whether the configuration sets the attribute at all. An unset, provider-computed
    /// attribute is absent: AWS or provider defaults apply.
    pub configured: bool,
    /// Why it is unknown, when it is not simply "computed during apply".
    pub reason: Option<String>,
    /// The known parts of an unknown JSON text (`jsonencode` of a value with unknown parts).
    pub partial: Option<Arc<Partial>>,
}

/// The prefix of the marker that stands for an unknown leaf in a [`Partial`] JSON text. It
/// starts with NUL, which no configuration string is allowed to carry into a partial: an
/// encoder refuses to build a partial from a value holding this prefix anywhere.
pub const MARKER_PREFIX: &str = "\u{0}cbaudit-unknown:";

/// A JSON text known except for some leaves: each unknown leaf is the JSON string
/// `"\u{0}cbaudit-unknown:<n>\u{0}"`, where `<n>` indexes [`Partial::unknowns`]. Mappers read
/// it with [`Partial::unknown_at`] and turn marker leaves into unknown fields; a marker is
/// never a value and never printed.
#[derive(Clone, PartialEq)]
pub struct Partial {
    pub json: String,
    pub unknowns: Vec<Arc<UnknownValue>>,
    /// The encoded value held a sensitive part: every known part is sensitive.
    pub sensitive: bool,
}

impl std::fmt::Debug for Partial {
    /// Never shows the text (it may hold sensitive or secret-looking values).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Partial")
            .field("json", &format_args!("<{} bytes>", self.json.len()))
            .field("unknowns", &self.unknowns.len())
            .field("sensitive", &self.sensitive)
            .finish()
    }
}

impl Partial {
    /// The marker of the unknown number `n`.
    pub fn marker(n: usize) -> String {
        format!("{MARKER_PREFIX}{n}\u{0}")
    }

    /// Whether `s` is (or holds) a marker: never a real value.
    pub fn is_marker(s: &str) -> bool {
        s.contains(MARKER_PREFIX)
    }

    /// The unknown a marker string stands for, as a field's reason (it names what the
    /// unknown refers to). `None` when `s` is a plain string.
    pub fn unknown_at(&self, s: &str) -> Option<Unknown> {
        let rest = s.strip_prefix(MARKER_PREFIX)?;
        let n: usize = rest.strip_suffix('\u{0}')?.parse().ok()?;
        Some(match self.unknowns.get(n) {
            Some(u) => partial_reason(u),
            None => Unknown::AfterApply,
        })
    }

    /// The reason of a string that holds a marker (whole or in part).
    pub fn unknown_in(&self, s: &str) -> Option<Unknown> {
        if !Partial::is_marker(s) {
            return None;
        }
        Some(
            self.unknown_at(s)
                .unwrap_or_else(|| self.reason_of_first_marker(s)),
        )
    }

    fn reason_of_first_marker(&self, s: &str) -> Unknown {
        let Some(at) = s.find(MARKER_PREFIX) else {
            return Unknown::AfterApply;
        };
        let rest = &s[at..];
        match rest[1..].find('\u{0}') {
            Some(end) => self
                .unknown_at(&rest[..end + 2])
                .unwrap_or(Unknown::AfterApply),
            None => Unknown::AfterApply,
        }
    }
}

/// The reason of an unknown leaf: its own reason, else what it depends on.
fn partial_reason(u: &UnknownValue) -> Unknown {
    match (&u.reason, u.refs.is_empty()) {
        (Some(r), _) => Unknown::Unresolved(r.clone()),
        (None, false) => Unknown::Unresolved(format!(
            "it depends on {}, known only after apply",
            u.refs.join(", ")
        )),
        (None, true) => Unknown::AfterApply,
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub enum TfValue {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<TfValue>),
    Map(BTreeMap<String, TfValue>),
    Unknown(Arc<UnknownValue>),
    /// A value Terraform marks sensitive: usable, never printed.
    Sensitive(Box<TfValue>),
}

static NULL: TfValue = TfValue::Null;

impl TfValue {
    /// Converts plain JSON (no unknowns, nothing sensitive).
    pub fn from_json(v: &serde_json::Value) -> TfValue {
        use serde_json::Value as J;
        match v {
            J::Null => TfValue::Null,
            J::Bool(b) => TfValue::Bool(*b),
            J::Number(n) => TfValue::Number(n.as_f64().unwrap_or(f64::NAN)),
            J::String(s) => TfValue::String(s.clone()),
            J::Array(a) => TfValue::List(a.iter().map(TfValue::from_json).collect()),
            J::Object(o) => TfValue::Map(
                o.iter()
                    .map(|(k, v)| (k.clone(), TfValue::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// The attribute `key` of an object (Null when missing). Looks through sensitivity:
    /// the attributes of a sensitive object are sensitive.
    pub fn get(&self, key: &str) -> TfRef<'_> {
        match self {
            TfValue::Map(m) => TfRef::plain(m.get(key).unwrap_or(&NULL)),
            TfValue::Sensitive(inner) => inner.get(key).sensitive(),
            // A whole value unknown for a reason of its own (the instances of a `for_each`
            // over a data source in a directory scan): each attribute is, for that reason.
            TfValue::Unknown(u) if u.configured && u.refs.is_empty() && u.reason.is_some() => {
                TfRef::plain(self)
            }
            TfValue::Unknown(u) => TfRef::unknown(u),
            _ => TfRef::plain(&NULL),
        }
    }

    /// The list elements (a single non-list value is not a list: empty).
    pub fn items(&self) -> Vec<TfRef<'_>> {
        match self {
            TfValue::List(items) => items.iter().map(TfRef::plain).collect(),
            TfValue::Sensitive(inner) => inner.items().into_iter().map(TfRef::sensitive).collect(),
            _ => Vec::new(),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, TfValue::Null)
    }
}

/// A borrowed value plus whether an enclosing value was sensitive or unknown.
#[derive(Debug, Clone, Copy)]
pub struct TfRef<'a> {
    pub value: &'a TfValue,
    pub sensitive: bool,
}

impl<'a> TfRef<'a> {
    pub fn plain(value: &'a TfValue) -> TfRef<'a> {
        TfRef {
            value,
            sensitive: false,
        }
    }

    /// The attribute of an unknown object: unknown, or absent when the object itself is
    /// not configured (a provider-computed block such as a default `health_check`).
    fn unknown(u: &'a Arc<UnknownValue>) -> TfRef<'a> {
        if u.configured {
            TfRef::plain(&UNKNOWN)
        } else {
            TfRef::plain(&NULL)
        }
    }

    fn sensitive(self) -> TfRef<'a> {
        TfRef {
            sensitive: true,
            ..self
        }
    }

    /// Peels a `Sensitive` wrapper off the value, remembering that it was sensitive.
    fn peel_sensitive(self) -> TfRef<'a> {
        match self.value {
            TfValue::Sensitive(inner) => TfRef {
                value: inner,
                sensitive: true,
            }
            .peel_sensitive(),
            _ => self,
        }
    }

    pub fn get(self, key: &str) -> TfRef<'a> {
        let me = self.peel_sensitive();
        let r = me.value.get(key);
        if me.sensitive {
            r.sensitive()
        } else {
            r
        }
    }

    /// The first block of a nested block list (`health_check`, `network_configuration`).
    pub fn block(self, key: &str) -> TfRef<'a> {
        let list = self.get(key);
        match list.peel_sensitive().value {
            TfValue::List(_) => list
                .items()
                .into_iter()
                .next()
                .unwrap_or(TfRef::plain(&NULL)),
            _ => list,
        }
    }

    pub fn items(self) -> Vec<TfRef<'a>> {
        let me = self.peel_sensitive();
        match me.value {
            TfValue::List(items) => items
                .iter()
                .map(|v| TfRef {
                    value: v,
                    sensitive: me.sensitive,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Object entries (maps, tags).
    pub fn entries(self) -> Vec<(&'a str, TfRef<'a>)> {
        let me = self.peel_sensitive();
        match me.value {
            TfValue::Map(m) => m
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str(),
                        TfRef {
                            value: v,
                            sensitive: me.sensitive,
                        },
                    )
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn is_null(self) -> bool {
        self.peel_sensitive().value.is_null()
    }

    pub fn is_unknown(self) -> bool {
        matches!(self.peel_sensitive().value, TfValue::Unknown(_))
    }

    /// The known parts of an unknown JSON text, when its expression was evaluated (a
    /// `jsonencode` with unknown leaves). Sensitive when the value or any part is.
    pub fn partial_json(self) -> Option<Partial> {
        let me = self.peel_sensitive();
        match me.value {
            TfValue::Unknown(u) if u.configured => u.partial.as_ref().map(|p| Partial {
                sensitive: p.sensitive || me.sensitive,
                ..Partial::clone(p)
            }),
            _ => None,
        }
    }

    /// A scalar as a field, converted by `f` (None = wrong type → unknown).
    fn field<T>(self, what: &str, f: impl FnOnce(&TfValue) -> Option<T>) -> Field<T> {
        let me = self.peel_sensitive();
        match me.value {
            TfValue::Null => Field::Absent,
            TfValue::Unknown(u) => unknown_field(u),
            v => match f(v) {
                Some(x) if me.sensitive => Field::Sensitive(x),
                Some(x) => Field::Known(x),
                None => Field::Unknown(Unknown::Unresolved(format!("not a {what}"))),
            },
        }
    }

    pub fn string(self) -> Field<String> {
        self.field("string", |v| match v {
            TfValue::String(s) => Some(s.clone()),
            TfValue::Number(n) => Some(format_number(*n)),
            TfValue::Bool(b) => Some(b.to_string()),
            _ => None,
        })
    }

    /// A string that is absent when empty (`""` is how the provider spells "not set").
    pub fn string_nonempty(self) -> Field<String> {
        match self.string() {
            Field::Known(s) | Field::Sensitive(s) if s.is_empty() => Field::Absent,
            other => other,
        }
    }

    pub fn bool(self) -> Field<bool> {
        self.field("bool", |v| match v {
            TfValue::Bool(b) => Some(*b),
            TfValue::String(s) if s == "true" => Some(true),
            TfValue::String(s) if s == "false" => Some(false),
            _ => None,
        })
    }

    pub fn int(self) -> Field<i64> {
        self.field("number", |v| match v {
            TfValue::Number(n) if n.fract() == 0.0 => Some(*n as i64),
            TfValue::String(s) => s.trim().parse().ok(),
            _ => None,
        })
    }

    pub fn float(self) -> Field<f64> {
        self.field("number", |v| match v {
            TfValue::Number(n) => Some(*n),
            TfValue::String(s) => s.trim().parse().ok(),
            _ => None,
        })
    }

    /// A list of strings (or a single string).
    pub fn strings(self) -> Field<Vec<String>> {
        let me = self.peel_sensitive();
        match me.value {
            TfValue::Null => Field::Absent,
            TfValue::Unknown(u) => unknown_field(u),
            TfValue::String(s) => Field::Known(vec![s.clone()]),
            TfValue::List(_) => {
                let mut out = Vec::new();
                for item in me.items() {
                    match item.string() {
                        Field::Known(s) | Field::Sensitive(s) => out.push(s),
                        Field::Unknown(u) => return Field::Unknown(u),
                        Field::Absent => {}
                    }
                }
                if me.sensitive {
                    Field::Sensitive(out)
                } else {
                    Field::Known(out)
                }
            }
            _ => Field::Unknown(Unknown::Unresolved("not a list of strings".into())),
        }
    }

    /// A list of strings where an element known only after apply but computed from
    /// resource references reads `${aws_s3_bucket.models}`: specific, never a wildcard. Used
    /// for policy statements whose ARNs are not known yet.
    pub fn strings_or_references(self) -> Field<Vec<String>> {
        let me = self.peel_sensitive();
        let placeholder = |u: &UnknownValue| -> Option<String> {
            (!u.refs.is_empty()).then(|| format!("${{{}}}", u.refs.join(", ")))
        };
        match me.value {
            TfValue::Unknown(u) if u.configured => match placeholder(u) {
                Some(p) => Field::Known(vec![p]),
                None => unknown_field(u),
            },
            TfValue::List(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        TfValue::Unknown(u) => match placeholder(u) {
                            Some(p) => out.push(p),
                            None => return unknown_field(u),
                        },
                        other => match TfRef::plain(other).string() {
                            Field::Known(s) | Field::Sensitive(s) => out.push(s),
                            Field::Unknown(u) => return Field::Unknown(u),
                            Field::Absent => {}
                        },
                    }
                }
                Field::Known(out)
            }
            _ => self.strings(),
        }
    }

    /// A reference attribute (an id, ARN or name, or a list of them): known values become
    /// identifiers, unknown ones the addresses their expression refers to.
    pub fn refs(self) -> Refs {
        let me = self.peel_sensitive();
        if let TfValue::Unknown(u) = me.value {
            if !u.configured {
                return Field::Absent;
            }
        }
        let mut targets = Vec::new();
        match collect_refs(me.value, &mut targets) {
            Ok(()) if targets.is_empty() && me.value.is_null() => Field::Absent,
            Ok(()) => Field::Known(targets),
            Err(u) => Field::Unknown(u),
        }
    }
}

static UNKNOWN: std::sync::LazyLock<TfValue> = std::sync::LazyLock::new(|| {
    TfValue::Unknown(Arc::new(UnknownValue {
        refs: Vec::new(),
        configured: true,
        reason: None,
        partial: None,
    }))
});

fn collect_refs(v: &TfValue, out: &mut Vec<RefTarget>) -> Result<(), Unknown> {
    match v {
        TfValue::Null => Ok(()),
        TfValue::String(s) if s.is_empty() => Ok(()),
        TfValue::String(s) => {
            push_unique(out, RefTarget::Ident(s.clone()));
            Ok(())
        }
        TfValue::Number(n) => {
            push_unique(out, RefTarget::Ident(format_number(*n)));
            Ok(())
        }
        TfValue::List(items) => items.iter().try_for_each(|i| collect_refs(i, out)),
        TfValue::Sensitive(inner) => collect_refs(inner, out),
        TfValue::Unknown(u) => {
            if u.refs.is_empty() {
                return Err(match &u.reason {
                    Some(r) => Unknown::Unresolved(r.clone()),
                    None => Unknown::AfterApply,
                });
            }
            for r in &u.refs {
                push_unique(out, RefTarget::Address(r.clone()));
            }
            Ok(())
        }
        TfValue::Bool(_) | TfValue::Map(_) => {
            Err(Unknown::Unresolved("not a resource reference".into()))
        }
    }
}

fn push_unique(out: &mut Vec<RefTarget>, t: RefTarget) {
    if !out.contains(&t) {
        out.push(t);
    }
}

fn unknown_field<T>(u: &UnknownValue) -> Field<T> {
    if !u.configured {
        return Field::Absent;
    }
    Field::Unknown(match &u.reason {
        Some(r) => Unknown::Unresolved(r.clone()),
        None => Unknown::AfterApply,
    })
}

/// Formats a number as Terraform does (`30`, not `30.0`).
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
