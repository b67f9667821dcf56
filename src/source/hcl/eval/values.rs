//! Values: attribute and index access, attributes the provider computes, operators.

use std::sync::Arc;

use hcl::expr::BinaryOperator;

use super::{mark, to_string, unevaluated, unknown, unknown_in, unmark, RESOURCE_MARKER};
use crate::source::terraform::{TfValue, UnknownValue};

/// An attribute of a resource instance that its configuration does not set: the provider
/// computes it. A managed resource's is known after apply and refers to the resource. A data
/// source's is read from AWS while planning (Terraform's plan knows it, a directory scan
/// does not call AWS): it is unknown with that reason and names no resource, since a data
/// source's values only feed other expressions (the one data source the model maps,
/// `aws_iam_policy_document`, is computed offline and keeps its reference).
pub(super) fn computed(address: String) -> TfValue {
    let group = data_source_group(&address);
    let Some(group) = group.filter(|g| !g.contains("data.aws_iam_policy_document.")) else {
        return unknown(vec![address]);
    };
    TfValue::Unknown(Arc::new(UnknownValue {
        refs: Vec::new(),
        configured: true,
        reason: Some(format!(
            "it depends on {group}, which Terraform reads from AWS while planning; a \
             directory scan does not call AWS (scan a plan of this configuration)"
        )),
        partial: None,
    }))
}

/// `module.a["k"].data.aws_x.y` for the instance address `module.a["k"].data.aws_x.y[0]`,
/// `None` when the address is a managed resource's.
pub(super) fn data_source_group(address: &str) -> Option<&str> {
    // Skip the `module.<name>[key].` steps.
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let name_end = after.find(['.', '[']).unwrap_or(after.len());
        let mut tail = &after[name_end..];
        if tail.starts_with('[') {
            tail = tail.find("].").map_or("", |i| &tail[i + 1..]);
        }
        rest = tail.strip_prefix('.').unwrap_or(tail);
    }
    if !rest.starts_with("data.") {
        return None;
    }
    let end = address.len() - rest.len() + rest.find('[').unwrap_or(rest.len());
    Some(&address[..end])
}

/// An unknown that stands for an evaluation error (skipped by `try`).
pub(super) fn is_error(v: &TfValue) -> bool {
    matches!(v, TfValue::Unknown(u) if u.reason.as_deref().is_some_and(|r| r.starts_with("error:")))
}

pub fn get_attr(v: TfValue, name: &str) -> TfValue {
    match v {
        TfValue::Map(mut m) => match m.remove(name) {
            Some(x) => x,
            None => match m.get(RESOURCE_MARKER).and_then(to_string) {
                // An attribute the configuration does not set: computed by the provider.
                Some(address) => computed(address),
                // An object without the attribute: Terraform fills `optional()` attributes
                // with null (a configuration that plans never reads a truly missing one).
                None => TfValue::Null,
            },
        },
        TfValue::Sensitive(inner) => mark(get_attr(*inner, name), true),
        u @ TfValue::Unknown(_) => u,
        TfValue::Null => unevaluated(format!("error: attribute `{name}` of null")),
        _ => unevaluated(format!("error: attribute `{name}` of a non-object")),
    }
}

pub fn index(v: TfValue, key: &TfValue) -> TfValue {
    if let Some(u) = unknown_in(&[key]) {
        return match v {
            TfValue::Unknown(_) => v,
            _ => {
                let mut refs = Vec::new();
                if let TfValue::Unknown(k) = &u {
                    refs.extend(k.refs.iter().cloned());
                }
                unknown(refs)
            }
        };
    }
    let (k, ks) = unmark(key);
    let out = match v {
        TfValue::List(mut items) => match k {
            TfValue::Number(n) if *n >= 0.0 && (*n as usize) < items.len() => {
                items.swap_remove(*n as usize)
            }
            TfValue::String(s) => match s.parse::<usize>() {
                Ok(i) if i < items.len() => items.swap_remove(i),
                _ => unevaluated("error: index out of range"),
            },
            _ => unevaluated("error: index out of range"),
        },
        TfValue::Map(mut m) => match to_string(k) {
            Some(s) => m
                .remove(&s)
                .unwrap_or_else(|| unevaluated(format!("error: no key `{s}`"))),
            None => unevaluated("error: map key is not a string"),
        },
        TfValue::Sensitive(inner) => return mark(index(*inner, key), true),
        u @ TfValue::Unknown(_) => u,
        _ => unevaluated("error: index of a non-collection"),
    };
    mark(out, ks)
}

pub(super) fn binary(op: BinaryOperator, l: &TfValue, r: &TfValue) -> TfValue {
    use BinaryOperator as B;
    let num = |v: &TfValue| match v {
        TfValue::Number(n) => Some(*n),
        TfValue::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    match op {
        B::Eq => TfValue::Bool(values_equal(l, r)),
        B::NotEq => TfValue::Bool(!values_equal(l, r)),
        B::And | B::Or => match (l, r) {
            (TfValue::Bool(a), TfValue::Bool(b)) => {
                TfValue::Bool(if op == B::And { *a && *b } else { *a || *b })
            }
            _ => unevaluated("error: logical operands must be bools"),
        },
        _ => match (num(l), num(r)) {
            (Some(a), Some(b)) => match op {
                B::Plus => TfValue::Number(a + b),
                B::Minus => TfValue::Number(a - b),
                B::Mul => TfValue::Number(a * b),
                B::Div if b != 0.0 => TfValue::Number(a / b),
                B::Mod if b != 0.0 => TfValue::Number(a % b),
                B::Less => TfValue::Bool(a < b),
                B::LessEq => TfValue::Bool(a <= b),
                B::Greater => TfValue::Bool(a > b),
                B::GreaterEq => TfValue::Bool(a >= b),
                _ => unevaluated("error: division by zero"),
            },
            _ => unevaluated("error: arithmetic on a non-number"),
        },
    }
}

/// Terraform equality: numbers and their string forms differ, collections compare deeply.
pub(super) fn values_equal(l: &TfValue, r: &TfValue) -> bool {
    match (unmark(l).0, unmark(r).0) {
        (TfValue::Number(a), TfValue::Number(b)) => a == b,
        (a, b) => strip_marker(a) == strip_marker(b),
    }
}

pub(super) fn strip_marker(v: &TfValue) -> TfValue {
    match v {
        TfValue::Map(m) => TfValue::Map(
            m.iter()
                .filter(|(k, _)| k.as_str() != RESOURCE_MARKER)
                .map(|(k, v)| (k.clone(), strip_marker(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_source_groups_are_found_behind_module_steps() {
        let g = data_source_group;
        assert_eq!(
            g("data.aws_availability_zones.available"),
            Some("data.aws_availability_zones.available")
        );
        assert_eq!(g("data.aws_region.r[0]"), Some("data.aws_region.r"));
        assert_eq!(
            g(r#"module.a["data.x"].data.aws_region.here"#),
            Some(r#"module.a["data.x"].data.aws_region.here"#)
        );
        assert_eq!(g("module.data.aws_s3_bucket.b"), None);
        assert_eq!(g("aws_s3_bucket.data"), None);
        // A data source's computed attribute names no resource and says why.
        let TfValue::Unknown(u) = computed("module.net.data.aws_availability_zones.az".into())
        else {
            panic!("unknown");
        };
        assert!(u.refs.is_empty());
        assert!(u
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("module.net.data.aws_availability_zones.az, which")));
        let TfValue::Unknown(u) = computed("aws_vpc.main".into()) else {
            panic!("unknown");
        };
        assert_eq!(u.refs, vec!["aws_vpc.main".to_string()]);
    }
}
