//! The `format` verbs as Terraform (cty) implements them: `%v %#v %s %q %t %d %b %o %x %X
//! %e %E %f %g %G`, flags, width, precision and `%[n]` argument indexes. Numbers format as
//! Go's `big.Int`/`big.Float` do; strings pad and truncate by characters.

use super::encoding::{json_encode, json_quote};
use super::strings::graphemes;
use super::{parse_number, primitive_string};
use crate::source::terraform::{format_number, TfValue};

#[derive(Default)]
struct Spec {
    minus: bool,
    plus: bool,
    space: bool,
    zero: bool,
    sharp: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

/// Formats `args` with the Terraform format string `spec` (cty's `format`).
pub(super) fn format_values(spec: &str, args: &[TfValue]) -> Result<String, String> {
    // Byte offsets, as Terraform reports them.
    let chars: Vec<(usize, char)> = spec.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|(_, c)| *c);
    let offset = |i: usize| chars.get(i).map_or(spec.len(), |(o, _)| *o);
    let mut out = String::new();
    let mut i = 0;
    let mut next = 0;
    let mut used = 0;
    while let Some(c) = at(i) {
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        let start = i - 1;
        if at(i) == Some('%') {
            out.push('%');
            i += 1;
            continue;
        }
        let mut f = Spec::default();
        while let Some(c) = at(i) {
            match c {
                '-' => f.minus = true,
                '+' => f.plus = true,
                ' ' => f.space = true,
                '0' => f.zero = true,
                '#' => f.sharp = true,
                _ => break,
            }
            i += 1;
        }
        if at(i) == Some('[') {
            i += 1;
            match digits(&chars, &mut i) {
                Some(n) if n >= 1 && at(i) == Some(']') => next = n - 1,
                _ => return Err(bad_char(at(i), offset(i), spec)),
            }
            i += 1;
        }
        f.width = digits(&chars, &mut i);
        if at(i) == Some('.') {
            i += 1;
            f.precision = Some(digits(&chars, &mut i).unwrap_or(0));
        }
        let verb = match at(i) {
            Some(v) if v.is_ascii_alphabetic() => v,
            other => return Err(bad_char(other, offset(i), spec)),
        };
        i += 1;
        let raw = &spec[offset(start)..offset(i)];
        let Some(arg) = args.get(next) else {
            return Err(format!(
                "not enough arguments for {raw:?} at {}: need index {} but have {} total",
                offset(start),
                next + 1,
                args.len()
            ));
        };
        next += 1;
        used = used.max(next);
        let formatted = verb_value(verb, &f, arg).map_err(|e| match e {
            VerbError::Unsupported => format!(
                "unsupported format verb '{verb}' in {raw:?} at offset {}",
                offset(start)
            ),
            VerbError::Value(e) => {
                format!("unsupported value for {raw:?} at {}: {e}", offset(start))
            }
        })?;
        out.push_str(&formatted);
    }
    if used < args.len() {
        return Err(if used == 0 {
            "too many arguments; no verbs in format string".to_string()
        } else {
            format!("too many arguments; only {used} used by format string")
        });
    }
    Ok(out)
}

fn bad_char(c: Option<char>, offset: usize, spec: &str) -> String {
    match c {
        Some(c) => format!("unrecognized format character '{c}' at offset {offset}"),
        None => format!("invalid format string starting at offset {}", spec.len()),
    }
}

fn digits(chars: &[(usize, char)], i: &mut usize) -> Option<usize> {
    let mut n: Option<usize> = None;
    while let Some(d) = chars.get(*i).and_then(|(_, c)| c.to_digit(10)) {
        n = Some(
            n.unwrap_or(0)
                .saturating_mul(10)
                .saturating_add(d as usize)
                .min(10_000),
        );
        *i += 1;
    }
    n
}

enum VerbError {
    Unsupported,
    Value(String),
}

impl From<&str> for VerbError {
    fn from(e: &str) -> VerbError {
        VerbError::Value(e.to_string())
    }
}

fn verb_value(verb: char, f: &Spec, arg: &TfValue) -> Result<String, VerbError> {
    let arg = match arg {
        TfValue::Sensitive(inner) => inner,
        other => other,
    };
    if !matches!(
        verb,
        'v' | 't' | 'b' | 'd' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'g' | 'G' | 's' | 'q'
    ) {
        return Err(VerbError::Unsupported);
    }
    if arg.is_null() && verb != 'v' {
        return Err("null value cannot be formatted".into());
    }
    match verb {
        'v' => {
            let text = match arg {
                TfValue::String(s) if !f.sharp => s.clone(),
                TfValue::Number(n) if !f.sharp => {
                    let sign = if *n < 0.0 { "-" } else { "" };
                    format!("{sign}{}", general(n.abs(), None, false))
                }
                v => json_encode(v).map_err(VerbError::Value)?,
            };
            Ok(pad_width(text, f))
        }
        's' | 'q' => {
            let mut text = primitive_string(arg).ok_or("string required")?;
            if let Some(p) = f.precision.filter(|p| *p > 0) {
                text = graphemes(&text).into_iter().take(p).collect();
            }
            if verb == 'q' {
                text = json_quote(&text);
            }
            Ok(pad_width(text, f))
        }
        't' => match arg {
            TfValue::Bool(b) => Ok(b.to_string()),
            TfValue::String(s) if s == "true" || s == "false" => Ok(s.clone()),
            _ => Err("bool required".into()),
        },
        _ => {
            let n = match arg {
                TfValue::Number(n) => *n,
                TfValue::String(s) => parse_number(s).ok_or("a number is required")?,
                _ => return Err("number required".into()),
            };
            if matches!(verb, 'e' | 'E' | 'f' | 'g' | 'G') {
                return Ok(float(n, verb, f));
            }
            if n.fract() != 0.0 {
                return Err("an integer is required".into());
            }
            Ok(integer(n, verb, f))
        }
    }
}

/// cty's width padding (in characters; zeros with the `0` flag; on the right with `-`).
fn pad_width(text: String, f: &Spec) -> String {
    let Some(width) = f.width else {
        return text;
    };
    let len = graphemes(&text).len();
    if len >= width {
        return text;
    }
    let pads = (if f.zero { "0" } else { " " }).repeat(width - len);
    if f.minus {
        text + &pads
    } else {
        pads + &text
    }
}

fn sign(negative: bool, f: &Spec) -> String {
    if negative {
        "-".into()
    } else if f.plus {
        "+".into()
    } else if f.space {
        " ".into()
    } else {
        String::new()
    }
}

/// Go's `big.Int` formatting: `[left pad][sign][prefix][zeros][digits][right pad]`.
fn integer(n: f64, verb: char, f: &Spec) -> String {
    let mag = n.abs();
    let digits = match verb {
        'd' => format_number(mag),
        'b' => format!("{:b}", mag as u128),
        'o' => format!("{:o}", mag as u128),
        'x' => format!("{:x}", mag as u128),
        _ => format!("{:X}", mag as u128),
    };
    let sign = sign(n < 0.0, f);
    let prefix = match verb {
        'b' if f.sharp => "0b",
        'o' if f.sharp => "0",
        'x' if f.sharp => "0x",
        'X' if f.sharp => "0X",
        _ => "",
    };
    let mut zeros = 0;
    if let Some(p) = f.precision {
        if digits.len() < p {
            zeros = p - digits.len();
        } else if digits == "0" && p == 0 {
            return String::new();
        }
    }
    let (mut left, mut right) = (0, 0);
    let length = sign.len() + prefix.len() + zeros + digits.len();
    if let Some(width) = f.width.filter(|w| length < *w) {
        let d = width - length;
        if f.minus {
            right = d;
        } else if f.zero && f.precision.is_none() {
            zeros = d;
        } else {
            left = d;
        }
    }
    format!(
        "{}{sign}{prefix}{}{digits}{}",
        " ".repeat(left),
        "0".repeat(zeros),
        " ".repeat(right)
    )
}

/// Go's `big.Float` formatting (`%e %E %f %g %G`).
fn float(n: f64, verb: char, f: &Spec) -> String {
    let mag = n.abs();
    let upper = verb.is_ascii_uppercase();
    let body = match verb.to_ascii_lowercase() {
        'f' => format!("{:.*}", f.precision.unwrap_or(6), mag),
        'e' => {
            let (digits, dp) = decimal(mag, Some(f.precision.unwrap_or(6) + 1));
            exp_form(&digits, dp, f.precision.unwrap_or(6), upper)
        }
        _ => general(mag, f.precision, upper),
    };
    let sign = sign(n < 0.0, f);
    let fill = f.width.unwrap_or(0).saturating_sub(sign.len() + body.len());
    if f.zero {
        format!("{sign}{}{body}", "0".repeat(fill))
    } else if f.minus {
        format!("{sign}{body}{}", " ".repeat(fill))
    } else {
        format!("{}{sign}{body}", " ".repeat(fill))
    }
}

/// The decimal digits of `x` (no trailing zeros, at least one digit) and the position of
/// the decimal point: shortest round-trip digits, or rounded to `significant` digits.
fn decimal(x: f64, significant: Option<usize>) -> (Vec<u8>, i32) {
    let text = match significant {
        None => format!("{x:e}"),
        Some(p) => format!("{:.*e}", p.max(1) - 1, x),
    };
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        digits.push(b'0');
    }
    (digits, exp + 1)
}

/// `d.ddde±XX` with `prec` decimals.
fn exp_form(digits: &[u8], dp: i32, prec: usize, upper: bool) -> String {
    let mut out = String::new();
    out.push(char::from(digits[0]));
    if prec > 0 {
        out.push('.');
        for k in 1..=prec {
            out.push(digits.get(k).map_or('0', |d| char::from(*d)));
        }
    }
    let exp = if digits == [b'0'] { 0 } else { dp - 1 };
    out.push(if upper { 'E' } else { 'e' });
    out.push(if exp < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", exp.abs()));
    out
}

/// `ddd.ddd` with `frac` decimals.
fn fixed_form(digits: &[u8], dp: i32, frac: usize) -> String {
    let digit = |k: i32| -> char {
        if k >= 0 {
            digits.get(k as usize).map_or('0', |d| char::from(*d))
        } else {
            '0'
        }
    };
    let mut out = String::new();
    if dp > 0 {
        (0..dp).for_each(|k| out.push(digit(k)));
    } else {
        out.push('0');
    }
    if frac > 0 {
        out.push('.');
        (0..frac as i32).for_each(|k| out.push(digit(dp + k)));
    }
    out
}

/// Go's `%g`: exponent form for large and small exponents, shortest digits by default.
fn general(x: f64, precision: Option<usize>, upper: bool) -> String {
    let shortest = precision.is_none();
    let (digits, dp) = decimal(x, precision.map(|p| p.max(1)));
    let nd = digits.len();
    let mut prec = precision.map_or(nd, |p| p.max(1));
    let mut eprec = prec;
    if eprec > nd && nd as i32 >= dp {
        eprec = nd;
    }
    if shortest {
        eprec = 6;
    }
    let exp = dp - 1;
    if exp < -4 || exp >= eprec as i32 {
        prec = prec.min(nd);
        return exp_form(&digits, dp, prec - 1, upper);
    }
    if prec as i32 > dp {
        prec = nd;
    }
    fixed_form(&digits, dp, (prec as i32 - dp).max(0) as usize)
}
