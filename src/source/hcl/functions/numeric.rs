//! Numeric functions and `alltrue`/`anytrue`.

use super::{type_name, Cx};
use crate::source::terraform::TfValue;

type R = Result<TfValue, String>;

fn unary(cx: &mut Cx, args: Vec<TfValue>, f: fn(f64) -> f64) -> R {
    let [n] = cx.args(args)?;
    match cx.number(n)? {
        Some(n) => Ok(TfValue::Number(f(n))),
        None => Ok(cx.unknown()),
    }
}

pub(super) fn abs(cx: &mut Cx, args: Vec<TfValue>) -> R {
    unary(cx, args, f64::abs)
}

pub(super) fn ceil(cx: &mut Cx, args: Vec<TfValue>) -> R {
    unary(cx, args, f64::ceil)
}

pub(super) fn floor(cx: &mut Cx, args: Vec<TfValue>) -> R {
    unary(cx, args, f64::floor)
}

fn fold(cx: &mut Cx, args: Vec<TfValue>, f: fn(f64, f64) -> f64) -> R {
    if args.is_empty() {
        return Err(cx.err("must pass at least one number"));
    }
    let mut acc: Option<f64> = None;
    for a in args {
        if let Some(n) = cx.number(a)? {
            acc = Some(acc.map_or(n, |m| f(m, n)));
        }
    }
    match acc {
        Some(n) if !cx.is_unknown() => Ok(TfValue::Number(n)),
        _ => Ok(cx.unknown()),
    }
}

pub(super) fn min(cx: &mut Cx, args: Vec<TfValue>) -> R {
    fold(cx, args, f64::min)
}

pub(super) fn max(cx: &mut Cx, args: Vec<TfValue>) -> R {
    fold(cx, args, f64::max)
}

pub(super) fn sum(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [list] = cx.args(args)?;
    let Some(items) = cx.list(list)? else {
        return Ok(cx.unknown());
    };
    if items.is_empty() {
        return Err(cx.err("cannot sum an empty list"));
    }
    let mut total = 0.0;
    for item in items {
        if matches!(item, TfValue::Null) {
            return Err(cx.err("argument must be list, set, or tuple of number values"));
        }
        if let Some(n) = cx.number(item)? {
            total += n;
        }
    }
    if cx.is_unknown() {
        return Ok(cx.unknown());
    }
    Ok(TfValue::Number(total))
}

pub(super) fn range(cx: &mut Cx, args: Vec<TfValue>) -> R {
    cx.arity(&args, 1, Some(3))?;
    let n = args.len();
    let mut nums = Vec::with_capacity(n);
    for a in args {
        nums.push(cx.number(a)?);
    }
    let nums: Option<Vec<f64>> = nums.into_iter().collect();
    let Some(nums) = nums else {
        return Ok(cx.unknown());
    };
    let (start, limit, step) = match nums[..] {
        [limit] => (0.0, limit, 1.0),
        [start, limit] => (start, limit, if start > limit { -1.0 } else { 1.0 }),
        [start, limit, step] => (start, limit, step),
        _ => return Err(cx.err("expects 1 to 3 arguments")),
    };
    if step == 0.0 {
        return Err(cx.err("step must not be zero"));
    }
    if start < limit && step < 0.0 {
        return Err(cx.err("step must be positive when start is less than limit"));
    }
    if start > limit && step > 0.0 {
        return Err(cx.err("step must be negative when start is greater than limit"));
    }
    let mut out = Vec::new();
    let mut i = 0.0;
    loop {
        let v = start + i * step;
        if (step > 0.0 && v >= limit) || (step < 0.0 && v <= limit) {
            break;
        }
        if out.len() >= 1024 {
            return Err(cx.err(
                "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step",
            ));
        }
        out.push(TfValue::Number(v));
        i += 1.0;
    }
    Ok(TfValue::List(out))
}

/// The elements of a list of bools: `Some(None)` for a null element, `None` when unknown
/// (recorded only once the result depends on it).
fn bools(cx: &mut Cx, items: Vec<TfValue>) -> Result<Vec<Option<Option<bool>>>, String> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match cx.open(item) {
            TfValue::Unknown(u) => {
                cx.note_unknown(&u);
                out.push(None);
            }
            TfValue::Null => out.push(Some(None)),
            TfValue::Bool(b) => out.push(Some(Some(b))),
            TfValue::String(s) if s == "true" || s == "false" => out.push(Some(Some(s == "true"))),
            other => {
                return Err(cx.err(format!(
                    "expects a list of bools, got an element of type {}",
                    type_name(&other)
                )))
            }
        }
    }
    Ok(out)
}

pub(super) fn alltrue(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [list] = cx.args(args)?;
    let Some(items) = cx.list(list)? else {
        return Ok(cx.unknown());
    };
    // In order, as Terraform: a false (or null) before any unknown decides.
    for v in bools(cx, items)? {
        match v {
            None => return Ok(cx.unknown()),
            Some(None | Some(false)) => return Ok(TfValue::Bool(false)),
            Some(Some(true)) => {}
        }
    }
    Ok(TfValue::Bool(true))
}

pub(super) fn anytrue(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [list] = cx.args(args)?;
    let Some(items) = cx.list(list)? else {
        return Ok(cx.unknown());
    };
    let values = bools(cx, items)?;
    if values.iter().any(|v| matches!(v, Some(Some(true)))) {
        return Ok(TfValue::Bool(true));
    }
    if cx.is_unknown() {
        return Ok(cx.unknown());
    }
    Ok(TfValue::Bool(false))
}
