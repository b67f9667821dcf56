//! Collection functions: unknown and sensitive elements stay in place where the function
//! only moves elements around.

use std::collections::BTreeMap;

use super::convert::unify;
use super::strings::grapheme_count;
use super::{equal, has_sensitive, has_unknown, primitive_string, visible, Cx};
use crate::source::terraform::TfValue;

type R = Result<TfValue, String>;

fn num(n: usize) -> TfValue {
    TfValue::Number(n as f64)
}

pub(super) fn length(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [v] = cx.args(args)?;
    match cx.known(v) {
        None => Ok(cx.unknown()),
        Some(TfValue::List(items)) => Ok(num(items.len())),
        Some(TfValue::Map(m)) => Ok(num(m.keys().filter(|k| visible(k)).count())),
        Some(TfValue::String(s)) => Ok(num(grapheme_count(&s))),
        Some(TfValue::Null) => Err(cx.err("argument must not be null")),
        Some(other) => Err(cx.expected("a string, list or map", &other)),
    }
}

pub(super) fn concat(cx: &mut Cx, args: Vec<TfValue>) -> R {
    cx.arity(&args, 1, None)?;
    let mut out = Vec::new();
    for a in args {
        if let Some(items) = cx.list(a)? {
            out.extend(items);
        }
    }
    if cx.is_unknown() {
        return Ok(cx.unknown());
    }
    Ok(TfValue::List(out))
}

pub(super) fn merge(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let mut out = BTreeMap::new();
    for a in args {
        match cx.known(a) {
            None | Some(TfValue::Null) => {}
            Some(TfValue::Map(m)) => out.extend(m),
            Some(other) => return Err(cx.expected("maps or objects", &other)),
        }
    }
    if cx.is_unknown() {
        return Ok(cx.unknown());
    }
    Ok(TfValue::Map(out))
}

pub(super) fn lookup(cx: &mut Cx, args: Vec<TfValue>) -> R {
    cx.arity(&args, 2, Some(3))?;
    let mut it = args.into_iter();
    let map = cx.map(it.next().unwrap_or_default())?;
    let key = it.next().unwrap_or_default();
    let secret_key = matches!(key, TfValue::Sensitive(_));
    let key = cx.string(key)?;
    let default = it.next();
    let (Some(mut map), Some(key)) = (map, key) else {
        return Ok(cx.unknown());
    };
    match (map.remove(&key), default) {
        (Some(v), _) => Ok(v),
        (None, Some(d)) => Ok(d),
        (None, None) if secret_key => Err(cx.err("lookup failed to find key (sensitive value)")),
        (None, None) => Err(cx.err(format!("lookup failed to find key {key:?}"))),
    }
}

pub(super) fn element(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [list, index] = cx.args(args)?;
    let list = cx.list(list)?;
    let index = cx.int(index)?;
    let (Some(list), Some(index)) = (list, index) else {
        return Ok(cx.unknown());
    };
    if list.is_empty() {
        return Err(cx.err("cannot use element function with an empty list"));
    }
    // Wraps around in both directions (negative indexes count from the end, Terraform ≥ 1.10).
    let i = index.rem_euclid(list.len() as i64) as usize;
    Ok(list.into_iter().nth(i).unwrap_or_default())
}

pub(super) fn index(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [list, value] = cx.args(args)?;
    let list = cx.list(list)?;
    let value = cx.open(value);
    if let TfValue::Unknown(u) = &value {
        cx.note_unknown(u);
    }
    let Some(list) = list else {
        return Ok(cx.unknown());
    };
    if cx.is_unknown() {
        return Ok(cx.unknown());
    }
    if list.is_empty() {
        return Err(cx.err("cannot search an empty list"));
    }
    if has_sensitive(&value) || list.iter().any(has_sensitive) {
        cx.mark_sensitive();
    }
    for (i, item) in list.iter().enumerate() {
        match equal(item, &value) {
            Some(true) => return Ok(num(i)),
            Some(false) => {}
            None => {
                cx.note_unknowns(item);
                cx.note_unknowns(&value);
                return Ok(cx.unknown());
            }
        }
    }
    Err(cx.err("item not found"))
}

pub(super) fn contains(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [list, value] = cx.args(args)?;
    let list = cx.list(list)?;
    let value = cx.open(value);
    if let TfValue::Unknown(u) = &value {
        cx.note_unknown(u);
    }
    let Some(list) = list else {
        return Ok(cx.unknown());
    };
    if cx.is_unknown() {
        return Ok(cx.unknown());
    }
    if has_sensitive(&value) || list.iter().any(has_sensitive) {
        cx.mark_sensitive();
    }
    let mut undecided = Vec::new();
    for item in &list {
        match equal(item, &value) {
            Some(true) => return Ok(TfValue::Bool(true)),
            Some(false) => {}
            None => undecided.push(item),
        }
    }
    if undecided.is_empty() {
        return Ok(TfValue::Bool(false));
    }
    for item in undecided {
        cx.note_unknowns(item);
    }
    cx.note_unknowns(&value);
    Ok(cx.unknown())
}

pub(super) fn keys(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [m] = cx.args(args)?;
    let Some(m) = cx.map(m)? else {
        return Ok(cx.unknown());
    };
    Ok(TfValue::List(
        m.into_keys()
            .filter(|k| visible(k))
            .map(TfValue::String)
            .collect(),
    ))
}

pub(super) fn values(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [m] = cx.args(args)?;
    let Some(m) = cx.map(m)? else {
        return Ok(cx.unknown());
    };
    Ok(TfValue::List(
        m.into_iter()
            .filter(|(k, _)| visible(k))
            .map(|(_, v)| v)
            .collect(),
    ))
}

pub(super) fn flatten(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [list] = cx.args(args)?;
    let Some(list) = cx.list(list)? else {
        return Ok(cx.unknown());
    };
    let mut out = Vec::new();
    flatten_into(cx, list, &mut out);
    Ok(TfValue::List(out))
}

fn flatten_into(cx: &mut Cx, items: Vec<TfValue>, out: &mut Vec<TfValue>) {
    for item in items {
        match item {
            TfValue::List(inner) => flatten_into(cx, inner, out),
            TfValue::Sensitive(inner) if matches!(*inner, TfValue::List(_)) => {
                let inner = cx.open(TfValue::Sensitive(inner));
                if let TfValue::List(inner) = inner {
                    flatten_into(cx, inner, out);
                }
            }
            other => out.push(other),
        }
    }
}

pub(super) fn zipmap(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [keys, values] = cx.args(args)?;
    let keys = cx.list(keys)?;
    let values = cx.list(values)?;
    let (Some(keys), Some(values)) = (keys, values) else {
        return Ok(cx.unknown());
    };
    if keys.len() != values.len() {
        return Err(cx.err(format!(
            "number of keys ({}) does not match number of values ({})",
            keys.len(),
            values.len()
        )));
    }
    let mut names = Vec::with_capacity(keys.len());
    for k in keys {
        if matches!(k, TfValue::Null) {
            return Err(cx.err("keys must not be null"));
        }
        names.push(cx.string(k)?);
    }
    if cx.is_unknown() {
        return Ok(cx.unknown());
    }
    Ok(TfValue::Map(
        names.into_iter().flatten().zip(values).collect(),
    ))
}

pub(super) fn distinct(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [list] = cx.args(args)?;
    let Some(list) = cx.list(list)? else {
        return Ok(cx.unknown());
    };
    if list.iter().any(has_unknown) {
        list.iter().for_each(|i| cx.note_unknowns(i));
        return Ok(cx.unknown());
    }
    let list = unify(cx, list)?;
    let mut out: Vec<TfValue> = Vec::new();
    for item in list {
        if !out.iter().any(|o| equal(o, &item) == Some(true)) {
            out.push(item);
        }
    }
    Ok(TfValue::List(out))
}

pub(super) fn slice(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [list, start, end] = cx.args(args)?;
    let list = cx.list(list)?;
    let start = cx.int(start)?;
    let end = cx.int(end)?;
    let (Some(list), Some(start), Some(end)) = (list, start, end) else {
        return Ok(cx.unknown());
    };
    if start < 0 {
        return Err(cx.err("the start index must not be negative"));
    }
    if start > end {
        return Err(cx.err("the start index must not be greater than the end index"));
    }
    if end as u64 > list.len() as u64 {
        return Err(cx.err("the end index must not be greater than the length of the list"));
    }
    Ok(TfValue::List(
        list.into_iter()
            .skip(start as usize)
            .take((end - start) as usize)
            .collect(),
    ))
}

pub(super) fn reverse(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [list] = cx.args(args)?;
    let Some(mut list) = cx.list(list)? else {
        return Ok(cx.unknown());
    };
    list.reverse();
    Ok(TfValue::List(list))
}

pub(super) fn one(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [list] = cx.args(args)?;
    let Some(list) = cx.list(list)? else {
        return Ok(cx.unknown());
    };
    match list.len() {
        0 => Ok(TfValue::Null),
        1 => Ok(list.into_iter().next().unwrap_or_default()),
        n => Err(cx.err(format!(
            "must be a list, set, or tuple value with either zero or one elements, got {n} elements"
        ))),
    }
}

pub(super) fn chunklist(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [list, size] = cx.args(args)?;
    let list = cx.list(list)?;
    let size = cx.int(size)?;
    let (Some(list), Some(size)) = (list, size) else {
        return Ok(cx.unknown());
    };
    if size < 0 {
        return Err(cx.err("the size argument must be positive"));
    }
    if list.is_empty() {
        return Ok(TfValue::List(Vec::new()));
    }
    if size == 0 {
        return Ok(TfValue::List(vec![TfValue::List(list)]));
    }
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    Ok(TfValue::List(
        list.chunks(size)
            .map(|c| TfValue::List(c.to_vec()))
            .collect(),
    ))
}

pub(super) fn matchkeys(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [values, keys, search] = cx.args(args)?;
    let values = cx.list(values)?;
    let keys = cx.list(keys)?;
    let search = cx.list(search)?;
    let (Some(values), Some(keys), Some(search)) = (values, keys, search) else {
        return Ok(cx.unknown());
    };
    if values.len() != keys.len() {
        return Err(cx.err("length of keys and values should be equal"));
    }
    if search.is_empty() {
        return Ok(TfValue::List(Vec::new()));
    }
    // As in Terraform, values must be wholly known too.
    if values.iter().chain(&keys).chain(&search).any(has_unknown) {
        values
            .iter()
            .chain(&keys)
            .chain(&search)
            .for_each(|v| cx.note_unknowns(v));
        return Ok(cx.unknown());
    }
    if keys.iter().chain(&search).any(has_sensitive) {
        cx.mark_sensitive();
    }
    let mut out = Vec::new();
    for (v, k) in values.into_iter().zip(&keys) {
        if search.iter().any(|s| equal(s, k) == Some(true)) {
            out.push(v);
        }
    }
    Ok(TfValue::List(out))
}

pub(super) fn transpose(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [m] = cx.args(args)?;
    let Some(m) = cx.map(m)? else {
        return Ok(cx.unknown());
    };
    let mut out: BTreeMap<String, Vec<TfValue>> = BTreeMap::new();
    for (key, list) in m {
        let Some(items) = cx.list(list)? else {
            continue;
        };
        for item in items {
            if matches!(item, TfValue::Null) {
                return Err(cx.err("lists must not contain null values"));
            }
            if let Some(s) = cx.string(item)? {
                out.entry(s).or_default().push(TfValue::String(key.clone()));
            }
        }
    }
    if cx.is_unknown() {
        return Ok(cx.unknown());
    }
    Ok(TfValue::Map(
        out.into_iter()
            .map(|(k, v)| (k, TfValue::List(v)))
            .collect(),
    ))
}

pub(super) fn coalesce(cx: &mut Cx, args: Vec<TfValue>) -> R {
    cx.arity(&args, 1, None)?;
    // As in Terraform, the result carries the marks of every argument.
    let args: Vec<TfValue> = args.into_iter().map(|a| cx.open(a)).collect();
    let as_strings = args.iter().any(|a| matches!(a, TfValue::String(_)));
    for a in args {
        match a {
            TfValue::Unknown(u) => {
                cx.note_unknown(&u);
                return Ok(cx.unknown());
            }
            TfValue::Null => {}
            TfValue::String(s) if s.is_empty() => {}
            other => {
                return Ok(match primitive_string(&other) {
                    Some(s) if as_strings => TfValue::String(s),
                    _ => other,
                })
            }
        }
    }
    Err(cx.err("no non-null, non-empty-string arguments"))
}

pub(super) fn coalescelist(cx: &mut Cx, args: Vec<TfValue>) -> R {
    cx.arity(&args, 1, None)?;
    for a in args {
        match cx.known(a) {
            None => return Ok(cx.unknown()),
            Some(TfValue::Null) => {}
            Some(TfValue::List(items)) if items.is_empty() => {}
            Some(TfValue::List(items)) => return Ok(TfValue::List(items)),
            Some(other) => return Err(cx.expected("lists", &other)),
        }
    }
    Err(cx.err("no non-null arguments"))
}
