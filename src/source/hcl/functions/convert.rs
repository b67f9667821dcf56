//! Type conversions, sets and the functions that convert their elements (`sort`, `compact`).

use std::cmp::Ordering;

use super::{equal, has_unknown, parse_number, primitive_string, type_name, Cx};
use crate::source::terraform::TfValue;

type R = Result<TfValue, String>;

/// The kind of a value for type unification (through sensitivity; `None` for null/unknown).
fn kind(v: &TfValue) -> Option<u8> {
    match v {
        TfValue::String(_) => Some(0),
        TfValue::Number(_) => Some(1),
        TfValue::Bool(_) => Some(2),
        TfValue::List(_) => Some(3),
        TfValue::Map(_) => Some(4),
        TfValue::Sensitive(inner) => kind(inner),
        TfValue::Null | TfValue::Unknown(_) => None,
    }
}

/// Converts elements to one type as Terraform does for lists, sets and maps: a mix of
/// strings with numbers or bools becomes strings; other mixes are errors.
pub(super) fn unify(cx: &Cx, items: Vec<TfValue>) -> Result<Vec<TfValue>, String> {
    let mut kinds = [false; 5];
    for k in items.iter().filter_map(kind) {
        kinds[k as usize] = true;
    }
    let [string, number, boolean, list, map] = kinds;
    let primitive = string || number || boolean;
    if (primitive && (list || map)) || (list && map) || (number && boolean && !string) {
        return Err(cx.err("all elements must have the same type"));
    }
    if !(string && (number || boolean)) {
        return Ok(items);
    }
    fn to_string(v: TfValue) -> TfValue {
        match v {
            TfValue::Sensitive(inner) => TfValue::Sensitive(Box::new(to_string(*inner))),
            other => match primitive_string(&other) {
                Some(s) => TfValue::String(s),
                None => other,
            },
        }
    }
    Ok(items.into_iter().map(to_string).collect())
}

/// Unifies several groups of elements together (the arguments of set functions).
fn unify_groups(cx: &Cx, groups: Vec<Vec<TfValue>>) -> Result<Vec<Vec<TfValue>>, String> {
    let lens: Vec<usize> = groups.iter().map(Vec::len).collect();
    let mut all = unify(cx, groups.into_iter().flatten().collect())?.into_iter();
    Ok(lens
        .into_iter()
        .map(|n| all.by_ref().take(n).collect())
        .collect())
}

/// Set semantics: duplicates removed; strings, numbers and bools sorted as Terraform orders
/// set elements; unknown and null elements last.
fn normalize_set(items: Vec<TfValue>) -> Vec<TfValue> {
    let mut known: Vec<TfValue> = Vec::new();
    let mut rest = Vec::new();
    for item in items {
        if has_unknown(&item) || item.is_null() {
            rest.push(item);
        } else if !known.iter().any(|k| equal(k, &item) == Some(true)) {
            known.push(item);
        }
    }
    fn plain(v: &TfValue) -> &TfValue {
        match v {
            TfValue::Sensitive(inner) => plain(inner),
            other => other,
        }
    }
    known.sort_by(|a, b| match (plain(a), plain(b)) {
        (TfValue::String(x), TfValue::String(y)) => x.cmp(y),
        (TfValue::Number(x), TfValue::Number(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (TfValue::Bool(x), TfValue::Bool(y)) => x.cmp(y),
        _ => Ordering::Equal,
    });
    known.extend(rest);
    known
}

pub(super) fn tostring(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [v] = cx.args(args)?;
    match cx.known(v) {
        None => Ok(cx.unknown()),
        Some(TfValue::Null) => Ok(TfValue::Null),
        Some(v) => match primitive_string(&v) {
            Some(s) => Ok(TfValue::String(s)),
            None => Err(cx.err(format!("cannot convert a {} to a string", type_name(&v)))),
        },
    }
}

pub(super) fn tonumber(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [v] = cx.args(args)?;
    match cx.known(v) {
        None => Ok(cx.unknown()),
        Some(TfValue::Null) => Ok(TfValue::Null),
        Some(TfValue::Number(n)) => Ok(TfValue::Number(n)),
        Some(TfValue::String(s)) => match parse_number(&s) {
            Some(n) => Ok(TfValue::Number(n)),
            None => Err(cx.err(format!("cannot convert {s:?} to a number"))),
        },
        Some(v) => Err(cx.err(format!("cannot convert a {} to a number", type_name(&v)))),
    }
}

pub(super) fn tobool(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [v] = cx.args(args)?;
    match cx.known(v) {
        None => Ok(cx.unknown()),
        Some(TfValue::Null) => Ok(TfValue::Null),
        Some(TfValue::Bool(b)) => Ok(TfValue::Bool(b)),
        Some(TfValue::String(s)) if s == "true" || s == "false" => Ok(TfValue::Bool(s == "true")),
        Some(TfValue::String(s)) => Err(cx.err(format!("cannot convert {s:?} to a bool"))),
        Some(v) => Err(cx.err(format!("cannot convert a {} to a bool", type_name(&v)))),
    }
}

pub(super) fn tolist(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [v] = cx.args(args)?;
    match cx.known(v) {
        None => Ok(cx.unknown()),
        Some(TfValue::Null) => Ok(TfValue::Null),
        Some(TfValue::List(items)) => Ok(TfValue::List(unify(cx, items)?)),
        Some(v) => Err(cx.err(format!("cannot convert a {} to a list", type_name(&v)))),
    }
}

pub(super) fn toset(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [v] = cx.args(args)?;
    match cx.known(v) {
        None => Ok(cx.unknown()),
        Some(TfValue::Null) => Ok(TfValue::Null),
        Some(TfValue::List(items)) => Ok(TfValue::List(normalize_set(unify(cx, items)?))),
        Some(v) => Err(cx.err(format!("cannot convert a {} to a set", type_name(&v)))),
    }
}

pub(super) fn tomap(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [v] = cx.args(args)?;
    match cx.known(v) {
        None => Ok(cx.unknown()),
        Some(TfValue::Null) => Ok(TfValue::Null),
        Some(TfValue::Map(m)) => {
            let (keys, values): (Vec<String>, Vec<TfValue>) = m.into_iter().unzip();
            let values = unify(cx, values)?;
            Ok(TfValue::Map(keys.into_iter().zip(values).collect()))
        }
        Some(v) => Err(cx.err(format!("cannot convert a {} to a map", type_name(&v)))),
    }
}

/// The elements of a list of strings (`sort`), with every unknown recorded (`None` then).
fn strings_of(cx: &mut Cx, items: Vec<TfValue>) -> Result<Option<Vec<String>>, String> {
    if items.iter().any(has_unknown) {
        items.iter().for_each(|i| cx.note_unknowns(i));
        return Ok(None);
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        match cx.open(item) {
            TfValue::Null => {
                return Err(cx.err(format!(
                    "given list element {i} is null; a null string cannot be sorted"
                )))
            }
            v => out.push(primitive_string(&v).ok_or_else(|| not_a_string(cx, i, &v))?),
        }
    }
    Ok(Some(out))
}

fn not_a_string(cx: &Cx, i: usize, v: &TfValue) -> String {
    cx.err(format!(
        "list element {i} is a {}, not a string",
        type_name(v)
    ))
}

/// A value without its `Sensitive` wrappers, and whether it had one.
fn unmark(v: TfValue) -> (TfValue, bool) {
    match v {
        TfValue::Sensitive(inner) => (unmark(*inner).0, true),
        other => (other, false),
    }
}

pub(super) fn sort(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [list] = cx.args(args)?;
    let Some(list) = cx.list(list)? else {
        return Ok(cx.unknown());
    };
    let Some(mut strings) = strings_of(cx, list)? else {
        return Ok(cx.unknown());
    };
    strings.sort();
    Ok(TfValue::List(
        strings.into_iter().map(TfValue::String).collect(),
    ))
}

pub(super) fn compact(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [list] = cx.args(args)?;
    let Some(list) = cx.list(list)? else {
        return Ok(cx.unknown());
    };
    if list.iter().any(has_unknown) {
        list.iter().for_each(|i| cx.note_unknowns(i));
        return Ok(cx.unknown());
    }
    let mut out = Vec::new();
    for (i, item) in list.into_iter().enumerate() {
        let (item, sensitive) = unmark(item);
        if item.is_null() {
            continue;
        }
        let s = primitive_string(&item).ok_or_else(|| not_a_string(cx, i, &item))?;
        if s.is_empty() {
            continue;
        }
        let s = TfValue::String(s);
        out.push(if sensitive {
            TfValue::Sensitive(Box::new(s))
        } else {
            s
        });
    }
    Ok(TfValue::List(out))
}

/// The arguments of a set function, unified; `None` when any element is unknown.
fn set_args(cx: &mut Cx, args: Vec<TfValue>) -> Result<Option<Vec<Vec<TfValue>>>, String> {
    let mut groups = Vec::with_capacity(args.len());
    for a in args {
        if let Some(items) = cx.list(a)? {
            if items.iter().any(has_unknown) {
                items.iter().for_each(|i| cx.note_unknowns(i));
            }
            groups.push(items);
        }
    }
    if cx.is_unknown() {
        return Ok(None);
    }
    Ok(Some(unify_groups(cx, groups)?))
}

pub(super) fn setunion(cx: &mut Cx, args: Vec<TfValue>) -> R {
    cx.arity(&args, 1, None)?;
    let Some(groups) = set_args(cx, args)? else {
        return Ok(cx.unknown());
    };
    Ok(TfValue::List(normalize_set(
        groups.into_iter().flatten().collect(),
    )))
}

pub(super) fn setintersection(cx: &mut Cx, args: Vec<TfValue>) -> R {
    cx.arity(&args, 1, None)?;
    let Some(groups) = set_args(cx, args)? else {
        return Ok(cx.unknown());
    };
    let mut groups = groups.into_iter();
    let first = groups.next().unwrap_or_default();
    let others: Vec<Vec<TfValue>> = groups.collect();
    let out = first
        .into_iter()
        .filter(|item| {
            others
                .iter()
                .all(|o| o.iter().any(|x| equal(x, item) == Some(true)))
        })
        .collect();
    Ok(TfValue::List(normalize_set(out)))
}

pub(super) fn setsubtract(cx: &mut Cx, args: Vec<TfValue>) -> R {
    cx.arity(&args, 2, Some(2))?;
    let Some(groups) = set_args(cx, args)? else {
        return Ok(cx.unknown());
    };
    let mut groups = groups.into_iter();
    let (a, b) = (
        groups.next().unwrap_or_default(),
        groups.next().unwrap_or_default(),
    );
    let out = a
        .into_iter()
        .filter(|item| !b.iter().any(|x| equal(x, item) == Some(true)))
        .collect();
    Ok(TfValue::List(normalize_set(out)))
}
