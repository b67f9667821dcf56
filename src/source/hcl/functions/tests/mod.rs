//! Tests of the function library, by family; expected values are Terraform 1.11's.

mod collections;
mod convert;
mod encoding;
mod format;
mod marks;
mod network;
mod numeric;
mod regex;
mod regex_terraform;
mod strings;

use std::collections::BTreeMap;
use std::sync::Arc;

use super::call;
use crate::source::terraform::{TfValue, UnknownValue};

pub(super) fn s(x: &str) -> TfValue {
    TfValue::String(x.to_string())
}

pub(super) fn n(x: f64) -> TfValue {
    TfValue::Number(x)
}

pub(super) fn b(x: bool) -> TfValue {
    TfValue::Bool(x)
}

pub(super) fn l(items: Vec<TfValue>) -> TfValue {
    TfValue::List(items)
}

pub(super) fn strs(items: &[&str]) -> TfValue {
    TfValue::List(items.iter().map(|x| s(x)).collect())
}

pub(super) fn nums(items: &[f64]) -> TfValue {
    TfValue::List(items.iter().map(|x| n(*x)).collect())
}

pub(super) fn m(pairs: Vec<(&str, TfValue)>) -> TfValue {
    TfValue::Map(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

pub(super) fn unk(refs: &[&str]) -> TfValue {
    TfValue::Unknown(Arc::new(UnknownValue {
        refs: refs.iter().map(|r| r.to_string()).collect(),
        configured: true,
        reason: None,
        partial: None,
    }))
}

pub(super) fn sens(v: TfValue) -> TfValue {
    TfValue::Sensitive(Box::new(v))
}

/// The result of a call that must succeed.
pub(super) fn ok(name: &str, args: Vec<TfValue>) -> TfValue {
    match call(name, args) {
        Ok(v) => v,
        Err(e) => panic!("{name}: unexpected error: {e}"),
    }
}

/// The message of a call that must fail.
pub(super) fn err(name: &str, args: Vec<TfValue>) -> String {
    match call(name, args) {
        Ok(v) => panic!("{name}: expected an error, got {v:?}"),
        Err(e) => e,
    }
}

/// The references of an unknown result.
pub(super) fn refs(v: &TfValue) -> Vec<String> {
    match v {
        TfValue::Unknown(u) => {
            assert!(u.configured);
            u.refs.clone()
        }
        other => panic!("expected an unknown, got {other:?}"),
    }
}

pub(super) fn is_unknown(v: &TfValue) -> bool {
    matches!(v, TfValue::Unknown(_))
}

#[test]
fn known_and_unknown_function_names() {
    for name in [
        "jsonencode",
        "merge",
        "cidrsubnet",
        "format",
        "lookup",
        "regexall",
        "file",
        "uuid",
    ] {
        assert!(super::is_known(name), "{name}");
    }
    for name in ["try", "can", "nosuchfunction", "sha512", ""] {
        assert!(!super::is_known(name), "{name}");
    }
    assert!(call("nosuchfunction", vec![]).is_err());
}

#[test]
fn arity_errors_name_the_function() {
    assert_eq!(
        err("upper", vec![s("a"), s("b")]),
        "function `upper` expects 1 argument, got 2"
    );
    assert_eq!(
        err("lookup", vec![m(vec![])]),
        "function `lookup` expects 2 to 3 arguments, got 1"
    );
    assert_eq!(
        err("concat", vec![]),
        "function `concat` expects at least 1 argument, got 0"
    );
    assert_eq!(
        err("uuid", vec![s("x")]),
        "function `uuid` expects 0 arguments, got 1"
    );
}

#[test]
fn file_functions_are_left_to_the_evaluator() {
    for name in ["file", "templatefile", "fileexists"] {
        assert!(err(name, vec![s("x.txt")]).contains("evaluated by the configuration reader"));
    }
}

/// No input makes any function panic: errors are `Err` values.
#[test]
fn no_function_panics_on_any_input() {
    let pool = vec![
        TfValue::Null,
        b(true),
        n(0.0),
        n(-1.0),
        n(2.5),
        n(1e300),
        n(f64::NAN),
        n(f64::INFINITY),
        s(""),
        s("%"),
        s("/(a*)*/"),
        s("10.0.0.0/8"),
        s("fd00::/120"),
        s("é🇫🇷\r\n"),
        strs(&["a", "b"]),
        l(vec![n(1.0), TfValue::Null, l(vec![])]),
        m(vec![("k", strs(&["v"]))]),
        unk(&["x.y"]),
        sens(s("secret")),
    ];
    let small = &pool[..10];
    for (name, _) in super::FUNCTIONS {
        let mut cases: Vec<Vec<TfValue>> = vec![vec![]];
        cases.extend(pool.iter().map(|a| vec![a.clone()]));
        for a in &pool {
            for b in &pool {
                cases.push(vec![a.clone(), b.clone()]);
            }
        }
        for a in small {
            for b in small {
                for c in small {
                    cases.push(vec![a.clone(), b.clone(), c.clone()]);
                }
            }
        }
        for args in cases {
            let shown = format!("{name}({args:?})");
            if std::panic::catch_unwind(|| call(name, args)).is_err() {
                panic!("panicked: {shown}");
            }
        }
    }
}
