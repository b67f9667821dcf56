//! Expression evaluation with Terraform's plan-time semantics: what is known before apply is
//! computed, what is not is an unknown value that remembers the resources it comes from.
//!
//! - this file: scopes, repetitions and the marks on values (unknown, sensitive, resource);
//! - `expr.rs`: expressions, traversals, operators and `for` expressions;
//! - `template.rs`: string templates (interpolations and directives);
//! - `call.rs`: function calls (the library in `super::functions`, plus `try`, `can` and
//!   the file functions, which need the evaluator);
//! - `values.rs`: attribute and index access, computed attributes, operators on values.

mod call;
mod expr;
mod template;
mod values;

use std::sync::Arc;

use super::config::Loc;
use super::error::HclError;
use super::project::InstId;
use crate::source::terraform::{format_number, TfValue, UnknownValue};

/// The key that marks a map as a resource instance object (its value is the address):
/// attributes it does not configure are unknown, with the resource as their identity.
pub const RESOURCE_MARKER: &str = "\u{0}resource";

/// `each` / `count` of the resource or module instance being evaluated.
#[derive(Debug, Clone, Default)]
pub enum Repetition {
    #[default]
    None,
    Count(i64),
    Each(String, TfValue),
}

/// Where an expression is evaluated.
#[derive(Clone)]
pub struct Scope {
    pub inst: InstId,
    pub rep: Repetition,
    /// `for` iteration variables and `dynamic` iterators, innermost last.
    pub vars: Vec<(String, TfValue)>,
    /// The location of the expression, for diagnostics.
    pub loc: Loc,
}

impl Scope {
    pub fn with_var(&self, name: &str, value: TfValue) -> Scope {
        let mut s = self.clone();
        s.vars.push((name.to_string(), value));
        s
    }
}

pub type EvalResult = Result<TfValue, HclError>;

/// An unknown value computed from `refs`.
pub fn unknown(refs: Vec<String>) -> TfValue {
    TfValue::Unknown(Arc::new(UnknownValue {
        refs,
        configured: true,
        reason: None,
        partial: None,
    }))
}

/// An unknown value that could not be evaluated, and why.
pub fn unevaluated(reason: impl Into<String>) -> TfValue {
    TfValue::Unknown(Arc::new(UnknownValue {
        refs: Vec::new(),
        configured: true,
        reason: Some(reason.into()),
        partial: None,
    }))
}

/// The value under any sensitivity mark, and whether it was marked.
pub fn unmark(v: &TfValue) -> (&TfValue, bool) {
    match v {
        TfValue::Sensitive(inner) => (unmark(inner).0, true),
        other => (other, false),
    }
}

pub fn mark(v: TfValue, sensitive: bool) -> TfValue {
    if sensitive && !matches!(v, TfValue::Sensitive(_) | TfValue::Unknown(_)) {
        TfValue::Sensitive(Box::new(v))
    } else {
        v
    }
}

/// The union of the references of every unknown inside `values` (deeply), if any is unknown.
pub fn unknown_in(values: &[&TfValue]) -> Option<TfValue> {
    let mut refs = Vec::new();
    let mut reason = None;
    let mut any = false;
    fn walk(v: &TfValue, refs: &mut Vec<String>, reason: &mut Option<String>, any: &mut bool) {
        match v {
            TfValue::Unknown(u) => {
                *any = true;
                for r in &u.refs {
                    if !refs.contains(r) {
                        refs.push(r.clone());
                    }
                }
                if reason.is_none() {
                    reason.clone_from(&u.reason);
                }
            }
            TfValue::Sensitive(inner) => walk(inner, refs, reason, any),
            TfValue::List(items) => items.iter().for_each(|i| walk(i, refs, reason, any)),
            TfValue::Map(m) => m
                .iter()
                .filter(|(k, _)| k.as_str() != RESOURCE_MARKER)
                .for_each(|(_, i)| walk(i, refs, reason, any)),
            _ => {}
        }
    }
    for v in values {
        walk(v, &mut refs, &mut reason, &mut any);
    }
    any.then(|| {
        TfValue::Unknown(Arc::new(UnknownValue {
            refs,
            configured: true,
            reason,
            partial: None,
        }))
    })
}

/// Terraform's string conversion of a primitive.
pub fn to_string(v: &TfValue) -> Option<String> {
    match unmark(v).0 {
        TfValue::String(s) => Some(s.clone()),
        TfValue::Number(n) => Some(format_number(*n)),
        TfValue::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
