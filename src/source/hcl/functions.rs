//! Terraform's built-in functions, with Terraform 1.11 semantics at plan time.
//!
//! - A result that depends on an unknown value is unknown and carries the references of
//!   every unknown it depends on. Collection functions keep what is known: unknown elements
//!   stay in place (`concat`, `element`, `merge`, `values`, …), and `length`/`keys` of a
//!   known collection are known.
//! - A result that depends on a sensitive value is sensitive. Sensitive elements of a
//!   collection stay in place where the function only moves them around.
//! - `try`, `can` and the file functions (`file`, `templatefile`, `fileexists`) are
//!   evaluated by the evaluator itself; `uuid`, `timestamp` and `bcrypt` are unknown until
//!   apply, as in Terraform.

mod collections;
mod convert;
mod encoding;
mod format;
mod network;
mod numeric;
mod regex;
mod strings;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::source::terraform::{format_number, TfValue, UnknownValue};

type Func = fn(&mut Cx, Vec<TfValue>) -> Result<TfValue, String>;

/// Every function this library knows, by name.
const FUNCTIONS: &[(&str, Func)] = &[
    // collections
    ("chunklist", collections::chunklist),
    ("coalesce", collections::coalesce),
    ("coalescelist", collections::coalescelist),
    ("concat", collections::concat),
    ("contains", collections::contains),
    ("distinct", collections::distinct),
    ("element", collections::element),
    ("flatten", collections::flatten),
    ("index", collections::index),
    ("keys", collections::keys),
    ("length", collections::length),
    ("lookup", collections::lookup),
    ("matchkeys", collections::matchkeys),
    ("merge", collections::merge),
    ("one", collections::one),
    ("reverse", collections::reverse),
    ("slice", collections::slice),
    ("transpose", collections::transpose),
    ("values", collections::values),
    ("zipmap", collections::zipmap),
    // conversions and sets
    ("compact", convert::compact),
    ("setintersection", convert::setintersection),
    ("setsubtract", convert::setsubtract),
    ("setunion", convert::setunion),
    ("sort", convert::sort),
    ("tobool", convert::tobool),
    ("tolist", convert::tolist),
    ("tomap", convert::tomap),
    ("tonumber", convert::tonumber),
    ("toset", convert::toset),
    ("tostring", convert::tostring),
    // strings
    ("chomp", strings::chomp),
    ("endswith", strings::endswith),
    ("format", strings::format),
    ("formatlist", strings::formatlist),
    ("indent", strings::indent),
    ("join", strings::join),
    ("lower", strings::lower),
    ("regex", strings::regex),
    ("regexall", strings::regexall),
    ("replace", strings::replace),
    ("split", strings::split),
    ("startswith", strings::startswith),
    ("strcontains", strings::strcontains),
    ("substr", strings::substr),
    ("title", strings::title),
    ("trim", strings::trim),
    ("trimprefix", strings::trimprefix),
    ("trimspace", strings::trimspace),
    ("trimsuffix", strings::trimsuffix),
    ("upper", strings::upper),
    // encoding, hashing, apply-time and file functions
    ("base64decode", encoding::base64decode),
    ("base64encode", encoding::base64encode),
    ("bcrypt", encoding::bcrypt),
    ("file", encoding::file_function),
    ("fileexists", encoding::file_function),
    ("jsondecode", encoding::jsondecode),
    ("jsonencode", encoding::jsonencode),
    ("md5", encoding::md5),
    ("sha1", encoding::sha1),
    ("sha256", encoding::sha256),
    ("templatefile", encoding::file_function),
    ("timestamp", encoding::timestamp),
    ("urlencode", encoding::urlencode),
    ("uuid", encoding::uuid),
    // network
    ("cidrhost", network::cidrhost),
    ("cidrnetmask", network::cidrnetmask),
    ("cidrsubnet", network::cidrsubnet),
    ("cidrsubnets", network::cidrsubnets),
    // numbers
    ("abs", numeric::abs),
    ("alltrue", numeric::alltrue),
    ("anytrue", numeric::anytrue),
    ("ceil", numeric::ceil),
    ("floor", numeric::floor),
    ("max", numeric::max),
    ("min", numeric::min),
    ("range", numeric::range),
    ("sum", numeric::sum),
];

/// Calls a Terraform built-in function. `Err` is a user-facing message ("function `x`
/// expects a list, got a string") that the evaluator reports with the call's span.
pub fn call(name: &str, args: Vec<TfValue>) -> Result<TfValue, String> {
    let Some((name, f)) = FUNCTIONS.iter().find(|(n, _)| *n == name) else {
        return Err(format!("there is no function named `{name}`"));
    };
    let mut cx = Cx::new(name);
    let out = f(&mut cx, args)?;
    Ok(cx.finish(out))
}

/// Whether `name` is a function this library knows.
pub fn is_known(name: &str) -> bool {
    FUNCTIONS.iter().any(|(n, _)| *n == name)
}

/// The state of one call: the function name (for messages), whether the result depends on
/// a sensitive value, and the unknown values it depends on.
pub(crate) struct Cx {
    name: &'static str,
    sensitive: bool,
    unknown_refs: Vec<String>,
    unknown_reason: Option<String>,
    has_unknown: bool,
}

impl Cx {
    fn new(name: &'static str) -> Cx {
        Cx {
            name,
            sensitive: false,
            unknown_refs: Vec::new(),
            unknown_reason: None,
            has_unknown: false,
        }
    }

    /// A user-facing error of this function.
    pub(crate) fn err(&self, msg: impl std::fmt::Display) -> String {
        format!("function `{}`: {msg}", self.name)
    }

    /// A type error: "function `x` expects a list, got a string".
    pub(crate) fn expected(&self, what: &str, got: &TfValue) -> String {
        let article = match got {
            TfValue::Null => "",
            TfValue::Unknown(_) => "an ",
            _ => "a ",
        };
        format!(
            "function `{}` expects {what}, got {article}{}",
            self.name,
            type_name(got)
        )
    }

    /// Exactly `N` arguments.
    pub(crate) fn args<const N: usize>(&self, args: Vec<TfValue>) -> Result<[TfValue; N], String> {
        let got = args.len();
        args.try_into()
            .map_err(|_| self.arity_error(&N.to_string(), N, got))
    }

    /// Between `min` and `max` arguments.
    pub(crate) fn arity(
        &self,
        args: &[TfValue],
        min: usize,
        max: Option<usize>,
    ) -> Result<(), String> {
        let got = args.len();
        match max {
            Some(max) if got < min || got > max => {
                let want = if min == max {
                    min.to_string()
                } else {
                    format!("{min} to {max}")
                };
                Err(self.arity_error(&want, max, got))
            }
            None if got < min => Err(self.arity_error(&format!("at least {min}"), min, got)),
            _ => Ok(()),
        }
    }

    fn arity_error(&self, want: &str, plural: usize, got: usize) -> String {
        let s = if plural == 1 { "" } else { "s" };
        format!(
            "function `{}` expects {want} argument{s}, got {got}",
            self.name
        )
    }

    /// Notes that the result depends on `v` at the top level: strips and records a
    /// `Sensitive` wrapper.
    pub(crate) fn open(&mut self, v: TfValue) -> TfValue {
        match v {
            TfValue::Sensitive(inner) => {
                self.sensitive = true;
                self.open(*inner)
            }
            other => other,
        }
    }

    /// Marks the result sensitive.
    pub(crate) fn mark_sensitive(&mut self) {
        self.sensitive = true;
    }

    /// Records an unknown the result depends on.
    pub(crate) fn note_unknown(&mut self, u: &UnknownValue) {
        self.has_unknown = true;
        for r in &u.refs {
            if !self.unknown_refs.contains(r) {
                self.unknown_refs.push(r.clone());
            }
        }
        if self.unknown_reason.is_none() {
            self.unknown_reason.clone_from(&u.reason);
        }
    }

    /// Records every unknown inside `v`.
    pub(crate) fn note_unknowns(&mut self, v: &TfValue) {
        match v {
            TfValue::Unknown(u) => self.note_unknown(u),
            TfValue::Sensitive(inner) => self.note_unknowns(inner),
            TfValue::List(items) => items.iter().for_each(|i| self.note_unknowns(i)),
            TfValue::Map(m) => m.values().for_each(|i| self.note_unknowns(i)),
            _ => {}
        }
    }

    /// Whether an unknown has been recorded.
    pub(crate) fn is_unknown(&self) -> bool {
        self.has_unknown
    }

    /// The unknown result: the union of the references of the recorded unknowns.
    pub(crate) fn unknown(&self) -> TfValue {
        TfValue::Unknown(Arc::new(UnknownValue {
            refs: self.unknown_refs.clone(),
            configured: true,
            reason: self.unknown_reason.clone(),
            partial: None,
        }))
    }

    /// The value with every `Sensitive` wrapper removed (recorded), or `None` when it
    /// contains an unknown anywhere (recorded, with its references).
    pub(crate) fn deep(&mut self, v: TfValue) -> Option<TfValue> {
        let before = self.has_unknown;
        self.has_unknown = false;
        let out = self.strip(v);
        let found = self.has_unknown;
        self.has_unknown = before || found;
        (!found).then_some(out)
    }

    fn strip(&mut self, v: TfValue) -> TfValue {
        match v {
            TfValue::Sensitive(inner) => {
                self.sensitive = true;
                self.strip(*inner)
            }
            TfValue::Unknown(u) => {
                self.note_unknown(&u);
                TfValue::Unknown(u)
            }
            TfValue::List(items) => {
                TfValue::List(items.into_iter().map(|i| self.strip(i)).collect())
            }
            TfValue::Map(m) => {
                TfValue::Map(m.into_iter().map(|(k, v)| (k, self.strip(v))).collect())
            }
            other => other,
        }
    }

    /// Opens `v`; `Ok(None)` (recorded) when it is unknown.
    fn known(&mut self, v: TfValue) -> Option<TfValue> {
        match self.open(v) {
            TfValue::Unknown(u) => {
                self.note_unknown(&u);
                None
            }
            other => Some(other),
        }
    }

    /// A string argument (numbers and bools convert as in Terraform).
    pub(crate) fn string(&mut self, v: TfValue) -> Result<Option<String>, String> {
        let Some(v) = self.known(v) else {
            return Ok(None);
        };
        match primitive_string(&v) {
            Some(s) => Ok(Some(s)),
            None if v.is_null() => Err(self.err("argument must not be null")),
            None => Err(self.expected("a string", &v)),
        }
    }

    /// A number argument (numeric strings convert).
    pub(crate) fn number(&mut self, v: TfValue) -> Result<Option<f64>, String> {
        let Some(v) = self.known(v) else {
            return Ok(None);
        };
        match &v {
            TfValue::Number(n) => Ok(Some(*n)),
            TfValue::String(s) => match parse_number(s) {
                Some(n) => Ok(Some(n)),
                None => Err(self.err(format!("cannot convert {s:?} to a number"))),
            },
            TfValue::Null => Err(self.err("argument must not be null")),
            other => Err(self.expected("a number", other)),
        }
    }

    /// A whole-number argument.
    pub(crate) fn int(&mut self, v: TfValue) -> Result<Option<i64>, String> {
        match self.number(v)? {
            None => Ok(None),
            Some(n) if n.fract() == 0.0 && n.abs() < 9.0e18 => Ok(Some(n as i64)),
            Some(n) => Err(self.err(format!("{} is not a whole number", format_number(n)))),
        }
    }

    /// A list, set or tuple argument; its elements stay as they are.
    pub(crate) fn list(&mut self, v: TfValue) -> Result<Option<Vec<TfValue>>, String> {
        match self.known(v) {
            None => Ok(None),
            Some(TfValue::List(items)) => Ok(Some(items)),
            Some(TfValue::Null) => Err(self.err("argument must not be null")),
            Some(other) => Err(self.expected("a list", &other)),
        }
    }

    /// A map or object argument; its values stay as they are.
    pub(crate) fn map(&mut self, v: TfValue) -> Result<Option<BTreeMap<String, TfValue>>, String> {
        match self.known(v) {
            None => Ok(None),
            Some(TfValue::Map(m)) => Ok(Some(m)),
            Some(TfValue::Null) => Err(self.err("argument must not be null")),
            Some(other) => Err(self.expected("a map", &other)),
        }
    }

    /// Wraps the result in `Sensitive` when it depends on a sensitive value (an unknown
    /// result stays a plain unknown, as the evaluator keeps them).
    fn finish(self, out: TfValue) -> TfValue {
        match out {
            TfValue::Sensitive(_) | TfValue::Unknown(_) => out,
            out if self.sensitive => TfValue::Sensitive(Box::new(out)),
            out => out,
        }
    }
}

/// The Terraform name of a value's type, for messages.
pub(crate) fn type_name(v: &TfValue) -> &'static str {
    match v {
        TfValue::Null => "null",
        TfValue::Bool(_) => "bool",
        TfValue::Number(_) => "number",
        TfValue::String(_) => "string",
        TfValue::List(_) => "list",
        TfValue::Map(_) => "map",
        TfValue::Unknown(_) => "unknown value",
        TfValue::Sensitive(inner) => type_name(inner),
    }
}

/// A primitive as a string, as Terraform converts it (`5`, `1.5`, `true`).
pub(crate) fn primitive_string(v: &TfValue) -> Option<String> {
    match v {
        TfValue::String(s) => Some(s.clone()),
        TfValue::Number(n) => Some(format_number(*n)),
        TfValue::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A decimal number as Terraform parses it (no `inf`, `nan` or surrounding spaces).
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if !plain {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Terraform equality: `None` when it depends on an unknown. Values of different types are
/// never equal (as in Terraform, where `"1" != 1`); sensitivity is looked through.
pub(crate) fn equal(a: &TfValue, b: &TfValue) -> Option<bool> {
    use TfValue as V;
    match (a, b) {
        (V::Sensitive(x), _) => equal(x, b),
        (_, V::Sensitive(y)) => equal(a, y),
        (V::Unknown(_), _) | (_, V::Unknown(_)) => None,
        (V::Null, V::Null) => Some(true),
        (V::Number(x), V::Number(y)) => Some(x == y),
        (V::String(x), V::String(y)) => Some(x == y),
        (V::Bool(x), V::Bool(y)) => Some(x == y),
        (V::List(x), V::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all_equal(x.iter().zip(y))
        }
        (V::Map(x), V::Map(y)) => {
            if x.len() != y.len() || x.keys().ne(y.keys()) {
                return Some(false);
            }
            all_equal(x.values().zip(y.values()))
        }
        _ => Some(false),
    }
}

fn all_equal<'a>(pairs: impl Iterator<Item = (&'a TfValue, &'a TfValue)>) -> Option<bool> {
    let mut unknown = false;
    for (x, y) in pairs {
        match equal(x, y) {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    if unknown {
        None
    } else {
        Some(true)
    }
}

/// Whether an object key is user data: keys starting with NUL are the evaluator's internal
/// markers (the resource identity of a resource object), never shown by `keys`, `values`,
/// `length` or `jsonencode`.
pub(crate) fn visible(key: &str) -> bool {
    !key.starts_with('\0')
}

/// Whether a value contains an unknown anywhere.
pub(crate) fn has_unknown(v: &TfValue) -> bool {
    match v {
        TfValue::Unknown(_) => true,
        TfValue::Sensitive(inner) => has_unknown(inner),
        TfValue::List(items) => items.iter().any(has_unknown),
        TfValue::Map(m) => m.values().any(has_unknown),
        _ => false,
    }
}

/// Whether a value is sensitive or contains a sensitive value.
pub(crate) fn has_sensitive(v: &TfValue) -> bool {
    match v {
        TfValue::Sensitive(_) => true,
        TfValue::List(items) => items.iter().any(has_sensitive),
        TfValue::Map(m) => m.values().any(has_sensitive),
        _ => false,
    }
}
