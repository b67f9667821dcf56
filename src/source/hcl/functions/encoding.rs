//! JSON, base64, URL encoding, hashes, and the functions known only at apply time or
//! evaluated by the configuration reader.

use std::sync::Arc;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

use super::{visible, Cx};
use crate::source::terraform::{format_number, Partial, TfValue, UnknownValue};

type R = Result<TfValue, String>;

/// A string as Go's `encoding/json` writes it (HTML characters escaped, as in Terraform).
pub(super) fn json_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Terraform's `jsonencode` of a known value: object keys sorted, no spaces, integers
/// without a decimal point.
pub(super) fn json_encode(v: &TfValue) -> Result<String, String> {
    let mut out = String::new();
    write_json(
        v,
        &mut out,
        &mut |_, _| Err("value is not known yet".into()),
    )?;
    Ok(out)
}

/// Writes (or refuses) an unknown leaf of a JSON text.
type UnknownLeaf<'a> = dyn FnMut(&Arc<UnknownValue>, &mut String) -> Result<(), String> + 'a;

/// Writes `v` as JSON; `unknown` writes (or refuses) an unknown leaf.
fn write_json(v: &TfValue, out: &mut String, unknown: &mut UnknownLeaf<'_>) -> Result<(), String> {
    match v {
        TfValue::Null => out.push_str("null"),
        TfValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        TfValue::Number(n) if !n.is_finite() => {
            return Err("cannot encode an infinite number as JSON".into())
        }
        TfValue::Number(n) => out.push_str(&format_number(*n)),
        TfValue::String(s) => out.push_str(&json_quote(s)),
        TfValue::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out, unknown)?;
            }
            out.push(']');
        }
        TfValue::Map(m) => {
            out.push('{');
            for (i, (k, item)) in m.iter().filter(|(k, _)| visible(k)).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&json_quote(k));
                out.push(':');
                write_json(item, out, unknown)?;
            }
            out.push('}');
        }
        TfValue::Sensitive(inner) => write_json(inner, out, unknown)?,
        TfValue::Unknown(u) => unknown(u, out)?,
    }
    Ok(())
}

/// Whether any string or object key inside `v` holds the partial-JSON marker prefix.
fn holds_marker(v: &TfValue) -> bool {
    match v {
        TfValue::String(s) => Partial::is_marker(s),
        TfValue::List(items) => items.iter().any(holds_marker),
        TfValue::Map(m) => m
            .iter()
            .any(|(k, v)| Partial::is_marker(k) || holds_marker(v)),
        TfValue::Sensitive(inner) => holds_marker(inner),
        _ => false,
    }
}

/// The JSON text of a value with unknown leaves, each leaf a marker string (see
/// [`Partial`]). `None` when the value itself is unknown, cannot be encoded, or holds a
/// string that could be mistaken for a marker.
fn json_encode_partial(v: &TfValue, sensitive: bool) -> Option<Partial> {
    if matches!(v, TfValue::Unknown(_)) || holds_marker(v) {
        return None;
    }
    let mut unknowns: Vec<Arc<UnknownValue>> = Vec::new();
    let mut out = String::new();
    write_json(v, &mut out, &mut |u, out| {
        out.push_str(&json_quote(&Partial::marker(unknowns.len())));
        unknowns.push(u.clone());
        Ok(())
    })
    .ok()?;
    Some(Partial {
        json: out,
        unknowns,
        sensitive,
    })
}

/// `jsonencode`: a known value gives its JSON text; a value with unknown parts gives an
/// unknown string that keeps the known parts (its partial JSON), so rules can judge them.
pub(super) fn jsonencode(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [v] = cx.args(args)?;
    let v = cx.open(v);
    let partial = super::has_unknown(&v).then(|| json_encode_partial(&v, false));
    match cx.deep(v) {
        None => {
            let mut out = cx.unknown();
            if let (TfValue::Unknown(u), Some(Some(mut p))) = (&mut out, partial) {
                p.sensitive = cx.sensitive;
                Arc::make_mut(u).partial = Some(Arc::new(p));
            }
            Ok(out)
        }
        Some(v) => json_encode(&v).map(TfValue::String).map_err(|e| cx.err(e)),
    }
}

pub(super) fn jsondecode(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [s] = cx.args(args)?;
    let Some(s) = cx.string(s)? else {
        return Ok(cx.unknown());
    };
    match serde_json::from_str::<serde_json::Value>(&s) {
        Ok(v) => Ok(TfValue::from_json(&v)),
        Err(e) => Err(cx.err(format!("invalid JSON: {e}"))),
    }
}

/// Go's `base64.StdEncoding`: padding required, stray bits after the last byte ignored.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(true),
);

pub(super) fn base64(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

/// Go's `base64.StdEncoding.DecodeString` (line breaks ignored).
fn unbase64(s: &str) -> Option<Vec<u8>> {
    let data: Vec<u8> = s.bytes().filter(|b| *b != b'\r' && *b != b'\n').collect();
    BASE64.decode(data).ok()
}

/// A function of one string.
fn one(cx: &mut Cx, args: Vec<TfValue>, f: impl FnOnce(&Cx, String) -> R) -> R {
    let [s] = cx.args(args)?;
    match cx.string(s)? {
        Some(s) => f(cx, s),
        None => Ok(cx.unknown()),
    }
}

pub(super) fn base64encode(cx: &mut Cx, args: Vec<TfValue>) -> R {
    one(cx, args, |_, s| Ok(TfValue::String(base64(s.as_bytes()))))
}

pub(super) fn base64decode(cx: &mut Cx, args: Vec<TfValue>) -> R {
    one(cx, args, |cx, s| {
        let bytes =
            unbase64(&s).ok_or_else(|| cx.err(format!("failed to decode base64 data {s:?}")))?;
        String::from_utf8(bytes)
            .map(TfValue::String)
            .map_err(|_| cx.err("the result of decoding the provided string is not valid UTF-8"))
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn md5(cx: &mut Cx, args: Vec<TfValue>) -> R {
    use md5::Digest;
    one(cx, args, |_, s| {
        Ok(TfValue::String(hex(&md5::Md5::digest(s.as_bytes()))))
    })
}

pub(super) fn sha1(cx: &mut Cx, args: Vec<TfValue>) -> R {
    use sha1::Digest;
    one(cx, args, |_, s| {
        Ok(TfValue::String(hex(&sha1::Sha1::digest(s.as_bytes()))))
    })
}

pub(super) fn sha256(cx: &mut Cx, args: Vec<TfValue>) -> R {
    use sha2::Digest;
    one(cx, args, |_, s| {
        Ok(TfValue::String(hex(&sha2::Sha256::digest(s.as_bytes()))))
    })
}

/// Go's `url.QueryEscape`.
pub(super) fn urlencode(cx: &mut Cx, args: Vec<TfValue>) -> R {
    one(cx, args, |_, s| {
        let mut out = String::with_capacity(s.len());
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    out.push(char::from(b));
                }
                b' ' => out.push('+'),
                b => out.push_str(&format!("%{b:02X}")),
            }
        }
        Ok(TfValue::String(out))
    })
}

/// Known only after apply (Terraform plans these as unknown).
fn after_apply() -> TfValue {
    TfValue::Unknown(Arc::new(UnknownValue {
        refs: Vec::new(),
        configured: true,
        reason: Some("known only after apply".into()),
        partial: None,
    }))
}

pub(super) fn uuid(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [] = cx.args(args)?;
    Ok(after_apply())
}

pub(super) fn timestamp(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [] = cx.args(args)?;
    Ok(after_apply())
}

pub(super) fn bcrypt(cx: &mut Cx, args: Vec<TfValue>) -> R {
    cx.arity(&args, 1, Some(2))?;
    let mut it = args.into_iter();
    cx.string(it.next().unwrap_or_default())?;
    if let Some(cost) = it.next() {
        cx.int(cost)?;
    }
    Ok(after_apply())
}

/// `file`, `fileexists`, `templatefile`: the evaluator reads files itself.
pub(super) fn file_function(cx: &mut Cx, _args: Vec<TfValue>) -> R {
    Err(format!(
        "function `{}` reads files and is evaluated by the configuration reader",
        cx.name
    ))
}
