//! Builds [`TfValue`]s from a plan's `after`, `after_unknown` and `after_sensitive`, and
//! attaches the configuration's references to every unknown value.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::config::{is_expression, RefContext};
use crate::source::terraform::{Partial, TfValue, UnknownValue};

/// Where we are in the resource's configuration expressions.
#[derive(Clone, Copy)]
enum Cfg<'a> {
    /// No configuration to consult (treated as configured).
    Unknown,
    /// A block of expressions.
    Object(&'a Map<String, Value>),
    /// A list of nested blocks.
    Blocks(&'a [Value]),
    /// An expression: everything below it is computed from it.
    Expr(&'a Value),
    /// The configuration does not set this attribute.
    Missing,
}

impl<'a> Cfg<'a> {
    fn of(v: Option<&'a Value>, dynamic: bool) -> Cfg<'a> {
        match v {
            None if dynamic => Cfg::Unknown,
            None => Cfg::Missing,
            Some(v) if is_expression(v) => Cfg::Expr(v),
            Some(Value::Array(items)) => Cfg::Blocks(items),
            Some(Value::Object(m)) => Cfg::Object(m),
            Some(_) => Cfg::Unknown,
        }
    }

    fn key(self, key: &str) -> Cfg<'a> {
        match self {
            // `dynamic` blocks are not spelled out attribute by attribute.
            Cfg::Object(m) => Cfg::of(m.get(key), m.contains_key("dynamic")),
            Cfg::Blocks(items) => match items.first() {
                Some(Value::Object(m)) => Cfg::of(m.get(key), m.contains_key("dynamic")),
                _ => Cfg::Unknown,
            },
            other => other,
        }
    }

    fn index(self, i: usize) -> Cfg<'a> {
        match self {
            Cfg::Blocks(items) => match items.get(i).or(items.first()) {
                Some(Value::Object(m)) => Cfg::Object(m),
                _ => Cfg::Unknown,
            },
            other => other,
        }
    }
}

/// `hcl` is the same instance evaluated from the configuration next to the plan, when there
/// is one: its unknown values name exactly what each attribute (and element) refers to.
pub fn build(
    after: Value,
    unknown: &Value,
    sensitive: &Value,
    exprs: Option<&Map<String, Value>>,
    ctx: &RefContext<'_>,
    hcl: Option<&TfValue>,
) -> TfValue {
    let cfg = exprs.map_or(Cfg::Unknown, Cfg::Object);
    node(after, unknown, sensitive, cfg, Some(ctx), hcl)
}

/// Values known in full (data sources read while planning).
pub fn build_known(values: Value, sensitive: &Value) -> TfValue {
    node(values, &Value::Null, sensitive, Cfg::Unknown, None, None)
}

/// The child of an HCL value at an object key.
fn hcl_key<'a>(hcl: Option<&'a TfValue>, key: &str) -> Option<&'a TfValue> {
    match hcl? {
        TfValue::Map(m) => m.get(key),
        TfValue::Sensitive(inner) => hcl_key(Some(inner), key),
        _ => None,
    }
}

fn hcl_index(hcl: Option<&TfValue>, i: usize) -> Option<&TfValue> {
    match hcl? {
        TfValue::List(items) => items.get(i),
        TfValue::Sensitive(inner) => hcl_index(Some(inner), i),
        _ => None,
    }
}

/// The references of every unknown inside an evaluated value.
fn hcl_refs(v: &TfValue, out: &mut Vec<String>) {
    match v {
        TfValue::Unknown(u) => {
            for r in &u.refs {
                if !out.contains(r) {
                    out.push(r.clone());
                }
            }
        }
        TfValue::Sensitive(inner) => hcl_refs(inner, out),
        TfValue::List(items) => items.iter().for_each(|i| hcl_refs(i, out)),
        TfValue::Map(m) => m.values().for_each(|i| hcl_refs(i, out)),
        _ => {}
    }
}

/// The known parts of the evaluated configuration's unknown JSON text (a `jsonencode` with
/// unknown leaves), for an attribute the plan shows as unknown: the plan beside its `.tf`
/// files judges the same known parts as the directory. Sensitive when the plan marks the
/// attribute sensitive. A plan alone has no partial: its unknowns stay unknown.
fn hcl_partial(hcl: Option<&TfValue>, sens: &Value) -> Option<Arc<Partial>> {
    let (hcl, marked) = match hcl? {
        TfValue::Sensitive(inner) => (&**inner, true),
        other => (other, false),
    };
    let TfValue::Unknown(u) = hcl else {
        return None;
    };
    let p = u.partial.as_ref()?;
    if marked || sens == &Value::Bool(true) {
        Some(Arc::new(Partial {
            sensitive: true,
            ..Partial::clone(p)
        }))
    } else {
        Some(p.clone())
    }
}

/// Consumes `after`, moving its strings and maps into the result.
fn node(
    after: Value,
    unk: &Value,
    sens: &Value,
    cfg: Cfg<'_>,
    ctx: Option<&RefContext<'_>>,
    hcl: Option<&TfValue>,
) -> TfValue {
    if unk == &Value::Bool(true) {
        if configured_null(cfg, ctx, hcl) {
            // Null in the configuration: Terraform sends nothing, AWS applies its default.
            return TfValue::Null;
        }
        let mut from_hcl = Vec::new();
        if let Some(h) = hcl {
            hcl_refs(h, &mut from_hcl);
        }
        let (refs, dead_end) = match (cfg, ctx) {
            _ if !from_hcl.is_empty() => (from_hcl, None),
            (Cfg::Expr(e), Some(ctx)) => {
                let r = ctx.resolve_expression(e);
                (r.addresses, r.dead_end)
            }
            _ => (Vec::new(), None),
        };
        // A plan's configuration leaves out `dynamic` blocks: the evaluated configuration
        // says whether they set the attribute.
        // (A `dynamic` block that produced no block sets nothing.)
        let configured = !matches!(cfg, Cfg::Missing)
            || hcl.is_some_and(|h| {
                !h.is_null() && !matches!(h, TfValue::List(items) if items.is_empty())
            });
        return TfValue::Unknown(Arc::new(UnknownValue {
            refs,
            configured,
            reason: dead_end,
            partial: hcl_partial(hcl, sens),
        }));
    }
    let value = match after {
        Value::Object(m) => {
            let mut out = BTreeMap::new();
            if let Value::Object(u) = unk {
                for (k, flag) in u {
                    if flag == &Value::Bool(true) && !m.contains_key(k) {
                        out.insert(
                            k.clone(),
                            node(
                                Value::Null,
                                flag,
                                child(sens, k),
                                cfg.key(k),
                                ctx,
                                hcl_key(hcl, k),
                            ),
                        );
                    }
                }
            }
            for (k, v) in m {
                let value = node(
                    v,
                    child(unk, &k),
                    child(sens, &k),
                    cfg.key(&k),
                    ctx,
                    hcl_key(hcl, &k),
                );
                out.insert(k, value);
            }
            TfValue::Map(out)
        }
        Value::Array(items) => {
            let len = match unk {
                Value::Array(u) => u.len().max(items.len()),
                _ => items.len(),
            };
            let mut items = items.into_iter();
            TfValue::List(
                (0..len)
                    .map(|i| {
                        node(
                            items.next().unwrap_or(Value::Null),
                            index(unk, i),
                            index(sens, i),
                            cfg.index(i),
                            ctx,
                            hcl_index(hcl, i),
                        )
                    })
                    .collect(),
            )
        }
        Value::String(s) => TfValue::String(s),
        scalar => TfValue::from_json(&scalar),
    };
    if sens == &Value::Bool(true) {
        TfValue::Sensitive(Box::new(value))
    } else {
        value
    }
}

/// Whether an attribute the plan shows as "known after apply" is null in the
/// configuration. An Optional+Computed attribute whose expression yields null (a variable
/// or module input left null, a conditional giving null) is planned as unknown, yet
/// Terraform sends nothing and AWS applies its default. The evaluated configuration next
/// to the plan says so exactly; away from it, an expression whose inputs Terraform knew
/// while planning (see [`RefContext::inputs_known`]) can only have been null.
fn configured_null(cfg: Cfg<'_>, ctx: Option<&RefContext<'_>>, hcl: Option<&TfValue>) -> bool {
    if let Some(h) = hcl {
        return matches!(h, TfValue::Null);
    }
    match (cfg, ctx) {
        (Cfg::Expr(e), Some(ctx)) => ctx.inputs_known(e),
        _ => false,
    }
}

fn child<'a>(v: &'a Value, key: &str) -> &'a Value {
    match v {
        Value::Object(m) => m.get(key).unwrap_or(&Value::Null),
        // `true` for a whole object covers its attributes.
        Value::Bool(true) => v,
        _ => &Value::Null,
    }
}

fn index(v: &Value, i: usize) -> &Value {
    match v {
        Value::Array(items) => items.get(i).unwrap_or(&Value::Null),
        Value::Bool(true) => v,
        _ => &Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn evaluated(sensitive: bool) -> TfValue {
        TfValue::Unknown(Arc::new(UnknownValue {
            refs: vec!["aws_ecr_repository.app".into()],
            configured: true,
            reason: None,
            partial: Some(Arc::new(Partial {
                json: format!(r#"[{{"image":{:?}}}]"#, "x"),
                unknowns: Vec::new(),
                sensitive,
            })),
        }))
    }

    fn partial_of(v: &TfValue) -> Option<Arc<Partial>> {
        match v {
            TfValue::Unknown(u) => u.partial.clone(),
            other => panic!("expected an unknown, got {other:?}"),
        }
    }

    #[test]
    fn an_unknown_attribute_takes_the_partial_of_the_evaluated_configuration() {
        let after = json!({});
        let unknown = json!({ "container_definitions": true });
        let hcl = TfValue::Map(
            [("container_definitions".to_string(), evaluated(false))]
                .into_iter()
                .collect(),
        );
        let plain = node(
            after.clone(),
            &unknown,
            &Value::Null,
            Cfg::Unknown,
            None,
            Some(&hcl),
        );
        let p = partial_of(&plain.get("container_definitions").value.clone()).expect("partial");
        assert!(!p.sensitive);
        // The plan marks the attribute sensitive: so is every known part.
        let sensitive = json!({ "container_definitions": true });
        let marked = node(
            after.clone(),
            &unknown,
            &sensitive,
            Cfg::Unknown,
            None,
            Some(&hcl),
        );
        let p = partial_of(&marked.get("container_definitions").value.clone()).expect("partial");
        assert!(p.sensitive);
        // A plan alone has no partial.
        let alone = node(after, &unknown, &Value::Null, Cfg::Unknown, None, None);
        assert!(partial_of(&alone.get("container_definitions").value.clone()).is_none());
    }
}
