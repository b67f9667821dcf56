//! String functions, `format`/`formatlist` and the regular-expression functions.

use ::regex::{Captures, Regex};

use super::regex;
use super::{format::format_values, Cx};
use crate::source::terraform::TfValue;

type R = Result<TfValue, String>;

/// Whether a character extends the previous grapheme cluster (combining marks, joiners,
/// variation selectors, emoji modifiers and tags): an approximation of Unicode's rules.
fn extends(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A
        | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06DC | 0x06DF..=0x06E4 | 0x0900..=0x0903
        | 0x093A..=0x094F | 0x0951..=0x0957 | 0x0962..=0x0963 | 0x0E31 | 0x0E34..=0x0E3A
        | 0x0E47..=0x0E4E | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x200C | 0x200D
        | 0x20D0..=0x20FF | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F | 0x1F3FB..=0x1F3FF
        | 0xE0020..=0xE007F | 0xE0100..=0xE01EF)
}

fn regional(c: char) -> bool {
    matches!(c as u32, 0x1F1E6..=0x1F1FF)
}

/// The grapheme clusters of a string (approximated), as Terraform counts characters.
pub(super) fn graphemes(s: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut prev: Option<char> = None;
    let mut regional_run = 0;
    for (i, c) in s.char_indices() {
        let joined = match prev {
            None => false,
            Some(p) => {
                extends(c)
                    || p == '\u{200D}'
                    || (p == '\r' && c == '\n')
                    || (regional(p) && regional(c) && regional_run % 2 == 1)
            }
        };
        regional_run = if regional(c) { regional_run + 1 } else { 0 };
        if !joined && i > 0 {
            out.push(&s[start..i]);
            start = i;
        }
        prev = Some(c);
    }
    if !s.is_empty() {
        out.push(&s[start..]);
    }
    out
}

pub(super) fn grapheme_count(s: &str) -> usize {
    graphemes(s).len()
}

/// A function of one string.
fn one(cx: &mut Cx, args: Vec<TfValue>, f: impl FnOnce(String) -> TfValue) -> R {
    let [s] = cx.args(args)?;
    match cx.string(s)? {
        Some(s) => Ok(f(s)),
        None => Ok(cx.unknown()),
    }
}

/// A function of two strings.
fn two(cx: &mut Cx, args: Vec<TfValue>, f: impl FnOnce(String, String) -> TfValue) -> R {
    let [a, b] = cx.args(args)?;
    let a = cx.string(a)?;
    let b = cx.string(b)?;
    match (a, b) {
        (Some(a), Some(b)) => Ok(f(a, b)),
        _ => Ok(cx.unknown()),
    }
}

fn s(v: impl Into<String>) -> TfValue {
    TfValue::String(v.into())
}

pub(super) fn lower(cx: &mut Cx, args: Vec<TfValue>) -> R {
    one(cx, args, |x| s(x.to_lowercase()))
}

pub(super) fn upper(cx: &mut Cx, args: Vec<TfValue>) -> R {
    one(cx, args, |x| s(x.to_uppercase()))
}

/// Go's `strings.Title`: the first letter of every word upper-cased.
pub(super) fn title(cx: &mut Cx, args: Vec<TfValue>) -> R {
    fn separator(c: char) -> bool {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        !c.is_alphanumeric() && c.is_whitespace()
    }
    one(cx, args, |x| {
        let mut out = String::with_capacity(x.len());
        let mut prev = ' ';
        for c in x.chars() {
            if separator(prev) {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            prev = c;
        }
        s(out)
    })
}

pub(super) fn trimspace(cx: &mut Cx, args: Vec<TfValue>) -> R {
    one(cx, args, |x| s(x.trim()))
}

pub(super) fn chomp(cx: &mut Cx, args: Vec<TfValue>) -> R {
    one(cx, args, |x| s(x.trim_end_matches(['\r', '\n'])))
}

pub(super) fn trim(cx: &mut Cx, args: Vec<TfValue>) -> R {
    two(cx, args, |x, set| s(x.trim_matches(|c| set.contains(c))))
}

pub(super) fn trimprefix(cx: &mut Cx, args: Vec<TfValue>) -> R {
    two(cx, args, |x, p| s(x.strip_prefix(p.as_str()).unwrap_or(&x)))
}

pub(super) fn trimsuffix(cx: &mut Cx, args: Vec<TfValue>) -> R {
    two(cx, args, |x, p| s(x.strip_suffix(p.as_str()).unwrap_or(&x)))
}

pub(super) fn startswith(cx: &mut Cx, args: Vec<TfValue>) -> R {
    two(cx, args, |x, p| TfValue::Bool(x.starts_with(&p)))
}

pub(super) fn endswith(cx: &mut Cx, args: Vec<TfValue>) -> R {
    two(cx, args, |x, p| TfValue::Bool(x.ends_with(&p)))
}

pub(super) fn strcontains(cx: &mut Cx, args: Vec<TfValue>) -> R {
    two(cx, args, |x, p| TfValue::Bool(x.contains(&p)))
}

pub(super) fn split(cx: &mut Cx, args: Vec<TfValue>) -> R {
    two(cx, args, |sep, x| {
        let parts: Vec<TfValue> = if sep.is_empty() {
            x.chars().map(|c| s(c.to_string())).collect()
        } else {
            x.split(sep.as_str()).map(s).collect()
        };
        TfValue::List(parts)
    })
}

pub(super) fn indent(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [n, x] = cx.args(args)?;
    let n = cx.int(n)?;
    let x = cx.string(x)?;
    let (Some(n), Some(x)) = (n, x) else {
        return Ok(cx.unknown());
    };
    if !(0..=10_000).contains(&n) {
        return Err(cx.err("the number of spaces must be between 0 and 10000"));
    }
    let pad = format!("\n{}", " ".repeat(n as usize));
    Ok(s(x.replace('\n', &pad)))
}

pub(super) fn substr(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [x, offset, length] = cx.args(args)?;
    let x = cx.string(x)?;
    let offset = cx.int(offset)?;
    let length = cx.int(length)?;
    let (Some(x), Some(mut offset), Some(length)) = (x, offset, length) else {
        return Ok(cx.unknown());
    };
    let g = graphemes(&x);
    let from_end = offset < 0;
    if from_end {
        offset = (offset + g.len() as i64).max(0);
    }
    let start = (offset as u64).min(g.len() as u64) as usize;
    let rest = &g[start..];
    // As in Terraform, a zero length counted from the end takes the rest.
    let take = if length < 0 || (length == 0 && from_end) {
        rest.len()
    } else {
        (length as u64).min(rest.len() as u64) as usize
    };
    Ok(s(rest[..take].concat()))
}

pub(super) fn join(cx: &mut Cx, args: Vec<TfValue>) -> R {
    cx.arity(&args, 2, None)?;
    let mut it = args.into_iter();
    let sep = cx.string(it.next().unwrap_or_default())?;
    let mut parts = Vec::new();
    let lists: Vec<TfValue> = it.collect();
    let several = lists.len() > 1;
    for (l, list) in lists.into_iter().enumerate() {
        let Some(items) = cx.list(list)? else {
            continue;
        };
        for (i, item) in items.into_iter().enumerate() {
            match cx.known(item) {
                None => {}
                Some(TfValue::Null) if several => {
                    return Err(cx.err(format!(
                        "element {i} of list {} is null; cannot concatenate null values",
                        l + 1
                    )))
                }
                Some(TfValue::Null) => {
                    return Err(cx.err(format!(
                        "element {i} is null; cannot concatenate null values"
                    )))
                }
                Some(v) => match super::primitive_string(&v) {
                    Some(p) => parts.push(p),
                    None => return Err(cx.expected("lists of strings", &v)),
                },
            }
        }
    }
    match sep {
        Some(sep) if !cx.is_unknown() => Ok(s(parts.join(&sep))),
        _ => Ok(cx.unknown()),
    }
}

pub(super) fn replace(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [x, find, with] = cx.args(args)?;
    let x = cx.string(x)?;
    let find = cx.string(find)?;
    let with = cx.string(with)?;
    let (Some(x), Some(find), Some(with)) = (x, find, with) else {
        return Ok(cx.unknown());
    };
    if find.len() > 1 && find.starts_with('/') && find.ends_with('/') {
        let re = regex::compile(&find[1..find.len() - 1]).map_err(|e| cx.err(e))?;
        return Ok(s(re
            .replace_all(&x, regex::template(&with).as_str())
            .into_owned()));
    }
    Ok(s(x.replace(&find, &with)))
}

/// One match of `regex`/`regexall`: the match, the list of groups, or the map of named
/// groups (unmatched groups null).
fn match_value(cx: &Cx, re: &Regex, caps: &Captures<'_>) -> R {
    let group = |i: usize| caps.get(i).map_or(TfValue::Null, |m| s(m.as_str()));
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    if names.is_empty() {
        return Ok(group(0));
    }
    let named = names.iter().filter(|n| n.is_some()).count();
    if named == 0 {
        return Ok(TfValue::List((1..=names.len()).map(group).collect()));
    }
    if named != names.len() {
        return Err(cx.err("named and unnamed capture groups cannot be mixed"));
    }
    Ok(TfValue::Map(
        names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| n.map(|n| (n.to_string(), group(i + 1))))
            .collect(),
    ))
}

fn regex_args(cx: &mut Cx, args: Vec<TfValue>) -> Result<Option<(Regex, String)>, String> {
    let [pattern, x] = cx.args(args)?;
    let pattern = cx.string(pattern)?;
    let x = cx.string(x)?;
    let (Some(pattern), Some(x)) = (pattern, x) else {
        return Ok(None);
    };
    let re = regex::compile(&pattern).map_err(|e| cx.err(e))?;
    Ok(Some((re, x)))
}

pub(super) fn regex(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let Some((re, text)) = regex_args(cx, args)? else {
        return Ok(cx.unknown());
    };
    match re.captures(&text) {
        Some(caps) => match_value(cx, &re, &caps),
        None => Err(cx.err("pattern did not match any part of the given string")),
    }
}

pub(super) fn regexall(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let Some((re, text)) = regex_args(cx, args)? else {
        return Ok(cx.unknown());
    };
    let out: Result<Vec<TfValue>, String> = re
        .captures_iter(&text)
        .map(|caps| match_value(cx, &re, &caps))
        .collect();
    Ok(TfValue::List(out?))
}

pub(super) fn format(cx: &mut Cx, args: Vec<TfValue>) -> R {
    cx.arity(&args, 1, None)?;
    let mut it = args.into_iter();
    let spec = cx.string(it.next().unwrap_or_default())?;
    let values: Vec<Option<TfValue>> = it.map(|v| cx.deep(v)).collect();
    let Some(spec) = spec else {
        return Ok(cx.unknown());
    };
    let values: Option<Vec<TfValue>> = values.into_iter().collect();
    match values {
        Some(values) => format_values(&spec, &values).map(s).map_err(|e| cx.err(e)),
        None => Ok(cx.unknown()),
    }
}

pub(super) fn formatlist(cx: &mut Cx, args: Vec<TfValue>) -> R {
    cx.arity(&args, 1, None)?;
    let mut it = args.into_iter();
    let spec = cx.string(it.next().unwrap_or_default())?;
    // Each argument: a list (one element per result) or a value repeated.
    let mut columns: Vec<Result<Vec<TfValue>, TfValue>> = Vec::new();
    let mut length: Option<(usize, usize)> = None;
    for (i, a) in it.enumerate() {
        match cx.known(a) {
            None => columns.push(Err(TfValue::Null)),
            Some(TfValue::List(items)) => {
                match length {
                    Some((n, from)) if n != items.len() => {
                        return Err(cx.err(format!(
                            "argument {} has length {}, which is inconsistent with argument {} of length {n}",
                            i + 1,
                            items.len(),
                            from + 1
                        )))
                    }
                    _ => length = Some((items.len(), i)),
                }
                columns.push(Ok(items));
            }
            Some(other) => columns.push(Err(other)),
        }
    }
    let Some(spec) = spec.filter(|_| !cx.is_unknown()) else {
        return Ok(cx.unknown());
    };
    let n = length.map_or(1, |(n, _)| n);
    let mut out = Vec::with_capacity(n);
    for row in 0..n {
        let mut item = Cx::new(cx.name);
        let values: Option<Vec<TfValue>> = columns
            .iter()
            .map(|c| match c {
                Ok(items) => item.deep(items.get(row).cloned().unwrap_or_default()),
                Err(v) => item.deep(v.clone()),
            })
            .collect();
        let v = match values {
            None => item.unknown(),
            Some(values) => s(format_values(&spec, &values).map_err(|e| cx.err(e))?),
        };
        out.push(item.finish(v));
    }
    Ok(TfValue::List(out))
}
